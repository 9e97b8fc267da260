"""The README's fenced commands work as written: each `uv run tracker ...` line of a ```sh
block runs, in order, in a fresh home folder, against the loopback simulator (the real
registries are not reachable from here: TRACKER_*_URL points at the simulator)."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def fenced_commands(text: str) -> list[str]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("uv run tracker"):
                commands.append(line)
    return commands


def test_the_readme_shows_the_front_door_commands():
    commands = fenced_commands(README.read_text())
    assert "uv run tracker run" in commands and "uv run tracker demo" in commands
    assert "uv run pytest" in README.read_text()
    assert any(c.startswith("uv run tracker schedule") for c in commands)


def test_every_fenced_tracker_command_of_the_readme_works(simulator, tmp_path):
    from tests.e2e_support import build_world

    build_world(simulator.ctgov)
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "XDG_"))}
    env.update(
        HOME=str(home),
        NO_COLOR="1",
        TRACKER_CTGOV_URL=simulator.ctgov_url,
        TRACKER_PUBMED_URL=simulator.pubmed_url,
        TRACKER_EUROPEPMC_URL=simulator.europepmc_url,
        TRACKER_CTGOV_RPS="0",
        TRACKER_PUBMED_RPS="0",
        TRACKER_EUROPEPMC_RPS="0",
    )
    commands = fenced_commands(README.read_text())
    assert len(commands) >= 5
    for line in commands:
        args = [a.replace("~", str(home), 1) if a.startswith("~") else a for a in shlex.split(line)]
        argv = [sys.executable, "-m", "tracker", *args[3:]]
        if args[3] == "schedule":
            # As the README asks before scheduling: the email job has a sender and recipients.
            mail = {"TRACKER_EMAIL_FROM": "t@example.org", "TRACKER_EMAIL_TO": "a@example.org"}
            _starts_and_stops(argv, {**env, **mail}, work)
            continue
        result = subprocess.run(
            argv, capture_output=True, text=True, env=env, cwd=work, timeout=300, check=False
        )
        assert result.returncode == 0, f"{line}: {result.stderr}"
    # The real run used the user's data folder, not the folder it ran in.
    assert (home / ".local" / "share" / "tracker" / "tracker.db").is_file()
    assert list(work.iterdir()) == []


def _starts_and_stops(argv: list[str], env: dict[str, str], cwd: Path) -> None:
    """`tracker schedule` runs until stopped: it must start, then stop cleanly on SIGTERM."""
    log = cwd.parent / "schedule.log"
    with log.open("w") as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd)
        deadline = time.monotonic() + 120
        while "next run" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()
    assert "next run" in log.read_text()
