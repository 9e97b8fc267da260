"""Negation and its scope, read the NegEx/ConText way: which outcome a 'not' is about.

A trigger ('no', 'did not', 'failed to', 'was not observed') opens a scope of a few words; the
scope ends at a terminator ('but', 'however', 'although', 'whereas', ';'); only the outcome
terms inside it are negated. Pseudo-triggers look like negation and are not ('not only',
'did not fail to', 'median survival was not reached'): they are matched first, so their words
open no scope. The scope's direction follows the trigger:

- forward (pre-negation): 'no', 'without', 'no evidence of', 'neither ... nor';
- backward (post-negation): 'was not observed', 'were not significant';
- either (a negated verb or a 'no difference', which negate the clause's subject or its
  object): forward when an outcome term lies ahead in the window ('did not slow ALSFRS-R
  decline'), else backward ('ALSFRS-R decline did not differ').

A negation of harm ('was not associated with a higher risk of death', 'no increase in
mortality') says the treatment did no harm, not that it did no good; a negated event ('no
patient died', 'deaths were not observed') is no comparison at all. Both are told apart
(`no_harm`, `absent`) and test the claim neither way: only `negated` is a null result.

negspacy and medspacy were measured against this module (benchmarks/negation_libraries.py,
figures in docs/evidence.md) and cost too much for the judging pass: each brings spaCy (about
200-270 MB installed, seconds to import), reads an abstract in more than the half millisecond
a whole judgement has, and negates the event rather than the effect ('no patient died' is
negated for them, a null result for us). medspacy cannot even share the project's
environment (its last installable release needs pydantic 1 and numpy 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORWARD_WINDOW = 8
"""Words a forward scope reaches past its trigger."""
BACKWARD_WINDOW = 12
"""Words a backward scope reaches before its trigger (a clause's subject can be long: 'the
rate of decline in ALSFRS-R total score over 24 weeks did not differ')."""

_PSEUDO = (
    r"not\s+only|not\s+just|not\s+merely|(?:did|does|do)\s+not\s+fail\s+to|not\s+fail(?:ed)?\s+to|"
    r"never\s+failed\s+to|no\s+doubt|(?:was|were|is|has|had|have)\s+not\s+(?:yet\s+)?(?:been\s+)?"
    r"reached|not\s+yet\s+reached|whether\s+or\s+not|not\s+necessarily|not\s+limited\s+to|"
    r"no\s+later\s+than|not\s+previously"
)
_NO_HARM = (
    r"no\s+(?:significant\s+|statistically\s+significant\s+)?(?:increases?|rise|excess|"
    r"worsening|acceleration)\s+(?:in|of)|did\s+not\s+(?:worsen|accelerate|hasten|increase\s+"
    r"(?:the\s+)?(?:risk|mortality|rate))|without\s+(?:an?\s+)?(?:increased?|higher|excess)\s+"
    r"(?:risk|mortality|rate)"
)
_BACKWARD = (
    r"(?:was|were|is|are)\s+not\s+(?:observed|found|seen|detected|significant|"
    r"statistically\s+significant|different|significantly\s+different|affected|modified|"
    r"changed|improved|prolonged|slowed)|did\s+not\s+reach\s+(?:statistical\s+)?significance|"
    r"(?:remained|was|were)\s+(?:unchanged|unaffected|similar|comparable|stable\s+in\s+both)"
)
_EITHER = (
    r"no\s+(?:statistically\s+|clinically\s+)?(?:significant\s+|meaningful\s+|relevant\s+)?"
    r"(?:\w+\s+){0,1}?(?:differences?|effects?|benefits?|changes?|improvements?|impact|influence|"
    r"slowing|association|advantage)|"
    r"(?:did|does|do|was|were|is|are|has|have|had|could|would)\s+not|cannot|can't|didn't|"
    r"doesn't|wasn't|weren't|failed\s+to|fails?\s+to|failure\s+to|"
    r"not\s+(?:\w+\s+)?significantly|not\s+(?:statistically\s+)?significant|"
    r"non-?\s?significant(?:ly)?|insignificant(?:ly)?|similar|comparable|unchanged|unaffected|"
    r"not"
)
_FORWARD = (
    r"no\s+evidence\s+(?:of|for|that)|no\s+signs?\s+of|absence\s+of|lack\s+of|lacked|"
    r"without|neither|nor|no|none\s+of"
)
_TRIGGERS = re.compile(
    rf"(?<![\w-])(?:(?P<pseudo>{_PSEUDO})|(?P<no_harm>{_NO_HARM})|(?P<backward>{_BACKWARD})|"
    rf"(?P<either>{_EITHER})|(?P<forward>{_FORWARD}))(?![\w-])",
    re.IGNORECASE,
)
"""One pass over the text: at each place the alternation tries pseudo-triggers first, then
the longer kinds, so 'did not fail to' is never read as 'did not' and 'was not observed'
never as 'was not'."""
TERMINATORS = re.compile(
    r";|\b(?:but|however|although|whereas|while|though|yet|except|nevertheless|nonetheless)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w][\w'\-.]*")
_HARM_WORDS = re.compile(
    r"\b(?:higher|increased?|greater|excess|more)\s+(?:\w+\s+){0,2}?(?:risk|hazard|mortality|"
    r"deaths?|adverse|decline|progression|deterioration)|\bworse|\bfaster|\baccelerat|\bhasten|"
    r"\bharm",
    re.IGNORECASE,
)
_EFFECT_WORDS = re.compile(
    r"\bdiffer|chang|\beffect|\bbenefi|\bimprov|\bslow|\bprolong|\blonger|\bmodif|\binfluenc|"
    r"\bimpact|significan|\bsimilar|\bcomparable|\bunaffected|\badvantage|\balter|\bdelay|"
    r"\breduc|\bpreserv|\bstabili|\battenuat|\bbetter|\bextend|\baffect",
    re.IGNORECASE,
)
"""Words that make a negation about an effect ('no difference in survival', 'did not slow
decline'), not about an event ('no patient died', 'deaths were not observed') or something
else ('did not cause seizures')."""
_COORDINATED = re.compile(r"\band\s*$|,\s*$", re.IGNORECASE)
"""'rTMS slowed decline and did not cause seizures': a negated verb joined on with 'and'
has the first verb's subject, which may not be the outcome before it."""

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Trigger:
    kind: str
    """'pseudo', 'no_harm', 'backward', 'either' or 'forward'."""
    start: int
    end: int
    words: str


@dataclass(frozen=True, slots=True)
class Negation:
    """What a negation says of the outcome mentions in its scope."""

    status: str
    """'negated' (no effect on them: 'did not slow ALSFRS-R decline'), 'no_harm' (no harm
    done: 'no increase in mortality') or 'absent' (no such event: 'no patient died'). Only
    'negated' is a finding; the other two test the claim neither way."""
    trigger: str
    """The trigger's own words."""


_NEEDLES: tuple[str, ...] = ("no", "fail", "similar", "compar", "unchang", "unaffect")
_NEEDLES += ("insignif", "lack", "absence", "without", "neither", "n't")
"""Every trigger holds one of these: plain `in` tests on the lower-cased text skip the
trigger expression on most clauses, which have none."""


def triggers(text: str) -> list[Trigger]:
    """Every trigger in `text`, in order, overlaps resolved to the earliest and longest."""
    lower = text.lower()
    if not any(n in lower for n in _NEEDLES):
        return []
    return [
        Trigger(m.lastgroup or "either", m.start(), m.end(), m.group(0))
        for m in _TRIGGERS.finditer(text)
    ]


def negations(text: str, targets: list[Span]) -> tuple[list[Negation | None], list[Negation]]:
    """For each target (a character span of an outcome term in `text`), the negation whose
    scope holds it or None; and the negations whose scope holds no target ('this difference
    was not significant'), which a caller may apply to the outcomes its text is about."""
    out: list[Negation | None] = [None] * len(targets)
    orphans: list[Negation] = []
    found = [t for t in triggers(text) if t.kind != "pseudo"]
    if not found:
        return out, orphans
    stops = [(m.start(), m.end()) for m in TERMINATORS.finditer(text)]
    words = [m.start() for m in _WORD.finditer(text)]
    for t in found:
        ahead = _forward(t, stops, words, len(text))
        behind = _backward(t, stops, words)
        chosen: list[int] = []
        if t.kind in ("forward", "no_harm", "either"):
            chosen = [i for i, s in enumerate(targets) if _inside(s, ahead)]
        coordinated = t.kind == "either" and _COORDINATED.search(text[: t.start])
        if not chosen and t.kind in ("backward", "either") and not coordinated:
            chosen = [i for i, s in enumerate(targets) if _inside(s, behind)]
        # What the negation denies is read from the words on the side(s) it looks at.
        first = ahead[0] if t.kind in ("forward", "no_harm") else behind[0]
        last = behind[1] if t.kind == "backward" else ahead[1]
        status = _status(t, f"{text[first:last]} {t.words}", held=bool(chosen))
        negation = Negation(status, t.words)
        if not chosen:
            orphans.append(negation)
        for i in chosen:
            out[i] = out[i] or negation
    return out, orphans


def _status(t: Trigger, scope: str, *, held: bool) -> str:
    """`held`: the scope holds an outcome term."""
    if t.kind == "no_harm":
        return "no_harm"
    effect = _EFFECT_WORDS.search(scope)
    # 'was not associated with a higher risk of death': only harm is denied.
    if _HARM_WORDS.search(scope) and not effect:
        return "no_harm"
    # 'no patient died', 'deaths were not observed': no event, not a null comparison. A
    # negated verb is about the outcome it governs ('ALSFRS-R was not higher'), but one that
    # governs none says nothing of an effect unless its words do ('did not cause seizures').
    if not effect and (t.kind in ("forward", "backward") or not held):
        return "absent"
    return "negated"


def _forward(t: Trigger, stops: list[Span], words: list[int], end: int) -> Span:
    limit = next((s for s, _e in stops if s >= t.end), end)
    after = [w for w in words if w >= t.end]
    if len(after) > FORWARD_WINDOW:
        limit = min(limit, after[FORWARD_WINDOW])
    return (t.end, limit)


def _backward(t: Trigger, stops: list[Span], words: list[int]) -> Span:
    limit = max((e for _s, e in stops if e <= t.start), default=0)
    before = [w for w in words if w < t.start]
    if len(before) > BACKWARD_WINDOW:
        limit = max(limit, before[-BACKWARD_WINDOW])
    return (limit, t.start)


def _inside(target: Span, scope: Span) -> bool:
    return scope[0] <= target[0] and target[1] <= scope[1]
