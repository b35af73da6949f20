"""Command line: a thin layer over :mod:`archivist.api` (no logic lives here).

Exit codes: 0 all done, 1 done with some inputs rejected, 2 usage or fatal error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from . import __version__, api

if TYPE_CHECKING:
    from .report import StageReport

# fetch.DEFAULT_USER_AGENT, restated so that starting the CLI does not import the fetcher
# (tests/test_startup.py checks that the two agree).
DEFAULT_USER_AGENT = f"archivist/{__version__} (research corpus builder)"

app = typer.Typer(
    name="archivist",
    help="Raw web pages to research corpora: WARC/1.1 archives, Parquet records with provenance, versioned releases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary (counts, every reject with its reason, outputs).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]


class Fatal(Exception):
    pass


# Set by a command whose results are all on disk and printed when it returns (extract): the
# process then ends without the interpreter's teardown (see :func:`main`).
_exit_fast = False


def _known_errors() -> tuple[type[Exception], ...]:
    # release.ReleaseError (and hub's subclass) counts only once release is loaded; a command that
    # never loads it cannot raise it, and need not import the publishing code to catch it.
    release = sys.modules.get("archivist.release")
    return (Fatal, ValueError, release.ReleaseError) if release else (Fatal, ValueError)


@contextmanager
def _fatal_errors() -> Iterator[None]:
    """Known failures become one clear line and exit code 2, never a traceback."""
    try:
        yield
    except _known_errors() as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        raise typer.Exit(2) from None
    except OSError as e:  # missing, unwritable, a file where a folder should be, disk full
        where = f"{e.filename}: " if e.filename else ""
        err.print(f"[red]error:[/red] {where}{e.strerror or e}", highlight=False)
        raise typer.Exit(2) from None


def _finish(report: StageReport, as_json: bool, summary: Callable[[], None] | None = None) -> None:
    if as_json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str))
    else:
        if summary:
            summary()
        for r in report.rejects[:20]:
            err.print(f"[yellow]rejected[/yellow] {r.reason}: {r.detail or r.input}", highlight=False)
        if len(report.rejects) > 20:
            err.print(f"… and {len(report.rejects) - 20} more rejects (see --json or the rejects table)")
    raise typer.Exit(report.exit_code)


def _finish_check(ok: bool, as_dict: dict[str, Any], as_json: bool, ok_line: str, problems: list[str]) -> None:
    """Print a check's result (verify, reproduce); exit 0 when it passed, 1 naming each failure."""
    if as_json:
        print(json.dumps(as_dict, indent=2))
    elif ok:
        out.print(ok_line, highlight=False)
    else:
        for p in problems:
            err.print(f"[red]FAIL[/red] {p}", highlight=False, soft_wrap=True)
    raise typer.Exit(0 if ok else 1)


