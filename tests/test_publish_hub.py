"""The Hub path, end to end, against tests/fake_hub.py on 127.0.0.1.

The real huggingface_hub client (``archivist publish --push``) and datasets
(``load_dataset(repo, revision=...)``) run in subprocesses: both read HF_ENDPOINT at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archivist.hub import compare, expected_files
from tests import release_factory as rf
from tests.fake_hub import FakeHub

TOKEN = "hf_archivistTEST0secret0token0xyz"
REPO = "org/tiny-news"


@dataclass
class Scenario:
    hub: FakeHub
    releases: Path
    env: dict[str, str]
    runs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    commits_after: dict[str, int] = field(default_factory=dict)
    lfs_puts_after: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, object] = field(default_factory=dict)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archivist.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300)


LOAD = """
import json, sys
from datasets import load_dataset
out = {}
for rev in sys.argv[2:]:
    ds = load_dataset(sys.argv[1], revision=rev, split="train")
    out[rev] = {"rows": ds.num_rows, "id_type": str(ds.features["id"]), "ids": list(ds["id"])}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    work = tmp_path_factory.mktemp("hub")
    _, r1 = rf.make_records(work / "v1", list("abcde"))
    _, r2 = rf.make_records(work / "v2", list("abcdef"))
    _, other = rf.make_records(work / "other", list("ab"))
    releases = work / "releases"
    # the CLI finds corpus name, licence and datasheet in the workspace's corpus.toml
    toml = ["[corpus]", *(f"{k} = {json.dumps(v)}" for k, v in rf.CORPUS.items()),
            "[datasheet]", *(f"{k} = {json.dumps(v)}" for k, v in rf.DATASHEET.items())]
    (work / "corpus.toml").write_text("\n".join(toml) + "\n")
    with FakeHub() as hub:
        env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_XET": "1", "HF_TOKEN": TOKEN,
               "HF_HOME": str(work / "hf-home"), "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
        env.pop("HF_HUB_OFFLINE", None)
        s = Scenario(hub=hub, releases=releases, env=env)

        def commits() -> int:
            return sum(len(r.commits) for r in hub.state.repos.values())

        for name, args in [
            ("push1", ["publish", str(r1), "--version", "1.0.0", "-o", str(releases), "--push", REPO]),
            ("rerun1", ["publish", str(r1), "--version", "1.0.0", "-o", str(releases), "--push", REPO]),
            ("push2", ["publish", str(r2), "--version", "1.1.0", "-o", str(releases), "--push", REPO]),
            ("conflict", ["publish", str(other), "--version", "1.0.0", "-o", str(work / "other-releases"), "--push", REPO]),
        ]:
            s.runs[name] = _cli(env, *args)
            s.commits_after[name] = commits()
            s.lfs_puts_after[name] = hub.state.lfs_puts
        r = subprocess.run([sys.executable, "-c", LOAD, REPO, "v1.0.0", "v1.1.0", "main"], env=env,
                           capture_output=True, text=True, timeout=300)
        s.runs["load"] = r
        if r.returncode == 0:
            s.loaded = json.loads(r.stdout.strip().splitlines()[-1])
        yield s


def test_push_creates_repo_tags_exact_commit_and_updates_main(scenario: Scenario) -> None:
    r = scenario.runs["push1"]
    assert r.returncode == 0, r.stderr[-3000:]
    repo = scenario.hub.state.repos[REPO]
    tag_commit = repo.tags["v1.0.0"]
    assert repo.branches["release-1.0.0"] == tag_commit
    record = json.loads((scenario.releases / "1.0.0.hub.json").read_text())
    assert record["commit"] == tag_commit and record["tag"] == "v1.0.0"
    # every file of the release, at the tagged commit, hashes as the manifest says
    release = scenario.releases / "1.0.0"
    files = repo.commits[tag_commit]["files"]
    m = json.loads((release / "manifest.json").read_text())
    for f in m["files"]:
        assert files[f["path"]]["sha256"] == f["sha256"], f["path"]
    assert files["data/train-00000-of-00001.parquet"]["lfs"] is True
    assert files["manifest.json"]["data"] == (release / "manifest.json").read_bytes()
    assert f"hub: {REPO} v1.0.0 -> commit {tag_commit}" in r.stdout.replace("\n", " ")


