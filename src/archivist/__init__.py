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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    # The API is imported on first use, so a process that needs one stage (the extraction
    # sandbox worker imports archivist.extractor alone) does not load pyarrow and the rest.
    import importlib

    if name in __all__:
        return getattr(importlib.import_module(".api", __name__), name)
    try:  # archivist.api, archivist.schema...: submodules as attributes, as an eager import made them
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError:
        raise AttributeError(f"module 'archivist' has no attribute {name!r}") from None
