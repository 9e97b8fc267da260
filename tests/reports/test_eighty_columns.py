"""An 80-column terminal: tables drop columns by priority, every other line folds between
words under a hanging indent; nothing is cut, and `status`, `run`, `digest` and `evidence`
over a populated world print no line wider than 80 columns."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime, timedelta

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.cli.app import tell
from tracker.config import DEFAULT_CONFIG, load_config
from tracker.demo.world import first_week, next_week
from tracker.ids import Source
from tracker.reports.digest import build_digest
from tracker.reports.digest_data import SourceHealth
from tracker.reports.ledger import build_ledger
from tracker.reports.render.console import health_table, render_digest
from tracker.reports.render.fold import NBSP, fold
from tracker.reports.render.ledger import render_ledger
from tracker.schedule.history import JobHealth
from tracker.schedule.status import jobs_table
from tracker.simulator import RegistrySimulator
from tracker.store.db import open_database

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def printed(renderable, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


def health() -> list[SourceHealth]:
    failed = SourceHealth(
        Source.PUBMED, T0, "interrupted", T0 - timedelta(days=3), 1200, 4800, False, 17, [], 123456
    )
    ok = SourceHealth(Source.CTGOV, T0, "ok", T0, 4, 4, True, 0, [], 4)
    never = SourceHealth(Source.EUROPEPMC, None, None, None, None, None, None, None, [], 0)
    return [ok, failed, never]


def test_source_table_fits_80_columns_without_cutting_a_cell():
    text = printed(health_table(health()), 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    assert "INCOMPLETE (interrupted)" in text and "2026-12-06 08:00" in text
    assert "retries" not in text  # the least important column went first
    wide = printed(health_table(health()), 140)
    assert "retries" in wide and "last success" in wide and "123456" in wide


def test_jobs_table_fits_80_columns_and_says_when_no_scheduler_runs():
    jobs = [
        JobHealth("ctgov", T0 + timedelta(days=1), "failed", T0, T0, "boom", 4, T0),
        JobHealth("email", None, None, None, None, None, 0, None),
    ]
    text = printed(jobs_table(jobs, scheduler_running=True), 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text and "4 since 2026-12-06 08:00 UTC" in text
    assert "2026-12-07 08:00 UTC" in text  # next run
    stopped = printed(jobs_table(jobs, scheduler_running=False), 80)
    assert "2026-12-07 08:00 UTC" not in stopped and "scheduler not running" in stopped


# --- Every line of status, run, digest and evidence over a populated world ---------------

BOX = re.compile(r"[\u2500-\u257f]+")  # table borders and progress bars


def tokens(text: str) -> set[str]:
    """The words of an output, digits made equal (two runs a minute apart print other
    times); table borders and progress bars are not words."""
    return {re.sub(r"\d", "0", word) for word in BOX.sub(" ", text).split()}


def check_80(narrow: str, wide: str) -> None:
    """Every line fits 80 columns; nothing is cut ('…'), and no word is broken: every word
    printed at 80 columns is a word of the same output printed wide."""
    too_wide = [line for line in narrow.splitlines() if cell_len(line) > 80]
    assert too_wide == [], too_wide
    assert "…" not in narrow
    broken = tokens(narrow) - tokens(wide)
    assert broken == set(), (broken, narrow)


def test_fold_keeps_words_whole_under_a_hanging_indent():
    text = Text("  ")
    text.append("NCT04393467", style="bold")
    text.append(" Transcranial static magnetic stimulation in amyotrophic lateral sclerosis")
    lines = [line.plain for line in fold(text, 40, hang=14)]
    assert lines == [
        "  NCT04393467 Transcranial static",
        "              magnetic stimulation in",
        "              amyotrophic lateral",
        "              sclerosis",
    ]
    assert fold(text, 40, hang=14)[0].spans[0].style == "bold"  # styles stay on their words
    # A no-break space keeps a phrase whole, and prints as a space.
    counts = f"{NBSP}· ".join(c.replace(" ", NBSP) for c in ["pending 2", "not applicable 2"])
    assert [line.plain for line in fold(Text("Studies: " + counts), 26, hang=9)] == [
        "Studies: pending 2 ·",
        "         not applicable 2",
    ]
    # Only a word wider than the line is broken; wide characters count two cells.
    assert [line.plain for line in fold(Text("x" * 25 + " end"), 10, hang=2)] == [
        "x" * 10,
        "  " + "x" * 8,
        "  " + "x" * 7,
        "  end",
    ]
    assert [line.plain for line in fold(Text("肌萎缩 侧索硬化症"), 8, hang=0)] == [
        "肌萎缩",
        "侧索硬化"[:4],
        "症",
    ]


def test_a_message_folds_on_a_terminal_and_stays_one_line_for_grep():
    message = "ctgov: incremental since 2026-09-12: fetched 3 of 3 expected; " * 2
    out = io.StringIO()
    piped = Console(file=out, width=80, soft_wrap=True)  # stderr into cron mail or a pipe
    tell(piped, message)
    assert out.getvalue() == message + "\n"  # as it is, one line
    out = io.StringIO()
    terminal = Console(file=out, width=80, soft_wrap=True, force_terminal=True, no_color=True)
    tell(terminal, message)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all(cell_len(line) <= 80 for line in lines), lines
    assert lines[1].startswith("  ") and not lines[1].startswith("   ")


def _on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """`tracker ARGS` in its own process on a pseudo-terminal of 80 columns (TERM=dumb: no
    colours and no redrawn progress bars, so the screen is the text read back)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 25, 80, 0, 0))
    full = {**os.environ, **env, "TERM": "dumb", "NO_COLOR": "1"}
    full.pop("COLUMNS", None)  # the terminal's own width decides
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=full,
    )
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if not select.select([master], [], [], 1)[0]:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            out += data
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    return code, out.decode().replace("\r\n", "\n")


