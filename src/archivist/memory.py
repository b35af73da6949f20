"""Give freed heap memory back to the system between large, short-lived allocations.

A row group of real pages is tens of MB of small buffers (decompressed text, outlink lists, the
row dicts it was built from). glibc keeps freed blocks in its heap, and when the next row
group's buffers do not fit the holes the heap grows: a process's peak RSS then rose with the
number of row groups it wrote or rewrote. ``malloc_trim`` returns the free pages (also those in
the middle of the heap) after each group, so the peak stays that of one group. Elsewhere than
glibc this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any


@cache
def _trim() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> None:
    trim = _trim()
    if trim is not None:
        trim(0)
