"""Start-up cost: what each entry point imports, and that the lazy package API stays whole.

Each check runs in a fresh interpreter: what a process imports depends on what ran before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archivist import fetch, parquet_io

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "pages"


def _python(code: str, cwd: Path | None = None) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                       cwd=cwd or ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def _loaded_after(statement: str) -> set[str]:
    out = _python("import sys\n" + textwrap.dedent(statement) + "\nprint(chr(10).join(sys.modules))")
    return set(out.split())


HEAVY = {"pyarrow", "pyarrow.compute", "pyarrow.dataset", "pandas", "warcio", "fastwarc", "fsspec", "numpy", "selectolax"}


def test_import_archivist_is_light() -> None:
    loaded = _loaded_after("import archivist; archivist.__version__")
    assert not loaded & HEAVY
    assert "archivist.api" not in loaded


def test_cli_import_loads_no_stage() -> None:
    loaded = _loaded_after("import archivist.cli")
    assert not loaded & HEAVY
    assert not {m for m in loaded if m.startswith("archivist.")} - {"archivist.api", "archivist.cli", "archivist.report",
                                                                     "archivist.workspace"}


def test_sandbox_module_is_light_for_the_parent() -> None:
    # A run starts its sandbox worker before it imports the extraction code (api._extract_head_start).
    loaded = _loaded_after("import archivist.sandbox")
    assert not loaded & HEAVY
    assert "archivist.extractor" not in loaded


def test_sandbox_worker_imports_only_extraction() -> None:
    # The worker's own import line (sandbox.PageSandbox._spawn) and what _worker imports: no API,
    # no publishing, no readers.
    loaded = _loaded_after("from archivist.sandbox import _worker\nfrom archivist.extractor import ExtractedDoc, extract_bytes")
    for mod in ("archivist.api", "archivist.extract", "archivist.release", "archivist.diff", "archivist.warc_reader",
                "archivist.fetch", "pyarrow.compute", "pandas", "warcio", "fsspec"):
        assert mod not in loaded, mod


@pytest.mark.parametrize("first", ["import archivist", "import archivist.extract", "from archivist.extract import extract_shard",
                                   "import archivist.diff, archivist.ingest, archivist.verify"])
def test_api_functions_survive_submodule_imports(first: str, tmp_path: Path) -> None:
    # extract, diff, ingest and verify are API functions and submodules at once: whatever is
    # imported first or later, archivist.<name> is the function, and the run works.
    out = _python(f"""
        {first}
        import archivist
        import archivist.extract, archivist.ingest, archivist.diff, archivist.verify
        from archivist.extract import extract_shard
        from archivist import api, extract
        for name in ("extract", "ingest", "diff", "verify", "publish", "run", "init", "extract_page", "extract_text"):
            assert getattr(archivist, name) is getattr(api, name), name
        assert extract is api.extract
        assert callable(extract_shard)
        rep = archivist.ingest([{str(EXAMPLES)!r}], "archives", sidecar={str(EXAMPLES / 'pages.csv')!r}, corpus_name="t")
        import archivist.ingest  # again, after the API ran
        rep = archivist.extract(["archives"], "records")
        print(rep.counts["records_extracted"])
        rel = archivist.publish("records", "1.0.0", "releases")
        print(archivist.verify(rel.extra["release"]).ok)
    """, cwd=tmp_path)
    n, ok = out.split()
    assert int(n) > 0
    assert ok == "True"


def test_unknown_attribute_is_an_attribute_error() -> None:
    import archivist

    with pytest.raises(AttributeError, match="no_such_thing"):
        archivist.no_such_thing  # noqa: B018
    assert {"extract", "ingest", "publish"} <= set(dir(archivist))


def test_cli_user_agent_default_matches_fetcher() -> None:
    from archivist import cli

    assert cli.DEFAULT_USER_AGENT == fetch.DEFAULT_USER_AGENT


def test_version_and_help_are_quick_to_load() -> None:
    loaded = _loaded_after("""
        from typer.testing import CliRunner
        from archivist.cli import app
        r = CliRunner().invoke(app, ["--version"])
        assert r.exit_code == 0 and "archivist 0.1.0" in r.output, r.output
        r = CliRunner().invoke(app, ["extract", "--help"])
        assert r.exit_code == 0 and "--workers" in r.output, r.output
    """)
    assert not loaded & HEAVY


def test_skip_pandas_probe_keeps_conversions_and_pandas_usable() -> None:
    out = _python("""
        import sys
        import pyarrow as pa
        from archivist.nopandas import skip_pandas_probe
        from archivist import schema
        assert skip_pandas_probe()
        rows = [{"input": "a", "warc_record_id": None, "warc_record_offset": 3, "url": "u", "stage": "s", "reason": "r",
                 "detail": None}]
        t = schema.rejects_schema().table_from_rows(rows)
        schema.rejects_schema().empty_table()
        # Conversions to a given type, as all of ours are (inferring a type imports pandas in C++).
        s = pa.schema([("a", pa.int64()), ("b", pa.list_(pa.string()))])
        pa.table([[1, None], [["x"], []]], schema=s); pa.Table.from_pylist([{"a": 1, "b": None}], schema=s)
        assert "pandas" not in sys.modules
        assert t.to_pylist() == rows
        df = t.to_pandas()  # an explicit pandas call still imports and uses it
        assert "pandas" in sys.modules and len(df) == 1
        import pandas as pd
        assert pa.types.is_dictionary(pa.array(pd.Series(["a", "b"], dtype="category")).type)  # seen as pandas
        print("ok")
    """)
    assert out.strip() == "ok"


def test_read_table_same_as_pyarrow(tmp_path: Path) -> None:
    t = pa.table({"a": [1, 2, None], "b": ["x", None, "z"]})
    f = tmp_path / "t.parquet"
    pq.write_table(t, f)
    for cols in (None, ["b"], ["b", "a"]):
        got, want = parquet_io.read_table(f, columns=cols), pq.read_table(f, columns=cols)
        assert got.equals(want) and got.schema.equals(want.schema, check_metadata=True)
    with pytest.raises(pa.ArrowInvalid):
        parquet_io.read_table(f, columns=["nope"])


def test_submodules_reachable_as_attributes() -> None:
    # They used to be loaded with the package; code reaching them as attributes keeps working.
    out = _python("""
        import archivist
        print(archivist.api._ingest.__module__, archivist.schema.__name__, archivist.extract.__module__)
    """)
    assert out.split() == ["archivist.ingest", "archivist.schema", "archivist.api"]


def test_pool_workers_fork_warm_without_pandas() -> None:
    # Workers come from a forkserver that preloaded the extraction code (archivist.pool_preload is
    # imported by nothing else) and settled pyarrow's pandas probe.
    out = _python("""
        from archivist.executors import LocalExecutor
        from tests.test_startup import worker_state
        with LocalExecutor(2) as ex:
            print(list(ex.map(worker_state, [1, 2])))
    """)
    assert out.strip() == str([(True, True, False)] * 2)


def worker_state(_: int) -> tuple[bool, bool, bool]:
    import archivist.extract  # noqa: F401  (what a shard task imports)

    m = sys.modules
    # A table as the shard task builds them: typed, so no pandas.
    from archivist import schema

    schema.rejects_schema().empty_table()
    return "archivist.pool_preload" in m, "archivist.extract" in m, "pandas" in m


def test_pool_workers_start_their_sandbox_as_they_start() -> None:
    # LocalExecutor.start spawns the workers ahead of the map, and the ``warm`` initializer starts
    # each worker's sandbox: by its first task, before any page, the sandbox worker is running.
    out = _python("""
        from functools import partial
        from archivist.executors import LocalExecutor
        from archivist.sandbox import start_shared
        from archivist.sandbox import Limits
        from tests.test_startup import sandbox_state
        with LocalExecutor(2, warm=partial(start_shared, Limits())) as ex:
            ex.start(2)
            print(sorted(set(ex.map(sandbox_state, range(8)))))
    """)
    assert out.strip() == "[(True, 0)]"


def sandbox_state(_: int) -> tuple[bool, int]:
    import time

    from archivist import sandbox

    time.sleep(0.05)  # both workers get tasks
    (sb,) = sandbox._shared.values()
    return sb._proc is not None and sb._proc.poll() is None, sb._served


def test_sandbox_worker_ends_cleanly_when_closed() -> None:
    # On end of input the worker leaves without the interpreter's teardown, with exit code 0.
    from archivist.sandbox import Limits, PageSandbox

    sb = PageSandbox(Limits())
    doc = sb.extract((EXAMPLES / "en_news.html").read_bytes(), "text/html")
    assert doc.text
    proc = sb._proc
    assert proc is not None
    sb.close()
    assert proc.returncode == 0


def test_pool_run_from_python_m_is_quiet_and_its_json_whole(tmp_path: Path) -> None:
    # ``python -m archivist.cli`` with a pool: the workers run the CLI module again (Python's
    # forkserver does not preload __main__) with its imports preloaded, without a warning; the
    # command ends without the interpreter's teardown and its piped --json is complete.
    from archivist.api import _ingest

    rep = _ingest([str(EXAMPLES)], tmp_path / "archives", sidecar=EXAMPLES / "pages.csv", corpus_name="t", max_bytes=20_000)
    assert len([o for o in rep.outputs if str(o).endswith(".warc.gz")]) >= 2, rep.outputs
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    p = subprocess.run([sys.executable, "-m", "archivist.cli", "extract", str(tmp_path / "archives"), "-o", str(tmp_path / "records"),
                        "--workers", "2", "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert "Warning" not in p.stderr, p.stderr
    import json

    report = json.loads(p.stdout)
    assert report["counts"]["records_extracted"] == 8
    assert p.returncode == (1 if report["rejected"] else 0)
    assert (tmp_path / "records" / "_run.json").exists()


def test_a_pool_started_early_is_the_one_the_run_uses() -> None:
    # The CLI starts the run's pool before importing the extraction code (executors.start_early);
    # the run's executor takes that pool, with its warm workers, instead of starting a second.
    out = _python("""
        from functools import partial
        from archivist import executors
        from archivist.executors import LocalExecutor
        from archivist.sandbox import Limits, start_shared
        from tests.test_startup import sandbox_state
        executors.start_early(2, 2, partial(start_shared, Limits()))
        early = executors._early._pool
        with LocalExecutor(2, warm=partial(start_shared, Limits(timeout=5))) as other:
            other.start(2)  # other limits: not this pool
            print(other._pool is early, executors._early is not None)
        with LocalExecutor(2, warm=partial(start_shared, Limits())) as ex:
            ex.start(2)
            print(ex._pool is early, executors._early is None)
            print(sorted(set(ex.map(sandbox_state, range(8)))))
    """)
    assert out.split("\n")[:3] == ["False True", "True True", "[(True, 0)]"], out
