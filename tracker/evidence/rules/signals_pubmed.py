"""Signals from a paper (PubMed or Europe PMC): MeSH with qualifiers, types, title, abstract.

The intervention is a therapy where the text gives it as one ('sessions of real …',
a therapy MeSH heading), a measurement where it measures something ('excitability
assessed with TMS'). The title weighs three times a sentence; background sentences half.
"""

from __future__ import annotations

import re

from tracker.evidence.rules.outcomes import claim_groups, primary_clause
from tracker.evidence.rules.preclinical import preclinical
from tracker.evidence.rules.signals import Design, Signals
from tracker.evidence.rules.text import kinds_in, proximity, sample_size, sentences
from tracker.evidence.rules.vocab import Vocab
from tracker.records.article import ArticleData

NOT_A_STUDY = frozenset(
    {
        "comment",
        "editorial",
        "published erratum",
        "erratum",
        "news",
        "newspaper article",
        "retraction of publication",
        "expression of concern",
        "biography",
        "interview",
        "retraction notice",
    }
)
REVIEW_TYPES = ("meta-analysis", "systematic review", "network meta-analysis")
TRIAL_TYPES = frozenset(
    {
        "randomized controlled trial",
        "controlled clinical trial",
        "clinical trial",
        "clinical trial, phase i",
        "clinical trial, phase ii",
        "clinical trial, phase iii",
        "clinical trial, phase iv",
        "multicenter study",
        "pragmatic clinical trial",
        "equivalence trial",
    }
)
REFERS = frozenset(
    {"ErratumFor", "CommentOn", "RetractionOf", "UpdateOf", "ExpressionOfConcernFor"}
)
"""CommentsCorrections types saying this record is a notice about (or a new version of)
another paper."""
_REVIEW_TITLE = re.compile(r"systematic review|meta-analy|cochrane", re.IGNORECASE)
_REVIEW_TEXT = re.compile(
    r"\b(?:this|we (?:performed|conducted|undertook) an?|a)\s+(systematic review|meta-analysis)"
    r"|\b(PRISMA)\b",
    re.IGNORECASE,
)
_CHAPTER = re.compile(r"\b(?:handbook|book|textbook)\s+chapter\b", re.IGNORECASE)
"""A book chapter reviews; it reports no study of its own (a narrative review)."""
_PROTOCOL = re.compile(r"\bprotocol\b|\bstudy design\b|rationale and design", re.IGNORECASE)
_SECTION_WEIGHT = {"BACKGROUND": 0.5, "INTRODUCTION": 0.5}
_PRIMARY = re.compile(r"primary\s+(?:efficacy\s+)?(?:outcome|end[\s-]?point|measure)", re.I)


def article_signals(a: ArticleData, vocab: Vocab, *, source: str) -> Signals:
    types = [p.name.lower() for p in a.publication_types]
    text = f"{a.title or ''}\n{a.abstract_text}"
    therapy, measurement = _intervention_roles(a, vocab)
    primary = " ".join(primary_clause(s) for s in _sentences_with(_PRIMARY, a.abstract_text))
    return Signals(
        id=a.id,
        source=source,
        kind="article",
        title=a.title or a.id,
        date=_date(a),
        population=_population(a, vocab),
        healthy=[f"text: {h}" for h in vocab.healthy.find(text).values()],
        disease=[f"text: {h}" for h in vocab.disease.find(text).values()],
        therapy=therapy,
        measurement=measurement,
        mentioned=kinds_in(f"{text}\n{' | '.join(a.keywords)}", vocab),
        not_family=_not_family(a, vocab),
        not_a_study=_not_a_study(types),
        preclinical=preclinical(a),
        retracted=_retraction(a),
        concern=_notice(a, "ExpressionOfConcernIn", "expression of concern"),
        review=_review(a, types),
        narrative_review=any(t in ("review", "review-article") for t in types)
        or bool(_CHAPTER.search(a.title or "")),
        protocol="clinical trial protocol" in types or bool(_PROTOCOL.search(a.title or "")),
        design=_design(a, types, text),
        primary_claim=claim_groups(primary, vocab),
        primary_other=sorted(vocab.other_outcomes.find(primary)),
        claim_outcomes=sorted(vocab.outcomes.find(text)),
        other_outcomes=sorted(vocab.other_outcomes.find(text)),
        nct_ids=a.nct_ids,
        authors=[x.last_name for x in a.authors if x.last_name][:12],
        refers_to=[
            f"PMID:{c.pmid}" for c in a.comments_corrections if c.ref_type in REFERS and c.pmid
        ],
    )


