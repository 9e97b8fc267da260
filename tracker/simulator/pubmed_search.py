"""PubMed search terms for the simulator: a subset of the real syntax, matched over Articles.

Supported: words and "quoted phrases" with an optional [tag]; AND, OR, NOT (upper case,
evaluated left to right as PubMed does; lower-case and/or/not are dropped like stopwords);
juxtaposition meaning AND, except that the words before a tag are one phrase (heart
attack[mh]); parentheses; a trailing * for a word prefix; date ranges
`2024/01/01:2024/12/31[edat]` (also [pdat], [dp], [mdat], [crdt], long names, and a single
date such as `2024[dp]`) and `"2024/01/01"[edat] : "3000"[edat]`. Matching is
case-insensitive on whole words; [mh], [pt], [si], [ta], [uid] compare whole values, [au]
is a prefix ("capone f"). No Automatic Term Mapping and no MeSH explosion. Unknown tags
are reported as FieldNotFound and searched as [All Fields], as the real server does.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from typing import NamedTuple

from .boolquery import Node, QuerySyntaxError, parse, render
from .pubmed_records import Article, norm

# tag as written (lower case) -> canonical field
_TAGS = {
    "all": "all", "all fields": "all", "tw": "all", "text word": "all",
    "tiab": "tiab", "title/abstract": "tiab", "ti": "ti", "title": "ti",
    "mh": "mh", "mesh": "mh", "mesh terms": "mh", "majr": "mj", "mesh major topic": "mj",
    "pt": "pt", "publication type": "pt", "si": "si", "secondary source id": "si",
    "uid": "uid", "pmid": "uid", "au": "au", "author": "au", "ta": "ta", "journal": "ta",
    "aid": "aid", "la": "la", "language": "la",
    "edat": "edat", "date - entry": "edat", "entrez date": "edat", "crdt": "edat",
    "date - create": "edat", "pdat": "pdat", "dp": "pdat", "publication date": "pdat",
    "date - publication": "pdat", "mdat": "mdat", "lr": "mdat", "date - modification": "mdat",
}  # fmt: skip
DATE_FIELDS = {"edat": "Date - Entry", "pdat": "Date - Publication", "mdat": "Date - Modification"}
_FIELD_NAMES = {
    "all": "All Fields", "tiab": "Title/Abstract", "ti": "Title", "mh": "MeSH Terms",
    "mj": "MeSH Major Topic", "pt": "Publication Type", "si": "Secondary Source ID",
    "uid": "UID", "au": "Author", "ta": "Journal", "aid": "Location ID", "la": "Language",
    **DATE_FIELDS,
}  # fmt: skip
_TAG_PREFIX = {"mh": "mh", "mj": "mj", "pt": "pt", "si": "si", "ta": "ta", "aid": "aid", "la": "la"}
_TOKEN = re.compile(
    r'\s*(?:(?P<paren>[()])|"(?P<phrase>[^"]*)"(?:\s*\[(?P<ptag>[^\]]*)\])?'
    r"|(?P<word>[^\s()\"\[\]]+)(?:\[(?P<wtag>[^\]]*)\])?)"
)
_DATE = re.compile(r"^(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?$")
_STOPWORDS = frozenset({"and", "or", "not"})


class Leaf(NamedTuple):
    field: str  # a canonical field of _FIELD_NAMES
    value: str  # normalised text; lower-case tag value; "lo:hi" for dates
    raw: str  # as written, for QueryTranslation and PhraseNotFound
    unknown_tag: str | None = None


class Compiled(NamedTuple):
    tree: Node
    fields_not_found: list[str]


def date_bound(value: str, upper: bool) -> str:
    """'2024' -> '2024/00/00' (or '2024/99/99' as an upper bound): comparable as text."""
    found = _DATE.match(value.strip())
    if found is None:
        raise QuerySyntaxError(f"invalid date: {value!r}")
    pad = "99" if upper else "00"
    month = f"{int(found[2]):02d}" if found[2] else pad
    day = f"{int(found[3]):02d}" if found[3] else pad
    return f"{found[1]}/{month}/{day}"


def _shown(bound: str, upper: bool) -> str:
    """A padded bound as the real QueryTranslation writes it: 2024/00/00 -> 2024/01/01."""
    year, month, day = (int(part) for part in bound.split("/"))
    month = (12 if upper else 1) if month in (0, 99) else month
    if day in (0, 99):
        day = calendar.monthrange(year, month)[1] if upper else 1
    return f"{year:04d}/{month:02d}/{day:02d}"


def date_leaf(field: str, lo: str, hi: str) -> Leaf:
    bounds = f"{date_bound(lo, False)}:{date_bound(hi, True)}"
    return Leaf(field, bounds, f"{lo}:{hi}")


def _leaf(text: str, tag: str | None, quoted: bool) -> Leaf:
    key = (tag or "all").strip().lower().split(":")[0]  # [mh:noexp] -> mh
    field = _TAGS.get(key)
    if field in DATE_FIELDS:
        lo, _, hi = text.partition(":")
        return date_leaf(field, lo, hi or lo)
    if field is None:
        return Leaf("all", norm(text), text, tag)
    if field in _TAG_PREFIX or field == "au":
        return Leaf(field, text.strip().lower(), text)
    if field == "uid":
        return Leaf(field, text.strip(), text)
    value = norm(text)
    if text.endswith("*") and not quoted:
        value = value.rstrip()  # a prefix: " stimulat" matches " stimulation "
    return Leaf(field, value, text)


def _tokens(term: str) -> list[object]:
    out: list[object] = []
    bare: list[str] = []  # untagged words since the last operator, parenthesis or phrase
    pos, term = 0, term.strip()
    while pos < len(term):
        found = _TOKEN.match(term, pos)
        if found is None or found.end() == pos:
            raise QuerySyntaxError(f"cannot parse the term at {term[pos:]!r}")
        pos = found.end()
        word, tag = found["word"], found["wtag"]
        if found["paren"] or found["phrase"] is not None or word in ("AND", "OR", "NOT", ":"):
            token = found["paren"] or word
            out.append(token if token else _leaf(found["phrase"], found["ptag"], True))
            bare = []
        elif tag and _TAGS.get(tag.strip().lower().split(":")[0]) not in (*DATE_FIELDS, "uid"):
            # the words before a tag are one phrase: heart attack[mh], Ruiz A[au]
            del out[len(out) - len(bare) :]
            out.append(_leaf(" ".join([*bare, word]), tag, False))
            bare = []
        elif tag or word.lower() not in _STOPWORDS:
            out.append(_leaf(word, tag, False))
            bare = [] if tag else [*bare, word]
    # "2024/01/01"[edat] : "3000"[edat] is one range
    merged: list[object] = []
    for token in out:
        if len(merged) >= 2 and merged[-1] == ":" and isinstance(token, Leaf):
            start = merged[-2]
            if isinstance(start, Leaf) and start.field == token.field in DATE_FIELDS:
                value = f"{start.value[:10]}:{token.value[11:]}"
                merged[-2:] = [Leaf(start.field, value, value)]
                continue
        merged.append(token)
    if ":" in merged:
        raise QuerySyntaxError("':' must join two dates of the same date field")
    return merged


def compile_term(term: str) -> Compiled:
    tree = parse(_tokens(term), left_to_right=True)
    unknown = [leaf.unknown_tag for leaf in _leaves(tree) if leaf.unknown_tag]
    return Compiled(tree, sorted(set(unknown)))


def _leaves(node: Node) -> Iterable[Leaf]:
    if node[0] == "leaf":
        yield node[1]
        return
    if node[1] is not None:
        yield from _leaves(node[1])
    yield from _leaves(node[2])


def text_leaves(tree: Node) -> list[Leaf]:
    """The leaves a PhraseNotFound can name: free text, not tags or dates."""
    return [leaf for leaf in _leaves(tree) if leaf.field in ("all", "tiab", "ti")]


def matches(leaf: Leaf, article: Article) -> bool:
    field, value = leaf.field, leaf.value
    if field == "all":
        return value in article.text
    if field == "tiab":
        return article.text.find(value, 0, article.tiab_end) >= 0
    if field == "ti":
        return article.text.find(value, 0, article.ti_end) >= 0
    if field in DATE_FIELDS:
        lo, hi = value.split(":")
        stamp: str = getattr(article, field)
        return lo <= stamp <= hi
    if field == "uid":
        return article.pmid == value
    if field == "au":
        return f"\x1fau:{value}" in article.tags
    return f"\x1f{_TAG_PREFIX[field]}:{value}\x1f" in article.tags


def translate(tree: Node) -> str:
    """A QueryTranslation in the real style: "als"[All Fields] AND 2024/...[Date - Entry]."""

    def leaf(item: Leaf) -> str:
        name = _FIELD_NAMES[item.field]
        if item.field in DATE_FIELDS:
            lo, hi = item.value.split(":")
            return f"{_shown(lo, False)}:{_shown(hi, True)}[{name}]"
        return f'"{item.raw.lower()}"[{name}]'

    text = render(tree, leaf)
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text
