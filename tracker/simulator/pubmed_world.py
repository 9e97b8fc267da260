"""The simulated PubMed: articles, deletions, citation links, the History server and a clock.

Articles are immutable (pubmed_records.Article); every change goes through `update`, which
rebuilds the record from its make_article arguments and stamps its modification date (mdat,
DateRevised) with `today`, so a datetype=mdat window finds it, as on the real server.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from .boolquery import QuerySyntaxError, evaluate
from .pubmed_records import Article, make_article
from .pubmed_search import DATE_FIELDS, Leaf, compile_term, date_bound, matches, text_leaves
from .pubmed_search import translate as translate_tree

RETRACTED = ("D016441", "Retracted Publication")
RETRACTION_NOTICE = ("D016440", "Retraction of Publication")


class SearchResult(NamedTuple):
    ids: list[str]  # every match, newest first (entrez date, then PMID, descending)
    translation: str
    phrases_not_found: list[str]
    fields_not_found: list[str]


def _slashed(value: str) -> str:
    return date.fromisoformat(value.replace("/", "-")).strftime("%Y/%m/%d")


class PubmedWorld:
    """Articles keyed by PMID; `today` (YYYY/MM/DD) is the date stamped on every change."""

    def __init__(self, today: str = "2025/01/15") -> None:
        self._lock = threading.RLock()
        self._articles: dict[str, Article] = {}
        self._order: list[Article] | None = None  # newest first, rebuilt after a change
        self._cited_by: dict[str, set[str]] | None = None  # reverse of cites + cite_index
        self._extra_cites: dict[str, set[str]] = {}  # cited -> citing, from cite_index
        self._cache: dict[tuple[str, ...], SearchResult] = {}
        self.deleted: set[str] = set()
        self.history: dict[str, list[list[str]]] = {}  # WebEnv -> ids per query_key - 1
        self.today = today

    @property
    def today(self) -> str:
        return self._today

    @today.setter
    def today(self, value: str) -> None:
        self._today = _slashed(value)

    def advance(self, days: int) -> str:
        moved = date.fromisoformat(self.today.replace("/", "-")) + timedelta(days=days)
        self.today = moved.isoformat()
        return self.today

    def _changed(self) -> None:
        self._order = None
        self._cited_by = None
        self._cache.clear()

    def add(self, article: Article) -> None:
        self.add_many([article])

    def add_many(self, articles: Iterable[Article]) -> None:
        with self._lock:
            for article in articles:
                self._articles[article.pmid] = article
                self.deleted.discard(article.pmid)
            self._changed()

    def get(self, pmid: str) -> Article | None:
        return self._articles.get(pmid)

    def __contains__(self, pmid: object) -> bool:
        return pmid in self._articles

    def __len__(self) -> int:
        return len(self._articles)

    def ids(self) -> list[str]:
        """Every PMID, newest first."""
        return [a.pmid for a in self._newest_first()]

    def update(self, pmid: str, fn: Callable[[dict[str, Any]], None]) -> Article:
        """Apply `fn` to a copy of the record's make_article arguments, rebuild it with
        mdat = today, store and return it."""
        with self._lock:
            article = self._articles.get(pmid)
            if article is None:
                raise KeyError(pmid)
            args = copy.deepcopy(dict(article.args))
            fn(args)
            if args.pop("pmid") != pmid:
                raise ValueError("update() must not change the PMID")
            args["mdat"] = self.today
            rebuilt = make_article(pmid, **args)
            self.add(rebuilt)
            return rebuilt

    def retract(self, pmid: str, notice_pmid: str, *, add_notice: bool = True) -> Article:
        """Mark a record retracted today ("Retracted Publication" and a RetractionIn comment,
        mdat bumped); with `add_notice`, also add the notice itself (entrez date today)."""

        def apply(args: dict[str, Any]) -> None:
            args["pub_types"] = [*args["pub_types"], RETRACTED]
            args["comments"] = [*args["comments"], ("RetractionIn", notice_pmid)]

        article = self.update(pmid, apply)
        if add_notice and notice_pmid not in self._articles:
            year, month, _ = self.today.split("/")
            notice = make_article(
                notice_pmid,
                title=f"Retraction: {article.title}",
                abstract=(),
                authors=(),
                journal=article.args["journal"],
                year=year,
                month=month,
                entrez_date=self.today,
                mdat=self.today,
                pub_types=[RETRACTION_NOTICE],
                mesh=(),
                databanks=(),
                comments=[("RetractionOf", pmid)],
            )
            self.add(notice)
        return article

    def delete(self, pmid: str) -> None:
        """Remove a record: searches no longer find it, efetch answers a DeleteCitation."""
        with self._lock:
            if self._articles.pop(pmid, None) is None:
                raise KeyError(pmid)
            self.deleted.add(pmid)
            self._changed()

    def cite_index(self, citing_pmid: str, cited_pmid: str) -> None:
        """Record that `citing_pmid` cites `cited_pmid` (for elink pubmed_pubmed_citedin)
        without changing either record, as a new citation does not revise the cited one."""
        with self._lock:
            self._extra_cites.setdefault(cited_pmid, set()).add(citing_pmid)
            self._changed()

    def cited_by(self, pmid: str) -> list[str]:
        """PMIDs of the records citing `pmid`, highest first (the real citedin order)."""
        with self._lock:
            if self._cited_by is None:
                index = {k: set(v) for k, v in self._extra_cites.items()}
                for article in self._articles.values():
                    for cited in article.cites:
                        index.setdefault(cited, set()).add(article.pmid)
                self._cited_by = index
            citing = self._cited_by.get(pmid, set()) - self.deleted
        return sorted(citing, key=int, reverse=True)

    def references(self, pmid: str) -> list[str]:
        """PMIDs `pmid` cites (elink pubmed_pubmed_refs), highest first."""
        article = self._articles.get(pmid)
        return sorted(article.cites, key=int, reverse=True) if article else []

    def _newest_first(self) -> list[Article]:
        with self._lock:
            if self._order is None:
                self._order = sorted(
                    self._articles.values(), key=lambda a: (a.edat, int(a.pmid)), reverse=True
                )
            return self._order

    def search(
        self,
        term: str,
        *,
        datetype: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
    ) -> list[str]:
        """PMIDs matching `term` (pubmed_search syntax), newest first."""
        return self.search_full(term, datetype=datetype, mindate=mindate, maxdate=maxdate).ids

    def search_full(
        self,
        term: str,
        *,
        datetype: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        reldate: int | None = None,
    ) -> SearchResult:
        """Everything esearch reports. Raises QuerySyntaxError for what gets an <ERROR>."""
        field = (datetype or "pdat").lower()
        if field not in DATE_FIELDS:
            raise QuerySyntaxError(f"Invalid datetype: {datetype}")
        if reldate is not None and mindate is None and maxdate is None:
            start = date.fromisoformat(self.today.replace("/", "-")) - timedelta(days=reldate)
            mindate, maxdate = start.strftime("%Y/%m/%d"), self.today
        if (mindate is None) != (maxdate is None):
            raise QuerySyntaxError("mindate and maxdate must be used together")
        key = (term, field, mindate or "", maxdate or "")
        with self._lock:
            if (hit := self._cache.get(key)) is not None:
                return hit
            compiled = compile_term(term)
            tree = compiled.tree
            if mindate is not None and maxdate is not None:
                bounds = f"{date_bound(mindate, False)}:{date_bound(maxdate, True)}"
                tree = ("AND", tree, ("leaf", Leaf(field, bounds, bounds)))
            found: dict[Leaf, set[str]] = {}

            def match(leaf: Leaf) -> set[str]:
                if leaf not in found:
                    found[leaf] = {a.pmid for a in self._articles.values() if matches(leaf, a)}
                return found[leaf]

            hits = evaluate(tree, match, lambda: set(self._articles))
            ids = [a.pmid for a in self._newest_first() if a.pmid in hits]
            missing = [leaf.raw for leaf in text_leaves(tree) if not match(leaf)]
            result = SearchResult(
                ids, translate_tree(tree), list(dict.fromkeys(missing)), compiled.fields_not_found
            )
            if len(self._cache) >= 64:
                self._cache.clear()
            self._cache[key] = result
            return result

    def store_history(self, ids: list[str], webenv: str | None = None) -> tuple[str, int]:
        """Keep `ids` on the History server; a known WebEnv gets the next query_key."""
        with self._lock:
            if webenv not in self.history:
                webenv = f"MCID_{secrets.token_hex(12)}"
                self.history[webenv] = []
            assert webenv is not None
            self.history[webenv].append(list(ids))
            return webenv, len(self.history[webenv])

    def history_ids(self, webenv: str, query_key: int) -> list[str] | None:
        with self._lock:
            keys = self.history.get(webenv, [])
            return keys[query_key - 1] if 1 <= query_key <= len(keys) else None
