"""The test suite, one package: its helpers import one way (tests.simulator, tests.rows)."""
