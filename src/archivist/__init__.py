"""archivist: raw web pages to trustworthy, reproducible research corpora.

The Python API mirrors the command line one to one::

    import archivist
    archivist.ingest(["pages/"], "archives")
    archivist.extract(["archives"], "records")
    archivist.publish("records", "1.0.0", "releases")
    archivist.extract_text(html, url=...)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import diff, extract, extract_page, extract_text, ingest, init, publish, run, verify

__all__ = [
    "__version__",
    "diff",
    "extract",
    "extract_page",
    "extract_text",
    "ingest",
    "init",
    "publish",
    "run",
    "verify",
]
