"""Live checks against the real ClinicalTrials.gov, skipped by default (no network in CI).

Run them where the registry is reachable:  uv run pytest -m online
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.config import DEFAULT_CONFIG, load_config
from tracker.http import make_client
from tracker.sources.ctgov import fetch_pages, read_study

pytestmark = pytest.mark.online


def test_ctgov_live_query_pages_and_parses():
    cfg = load_config(DEFAULT_CONFIG, env={})
    query = cfg.ctgov.queries[0]
    since = date.today() - timedelta(days=365 * 3)
    with make_client(cfg, rps_by_host={"clinicaltrials.gov": 1.0}) as client:
        first = next(fetch_pages(client, cfg.ctgov, query, since=since))
    assert first.total_count is not None and first.total_count >= len(first.studies)
    for raw in first.studies:
        study = read_study(raw)
        assert study.error is None, study.error
        assert study.nct_id.startswith("NCT")