@contextmanager
def _progress(label: str, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar (count, rate, ETA) on a terminal; nothing when piped or --quiet."""
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    cols = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
    with Progress(*cols, console=err, transient=True) as prog:
        task = prog.add_task(label, total=None, rate="")

        def update(done: int, total: int) -> None:
            prog.update(task, completed=done, total=total)
            speed = prog.tasks[0].speed
            prog.update(task, rate=f"{speed:.1f}/s" if speed else "")

        yield update


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _version_cb(value: bool) -> None:
    if value:
        print(f"archivist {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version_cb, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """archivist: ingest raw pages to WARC/1.1, extract records to Parquet, publish versioned corpora."""


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the workspace.")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Corpus name (default: the folder name).")] = None,
) -> None:
    """Scaffold a corpus workspace: corpus.toml, archives/, records/, releases/, DATASET_CARD.md.

    Example: archivist init my-corpus --name news-2026
    """
    with _fatal_errors():
        w = api.init(directory, name)
    out.print(f"workspace [bold]{w.name}[/bold] ready in {w.root}", highlight=False)


@app.command()
def ingest(
    sources: Annotated[list[str] | None, typer.Argument(help="Files, folders or globs of raw pages (HTML, text) or existing archives (.warc, .warc.gz, .arc, .arc.gz, .wacz).")] = None,
    out_dir: Annotated[Path | None, typer.Option("-o", "--out", help="Folder for the WARC files (default: the workspace's archives/).")] = None,
    urls: Annotated[Path | None, typer.Option("--urls", help="File with one URL per line to fetch.")] = None,
    sidecar: Annotated[Path | None, typer.Option("--sidecar", help="CSV/JSONL giving path, url, captured_at, license per page.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Corpus name (WARC file prefix, warcinfo isPartOf).")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Fetch loopback/private/link-local addresses too (refused by default, on every redirect hop).")] = False,
    ignore_robots: Annotated[bool, typer.Option("--ignore-robots", help="Do not fetch or obey robots.txt.")] = False,
    user_agent: Annotated[str | None, typer.Option("--user-agent", help=f"User-Agent header for fetches (default: '{DEFAULT_USER_AGENT}', plus '; operator: …' from corpus.toml when set).")] = None,
    delay: Annotated[float, typer.Option("--delay", min=0, help="Seconds between requests to one host.")] = 1.0,
    max_per_host: Annotated[int, typer.Option("--max-per-host", min=1, help="Concurrent connections per host.")] = 2,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Connect and read timeout, seconds.")] = 30.0,
    deadline: Annotated[float, typer.Option("--deadline", min=0.1, help="Total seconds per HTTP exchange; a slower body is cut (WARC-Truncated: time).")] = 120.0,
    max_fetch_bytes: Annotated[int, typer.Option("--max-bytes", min=1, help="Body cap per response; longer bodies are cut (WARC-Truncated: length).")] = 10_000_000,
    retries: Annotated[int, typer.Option("--retries", min=0, help="Retries on connect errors, timeouts, 5xx and 429 (exponential backoff, Retry-After honoured).")] = 2,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Archive raw pages, or fetch a URL list, into WARC/1.1 (.warc.gz, one gzip member per record).

    Example: archivist ingest examples/pages --sidecar examples/pages/pages.csv -o archives
    Example: archivist ingest --urls urls.txt -o archives --delay 2 --json
    """
    from .fetch import FetchOptions

    with _fatal_errors():
        if not sources and not urls and api._workspace() is None:
            raise Fatal("nothing to ingest: give files, folders, globs or --urls")
        fetch_options = FetchOptions(
            allow_private=allow_private, ignore_robots=ignore_robots, user_agent=user_agent, delay=delay,
            max_per_host=max_per_host, timeout=timeout, deadline=deadline, max_bytes=max_fetch_bytes, retries=retries,
        )
        with _progress("archiving", quiet) as progress:
            report = api.ingest(sources or None, out_dir, sidecar=sidecar, urls=urls, corpus_name=name,
                                progress=progress, fetch_options=fetch_options)

    def summary() -> None:
        c = report.counts
        copied = f", {c['archive_records_copied']} records copied from existing archives" if c["archive_records_in"] else ""
        out.print(f"ingest: {c['pages_archived']} pages archived ({c['resource_records']} resource, "
                  f"{c['revisit_records']} revisit){copied}, {len(report.rejects)} rejected -> "
                  + (", ".join(report.outputs) or "no WARC written"), highlight=False)

    _finish(report, as_json, summary)


@app.command()
def extract(
    warcs: Annotated[list[Path] | None, typer.Argument(help="WARC files or folders of them.")] = None,
    out_dir: Annotated[Path | None, typer.Option("-o", "--out", help="Folder for the Parquet shards (default: the workspace's records/).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, help="Worker processes, one shard each (default: the number of cores).")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local (processes) or ray.")] = "local",
    address: Annotated[str | None, typer.Option("--address", help="Ray cluster address (with --executor ray).")] = None,
    resume: Annotated[bool, typer.Option("--resume/--no-resume", help="Skip shards an earlier run finished.")] = True,
    page_timeout: Annotated[float, typer.Option("--page-timeout", min=0.1, help="Seconds one page may take; slower pages become 'timeout' rejects.")] = 30.0,
    page_memory: Annotated[int, typer.Option("--page-memory", min=256, help="Memory cap (MB of address space) of the extraction worker; pages over it become 'memory-limit' rejects.")] = 2048,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Extract records from WARC files into Parquet shards (one per WARC) and a rejects table.

    A killed run continues where it stopped when run again: finished shards are skipped.

    Example: archivist extract archives/ -o records --workers 2
    """
    from .arrow_process import configure

    with _fatal_errors():  # the run's sandbox worker or pool starts while this process imports
        api._extract_head_start(list(warcs) if warcs else None, out_dir, workers, executor, page_timeout, page_memory, resume)
    configure()  # no pandas probe (0.3 s), Arrow memory from the system allocator (flat peak RSS)
    with _fatal_errors(), _progress("extracting", quiet) as progress:
        report = api.extract(list(warcs) if warcs else None, out_dir, workers=workers, executor=executor,
                             address=address, resume=resume, progress=progress,
                             page_timeout=page_timeout, page_memory_mb=page_memory)
    global _exit_fast
    _exit_fast = True

    def summary() -> None:
        c = report.counts
        out.print(f"extract: {c['records_extracted']} records from {report.inputs} WARC file(s), "
                  f"{c['exact_dup_rows_marked']} exact and {c['near_dup_rows_marked']} near duplicates marked, {len(report.rejects)} rejected", highlight=False)

    _finish(report, as_json, summary)


@app.command()
def publish(
    records_dir: Annotated[Path | None, typer.Argument(help="Folder of record shards (default: the workspace's records/).")] = None,
    version: Annotated[str, typer.Option("--version", help="Release version, X.Y.Z.")] = ...,  # type: ignore[assignment]
    out_dir: Annotated[Path | None, typer.Option("-o", "--out", help="Releases folder (default: the workspace's releases/).")] = None,
    parent: Annotated[Path | None, typer.Option("--parent", help="Previous release (default: the latest older version in the releases folder).")] = None,
    push: Annotated[str | None, typer.Option("--push", help="Upload to the Hugging Face Hub as ORG/NAME.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Build an immutable, versioned release with checksums, a dataset card and Croissant metadata.

    Example: archivist publish records --version 1.0.0 -o releases
    """
    with _fatal_errors():
        report = api.publish(records_dir, version, out_dir, parent=parent)
        if push:
            pushed = api.push(report.extra["release"], push)
            report.extra["hub"] = pushed.extra["hub"]
            report.outputs += pushed.outputs

    def summary() -> None:
        state = "unchanged (already published)" if report.counts.get("already_published") else "written"
        out.print(f"publish: {report.counts['records']} records, release {state}: {report.extra['release']}", highlight=False)
        if "hub" in report.extra:
            h = report.extra["hub"]
            done = "nothing to do (already there)" if not (h["uploaded"] or h["tagged"] or h["main_updated"]) else "pushed"
            out.print(f"hub: {h['repo_id']} {h['tag']} -> commit {h['commit']} ({done}); main at {h['main_commit']}", highlight=False)

    _finish(report, as_json, summary)


@app.command()
def verify(
    release: Annotated[Path, typer.Argument(help="Release folder.")],
    as_json: JsonOpt = False,
) -> None:
    """Re-hash every file of a release; check tree hash, logical digest, schema, Croissant and card.

    Example: archivist verify releases/1.0.0
    """
    with _fatal_errors():
        res = api.verify(release)
    _finish_check(res.ok, res.to_json(), as_json, f"verify: OK ({len(res.checked)} checks) {release}", res.failures)


@app.command()
def reproduce(
    release: Annotated[Path, typer.Argument(help="Release folder.")],
    archives: Annotated[Path, typer.Option("--archives", help="Folder holding the WARC files the manifest lists.")] = ...,  # type: ignore[assignment]
    as_json: JsonOpt = False,
) -> None:
    """Re-extract a release from its WARC files (sha256-checked) and compare the logical digest.

    Example: archivist reproduce releases/1.0.0 --archives archives
    """
    with _fatal_errors():
        res = api.reproduce(release, archives)
    _finish_check(res.ok, res.to_json(), as_json, f"reproduce: OK, {res.rows} records, logical digest {res.actual}",
                  res.problems)


@app.command()
def diff(
    release_a: Annotated[Path, typer.Argument(help="Older release folder.")],
    release_b: Annotated[Path, typer.Argument(help="Newer release folder.")],
    as_json: JsonOpt = False,
) -> None:
    """Compare two releases: records added, removed, modified; files; schema; semver bump.

    Example: archivist diff releases/1.0.0 releases/1.1.0 --json
    """
    with _fatal_errors():
        d = api.diff(release_a, release_b)
    if as_json:
        print(json.dumps(d, indent=2))
    else:
        r = d["records"]
        out.print(f"{d['from']['version']} -> {d['to']['version']}: +{r['added']} added, -{r['removed']} removed, "
                  f"~{r['modified']} modified, {r['unchanged']} unchanged; schema {'changed' if d['schema']['changed'] else 'same'}; "
                  f"suggested bump: {d['suggested_bump']}", highlight=False)


@app.command()
def pack(
    warcs: Annotated[list[Path], typer.Argument(help="WARC files or folders of them.")],
    dest: Annotated[Path, typer.Option("-o", "--out", help="The .wacz file to write.")],
    title: Annotated[str | None, typer.Option("--title", help="Collection title (default: the file name).")] = None,
    description: Annotated[str | None, typer.Option("--description", help="Collection description (Markdown).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Pack WARC files into a WACZ 1.1.1 (archive/, indexes/, pages/, datapackage.json) for replay.

    Example: archivist pack archives/ -o corpus.wacz
    """
    with _fatal_errors():
        report = api.pack(list(warcs), dest, title=title, description=description)

    def summary() -> None:
        c = report.counts
        out.print(f"pack: {c['warcs_packed']} WARC file(s), {c['pages']} pages, "
                  f"{c['index_lines']} index lines -> {dest}", highlight=False)

    _finish(report, as_json, summary)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(help="Record id (the source WARC record's UUID).")],
    records: Annotated[Path | None, typer.Option("--records", help="Folder of record shards (default: the workspace's records/).")] = None,
    archives: Annotated[Path | None, typer.Option("--archives", help="Folder of the WARC files (default: the workspace's archives/, else beside --records).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record, its re-read source and the check as JSON.")] = False,
    html: Annotated[bool, typer.Option("--html", help="Write an HTML page: the record beside the archived page (sandboxed).")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--out", help="With --html: the file to write (default: show-<id>.html).")] = None,
) -> None:
    """Print one record and re-read its source record from the WARC by offset, checking its digests.

    Exit 0 when the payload re-read at the offset matches the row's sha256, 1 when it does not,
    2 when the record or its WARC cannot be found.

    Example: archivist show 0b1c...e9 --records records --archives archives
    Example: archivist show 0b1c...e9 --html -o record.html
    """
    from .show import ShowError
    from .show import as_json as show_json

    with _fatal_errors():
        try:
            res = api.show(record_id, records, archives)
        except ShowError as e:
            raise Fatal(str(e)) from None
    if html:
        with _fatal_errors():
            dest = api.show_html(res, records, output)
        out.print(f"show: {dest}", highlight=False)
    elif as_json:
        print(json.dumps(show_json(res), indent=2, ensure_ascii=False, default=str))
    else:
        _print_record(res)
    for p in res.problems:
        err.print(f"[red]provenance check failed:[/red] {p}", highlight=False)
    raise typer.Exit(0 if res.ok else 1)


def _print_record(res: Any) -> None:
    from rich.panel import Panel
    from rich.table import Table

    r = res.row
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold cyan", no_wrap=True)
    t.add_column(overflow="fold")

    def add(k: str, v: Any) -> None:
        if v not in (None, "", []):
            t.add_row(k, str(v))

    add("url", r["url"])
    add("canonical", r.get("canonical_url"))
    add("site", r.get("site_name"))
    add("authors", ", ".join(r.get("authors") or []))
    add("published", f"{r['published']} ({r.get('published_source')})" if r.get("published") else None)
    add("modified", r.get("modified"))
    add("captured", r["captured_at"])
    conf = r.get("language_confidence")
    add("language", f"{r.get('language')} ({conf:.2f})" if r.get("language") and conf is not None else r.get("language"))
    add("attribution", r.get("source_attribution"))
    add("words", r.get("word_count"))
    add("outlinks", len(r.get("outlinks") or []) or None)
    add("duplicates", f"exact of {r['exact_dup_cluster']}" if r.get("exact_dup_cluster") else None)
    add("near dup of", r.get("near_dup_cluster"))
    add("kept", r.get("is_kept"))
    lines = [ln for ln in (r.get("text") or "").splitlines() if ln.strip()]
    add("text", "\n".join(lines[:5]) + (" …" if len(lines) > 5 else ""))
    add("warc", f"{r['warc_filename']} @ {r['warc_record_offset']} (+{r['warc_record_length']} bytes)")
    add("record id", r["warc_record_id"])
    add("sha256", r["payload_sha256"])
    add("extractor", f"{r['extractor']} settings {r['settings_hash']}")
    src = res.source
    if src is not None:
        status = "[green]matches the row[/green]" if res.ok else "[red]DOES NOT match the row[/red]"
        add("re-read", f"{src.record_type} record, {len(src.payload)} payload bytes, {status}")
    out.print(Panel(t, title=r.get("title") or r["id"], subtitle=r["id"]))


@app.command("extract-page")
def extract_page(
    file: Annotated[Path, typer.Argument(help="One raw page: HTML or a text dump.")],
    url: Annotated[str | None, typer.Option("--url", help="The page's URL (resolves links, helps metadata).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    text_only: Annotated[bool, typer.Option("--text", help="Same as --format text.")] = False,
) -> None:
    """Extract one raw page to stdout: its main text, or the record fields as JSON.

    Example: archivist extract-page page.html --url https://example.org/a --format json
    """
    from .extractor import NotExtractable

    if fmt not in ("text", "json"):
        err.print(f"[red]error:[/red] --format must be text or json, not {fmt!r}")
        raise typer.Exit(2)
    with _fatal_errors():
        if not file.is_file():
            raise Fatal(f"{file}: no such file")
        try:
            doc = api.extract_page(file, url=url)
        except NotExtractable as e:
            err.print(f"[yellow]rejected[/yellow] {file}: {e.reason}: {e}", highlight=False)
            raise typer.Exit(1) from None
    if fmt == "json" and not text_only:
        print(json.dumps(api.doc_as_dict(doc), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(doc.text + "\n")


@app.command()
def run(
    sources: Annotated[list[str], typer.Argument(help="Files, folders or globs of raw pages.")],
    version: Annotated[str, typer.Option("--version", help="Release version, X.Y.Z.")] = "0.1.0",
    root: Annotated[Path, typer.Option("--root", help="Workspace folder (created if missing).")] = Path("."),
    sidecar: Annotated[Path | None, typer.Option("--sidecar", help="CSV/JSONL giving path, url, captured_at, license per page.")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1)] = 1,
    as_json: JsonOpt = False,
) -> None:
    """The main job in one command: ingest -> extract -> publish, in a workspace.

    Example: archivist run examples/pages --sidecar examples/pages/pages.csv --version 0.1.0
    """
    with _fatal_errors():
        reports = api.run(sources, version, root, sidecar=sidecar, workers=workers)
    rejects = sum(len(r.rejects) for r in reports.values())
    if as_json:
        print(json.dumps({k: r.to_json() for k, r in reports.items()}, indent=2, default=str))
    else:
        ing, ext, pub = reports["ingest"], reports["extract"], reports["publish"]
        for r in (ing, ext):
            for rej in r.rejects:
                err.print(f"[yellow]rejected[/yellow] {rej.stage}/{rej.reason}: {rej.detail or rej.input}", highlight=False)
        out.print("[bold]summary[/bold]")
        out.print(f"  pages    {ing.counts['pages_archived']} archived into {len(ing.outputs)} WARC file(s)", highlight=False)
        out.print(f"  records  {ext.counts['records_extracted']} extracted ({ext.counts['exact_dup_rows_marked']} exact, {ext.counts['near_dup_rows_marked']} near duplicates marked)", highlight=False)
        out.print(f"  rejects  {rejects}", highlight=False)
        out.print(f"  release  {_relative(pub.extra['release'])}", highlight=False)
    raise typer.Exit(1 if rejects else 0)


FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


@app.command()
def stats(
    path: Annotated[Path | None, typer.Argument(help="Records folder or release folder (default: the workspace's records/).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Counts by language, site, capture month and HTTP status; text length quantiles; duplicate and reject rates.

    Example: archivist stats releases/1.0.0
    """
    from . import stats as corpus_stats

    with _fatal_errors():
        figures = api.stats(path)
    if as_json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        corpus_stats.render(figures, out)


@app.command()
def report(
    path: Annotated[Path | None, typer.Argument(help="Records folder or release folder (default: the workspace's records/).")] = None,
    output: Annotated[Path, typer.Option("-o", "--out", help="HTML file to write.")] = Path("report.html"),
    replay_prefix: Annotated[str | None, typer.Option("--replay-prefix", help="pywb-style replay URL prefix; sample rows link to <prefix>/<timestamp>/<url>.")] = None,
    sample_size: Annotated[int, typer.Option("--sample", min=0, help="Records in the sample table (the first by id).")] = 20,
) -> None:
    """One self-contained HTML page (no network needed) with plots of the corpus and a sample of records.

    Example: archivist report releases/1.0.0 -o report.html --replay-prefix http://localhost:8080/my-coll
    """
    with _fatal_errors():
        dest = api.report(path, output, replay_prefix=replay_prefix, sample_size=sample_size)
    out.print(f"report: {dest}", highlight=False)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL over the views records and rejects (DuckDB dialect).")],
    path: Annotated[Path | None, typer.Argument(help="Records folder or release folder (default: the workspace's records/).")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """SQL over the Parquet of a records folder or release, with DuckDB: views records and rejects.

    Example: archivist query "SELECT language, count(*) AS n FROM records GROUP BY 1 ORDER BY n DESC" --format csv
    """
    from . import query as q

    with _fatal_errors():
        if fmt not in q.FORMATS:
            raise Fatal(f"--format must be one of {', '.join(q.FORMATS)}, not {fmt!r}")
        res = api.query(sql, path)
    if fmt == "json":
        sys.stdout.write(q.to_json(res) + "\n")
    elif fmt == "csv":
        sys.stdout.write(q.to_csv(res))
    else:
        out.print(q.to_table(res))


def main() -> Any:
    import os

    try:
        return app()
    except SystemExit as e:
        if _exit_fast and (e.code is None or isinstance(e.code, int)):
            _exit_now(e.code or 0)
        raise
    except KeyboardInterrupt:
        raise
    except Exception as e:
        # Last line of defence: a bug must still not show the user a traceback (set
        # ARCHIVIST_DEBUG=1 to see it); exit 2 like every other fatal error.
        if os.environ.get("ARCHIVIST_DEBUG"):
            raise
        err.print(f"[red]error:[/red] unexpected {type(e).__name__}: {e} (a bug: please report it; "
                  "ARCHIVIST_DEBUG=1 shows the traceback)", highlight=False)
        sys.exit(2)


def _exit_now(code: int) -> NoReturn:
    """Exit as the interpreter would, minus its teardown.

    Freeing every module and object (pyarrow, numpy, the extraction code) takes ~0.1 s of CPU
    at the end of each run and frees nothing the kernel would not. Exit handlers still run (the
    sandbox worker is stopped and waited for, pools joined, finalizers run), then the output
    streams are flushed.
    """
    import atexit
    import contextlib
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
