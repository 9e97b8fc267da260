"""The [claim] section (the question under watch and the vocabularies the evidence rules
read) and the [flags] thresholds."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from tracker.config.base import Frozen


class IndexConfig(Frozen):
    """The index result whose follow-ups are tracked: its trial and its publication."""

    nct_id: str = ""
    doi: str = ""
    pmid: str = ""
    """Optional: resolved from the DOI through PubMed when left empty."""
    date: str = ""
    """When the index result became public (YYYY-MM-DD): later studies are follow-ups,
    earlier ones prior evidence. Empty: every study counts as a follow-up."""

    @field_validator("date")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if value:
            date.fromisoformat(value)  # ValueError names the problem; _describe adds the key
        return value


Terms = tuple[str, ...]
"""Words and phrases matched case-insensitively on word boundaries; an all-capitals term
only matches in capitals, so the same letters in lower case inside running text do not
count."""


class PopulationConfig(Frozen):
    """Who the claim is about."""

    terms: Terms = ()
    mesh: Terms = ()
    """MeSH descriptor names (PubMed headings, CT.gov condition browse terms)."""


class InterventionConfig(Frozen):
    """The intervention family whose use *as a therapy* the claim is about."""

    family: str = ""
    kinds: dict[str, Terms] = {}
    """Each kind of the family with its synonyms, e.g. rTMS = ['repetitive TMS', ...]."""
    mesh: Terms = ()
    therapy_mesh: Terms = ()
    """Descriptors that by themselves say the family is the therapy (a MeSH heading naming
    the therapy, for example)."""
    not_family: dict[str, Terms] = {}
    """Look-alikes that are not the family (techniques that resemble the family but are not it)."""
    measuring_kinds: Terms = ()
    """Kinds that are also a measuring tool (single- and paired-pulse TMS). Any other kind
    named with no cue either way is taken as given, not measured: nobody measures with rTMS."""
    umbrella_kinds: Terms = ()
    """Kinds naming a wider family (an umbrella term that also covers look-alikes)."""


class CuesConfig(Frozen):
    """Phrases that tell a therapy from a measurement, and healthy-volunteer studies."""

    therapy: Terms = ()
    """Near a family term: the intervention is given as treatment ('sham', 'sessions')."""
    diagnostic: Terms = ()
    """The intervention measures something (a probe, an outcome measure)."""
    healthy: Terms = ()
    disease: Terms = ()
    """Words saying a record is about some condition (to tell other_condition from healthy)."""


class ClaimConfig(Frozen):
    """The claim under watch and the vocabularies the evidence rules read (tracker.evidence).

    Watching another question needs only another [claim] section: no rule names a record
    other than the index given here."""

    statement: str = ""
    short_name: str = ""
    """The question's short name in email subjects and page titles, e.g. the index trial's
    acronym; empty means the index trial's id."""
    index: IndexConfig = IndexConfig()
    population: PopulationConfig = PopulationConfig()
    intervention: InterventionConfig = InterventionConfig()
    outcomes: dict[str, Terms] = {}
    """The outcomes that test the claim, by group (progression, survival)."""
    other_outcomes: dict[str, Terms] = {}
    """Outcomes that do not test it (cognition, spasticity, biomarkers ...)."""
    cues: CuesConfig = CuesConfig()


class FlagsConfig(Frozen):
    """Thresholds of the consistency flags (registered against reported)."""

    retrospective_grace_days: int = Field(default=30, ge=0)
    """A study first submitted more than this many days after its start was registered
    retrospectively."""
    sample_size_ratio: float = Field(default=0.8, gt=0, le=1)
    """Final actual enrolment below this share of the registered estimate is flagged."""
    outcome_similarity: float = Field(default=80.0, ge=0, le=100)
    """Two outcome measures are the same outcome from this token-set similarity (0-100)."""
