"""[email] config: defaults, file keys and the TRACKER_SMTP_* / TRACKER_EMAIL_* overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import DEFAULT_CONFIG, load_config
from tracker.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_defaults() -> None:
    email = load_config(DEFAULT_CONFIG, env={}).email
    assert email.to == ()
    assert email.send_when_empty is False
    assert email.smtp.security == "starttls"
    assert email.smtp.effective_port == 587


def test_file_keys(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[email]\nfrom_addr = "t@example.org"\nto = ["a@example.org", "b@example.org"]\n'
        '[email.smtp]\nhost = "mail.example.org"\nsecurity = "ssl"\nusername = "t"\n',
    )
    email = load_config(path, env={}).email
    assert email.to == ("a@example.org", "b@example.org")
    assert email.smtp.effective_port == 465
    assert email.smtp.username == "t"


def test_environment_overrides(tmp_path: Path) -> None:
    path = _write(tmp_path, '[email]\nto = ["file@example.org"]\n')
    env = {
        "TRACKER_SMTP_HOST": "relay.local",
        "TRACKER_SMTP_PORT": "2525",
        "TRACKER_SMTP_SECURITY": "none",
        "TRACKER_SMTP_USER": "bot",
        "TRACKER_EMAIL_FROM": "bot@example.org",
        "TRACKER_EMAIL_TO": "x@example.org, y@example.org",
        "TRACKER_SMTP_PASSWORD": "never-in-config",
    }
    cfg = load_config(path, env=env)
    assert cfg.email.smtp.host == "relay.local"
    assert cfg.email.smtp.effective_port == 2525
    assert cfg.email.smtp.security == "none"
    assert cfg.email.smtp.username == "bot"
    assert cfg.email.from_addr == "bot@example.org"
    assert cfg.email.to == ("x@example.org", "y@example.org")
    assert "never-in-config" not in repr(cfg) + cfg.model_dump_json()


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({"TRACKER_SMTP_PORT": "smtp"}, "TRACKER_SMTP_PORT"),
        ({"TRACKER_SMTP_SECURITY": "tls"}, "email.smtp.security"),
    ],
)
def test_bad_overrides_are_config_errors(tmp_path: Path, env: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_config(_write(tmp_path, ""), env=env)


def test_password_key_in_file_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, '[email.smtp]\npassword = "oops"\n')
    with pytest.raises(ConfigError, match="unknown key 'email.smtp.password'"):
        load_config(path, env={})
