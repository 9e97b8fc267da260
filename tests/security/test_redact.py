"""No secret leaves the process: the scrubber, and a failing run grepped for a planted key.

The hostile server answers like NCBI does when it throttles or refuses a key: a JSON body
that names the key. Everything a failing run leaves behind (stderr, stdout, the log file,
the database file, every digest format, `status`, the email) is searched for the key."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli.test_cli import tracker
from tests.e2e_support import write_config_file
from tracker.errors import SourceError
from tracker.runtime import redact

KEY = "f3c9a1b2d4e5f60718293a4b5c6d7e8f9a0b"


# --- the scrubber -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"error":"API rate limit exceeded","api-key":"SECRETVALUE","count":"11"}',
        "HTTP 429 from https://eutils/esearch.fcgi?db=pubmed&api_key=SECRETVALUE&term=x",
        "api_key = SECRETVALUE",
        "apikey: SECRETVALUE",
        "postgresql://tracker:SECRETVALUE@db.example.org:5432/tracker",
    ],
)
def test_key_fields_and_url_passwords_are_masked_whatever_their_value(text):
    assert "SECRETVALUE" not in redact.scrub(text)
    assert "***" in redact.scrub(text)


def test_known_secret_values_are_masked_anywhere_also_percent_encoded(monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "k/ey+1234")
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "hunter2hunter2")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql://u:p%40ssw0rd@h/db")
    text = "a k/ey+1234 b k%2Fey%2B1234 c hunter2hunter2 d p@ssw0rd"
    assert redact.scrub(text) == "a *** b *** c *** d ***"


def test_short_and_ordinary_text_is_left_alone(monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "ab")  # too short to search for without garbling text
    text = "about ALS: pageToken=abc, the keys of the study, rapid progression"
    assert redact.scrub(text) == text


def test_errors_are_scrubbed_when_made(monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    error = SourceError("pubmed", f'HTTP 400: {{"error":"API key invalid","api-key":"{KEY}"}}')
    assert KEY not in str(error) and KEY not in error.detail


def test_log_records_and_their_tracebacks_are_scrubbed(monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(redact.ScrubFilter())
    log = logging.getLogger("tracker.test_redact")
    log.addHandler(handler)
    try:
        log.warning("retrying %s", f"https://x/?api_key={KEY}")
        try:
            raise RuntimeError(f"boom {KEY}")
        except RuntimeError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    assert len(lines) == 2
    assert all(KEY not in line for line in lines)
    assert "RuntimeError: boom ***" in lines[1]


# --- a failing run, end to end ------------------------------------------------------------


class _NcbiRefusesTheKey(BaseHTTPRequestHandler):
    """Every E-utilities call answers 400 like NCBI's "API key invalid", echoing the key it
    was sent; the first call answers 429 like the throttle (retried, then the 400)."""

    calls = 0

    def _answer(self) -> None:
        type(self).calls += 1
        sent = self.path.split("api_key=")[-1].split("&")[0] if "api_key=" in self.path else ""
        if not sent:
            length = int(self.headers.get("Content-Length") or 0)
            form = self.rfile.read(length).decode()
            sent = form.split("api_key=")[-1].split("&")[0] if "api_key=" in form else "none"
        throttled = type(self).calls == 1
        body = json.dumps(
            {
                "error": "API rate limit exceeded" if throttled else "API key invalid",
                "api-key": sent,
            }
        ).encode()
        self.send_response(429 if throttled else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def hostile_ncbi() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NcbiRefusesTheKey)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/entrez/eutils"
    finally:
        server.shutdown()
        server.server_close()


def _leaves(paths: list[Path]) -> dict[str, bytes]:
    found = {}
    for path in paths:
        for each in [path, *path.parent.glob(path.name + "*")]:
            if each.is_file():
                found[str(each)] = each.read_bytes()
    return found


def test_a_planted_key_appears_nowhere_after_a_failing_run(simulator, hostile_ncbi, tmp_path):
    db = tmp_path / "leak.db"
    config = write_config_file(tmp_path, simulator, f"sqlite:///{db}")
    text = config.read_text().replace(getattr(simulator, "pubmed_url", "@@"), hostile_ncbi)
    config.write_text(text)
    log = tmp_path / "tracker.log"
    eml = tmp_path / "week.eml"
    env = {
        "NCBI_API_KEY": KEY,
        "TRACKER_PUBMED_URL": hostile_ncbi,
        "TRACKER_EMAIL_FROM": "tracker@example.org",
        "TRACKER_EMAIL_TO": "alice@example.org",
    }
    outputs = [
        tracker(
            "--log-file",
            str(log),
            "-v",
            "sync",
            "--source",
            "pubmed",
            config=config,
            env=env,
            check_code=1,
        ),
    ]
    assert _NcbiRefusesTheKey.calls >= 2  # the throttle answer was seen, then the refusal
    assert "API key invalid" in outputs[0].stderr  # the registry's words still reach the user
    outputs.extend(
        tracker(*args, config=config, env=env, check_code=None)
        for args in (
            ["status"],
            ["digest", "--all"],
            ["digest", "--all", "--format", "markdown"],
            ["digest", "--all", "--format", "json"],
            ["email", "--dry-run", str(eml)],
        )
    )
    printed = "".join(o.stdout + o.stderr for o in outputs)
    assert "api-key" in printed or "api_key" in printed or "API key invalid" in printed
    assert KEY not in printed
    for name, content in _leaves([log, db, eml]).items():
        assert KEY.encode() not in content, f"the key leaked into {name}"
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
