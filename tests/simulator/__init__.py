"""The simulator's own conformance tests. The simulator itself lives in `tracker.simulator`
(so that an installed tracker can run `tracker demo`), and every test imports it from there.
The DTD checker these tests use (dtd_check.py) stays here: the simulator does not need it."""
