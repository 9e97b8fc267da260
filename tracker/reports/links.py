"""Registry pages for record ids, so every item in a report links to its source."""

from __future__ import annotations

from urllib.parse import quote


def record_url(record_id: str) -> str | None:
    if record_id.startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{record_id}"
    if record_id.startswith("PMID:"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{record_id[5:]}/"
    if record_id.startswith("PPR:"):
        return f"https://europepmc.org/article/PPR/{record_id[4:]}"
    if record_id.startswith("DOI:"):
        return f"https://doi.org/{quote(record_id[4:], safe='/:;()._-')}"
    return None


def source_of(record_id: str) -> str:
    if record_id.startswith("NCT"):
        return "ctgov"
    if record_id.startswith("PMID:"):
        return "pubmed"
    return "europepmc"
