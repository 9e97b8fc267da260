"""Record ids and the sources they come from: the leaf every layer may import.

Ids are the contract's: trials `NCT01234567`, PubMed articles `PMID:12345678`, Europe PMC's
own records by their prefix (`PPR:…`, `PMC:PMC…`, `DOI:…`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import quote


class Source(StrEnum):
    """A registry tracker reads. The value is what the database, the CLI and JSON say."""

    CTGOV = "ctgov"
    PUBMED = "pubmed"
    EUROPEPMC = "europepmc"


SOURCES: tuple[Source, ...] = (Source.CTGOV, Source.PUBMED, Source.EUROPEPMC)
"""Every source, in sync order: Europe PMC after PubMed, so a paper both have is first stored
from PubMed's richer record and Europe PMC only marks it."""


def source_of(record_id: str) -> Source:
    """The source a stored record id belongs to."""
    if record_id.startswith("NCT"):
        return Source.CTGOV
    if record_id.startswith("PMID:"):
        return Source.PUBMED
    return Source.EUROPEPMC


def normalise_id(record_id: str) -> str:
    """Accept 'nct04393467', 'pmid:38962538' and a bare '38962538' as users mean them."""
    cleaned = record_id.strip()
    upper = cleaned.upper()
    if upper.startswith(("NCT", "PMID:", "PPR:")):
        return upper
    return f"PMID:{cleaned}" if cleaned.isdigit() else cleaned


def record_url(record_id: str) -> str | None:
    """The registry page of a record, so every item in a report links to its source."""
    if record_id.startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{record_id}"
    if record_id.startswith("PMID:"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{record_id[5:]}/"
    if record_id.startswith("PPR:"):
        return f"https://europepmc.org/article/PPR/{record_id[4:]}"
    if record_id.startswith("DOI:"):
        return f"https://doi.org/{quote(record_id[4:], safe='/:;()._-')}"
    return None


def study_slug(study: str) -> str:
    """A study key as a file name on the website: 'PMID:123' -> 'PMID-123'."""
    return re.sub(r"[^A-Za-z0-9]+", "-", study).strip("-") or "study"


def study_page(study: str, base_url: str = "") -> str:
    """The study's page on the website, relative to its top, or absolute under base_url."""
    path = f"study/{study_slug(study)}.html"
    if not base_url:
        return path
    return (base_url if base_url.endswith("/") else base_url + "/") + path
