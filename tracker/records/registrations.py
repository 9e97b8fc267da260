"""Registration numbers of one study in registries other than the record's own. Pure.

A trial is often registered twice (ClinicalTrials.gov and EudraCT, CTIS, ISRCTN...), and a
paper may name only its non-NCT registration. The sources already say so: CT.gov's
secondary ids and NCT aliases, PubMed's DataBank list, and the numbers authors write in
their abstracts. Each number is written in one canonical form so that two sources'
spellings of one registration compare equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.records.article import ArticleData
from tracker.records.trial import TrialData


@dataclass(frozen=True, slots=True)
class Registration:
    """One registration number a record declares, and where it said so."""

    registry: str
    """'ClinicalTrials.gov', 'EudraCT', 'CTIS', 'ISRCTN', 'DRKS', 'ANZCTR', 'ChiCTR', ..."""
    id: str
    """Canonical form: 'ISRCTN12345678', 'EudraCT:2020-001234-56', 'CTIS:2023-503456-12-00'."""
    provenance: str
    """'ctgov_secondary_id', 'ctgov_alias', 'databank' or 'abstract'."""


RegTriple = tuple[str, str, str]
"""(record id, registration id, provenance): what the store keeps."""

# Order matters: a CTIS number starts like an EudraCT one, so it is tried first and the
# EudraCT pattern refuses a number followed by one more '-NN' group.
_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("ClinicalTrials.gov", re.compile(r"\bNCT\s?(\d{8})\b", re.I), "NCT{0}"),
    ("CTIS", re.compile(r"\b((?:19|20)\d{2}-5\d{5}-\d{2}-\d{2})\b"), "CTIS:{0}"),
    ("EudraCT", re.compile(r"\b((?:19|20)\d{2}-\d{6}-\d{2})(?![-\d])"), "EudraCT:{0}"),
    ("ISRCTN", re.compile(r"\bISRCTN\s?:?\s?(\d{8})\b", re.I), "ISRCTN{0}"),
    ("DRKS", re.compile(r"\bDRKS\s?(\d{8})\b", re.I), "DRKS{0}"),
    ("ANZCTR", re.compile(r"\bACTRN\s?(\d{14})\b", re.I), "ACTRN{0}"),
    ("ChiCTR", re.compile(r"\bChiCTR[-\s]?((?:[A-Z]{2,4}-)?\d{6,10})\b", re.I), "ChiCTR{0}"),
    ("CTRI", re.compile(r"\bCTRI\s?/\s?(\d{4}/\d{2,3}/\d{6})\b", re.I), "CTRI/{0}"),
    ("UMIN", re.compile(r"\bUMIN\s?(\d{9})\b", re.I), "UMIN{0}"),
    ("jRCT", re.compile(r"\bjRCT\s?([a-z]?\d{9,10})\b", re.I), "jRCT{0}"),
    ("PACTR", re.compile(r"\bPACTR\s?(\d{15})\b", re.I), "PACTR{0}"),
    ("IRCT", re.compile(r"\bIRCT\s?(\d{6,14}N\d{1,3})\b", re.I), "IRCT{0}"),
    ("KCT", re.compile(r"\bKCT\s?(\d{7})\b", re.I), "KCT{0}"),
)


_CTIS_DECLARED = re.compile(r"^(?:19|20)\d{2}-5\d{5}-\d{2}(?:-\d{2})?$")


def registrations_in(text: str, provenance: str) -> list[Registration]:
    """Every registration number written in `text`, canonical, in order, without repeats."""
    found: dict[str, tuple[int, Registration]] = {}
    taken: list[tuple[int, int]] = []
    for registry, pattern, form in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue  # part of a longer number already read (an EudraCT inside a CTIS)
            taken.append(m.span())
            number = m.group(1).replace(" ", "")
            if registry == "ChiCTR" and number[0].isalpha():
                number = "-" + number.upper()  # the older form: ChiCTR-IOR-17011234
            value = form.format(number)
            found.setdefault(value, (m.start(), Registration(registry, value, provenance)))
    return [reg for _, reg in sorted(found.values(), key=lambda pair: pair[0])]


def registry_of(reg_id: str) -> str | None:
    """The registry a canonical registration id belongs to, or None for anything else."""
    regs = registrations_in(reg_id, "")
    return regs[0].registry if len(regs) == 1 and regs[0].id == reg_id else None


def trial_registrations(trial: TrialData, aliases: list[str] | None = None) -> list[Registration]:
    """Other registries' numbers a CT.gov record declares: its secondary ids (EudraCT,
    CTIS, other registries; a grant number is not a registration) and its NCT aliases."""
    out: dict[str, Registration] = {}
    for sec in trial.secondary_ids:
        text = sec.id
        kind = (sec.type or "").upper()
        if kind == "CTIS" and _CTIS_DECLARED.match(text.strip()):
            reg_id = f"CTIS:{text.strip()}"  # the registry said so; older numbers lack '-NN'
            out.setdefault(reg_id, Registration("CTIS", reg_id, "ctgov_secondary_id"))
            continue
        if kind == "EUDRACT_NUMBER" and not text.upper().startswith("EUDRACT"):
            text = f"EudraCT {text}"
        for reg in registrations_in(text, "ctgov_secondary_id"):
            if reg.id != trial.nct_id:
                out.setdefault(reg.id, reg)
    for alias in aliases or ():
        for reg in registrations_in(alias, "ctgov_alias"):
            if reg.id != trial.nct_id:
                out.setdefault(reg.id, reg)
    return list(out.values())


def article_registrations(article: ArticleData) -> list[Registration]:
    """Registration numbers a paper declares: its DataBank list, then its title and abstract."""
    out: dict[str, Registration] = {}
    for bank in article.databanks:
        for accession in bank.accessions:
            text = f"EudraCT {accession}" if "eudract" in bank.name.lower() else accession
            for reg in registrations_in(text, "databank"):
                out.setdefault(reg.id, reg)
    text = f"{article.title or ''}\n{article.abstract_text}"
    for reg in registrations_in(text, "abstract"):
        out.setdefault(reg.id, reg)
    return list(out.values())


def triples(record_id: str, regs: list[Registration]) -> list[RegTriple]:
    return [(record_id, r.id, r.provenance) for r in regs]
