"""Find the original of a revisit in the other WARCs of its folder, through their CDXJ indexes.

A crawl split over many WARC files often stores a page once and revisits of it in later files.
The CDXJ written beside each WARC (``<name>.cdxj``) lists every capture's payload digest, file
and offset, so the original is read back by offset; nothing of the other files is held in memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from .cdxj import cdxj_path

_ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def _norm(digest: str) -> str:
    d = digest.strip().lower()
    return d if ":" in d else f"sha1:{d}"


def find_originals(warc: Path, digests: set[str]) -> dict[str, list[tuple[Path, int]]]:
    """digest -> [(sibling WARC, offset)] of non-revisit captures with that payload digest.

    Siblings are scanned in name order, lines in index order, so the result is deterministic.
    """
    want = {_norm(d) for d in digests}
    found: dict[str, list[tuple[Path, int]]] = {}
    if not want:
        return found
    siblings = sorted(p for p in warc.parent.iterdir() if p.name.endswith(_ARCHIVE_SUFFIXES) and p != warc)
    for sib in siblings:
        idx = cdxj_path(sib)
        if not idx.is_file():
            continue
        with idx.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if "digest" not in line:
                    continue
                _, _, js = line.partition(" {")
                try:
                    entry = json.loads("{" + js)
                    digest = _norm(str(entry["digest"]))
                    offset = int(entry["offset"])
                except (ValueError, KeyError, TypeError):
                    continue
                if digest not in want or entry.get("mime") == "warc/revisit":
                    continue
                target = sib.parent / entry["filename"] if entry.get("filename") else sib
                found.setdefault(digest, []).append((target if target.is_file() else sib, offset))
    return found
