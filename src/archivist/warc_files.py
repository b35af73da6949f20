"""Which files of an extract run's inputs are archives (no extraction code imported here: the
run's pool is started from this list before that code is loaded)."""

from __future__ import annotations

from pathlib import Path

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def find_warcs(inputs: list[str | Path]) -> list[Path]:
    """The archives among ``inputs``: files as given, each folder's archives sorted by name."""
    out: list[Path] = []
    for i in inputs:
        p = Path(i)
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.name.endswith(ARCHIVE_SUFFIXES))
        else:
            out.append(p)
    return out
