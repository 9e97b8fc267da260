"""Read an abstract's results and conclusions: which outcome, significant or not, which way.

A clause is the unit ('X did not change, but Y improved' says two things). In it, negation
is read with its scope (negation.py): 'did not slow ALSFRS-R decline' makes progression
null, 'no difference in fatigue' only fatigue, 'not associated with a higher risk of death'
and 'no patient died' neither way. Then significance ('significantly', 'p < 0.05', a p-value
at or over 0.05 is null) and direction (improved, slowed, prolonged vs worse, faster).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.evidence.rules.negation import negations
from tracker.evidence.rules.text import clauses, p_significant, p_values, sentences
from tracker.evidence.rules.vocab import Vocab
from tracker.records.article import ArticleData

SIGNIFICANT = re.compile(r"\bsignificant(?:ly)?\b|\bsignificance\b", re.I)
BENEFIT = re.compile(
    r"improv|\bslow|reduc|prolong|longer|higher|increas|delay|better|benefi|preserv|"
    r"stabili[sz]|attenuat|\blower\b|\bless\b|protect",
    re.I,
)
HARM = re.compile(r"\bworse|\bfaster|accelerat|\bshorter|more rapid|\bhastened", re.I)
NEGATIVE_CONCLUSION = re.compile(
    r"unjustified|not\s+(?:be\s+)?(?:recommended|supported|justified|warranted|effective|"
    r"efficacious)|no\s+(?:clinical\s+|significant\s+)?benefit|ineffective|does\s+not\s+support|"
    r"do\s+not\s+support|lack\s+of\s+efficacy|not\s+slow|did\s+not\s+(?:modify|slow|change|improve)",
    re.I,
)
INSUFFICIENT = re.compile(
    r"insufficient|not\s+enough\s+evidence|evidence\s+(?:is|was|remains)\s+(?:limited|lacking|"
    r"scarce|weak|inconclusive|uncertain)|more\s+(?:\w+\s+)?(?:studies|trials|research)\s+(?:are|is)"
    r"\s+(?:needed|required)|unable\s+to\s+draw|no\s+(?:firm\s+)?conclusions?|low[\s-]quality|"
    r"(?:very\s+)?low[\s-]certainty|inconclusive",
    re.I,
)
_FINDING_SECTIONS = frozenset({"RESULTS", "CONCLUSIONS", "UNASSIGNED"})
_NOT_A_FINDING = re.compile(
    r"\b(?:aim|aims|aimed|objective|purpose)\b|\bwe\s+(?:investigated|evaluated|assessed|"
    r"conducted|performed|enrolled|searched|included|hypothesi[sz]ed)|\bprimary\s+(?:efficacy\s+)?"
    r"(?:outcome|end[\s-]?point)s?\s+(?:was|were|is)\b|\bneurodegenerative\b|"
    r"\bis\s+an?\s+(?:\w+\s+){0,3}(?:disease|disorder)\b|\bwere\s+randomi[sz]ed\b|randomly\s+assigned",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Statement:
    groups: list[str]
    """Outcome groups it concerns (claim groups or other-outcome groups)."""
    effect: str
    """'benefit', 'null', 'harm', 'trend' (a benefit claimed without significance) or
    'significant' (a significant difference whose direction the abstract does not say)."""
    quote: str


@dataclass(frozen=True, slots=True)
class Reading:
    claim: list[Statement] = field(default_factory=list)
    other: list[Statement] = field(default_factory=list)
    conclusion: str | None = None
    """'negative', 'insufficient' or None."""
    conclusion_quote: str | None = None


_LABELS = (
    (re.compile(r"conclu|interpretation|implication|summary", re.I), "CONCLUSIONS"),
    (re.compile(r"result|finding", re.I), "RESULTS"),
    (
        re.compile(r"background|introduction|objective|aim|purpose|context|rationale", re.I),
        "BACKGROUND",
    ),
    (
        re.compile(r"method|design|setting|participant|patient|intervention|measure", re.I),
        "METHODS",
    ),
)


def section_category(category: str | None, label: str | None) -> str | None:
    """NLM's category of an abstract section, else the one its printed label names
    ('Main results', 'Interpretation'), else None (an unlabelled section)."""
    if category and category.upper() != "UNASSIGNED":
        return category.upper()
    for pattern, name in _LABELS:
        if label and pattern.search(label):
            return name
    return category.upper() if category else None


def finding_sentences(a: ArticleData) -> list[tuple[str, bool]]:
    """(sentence, in the conclusions) for every sentence that can state a finding.

    A structured abstract is read by its sections' labels: only RESULTS and CONCLUSIONS (and
    sections no label places) can state a finding, whatever the methods' words say."""
    out: list[tuple[str, bool]] = []
    categories = [section_category(s.category, s.label) for s in a.abstract]
    structured = any(categories)
    for section, named in zip(a.abstract, categories, strict=True):
        category = named or "UNASSIGNED"
        if structured and category not in _FINDING_SECTIONS:
            continue
        said = sentences(section.text)
        for i, sentence in enumerate(said):
            if not structured and i == 0:
                continue  # an unstructured abstract opens with the background
            # Unstructured, the authors conclude in the last two sentences.
            concluding = category == "CONCLUSIONS" or (not structured and i >= len(said) - 2)
            if not _NOT_A_FINDING.search(sentence):
                out.append((sentence, concluding))
    return out


_MARKUP = re.compile(r"<[^>]*>|&#?\w+;")
_ENGLISH = frozenset(
    "the of and in to a with was were is are for by on at from that this as or be an we "
    "patients than not no after between".split()
)


