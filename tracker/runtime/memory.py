"""Give large freed buffers back to the system at once (glibc), and collect cyclic garbage
less often in the commands that judge.

glibc serves a large allocation by its own mapping, returned when it is freed; but each
time it frees one, it raises that threshold to the block's size (up to 32 MiB). After the
first page of a sync (30 MB of CT.gov JSON), every later page is therefore carved from the
heap, and a small object left behind it (a parsed record, a row) keeps the freed space
from ever being returned: measured, 60 to 75 MiB more at the peak of a first CT.gov sync.
A fixed threshold keeps every large buffer in a mapping of its own.
"""

from __future__ import annotations

import ctypes
import gc
import platform

M_MMAP_THRESHOLD = -3
"""mallopt's parameter number (malloc.h); setting it also turns off the dynamic threshold."""
THRESHOLD = 1 << 20
"""Blocks of 1 MiB or more get their own mapping: pages and bodies, not records."""


def unmap_large_buffers() -> bool:
    """Fix glibc's mmap threshold for this process; returns whether it was set (False
    where the C library is not glibc: others do not move their threshold)."""
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD))


YOUNG_COLLECTION = 20_000
"""Allocations between two collections of the youngest generation (CPython's default:
700). The judging builds tens of thousands of long-lived objects (every record's signals
and judgement), and at the default each burst of them set off collections that walked the
whole heap again: measured, 0.45 s of the 1.2 s a 10,000-study judging took. Cyclic
garbage still goes, a little later; the command's peak memory did not move."""


def collect_less() -> None:
    """Collect the youngest generation less often (YOUNG_COLLECTION). Nothing is frozen
    out of the collector (gc.freeze): what it froze was never collected, not even at exit,
    and a database connection caught in it was left open (a read-only SQLite database
    kept its -wal file: tests/store/test_read_only_database.py)."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION, middle, oldest)
