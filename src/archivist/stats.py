"""Corpus statistics over the Parquet of a records folder or a release, computed by DuckDB.

DuckDB scans only the columns each query names, so the text column is never loaded whole:
the figures stream over shards of any size. The same connection (views ``records`` and
``rejects``) serves ``archivist query``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema

# Quantiles of word_count, nearest-rank (the value at position ceil(q*n) in sorted order):
# DuckDB's quantile_disc, and always a value that occurs in the data.
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)
TOP = 25

# Host of a URL as urllib's ``urlsplit(url).hostname`` gives it: after "scheme://" and any
# "user@", up to the port, path, query or fragment; IPv6 literals without their brackets.
_AUTH = r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?"
HOST_SQL = (
    f"coalesce(nullif(lower(coalesce(nullif(regexp_extract(url, '{_AUTH}\\[([^\\]]*)\\]', 1), ''), "
    f"regexp_extract(url, '{_AUTH}([^:/?#\\[]*)', 1))), ''), '(none)')"
)


class CorpusError(ValueError):
    """A path that is not a readable records folder or release; the message names it and why."""


@dataclass
class Corpus:
    path: Path
    kind: str  # "records" or "release"
    record_files: list[Path]
    reject_files: list[Path]
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """A name for headings: the folder name (and version), never an absolute path."""
        from . import workspace

        v = self.manifest.get("version")
        name = self.manifest.get("name")
        if not name and self.kind == "records":
            w = workspace.find(self.path)
            name = f"{w.name} records" if w else None
        name = name or self.path.resolve().name
        return f"{name} {v}" if v else str(name)


def locate(path: str | Path) -> Corpus:
    """Find the record and reject shards of a records folder or a release folder."""
    p = Path(path)
    if not p.exists():
        raise CorpusError(f"{p}: no such folder")
    if not p.is_dir():
        raise CorpusError(f"{p}: not a folder (give a records folder or a release folder)")
    if (p / "data").is_dir():
        records = sorted((p / "data").glob("*.parquet"))
        rejects = sorted((p / "rejects").glob("*.parquet"))
        manifest: dict[str, Any] = {}
        mf = p / "manifest.json"
        if mf.is_file():
            try:
                manifest = json.loads(mf.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise CorpusError(f"{mf}: not valid JSON: {e}") from None
        corpus = Corpus(p, "release", records, rejects, manifest if isinstance(manifest, dict) else {})
    else:
        parquet = sorted(p.glob("*.parquet"))
        corpus = Corpus(
            p,
            "records",
            [f for f in parquet if not f.name.endswith(".rejects.parquet")],
            [f for f in parquet if f.name.endswith(".rejects.parquet")],
        )
    if not corpus.record_files and not corpus.reject_files:
        raise CorpusError(f"{p}: no Parquet shards found (expected a records folder with *.parquet, "
                          "or a release folder with data/ and rejects/)")
    return corpus


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def connect(corpus: Corpus) -> Any:
    """An in-memory DuckDB connection with views ``records`` and ``rejects`` over the shards."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")  # months and days of captured_at in UTC, whatever the machine
    try:
        for view, files, declared in (
            ("records", corpus.record_files, schema.record_schema()),
            ("rejects", corpus.reject_files, schema.rejects_schema()),
        ):
            if files:
                lst = "[" + ", ".join(_sql_str(str(f)) for f in files) + "]"
                con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet({lst}, union_by_name = true)")
            else:
                # An empty table with the declared columns, so queries on it still bind.
                con.register(f"_empty_{view}", declared.empty_table())
                con.execute(f"CREATE VIEW {view} AS SELECT * FROM _empty_{view}")
    except duckdb.Error as e:
        con.close()
        raise CorpusError(f"{corpus.path}: unreadable Parquet: {_first_line(e)}") from None
    return con


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _counts(con: Any, key_sql: str, table: str = "records", order: str = "count") -> list[dict[str, Any]]:
    order_by = "n DESC, k ASC NULLS FIRST" if order == "count" else "k ASC NULLS FIRST"
    rows = con.execute(f"SELECT {key_sql} AS k, count(*) AS n FROM {table} GROUP BY k ORDER BY {order_by}").fetchall()
    return [{"key": k, "count": int(n)} for k, n in rows]


