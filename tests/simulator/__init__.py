"""The loopback registry simulator lives in `tracker.simulator` (so that an installed tracker
can run `tracker demo`); `tests.simulator` keeps the names the tests import. The DTD checker
the conformance tests use (dtd_check.py) stays here: the simulator does not need it."""

from tracker.simulator import *  # noqa: F403
from tracker.simulator import __all__ as __all__
