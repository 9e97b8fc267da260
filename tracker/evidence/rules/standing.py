"""The claim's standing: one state, weighed from the studies that test it.

Each study counts once, with its effective verdict (a human verdict as the human gave it)
and its strength. Only follow-ups (studies after the index) decide the state. Earlier
studies are mentioned. Reviews are reported apart and never decide it: the trials a review
pools are counted as studies of their own when they are stored, and a review cannot show
that what it pools is independent of the index (a meta-analysis pooling the index trial
confirms nothing new). A retracted study never counts.

- **confirmed**: a controlled follow-up confirms, and no controlled follow-up of similar or
  greater strength refutes (weaker refutations are named as such);
- **not_supported**: controlled follow-ups refute, and no controlled follow-up confirms;
- **contested**: both, where the refutations are as strong as the strongest confirmation;
- **open**: follow-ups test the claim, but none is a controlled one for or against (pending,
  inconclusive, uncontrolled);
- **untested**: no follow-up tests the claim yet.

The sentence is built from these counts by `tracker.evidence.rules.standing_text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

from tracker.evidence.rules.signals import Design
from tracker.evidence.rules.strength import strength_of

State = Literal["confirmed", "not_supported", "contested", "open", "untested"]
STATES: Final[tuple[State, ...]] = get_args(State)

RANK: Final = {"weak": 1, "moderate": 2, "strong": 3}
"""Strengths in order (tracker.evidence.rules.strength): a controlled result outweighs an
opposite one only from a higher rank."""

TESTING: Final = frozenset({"confirms", "refutes", "inconclusive", "pending"})
"""Verdicts of a study that tests the claim (`not_applicable` does not)."""


@dataclass(frozen=True, slots=True)
class Pooled:
    """How many studies a review says it pooled ('12 studies', '4 RCTs')."""

    count: int
    noun: str


@dataclass(frozen=True, slots=True)
class StudyEvidence:
    """One study as the standing weighs it: every record of the study taken together."""

    study: str
    role: str
    """'index', 'follow_up', 'prior', 'review' or 'background'."""
    verdict: str
    """The effective verdict: the human one where a human judged the study."""
    participants: int | None = None
    design: Design = Design()
    """What the study's records say of its design (randomised, sham, blinded, size...)."""
    on_primary: bool = False
    """A claim outcome (progression, survival...) is a primary outcome."""
    strength: str | None = None
    """The automatic verdict's strength; None where it weighs nothing."""
    manual: bool = False
    """A human gave the verdict: it counts as given, its strength read from the design."""
    retracted: bool = False
    """The verdict rests on a retracted paper: the study never counts."""
    review: str | None = None
    """A review's kind ('meta-analysis', 'systematic review')."""
    pooled: Pooled | None = None
    """For a review: what its abstract says it pooled."""


@dataclass(frozen=True, slots=True)
class Tally:
    studies: int = 0
    participants: int = 0


@dataclass(frozen=True, slots=True)
class Basis:
    """The counts a standing rests on, each study once."""

    confirms: Tally = Tally()
    """Controlled follow-ups that confirm, of the deciding strength or above."""
    refutes: Tally = Tally()
    weaker_confirms: Tally = Tally()
    """Controlled follow-ups that confirm, outweighed by a stronger refutation."""
    weaker_refutes: Tally = Tally()
    uncontrolled_confirms: Tally = Tally()
    uncontrolled_refutes: Tally = Tally()
    pending: Tally = Tally()
    inconclusive: Tally = Tally()
    earlier_confirms: Tally = Tally()
    """Studies before the index."""
    earlier_refutes: Tally = Tally()
    reviews: list[StudyEvidence] = field(default_factory=list)
    retracted: int = 0
    not_testing: int = 0
    """Follow-ups whose outcomes lie outside the claim (safety, biomarkers...)."""


@dataclass(frozen=True, slots=True)
class Weighed:
    state: State
    basis: Basis


def weigh(studies: Iterable[StudyEvidence]) -> Weighed:
    """The claim's state from its studies, with the counts that justify it."""
    studies = list(studies)
    counted = [s for s in studies if not s.retracted]
    follow = [s for s in counted if s.role == "follow_up"]
    confirms = [s for s in follow if s.verdict == "confirms" and controlled(s)]
    refutes = [s for s in follow if s.verdict == "refutes" and controlled(s)]
    top_confirm = max((rank(s) for s in confirms), default=0)
    top_refute = max((rank(s) for s in refutes), default=0)
    # Confirming asks more than refuting: a confirmation stands only when no refutation of
    # similar or greater strength exists, while any controlled confirmation keeps a
    # refutation from settling the question (then it is contested). Only a confirmation
    # that stands turns the refutations into "weaker" ones in the sentence.
    confirmation_stands = bool(confirms) and top_confirm > top_refute
    basis = Basis(
        confirms=tally(confirms),
        refutes=tally([] if confirmation_stands else refutes),
        weaker_confirms=tally([]),
        weaker_refutes=tally(refutes if confirmation_stands else []),
        uncontrolled_confirms=tally(
            s for s in follow if s.verdict == "confirms" and not controlled(s)
        ),
        uncontrolled_refutes=tally(
            s for s in follow if s.verdict == "refutes" and not controlled(s)
        ),
        pending=tally(s for s in follow if s.verdict == "pending"),
        inconclusive=tally(s for s in follow if s.verdict == "inconclusive"),
        earlier_confirms=tally(s for s in counted if _earlier(s, "confirms")),
        earlier_refutes=tally(s for s in counted if _earlier(s, "refutes")),
        reviews=[s for s in counted if s.role == "review" and s.verdict in TESTING],
        retracted=len(studies) - len(counted),
        not_testing=sum(1 for s in follow if s.verdict not in TESTING),
    )
    return Weighed(_state(basis, testing=any(s.verdict in TESTING for s in follow)), basis)


def _state(b: Basis, *, testing: bool) -> State:
    if b.confirms.studies and b.refutes.studies:
        return "contested"
    if b.confirms.studies:
        return "confirmed"
    if b.refutes.studies:
        return "not_supported"
    return "open" if testing else "untested"


def controlled(s: StudyEvidence) -> bool:
    """A definite verdict comes from a controlled study (the verdict table asks for one)
    unless the study says it is uncontrolled and nothing says it had a comparator. A human
    verdict counts as given."""
    d = s.design
    return s.manual or d.controlled or d.randomised or d.sham or not d.uncontrolled


def rank(s: StudyEvidence) -> int:
    """The automatic verdict's strength, else (a human verdict, or none stored) the one
    its design earns."""
    strength = None if s.manual else s.strength
    return RANK[strength or strength_of(s.design, on_primary=s.on_primary)]


def tally(studies: Iterable[StudyEvidence]) -> Tally:
    out = Tally()
    for s in studies:
        out = Tally(out.studies + 1, out.participants + (s.participants or 0))
    return out


def _earlier(s: StudyEvidence, verdict: str) -> bool:
    return s.role == "prior" and s.verdict == verdict
