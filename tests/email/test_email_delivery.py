"""Every report is delivered at most once, and never lost unless the server's answer is
truly unknown: a run killed at each stage of delivery, a server that answers QUIT with
500, a DATA reply that comes after the client's timeout. Both backends."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import time
from typing import Any

import pytest
from sqlmodel import Session, col, select

from tests.digest_support import T2, busy_world
from tests.email_support import MailServer
from tests.hostile_smtp import HostileSmtp, Script
from tracker.config import EmailConfig, SmtpConfig
from tracker.email import outbox
from tracker.email.report import send_report
from tracker.email.smtp import STAGES
from tracker.errors import SmtpError
from tracker.store.db import open_database
from tracker.store.models import EmailReport, ReportedItem


@pytest.fixture
def world(engine):
    with Session(engine) as session:
        busy_world(session)
        session.commit()
    return engine


def _settings(port: int, **smtp: Any) -> EmailConfig:
    values: dict[str, Any] = {"host": "127.0.0.1", "port": port, "security": "none"}
    values.update({"timeout": 5.0, **smtp})
    return EmailConfig(
        from_addr="tracker@example.org", to=("alice@example.org",), smtp=SmtpConfig(**values)
    )


def _rows(engine) -> list[EmailReport]:
    with Session(engine) as session:
        return list(session.exec(select(EmailReport).order_by(col(EmailReport.id))))


def test_the_last_stage_is_the_one_the_outbox_settles_as_unknown() -> None:
    assert STAGES[-1] == outbox.HANDING_OVER


def test_quit_answered_with_500_after_acceptance_counts_as_sent(world) -> None:
    script = Script(quit_reply=b"500 go away")
    with HostileSmtp(script) as server:
        first = send_report(world, _settings(server.port), now=T2)
        again = send_report(world, _settings(server.port), now=T2)
    assert first.status == "sent" and again.status == "empty"
    assert len(script.delivered) == 1
    assert [r.status for r in _rows(world)] == ["sent"]


def test_a_data_reply_after_the_timeout_is_unknown_and_never_sent_again(world) -> None:
    script = Script(dot_delay=1.5)
    with HostileSmtp(script) as server:
        with pytest.raises(SmtpError, match="may have been delivered"):
            send_report(world, _settings(server.port, timeout=0.5), now=T2)
        deadline = time.monotonic() + 10
        while not script.delivered and time.monotonic() < deadline:
            time.sleep(0.05)
        with MailServer() as good:
            again = send_report(world, good.settings(), now=T2)
            assert good.received == []
    assert again.status == "empty"
    assert len(script.delivered) == 1  # the late 250: delivered once, and only once
    [row] = _rows(world)
    assert row.status == "unknown" and row.stage == "handing over"


def _deliver_in_child(db_url: str, port: int) -> None:
    engine = open_database(db_url)
    send_report(engine, _settings(port, username="reporter"), now=T2)


@pytest.mark.parametrize(
    ("stall_at", "stage", "sent_again"),
    [
        ("greeting", "connecting", True),
        ("auth", "logging in", True),
        ("dot", "handing over", False),
    ],
)
def test_a_run_killed_at_each_stage(world, db_url, monkeypatch, stall_at, stage, sent_again):
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "pw")
    script = Script(stall_at=stall_at)
    with HostileSmtp(script) as server:
        child = multiprocessing.get_context("fork").Process(
            target=_deliver_in_child, args=(db_url, server.port)
        )
        child.start()
        try:
            assert script.reached.wait(30), "the child never reached the stage"
            time.sleep(0.2)
        finally:
            os.kill(child.pid or 0, signal.SIGKILL)
            child.join()
    [killed] = _rows(world)
    assert (killed.status, killed.stage) == ("sending", stage)
    with MailServer() as good:
        after = send_report(world, good.settings(), now=T2)
        received = list(good.received)
    rows = _rows(world)
    if sent_again:
        # Never handed over: it cannot have arrived, so its items go out now, once.
        assert rows[0].status == "failed"
        assert after.status == "sent" and len(received) == 1
        assert rows[1].status == "sent"
        assert sorted(json.loads(rows[1].items)) == sorted(json.loads(killed.items))
    else:
        assert rows[0].status == "unknown"  # may have arrived: never repeated
        assert after.status == "empty" and received == []
        with Session(world) as session:
            marked = {r.item_key for r in session.exec(select(ReportedItem))}
        assert set(json.loads(killed.items)) <= marked


def test_login_over_an_unencrypted_connection_warns(world, monkeypatch, caplog) -> None:
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "pw")
    with HostileSmtp(Script()) as server, caplog.at_level(logging.WARNING):
        send_report(world, _settings(server.port, username="reporter"), now=T2)
    assert "security = none" in caplog.text and "in clear" in caplog.text
    assert "pw" not in caplog.text.replace("password", "")
