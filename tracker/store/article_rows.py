"""What the store writes beside a parsed article's JSON: its summary columns, the trial
links it declares and its Entrez date. Pure, and free of database imports, so PubMed's
parse workers (tracker.ingest.pubmed_workers) compute it where the record was parsed and
the storing process never has to decode the record again."""

from __future__ import annotations

from typing import Any, NamedTuple

from tracker.records.article import ArticleData
from tracker.records.links import LinkTriple, article_links
from tracker.records.registrations import RegTriple, article_registrations, triples


class ArticleSummary(NamedTuple):
    columns: dict[str, Any]
    """Summary columns of the `articles` row (title, journal, dates, flags...)."""
    links: list[LinkTriple]
    """Trial links the record declares (tracker.records.links.article_links)."""
    entrez_date: str | None
    registrations: list[RegTriple] = []
    """Registration numbers the record declares (tracker.records.registrations)."""


def summarise(a: ArticleData) -> ArticleSummary:
    regs = triples(a.id, [r for r in article_registrations(a) if not r.id.startswith("NCT")])
    return ArticleSummary(columns(a), article_links(a), a.entrez_date, regs)


def columns(a: ArticleData | None) -> dict[str, Any]:
    if a is None:
        return {"retracted": False, "deleted": False}
    return {
        "pmid": a.pmid,
        "doi": a.doi.lower() if a.doi else None,
        "pmcid": a.pmcid,
        "title": a.title,
        "journal": a.journal.title if a.journal else None,
        "pub_date": a.pub_date.value if a.pub_date else None,
        "entrez_date": a.entrez_date,
        "publication_types": "|".join(p.name for p in a.publication_types) or None,
        "retracted": a.retracted,
        "deleted": a.deleted,
    }
