"""Checking WARC digest fields in every encoding found in the wild.

The standard only shows ``sha1:`` + Base32; real files also carry hex sha1 (warcprox),
``sha-256:`` hex (warcio.js), Base64 (old writers) and lower-case Base32. A reader must accept
them all (annotated WARC 1.1, community recommendations #48/#80), so we decode the value to raw
bytes and compare those.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

_ALGOS = {
    "sha1": "sha1", "sha-1": "sha1",
    "sha256": "sha256", "sha-256": "sha256",
    "sha512": "sha512", "sha-512": "sha512",
    "md5": "md5",
}


@dataclass(frozen=True)
class Digest:
    algorithm: str  # hashlib name
    value: bytes  # the raw digest


class BadDigest(ValueError):
    """A digest field that names no known algorithm or whose value cannot be decoded."""


def parse(field: str) -> Digest:
    label, sep, encoded = field.strip().partition(":")
    if not sep or not encoded:
        raise BadDigest(f"not <algorithm>:<value>: {field!r}")
    algo = _ALGOS.get(label.strip().lower())
    if algo is None:
        raise BadDigest(f"unknown digest algorithm {label!r}")
    size = hashlib.new(algo).digest_size
    raw = _decode(encoded.strip(), size)
    if raw is None:
        raise BadDigest(f"{field!r} is not a {algo} value in base16, base32 or base64")
    return Digest(algo, raw)


def _decode(value: str, size: int) -> bytes | None:
    # Try each encoding; the right one is the one that yields exactly `size` bytes.
    candidates = []
    if len(value) == size * 2:
        candidates.append(lambda: bytes.fromhex(value))
    candidates.append(lambda: base64.b32decode(_pad(value.upper(), 8)))
    candidates.append(lambda: base64.b64decode(_pad(value, 4).replace("-", "+").replace("_", "/"), validate=True))
    for decode in candidates:
        try:
            raw = decode()
        except (ValueError, binascii.Error):
            continue
        if len(raw) == size:
            return raw
    return None


def _pad(value: str, block: int) -> str:
    return value + "=" * (-len(value) % block)


def matches(field: str, *datas: bytes) -> bool:
    """True if ``field`` is the digest of any of ``datas``; raises BadDigest if it cannot be read."""
    d = parse(field)
    return any(hashlib.new(d.algorithm, data).digest() == d.value for data in datas)


def canonical(field: str) -> str:
    """The same digest in the form the ecosystem's tools all read: ``sha1:`` + uppercase Base32,
    any other algorithm as a lowercase label + lowercase hex (fastwarc rejects ``sha-256:`` and
    Base64; CDX ``digest`` columns assume sha1 Base32)."""
    d = parse(field)
    if d.algorithm == "sha1":
        return "sha1:" + base64.b32encode(d.value).decode("ascii")
    return f"{d.algorithm}:{d.value.hex()}"