def _retraction(a: ArticleData) -> str | None:
    if not a.retracted:
        return None
    return _notice(a, "RetractionIn", "retraction") or "publication type: Retracted Publication"


def _notice(a: ArticleData, ref_type: str, what: str) -> str | None:
    notices = [c for c in a.comments_corrections if c.ref_type == ref_type]
    if not notices:
        return None
    where = f"PMID:{notices[0].pmid}" if notices[0].pmid else (notices[0].source or "no id")
    return f"{what}: {where}"


def _date(a: ArticleData) -> str | None:
    dates = [d for d in (a.article_date, a.pub_date.value if a.pub_date else None) if d]
    return min(dates) if dates else a.entrez_date


def _population(a: ArticleData, vocab: Vocab) -> list[str]:
    found = [
        f"MeSH: {m.name}" + "".join(f"/{q.name}" for q in m.qualifiers)
        for m in a.mesh
        if m.name.lower() in vocab.population_mesh
    ]
    for where, text in (
        ("title", a.title),
        ("abstract", a.abstract_text),
        ("keywords", " ".join(a.keywords)),
    ):
        if hit := vocab.population.find(text):
            found.append(f"{where}: {hit['population']}")
    return found


def _intervention_roles(a: ArticleData, vocab: Vocab) -> tuple[dict[str, str], dict[str, str]]:
    scores: dict[str, list[float]] = {}
    parts = [("TITLE", a.title or "", 3.0)] + [
        (s.category or "", s.text, _SECTION_WEIGHT.get((s.category or "").upper(), 1.0))
        for s in a.abstract
    ]
    for _label, text, weight in parts:
        for kind, (cures, measures) in proximity(text, vocab).items():
            score = scores.setdefault(kind, [0.0, 0.0, 0.0])
            score[0] += weight * cures
            score[1] += weight * measures
            score[2] += weight
    therapy: dict[str, str] = {}
    measurement: dict[str, str] = {}
    for kind, (cure, measure, _seen) in scores.items():
        if cure > measure:
            therapy[kind] = f"text: given as treatment ({cure:g} vs {measure:g} cues)"
        elif measure > 0:
            measurement[kind] = f"text: used to measure ({measure:g} vs {cure:g} cues)"
    _mesh_roles(a, vocab, therapy, measurement, scores)
    return therapy, measurement


def _mesh_roles(
    a: ArticleData,
    vocab: Vocab,
    therapy: dict[str, str],
    measurement: dict[str, str],
    scores: dict[str, list[float]],
) -> None:
    """MeSH settles what the text leaves open: a therapy heading, or the disease's qualifier."""
    disease_q = {
        q.name.lower()
        for m in a.mesh
        if m.name.lower() in vocab.population_mesh
        for q in m.qualifiers
    }
    for m in a.mesh:
        name = m.name.lower()
        # Keyed by the kind the heading names, so a paper and a trial compare kinds.
        kind = next(iter(vocab.kinds.find(m.name)), m.name)
        if name in vocab.therapy_mesh:
            therapy.setdefault(kind, f"MeSH: {m.name}")
        elif name in vocab.family_mesh and not therapy and kind not in measurement:
            where = f"MeSH: {m.name}" + "".join(f"/{q.name}" for q in m.qualifiers)
            if "therapy" in disease_q and not measurement:
                therapy[kind] = f"{where}, disease indexed /therapy"
            else:
                measurement[kind] = where
    for kind, (cure, measure, _seen) in scores.items():
        # Named with no cue either way: the disease's MeSH qualifier decides.
        if cure == measure == 0 and kind not in therapy and kind not in measurement:
            if "therapy" in disease_q:
                therapy[kind] = "text, with the disease indexed /therapy"
            elif kind not in vocab.measuring_kinds:
                therapy[kind] = "text: named, and not a kind used to measure"
            else:
                measurement[kind] = "text: named, no sign it is given as treatment"


