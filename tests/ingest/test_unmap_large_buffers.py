"""A freed page is given back to the system (glibc's threshold fixed by the sync command)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

SCRIPT = """
import sys
from tracker.runtime.memory import unmap_large_buffers
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) // 1024
if sys.argv[1] == 'fixed':
    assert unmap_large_buffers()
page = bytes(30 << 20); del page  # the first page of a sync
start = rss()
kept = []
for _ in range(10):
    page = bytes(20 << 20)  # the next page
    kept.append(bytes(4000))  # a record stored from it, which outlives it
    del page
print(rss() - start)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's own behaviour")
def test_a_freed_page_is_given_back_once_the_threshold_is_fixed():
    def kept_mib(mode: str) -> int:
        run = subprocess.run(
            [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
        )
        return int(run.stdout.strip())

    assert kept_mib("default") >= 15  # glibc alone keeps a freed page on its heap
    assert kept_mib("fixed") < 5
