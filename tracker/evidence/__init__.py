"""The evidence engine: which stored records test the claim, and whether they confirm it.

- `rules/`: pure functions of parsed records, the claim and `today` (no database).
- `load`: reads stored records back as the rules' input.
- `reassess`: runs the rules over what needs judging and stores Assessment rows and verdict
  change events.
- `overrides`: human verdicts, and the one rule that says which one is in force.
- `summary`: the ledger's counts, read back for reports without re-running a rule.

This package's `__init__` imports nothing, so importing the pure rules never loads the
database layer.
"""
