"""What the rules read from one record, in one shape for trials and papers.

Each list holds short quoted findings ('condition: Amyotrophic Lateral Sclerosis') so that
`tracker show` can say why a record was judged as it was. Built by signals_ctgov and
signals_pubmed; stored as JSON in assessments.signals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Design:
    """How much a result can weigh: strength grows with randomisation, a sham or placebo
    control, blinding and size."""

    randomised: bool = False
    sham: bool = False
    """Sham or placebo control."""
    blinded: bool = False
    controlled: bool = False
    """Any comparator (randomised, sham, or a control group)."""
    uncontrolled: bool = False
    """Says it is open-label, single-arm, a case report or series."""
    n: int | None = None
    basis: str = "words"
    """Where the design was read: 'registry' (allocation, masking, arm types), 'publication
    type', 'MeSH', or 'words' of the abstract; the first of these found decides."""


@dataclass(frozen=True, slots=True)
class Signals:
    id: str
    source: str
    kind: str
    """'trial' or 'article'."""
    title: str
    date: str | None
    """Registration date of a trial, publication (else listing) date of a paper."""
    population: list[str] = field(default_factory=list)
    healthy: list[str] = field(default_factory=list)
    therapy: dict[str, str] = field(default_factory=dict)
    """Family kind -> where the record uses it as the therapy."""
    measurement: dict[str, str] = field(default_factory=dict)
    """Family kind -> where the record uses it only to measure something."""
    mentioned: list[str] = field(default_factory=list)
    """Every kind the record names anywhere, whatever for."""
    not_family: dict[str, str] = field(default_factory=dict)
    not_a_study: str | None = None
    preclinical: str | None = None
    retracted: str | None = None
    """The retraction (publication type or notice) of a retracted paper, else None."""
    concern: str | None = None
    """An expression of concern published about the paper, else None."""
    """Why it is an animal or cell study (the finding), else None."""
    review: str | None = None
    """A systematic review or meta-analysis (the 'review' role)."""
    narrative_review: bool = False
    """A review that is not systematic: background, it tests and pools nothing."""
    disease: list[str] = field(default_factory=list)
    """Conditions named that are not the population (other_condition vs healthy)."""
    protocol: bool = False
    design: Design = Design()
    primary_claim: list[str] = field(default_factory=list)
    """Claim outcome groups (progression, survival) among the primary outcomes."""
    primary_other: list[str] = field(default_factory=list)
    """Other outcome groups named as primary (cognition...): the primary is known and not
    the claim's."""
    claim_outcomes: list[str] = field(default_factory=list)
    other_outcomes: list[str] = field(default_factory=list)
    acronym: str | None = None
    sponsor: str | None = None
    nct_ids: list[str] = field(default_factory=list)
    """Trials a paper names (for inferred study matching)."""
    refers_to: list[str] = field(default_factory=list)
    """Papers a notice is about (erratum, comment, retraction, update: PubMed
    CommentsCorrections), as record ids: the notice belongs to their study."""
    authors: list[str] = field(default_factory=list)
    """A paper's author surnames (for inferred study matching)."""
    context: str = ""
    """A trial's sponsor, summary and description: where its investigators' names appear.
    Used for matching only, and not stored."""

    def to_json(self) -> dict[str, Any]:
        """For assessments.signals: shallow (asdict's deep copy cost more than the rules)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "context"}
        out["design"] = asdict(self.design)
        return out
