"""Negation readers measured on abstracts: the project's own (negation.py) and the libraries.

    uv run python benchmarks/negation_libraries.py                      # the project's own
    uv run --with negspacy python benchmarks/negation_libraries.py      # + negspacy (spaCy)
    uv run python benchmarks/negation_libraries.py --dump /tmp/negation.json
    uv run --no-project --with 'medspacy==1.1.5' --with 'numpy<2' \\
        python benchmarks/negation_libraries.py --data /tmp/negation.json

medspacy cannot live in the project's environment: 1.2 and 1.3 publish no wheel and their
source distributions do not build; 1.1.5 pins spaCy 3.5, which needs pydantic 1 and numpy 1
(the project has pydantic 2 and numpy 2). So it is measured in an environment of its own, on
the texts and sentences `--dump` writes (`--data` reads them and imports nothing of the
project).

A reader whose package is not installed is skipped, and said so. For each reader:
- accuracy on the hand-written sentences of tests/evidence/test_evidence_negation.py: is
  the outcome term negated? ('no_harm' and 'absent' count as not negated: neither is a null result);
- speed: CPU milliseconds per abstract section over every abstract of the labelled sets (split,
  outcome terms found, negation read), best of --rounds;
- import and first call in a fresh interpreter, in CPU seconds (best of three, less the
  script's own imports; CPU time, since the machine is shared). The project's figure is
  mostly its config, vocabularies and segtok, which judging loads anyway;
- the size on disk of the package and all it requires.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# First, always: a library may install a top-level 'tests' package of its own.
sys.path.insert(0, str(ROOT))

Case = tuple[str, str, str | None]
Reader = Callable[[str], list[tuple[int, bool]]]
"""Text -> (character start, negated) of every outcome-term mention it finds."""


@dataclass
class Data:
    texts: list[str]
    """Every abstract section of the labelled sets."""
    terms: list[str]
    """The claim's outcome and other-outcome terms: the targets."""
    cases: list[Case]
    """The hand-written sentences: (sentence, term, expected status)."""


def project_data() -> Data:
    from tests.evaluation import HELDOUT, HERE, UNSEEN
    from tests.evidence.test_evidence_negation import CASES
    from tracker.sources.europepmc_parse import read_result
    from tracker.sources.pubmed_parse import iter_records

    texts: list[str] = []
    for root in (HERE, HELDOUT, UNSEEN, ROOT / "examples" / "tofersen-sod1-als" / "evaluation"):
        for path in sorted((root / "pubmed").glob("*.xml")):
            for article, _raw in iter_records(path.read_bytes()):
                texts += [s.text for s in article.abstract if s.text]
        for path in sorted((root / "europepmc").glob("*.json")):
            result = read_result(path.read_bytes())
            if result.record is not None:
                texts += [s.text for s in result.record.abstract if s.text]
    claim = _vocab().claim
    terms = {t for ts in (*claim.outcomes.values(), *claim.other_outcomes.values()) for t in ts}
    return Data([t for t in texts if t.strip()], sorted(terms), list(CASES))


def _vocab() -> Any:
    from tracker.config import DEFAULT_CONFIG, load_config
    from tracker.evidence.rules.vocab import compile_vocab

    return compile_vocab(load_config(DEFAULT_CONFIG, env={}).claim)


# --- the readers: each factory imports its library, so that its cost can be measured alone --


def _project(terms: list[str]) -> Reader:
    """As the reading does it: sentences, clauses, outcome terms, then negation.py."""
    from tracker.evidence.rules.negation import negations
    from tracker.evidence.rules.text import clauses, sentences

    vocab = _vocab()

    def read(text: str) -> list[tuple[int, bool]]:
        out = []
        at = 0
        for sentence in sentences(text):
            for clause in clauses(sentence):
                at = max(at, text.find(clause, at))
                spans = vocab.outcomes.spans(clause) + vocab.other_outcomes.spans(clause)
                found, _ = negations(clause, [(s, e) for s, e, _g in spans])
                for (s, _e, _g), n in zip(spans, found, strict=True):
                    out.append((at + s, n is not None and n.status == "negated"))
        return out

    return read


def _patterns(terms: list[str]) -> list[dict[str, object]]:
    return [
        {"label": "OUTCOME", "pattern": [{"LOWER": w.lower()} for w in t.split()]} for t in terms
    ]


