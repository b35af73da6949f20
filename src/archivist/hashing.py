"""Digests in the forms the web-archiving world and our manifests use."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20


def sha1_base32(data: bytes) -> str:
    """sha1 as uppercase Base32: the WARC/CDX convention for payload and block digests."""
    return base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def canonical_json(obj: Any) -> bytes:
    """JSON with sorted keys and no insignificant whitespace: a stable input for hashing."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_sha256(obj: Any) -> str:
    return sha256_hex(canonical_json(obj))