def _not_family(a: ArticleData, vocab: Vocab) -> dict[str, str]:
    mesh = " | ".join(m.name for m in a.mesh)
    found = vocab.not_family.find(f"{a.title or ''}\n{a.abstract_text}\n{mesh}")
    return {k: f"text: {v}" for k, v in found.items()}


def _not_a_study(types: list[str]) -> str | None:
    if any(t in TRIAL_TYPES for t in types):
        return None
    hits = [t for t in types if t in NOT_A_STUDY]
    if hits:
        return hits[0]
    if "letter" in types and "journal article" not in types:
        return "letter"
    return None


def _review(a: ArticleData, types: list[str]) -> str | None:
    for t in types:
        if t in REVIEW_TYPES:
            return t
    if match := _REVIEW_TITLE.search(a.title or ""):
        return match.group(0).lower()
    if match := _REVIEW_TEXT.search(a.abstract_text):
        return match.group(1).lower()
    return None


_RANDOMISED = re.compile(
    r"\brandomi[sz]ed|randomly (?:assigned|allocated)|\brandomi[sz]ation", re.I
)
_SHAM = re.compile(r"\bsham\b|\bplacebo\b", re.I)
_BLIND = re.compile(r"\b(?:double|triple|single)[\s-]blind|\bblinded\b|\bmasked\b", re.I)
_CONTROL = re.compile(r"\bcontrol(?:led)?\s+(?:group|arm|trial|study)|\bversus\b|\bvs\.?\s", re.I)
# 'Pilot', 'feasibility' and 'preliminary' say how big and what for, never that a study has
# no control: they are not here.
_UNCONTROLLED = re.compile(
    r"open[\s-]label|single[\s-]arm|uncontrolled|case (?:report|series)|"
    r"\bwe (?:report|describe) (?:a|the case)|\ba (?:\d+|[a-z]+)[\s-]year[\s-]old\b",
    re.I,
)
RANDOMISED_TYPES = frozenset({"randomized controlled trial", "equivalence trial"})
CONTROLLED_TYPES = frozenset({"controlled clinical trial", "pragmatic clinical trial"})
UNCONTROLLED_TYPES = frozenset({"case reports"})
BLINDING_MESH = frozenset({"double-blind method", "single-blind method"})


def _design(a: ArticleData, types: list[str], text: str) -> Design:
    """Publication types first, then MeSH, then the words of the title and abstract."""
    mesh = {m.name.lower() for m in a.mesh}
    typed_random = any(t in RANDOMISED_TYPES for t in types)
    typed_control = typed_random or any(t in CONTROLLED_TYPES for t in types)
    case_report = any(t in UNCONTROLLED_TYPES for t in types)
    mesh_random = "random allocation" in mesh
    mesh_blind = bool(mesh & BLINDING_MESH)
    randomised = typed_random or mesh_random or bool(_RANDOMISED.search(text))
    sham = "placebos" in mesh or bool(_SHAM.search(text))
    controlled = typed_control or mesh_random or mesh_blind or randomised or sham
    controlled = controlled or bool(_CONTROL.search(text))
    said_uncontrolled = bool(_UNCONTROLLED.search(text))
    basis = (
        "publication type"
        if typed_control or case_report
        else "MeSH"
        if mesh_random or mesh_blind
        else "words"
    )
    return Design(
        randomised=randomised,
        sham=sham,
        blinded=mesh_blind or bool(_BLIND.search(text)),
        controlled=controlled and not case_report,
        uncontrolled=case_report or (said_uncontrolled and not (randomised or sham)),
        n=sample_size(text),
        basis=basis,
    )


def registry_first(paper: Design, registry: Design, nct_id: str) -> Design:
    """A paper's design read from its linked trial's registry record where that says more:
    allocation, masking and arm types are data, the abstract's words are not. The size the
    paper reports (those analysed) is kept when it gives one."""
    return Design(
        randomised=registry.randomised,
        sham=registry.sham,
        blinded=registry.blinded,
        controlled=registry.controlled,
        uncontrolled=registry.uncontrolled,
        n=paper.n or registry.n,
        basis=f"registry ({nct_id})",
    )


def _sentences_with(pattern: re.Pattern[str], text: str) -> list[str]:
    if not pattern.search(text):
        return []  # most abstracts: no need to split them at all
    return [s for s in sentences(text) if pattern.search(s)]