def _negspacy(terms: list[str]) -> Reader:
    import spacy
    from negspacy.negation import Negex  # noqa: F401  (registers the 'negex' factory)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns(_patterns(terms))
    nlp.add_pipe("negex", config={"ent_types": ["OUTCOME"]})

    def read(text: str) -> list[tuple[int, bool]]:
        return [(e.start_char, bool(e._.negex)) for e in nlp(text).ents]

    return read


def _medspacy(terms: list[str]) -> Reader:
    import medspacy
    from medspacy.target_matcher import TargetRule

    try:  # PyRuSH logs every token through loguru
        from loguru import logger

        logger.remove()
    except ImportError:
        pass
    nlp = medspacy.load()
    nlp.get_pipe("medspacy_target_matcher").add([TargetRule(t, "OUTCOME") for t in terms])

    def read(text: str) -> list[tuple[int, bool]]:
        return [(e.start_char, bool(e._.is_negated)) for e in nlp(text).ents]

    return read


READERS: dict[str, tuple[Callable[[list[str]], Reader], str | None]] = {
    "project": (_project, None),
    "negspacy": (_negspacy, "negspacy"),
    "medspacy": (_medspacy, "medspacy"),
}


# --- the measures ---------------------------------------------------------------------------


def accuracy(read: Reader, cases: list[Case]) -> int:
    right = 0
    for sentence, term, expected in cases:
        negated = dict(read(sentence)).get(sentence.index(term), False)
        right += negated == (expected == "negated")
    return right


def speed(read: Reader, texts: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        for text in texts:
            read(text)
        best = min(best, time.process_time() - t0)
    return best / len(texts) * 1000


def startup(name: str) -> float:
    """Seconds a fresh interpreter spends importing the reader and reading one sentence: this
    script run with --first-call NAME, less with --first-call none."""

    def run(reader: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        command = [sys.executable, __file__, "--first-call", reader]
        subprocess.run(command, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    return min(run(name) for _ in range(3)) - min(run("none") for _ in range(3))


def installed_mb(package: str | None) -> float:
    """Size on disk of `package` and every distribution it requires, recursively."""
    seen: set[str] = set()
    todo = [package] if package else []
    total = 0
    while todo:
        name = re.split(r"[ ;<>=!~\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        for f in dist.files or ():
            path = Path(str(dist.locate_file(f)))
            total += path.stat().st_size if path.is_file() else 0
        todo += [r for r in dist.requires or () if "extra ==" not in r]
    return total / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--dump", type=Path, help="write the texts and sentences, then stop")
    parser.add_argument("--data", type=Path, help="read them instead of the project's sets")
    parser.add_argument("--first-call", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_call:
        if args.first_call != "none":
            READERS[args.first_call][0](["survival"])("No difference in survival.")
        return
    if args.data:
        raw = json.loads(args.data.read_text())
        data = Data(raw["texts"], raw["terms"], [(s, t, e) for s, t, e in raw["cases"]])
    else:
        data = project_data()
    if args.dump:
        args.dump.write_text(json.dumps(asdict(data)))
        return
    rows = []
    for name, (factory, package) in READERS.items():
        try:
            read = factory(data.terms)
        except ImportError as e:
            print(f"{name:9} not installed ({e.name})")
            continue
        rows.append(
            {
                "reader": name,
                "sentences_right": accuracy(read, data.cases),
                "ms_per_abstract": round(speed(read, data.texts, args.rounds), 3),
                "startup_s": round(startup(name), 3),
                "installed_mb": round(installed_mb(package), 1),
            }
        )
    if args.json:
        print(json.dumps({"abstracts": len(data.texts), "readers": rows}, indent=2))
        return
    print(f"{len(data.texts)} abstract sections; {len(data.cases)} hand-written sentences")
    print(f"{'reader':9} {'right':>9} {'ms/abstract':>12} {'startup s':>10} {'installed MB':>13}")
    for r in rows:
        print(
            f"{r['reader']:9} {r['sentences_right']:>4}/{len(data.cases):<4} "
            f"{r['ms_per_abstract']:>12.3f} {r['startup_s']:>10.3f} {r['installed_mb']:>13.1f}"
        )


if __name__ == "__main__":
    main()
