"""The command line as a user runs it (tracker.cli): real subprocesses."""
