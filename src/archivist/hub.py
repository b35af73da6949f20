"""Push a release to the Hugging Face Hub: staging branch, verify remote hashes, tag, then main.

Flow (publishing.md §5): create the dataset repo if needed; upload the release folder to the
staging branch ``release-X.Y.Z``; compare every remote file's sha256 (LFS) or git blob id
(regular files) with the manifest; tag ``vX.Y.Z`` on exactly that commit; then bring ``main``
to the same files. A re-run resumes: finished steps are detected from the remote state and
skipped, so pushing a release that is already there makes no commit. A tag that exists on a
commit holding other files is an error (``create_tag(exist_ok=True)`` would silently keep it).

Every Hub call goes through :class:`HubClient`, a thin wrapper over ``huggingface_hub.HfApi``.
The token comes from the environment or the huggingface_hub login (``HF_TOKEN``), is never an
argument here and never appears in a message, a file or a log line we write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .hashing import file_sha256
from .release import ReleaseError

REPO_TYPE = "dataset"
# Folders whose stale files must go when a new release replaces an old one on a branch:
# a leftover shard would be read as data, a leftover plot would show in the card's folder.
DATA_DIRS = ("data", "index", "rejects", "images")


class HubError(ReleaseError):
    pass


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    blob_id: str
    lfs_sha256: str | None


@dataclass
class PushResult:
    repo_id: str
    tag: str
    commit: str
    main_commit: str
    staging_branch: str
    uploaded: bool
    tagged: bool
    main_updated: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def git_blob_sha1(path: Path) -> str:
    h = hashlib.sha1()
    h.update(b"blob %d\0" % path.stat().st_size)
    h.update(path.read_bytes())
    return h.hexdigest()


@contextmanager
def _hub_errors(what: str) -> Iterator[None]:
    """Client/HTTP failures as one clear HubError (the messages carry URLs, never headers)."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        yield
    except HubError:
        raise
    except HfHubHTTPError as e:
        status = e.response.status_code if e.response is not None else "?"
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise HubError(f"{what}: Hub answered HTTP {status}: {first}") from None
    except Exception as e:  # connection refused (httpx), DNS, malformed answers: one line, no traceback
        raise HubError(f"{what}: {type(e).__name__}: {e}") from None


class HubClient:
    """The few Hub operations a push needs."""

    def __init__(self, api: Any | None = None) -> None:
        if api is None:
            from huggingface_hub import HfApi

            api = HfApi()
        self.api = api

    @property
    def endpoint(self) -> str:
        return str(self.api.endpoint)

    def ensure_repo(self, repo_id: str, private: bool = False) -> None:
        with _hub_errors(f"create repo {repo_id}"):
            self.api.create_repo(repo_id, repo_type=REPO_TYPE, exist_ok=True, private=private)

    def refs(self, repo_id: str) -> tuple[dict[str, str], dict[str, str]]:
        with _hub_errors(f"list refs of {repo_id}"):
            r = self.api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
        return ({b.name: b.target_commit for b in r.branches}, {t.name: t.target_commit for t in r.tags})

    def create_branch(self, repo_id: str, branch: str, start: str) -> None:
        with _hub_errors(f"create branch {branch} in {repo_id}"):
            self.api.create_branch(repo_id, branch=branch, revision=start, repo_type=REPO_TYPE, exist_ok=True)

    def upload(self, repo_id: str, folder: Path, branch: str, message: str, parent_commit: str) -> str:
        with _hub_errors(f"upload {folder} to {repo_id}@{branch}"):
            info = self.api.upload_folder(
                repo_id=repo_id, folder_path=str(folder), repo_type=REPO_TYPE, revision=branch,
                commit_message=message, parent_commit=parent_commit,
                delete_patterns=[f"{d}/*" for d in DATA_DIRS],
            )
        return str(info.oid)

    def files(self, repo_id: str, revision: str) -> dict[str, RemoteFile]:
        from huggingface_hub.hf_api import RepoFile

        with _hub_errors(f"list files of {repo_id}@{revision}"):
            entries = list(self.api.list_repo_tree(repo_id, revision=revision, recursive=True, repo_type=REPO_TYPE))
        return {e.path: RemoteFile(e.path, e.size, e.blob_id, e.lfs.sha256 if e.lfs else None)
                for e in entries if isinstance(e, RepoFile)}

    def create_tag(self, repo_id: str, tag: str, commit: str, message: str) -> None:
        with _hub_errors(f"tag {tag} in {repo_id}"):
            self.api.create_tag(repo_id, tag=tag, revision=commit, tag_message=message, repo_type=REPO_TYPE)


