"""Pure domain values, parsed from the registries and compared: no database, no network.

- `trial`: a ClinicalTrials.gov study's parsed fields (`TrialRecord`).
- `article`: a paper's parsed fields, from PubMed or Europe PMC (`ArticleRecord`).
- `changes`: field-level change events between two versions of one record.
- `links`: which trials a paper names, and which papers a trial names.
"""
