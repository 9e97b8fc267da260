"""One sync per source (fetch a page, parse it, store it), and what every sync shares.

- `ctgov`, `pubmed`, `europepmc`: the sync of each registry.
- `runs`: the sync_runs row of each run, its counts, watermark and honest ending.
- `ctgov_workers`, `pubmed_workers`: parse workers on the second core (on the pool in
  `tracker.runtime.workers`, which the evidence engine uses too).
- `prefetch`: fetching the next page while the current one is stored.

No terminal output and no judging here: the CLI shows progress, the evidence engine judges.
"""
