"""Which trials a paper reports, from the paper's own record or the trial's. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker.records.article import ArticleData
from tracker.records.trial import TrialData

NCT_ID = re.compile(r"\bNCT\s?(\d{8})\b", re.IGNORECASE)
"""An NCT id as authors write it, including 'NCT 04393467' and lower case."""

LinkTriple = tuple[str, str, str]
"""(article id, NCT id, provenance)."""


def nct_ids_in(text: str) -> list[str]:
    """Every NCT id mentioned in `text`, normalised, in order, without repeats."""
    return list(dict.fromkeys(f"NCT{digits}" for digits in NCT_ID.findall(text)))


def article_links(article: ArticleData) -> list[LinkTriple]:
    """Links a paper declares: its DataBank list, and NCT ids in its title or abstract."""
    links = [(article.id, nct.upper(), "databank") for nct in article.nct_ids]
    text = f"{article.title or ''}\n{article.abstract_text}"
    links += [(article.id, nct, "abstract") for nct in nct_ids_in(text)]
    return list(dict.fromkeys(links))


def trial_links(trials: Iterable[TrialData]) -> list[LinkTriple]:
    """Links a trial record declares: the PMIDs in its references."""
    return list(
        dict.fromkeys(
            (f"PMID:{pmid}", trial.nct_id, "ctgov_reference")
            for trial in trials
            for pmid in trial.reference_pmids
        )
    )