def abstract_problem(a: ArticleData) -> str | None:
    """Why an abstract cannot be read as English prose (empty, only markup, or another
    language), else None. Common English words make up a third of any English abstract."""
    text = _MARKUP.sub(" ", " ".join(s.text for s in a.abstract))
    letters = sum(c.isalpha() for c in text)
    if letters == 0:
        return "The abstract is empty or holds only markup"
    words = re.findall(r"[a-z]+", text.lower())
    english = sum(w in _ENGLISH for w in words)
    if (letters >= 20 and len(words) < 3) or (len(words) >= 8 and english < 0.1 * len(words)):
        return "The abstract is not in English"
    return None


def read_abstract(a: ArticleData, vocab: Vocab) -> Reading:
    claim: list[Statement] = []
    other: list[Statement] = []
    conclusion = quote = None
    for sentence, concluding in finding_sentences(a):
        sentence_claim = list(vocab.outcomes.find(sentence))
        sentence_other = list(vocab.other_outcomes.find(sentence))
        # A sentence naming no outcome states no finding on one.
        for clause in clauses(sentence) if sentence_claim or sentence_other else ():
            said = clause_statements(clause, sentence, vocab)
            if said is None:
                # A clause naming no outcome ('this did not reach significance') speaks of
                # the sentence's.
                effect = clause_effect(clause, sentence)
                if effect is None:
                    continue
                if sentence_claim:
                    claim.append(Statement(sentence_claim, effect, sentence))
                elif sentence_other:
                    other.append(Statement(sentence_other, effect, sentence))
                continue
            claim += [Statement(g, e, sentence) for g, e in said[0]]
            other += [Statement(g, e, sentence) for g, e in said[1]]
        if INSUFFICIENT.search(sentence):
            conclusion, quote = "insufficient", sentence
        elif NEGATIVE_CONCLUSION.search(sentence) and concluding:
            conclusion, quote = "negative", sentence
    return Reading(_directed(claim), _directed(other), conclusion, quote)


Said = list[tuple[list[str], str]]
_RANK = {"affirmed": 0, "absent": 1, "no_harm": 2, "negated": 3}


def clause_statements(clause: str, sentence: str, vocab: Vocab) -> tuple[Said, Said] | None:
    """(claim, other): the outcome groups a clause names, each with the effect the clause
    states on it, or None when it names no outcome.

    A group in a negation's scope is 'null' ('did not slow ALSFRS-R decline'); one only
    cleared of harm ('not associated with a higher risk of death') or of events ('no patient
    died') is left out: that tests the claim neither way. The others take the clause's own
    effect, untouched by a negation that was about another outcome ('survival was
    significantly longer, with no difference in adverse events'); a negation about no outcome
    at all ('..., which was not significant') still applies to them."""
    claim_spans = vocab.outcomes.spans(clause)
    other_spans = vocab.other_outcomes.spans(clause)
    spans = claim_spans + other_spans
    if not spans:
        return None
    found, orphans = negations(clause, [(s, e) for s, e, _g in spans])
    status: dict[str, str] = {}
    for (_s, _e, group), negation in zip(spans, found, strict=True):
        mark = negation.status if negation else "affirmed"
        # Whichever mention of a group says most: 'negated' over the rest.
        if _RANK[mark] > _RANK.get(status.get(group, ""), -1):
            status[group] = mark
    if any(n.status == "negated" for n in orphans):
        affirmed: str | None = "null"
    else:
        affirmed = _affirmed_effect(clause, sentence)
    out: tuple[Said, Said] = ([], [])
    for side, names in enumerate((_groups(claim_spans), _groups(other_spans))):
        by_effect: dict[str, list[str]] = {}
        for group in names:
            effect = {"negated": "null", "affirmed": affirmed}.get(status[group])
            if effect is not None:
                by_effect.setdefault(effect, []).append(group)
        out[side].extend((groups, effect) for effect, groups in by_effect.items())
    return out


def _groups(spans: list[tuple[int, int, str]]) -> list[str]:
    return list(dict.fromkeys(g for _s, _e, g in spans))


def _directed(statements: list[Statement]) -> list[Statement]:
    """A significant result with no direction word ('62% vs 38%, p = 0.03') takes the
    direction the abstract states elsewhere for the same outcome ('rTMS prolonged survival')."""
    out = []
    for x in statements:
        if x.effect == "significant":
            ways = {y.effect for y in statements if set(y.groups) & set(x.groups)}
            if "harm" in ways:
                x = Statement(x.groups, "harm", x.quote)
            elif ways & {"benefit", "trend"}:
                x = Statement(x.groups, "benefit", x.quote)
        out.append(x)
    return out


def clause_effect(clause: str, sentence: str) -> str | None:
    """'null', 'benefit', 'harm', 'trend', 'significant' (no direction said) or None when
    the clause states no effect; for a clause whose outcome is named elsewhere in the
    sentence, so any negation in it that denies an effect counts."""
    if any(n.status == "negated" for n in negations(clause, [])[1]):
        return "null"
    return _affirmed_effect(clause, sentence)


def _affirmed_effect(clause: str, sentence: str) -> str | None:
    """The effect a clause states when nothing negates it."""
    ps = [sig for p in p_values(clause) if (sig := p_significant(p)) is not None]
    if ps and not any(ps):
        return "null"
    significant = bool(SIGNIFICANT.search(clause)) or any(ps)
    if HARM.search(clause) and significant:
        return "harm"
    if BENEFIT.search(clause):
        return "benefit" if significant else "trend"
    if significant:
        return "benefit" if BENEFIT.search(sentence) else "significant"
    return None
