"""The test suite, one package. Each thing imports one way: the simulator as
`tracker.simulator`; shared helpers as tests.rows, tests.paths and the *_support modules."""
