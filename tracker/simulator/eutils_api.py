"""The E-utilities endpoints of the simulator (esearch, efetch, elink) under /entrez/eutils.

Semantics follow ../shared/API-NOTES.md and the real answers in ../shared/data/real/pubmed/:
errors are HTTP 200 with an <ERROR> element; RetMax is the number of ids returned; esearch
reaches only the first 9,999 ids of a query (retstart past that is an ERROR when there are
more hits, retstart + retmax is clamped with a "Restrictions achieved" warning); zero hits
give ErrorList/PhraseNotFound and "No items found."; parameter names are case-insensitive
(Biopython sends "webenv"). Throttling lives in eutils_limits.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .boolquery import QuerySyntaxError
from .pubmed_world import PubmedWorld
from .pubmed_xml import DOCTYPE, esc
from .reply import JSON, XML, Reply, plain

EUTILS = "/entrez/eutils"
ESEARCH_CAP = 9999  # PubMed esearch serves ids 0..9998 of a query, no more
_CAP_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed,"
    " ESearch can only retrieve the first 9,999 records matching the query. To obtain more"
    " than 9,999 PubMed records, consider using EDirect that contains additional logic to"
    " batch PubMed search results automatically so that an arbitrary number can be retrieved."
    " For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/#chapter4.ESearch"
)
_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE {0} PUBLIC "-//NLM//DTD {1}//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/{2}.dtd">\n'
_ESEARCH = _HEAD.format("eSearchResult", "esearch 20060628", "20060628/esearch")
_EFETCH = _HEAD.format("eFetchResult", "efetch 20131226", "20131226/efetch")
_ELINK = _HEAD.format("eLinkResult", "elink 20101123", "20101123/elink")
_ARTICLE_SET = f'<?xml version="1.0" ?>\n{DOCTYPE}\n<PubmedArticleSet>\n'.encode()
_LINKNAMES = ("pubmed_pubmed_citedin", "pubmed_pubmed_refs")


class EutilsError(Exception):
    """Answered as HTTP 200 with <ERROR>message</ERROR> inside the endpoint's root element."""


def _xml(text: str) -> Reply:
    return Reply(200, text.encode(), XML)


def _json(result: dict[str, object]) -> Reply:
    """An esearch JSON answer: compact, every number a string, as NCBI sends it."""
    body = {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}
    return Reply(200, json.dumps(body, separators=(",", ":")).encode(), JSON)


def _int(args: dict[str, str], name: str, default: int) -> int:
    value = args.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise EutilsError(f"Invalid {name}: {value}")
    return int(value)


def _check_db(args: dict[str, str], name: str = "db") -> None:
    db = args.get(name, "pubmed") or "pubmed"
    if db.lower() != "pubmed":
        raise EutilsError(f"Invalid db name specified: {db}")


def _esearch(world: PubmedWorld, args: dict[str, str]) -> Reply:
    as_json = args.get("retmode", "xml").lower() == "json"
    try:
        _check_db(args)
        term = args.get("term", "").strip()
        if not term:
            raise EutilsError("Empty term and query_key - nothing todo")
        retstart, retmax = _int(args, "retstart", 0), _int(args, "retmax", 20)
        reldate = _int(args, "reldate", 0) or None
        found = world.search_full(
            term,
            datetype=args.get("datetype") or None,
            mindate=args.get("mindate") or None,
            maxdate=args.get("maxdate") or None,
            reldate=reldate,
        )
    except (EutilsError, QuerySyntaxError) as exc:
        return _esearch_error(as_json, str(exc))
    count = len(found.ids)
    if args.get("rettype", "").lower() == "count":
        if as_json:
            return _json({"count": str(count)})
        return _xml(f"{_ESEARCH}<eSearchResult>\n\t<Count>{count}</Count>\n</eSearchResult>\n")
    if retstart >= ESEARCH_CAP and count > ESEARCH_CAP:
        return _esearch_error(as_json, _CAP_ERROR)
    messages = [] if count else ["No items found."]
    if retstart + retmax > ESEARCH_CAP:
        retmax = max(0, ESEARCH_CAP - retstart)
        messages.append(f"Restrictions achieved. start and count adjusted to {retstart}, {retmax}")
    page = found.ids[retstart : retstart + retmax]
    history: tuple[str, int] | None = None
    if args.get("usehistory", "").lower() == "y":
        history = world.store_history(found.ids[:ESEARCH_CAP], args.get("webenv") or None)
    if as_json:
        result: dict[str, object] = {
            "count": str(count),
            "retmax": str(len(page)),
            "retstart": str(retstart),
        }
        if history:
            result |= {"querykey": str(history[1]), "webenv": history[0]}
        result |= {"idlist": page, "translationset": [], "querytranslation": found.translation}
        if found.phrases_not_found or found.fields_not_found:
            result["errorlist"] = {
                "phrasesnotfound": found.phrases_not_found,
                "fieldsnotfound": found.fields_not_found,
            }
        if messages:
            result["warninglist"] = {
                "phrasesignored": [],
                "quotedphrasesnotfound": [],
                "outputmessages": messages,
            }
        return _json(result)
    ids = "".join(f"<Id>{pmid}</Id>\n" for pmid in page)
    parts = [
        f"{_ESEARCH}<eSearchResult><Count>{count}</Count><RetMax>{len(page)}</RetMax>",
        f"<RetStart>{retstart}</RetStart>",
        f"<QueryKey>{history[1]}</QueryKey><WebEnv>{history[0]}</WebEnv>" if history else "",
        f"<IdList>\n{ids}</IdList>" if page else "<IdList/>",
        f"<TranslationSet/><QueryTranslation>{esc(found.translation)}</QueryTranslation>",
    ]
    if found.phrases_not_found or found.fields_not_found:
        parts.append("<ErrorList>")
        parts += [f"<PhraseNotFound>{esc(p)}</PhraseNotFound>" for p in found.phrases_not_found]
        parts += [f"<FieldNotFound>{esc(f)}</FieldNotFound>" for f in found.fields_not_found]
        parts.append("</ErrorList>")
    if messages:
        rows = "".join(f"<OutputMessage>{esc(m)}</OutputMessage>" for m in messages)
        parts.append(f"<WarningList>{rows}</WarningList>")
    return _xml("".join([*parts, "</eSearchResult>\n"]))


