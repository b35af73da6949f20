"""Atomic writes: a reader (or a resumed run) never sees a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it over ``dest`` only if the block succeeds."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, dest)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextmanager
def atomic_open(dest: str | Path, mode: str = "wb", **kw: Any) -> Iterator[IO[Any]]:
    with atomic_path(dest) as tmp, open(tmp, mode, **kw) as fh:
        yield fh


def write_json(dest: str | Path, obj: Any) -> None:
    """Pretty, key-sorted, newline-terminated JSON: stable bytes for the same object."""
    with atomic_open(dest, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(obj, fh, indent=2, sort_keys=True, ensure_ascii=False)
        fh.write("\n")


def write_text(dest: str | Path, text: str) -> None:
    with atomic_open(dest, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