def compute(path: str | Path, top: int = TOP) -> dict[str, Any]:
    """All figures of ``archivist stats`` as a JSON-ready dict (no absolute paths, no clock)."""
    import duckdb

    corpus = locate(path)
    con = connect(corpus)
    try:
        return _compute(con, corpus, top)
    except duckdb.Error as e:
        raise CorpusError(f"{corpus.path}: cannot read the shards: {_first_line(e)}") from None
    finally:
        con.close()


def _compute(con: Any, corpus: Corpus, top: int) -> dict[str, Any]:
    n, kept, exact, near = con.execute(
        """SELECT count(*),
                  count(*) FILTER (WHERE is_kept),
                  count(*) FILTER (WHERE NOT is_kept AND exact_dup_cluster IS NOT NULL),
                  count(*) FILTER (WHERE NOT is_kept AND exact_dup_cluster IS NULL AND near_dup_cluster IS NOT NULL)
           FROM records"""
    ).fetchone()
    n, kept, exact, near = int(n), int(kept), int(exact), int(near)
    n_rejects = int(con.execute("SELECT count(*) FROM rejects").fetchone()[0])

    wc: dict[str, Any] = {"min": None, "max": None, "mean": None, "total": 0}
    wc.update({f"p{round(q * 100)}": None for q in QUANTILES})
    if n:
        qs = "[" + ", ".join(str(q) for q in QUANTILES) + "]"
        lo, hi, mean, total, quant = con.execute(
            f"SELECT min(word_count), max(word_count), avg(word_count), sum(word_count), "
            f"quantile_disc(word_count, {qs}) FROM records"
        ).fetchone()
        wc = {"min": int(lo), "max": int(hi), "mean": round(float(mean), 1), "total": int(total)}
        wc.update({f"p{round(q * 100)}": int(v) for q, v in zip(QUANTILES, quant, strict=True)})

    languages = _counts(con, "coalesce(language, '(unknown)')")
    sites = _counts(con, HOST_SQL)
    status = _counts(con, "http_status")
    reasons = [
        {"stage": s, "reason": r, "count": int(c)}
        for s, r, c in con.execute(
            "SELECT stage, reason, count(*) AS n FROM rejects GROUP BY stage, reason ORDER BY n DESC, stage, reason"
        ).fetchall()
    ]
    not_kept = n - kept
    return {
        "corpus": corpus.label,
        "kind": corpus.kind,
        "version": corpus.manifest.get("version"),
        "release": _release_figures(corpus.manifest) if corpus.kind == "release" else None,
        "files": {"records": len(corpus.record_files), "rejects": len(corpus.reject_files)},
        "records": n,
        "kept": kept,
        "languages": languages[:top],
        "languages_distinct": len(languages),
        "sites": sites[:top],
        "sites_distinct": len(sites),
        "months": _counts(con, "strftime(captured_at, '%Y-%m')", order="key"),
        "days": _counts(con, "strftime(captured_at, '%Y-%m-%d')", order="key"),
        "http_status": status,
        "word_count": wc,
        "duplicates": {
            "rows_not_kept": not_kept,
            "exact": exact,
            "near": near,
            "other": not_kept - exact - near,
            "rate": _rate(not_kept, n),
        },
        "rejects": {
            "count": n_rejects,
            "rate": _rate(n_rejects, n + n_rejects),
            "reasons": reasons,
        },
    }


def _release_figures(manifest: dict[str, Any]) -> dict[str, Any]:
    """A release's own numbers, from its manifest (None where the manifest lacks them)."""
    return {k: manifest.get(k) for k in ("name", "version", "parent_version", "created", "rows",
                                         "logical_digest", "tree_sha256")}


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def length_histogram(path: str | Path, bins: int = 20) -> list[dict[str, int]]:
    """word_count in equal-width bins with a round width, from the bin holding the shortest
    text to the one holding the longest: [{"lo", "hi", "count"}], hi exclusive."""
    corpus = locate(path)
    con = connect(corpus)
    try:
        lo, hi = con.execute("SELECT min(word_count), max(word_count) FROM records").fetchone()
        if hi is None:
            return []
        width = nice_width(int(hi) - int(lo) + 1, bins)
        rows = dict(con.execute(
            f"SELECT word_count // {width} AS b, count(*) FROM records GROUP BY b"
        ).fetchall())
    finally:
        con.close()
    return [{"lo": b * width, "hi": (b + 1) * width, "count": int(rows.get(b, 0))}
            for b in range(min(rows), max(rows) + 1)]


