#!/usr/bin/env python3
"""Main-text benchmark: archivist's extractor against trafilatura, readability-lxml and resiliparse.

One run, one process, identical input: every extractor gets the same decoded HTML of the
scrapinghub article-extraction-benchmark pages in ``shared/bench/extraction/`` and is scored by
that folder's own ``score.py`` (imported, not copied), so the figures match
``score.py scrapinghub trafilatura readability resiliparse 'py:archivist.maintext:main_text'``.
Pages per second count extraction alone (decoding and scoring excluded), except for the row
"archivist (full record)", which times ``extractor.extract_bytes`` from the page's bytes: charset
decision and decoding, main text, every metadata field and language, i.e. all that
``archivist extract`` does per page (the language model is loaded once before timing, as a
shard run loads it once for thousands of pages). "archivist (+ boilerplate)" is the text with
site boilerplate learned across the set's pages removed (learning time included).

    python benchmarks/extraction.py            # all pages, all extractors
    python benchmarks/extraction.py --every 3  # a fixed third of the pages, quicker

Peers come from the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
PEERS = ("trafilatura", "readability", "resiliparse")
OURS = "py:archivist.maintext:main_text"
# The whole record: charset decision and decoding from the page's bytes, main text, every metadata
# field (title, dates, authors, attribution, outlinks...) and language: what `archivist extract`
# does per page. Scored on its text like the others.
FULL = "archivist-full"
# Text, then site boilerplate learned across the set's pages (archivist.boilerplate): lines that
# many pages of one host repeat. The learning pass is timed too, spread over the pages.
BOILER = "archivist-boilerplate"


def find_shared() -> Path | None:
    """The same search as tests/conftest.py: $ARCHIVIST_SHARED, else a shared/ beside the repo."""
    env = os.environ.get("ARCHIVIST_SHARED")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for d in REPO.parents:
        cand = d / "shared"
        if (cand / "bench").is_dir():
            return cand
    return None


def load_score(bench: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_score", bench / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {bench / 'score.py'}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(score: ModuleType, dataset: Path, specs: list[str], every: int | None = None) -> list[dict]:
    """Run each extractor over the dataset and return score.py's summaries, in ``specs`` order."""
    ids = sorted(p.stem for p in (dataset / "truth").glob("*.txt") if (dataset / "html" / f"{p.stem}.html").exists())
    ids = ids[::every] if every else ids
    truth = {i: (dataset / "truth" / f"{i}.txt").read_text("utf-8") for i in ids}
    meta = {i: (json.loads(j.read_text("utf-8")) if (j := dataset / "truth" / f"{i}.json").exists() else {}) for i in ids}
    raws = {i: (dataset / "html" / f"{i}.html").read_bytes() for i in ids}
    pages = {i: score.decode_html(raws[i]) for i in ids}
    out = []
    for spec in specs:
        learn_secs = 0.0
        if spec == BOILER:
            fn, learn_secs = _boilerplate_extractor(pages, meta, ids)
        elif spec == FULL:
            from archivist.language import identify

            # py3langid's model loads once per process (~1 s), as in a shard run of thousands of
            # pages; it is loaded before the clock starts, like the peers' imports.
            identify("warm the language model up before timing")
            fn = lambda p, h, m: _full_record(raws[p.stem], m)  # noqa: E731
        else:
            fn = score.make_extractor(spec, 60.0)
        res: dict = {"pages": {}, "secs": {}, "errors": {}, "missing": set()}
        for i in ids:
            t0 = time.perf_counter()
            try:
                pred = fn(dataset / "html" / f"{i}.html", pages[i], meta[i]) or ""
            except Exception as e:  # scored as empty output, as score.py does
                pred, res["errors"][i] = "", f"{type(e).__name__}: {e}"[:200]
            res["secs"][i] = time.perf_counter() - t0 + learn_secs / len(ids)
            res["pages"][i] = {
                "tok": score.tok_prf(truth[i], pred),
                "sh": score.shingle_tpfpfn(truth[i], pred),
                "acc": float(score._WORD.findall(truth[i]) == score._WORD.findall(pred)),
            }
        out.append(score.summarise(spec, res, ids))
    return out


def _boilerplate_extractor(pages: dict, meta: dict, ids: list[str]):  # type: ignore[no-untyped-def]
    """Pass 1 (timed, spread over the pages): main text of every page, then learning; pass 2: cleaning."""
    from archivist.boilerplate import learn
    from archivist.maintext import main_text

    t0 = time.perf_counter()
    texts = {i: main_text(pages[i]) for i in ids}
    model = learn((meta[i].get("url"), texts[i]) for i in ids)
    secs = time.perf_counter() - t0

    def run(p: Path, h: str, m: dict) -> str:
        return model.clean(m.get("url"), texts[p.stem])

    return run, secs


def _full_record(raw: bytes, meta: dict) -> str:
    from archivist.extractor import extract_bytes

    # From the page's bytes, as the extract stage gets them (score.py's decoded HTML is not used).
    doc = extract_bytes(raw, "text/html", url=meta.get("url"), captured_at=None)
    return doc.text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=int, help="only every K-th page (sorted by id)")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated peers (default: %(default)s)")
    a = ap.parse_args()
    shared = find_shared()
    if shared is None or not (shared / "bench" / "extraction" / "score.py").exists():
        print("benchmarks/extraction.py: shared/bench/extraction not found beside the repository; "
              "set ARCHIVIST_SHARED to the shared/ folder", file=sys.stderr)
        return 2
    bench = shared / "bench" / "extraction"
    score = load_score(bench)
    specs = [OURS, BOILER, FULL] + [p for p in a.peers.split(",") if p]
    for p in specs[3:]:
        try:
            score.make_extractor(p, 60.0)
        except ImportError as e:
            print(f"benchmarks/extraction.py: peer {p!r} is not installed ({e}); pip install -e '.[bench]'",
                  file=sys.stderr)
            return 2
    dataset = bench / "scrapinghub"
    summaries = run(score, dataset, specs, a.every)
    print(f"# dataset {dataset} pages {summaries[0]['n']}; one process, extraction time only")
    print(f"{'extractor':<26}{'tokF1 mean':>11}{'median':>8}{'P':>7}{'R':>7}{'shF1':>7}{'pages/s':>9}{'x traf':>8}  err")
    traf = next((s["pages_per_s"] for s in summaries if s["extractor"] == "trafilatura"), None)
    for s in summaries:
        name = {OURS: "archivist (text only)", BOILER: "archivist (+ boilerplate)", FULL: "archivist (full record)"}.get(s["extractor"], s["extractor"])
        ratio = f"{s['pages_per_s'] / traf:8.1f}" if traf and s["pages_per_s"] else "       -"
        print(f"{name:<26}{s['tok_F1_mean']:11.4f}{s['tok_F1_median']:8.4f}{s['tok_P_mean']:7.3f}"
              f"{s['tok_R_mean']:7.3f}{s['sh_F1']:7.3f}{s['pages_per_s'] or 0:9.1f}{ratio}  {s['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
