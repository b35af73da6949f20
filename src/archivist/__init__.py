"""archivist: raw web pages to trustworthy, reproducible research corpora.

The Python API mirrors the command line one to one::

    import archivist
    archivist.ingest(["pages/"], "archives")
    archivist.extract(["archives"], "records")
    archivist.publish("records", "1.0.0", "releases")
    archivist.extract_text(html, url=...)
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

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

# The API functions load on first use (PEP 562), so that ``import archivist`` (and every process
# that needs one submodule: the sandbox worker, pool workers) does not import the whole package.
_API = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from .api import diff, extract, extract_page, extract_text, ingest, init, publish, run, verify


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        value = getattr(api, name)
        globals()[name] = value  # later look-ups find it directly
        return value
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # ``archivist.<submodule>`` without importing it first (it used to be loaded with the package).
    import importlib

    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)


class _Package(types.ModuleType):
    """``archivist.extract`` is the API function, whatever submodules have been imported.

    Four API functions share their name with a submodule (diff, extract, ingest, verify). When a
    submodule is first imported, the import system binds it on its package
    (``setattr(archivist, "extract", <module archivist.extract>)``), which would hide the function.
    Such bindings are dropped here: the submodule stays in ``sys.modules`` (``from
    archivist.extract import extract_shard`` works), the package attribute stays the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
