"""`tracker email` and `tracker export` as a user runs them: a real subprocess, real SMTP."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from tests.cli.test_cli import tracker
from tests.digest_support import busy_world
from tests.email_support import MailServer
from tracker.store.db import open_database


@pytest.fixture
def setup(tmp_path):
    db = tmp_path / "cli.db"
    engine = open_database(f"sqlite:///{db}")
    with Session(engine) as session:
        busy_world(session)
        session.commit()
    engine.dispose()

    def config(port: int) -> object:
        path = tmp_path / "config.toml"
        path.write_text(
            f'[database]\nurl = "sqlite:///{db}"\n'
            '[email]\nfrom_addr = "tracker@example.org"\nto = ["alice@example.org"]\n'
            f'[email.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n',
            encoding="utf-8",
        )
        return path

    return config


def test_email_dry_run_refused_then_sent(setup, tmp_path):
    with MailServer() as server:
        config = setup(server.port)
        eml = tmp_path / "week.eml"
        dry = tracker("email", "--dry-run", str(eml), config=config)
        # The first email after setup: a welcome with where the evidence stands.
        assert eml.read_bytes().startswith(
            b"Subject: tracker follow-ups: where the evidence stands; 0 refutes, 2 confirms"
        )
        assert "nothing marked" in dry.stderr and server.received == []

        server.handler.refuse = "550 5.7.1 Relaying denied"
        refused = tracker("email", config=config, check_code=1)
        assert refused.stderr.strip().splitlines() == [
            f"tracker: error: SMTP 127.0.0.1:{server.port} refused the message: "
            "550 5.7.1 Relaying denied"
        ]

        server.handler.refuse = None
        sent = tracker("email", config=config)
        assert "12 items" in sent.stderr
        again = tracker("email", config=config)
        assert "no email sent" in again.stderr
    assert len(server.received) == 1


def test_email_without_recipients_is_a_config_error(setup):
    config = setup(25)
    text = config.read_text().replace('to = ["alice@example.org"]', "to = []")
    config.write_text(text)
    empty = tracker("email", config=config, check_code=2)
    assert "to is empty" in empty.stderr


def test_export_formats(setup, tmp_path):
    config = setup(25)
    out = tmp_path / "ledger.ris"
    ris = tracker(
        "export", "--format", "ris", "--relevant-only", "--output", str(out), config=config
    )
    assert "Exported 5 records as ris" in ris.stderr
    assert out.read_text().count("ER  -") == 5
    data = json.loads(tracker("export", "--format", "json", config=config).stdout)
    assert len(data["items"]) == 8 and data["summary"]["counts"]["confirms"] == 2
    bad = tracker("export", "--format", "xml", config=config, check_code=2)
    assert "xml" in bad.stderr


def test_email_waits_its_turn_while_a_sync_holds_the_writer_lock(setup, tmp_path):
    """Two senders at once could both mail the same items: a manual `tracker email` during
    a scheduled sync or email refuses, sends nothing and marks nothing."""
    from tracker.schedule.lock import WRITER, WriterLock, holding

    with MailServer() as server:
        config = setup(server.port)
        engine = open_database(f"sqlite:///{tmp_path / 'cli.db'}")
        try:
            with holding(WriterLock(engine, WRITER, command="tracker sync"), wait=False):
                busy = tracker("email", config=config, check_code=1)
        finally:
            engine.dispose()
        assert "writer lock" in busy.stderr and "tracker sync" in busy.stderr
        assert server.received == []
        sent = tracker("email", config=config)
        assert "12 items" in sent.stderr
    assert len(server.received) == 1


def test_email_dry_run_works_with_nothing_configured(setup, tmp_path):
    """A preview needs no set-up: placeholder addresses, and a line saying so."""
    config = setup(25)
    db_line = config.read_text().splitlines()[:2]
    config.write_text("\n".join(db_line) + "\n", encoding="utf-8")  # no [email] at all
    eml = tmp_path / "preview.eml"
    dry = tracker("email", "--dry-run", str(eml), config=config)
    assert "email is not set up: the preview uses placeholder addresses" in dry.stderr
    head = eml.read_bytes().split(b"\n\n", 1)[0].decode()
    assert "From: tracker <tracker@example.invalid>" in head
    assert "To: you@example.invalid" in head
    # Sending for real still says what is missing.
    real = tracker("email", config=config, check_code=2)
    assert "from_addr is empty" in real.stderr
