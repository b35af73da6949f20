"""The near-duplicate settings, apart from the code that uses them (``dedup``): they are part of
every record's settings hash, and the sandbox worker that computes it must not import pyarrow
for them (about 50 ms of each worker's start)."""

from __future__ import annotations

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 16  # 16 bands x 8 rows: candidates from about 0.7 similarity, then checked against THRESHOLD
THRESHOLD = 0.8
SEED = 1

SETTINGS = {"shingle_words": SHINGLE_WORDS, "permutations": PERMUTATIONS, "bands": BANDS, "threshold": THRESHOLD, "seed": SEED,
            "hash": "crc32-words-poly64, multiply-shift", "kept": "earliest capture, then smallest id"}
