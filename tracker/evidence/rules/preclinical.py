"""Is a paper about animals or cells rather than people? Such a study is excluded whatever it
finds: a mouse model of the disease is not the claim's population.

Structured data first: PubMed indexes every study's subjects with the check tags `Animals`
and `Humans`, so `Animals` without `Humans` settles it. Without check tags, a title naming a
model organism or a cell system decides, or an abstract that names them far more often than
it names people (a trial's background may mention mice once; a mouse study is about them).
The words are the general vocabulary of laboratory biology, not of any one question.
"""

from __future__ import annotations

import re

from tracker.records.article import ArticleData

MODEL = re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|transgenic|zebrafish|drosophila|"
    r"caenorhabditis|c\.\s?elegans|yeast|primates?|macaques?|monkeys?|porcine|canine|"
    r"in\s+vitro|cell\s+lines?|cultured\s+(?:cells|neurons|motor\s+neurons)|"
    r"(?:iPSC|hiPSC|iPS\s+cell)s?(?:-derived)?|induced\s+pluripotent|organoids?|"
    r"knock-?(?:out|in)\s+(?:mice|mouse|rats?|animals?)|animal\s+models?|G93A)\b",
    re.IGNORECASE,
)
HUMAN = re.compile(
    r"\b(?:patients?|participants?|subjects|volunteers?|people|persons|individuals|"
    r"carriers|men|women|children|adults|cases)\b",
    re.IGNORECASE,
)


def preclinical(a: ArticleData) -> str | None:
    """Why the paper studies animals or cells, or None when it studies people (or may)."""
    tags = {m.name.lower() for m in a.mesh}
    if "animals" in tags and "humans" not in tags:
        return "MeSH: Animals, not Humans"
    if "humans" in tags:
        return None
    if hit := MODEL.search(a.title or ""):
        return f"title: {hit.group(0)}"
    text = f"{a.title or ''} {a.abstract_text}"
    models = [m.group(0) for m in MODEL.finditer(text)]
    people = len(HUMAN.findall(text))
    if models and (people == 0 or (len(models) >= 3 and len(models) > 2 * people)):
        named = ", ".join(dict.fromkeys(m.lower() for m in models[:4]))
        return f"abstract: {named} ({len(models)} mentions of models, {people} of people)"
    return None
