"""The site tests' shared world: the sample studies of tests/site_support.py, stored."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.site_support import site_world


@pytest.fixture
def world(engine):
    with Session(engine) as session:
        site_world(session)
        session.commit()
    return engine
