"""The evidence rules: pure functions of parsed records, the [claim] config and `today`.

Nothing here touches the database, the network or the terminal (an import-linter contract
checks that): `assess.judge_records` turns records into typed judgements, which
`tracker.evidence.reassess` stores. Modules:

- `terms`: the contract's values (roles, verdicts, exclusions) as types.
- `vocab`, `text`, `reading`, `outcomes`: the claim's vocabularies and how text is read.
- `signals`, `signals_ctgov`, `signals_pubmed`: what one record says, source by source.
- `relevance`, `role`, `strength`, `verdict`: the decisions, one module each.
- `registry`, `papers`, `results`: the verdict rules for registry records, papers, posted
  results.
- `studies`: which records form one study; `combine`: one verdict per study; `assess`: the
  pass over a set of records.
"""
