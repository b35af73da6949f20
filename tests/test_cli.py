"""The command-line contract: commands, help with examples, --json, exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import news_pages, write_pages

ARCHIVIST = str(Path(sys.executable).parent / "archivist")
COMMANDS = ["init", "ingest", "extract", "publish", "verify", "reproduce", "diff", "pack", "show", "extract-page", "run",
            "stats", "report", "query"]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVIST, *args], capture_output=True, text=True, cwd=cwd)


def test_help_lists_every_command():
    r = cli("--help")
    assert r.returncode == 0
    for c in COMMANDS:
        assert c in r.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help_with_an_example(command: str):
    r = cli(command, "--help")
    assert r.returncode == 0, r.stderr
    assert "Example:" in r.stdout and f"archivist {command}" in r.stdout


def test_usage_errors_exit_2():
    assert cli("no-such-command").returncode == 2
    assert cli("publish", "records", "--version", "one").returncode == 2
    r = cli("extract-page", "/nonexistent/page.html")
    assert r.returncode == 2 and "/nonexistent/page.html" in r.stderr
    assert "Traceback" not in r.stderr


def test_ingest_json_accounts_for_every_input_and_exits_1_on_rejects(tmp_path: Path):
    sidecar = write_pages(tmp_path / "pages", news_pages())
    (tmp_path / "pages" / "empty.html").write_bytes(b"")
    r = cli("ingest", str(tmp_path / "pages"), str(tmp_path / "missing-folder"), "--sidecar", str(sidecar),
            "-o", str(tmp_path / "archives"), "--json")
    assert r.returncode == 1, r.stderr
    rep = json.loads(r.stdout)
    assert rep["counts"]["pages_archived"] == 3
    reasons = {x["reason"]: x for x in rep["rejects"]}
    assert set(reasons) == {"empty-file", "not-found"}
    assert "empty.html" in reasons["empty-file"]["detail"]
    assert rep["inputs"] == rep["counts"]["pages_archived"] + rep["rejected"]
    assert all(Path(o).exists() for o in rep["outputs"])


def test_run_in_a_workspace_ends_with_a_summary_and_exit_0(tmp_path: Path):
    sidecar = write_pages(tmp_path / "pages", news_pages())
    assert cli("init", str(tmp_path / "ws"), "--name", "t").returncode == 0
    assert (tmp_path / "ws" / "corpus.toml").exists()
    r = cli("run", str(tmp_path / "pages"), "--sidecar", str(sidecar), "--version", "0.1.0", cwd=tmp_path / "ws")
    assert r.returncode == 0, r.stderr
    assert "pages    3 archived" in r.stdout and "release" in r.stdout
    r = cli("verify", "releases/0.1.0", cwd=tmp_path / "ws")
    assert r.returncode == 0 and "OK" in r.stdout
    # inside the workspace, defaults apply
    r = cli("extract", "--json", cwd=tmp_path / "ws")
    assert r.returncode == 0 and json.loads(r.stdout)["counts"]["records_extracted"] == 3


def test_extract_page_json_is_the_record_as_declared(tmp_path: Path):
    url, html = news_pages()["flood.html"]
    page = tmp_path / "flood.html"
    page.write_text(html, encoding="utf-8")
    r = cli("extract-page", str(page), "--url", url, "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["title"] == "Flood barrier opens"
    assert "flood barrier" in d["text"] and "cookies" not in d["text"]
    assert d["language"] == "en"
    r = cli("extract-page", str(page), "--format", "text")
    assert r.stdout.startswith("The river authority") or "The river authority" in r.stdout


def test_extract_text_api():
    import archivist

    _, html = news_pages()["letters.html"]
    text = archivist.extract_text(html, url="https://news.example/x")
    assert "emigrants" in text and "Copyright" not in text
    assert archivist.extract_text(b"") == ""