def nice_width(span: int, bins: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that covers ``span`` in at most ``bins`` bins."""
    raw = max(1.0, span / bins)
    p = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * p >= raw:
            return int(m * p)
    return int(10 * p)


def sample(path: str | Path, n: int = 20) -> list[dict[str, Any]]:
    """The first ``n`` records by id (deterministic, not random), with the first 200 chars of text."""
    corpus = locate(path)
    con = connect(corpus)
    try:
        cur = con.execute(
            f"""SELECT id, title, url, language, word_count, left(text, 200) AS snippet,
                       warc_filename, warc_record_offset, strftime(captured_at, '%Y%m%d%H%M%S') AS timestamp
                FROM records ORDER BY id LIMIT {int(n)}"""
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


# ---------------------------------------------------------------- terminal rendering


def render(stats: dict[str, Any], console: Any) -> None:
    """Rich tables of the figures of :func:`compute`."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    n = stats["records"]

    def pct(c: int, whole: int) -> str:
        return f"{100 * c / whole:.1f}%" if whole else "-"

    kind = "release" if stats["kind"] == "release" else "records folder"
    console.print(f"[bold]{escape(stats['corpus'])}[/bold] ({kind}): {n} records in {stats['files']['records']} shard(s), "
                  f"{stats['kept']} kept, {stats['rejects']['count']} rejected", highlight=False)
    rel = stats.get("release")
    if rel:
        t = Table(title="Release", title_justify="left", show_header=False)
        t.add_column("field", style="bold")
        t.add_column("value", overflow="fold")
        for key, label in (("version", "version"), ("parent_version", "parent version"), ("created", "last capture"),
                           ("rows", "rows (manifest)"), ("logical_digest", "logical digest"), ("tree_sha256", "tree sha256")):
            t.add_row(label, Text("-" if rel.get(key) is None else str(rel[key])))
        if rel.get("rows") is not None and rel["rows"] != n:
            t.add_row(Text("warning", style="red"), Text(f"the manifest says {rel['rows']} rows, the shards hold {n}"))
        console.print(t)

    def counts_table(title: str, rows: list[dict[str, Any]], whole: int, key_name: str, distinct: int | None = None) -> None:
        t = Table(title=title, title_justify="left")
        t.add_column(key_name)
        t.add_column("records", justify="right")
        t.add_column("share", justify="right")
        for r in rows:
            t.add_row(_key_text(r["key"], key_name), str(r["count"]), pct(r["count"], whole))
        if distinct is not None and distinct > len(rows):
            rest = whole - sum(r["count"] for r in rows)
            t.add_row(f"… {distinct - len(rows)} more", str(rest), pct(rest, whole))
        console.print(t)

    counts_table("Languages", stats["languages"], n, "language", stats["languages_distinct"])
    counts_table("Sites", stats["sites"], n, "site", stats["sites_distinct"])
    counts_table("Capture months (UTC)", stats["months"], n, "month")
    counts_table("HTTP status", stats["http_status"], n, "status")

    wc = stats["word_count"]
    t = Table(title="Text length (words)", title_justify="left")
    keys = ["min", *(f"p{round(q * 100)}" for q in QUANTILES), "max", "mean"]
    for k in keys:
        t.add_column(k, justify="right")
    t.add_row(*("-" if wc[k] is None else str(wc[k]) for k in keys))
    console.print(t)

    d, rj = stats["duplicates"], stats["rejects"]
    t = Table(title="Duplicates and rejects", title_justify="left")
    t.add_column("kind")
    t.add_column("rows", justify="right")
    t.add_column("rate", justify="right")
    t.add_row("duplicate rows (not kept)", str(d["rows_not_kept"]), pct(d["rows_not_kept"], n))
    t.add_row("  exact", str(d["exact"]), pct(d["exact"], n))
    t.add_row("  near", str(d["near"]), pct(d["near"], n))
    if d["other"]:
        t.add_row("  other", str(d["other"]), pct(d["other"], n))
    t.add_row("rejected inputs", str(rj["count"]), pct(rj["count"], n + rj["count"]))
    for r in rj["reasons"][:10]:
        t.add_row(Text(f"  {r['stage']}/{r['reason']}"), str(r["count"]), pct(r["count"], n + rj["count"]))
    console.print(t)


def _key_text(key: Any, key_name: str) -> Any:
    from rich.text import Text

    if key is None:
        return Text("null (local resource)" if key_name == "status" else "null")
    return Text(str(key))  # plain Text: a site or language never becomes rich markup
