"""Shared pieces of the end-to-end tests: a small ALS world and a config pointing at the
simulator. The world mixes what the shipped queries must find with what they must not."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import col

from tracker.config import DEFAULT_CONFIG, Config, load_config
from tracker.http import HttpStats, make_client
from tracker.ingest.ctgov import SyncOutcome, sync_ctgov
from tracker.simulator import CtgovWorld, RegistrySimulator, make_study
from tracker.store.db import session_scope
from tracker.store.models import ChangeEvent, SyncRun, Trial, TrialVersion

ALS = ["Amyotrophic Lateral Sclerosis"]

# Every kind of the intervention family, in ALS or MND: the shipped queries must find all.
FAMILY = [
    ("NCT04393467", "Transcranial static magnetic stimulation in ALS", ALS, "tSMS"),
    ("NCT05000001", "Repetitive TMS over motor cortex in ALS", ALS, "rTMS"),
    ("NCT05000002", "Intermittent theta burst stimulation in ALS", ALS, "iTBS"),
    ("NCT05000003", "Continuous theta-burst stimulation for ALS", ALS, "cTBS"),
    ("NCT05000004", "Deep TMS in motor neurone disease", ["Motor Neurone Disease"], "deep TMS"),
    (
        "NCT05000005",
        "Peripheral magnetic stimulation of the diaphragm in ALS",
        ALS,
        "peripheral magnetic stimulation",
    ),
    (
        "NCT05000006",
        "Static magnetic field stimulation at home in MND",
        ["MND"],
        "static magnetic field stimulation",
    ),
    (
        "NCT05000007",
        "Low-frequency rTMS in primary lateral sclerosis",
        ["Primary Lateral Sclerosis"],
        "repetitive transcranial magnetic stimulation",
    ),
]
# TMS only as a measurement: caught by the wider query, judged later by the evidence rules.
MEASUREMENT = [
    (
        "NCT05100001",
        "Cortical excitability in ALS",
        "Resting motor threshold by transcranial magnetic stimulation",
    ),
    (
        "NCT05100002",
        "Riluzole and cortical hyperexcitability",
        "Short-interval intracortical inhibition measured with magnetic stimulation",
    ),
]
# Must not be fetched: other diseases, or ALS without any magnetic stimulation.
DISTRACTORS = [
    ("NCT05200001", "rTMS for treatment-resistant depression", ["Depression"], "rTMS"),
    ("NCT05200002", "tDCS in ALS", ALS, "transcranial direct current stimulation"),
    ("NCT05200003", "Edaravone in ALS", ALS, "Edaravone"),
    ("NCT05200004", "iTBS after stroke", ["Stroke"], "iTBS"),
]
EXPECTED_IDS = sorted([f[0] for f in FAMILY] + [m[0] for m in MEASUREMENT])


def build_world(world: CtgovWorld) -> None:
    for nct, title, conditions, intervention in FAMILY:
        world.add(
            make_study(
                nct, title=title, conditions=conditions, interventions=[("DEVICE", intervention)]
            )
        )
    for nct, title, outcome in MEASUREMENT:
        world.add(
            make_study(
                nct,
                title=title,
                conditions=ALS,
                interventions=[("DRUG", "Riluzole")],
                outcome_measures=[outcome],
            )
        )
    for nct, title, conditions, intervention in DISTRACTORS:
        world.add(
            make_study(
                nct, title=title, conditions=conditions, interventions=[("DEVICE", intervention)]
            )
        )


def make_config(
    sim: RegistrySimulator,
    db_url: str,
    *,
    page_size: int = 3,
    retries: int = 3,
    timeout: float = 5.0,
) -> Config:
    """The shipped config (its real queries), pointed at the simulator, paced off, fast retries."""
    shipped = load_config(DEFAULT_CONFIG, env={})
    return shipped.model_copy(
        update={
            "database": shipped.database.model_copy(update={"url": db_url}),
            "ctgov": shipped.ctgov.model_copy(
                update={"url": sim.ctgov_url, "rps": 0.0, "page_size": page_size}
            ),
            "http": shipped.http.model_copy(
                update={
                    "retries": retries,
                    "backoff_base": 0.01,
                    "backoff_max": 0.05,
                    "timeout": timeout,
                    "connect_timeout": timeout,
                }
            ),
        }
    )


def run_sync(engine: Engine, cfg: Config, *, full: bool = False) -> tuple[SyncOutcome, HttpStats]:
    stats = HttpStats()
    with make_client(cfg, rps_by_host={}, stats=stats) as client:
        return sync_ctgov(engine, cfg, client, stats, full=full), stats


def try_sync(engine: Engine, cfg: Config) -> Exception | None:
    stats = HttpStats()
    with make_client(cfg, rps_by_host={}, stats=stats) as client:
        try:
            sync_ctgov(engine, cfg, client, stats)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            return exc
    return None


def stored_ids(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return sorted(session.scalars(select(col(Trial.nct_id))))


def count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def events(engine: Engine) -> list[tuple[str, str, str | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.scalars(
            select(ChangeEvent).order_by(ChangeEvent.record_id, ChangeEvent.field)
        )
        return [(e.record_id, e.field, e.old, e.new) for e in rows]


def last_run(engine: Engine) -> SyncRun:
    with session_scope(engine) as session:
        run = session.scalars(select(SyncRun).order_by(col(SyncRun.id).desc())).first()
        assert run is not None, "no sync run recorded"
        return run


def versions_of(engine: Engine, nct: str) -> int:
    with session_scope(engine) as session:
        stmt = select(func.count()).select_from(TrialVersion).where(col(TrialVersion.nct_id) == nct)
        return int(session.scalar(stmt) or 0)


def write_config_file(tmp: Path, sim: RegistrySimulator, db_url: str) -> Path:
    """A config file for CLI subprocess tests: the shipped queries, the simulator, fast retries."""
    text = DEFAULT_CONFIG.read_text()
    text = text.replace('url = "https://clinicaltrials.gov/api/v2"', f'url = "{sim.ctgov_url}"')
    pubmed_url = getattr(sim, "pubmed_url", "http://127.0.0.1:9/unreachable")
    text = text.replace(
        'url = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"', f'url = "{pubmed_url}"\nrps = 0'
    )
    epmc_url = getattr(sim, "europepmc_url", "http://127.0.0.1:9/unreachable")
    text = text.replace(
        'url = "https://www.ebi.ac.uk/europepmc/webservices/rest"\nrps = 2.0',
        f'url = "{epmc_url}"\nrps = 0',
    )
    text = text.replace("rps = 1.0", "rps = 0")
    text = text.replace("page_size = 1000", "page_size = 4")
    text = text.replace("retries = 5", "retries = 2").replace(
        "backoff_base = 1.0", "backoff_base = 0.01"
    )
    text = text.replace("backoff_max = 120.0", "backoff_max = 0.05")
    text = text.replace('url = "sqlite:///tracker.db"', f'url = "{db_url}"')
    path = tmp / "config.toml"
    path.write_text(text)
    return path
