"""The checks of `tracker doctor`. Each returns a Check and never raises: a broken part of
the set-up is a line in the report, not a traceback. Registries are asked in parallel, once
each, with a short timeout, so the whole report takes seconds even with no network."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tracker.config.origin import Explained
from tracker.doctor.local import (
    config_checks,
    disk_check,
    operator_check,
    scheduler_check,
    schema_check,
)
from tracker.doctor.network import Probes, registry_probes, smtp_probes
from tracker.doctor.result import Check


def run_checks(explained: Explained, now: datetime, cwd: Path) -> list[Check]:
    """Every check, in report order; the network ones run while the local ones do."""
    config = explained.config
    url = config.database.url
    smtp, no_smtp = smtp_probes(config)
    network = Probes(registry_probes(config) + smtp)
    local = [*config_checks(explained), schema_check(url)]
    later = [scheduler_check(url, config, now), operator_check(config), disk_check(url, cwd)]
    return [*local, *network.collect(), *([no_smtp] if no_smtp else []), *later]