def expected_files(release: Path) -> dict[str, tuple[str, Path]]:
    """Every file of the release (manifest.json included) -> (sha256 per the manifest, local path)."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    out = {f["path"]: (f["sha256"], release / f["path"]) for f in manifest["files"]}
    out["manifest.json"] = (file_sha256(release / "manifest.json"), release / "manifest.json")
    return out


def compare(remote: dict[str, RemoteFile], expected: dict[str, tuple[str, Path]]) -> list[str]:
    """Differences between a remote revision and the release; empty when the remote holds it exactly."""
    problems = []
    for path, (sha, local) in sorted(expected.items()):
        r = remote.get(path)
        if r is None:
            problems.append(f"{path}: missing remotely")
        elif r.lfs_sha256 is not None:
            if r.lfs_sha256 != sha:
                problems.append(f"{path}: remote sha256 {r.lfs_sha256} != manifest {sha}")
        elif r.blob_id != git_blob_sha1(local):
            # small regular files have only a git blob id; it is checked against the local file,
            # whose sha256 the pre-push verify already matched with the manifest
            problems.append(f"{path}: remote blob {r.blob_id} differs from the release's file")
    for path in sorted(remote):
        if path.split("/")[0] in DATA_DIRS and path not in expected:
            problems.append(f"{path}: remote file not in this release")
    return problems


def push(release: str | Path, repo_id: str, client: HubClient | None = None, *, private: bool = False) -> PushResult:
    from .verify import verify

    release = Path(release)
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise HubError(f"--push {repo_id!r}: expected ORG/NAME")
    check = verify(release)
    if not check.ok:
        raise HubError(f"{release}: not pushed, verify failed: {check.failures[0]}")
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    version = manifest["version"]
    tag, staging = f"v{version}", f"release-{version}"
    expected = expected_files(release)
    client = client or HubClient()
    client.ensure_repo(repo_id, private=private)
    branches, tags = client.refs(repo_id)
    uploaded = tagged = main_updated = False

    if tag in tags:
        commit = tags[tag]
        problems = compare(client.files(repo_id, commit), expected)
        if problems:
            raise HubError(f"{repo_id}: tag {tag} already exists on commit {commit} which does not hold this "
                           f"release ({problems[0]}{'; ...' if len(problems) > 1 else ''}); releases are immutable, "
                           "publish a new version")
    else:
        if staging not in branches:
            client.create_branch(repo_id, staging, branches.get("main", "main"))
            branches, _ = client.refs(repo_id)
        head = branches[staging]
        if compare(client.files(repo_id, head), expected):
            head = client.upload(repo_id, release, staging, f"Release {version}", parent_commit=head)
            uploaded = True
        problems = compare(client.files(repo_id, head), expected)
        if problems:
            raise HubError(f"{repo_id}@{staging}: remote files differ from the manifest after upload: {problems[0]}")
        client.create_tag(repo_id, tag, head, f"{manifest['name']} {version} logical_digest={manifest['logical_digest']}")
        tagged = True
        _, tags = client.refs(repo_id)
        if tags.get(tag) != head:
            raise HubError(f"{repo_id}: tag {tag} points at {tags.get(tag)}, expected {head}")
        commit = head

    branches, _ = client.refs(repo_id)
    main = branches.get("main")
    if main is None:
        raise HubError(f"{repo_id}: has no main branch")
    if main != commit and compare(client.files(repo_id, main), expected):
        main = client.upload(repo_id, release, "main", f"Release {version} (tag {tag})", parent_commit=main)
        main_updated = True
        problems = compare(client.files(repo_id, main), expected)
        if problems:
            raise HubError(f"{repo_id}@main: remote files differ from the manifest after upload: {problems[0]}")
    return PushResult(repo_id=repo_id, tag=tag, commit=commit, main_commit=main, staging_branch=staging,
                      uploaded=uploaded, tagged=tagged, main_updated=main_updated)


def record(release: str | Path, result: PushResult, endpoint: str) -> Path:
    """Write ``<releases>/<version>.hub.json`` beside the (immutable) release folder.

    Readers should pin the commit sha as well as the tag: a tag can be deleted and recreated.
    """
    from .fsutil import write_json

    release = Path(release)
    dest = release.parent / f"{release.name}.hub.json"
    write_json(dest, {"endpoint": endpoint, **result.to_json()})
    return dest
