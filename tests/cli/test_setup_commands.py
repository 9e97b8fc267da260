"""`tracker init`, `tracker config`, `tracker doctor` and where the database lives, as a user
runs them: real subprocesses, the simulator, a real SMTP server, a silent TCP server."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e_support import build_world, write_config_file
from tests.email_support import MailServer

STATUSES = ("ok", "warn", "fail")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, code: int | None = 0):
    full = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    full.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    if code is not None:
        assert result.returncode == code, result.stderr
    return result


def test_init_writes_a_config_and_says_where_the_database_lives(tmp_path):
    result = run("init", "site", cwd=tmp_path)
    written = tmp_path / "site" / "config.toml"
    assert written.read_text().startswith("# Written by `tracker init`")
    assert f"database will live at {tmp_path / 'site' / 'tracker.db'}" in result.stderr
    again = run("init", "site", cwd=tmp_path, code=2)
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr
    # The written file is a valid config: commands read it.
    shown = run("--config", str(written), "config", "--format", "json", cwd=tmp_path)
    assert json.loads(shown.stdout)["database"] == f"sqlite:///{tmp_path / 'site' / 'tracker.db'}"


def test_without_a_config_file_the_database_is_in_the_user_data_folder(tmp_path):
    elsewhere = tmp_path / "some" / "folder"
    elsewhere.mkdir(parents=True)
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    result = run("status", "-v", cwd=elsewhere, env=env)
    expected = tmp_path / "data" / "tracker" / "tracker.db"
    assert expected.is_file()
    assert list(elsewhere.iterdir()) == []  # nothing created where the command ran
    assert f"database: sqlite:///{expected}" in result.stderr
    # From another folder, the same database.
    other = run("config", "--format", "json", cwd=tmp_path, env=env)
    assert json.loads(other.stdout)["database"] == f"sqlite:///{expected}"


def test_config_names_each_origin_and_masks_secrets(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[operator]\ncontact = "me@example.net"\n[ctgov]\nrps = 0.5\n')
    env = {
        "TRACKER_PUBMED_URL": "http://127.0.0.1:9/eutils",
        "TRACKER_DATABASE_URL": "postgresql+psycopg://tracker:hunter2pw@db.example/tracker",
        "NCBI_API_KEY": "abcdef0123456789key",
        "TRACKER_SMTP_PASSWORD": "smtp-secret-pw",
    }
    result = run("--config", str(config), "config", cwd=tmp_path, env=env)
    lines = dict(line.split(" = ", 1) for line in result.stdout.splitlines() if " = " in line)
    assert lines["operator.contact"] == '"me@example.net"    # file'
    assert lines["ctgov.rps"] == "0.5    # file"
    assert lines["ctgov.url"].endswith("# default")
    assert (
        lines["pubmed.url"] == '"http://127.0.0.1:9/eutils"    # environment ($TRACKER_PUBMED_URL)'
    )
    assert lines["NCBI_API_KEY"] == '"set (hidden)"    # environment'
    for secret in ("hunter2pw", "abcdef0123456789key", "smtp-secret-pw"):
        assert secret not in result.stdout + result.stderr
    assert "postgresql+psycopg://tracker:****@db.example/tracker" in result.stdout


@pytest.fixture
def silent_port():
    """A TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def test_doctor_passes_against_working_registries_and_mail_server(simulator, tmp_path):
    build_world(simulator.ctgov)
    config = write_config_file(tmp_path, simulator, f"sqlite:///{tmp_path / 't.db'}")
    with MailServer("none", users={"ops": "pw"}) as mail:
        env = {
            "TRACKER_SMTP_HOST": "127.0.0.1",
            "TRACKER_SMTP_PORT": str(mail.port),
            "TRACKER_SMTP_SECURITY": "none",
            "TRACKER_SMTP_USER": "ops",
            "TRACKER_SMTP_PASSWORD": "pw",
            "TRACKER_EMAIL_FROM": "tracker@example.org",
            "TRACKER_EMAIL_TO": "team@example.org",
        }
        run("--config", str(config), "status", cwd=tmp_path)  # creates the database
        result = run("--config", str(config), "doctor", "--format", "json", cwd=tmp_path, env=env)
        assert mail.received == []  # logged in, sent nothing
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is True
    for name in ("config", "database", "schema", "ctgov", "pubmed", "europepmc", "smtp", "disk"):
        assert checks[name]["status"] == "ok", checks[name]
    assert "logged in as ops; nothing sent" in checks["smtp"]["detail"]
    assert checks["scheduler"]["status"] == "warn"  # no `tracker schedule` running
    assert checks["operator"]["status"] == "warn" and "placeholder" in checks["operator"]["detail"]

    wrong = dict(env, TRACKER_SMTP_PASSWORD="nope")
    with MailServer("none", users={"ops": "pw"}) as mail:
        wrong["TRACKER_SMTP_PORT"] = str(mail.port)
        failed = run("--config", str(config), "doctor", cwd=tmp_path, env=wrong, code=1)
    line = next(x for x in failed.stdout.splitlines() if " smtp " in x)
    assert line.startswith("fail") and "535" in line