def _in_process(args: list[str], env: dict[str, str], columns: int, monkeypatch) -> tuple[int, str]:
    """`tracker ARGS` in this process (cheaper than a process each under load); COLUMNS sets
    the width of its stdout (its stderr is no terminal: one line a message)."""
    from typer.testing import CliRunner

    import tracker.cli.main  # noqa: F401  (registers the commands)
    import tracker.store.db as db_module
    from tracker.cli.app import app

    opened: list[Engine] = []

    def tracked(url: str) -> Engine:  # the command's engines, closed after it
        opened.append(open_database(url))
        return opened[-1]

    with monkeypatch.context() as patch:
        for name, value in {**env, "COLUMNS": str(columns), "NO_COLOR": "1"}.items():
            patch.setenv(name, value)
        patch.setattr(db_module, "open_database", tracked)
        try:
            result = CliRunner().invoke(app, args)
        finally:
            while opened:
                opened.pop().dispose()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout + result.stderr


def test_status_run_digest_and_evidence_fit_80_columns(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    shipped = DEFAULT_CONFIG.read_text()
    # One quick retry: its warning is a log line to fold too.
    quick = shipped.replace("retries = 5", "retries = 1").replace("base = 1.0", "base = 0.01")
    assert quick.count("retries = 1") == 1 and "backoff_base = 0.01" in quick
    config.write_text(quick)
    for name in [k for k in os.environ if k.startswith("TRACKER_")]:
        monkeypatch.delenv(name)
    with RegistrySimulator() as sim:
        env = {
            "TRACKER_CTGOV_URL": sim.ctgov_url,
            "TRACKER_PUBMED_URL": sim.pubmed_url,
            "TRACKER_EUROPEPMC_URL": sim.europepmc_url,
            "TRACKER_CTGOV_RPS": "0",
            "TRACKER_PUBMED_RPS": "0",
            "TRACKER_EUROPEPMC_RPS": "0",
        }
        narrow_env = {**env, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'narrow.db'}"}
        wide_env = {**env, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'wide.db'}"}
        run = ["--config", str(config), "run"]
        first_week(sim)
        assert _in_process(run, narrow_env, 80, monkeypatch)[0] == 0
        shutil.copy(tmp_path / "narrow.db", tmp_path / "wide.db")  # the same first week
        next_week(sim)
        # Europe PMC fails this week, after a retry: its warning and its error are lines to
        # fold as well.
        sim.faults.inject("500", path="/europepmc/webservices/rest/*", count=100)
        code, narrow = _on_a_terminal(run, narrow_env)  # the real thing, on a terminal
        wide_code, wide = _in_process(run, wide_env, 400, monkeypatch)
    assert code == wide_code == 1, narrow
    assert "status: Recruiting → Terminated" in narrow
    assert "tracker: error: europepmc:" in narrow and "WARNING" in narrow
    check_80(narrow, wide)
    for command in ("status", "digest", "evidence"):
        args = ["--config", str(config), command]
        code, narrow = _in_process(args, narrow_env, 80, monkeypatch)
        assert code == 0, narrow
        check_80(narrow, _in_process(args, narrow_env, 400, monkeypatch)[1])
        if command == "digest":
            digest = narrow
    # The ledger folds between its counts, a title under the title, a time kept whole.
    assert "\n                    not applicable 2\n" in digest, digest
    assert "\n              sclerosis\n" in digest  # under "NCT04393467 "
    assert re.search(r"\n      · \d{4}-\d\d-\d\d \d\d:\d\d\n", digest)

    # The reports themselves through a rich console of 80 columns.
    engine = open_database(narrow_env["TRACKER_DATABASE_URL"])
    try:
        with Session(engine) as session:
            digest_view = build_digest(session, since=None, until=datetime.now(UTC))
            ledger = build_ledger(session, load_config(config, env={}).claim)
    finally:
        engine.dispose()
    for renderable in (render_digest(digest_view), render_ledger(ledger)):
        check_80(printed(renderable, 80), printed(renderable, 400))