def test_compare_uses_lfs_sha256_and_blob_ids(scenario: Scenario) -> None:
    """The client-side check itself, on the remote as the client sees it (list_repo_tree)."""
    code = ("import json, sys\nfrom archivist.hub import HubClient\nc = HubClient()\n"
            "print(json.dumps({p: [f.lfs_sha256, f.blob_id] for p, f in c.files(sys.argv[1], sys.argv[2]).items()}))\n")
    r = subprocess.run([sys.executable, "-c", code, REPO, "v1.0.0"], env=scenario.env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    from archivist.hub import RemoteFile

    remote = {p: RemoteFile(p, 0, b, s) for p, (s, b) in json.loads(r.stdout).items()}
    exp = expected_files(scenario.releases / "1.0.0")
    assert compare(remote, exp) == []
    assert remote["data/train-00000-of-00001.parquet"].lfs_sha256 is not None
    assert remote["README.md"].lfs_sha256 is None
    # the card's plots went up with the release and are compared like every other file
    assert {p for p in remote if p.startswith("images/")} == {p for p in exp if p.startswith("images/")} != set()
    # a one-character change in a regular file, and a stale shard, are both reported
    bad = dict(remote)
    bad["README.md"] = RemoteFile("README.md", 0, "0" * 40, None)
    bad["data/train-00001-of-00002.parquet"] = RemoteFile("data/train-00001-of-00002.parquet", 0, "x", "y")
    problems = compare(bad, exp)
    assert any(p.startswith("README.md:") for p in problems)
    assert any("train-00001-of-00002.parquet: remote file not in this release" in p for p in problems)
    stale = dict(remote)
    stale["images/old-plot.svg"] = RemoteFile("images/old-plot.svg", 0, "z", None)
    assert compare(stale, exp) == ["images/old-plot.svg: remote file not in this release"]


def test_rerun_changes_nothing(scenario: Scenario) -> None:
    r = scenario.runs["rerun1"]
    assert r.returncode == 0, r.stderr[-3000:]
    assert scenario.commits_after["rerun1"] == scenario.commits_after["push1"]
    assert scenario.lfs_puts_after["rerun1"] == scenario.lfs_puts_after["push1"]
    assert "nothing to do" in r.stdout


def test_second_version_and_pinned_reads(scenario: Scenario) -> None:
    r = scenario.runs["push2"]
    assert r.returncode == 0, r.stderr[-3000:]
    repo = scenario.hub.state.repos[REPO]
    assert repo.tags["v1.0.0"] != repo.tags["v1.1.0"]
    main_files = repo.commits[repo.branches["main"]]["files"]
    m2 = json.loads((scenario.releases / "1.1.0" / "manifest.json").read_text())
    assert {p for p in main_files if p.startswith("data/")} == {f["path"] for f in m2["files"] if f["role"] == "data"}
    load = scenario.runs["load"]
    assert load.returncode == 0, load.stderr[-3000:]
    assert scenario.loaded["v1.0.0"]["rows"] == 5
    assert scenario.loaded["v1.1.0"]["rows"] == 6 and scenario.loaded["main"]["rows"] == 6
    assert "string" in scenario.loaded["v1.0.0"]["id_type"]
    import pyarrow.parquet as pq

    ids = pq.read_table(scenario.releases / "1.0.0" / "data/train-00000-of-00001.parquet", columns=["id"])["id"].to_pylist()
    assert scenario.loaded["v1.0.0"]["ids"] == ids


def test_conflicting_tag_is_an_error(scenario: Scenario) -> None:
    r = scenario.runs["conflict"]
    assert r.returncode == 2, r.stdout + r.stderr
    msg = " ".join(r.stderr.split())
    assert "tag v1.0.0 already exists on commit" in msg and "does not hold this release" in msg
    assert "Traceback" not in r.stderr
    repo = scenario.hub.state.repos[REPO]
    assert scenario.commits_after["conflict"] == scenario.commits_after["push2"]
    # the tag still points at the first release
    assert repo.tags["v1.0.0"] == json.loads((scenario.releases / "1.0.0.hub.json").read_text())["commit"]


def test_token_never_written_or_logged(scenario: Scenario) -> None:
    # the token did reach the server (so the check below is not vacuous) ...
    assert any(TOKEN in h for h in scenario.hub.state.headers_seen)
    # ... but no output, log or file we wrote holds it
    for name, r in scenario.runs.items():
        assert TOKEN not in r.stdout and TOKEN not in r.stderr, name
    roots = [scenario.releases, scenario.releases.parent / "other-releases"]
    for root in roots:
        for p in root.rglob("*"):
            if p.is_file():
                assert TOKEN.encode() not in p.read_bytes(), p
    # nor anything the server stored
    for repo in scenario.hub.state.repos.values():
        for c in repo.commits.values():
            for f in c["files"].values():
                assert TOKEN.encode() not in f["data"]


def test_bad_repo_id_and_unreachable_hub(tmp_path: Path, scenario: Scenario) -> None:
    env = {**scenario.env, "HF_ENDPOINT": "http://127.0.0.1:9"}
    r = _cli(env, "publish", str(tmp_path / "none"), "--version", "1.0.0", "--push", "noslash")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    release = scenario.releases / "1.0.0"
    code = "import sys\nfrom archivist import api\napi.push(sys.argv[1], sys.argv[2])\n"
    r = subprocess.run([sys.executable, "-c", code, str(release), REPO], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "HubError" in r.stderr and "create repo org/tiny-news" in r.stderr
    assert TOKEN not in r.stderr


INTERRUPTED = """
import sys
from archivist import hub

def boom(self, *a, **k):
    raise KeyboardInterrupt("interrupted before tagging")

hub.HubClient.create_tag = boom
try:
    hub.push(sys.argv[1], sys.argv[2])
except KeyboardInterrupt:
    print("interrupted")
"""


def test_interrupted_push_resumes_without_reupload(scenario: Scenario) -> None:
    repo_id = "org/resume"
    release = str(scenario.releases / "1.0.0")
    r = subprocess.run([sys.executable, "-c", INTERRUPTED, release, repo_id], env=scenario.env,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0 and "interrupted" in r.stdout, r.stderr[-2000:]
    repo = scenario.hub.state.repos[repo_id]
    staged = repo.branches["release-1.0.0"]
    assert repo.tags == {} and repo.branches["main"] != staged  # uploaded to staging only
    puts = scenario.hub.state.lfs_puts
    code = "import sys, json\nfrom archivist import hub\nprint(json.dumps(hub.push(sys.argv[1], sys.argv[2]).to_json()))\n"
    r = subprocess.run([sys.executable, "-c", code, release, repo_id], env=scenario.env,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["uploaded"] is False and res["tagged"] is True and res["main_updated"] is True
    assert repo.tags["v1.0.0"] == staged == res["commit"]
    assert scenario.hub.state.lfs_puts == puts  # nothing re-sent
