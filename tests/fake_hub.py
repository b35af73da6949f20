"""A loopback stand-in for the Hugging Face Hub's HTTP API (stdlib only), for dataset repos.

Enough of the API for the real ``huggingface_hub`` client (create_repo, upload_folder without
Xet, branches, tags, refs, tree/paths-info) and for ``datasets.load_dataset(repo, revision=)``
to read files back. Endpoints per notes/publishing.md. State lives in memory; commits are
content-addressed (sha1 over parent, message and file list), LFS objects are stored by sha256.
Run standalone: ``python tests/fake_hub.py`` prints its URL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Repo:
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)  # oid -> {parent, message, files}
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


class HubState:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.lfs: dict[str, bytes] = {}
        self.lfs_puts = 0
        self.requests: list[str] = []  # "METHOD path" log, for tests
        self.headers_seen: list[str] = []
        self.lock = threading.Lock()

    def commit(self, repo: Repo, parent: str | None, message: str, files: dict[str, dict[str, Any]]) -> str:
        listing = "\n".join(f"{p}\t{f['sha256']}" for p, f in sorted(files.items()))
        oid = hashlib.sha1(f"{parent}\n{message}\n{listing}".encode()).hexdigest()
        repo.commits[oid] = {"parent": parent, "message": message, "files": files}
        return oid

    def resolve(self, repo: Repo, rev: str) -> str | None:
        rev = unquote(rev)
        if rev in repo.branches:
            return repo.branches[rev]
        if rev in repo.tags:
            return repo.tags[rev]
        return rev if rev in repo.commits else None


def _entry(data: bytes, lfs: bool) -> dict[str, Any]:
    return {"data": data, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "blob": git_blob_sha1(data), "lfs": lfs}


def _is_lfs(path: str, size: int) -> bool:
    return path.endswith(".parquet") or size > 10_000_000


_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/api/repos/create$"), "create_repo"),
    ("POST", re.compile(r"^/api/validate-yaml$"), "ok"),
    ("GET", re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/refs$"), "refs"),
    ("POST", re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/preupload/(?P<rev>[^/]+)$"), "preupload"),
    ("POST", re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/commit/(?P<rev>[^/]+)$"), "commit"),
    ("POST", re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/tag/(?P<rev>[^/]+)$"), "tag"),
    ("POST", re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/branch/(?P<rev>[^/]+)$"), "branch"),
    ("POST", re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/paths-info/(?P<rev>[^/]+)$"), "paths_info"),
    ("GET", re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$"), "tree"),
    ("GET", re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)(?:/revision/(?P<rev>[^/]+))?$"), "info"),
    ("POST", re.compile(r"^/datasets/(?P<repo>[^/]+/[^/]+)\.git/info/lfs/objects/batch$"), "lfs_batch"),
    ("PUT", re.compile(r"^/lfs-upload/(?P<oid>[0-9a-f]{64})$"), "lfs_put"),
    ("GET", re.compile(r"^/datasets/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$"), "resolve"),
    ("HEAD", re.compile(r"^/datasets/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$"), "resolve"),
]


class HubError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.extra = status, message, code, extra or {}


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-hub/1"
    state: HubState  # set by serve()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        self.query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        with self.state.lock:
            self.state.requests.append(f"{self.command} {url.path}")
            self.state.headers_seen.append(str(self.headers))
        for method, pattern, name in _ROUTES:
            m = pattern.match(url.path)
            if m and method == self.command:
                try:
                    with self.state.lock:
                        getattr(self, f"h_{name}")(**{k: v for k, v in m.groupdict().items()})
                except HubError as e:
                    headers = {"X-Error-Code": e.code} if e.code else {}
                    self._json({"error": e.message, **e.extra}, e.status, headers)
                return
        self._json({"error": f"no route {self.command} {url.path}"}, 404)

    do_GET = do_POST = do_PUT = do_HEAD = _dispatch

    def _json(self, obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _base(self) -> str:
        return f"http://{self.headers.get('Host')}"

    def _repo(self, repo_id: str) -> Repo:
        repo = self.state.repos.get(unquote(repo_id))
        if repo is None:
            raise HubError(404, f"Repository {repo_id} not found", "RepoNotFound")
        return repo

    def _rev(self, repo: Repo, rev: str | None) -> str:
        oid = self.state.resolve(repo, rev or "main")
        if oid is None:
            raise HubError(404, f"Invalid rev id: {rev}", "RevisionNotFound")
        return oid

    def _file_info(self, path: str, f: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"type": "file", "path": path, "size": f["size"], "oid": f["blob"]}
        if f["lfs"]:
            info["lfs"] = {"oid": f["sha256"], "size": f["size"], "pointerSize": 134}
        return info

    # -- handlers -------------------------------------------------------------------------
    def h_ok(self) -> None:
        self._json({})

    def h_create_repo(self) -> None:
        body = json.loads(self.body or b"{}")
        repo_id = f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
        if repo_id in self.state.repos:
            raise HubError(409, "You already created this dataset repo",
                           extra={"url": f"{self._base()}/datasets/{repo_id}"})
        repo = Repo()
        attrs = _entry(b"*.parquet filter=lfs diff=lfs merge=lfs -text\n", False)
        repo.branches["main"] = self.state.commit(repo, None, "initial commit", {".gitattributes": attrs})
        self.state.repos[repo_id] = repo
        self._json({"url": f"{self._base()}/datasets/{repo_id}", "name": repo_id})

    def h_refs(self, repo: str) -> None:
        r = self._repo(repo)
        def refs(d: dict[str, str], kind: str) -> list[dict[str, str]]:
            return [{"name": n, "ref": f"refs/{kind}/{n}", "targetCommit": o} for n, o in sorted(d.items())]
        self._json({"branches": refs(r.branches, "heads"), "tags": refs(r.tags, "tags"), "converts": [], "pullRequests": []})

    def h_info(self, repo: str, rev: str | None = None) -> None:
        r = self._repo(repo)
        oid = self._rev(r, rev)
        files = r.commits[oid]["files"]
        self._json({"id": unquote(repo), "sha": oid, "private": False, "gated": False, "disabled": False,
                    "downloads": 0, "likes": 0, "tags": [], "lastModified": "2024-01-01T00:00:00.000Z",
                    "siblings": [{"rfilename": p} for p in sorted(files)]})

    def h_preupload(self, repo: str, rev: str) -> None:
        r = self._repo(repo)
        files = r.commits[self._rev(r, rev)]["files"]
        out = []
        for f in json.loads(self.body)["files"]:
            lfs = _is_lfs(f["path"], f["size"])
            have = files.get(f["path"])
            oid = (have["sha256"] if have["lfs"] else have["blob"]) if have else None
            out.append({"path": f["path"], "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False, "oid": oid})
        self._json({"files": out})

    def h_lfs_batch(self, repo: str) -> None:
        self._repo(repo)
        objects = []
        for o in json.loads(self.body)["objects"]:
            if o["oid"] in self.state.lfs:  # already stored: no action, the client skips the upload
                objects.append({"oid": o["oid"], "size": o["size"]})
            else:
                objects.append({"oid": o["oid"], "size": o["size"],
                                "actions": {"upload": {"href": f"{self._base()}/lfs-upload/{o['oid']}"}}})
        self._json({"transfer": "basic", "objects": objects})

    def h_lfs_put(self, oid: str) -> None:
        if hashlib.sha256(self.body).hexdigest() != oid:
            raise HubError(400, "sha256 of uploaded object does not match its oid")
        self.state.lfs[oid] = self.body
        self.state.lfs_puts += 1
        self._json({})

    def h_commit(self, repo: str, rev: str) -> None:
        r = self._repo(repo)
        branch = unquote(rev)
        if branch not in r.branches:
            raise HubError(404, f"Invalid rev id: {branch}", "RevisionNotFound")
        head = r.branches[branch]
        lines = [json.loads(x) for x in self.body.splitlines() if x.strip()]
        header = next((x["value"] for x in lines if x["key"] == "header"), {})
        if header.get("parentCommit") and header["parentCommit"] != head:
            raise HubError(412, f"parent commit {header['parentCommit']} is not the head of {branch} ({head})")
        files = dict(r.commits[head]["files"])
        for x in lines:
            v = x["value"]
            if x["key"] == "file":
                files[v["path"]] = _entry(base64.b64decode(v["content"]), False)
            elif x["key"] == "lfsFile":
                data = self.state.lfs.get(v["oid"])
                if data is None:
                    raise HubError(422, f"LFS object {v['oid']} of {v['path']} was never uploaded")
                files[v["path"]] = _entry(data, True)
            elif x["key"] == "deletedFile":
                files.pop(v["path"], None)
            elif x["key"] == "deletedFolder":
                prefix = v["path"].rstrip("/") + "/"
                files = {p: f for p, f in files.items() if not p.startswith(prefix)}
        oid = self.state.commit(r, head, header.get("summary", ""), files)
        r.branches[branch] = oid
        self._json({"commitUrl": f"{self._base()}/datasets/{unquote(repo)}/commit/{oid}", "commitOid": oid,
                    "pullRequestUrl": None})

    def h_tag(self, repo: str, rev: str) -> None:
        r = self._repo(repo)
        oid = self._rev(r, rev)
        tag = json.loads(self.body)["tag"]
        if tag in r.tags:
            raise HubError(409, f"Tag {tag} already exists")
        r.tags[tag] = oid
        self._json({"name": tag})

    def h_branch(self, repo: str, rev: str) -> None:
        r = self._repo(repo)
        name = unquote(rev)
        body = json.loads(self.body or b"{}")
        if name in r.branches:
            raise HubError(409, f"Branch {name} already exists")
        r.branches[name] = self._rev(r, body.get("startingPoint") or "main")
        self._json({"name": name})

    def _listing(self, files: dict[str, dict[str, Any]], base: str, recursive: bool) -> list[dict[str, Any]]:
        prefix = base.strip("/") + "/" if base.strip("/") else ""
        out: dict[str, dict[str, Any]] = {}
        for p, f in sorted(files.items()):
            if not p.startswith(prefix):
                continue
            rest = p[len(prefix):]
            if "/" in rest and not recursive:
                d = prefix + rest.split("/")[0]
                out[d] = {"type": "directory", "path": d, "oid": hashlib.sha1(d.encode()).hexdigest()}
            else:
                if recursive:
                    parts = rest.split("/")[:-1]
                    for i in range(len(parts)):
                        d = prefix + "/".join(parts[: i + 1])
                        out[d] = {"type": "directory", "path": d, "oid": hashlib.sha1(d.encode()).hexdigest()}
                out[p] = self._file_info(p, f)
        return [out[k] for k in sorted(out)]

    def h_tree(self, repo: str, rev: str, path: str | None = None) -> None:
        r = self._repo(repo)
        files = r.commits[self._rev(r, rev)]["files"]
        base = unquote(path or "")
        if base and base not in files and not any(p.startswith(base.rstrip("/") + "/") for p in files):
            raise HubError(404, f"{base} not found", "EntryNotFound")
        recursive = self.query.get("recursive", ["False"])[0].lower() in ("1", "true")
        self._json(self._listing(files, base, recursive))

    def h_paths_info(self, repo: str, rev: str) -> None:
        r = self._repo(repo)
        files = r.commits[self._rev(r, rev)]["files"]
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            paths = json.loads(self.body).get("paths", [])
        else:
            paths = parse_qs(self.body.decode()).get("paths", [])
        out = []
        for p in paths:
            p = p.strip("/")
            if p in files:
                out.append(self._file_info(p, files[p]))
            elif any(q.startswith(p + "/") for q in files) or p == "":
                out.append({"type": "directory", "path": p, "oid": hashlib.sha1(p.encode()).hexdigest()})
        self._json(out)

    def h_resolve(self, repo: str, rev: str, path: str) -> None:
        r = self._repo(repo)
        oid = self._rev(r, rev)
        f = r.commits[oid]["files"].get(unquote(path))
        if f is None:
            raise HubError(404, f"{path} not found at {rev}", "EntryNotFound")
        self.send_response(200)
        etag = f["sha256"] if f["lfs"] else f["blob"]
        self.send_header("Content-Length", str(f["size"]))
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("ETag", f'"{etag}"')
        self.send_header("X-Repo-Commit", oid)
        if f["lfs"]:
            self.send_header("X-Linked-Etag", f'"{etag}"')
            self.send_header("X-Linked-Size", str(f["size"]))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(f["data"])


class FakeHub:
    """``with FakeHub() as hub: hub.url``: a server on 127.0.0.1 in a background thread."""

    def __init__(self) -> None:
        self.state = HubState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    with FakeHub() as hub:
        print(hub.url, flush=True)
        hub.thread.join()
