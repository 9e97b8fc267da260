"""The commands that judge collect cyclic garbage less often (tracker.runtime.memory):
far fewer collections of the whole heap while a pass builds its many long-lived objects,
and cyclic garbage is still collected."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc, sys, weakref
from tracker.runtime.memory import collect_less
if sys.argv[1] == 'less':
    collect_less()
whole = []
def count(phase, info):
    if phase == 'start' and info['generation'] == 2:
        whole.append(1)
gc.callbacks.append(count)
kept = [{'id': i, 'signals': [i, str(i)]} for i in range(300_000)]  # a pass's readings
class Node: pass
a, b = Node(), Node()
a.other, b.other = b, a  # a cycle: only the collector can free it
gone = []
weakref.finalize(a, gone.append, 1)
del a, b
garbage = [[i] for i in range(100_000)]  # the pass goes on allocating
print(len(whole), len(gone))
"""


def run(mode: str) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
    )
    whole, freed = out.stdout.split()
    return int(whole), int(freed)


def test_fewer_whole_heap_collections_and_cycles_still_freed():
    default_whole, default_freed = run("default")
    less_whole, less_freed = run("less")
    assert default_whole >= 3  # CPython's defaults walk the growing heap again and again
    assert less_whole <= default_whole // 3
    assert default_freed == less_freed == 1  # the cycle was collected either way
