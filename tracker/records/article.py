"""Parsed literature records (PubMed, Europe PMC): plain typed values, no storage attached.

Like TrialData, an ArticleData's canonical JSON is what its content hash is taken over.
"""

from __future__ import annotations

import msgspec

from tracker.records.trial import PartialDate


class _A(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    # gc=False: these trees never form cycles, and untracked objects cost the collector
    # nothing when a sync holds thousands of them.
    pass


class ArticleId(_A, frozen=True):
    type: str
    """PubMed's IdType: 'pubmed', 'doi', 'pmc', 'pii', 'mid', ..."""
    value: str


class AbstractSection(_A, frozen=True):
    label: str | None
    """The section label as printed ('RESULTS', 'Conclusions'), if any."""
    category: str | None
    """NLM's NlmCategory: BACKGROUND, OBJECTIVE, METHODS, RESULTS, CONCLUSIONS, UNASSIGNED."""
    text: str
    """Text with inline markup (<i>, <sup>, MathML) reduced to its characters."""


class Author(_A, frozen=True):
    last_name: str | None = None
    fore_name: str | None = None
    initials: str | None = None
    collective_name: str | None = None
    affiliation: str | None = None


class Journal(_A, frozen=True):
    title: str | None = None
    iso_abbreviation: str | None = None
    issn: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None


class PublicationType(_A, frozen=True):
    ui: str | None
    name: str


class MeshQualifier(_A, frozen=True):
    ui: str | None
    name: str
    major: bool


class MeshHeading(_A, frozen=True):
    ui: str | None
    name: str
    major: bool
    qualifiers: list[MeshQualifier] = []


class DataBank(_A, frozen=True):
    name: str
    """e.g. 'ClinicalTrials.gov', 'ISRCTN', 'EudraCT', 'GENBANK'."""
    accessions: list[str]


class CommentCorrection(_A, frozen=True):
    ref_type: str
    """'RetractionIn', 'RetractionOf', 'ErratumIn', 'UpdateOf', 'CommentIn', ..."""
    pmid: str | None
    source: str | None


class CitedReference(_A, frozen=True):
    citation: str | None
    pmid: str | None = None
    doi: str | None = None


class ArticleData(_A, frozen=True):
    """One paper (or book chapter, or preprint), as tracker reads it."""

    id: str
    """'PMID:12345678' when PubMed knows it, else 'PPR:…' (preprint) or 'DOI:…'."""
    pmid: str | None = None
    pmid_version: int | None = None
    doi: str | None = None
    pmcid: str | None = None
    article_ids: list[ArticleId] = []
    title: str | None = None
    abstract: list[AbstractSection] = []
    authors: list[Author] = []
    journal: Journal | None = None
    article_date: str | None = None
    """Electronic publication date (ArticleDate), YYYY-MM-DD."""
    pub_date: PartialDate | None = None
    """Issue date (PubDate) with its precision; from a MedlineDate or Season, only its year."""
    pub_date_text: str | None = None
    """MedlineDate or Season as printed, e.g. '1998 Dec-1999 Jan' or '1990 Spring'."""
    entrez_date: str | None = None
    """When PubMed first listed it (History PubStatus 'entrez'), YYYY-MM-DD."""
    languages: list[str] = []
    publication_types: list[PublicationType] = []
    mesh: list[MeshHeading] = []
    keywords: list[str] = []
    databanks: list[DataBank] = []
    comments_corrections: list[CommentCorrection] = []
    references: list[CitedReference] = []
    is_book: bool = False
    """A PubmedBookArticle (book or chapter) rather than a journal article."""
    deleted: bool = False
    """PubMed withdrew the PMID (DeleteCitation)."""
    status: str | None = None
    """MedlineCitation Status: 'MEDLINE', 'PubMed-not-MEDLINE', 'In-Process', 'Publisher', ..."""

    @property
    def abstract_text(self) -> str:
        return "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in self.abstract)

    @property
    def retracted(self) -> bool:
        """A retracted paper: PubMed types it, or links the retraction notice."""
        return any(p.name == "Retracted Publication" for p in self.publication_types) or any(
            c.ref_type == "RetractionIn" for c in self.comments_corrections
        )

    @property
    def nct_ids(self) -> list[str]:
        """ClinicalTrials.gov ids from the DataBank list (the abstract is searched elsewhere)."""
        return [
            acc
            for bank in self.databanks
            if bank.name.lower().replace(" ", "") == "clinicaltrials.gov"
            for acc in bank.accessions
        ]
