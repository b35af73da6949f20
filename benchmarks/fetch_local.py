"""Fetcher throughput against a local server on 127.0.0.1 (no network beyond this machine).

    .venv/bin/python benchmarks/fetch_local.py [N_URLS] [MAX_PER_HOST]

Prints wall time, URLs/s and the verdicts of warcio check and fastwarc check on the WARC.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archivist.fetch import FetchOptions
from archivist.ingest import ingest
from tests.httpserver import Server, page


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    per_host = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    server = Server({f"/p{i}": page(f"page number {i} " * 200) for i in range(n)})
    bin_dir = Path(sys.executable).parent
    try:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            (d / "urls.txt").write_text("\n".join(server.url(f"/p{i}") for i in range(n)))
            opts = FetchOptions(allow_private=True, ignore_robots=True, delay=0, max_per_host=per_host, workers=8)
            t0 = time.monotonic()
            report = ingest([], d / "out", urls=d / "urls.txt", fetch_options=opts)
            elapsed = time.monotonic() - t0
            warc = report.outputs[0]
            print(f"{n} URLs, max {per_host} per host, 8 workers: {elapsed:.2f} s, {n / elapsed:.0f} URLs/s, "
                  f"archived {report.counts['urls_archived']}, rejected {len(report.rejects)}, "
                  f"WARC {Path(warc).stat().st_size} bytes")
            wc = subprocess.run([str(bin_dir / "warcio"), "check", warc], capture_output=True, text=True)
            fw = subprocess.run([str(bin_dir / "fastwarc"), "check", warc], capture_output=True, text=True)
            print(f"warcio check exit {wc.returncode}; fastwarc check exit {fw.returncode}: {fw.stdout.strip()}")
    finally:
        server.close()


if __name__ == "__main__":
    main()