def _esearch_error(as_json: bool, message: str) -> Reply:
    if as_json:
        body = {
            "header": {"type": "esearch", "version": "0.3"},
            "esearchresult": {"ERROR": message},
        }
        return Reply(200, json.dumps(body, separators=(",", ":")).encode(), JSON)
    return _xml(f"{_ESEARCH}<eSearchResult>\n\t<ERROR>{esc(message)}</ERROR>\n</eSearchResult>\n")


def _ids(pairs: Sequence[tuple[str, str]]) -> list[list[str]]:
    """The id parameters, one list per `id=` (each may hold a comma-separated list)."""
    return [[i.strip() for i in v.split(",") if i.strip()] for k, v in pairs if k.lower() == "id"]


def _efetch(world: PubmedWorld, args: dict[str, str], pairs: Sequence[tuple[str, str]]) -> Reply:
    try:
        _check_db(args)
        if args.get("retmode", "xml").lower() != "xml" or args.get("rettype", "").lower() not in (
            "",
            "xml",
            "full",
            "abstract",
        ):
            raise EutilsError("registry simulator: only retmode=xml is implemented for efetch")
        retstart, retmax = _int(args, "retstart", 0), _int(args, "retmax", 10_000)
        wanted = [pmid for group in _ids(pairs) for pmid in group]
        if not wanted and args.get("webenv"):
            query_key = _int(args, "query_key", 1)
            stored = world.history_ids(args["webenv"], query_key)
            if stored is None:
                raise EutilsError(f"Unable to obtain query #{query_key}")
            wanted = stored
        elif not wanted:
            raise EutilsError("Empty id list - nothing todo")
    except EutilsError as exc:
        return _xml(f"{_EFETCH}<eFetchResult>\n\t<ERROR>{esc(str(exc))}</ERROR>\n</eFetchResult>\n")
    chosen = list(dict.fromkeys(wanted))[retstart : retstart + min(retmax, 10_000)]
    records = [a.xml for pmid in chosen if (a := world.get(pmid)) is not None]
    gone = [pmid for pmid in chosen if pmid in world.deleted]
    if gone:
        records.append(
            b"".join(
                [
                    b"<DeleteCitation>",
                    *(b'<PMID Version="1">%s</PMID>' % p.encode() for p in gone),
                    b"</DeleteCitation>",
                ]
            )
        )
    return Reply(200, b"".join([_ARTICLE_SET, *records, b"</PubmedArticleSet>"]), XML)


def _elink(world: PubmedWorld, args: dict[str, str], pairs: Sequence[tuple[str, str]]) -> Reply:
    try:
        _check_db(args, "dbfrom")
        _check_db(args)
        if args.get("cmd", "neighbor") != "neighbor" or args.get("retmode", "xml") != "xml":
            raise EutilsError(
                "registry simulator: only cmd=neighbor with retmode=xml is implemented"
            )
        names = [args["linkname"]] if args.get("linkname") else list(_LINKNAMES)
        if any(name not in _LINKNAMES for name in names):
            raise EutilsError(f"registry simulator: linkname {names[0]} is not implemented")
        groups = _ids(pairs)
        if not groups:
            raise EutilsError("Empty id list - nothing todo")
    except EutilsError as exc:
        return _xml(f"{_ELINK}<eLinkResult>\n\t<ERROR>{esc(str(exc))}</ERROR>\n</eLinkResult>\n")
    sets = []
    for group in groups:
        ids = "".join(f"      <Id>{pmid}</Id>\n" for pmid in group)
        dbs = []
        for name in names:
            find = world.cited_by if name == "pubmed_pubmed_citedin" else world.references
            linked = sorted({p for pmid in group for p in find(pmid)}, key=int, reverse=True)
            if linked:
                links = "".join(
                    f"\n        <Link>\n\t\t\t\t<Id>{p}</Id>\n\t\t\t</Link>" for p in linked
                )
                dbs.append(
                    f"    <LinkSetDb>\n      <DbTo>pubmed</DbTo>\n      <LinkName>{name}</LinkName>"
                    f"\n      {links}\n      \n    </LinkSetDb>\n"
                )
        head = f"  <LinkSet>\n    <DbFrom>pubmed</DbFrom>\n    <IdList>\n{ids}    </IdList>\n"
        sets.append(f"{head}{''.join(dbs)}  </LinkSet>\n")
    return _xml(f"{_ELINK}<eLinkResult>\n\n{''.join(sets)}</eLinkResult>\n")


def route(world: PubmedWorld, path: str, pairs: Sequence[tuple[str, str]]) -> Reply:
    """The reply to a GET or form POST of `path` (under /entrez/eutils)."""
    args = {key.lower(): value for key, value in pairs}
    name = path[len(EUTILS) :].strip("/")
    if name == "esearch.fcgi":
        return _esearch(world, args)
    if name == "efetch.fcgi":
        return _efetch(world, args, pairs)
    if name == "elink.fcgi":
        return _elink(world, args, pairs)
    return plain(404, f"registry simulator: no E-utility at {path}")
