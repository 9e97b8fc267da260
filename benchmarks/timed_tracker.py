"""Run one tracker command and print, on the last stdout line, how long the command itself
took (after the imports, which cost the same whatever the data) and when it ended (unix
time), as JSON.

    python benchmarks/timed_tracker.py --config c.toml sync --full

With TRACKER_BENCH_PROFILE=FILE set, the command also runs under cProfile and its stats are
written to FILE (for `python -m pstats FILE`); a "%p" in FILE becomes the process id, so
each command of a benchmark keeps its own.
"""

from __future__ import annotations

import cProfile
import json
import os
import sys
import time

if __name__ == "__main__":
    # Imported here, not at the top: the sync's parse workers (multiprocessing, spawn)
    # re-import this script as their main module, and they need none of it. The modules
    # tracker.cli.main imports every command module, so their import cost (matplotlib for
    # the email charts, say) is paid outside the timing.
    from tracker.cli.main import main

    sys.argv = ["tracker", *sys.argv[1:]]
    profile_to = os.environ.get("TRACKER_BENCH_PROFILE")
    profiler = cProfile.Profile() if profile_to else None
    start = time.perf_counter()
    code = 0
    try:
        if profiler:
            profiler.enable()
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        if profiler and profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to.replace("%p", str(os.getpid())))
    print(json.dumps({"seconds": time.perf_counter() - start, "end": time.time(), "code": code}))
