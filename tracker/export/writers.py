"""ExportRows -> CSV, JSON, RIS (rispy) or BibTeX (bibtexparser), written to a text stream.

RIS and BibTeX are for reference managers (Zotero, EndNote, JabRef): papers are journal
articles with DOI, PMID and URL; a trial, which neither format has a type for, is a web
page (RIS ELEC, BibTeX @misc) with its registry URL and the sponsor as corporate author.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from itertools import islice
from typing import IO, Any

import rispy
from bibtexparser import model
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from pylatexenc.latexencode import unicode_to_latex  # type: ignore[import-untyped]

from tracker.export.rows import ExportRow, Person

CSV_COLUMNS = (
    "id",
    "kind",
    "source",
    "title",
    "url",
    "study",
    "relevant",
    "role",
    "verdict",
    "overridden",
    "rule",
    "reason",
    "strength",
    "participants",
    "status",
    "date",
    "doi",
    "pmid",
    "journal",
    "sponsor",
    "phases",
    "enrollment",
    "primary_completion_date",
    "authors",
    "registrations",
    "flags",
    "provenance",
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell starting with one of these as a formula (OWASP's list):
`=HYPERLINK(...)` in a title or an author would run when the file is opened."""


def write_csv(rows: Iterable[ExportRow], out: IO[str], *, raw_cells: bool = False) -> int:
    """One row per record. Text cells that a spreadsheet would take for a formula get a
    leading apostrophe (shown, never evaluated) unless `raw_cells` asks for them as stored."""
    value = _csv_value if raw_cells else _csv_safe
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        record = {name: getattr(row, name) for name in CSV_COLUMNS if name != "authors"}
        record["authors"] = "; ".join(_display_name(p) for p in row.authors)
        record["registrations"] = "; ".join(row.registrations)
        record["flags"] = " | ".join(row.flags)
        writer.writerow({k: value(v) for k, v in record.items()})
        count += 1
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _csv_safe(value: Any) -> Any:
    value = _csv_value(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_json(
    rows: Iterable[ExportRow], out: IO[str], *, summary: dict[str, Any] | None = None
) -> int:
    """`{"summary": {...}, "items": [...]}`, one item per line, streamed."""
    out.write('{"summary": ')
    out.write(json.dumps(summary or {}, ensure_ascii=False))
    out.write(', "items": [\n')
    count = 0
    for row in rows:
        if count:
            out.write(",\n")
        out.write(json.dumps(_json_item(row), ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def _json_item(row: ExportRow) -> dict[str, Any]:
    item = {f.name: getattr(row, f.name) for f in fields(row) if f.name != "authors"}
    item["authors"] = [_display_name(p) for p in row.authors]
    return item


class _RisWriter(rispy.RisWriter):  # type: ignore[misc]
    def set_header(self, count: int) -> str:
        return ""  # rispy numbers references ("1."); reference managers do not need it


def write_ris(rows: Iterable[ExportRow], out: IO[str]) -> int:
    writer = _RisWriter()
    count = 0
    for batch in _batches((_ris_entry(row) for row in rows), 500):
        out.write(writer.formats(batch))
        count += len(batch)
    return count


def _ris_entry(row: ExportRow) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type_of_reference": {"trial": "ELEC", "preprint": "UNPB"}.get(row.kind, "JOUR"),
        "title": row.title,
        "urls": [row.url] if row.url else [],
        "notes": [_note(row)],
    }
    if row.kind == "trial":
        entry |= {
            "name_of_database": "ClinicalTrials.gov",
            "accession_number": row.id,
            "publisher": row.sponsor,
        }
    else:
        entry["authors"] = [_ris_name(p) for p in row.authors]
        entry |= {
            "journal_name": row.journal,
            "secondary_title": row.journal,
            "volume": row.volume,
            "number": row.issue,
            "doi": row.doi,
            "accession_number": f"PMID:{row.pmid}" if row.pmid else row.id,
        }
        start, end = _pages(row.pages)
        entry |= {"start_page": start, "end_page": end}
    entry |= {
        "year": row.year,
        "date": _ris_date(row.date),
        "abstract": row.abstract,
        "keywords": row.keywords,
    }
    return {k: _fold(v) for k, v in entry.items() if v not in (None, "", [])}


_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def _fold(value: Any) -> Any:
    """RIS is one tag per line: a line break inside a field could start a forged `ER  -`
    and a new record, so every field is folded onto one line."""
    if isinstance(value, str):
        return _LINE_BREAKS.sub(" ", value)
    if isinstance(value, list):
        return [_fold(v) for v in value]
    return value


def _ris_name(person: Person) -> str:
    return (
        person.last if person.collective or not person.first else f"{person.last}, {person.first}"
    )


def _ris_date(date: str | None) -> str | None:
    """RIS DA is YYYY/MM/DD/ with empty parts allowed."""
    if not date:
        return None
    parts = date.split("-") + ["", ""]
    return f"{parts[0]}/{parts[1]}/{parts[2]}/"


def _pages(pages: str | None) -> tuple[str | None, str | None]:
    if not pages:
        return None, None
    start, _, end = pages.partition("-")
    return start.strip() or None, end.strip() or None


def write_bibtex(rows: Iterable[ExportRow], out: IO[str]) -> int:
    count = 0
    keys: set[str] = set()
    for batch in _batches(rows, 500):
        library = Library()
        for row in batch:
            library.add(_bibtex_entry(row, keys))
        out.write(write_string(library))
        count += len(batch)
    return count


def _bibtex_entry(row: ExportRow, keys: set[str]) -> model.Entry:
    text: dict[str, str | None] = {"title": row.title, "abstract": row.abstract}
    verbatim: dict[str, str | None] = {"url": row.url, "doi": row.doi}
    if row.kind == "trial":
        entry_type = "misc"
        text |= {"howpublished": "ClinicalTrials.gov", "note": f"{row.id}. {_note(row)}"}
        authors = [Person(row.sponsor, collective=True)] if row.sponsor else []
    else:
        entry_type = "article" if row.kind == "article" else "misc"
        text |= {
            "journal": row.journal,
            "volume": row.volume,
            "number": row.issue,
            "pages": (row.pages or "").replace("-", "--") or None,
            "note": _note(row),
        }
        if row.kind == "preprint":
            text["howpublished"] = "Preprint (Europe PMC)"
        verbatim["pmid"] = row.pmid
        authors = row.authors
    entry_fields = [model.Field("author", " and ".join(_bibtex_name(p) for p in authors))]
    entry_fields += [model.Field(k, _tex(v)) for k, v in text.items() if v]
    entry_fields.append(model.Field("year", row.year or ""))
    entry_fields += [model.Field(k, _verbatim(v)) for k, v in verbatim.items() if v]
    entry_fields.append(model.Field("keywords", _tex(", ".join(row.keywords))))
    return model.Entry(entry_type, _unique_key(row, keys), [f for f in entry_fields if f.value])


def _bibtex_name(person: Person) -> str:
    if person.collective:
        return "{" + _tex(person.last) + "}"  # braces: never split into first/last names
    return _tex(f"{person.last}, {person.first}" if person.first else person.last)


def _tex(value: str) -> str:
    """Registry text as LaTeX: & % $ # _ { } ~ ^ \\ and non-ASCII letters escaped."""
    return str(unicode_to_latex(" ".join(value.split()), non_ascii_only=False))


def _verbatim(value: str) -> str:
    """DOIs and URLs are read verbatim by biblatex; only braces would break the entry."""
    return value.replace("{", "%7B").replace("}", "%7D")


def _unique_key(row: ExportRow, keys: set[str]) -> str:
    base = "".join(c for c in row.id if c.isalnum()) or "record"
    key, n = base, 1
    while key in keys:
        n += 1
        key = f"{base}_{n}"
    keys.add(key)
    return key


def _note(row: ExportRow) -> str:
    if row.verdict is None:
        return "tracker: not assessed yet"
    how = " (human override)" if row.overridden else ""
    relevance = "relevant" if row.relevant else "not relevant"
    return f"tracker: {relevance}; role {row.role}; verdict {row.verdict}{how}"


def _display_name(person: Person) -> str:
    return person.last if person.collective or not person.first else f"{person.last} {person.first}"


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


WRITERS: dict[str, Callable[[Iterable[ExportRow], IO[str]], int]] = {
    "csv": write_csv,
    "ris": write_ris,
    "bibtex": write_bibtex,
}
"""JSON is written by write_json, which also takes the ledger summary."""
