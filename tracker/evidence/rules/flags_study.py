"""All consistency flags of one trial and of one paper: the entry points the evidence pass
calls. Pure: version records, the claim's vocabulary and `today` in; flags out. A rule that
trips on an odd record gives an info flag saying so instead of stopping the pass."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date

from tracker.config import FlagsConfig
from tracker.evidence.rules.flags import Flag, Version, ordered
from tracker.evidence.rules.flags_outcomes import primary_outcome_flags
from tracker.evidence.rules.flags_publication import OutcomeGroups, publication_flags
from tracker.evidence.rules.flags_registry import (
    early_stop,
    posted_results,
    retrospective,
    sample_size,
)
from tracker.evidence.rules.vocab import Vocab
from tracker.records.article import ArticleData

log = logging.getLogger("tracker.evidence.flags")


def trial_flags(versions: Sequence[Version], today: date, settings: FlagsConfig) -> list[Flag]:
    """Flags of one trial from every version tracker holds of it.

    `today` bounds what counts as posted: a version dated in the future is a registry
    error, and is dated as unknown."""
    if not versions:
        return []
    clean = [
        v
        if not v.posted or v.posted[:10] <= today.isoformat()
        else Version(v.number, None, v.trial)
        for v in versions
    ]
    vs, disorder = ordered(clean)
    last = vs[-1]
    rules: list[Callable[[], list[Flag]]] = [
        lambda: retrospective(last, settings.retrospective_grace_days),
        lambda: primary_outcome_flags(vs, settings.outcome_similarity),
        lambda: sample_size(vs, settings.sample_size_ratio),
        lambda: early_stop(last),
        lambda: posted_results(last, settings.outcome_similarity),
    ]
    flags = [disorder] if disorder else []
    for rule in rules:
        flags += _guarded(last.trial.nct_id, rule)
    return _unique(flags)


def paper_flags(
    article: ArticleData,
    trials: Sequence[Sequence[Version]],
    vocab: Vocab,
    settings: FlagsConfig,
    groups: OutcomeGroups | None = None,
) -> list[Flag]:
    """Flags of one paper against each trial of its study."""
    ordered_trials = [ordered(versions)[0] for versions in trials]

    def rule() -> list[Flag]:
        return publication_flags(
            article, ordered_trials, vocab, settings.outcome_similarity, groups
        )

    flags = _guarded(article.id, rule)
    return _unique(flags)


def _guarded(record_id: str, rule: Callable[[], list[Flag]]) -> list[Flag]:
    try:
        return rule()
    except Exception as exc:  # one odd record must not stop the pass or cost other flags
        log.exception("%s: a flag rule failed", record_id)
        return [
            Flag(
                "flags.failed",
                "info",
                "A consistency rule could not read this record (logged); it needs a human reader.",
                [f"error: {type(exc).__name__}"],
                type(exc).__name__,
            )
        ]


def _unique(flags: list[Flag]) -> list[Flag]:
    seen: dict[str, Flag] = {}
    for f in flags:
        seen.setdefault(f.key, f)
    return list(seen.values())