def test_doctor_with_every_registry_unreachable_fails_within_ten_seconds(tmp_path, silent_port):
    config = tmp_path / "config.toml"
    config.write_text('[operator]\ncontact = "me@example.net"\n')
    env = {
        "TRACKER_CTGOV_URL": f"http://127.0.0.1:{silent_port}/api/v2",  # never answers
        "TRACKER_PUBMED_URL": "http://127.0.0.1:9/eutils",  # refused
        "TRACKER_EUROPEPMC_URL": f"http://127.0.0.1:{silent_port}/rest",
    }
    start = time.monotonic()
    result = run("--config", str(config), "doctor", "-f", "json", cwd=tmp_path, env=env, code=1)
    # The checks take under 10 s: each registry is asked once, all at the same time, with a
    # deadline. (The whole process adds its start-up, about a second on an idle machine.)
    report = json.loads(result.stdout)
    assert report["seconds"] < 10
    assert time.monotonic() - start < 60
    checks = {c["name"]: c for c in report["checks"]}
    for name in ("ctgov", "pubmed", "europepmc"):
        assert checks[name]["status"] == "fail", checks[name]
        assert f"$TRACKER_{name.upper()}_URL" in checks[name]["hint"]
    assert "no answer within" in checks["ctgov"]["detail"]
    assert "check the network" in checks["pubmed"]["hint"]
    assert checks["operator"]["status"] == "ok"
    assert not (tmp_path / "tracker.db").exists()  # doctor creates nothing

    # The text form at 80 columns: every line fits, folded between words, continuations under
    # the detail column; nothing is lost (only a word wider than a line, such as pytest's
    # long temporary path, is broken).
    narrow = run(
        "--config", str(config), "doctor", cwd=tmp_path, env={**env, "COLUMNS": "80"}, code=1
    )
    wide = run(
        "--config", str(config), "doctor", cwd=tmp_path, env={**env, "COLUMNS": "400"}, code=1
    )
    lines = narrow.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, narrow.stdout
    assert max(len(line) for line in wide.stdout.splitlines()) > 80  # something did fold

    def content(out: str) -> str:  # the free disk space moves between the two runs
        return re.sub(r"[\d.]+GiB", "GiB", "".join(out.split()))

    assert content(narrow.stdout) == content(wide.stdout)
    assert "check the network, a proxy (HTTPS_PROXY), or" in narrow.stdout  # not cut mid-word
    assert all(line.startswith(" " * 17) for line in lines if line[:4].strip() not in STATUSES)


def test_status_and_doctor_see_a_running_scheduler(tmp_path):
    from tracker.schedule.lock import SCHEDULER, WriterLock
    from tracker.store.db import open_database

    config = tmp_path / "config.toml"
    config.write_text('[database]\nurl = "sqlite:///t.db"\n')
    engine = open_database(f"sqlite:///{tmp_path / 't.db'}")
    lock = WriterLock(engine, SCHEDULER, command="tracker schedule", heartbeat=0.5)
    assert lock.try_acquire() is None
    try:
        status = run("--config", str(config), "status", cwd=tmp_path)
        assert "Scheduler: running: tracker schedule (pid" in status.stdout
        doctor = run("--config", str(config), "doctor", "--format", "json", cwd=tmp_path, code=None)
        checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
        assert checks["scheduler"]["status"] == "ok"
    finally:
        lock.release()
        engine.dispose()
    stopped = run("--config", str(config), "status", "--format", "json", cwd=tmp_path)
    assert json.loads(stopped.stdout)["scheduler"]["running"] is False
