"""Save and read back (tracker.store): versioning, both backends, migrations, bad databases."""
