"""`tracker demo`: try the tracker offline, against the loopback simulator and a bundled world."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.app import State, app, stderr
from tracker.cli.common import examples


@app.command(
    epilog=examples(
        "tracker demo                       two weekly runs, then everything is thrown away",
        "tracker demo --keep ~/tracker-demo  keep the config and database to explore after",
    )
)
def demo(
    keep: Annotated[
        Path | None,
        typer.Option(help="Keep the demo's config.toml and database in this folder."),
    ] = None,
    weeks: Annotated[
        int, typer.Option(min=1, max=2, help="1: the first run only; 2: a week later too.")
    ] = 2,
    pause: Annotated[
        bool, typer.Option("--pause", help="Wait for Enter before moving the world on a week.")
    ] = False,
) -> None:
    """Try it offline: a simulated ClinicalTrials.gov, PubMed and Europe PMC on this machine,
    a small world of records, and `tracker run` against it; then the world moves on a week
    (a trial stops, results are posted, a paper is retracted) and `tracker run` shows it.

    Nothing leaves the machine and your own database is not touched."""
    from tracker.config import DEFAULT_CONFIG
    from tracker.demo.world import first_week, next_week
    from tracker.simulator import RegistrySimulator

    folder = keep or Path(tempfile.mkdtemp(prefix="tracker-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    config.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        with RegistrySimulator() as sim:
            env = _demo_env(sim.ctgov_url, sim.pubmed_url, sim.europepmc_url, folder)
            first_week(sim)
            _heading(f"Week 1 ({sim.ctgov.today}): the first run fetches everything")
            code = _run(config, env)
            if weeks == 2 and code == 0:
                if pause and sys.stdin.isatty():
                    input("Press Enter to move the world on a week... ")
                changes = next_week(sim)
                _heading(f"Week 2 ({sim.ctgov.today}): the world moved on")
                for change in changes:
                    stderr.print(f"  {change}", markup=False, highlight=False)
                code = _run(config, env)
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    if keep is not None:
        stderr.print(
            f"The demo's config and database are in {folder}. Explore them with, e.g.\n"
            f"  tracker --config {config} evidence\n"
            f"  tracker --config {config} show {_example_id()}",
            markup=False,
            highlight=False,
        )
    raise typer.Exit(code)


def _demo_env(ctgov: str, pubmed: str, europepmc: str, folder: Path) -> dict[str, str]:
    """The registries are the simulator's, unpaced; the database is the demo folder's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        {
            "TRACKER_CTGOV_URL": ctgov,
            "TRACKER_PUBMED_URL": pubmed,
            "TRACKER_EUROPEPMC_URL": europepmc,
            "TRACKER_CTGOV_RPS": "0",
            "TRACKER_PUBMED_RPS": "0",
            "TRACKER_EUROPEPMC_RPS": "0",
            "TRACKER_DATABASE_URL": f"sqlite:///{folder / 'tracker.db'}",
        }
    )
    env.pop("NCBI_API_KEY", None)  # a real key has no business with the simulator
    return env


def _run(config: Path, env: dict[str, str]) -> int:
    """`tracker run`, exactly as a user would type it."""
    args = [sys.executable, "-m", "tracker", "--config", str(config), "run"]
    if State.quiet:
        args.append("--quiet")
    return subprocess.run(args, env=env, check=False).returncode


def _heading(text: str) -> None:
    stderr.rule(text, style="bold", align="left")


def _example_id() -> str:
    from tracker.demo.world import STOPS

    return STOPS
