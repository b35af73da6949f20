"""Keep pyarrow from importing pandas in the processes of an extraction run.

On its first conversion of Python values (``pa.array``, ``Table.from_pydict``, ``pa.table`` of
lists, ``Schema.empty_table``) pyarrow asks whether pandas is importable, to test whether the
values are pandas objects; importing pandas costs about 0.3 s of CPU in every process (the main
process and each pool worker), which is a fixed cost of every run while none of our values is a
pandas object. :func:`skip_pandas_probe` lets that first probe fail: pyarrow then converts
lists to a given type exactly as before (same arrays, same bytes) without pandas. (Inferring a
type from Python values still imports pandas, in pyarrow's C++ code; our conversions all name
their type. ``pq.read_table`` imports it too, through ``pyarrow.dataset``: see
``parquet_io.read_table``.)

It changes pyarrow's state for the whole process, so only processes archivist runs itself call
it (the CLI's extract command, pool workers), never ``import archivist``. Nothing is lost: an
explicit pandas call later (``Table.to_pandas``, ``from_pandas``) imports pandas as usual; only
``pa.array(<pandas object>)`` before any such call would see a plain sequence.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

_lock = threading.Lock()


class _RefusePandas:
    """A meta path finder that fails the import of pandas (installed only for one probe)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas":
            raise ImportError("pandas skipped by archivist.nopandas")
        return None


def skip_pandas_probe() -> bool:
    """Make pyarrow's one-time pandas probe fail in this process; True when it did.

    Does nothing when pandas is already imported (someone uses it: pyarrow should too).
    """
    with _lock:
        if "pandas" in sys.modules:
            return False
        import pyarrow as pa

        finder = _RefusePandas()
        sys.meta_path.insert(0, finder)
        try:
            pa.array([], type=pa.string())  # the probe: pyarrow records "no pandas" and stops asking
        finally:
            sys.meta_path.remove(finder)
        return "pandas" not in sys.modules
