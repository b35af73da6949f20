"""The Python API. Each function is what the CLI command of the same name calls.

Explicit arguments always win; inside a corpus workspace (a folder with ``corpus.toml``) the
workspace's folders and settings fill in what is not given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import workspace as ws
from .report import StageReport

# Each function imports the stage it runs: a command pays only for its own imports.
if TYPE_CHECKING:
    from .extractor import ExtractedDoc
    from .fetch import FetchOptions
    from .verify import VerifyResult

# The stage functions under their old module-level names (``api._ingest`` etc.), loaded on use.
_STAGES = {"_ingest": ("ingest", "ingest"), "_extract": ("extract", "extract"), "_publish": ("release", "publish"),
           "_verify": ("verify", "verify")}


def __getattr__(name: str) -> Any:
    if name in _STAGES:
        import importlib

        module, attr = _STAGES[name]
        return getattr(importlib.import_module(f".{module}", __package__), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# progress(done, total): called as work completes, for progress bars.
Progress = Callable[[int, int], None]

__all__ = ["diff", "extract", "extract_page", "extract_text", "ingest", "init", "pack", "publish", "push", "query",
           "render_plots", "report", "reproduce", "run", "show", "stats", "verify"]


def init(directory: str | Path = ".", name: str | None = None) -> ws.Workspace:
    """Scaffold a corpus workspace: corpus.toml, archives/, records/, releases/, DATASET_CARD.md."""
    return ws.init(directory, name)


def _workspace(where: str | Path | None = None) -> ws.Workspace | None:
    return ws.find(where or ".")


def ingest(
    sources: list[str] | None = None,
    out_dir: str | Path | None = None,
    *,
    sidecar: str | Path | None = None,
    urls: str | Path | None = None,
    corpus_name: str | None = None,
    operator: str | None = None,
    license: str | None = None,
    fetch_options: FetchOptions | None = None,
    progress: Progress | None = None,
) -> StageReport:
    """Files, folders and globs of raw pages (and a URL list to fetch) to WARC/1.1 files in ``out_dir``."""
    from .ingest import ingest as _ingest

    w = _workspace()
    cfg_sources = w.sources() if w else {}
    sources = sources or list(cfg_sources.get("paths") or [])
    sidecar = sidecar or (cfg_sources.get("sidecar") or None)
    corpus = w.corpus() if w else {}
    if out_dir is None:
        if w is None:
            raise ValueError("no output folder given (-o) and not inside a workspace (archivist init)")
        out_dir = w.archives
    return _ingest(
        sources,
        out_dir,
        sidecar=sidecar,
        urls=urls,
        corpus_name=corpus_name or corpus.get("name") or "corpus",
        operator=operator or corpus.get("operator") or None,
        license=license or None,
        fetch_options=fetch_options,
        progress=progress,
    )


def extract(
    warcs: list[str | Path] | None = None,
    out_dir: str | Path | None = None,
    *,
    workers: int | None = 1,
    executor: str = "local",
    address: str | None = None,
    resume: bool = True,
    progress: Progress | None = None,
    page_timeout: float | None = None,
    page_memory_mb: int | None = None,
) -> StageReport:
    """WARC files (or folders of them) to Parquet record shards plus a rejects table.

    ``workers=None`` uses every core; ``executor="ray"`` runs the same shard tasks on Ray.
    Every page runs in a sandbox worker under ``page_timeout`` seconds and ``page_memory_mb``.
    """
    from .executors import default_workers

    w = _workspace()
    if not warcs:
        if w is None:
            raise ValueError("no WARC files given and not inside a workspace")
        warcs = [w.archives]
    if out_dir is None:
        if w is None:
            raise ValueError("no output folder given (-o) and not inside a workspace")
        out_dir = w.records
    _extract_head_start(warcs, out_dir, workers, executor, page_timeout, page_memory_mb, resume)
    from .extract import extract as _extract

    limits = _extract_limits(page_timeout, page_memory_mb)
    return _extract(list(warcs), out_dir, workers=workers or default_workers(), executor=executor,
                    address=address, resume=resume, progress=progress, limits=limits)


def _extract_limits(page_timeout: float | None, page_memory_mb: int | None) -> Any:
    from .sandbox import Limits

    return Limits(timeout=page_timeout or Limits.timeout, memory_mb=page_memory_mb or Limits.memory_mb)


def _extract_head_start(warcs: list[str | Path] | None, out_dir: str | Path | None, workers: int | None, executor: str,
                        page_timeout: float | None, page_memory_mb: int | None, resume: bool = True) -> None:
    """Start the processes an extract run will need before this process imports the extraction
    code (~0.25 s of CPU), so that their start-up overlaps it: the sandbox worker when the
    shards run here, else the pool (its forkserver imports that code too; its workers fork as
    soon as it has, and start their sandbox workers). The CLI calls it
    before its own imports; :func:`extract` again (a no-op then). Unclear inputs: nothing, the
    run says what is wrong. A run resuming a finished one starts no sandbox worker (its pool
    still starts: the run-level passes use it)."""
    if executor != "local":
        return
    if not warcs or out_dir is None:  # the workspace's folders fill in; without one, the run says what is missing
        w = _workspace()
        if w is None:
            return
        warcs = warcs or [w.archives]
        out_dir = w.records if out_dir is None else out_dir
    from .executors import default_workers, start_early
    from .warc_files import find_warcs

    try:
        found = find_warcs(list(warcs))
    except OSError:
        return
    tasks = len(found)
    n = workers or default_workers()
    if n > 1 and tasks > 1:
        from functools import partial

        from .sandbox import start_shared

        start_early(n, tasks, partial(start_shared, _extract_limits(page_timeout, page_memory_mb)))
    elif tasks:
        from .runstate import all_recorded

        if resume and all_recorded(Path(out_dir), found):
            return
        from .sandbox import shared_sandbox

        shared_sandbox(_extract_limits(page_timeout, page_memory_mb)).start()


def publish(
    records_dir: str | Path | None,
    version: str,
    out_dir: str | Path | None = None,
    *,
    parent: str | Path | None = None,
    corpus: dict[str, Any] | None = None,
    datasheet: dict[str, str] | None = None,
) -> StageReport:
    """A records folder to an immutable release ``<out_dir>/<version>/``."""
    from .release import publish as _publish

    w = _workspace(records_dir if records_dir else ".")
    if records_dir is None:
        if w is None:
            raise ValueError("no records folder given and not inside a workspace")
        records_dir = w.records
    if not Path(records_dir).is_dir():
        raise ValueError(f"{records_dir}: no such records folder")
    if not any(p for p in Path(records_dir).glob("*.parquet") if not p.name.endswith(".rejects.parquet")):
        raise ValueError(f"{records_dir}: no record shards (*.parquet) to publish; run archivist extract first")
    if out_dir is None:
        out_dir = w.releases if w else Path(records_dir).parent / "releases"
    corpus = corpus if corpus is not None else (w.corpus() if w else {})
    datasheet = datasheet if datasheet is not None else (w.datasheet() if w else {})
    return _publish(records_dir, version, out_dir, corpus=corpus, datasheet=datasheet, parent=parent)


def pack(warcs: list[str | Path], out: str | Path, *, title: str | None = None,
         description: str | None = None) -> StageReport:
    """WARC files (or folders of them) to one WACZ 1.1.1 file for replay (ReplayWeb.page, pywb)."""
    from .wacz import pack as _pack

    return _pack(list(warcs), out, title=title, description=description)


def push(release: str | Path, repo_id: str, *, private: bool = False) -> StageReport:
    """Upload a release to the Hugging Face Hub (staging branch, verify, tag vX.Y.Z, then main).

    The token comes from the environment (``HF_TOKEN``) or the huggingface_hub login.
    """
    from . import hub

    client = hub.HubClient()
    result = hub.push(release, repo_id, client, private=private)
    report = StageReport(stage="push", inputs=1)
    report.counts.update({"uploaded": int(result.uploaded), "tagged": int(result.tagged),
                          "main_updated": int(result.main_updated)})
    report.outputs = [str(hub.record(release, result, client.endpoint))]
    report.extra["hub"] = result.to_json()
    return report


def reproduce(release: str | Path, archives: str | Path) -> Any:
    """Re-extract a release from its input WARCs (sha256-checked) and compare the logical digest."""
    from .reproduce import reproduce as _reproduce

    return _reproduce(release, archives)


def verify(release: str | Path) -> VerifyResult:
    """Re-hash a release and check its tree hash, logical digest and schema."""
    from .verify import verify as _verify

    _require_release(release)
    return _verify(release)


def diff(a: str | Path, b: str | Path) -> dict[str, Any]:
    """Compare two releases: records added, removed, modified; files; schema; suggested semver bump."""
    from .diff import diff as _diff

    return _diff(a, b)


def _require_release(release: str | Path) -> None:
    # A folder that is no release at all is a usage error (exit 2), not a failed verification.
    p = Path(release)
    if not p.is_dir():
        raise ValueError(f"{p}: no such release folder")
    if not (p / "manifest.json").is_file():
        raise ValueError(f"{p}: not a release folder (no manifest.json; give releases/<version>)")


def show(record_id: str, records_dir: str | Path | None = None, archives_dir: str | Path | None = None) -> Any:
    """One record and its source re-read from the WARC by offset (``ShowResult``; ``.problems`` lists mismatches)."""
    from .show import show as _show

    w = _workspace()
    records_dir = records_dir or (w.records if w else "records")
    archives_dir = archives_dir or (w.archives if w else None)
    return _show(record_id, records_dir, archives_dir)


def show_html(res: Any, records_dir: str | Path | None = None, out: str | Path | None = None) -> Path:
    """Write the HTML view of a ``show`` result (record beside the sandboxed archived page); returns its path."""
    from .fsutil import write_text
    from .show_html import original_content, render

    w = _workspace()
    records_dir = records_dir or (w.records if w else "records")
    dest = Path(out) if out else Path(f"show-{res.row['id']}.html")
    if dest.is_dir():
        raise ValueError(f"{dest}: is a folder; give a file name, e.g. {dest / 'record.html'}")
    content, origin = None, None
    if res.source is not None and res.source.record_type == "revisit" and res.warc_path is not None:
        content, origin = original_content(res, records_dir, res.warc_path.parent)
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_text(dest, render(res, content, origin))
    return dest


def extract_page(
    path: str | Path,
    url: str | None = None,
    captured_at: datetime | None = None,
    content_type: str | None = None,
) -> ExtractedDoc:
    """Extract one raw page file (HTML or text dump). Raises NotExtractable with a reason."""
    from .extractor import extract_bytes
    from .sources import guess_media_type

    p = Path(path)
    raw = p.read_bytes()
    media = (content_type or "").split(";")[0].strip() or guess_media_type(p)
    if media == "text/plain" and b"<html" in raw[:4096].lower():
        media = "text/html"
    return extract_bytes(raw, media, declared_content_type=content_type, url=url, captured_at=captured_at)


def extract_text(html: str | bytes, url: str | None = None) -> str:
    """Main text of one HTML page (boilerplate removed); empty string when there is none."""
    from .extractor import NotExtractable, extract_bytes, extract_html

    try:
        if isinstance(html, bytes):
            return extract_bytes(html, "text/html", url=url).text
        return extract_html(html, url, None).text
    except NotExtractable:
        return ""


def doc_as_dict(doc: ExtractedDoc) -> dict[str, Any]:
    import dataclasses

    d = dataclasses.asdict(doc)
    for k in ("published", "modified"):
        if d[k] is not None:
            d[k] = d[k].strftime("%Y-%m-%dT%H:%M:%SZ")
    d.pop("visible_chars", None)
    return d


def run(
    sources: list[str],
    version: str,
    root: str | Path = ".",
    *,
    sidecar: str | Path | None = None,
    workers: int = 1,
) -> dict[str, StageReport]:
    """The main job: ingest -> extract -> publish in a workspace (created if missing)."""
    from .extract import extract as _extract
    from .ingest import ingest as _ingest
    from .release import publish as _publish

    w = ws.find(root) or ws.init(root)
    corpus = w.corpus()
    reports = {"ingest": _ingest(sources, w.archives, sidecar=sidecar, corpus_name=w.name,
                                 operator=corpus.get("operator") or None)}
    warcs = [Path(p) for p in reports["ingest"].outputs]
    reports["extract"] = _extract(list(warcs), w.records, workers=workers)
    reports["publish"] = _publish(w.records, version, w.releases, corpus=corpus, datasheet=w.datasheet())
    return reports


def _records_or_release(path: str | Path | None) -> Path:
    if path is not None:
        return Path(path)
    w = _workspace()
    if w is None:
        raise ValueError("no records folder or release given and not inside a workspace")
    return w.records


def stats(path: str | Path | None = None) -> dict[str, Any]:
    """Figures of a records folder or release: languages, sites, months, status, lengths, duplicates, rejects."""
    from .stats import compute

    return compute(_records_or_release(path))


def query(sql: str, path: str | Path | None = None) -> Any:
    """Run DuckDB SQL over the views ``records`` and ``rejects``; returns columns and rows."""
    from .query import query as _query

    return _query(sql, _records_or_release(path))


def report(path: str | Path | None, out: str | Path = "report.html", *, replay_prefix: str | None = None,
           sample_size: int = 20) -> Path:
    """Write a self-contained HTML report (plots, sample of records) of a records folder or release."""
    from .report_html import write_report

    return write_report(_records_or_release(path), out, replay_prefix=replay_prefix, sample_size=sample_size)


def render_plots(path: str | Path, out_dir: str | Path) -> list[Path]:
    """The report's plots as ``<out_dir>/images/*.svg`` (for a release's dataset card)."""
    from .report_html import render_plots as _render_plots

    return _render_plots(path, out_dir)
