"""Signals from a ClinicalTrials.gov record: where the intervention appears decides its role.

Interventions and arms are where a therapy is given; a family term met only in outcome
measures, in a 'Diagnostic Test' intervention or in a drug's description is a
measurement: a drug trial with the family as an outcome measure is not a test of the claim.
"""

from __future__ import annotations

import re

from tracker.evidence.rules.outcomes import claim_groups
from tracker.evidence.rules.signals import Design, Signals
from tracker.evidence.rules.text import kinds_in, proximity
from tracker.evidence.rules.vocab import Vocab
from tracker.ids import Source
from tracker.records.trial import Intervention, TrialData

MEASURING_TYPES = frozenset({"DIAGNOSTIC_TEST"})
OTHER_THERAPY_TYPES = frozenset(
    {"DRUG", "BIOLOGICAL", "DIETARY_SUPPLEMENT", "GENETIC", "RADIATION"}
)
"""A family term in the description of one of these is how its effect is measured."""
DIAGNOSTIC_PURPOSES = frozenset({"DIAGNOSTIC", "SCREENING"})
SHAM_ARMS = frozenset({"SHAM_COMPARATOR", "PLACEBO_COMPARATOR"})


def trial_signals(t: TrialData, vocab: Vocab) -> Signals:
    therapy, measurement = _intervention_roles(t, vocab)
    population = _population(t, vocab)
    primary = " | ".join(o.measure or "" for o in t.primary_outcomes)
    secondary = " | ".join(f"{o.measure} {o.description or ''}" for o in t.secondary_outcomes)
    everything = f"{primary} | {secondary}"
    if not t.primary_outcomes and not t.secondary_outcomes:
        # Nothing registered as an outcome: the description says what will be measured.
        everything = f"{t.brief_summary or ''} | {t.detailed_description or ''}"
    return Signals(
        id=t.nct_id,
        source=Source.CTGOV,
        kind="trial",
        title=t.title,
        date=_registered(t),
        population=population,
        healthy=_healthy(t, vocab) if not population else [],
        disease=[f"condition: {c}" for c in t.conditions if not vocab.healthy.find(c)][:4]
        if not population
        else [],
        therapy=therapy,
        measurement=measurement,
        mentioned=kinds_in(_everything(t), vocab),
        not_family=_not_family(t, vocab),
        design=_design(t),
        primary_other=sorted(vocab.other_outcomes.find(primary)),
        primary_claim=sorted(
            {g for o in t.primary_outcomes for g in claim_groups(o.measure or "", vocab)}
        ),
        claim_outcomes=sorted(vocab.outcomes.find(f"{everything} | {_aims(t)}")),
        other_outcomes=sorted(vocab.other_outcomes.find(everything)),
        acronym=t.acronym,
        sponsor=t.lead_sponsor,
        context=trial_context(t),
    )


_AIM = re.compile(
    r"\b(?:(?:effects?|efficacy|impact)\s+on|to\s+(?:slow|delay)|slowing|delaying)\s+([^,;:.]{1,60})",
    re.I,
)


def _aims(t: TrialData) -> str:
    """What the official title says the trial assesses the treatment's effect on ('... and
    effect on disease progression of X'): a registry copy may list only the primary outcome.
    Other outcome words in a title ('counteracts muscle decline') are not aims."""
    return " | ".join(m.group(1) for m in _AIM.finditer(t.official_title or ""))


def trial_context(t: TrialData) -> str:
    """Where a trial's investigators are named: its sponsor, summary and description."""
    return " ".join(x or "" for x in (t.lead_sponsor, t.brief_summary, t.detailed_description))


def _healthy(t: TrialData, vocab: Vocab) -> list[str]:
    found = [
        f"condition: {c}" for c in t.conditions if vocab.healthy.find(c) or "healthy" in c.lower()
    ]
    if t.healthy_volunteers and not t.conditions:
        found.append("accepts healthy volunteers")
    return found


def _registered(t: TrialData) -> str | None:
    """When the trial was registered, else the earliest date the record shows."""
    if t.first_submitted:
        return t.first_submitted
    dates = [
        d
        for d in (
            t.start_date.value if t.start_date else None,
            t.last_update_posted,
            t.results_first_posted,
        )
        if d
    ]
    return min(dates) if dates else None


def _population(t: TrialData, vocab: Vocab) -> list[str]:
    found = _listed_population(t, vocab)
    others = [c for c in t.conditions if not vocab.population.find(c) and not vocab.healthy.find(c)]
    if found and len(others) >= 2 and not (specific := _own_part(t, vocab)):
        return []  # one of several conditions, with nothing of its own: not about it
    if found and len(others) >= 2:
        found.append(specific)
    return found


def _own_part(t: TrialData, vocab: Vocab) -> str:
    """Where a trial of several conditions gives the population a part of its own: an arm,
    an outcome measure or a subgroup analysis naming it, or a claim outcome (which only the
    population has). Empty when none does."""
    for arm in t.arms:
        if hit := vocab.population.find(f"{arm.label or ''} {arm.description or ''}"):
            return f"arm of its own: {arm.label} ({hit['population']})"
    for o in [*t.primary_outcomes, *t.secondary_outcomes]:
        text = f"{o.measure or ''} {o.description or ''}"
        if vocab.population.find(text) or vocab.outcomes.find(o.measure or ""):
            return f"outcome of its own: {o.measure}"
    described = f"{t.brief_summary or ''} {t.detailed_description or ''}"
    if "subgroup" in described.lower() and vocab.population.find(described):
        return "subgroup analysis named in the description"
    return ""


