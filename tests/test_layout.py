"""The layout stays as docs/architecture.md describes it, and strings other programs keep
survive moving code between modules.

Layout: at the root of tracker/ only errors, ids, config and http (the last two as packages),
besides __init__ and __main__; every other piece of code lives in the package of its layer,
every package is in the import-linter layers contract (pyproject.toml), and no module is over
300 lines.

Strings: APScheduler's job store keeps a textual reference to the job function in the database, and
users filter logs by logger name. Both were fixed before the code was grouped into packages
by layer; a move that changes either breaks a deployed scheduler or a user's log filter.
"""

from __future__ import annotations

import importlib
import logging
import re
import tomllib

import pytest
from apscheduler.util import obj_to_ref, ref_to_obj

from tests import paths
from tracker.ids import Source
from tracker.ingest.runs import fingerprint
from tracker.schedule import history, jobs, scheduler

LOGGERS = [
    ("tracker.http.transport", "tracker.http"),  # http.py became a package
    ("tracker.sources.pubmed", "tracker.pubmed"),
    ("tracker.ingest.ctgov", "tracker.ctgov"),
    ("tracker.ingest.pubmed", "tracker.pubmed"),
    ("tracker.runtime.workers", "tracker.workers"),  # moved twice, the name kept
    ("tracker.evidence.rules.assess", "tracker.evidence.assess"),
    ("tracker.email.outbox", "tracker.email.outbox"),
    ("tracker.email.report", "tracker.email.report"),
    ("tracker.email.smtp", "tracker.email.smtp"),
    ("tracker.schedule.alerts", "tracker.schedule.alerts"),
    ("tracker.schedule.jobs", "tracker.schedule.jobs"),
    ("tracker.schedule.lock", "tracker.schedule.lock"),
    ("tracker.schedule.scheduler", "tracker.schedule.scheduler"),
    ("tracker.schedule.stop", "tracker.schedule.stop"),
    ("tracker.schedule.store", "tracker.schedule.store"),
    ("tracker.evidence.rules.flags_study", "tracker.evidence.flags"),
    ("tracker.cli.common", "tracker.cli"),
    ("tracker.ingest.europepmc_chase", "tracker.europepmc"),
]
"""(module, the logger name it has always logged under)."""


def test_the_stored_job_reference_resolves_to_the_job_function() -> None:
    # Job stores written by earlier versions hold exactly this string.
    assert scheduler.JOB_FUNC == "tracker.schedule.jobs:run_job"
    assert ref_to_obj(scheduler.JOB_FUNC) is jobs.run_job
    assert obj_to_ref(jobs.run_job) == scheduler.JOB_FUNC


@pytest.mark.parametrize(("module", "name"), LOGGERS)
def test_each_module_logs_under_its_historic_name(module: str, name: str) -> None:
    log = importlib.import_module(module).log
    assert isinstance(log, logging.Logger)
    assert log.name == name


def test_job_ids_stay_the_plain_strings_stored_in_job_runs_and_schedule_state() -> None:
    # Derived from the Source type now; rows written by earlier versions hold these strings.
    assert history.JOB_IDS == ("ctgov", "pubmed", "europepmc", "email")
    assert all(type(job) is str for job in history.JOB_IDS)


def test_query_hashes_are_those_earlier_versions_stored() -> None:
    # A sync compares its query hash with the last run's: a changed hash forces a full sync.
    # The keys are Source members now, hashed exactly as the plain strings were.
    assert fingerprint({Source.PUBMED: "als AND tms"}) == fingerprint({"pubmed": "als AND tms"})
    assert fingerprint({Source.EUROPEPMC: "q"}) == "43fd04e2958f7018affb65a24081b76f3be27359"


TRACKER = paths.REPO / "tracker"
ROOT_MODULES = {"__init__", "__main__", "errors", "ids", "config", "http"}
"""What may sit at the root of tracker/ as a module (config and http may also be packages)."""
MAX_LINES = 300


def test_the_root_of_tracker_holds_only_the_shared_leaves() -> None:
    modules = {path.stem for path in TRACKER.glob("*.py")}
    assert modules <= ROOT_MODULES, f"move into the package of its layer: {modules - ROOT_MODULES}"


def test_no_module_is_over_300_lines() -> None:
    long = {
        path.relative_to(TRACKER).as_posix(): lines
        for path in TRACKER.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split into modules with one job each: {long}"


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((paths.REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _named(contract: dict[str, object], prefix: str) -> set[str]:
    layers = contract["layers"]
    assert isinstance(layers, list)
    return {
        name.strip().removeprefix(prefix)
        for layer in layers
        for name in layer.replace(":", "|").split("|")
    }


def test_every_package_sits_in_the_layers_contract() -> None:
    layers = next(c for c in _contracts() if c["type"] == "layers" and "containers" not in c)
    named = _named(layers, "tracker.")
    packages = {path.parent.name for path in TRACKER.glob("*/__init__.py")}
    modules = {path.stem for path in TRACKER.glob("*.py")} - {"__init__"}
    assert packages | modules <= named, f"not in any layer: {(packages | modules) - named}"


@pytest.mark.parametrize("package", ["tracker.cli", "tracker.evidence"])
def test_every_module_of_a_layered_package_is_in_its_contract(package: str) -> None:
    # tracker.cli: the command modules never import each other; tracker.evidence: the rules
    # import none of the services beside them. A module left out would be unchecked.
    contract = next(c for c in _contracts() if c.get("containers") == [package])
    folder = TRACKER / package.removeprefix("tracker.")
    modules = {p.stem for p in folder.glob("*.py")} | {
        p.parent.name for p in folder.glob("*/__init__.py")
    }
    missing = modules - {"__init__"} - _named(contract, "")
    assert not missing, f"name it in the {package} contract in pyproject.toml: {missing}"


_FILE = re.compile(
    r"(?<![\w/.])((?:tracker|tests|benchmarks|scripts|migrations|deploy)/[\w/-]*"
    r"\.(?:py|md|toml|json|html|service))\b"
)


def test_the_docs_name_files_that_exist() -> None:
    # Moving a module or a test must move the docs that point at it.
    docs = [paths.REPO / "README.md", *sorted((paths.REPO / "docs").glob("*.md"))]
    named = {(doc.name, m) for doc in docs for m in _FILE.findall(doc.read_text("utf-8"))}
    assert len(named) > 20  # the pattern still finds the paths the docs write
    missing = sorted((doc, path) for doc, path in named if not (paths.REPO / path).exists())
    assert not missing, f"docs point at files that are gone: {missing}"


def test_the_simulator_is_imported_one_way() -> None:
    """Tests and benchmarks import the simulator as tracker.simulator, never through a
    second path (the old tests.simulator re-export is gone; only its DTD checker is there)."""
    second_path = re.compile(r"^\s*(from|import) (tests\.)?simulator(?!\.dtd_check)\b", re.M)
    offenders = [
        str(path.relative_to(paths.REPO))
        for folder in ("tests", "benchmarks")
        for path in (paths.REPO / folder).rglob("*.py")
        if second_path.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
