"""`python -m tracker` runs the same CLI as the `tracker` console script."""

from tracker.cli.main import main

main()
