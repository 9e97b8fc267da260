"""Run one tracker command and print, on the last stdout line, how long the command itself
took (after the imports, which cost the same whatever the data) as JSON.

    python benchmarks/timed_tracker.py --config c.toml sync --full
"""

from __future__ import annotations

import json
import sys
import time

import tracker.commands  # noqa: F401  (import cost is paid here, outside the timing)
from tracker.cli import main

if __name__ == "__main__":
    sys.argv = ["tracker", *sys.argv[1:]]
    start = time.perf_counter()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    print(json.dumps({"seconds": time.perf_counter() - start, "code": code}))
