"""tracker.email.smtp.send against a real aiosmtpd server on loopback."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from tests.email_support import MailServer, free_port
from tracker.email.message import InlineImage, build_message
from tracker.email.smtp import send
from tracker.errors import ConfigError, SmtpError

NOW = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _message(server: MailServer, **email: object):
    settings = server.settings(**email)
    message = build_message(
        settings,
        subject="2 changes",
        text="Plain body NCT01234567\n",
        html='<p>HTML body</p><img src="cid:chart@tracker">',
        now=NOW,
        images=(InlineImage("chart@tracker", PNG),),
    )
    return settings, message


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_each_security_mode_delivers_to_every_recipient(security: str) -> None:
    with MailServer(security) as server:
        settings, message = _message(server)
        send(settings, message, ssl_context=server.client_context)
    [got] = server.received
    assert sorted(got.rcpt_tos) == ["alice@example.org", "bob@example.net"]
    assert got.mail_from == "tracker@example.org"
    assert got.message["Subject"] == "[tracker] 2 changes"


def test_login_uses_the_password_from_the_environment_only() -> None:
    with MailServer("starttls", users={"reporter": "s3cret"}) as server:
        settings, message = _message(server, smtp={"username": "reporter"})
        send(
            settings,
            message,
            env={"TRACKER_SMTP_PASSWORD": "s3cret"},
            ssl_context=server.client_context,
        )
        assert len(server.received) == 1
        with pytest.raises(SmtpError, match="535") as wrong:
            send(
                settings,
                message,
                env={"TRACKER_SMTP_PASSWORD": "guess"},
                ssl_context=server.client_context,
            )
        assert "guess" not in str(wrong.value)
        with pytest.raises(SmtpError, match="TRACKER_SMTP_PASSWORD is not set"):
            send(settings, message, env={}, ssl_context=server.client_context)
    assert len(server.received) == 1


def test_refused_message_names_server_and_reply() -> None:
    with MailServer() as server:
        server.handler.refuse = "554 5.7.1 Message rejected as spam"
        settings, message = _message(server)
        with pytest.raises(SmtpError) as refused:
            send(settings, message)
    assert f"127.0.0.1:{server.port}" in str(refused.value)
    assert "554 5.7.1 Message rejected as spam" in str(refused.value)
    assert refused.value.exit_code == 1
    assert server.received == []


def test_server_down_is_an_smtp_error_naming_host_and_port() -> None:
    port = free_port()  # nothing listens there
    with MailServer() as server:
        settings, message = _message(server, smtp={"port": port})
    with pytest.raises(SmtpError, match=f"127.0.0.1:{port} unreachable"):
        send(settings, message)


def test_starttls_against_a_plain_server_says_so() -> None:
    with MailServer("none") as server:
        settings, message = _message(server, smtp={"security": "starttls"})
        with pytest.raises(SmtpError, match="security"):
            send(settings, message)
    assert server.received == []


def test_untrusted_certificate_is_refused() -> None:
    with MailServer("ssl") as server:
        settings, message = _message(server)
        with pytest.raises(SmtpError, match="TLS failed"):
            send(settings, message)  # the default trust store does not know the test CA
    assert server.received == []


def test_partly_refused_recipients_are_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with MailServer() as server:

        async def handle_RCPT(srv, session, envelope, address, options):
            if address.endswith("example.net"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        server.handler.handle_RCPT = handle_RCPT  # type: ignore[attr-defined]
        settings, message = _message(server)
        with caplog.at_level(logging.WARNING):
            send(settings, message)
    assert [r.rcpt_tos for r in server.received] == [["alice@example.org"]]
    assert "bob@example.net: 550 5.1.1 No such user" in caplog.text


def test_message_shape_and_headers() -> None:
    with MailServer() as server:
        settings, message = _message(server, unsubscribe="https://example.org/unsub")
        send(settings, message)
    got = server.received[0].message
    assert got.get_content_type() == "multipart/alternative"
    plain, related = got.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert "NCT01234567" in plain.get_content()
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<chart@tracker>"
    assert image.get_content() == PNG
    assert got["Date"] == "Thu, 26 Nov 2026 07:30:00 +0000"
    assert got["Message-ID"].endswith("@example.org>")
    assert got["List-Unsubscribe"] == "<https://example.org/unsub>"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got["To"] == "alice@example.org, bob@example.net"


def test_missing_addresses_are_config_errors() -> None:
    with MailServer() as server:
        with pytest.raises(ConfigError, match="to is empty"):
            _message(server, to=())
        with pytest.raises(ConfigError, match="from_addr is empty"):
            _message(server, from_addr="")
