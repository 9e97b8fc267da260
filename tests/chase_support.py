"""Shared pieces of the citation chase tests (tests/ingest/test_citation_chase*.py): a small
world over the simulator, a config, the CLI, and reads of what was asked and stored.

The world: the STIMALS paper and an earlier sham-controlled rTMS trial's paper, which the
shipped queries find; a systematic review of "noninvasive brain stimulation (NIBS)" that
never says "magnetic", has no MeSH and names the disease only as "ALS" (so no query finds
it), and cites the trial's paper; and a stroke paper citing it too (fetched, not relevant).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e_support import write_config_file
from tracker.simulator import RegistrySimulator, make_article, make_epmc_record, make_preprint
from tracker.store.db import open_database, session_scope
from tracker.store.models import Article, Assessment, CitationChase

ALS_MESH = (("D000690", "Amyotrophic Lateral Sclerosis", False, ()),)
RCT = (("D016428", "Journal Article"), ("D016449", "Randomized Controlled Trial"))
SYSTEMATIC = (("D016428", "Journal Article"), ("D000078182", "Systematic Review"))
INDEX, TRIAL, REVIEW, STROKE, LATE = "39101019", "39200001", "39800001", "39800002", "39800003"
ELINK, CITATIONS = "/entrez/eutils/elink.fcgi", "/europepmc/webservices/rest/MED/*"
EPMC_CITATIONS = r"/europepmc/webservices/rest/(?P<src>\w+)/(?P<id>[^/]+)/citations"


def review(pmid: str = REVIEW, cites: str = TRIAL) -> Any:
    """A NIBS review in the issue's words: no 'magnetic', no MeSH, the disease only 'ALS'."""
    return make_article(
        pmid,
        title="Noninvasive brain stimulation (NIBS) for ALS: a systematic review",
        mesh=(),
        databanks=(),
        pub_types=SYSTEMATIC,
        entrez_date="2025/03/03",
        abstract=(
            (
                None,
                None,
                "Noninvasive brain stimulation (NIBS) has been tried as a treatment to slow "
                "ALS. We systematically reviewed randomised sham-controlled trials of NIBS in "
                "people with ALS. Six trials (212 patients) were included. NIBS did not "
                "significantly slow ALSFRS-R decline compared with sham (p = 0.31).",
            ),
        ),
        references=(("Di Lazzaro V. 2006", cites),),
    )


def build_pubmed(sim: RegistrySimulator) -> None:
    world = sim.pubmed
    world.add(
        make_article(
            INDEX,
            title="Transcranial static magnetic stimulation in amyotrophic lateral sclerosis",
            doi="10.1016/j.lanepe.2024.101019",
            mesh=ALS_MESH,
            abstract=((None, None, "tSMS in ALS (NCT04393467)."),),
        )
    )
    world.add(
        make_article(
            TRIAL,
            title="Repetitive transcranial magnetic stimulation in amyotrophic lateral sclerosis",
            mesh=ALS_MESH,
            databanks=(),
            pub_types=RCT,
            year="2006",
            entrez_date="2006/09/20",
            abstract=(
                (
                    None,
                    None,
                    "Twenty patients with amyotrophic lateral sclerosis were randomised to real "
                    "or sham rTMS. Real rTMS significantly slowed ALSFRS-R decline compared "
                    "with sham (p = 0.01).",
                ),
            ),
        )
    )
    world.add(review())
    world.add(
        make_article(
            STROKE,
            title="Transcranial direct current stimulation after stroke",
            mesh=(),
            databanks=(),
            abstract=((None, None, "tDCS improved aphasia after stroke."),),
            references=(("Di Lazzaro V. 2006", TRIAL),),
        )
    )


def config(tmp_path: Path, sim: RegistrySimulator, db_url: str, **citations: int) -> Path:
    path = write_config_file(tmp_path, sim, db_url)
    text = path.read_text()
    for key, value in citations.items():
        text = text.replace(f"\n{key} = ", f"\n{key} = {value}\n# was: ", 1)
    path.write_text(text)
    return path


@pytest.fixture(autouse=True)
def closed_engines(monkeypatch):
    """Each command's engines are disposed when it ends (as the process exit would do).
    Autouse in each test module that imports it."""
    import tracker.store.db as db_module

    real = db_module.open_database

    def tracked(url: str, *args: Any, **kwargs: Any):  # noqa: ANN202
        OPENED.append(real(url, *args, **kwargs))
        return OPENED[-1]

    monkeypatch.setattr(db_module, "open_database", tracked)


OPENED: list[Any] = []


def cli(path: Path, *args: str, code: int = 0) -> str:
    from typer.testing import CliRunner

    import tracker.cli.main  # noqa: F401  (registers the commands)
    from tracker.cli.app import app

    try:
        result = CliRunner().invoke(app, ["--config", str(path), *args])
    finally:
        while OPENED:
            OPENED.pop().dispose()
    assert result.exit_code == code, result.output
    return result.stdout if args[0] in ("show", "export", "status") else result.output


def asked(sim: RegistrySimulator, since: int, path: str) -> list[dict[str, str]]:
    prefix = path.removesuffix("*")
    return [r.params for r in sim.requests.snapshot()[since:] if r.path.startswith(prefix)]


def cited_asked(sim: RegistrySimulator, since: int = 0) -> list[str]:
    """The papers Europe PMC was asked who cites, as 'SRC/id', in order."""
    found = (re.fullmatch(EPMC_CITATIONS, r.path) for r in sim.requests.snapshot()[since:])
    return [f"{m['src']}/{m['id']}" for m in found if m]


def chased(db_url: str) -> dict[tuple[str, str], date]:
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            return {
                (c.cited_id, c.source): c.chased_on for c in session.scalars(select(CitationChase))
            }
    finally:
        engine.dispose()


def article(db_url: str, rid: str) -> tuple[Article | None, Assessment | None]:
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            found = session.get(Article, rid)
            judged = session.get(Assessment, rid)
            if found is not None:
                session.expunge(found)
            if judged is not None:
                session.expunge(judged)
            return found, judged
    finally:
        engine.dispose()


def build_europepmc(sim: RegistrySimulator) -> None:
    world = sim.europepmc
    world.add(
        make_epmc_record(
            TRIAL,
            title="Repetitive transcranial magnetic stimulation in amyotrophic lateral sclerosis",
            first_publication_date="2006-09-20",
            pub_types=("randomized controlled trial", "journal article"),
            abstract=(
                "Twenty patients with amyotrophic lateral sclerosis were randomised to real or "
                "sham rTMS. Real rTMS significantly slowed ALSFRS-R decline compared with sham "
                "(p = 0.01)."
            ),
        )
    )
    world.add(
        make_preprint(
            "PPR900001",
            title="Noninvasive brain stimulation (NIBS) for ALS: a systematic review",
            first_publication_date="2025-03-03",
            abstract=(
                "We systematically reviewed randomised sham-controlled trials of NIBS in "
                "people with ALS. Six trials (212 patients) were included. NIBS did not "
                "significantly slow ALSFRS-R decline compared with sham (p = 0.31)."
            ),
        )
    )
    world.cite("PPR900001", TRIAL)
