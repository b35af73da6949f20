"""The CDXJ index written beside every WARC (``<name>.warc.gz.cdxj``).

We call cdxj-indexer's own code rather than re-implementing SURT and its JSON layout, so the
file is byte-identical to ``cdxj-indexer -s <warc>`` (sorted, as replay tools need for binary
search; the test compares against the CLI).
"""

from __future__ import annotations

from pathlib import Path


def cdxj_path(warc: str | Path) -> Path:
    warc = Path(warc)
    return warc.with_name(warc.name + ".cdxj")


def write_cdxj(warc: str | Path, out: str | Path | None = None) -> Path:
    from cdxj_indexer.main import write_cdx_index

    dest = Path(out) if out else cdxj_path(warc)
    tmp = dest.with_name(dest.name + ".tmp")
    write_cdx_index(str(tmp), [str(warc)], {"sort": True})
    tmp.replace(dest)
    return dest
