"""pywb, started on 127.0.0.1 by the test, replays pages from a WARC the tool wrote."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from archivist.cdxj import cdxj_path
from archivist.ingest import ingest
from tests._archive_util import BIN, charset_pages, write_sidecar
from tests.conftest import SHARED


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"wayback exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"wayback did not listen on {port} within {timeout}s")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_pywb_replays_pages_from_our_warc(tmp_path: Path) -> None:
    if not (BIN / "wayback").exists():
        pytest.skip("pywb not installed (dev extra)")
    pages = charset_pages(tmp_path / "pages")
    # plus a capture copied from another tool's archive, when the bench data is here
    bench = SHARED / "bench" / "warc" / "warcio__example.warc.gz" if SHARED else None
    extra = [str(bench)] if bench and bench.exists() else []
    rep = ingest([str(tmp_path / "pages"), *extra], tmp_path / "warc",
                 sidecar=write_sidecar(tmp_path / "pages", pages), corpus_name="replay")
    warc = Path(rep.outputs[0])
    # timestamps from our own CDXJ, so the test does not restate the sidecar dates
    ts = {}
    for line in cdxj_path(warc).read_text(encoding="utf-8").splitlines():
        _key, stamp, js = line.split(" ", 2)
        ts[json.loads(js)["url"]] = stamp

    root = tmp_path / "pywb"
    root.mkdir()
    for args in (["init", "coll"], ["add", "coll", str(warc)]):
        p = subprocess.run([str(BIN / "wb-manager"), *args], cwd=root, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stdout + p.stderr
    port = _free_port()
    proc = subprocess.Popen([str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_port(port, proc)
        for name in ("cp1251", "shiftjis", "utf8-bom"):
            url = f"http://example.org/{name}.html"
            status, body = _get(f"http://127.0.0.1:{port}/coll/{ts[url]}id_/{url}")
            assert status == 200, (name, status, body[:300])
            assert body == pages[name][0].read_bytes(), name  # id_ mode: the archived bytes, unchanged
        status, _ = _get(f"http://127.0.0.1:{port}/coll/{ts['http://example.org/cp1251.html']}id_/http://example.org/absent.html")
        assert status == 404
        if extra:  # the copied response (WARC/1.0 upstream, now 1.1, gzip-encoded body) replays too
            status, body = _get(f"http://127.0.0.1:{port}/coll/{ts['http://example.com/']}id_/http://example.com/")
            assert status == 200 and b"Example Domain" in body, (status, body[:200])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
