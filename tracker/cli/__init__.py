"""The `tracker` command line: `app` owns the Typer application and the global options; each
other module registers one group of commands on it and imports nothing from its siblings."""
