"""PubMed lookups beyond the search: a DOI's PMID, the papers citing a PMID (elink), and
records fetched by id."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from lxml import etree

from tracker.config import PubmedConfig
from tracker.errors import SourceError
from tracker.sources.pubmed import SOURCE, esearch_json, post_form

CITED_IN = "pubmed_pubmed_citedin"

_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def resolve_pmid(
    client: httpx.Client, cfg: PubmedConfig, common: dict[str, str], doi: str
) -> str | None:
    """The PMID PubMed gives a DOI, or None when PubMed does not have the paper (yet)."""
    result = esearch_json(
        client, cfg, {**common, "term": f'"{doi}"[aid]', "retmax": "2"}, f"DOI {doi}"
    )
    ids = result.idlist or []
    return ids[0] if len(ids) == 1 else None


ELINK_BATCH = 100
"""Cited PMIDs per elink request: each is sent as its own `id` parameter, so the answer
has one LinkSet per paper."""


def cited_by(
    client: httpx.Client, cfg: PubmedConfig, common: dict[str, str], pmid: str
) -> list[str]:
    """PMIDs of the papers PubMed lists as citing `pmid`."""
    return cited_by_each(client, cfg, common, [pmid]).get(pmid, [])


def cited_by_each(
    client: httpx.Client, cfg: PubmedConfig, common: dict[str, str], pmids: list[str]
) -> dict[str, list[str]]:
    """PMID -> the PMIDs PubMed lists as citing it, up to ELINK_BATCH papers a request."""
    found: dict[str, list[str]] = {}
    for start in range(0, len(pmids), ELINK_BATCH):
        chunk = pmids[start : start + ELINK_BATCH]
        form: dict[str, str | list[str]] = {
            **common,
            "dbfrom": "pubmed",
            "db": "pubmed",
            "linkname": CITED_IN,
            "id": chunk,
            "cmd": "neighbor",
        }
        label = f"PMID:{chunk[0]}" if len(chunk) == 1 else f"{len(chunk)} PMIDs"
        where = f"elink {CITED_IN} {label}"
        body = post_form(client, f"{cfg.url.rstrip('/')}/elink.fcgi", form, where)
        found.update(_link_sets(body, where))
    return found


def _link_sets(body: bytes, where: str) -> dict[str, list[str]]:
    try:
        root = etree.fromstring(body, _SAFE)
    except etree.XMLSyntaxError as exc:
        raise SourceError(SOURCE, f"{where}: malformed XML: {exc.msg}") from exc
    error = root.findtext(".//ERROR")
    if error:
        raise SourceError(SOURCE, f"{where}: NCBI says: {error}")
    found: dict[str, list[str]] = {}
    for link_set in root.iterfind("LinkSet"):
        cited = (link_set.findtext("IdList/Id") or "").strip()
        if not cited:
            continue
        found.setdefault(cited, []).extend(
            link.text.strip()
            for db in link_set.iterfind("LinkSetDb")
            if db.findtext("LinkName") == CITED_IN
            for link in db.iterfind("Link/Id")
            if link.text and link.text.strip()
        )
    return found


def fetch_by_ids(
    client: httpx.Client, cfg: PubmedConfig, common: dict[str, str], pmids: list[str]
) -> Iterator[tuple[bytes, int]]:
    """efetch bodies for `pmids` (POSTed: id lists get long), with how many ids each holds."""
    for start in range(0, len(pmids), cfg.batch_size):
        chunk = pmids[start : start + cfg.batch_size]
        form = {**common, "id": ",".join(chunk), "retmode": "xml"}
        yield (
            post_form(
                client, f"{cfg.url.rstrip('/')}/efetch.fcgi", form, f"efetch {len(chunk)} ids"
            ),
            len(chunk),
        )