def _listed_population(t: TrialData, vocab: Vocab) -> list[str]:
    found = [f"condition: {c}" for c in t.conditions if vocab.population.find(c)]
    found += [
        f"condition MeSH: {m.term}"
        for m in t.condition_meshes
        if m.term and m.term.lower() in vocab.population_mesh
    ]
    if not found and (hit := vocab.population.find(f"{t.brief_title} {t.official_title}")):
        found.append(f"title: {hit['population']}")
    return found


def _everything(t: TrialData) -> str:
    parts = [t.brief_title, t.official_title, t.brief_summary, t.detailed_description]
    return " | ".join([p or "" for p in parts] + t.keywords + [_intervention_text(t)])


def _not_family(t: TrialData, vocab: Vocab) -> dict[str, str]:
    """Look-alike techniques in the interventions, else in the titles and summary (records
    without an interventions module name what they give only there)."""
    given = vocab.not_family.find(_intervention_text(t))
    found = {k: f"intervention: {v}" for k, v in given.items()}
    meshes = " | ".join(m.term or "" for m in t.intervention_meshes)
    described = f"{t.brief_title} | {t.official_title} | {t.brief_summary or ''} | {meshes}"
    for k, v in vocab.not_family.find(described).items():
        found.setdefault(k, f"description: {v}")
    return found


def _intervention_text(t: TrialData) -> str:
    parts = [f"{i.name} {' '.join(i.other_names)}" for i in t.interventions]
    return " | ".join(parts + [a.label or "" for a in t.arms])


def _intervention_roles(t: TrialData, vocab: Vocab) -> tuple[dict[str, str], dict[str, str]]:
    therapy: dict[str, str] = {}
    measurement: dict[str, str] = {}
    diagnostic_purpose = t.primary_purpose in DIAGNOSTIC_PURPOSES
    observational = t.study_type == "OBSERVATIONAL"
    for i in t.interventions:
        use = _intervention_use(i, vocab, strict=observational)
        for kind, how in use.items():
            target = measurement if how == "measure" or diagnostic_purpose else therapy
            target.setdefault(kind, f"intervention {i.type or ''}: {i.name}".strip())
    for arm in t.arms:
        for kind in kinds_in(arm.label, vocab):
            if not observational and not diagnostic_purpose and kind not in measurement:
                therapy.setdefault(kind, f"arm: {arm.label}")
    for o in [*t.primary_outcomes, *t.secondary_outcomes]:
        for kind in kinds_in(f"{o.measure} {o.description or ''}", vocab):
            measurement.setdefault(kind, f"outcome measure: {o.measure}")
    for kind, (cure, measure) in proximity(f"{t.title}. {t.brief_summary or ''}", vocab).items():
        if measure > cure:
            measurement.setdefault(kind, "summary: used to measure")
        elif cure > measure and not diagnostic_purpose and not therapy and not observational:
            therapy.setdefault(kind, "summary: given as treatment")
    return therapy, measurement


def _intervention_use(i: Intervention, vocab: Vocab, *, strict: bool) -> dict[str, str]:
    """Kind -> 'therapy' or 'measure' for one intervention entry."""
    named = kinds_in(f"{i.name} {' '.join(i.other_names)}", vocab)
    described = proximity(i.description or "", vocab)
    if i.type in MEASURING_TYPES:
        return dict.fromkeys([*named, *described], "measure")
    if i.type in OTHER_THERAPY_TYPES:
        # A drug or biological named as a kind of the family is the therapy; a family term
        # only in its description is how its effect is measured.
        return dict.fromkeys(described, "measure") | dict.fromkeys(named, "therapy")
    use: dict[str, str] = {}
    for kind in named:
        cure, measure = described.get(kind, (0, 0))
        use[kind] = "measure" if measure > cure or (strict and cure == 0) else "therapy"
    for kind, (cure, measure) in described.items():
        if kind not in use:
            use[kind] = "therapy" if cure > measure and not strict else "measure"
    return use


def _design(t: TrialData) -> Design:
    randomised = t.allocation == "RANDOMIZED"
    sham = any(a.type in SHAM_ARMS for a in t.arms) or any(
        "sham" in (i.name or "").lower() or "placebo" in (i.name or "").lower()
        for i in t.interventions
    )
    blinded = (t.masking or "NONE") not in ("NONE", "")
    single_arm = t.intervention_model == "SINGLE_GROUP" or len(t.arms) == 1
    return Design(
        randomised=randomised,
        sham=sham,
        blinded=blinded,
        controlled=randomised or sham or len(t.arms) > 1,
        uncontrolled=single_arm and not randomised and not sham,
        n=t.enrollment,
        basis="registry" if (t.allocation or t.arms or t.masking) else "none",
    )
