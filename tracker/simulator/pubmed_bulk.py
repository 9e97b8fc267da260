"""make_bulk_articles: many distinct PubMed records, fast, for benchmarks and paging tests.

A handful of templates are built in full with make_article; each record then varies its
PMID, title, abstract, dates, DOI and NCT id, reusing the template's large fragments
(authors, MeSH, padding references). Records keep a ChainMap of their own arguments over
the template's, so PubmedWorld.update can rebuild any of them with make_article.
"""

from __future__ import annotations

import random
from collections import ChainMap
from datetime import date
from typing import Any

import tracker.simulator.pubmed_xml as px

from .pubmed_records import Article, build_article, make_article, padding_for, static_parts

# Every topic matches the shipped PubMed query (ALS/MND AND a magnetic stimulation term), so
# bulk worlds exercise a real sync; (intervention, condition, condition MeSH, intervention MeSH)
_ALS = ("D000690", "Amyotrophic Lateral Sclerosis")
_MND = ("D016472", "Motor Neuron Disease")
_TMS = ("D050781", "Transcranial Magnetic Stimulation")
_MFT = ("D008279", "Magnetic Field Therapy")
_BULK_TOPICS = [
    ("transcranial magnetic stimulation", "amyotrophic lateral sclerosis", _ALS, _TMS),
    ("repetitive magnetic stimulation (rTMS)", "amyotrophic lateral sclerosis", _ALS, _TMS),
    (
        "transcranial static magnetic stimulation (tSMS)",
        "amyotrophic lateral sclerosis",
        _ALS,
        _MFT,
    ),
    ("theta burst stimulation", "motor neuron disease", _MND, _TMS),
    ("static magnetic field therapy", "motor neurone disease", _MND, _MFT),
    ("intermittent theta-burst stimulation", "amyotrophic lateral sclerosis", _ALS, _TMS),
]
_BULK_KINDS = ["Randomized trial of", "Pilot study of", "Long-term follow-up of", "Effect of"]
_BULK_FINDINGS = [
    "The primary endpoint was met.",
    "The primary endpoint was not met.",
    "Adverse events were mild and transient.",
    "Survival did not differ between groups.",
    "Functional decline was slower in the active group.",
]
_BULK_FIRST = date(2015, 1, 1).toordinal()
_BULK_LAST = date(2025, 1, 15).toordinal()


def _bulk_template(index: int, size_kb: float) -> tuple[dict[str, Any], dict[str, str], int]:
    intervention, condition, disease, device = _BULK_TOPICS[index % len(_BULK_TOPICS)]
    therapy = ("Q000628", "therapy", True)
    base = make_article(
        "39999999",
        title=f"Effect of {intervention} in {condition}",
        journal=list(px.JOURNALS)[index % len(px.JOURNALS)],
        mesh=[(*disease, False, [therapy]), (*device, index % 2 == 0, [])],
        keywords=[intervention, condition],
        databanks=[] if index % 3 == 2 else [("ClinicalTrials.gov", ["NCT00000000"])],
        authors=[("Capone", "Federico", "F"), ("Ruiz", "Ana", "A"), ("Okafor", "Chidi N", "CN")],
        size_kb=size_kb,
    )
    args = dict(base.args)
    static = static_parts(args)
    return args, static, padding_for(args, static)


def make_bulk_articles(n: int, *, seed: int = 0, size_kb: float = 6) -> list[Article]:
    """`n` distinct, varied records (PMIDs 3xxxxxxx, unique) of about `size_kb` KiB each.

    Fast (100,000 in a few seconds): the large fragments of a handful of templates are
    rendered once; each record varies its id, title, abstract, dates, DOI and NCT id. All
    are about magnetic stimulation in ALS/MND, so the shipped PubMed query finds them all."""
    if not 0 <= n <= 9 * 10**6:
        raise ValueError("n must be between 0 and 9,000,000")
    rng = random.Random(seed)
    templates = [_bulk_template(i, size_kb) for i in range(len(_BULK_TOPICS))]
    first = 30_000_000 + (seed * 100_003) % (9 * 10**6 - n + 1)
    articles = []
    for i in range(n):
        template, static, padding = templates[i % len(templates)]
        intervention, condition, _, _ = _BULK_TOPICS[i % len(_BULK_TOPICS)]
        edat = date.fromordinal(rng.randint(_BULK_FIRST, _BULK_LAST))
        mdat = date.fromordinal(min(edat.toordinal() + rng.randint(0, 400), _BULK_LAST))
        pmid = str(first + i)
        own: dict[str, Any] = {
            "pmid": pmid,
            "title": f"{rng.choice(_BULK_KINDS)} {intervention} in {condition} ({i})",
            "abstract": [
                ("BACKGROUND", "BACKGROUND", f"We studied {intervention} in {condition}."),
                ("RESULTS", "RESULTS", rng.choice(_BULK_FINDINGS)),
                ("CONCLUSIONS", "CONCLUSIONS", rng.choice(_BULK_FINDINGS)),
            ],
            "year": str(edat.year),
            "month": px.MONTHS[edat.month - 1],
            "entrez_date": f"{edat.year}/{edat.month:02d}/{edat.day:02d}",
            "mdat": f"{mdat.year}/{mdat.month:02d}/{mdat.day:02d}",
            "doi": f"10.1016/j.lanepe.{edat.year}.{pmid}",
        }
        if template["databanks"]:
            own["databanks"] = [("ClinicalTrials.gov", [f"NCT0{rng.randrange(10**7):07d}"])]
        articles.append(build_article(ChainMap(own, template), static, padding))
    return articles
