"""A per-process memo for pure functions of strings that pages repeat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class BoundedMemo(dict[Any, Any]):
    """``fn(key)`` by key, remembered; emptied when it holds ``size`` keys.

    The pages of a crawl repeat their class names, bylines, dates and words, so most calls become
    a dict lookup (a hit costs no Python call: ``__missing__`` runs on misses only). Emptying
    when full bounds the memory without an LRU's bookkeeping on every hit.
    """

    def __init__(self, fn: Callable[[Any], Any], size: int) -> None:
        super().__init__()
        self.fn, self.size = fn, size

    def __missing__(self, key: Any) -> Any:
        if len(self) >= self.size:
            self.clear()
        value = self[key] = self.fn(key)
        return value
