"""Europe PMC's /search JSON (resultType=core), as typed msgspec structs.

Only the fields tracker reads are named; the decoder skips the rest. Every field is optional
and unknown fields are ignored: the API adds fields between versions, and a record lacking one
is still a record.
"""

from __future__ import annotations

import msgspec


class _W(msgspec.Struct, rename="camel", frozen=True, gc=False):
    pass


class Person(_W, frozen=True):
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    initials: str | None = None
    collective_name: str | None = None
    affiliation: str | None = None


class Journal(_W, frozen=True):
    title: str | None = None
    iso_abbreviation: str | None = msgspec.field(default=None, name="ISOAbbreviation")
    medline_abbreviation: str | None = None
    issn: str | None = msgspec.field(default=None, name="ISSN")
    essn: str | None = msgspec.field(default=None, name="ESSN")


class JournalInfo(_W, frozen=True):
    issue: str | None = None
    volume: str | None = None
    journal: Journal | None = None


class Term(_W, frozen=True):
    """A MeSH heading (descriptorName, with its qualifiers) or one qualifier."""

    descriptor_name: str | None = None
    qualifier_name: str | None = None
    major_topic: str | None = msgspec.field(default=None, name="majorTopic_YN")
    mesh_qualifier_list: dict[str, list[Term]] | None = None


class Book(_W, frozen=True):
    publisher: str | None = None


class Result(_W, frozen=True):
    """One entry of resultList.result, lite or core (the fields tracker reads)."""

    id: str | None = None
    source: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    title: str | None = None
    author_string: str | None = None
    author_list: dict[str, list[Person]] | None = None
    journal_info: JournalInfo | None = None
    journal_title: str | None = None  # lite: the abbreviation
    journal_volume: str | None = None
    issue: str | None = None
    journal_issn: str | None = None  # lite: 'print; electronic; '
    page_info: str | None = None
    pub_year: str | None = None
    abstract_text: str | None = None
    language: str | None = None
    pub_type: str | None = None  # lite: one '; '-joined string
    pub_type_list: dict[str, list[str]] | None = None
    keyword_list: dict[str, list[str]] | None = None
    mesh_heading_list: dict[str, list[Term]] | None = None
    book_or_report_details: Book | None = None
    tm_accession_type_list: dict[str, list[str]] | None = None
    first_index_date: str | None = None
    first_publication_date: str | None = None


class Page(_W, frozen=True):
    hit_count: int | None = None
    next_cursor_mark: str | None = None
    result_list: dict[str, list[msgspec.Raw]] | None = None
