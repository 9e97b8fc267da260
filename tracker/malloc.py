"""Keep page-sized buffers out of the C heap, so memory stays flat during a sync.

A sync allocates and frees one registry page after another (a CT.gov page is 30 MB of JSON,
a PubMed efetch batch several MB). glibc serves such blocks with mmap and returns them to
the system on free, but after the first free it raises its mmap threshold to that block's
size (up to 32 MB), so later pages land in the heap, which fragments and is not given back:
the CT.gov ingest benchmark peaked about 40 MiB higher for it. Fixing the threshold turns
that adjustment off.
"""

from __future__ import annotations

import ctypes
import sys

_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
_THRESHOLD = 1 << 20
"""Blocks of 1 MiB and more (page bodies, not records) come from mmap."""


def map_large_buffers() -> None:
    """Serve blocks of 1 MiB or more with mmap from now on (glibc; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)
