"""Shared fixtures. Third-party bench data is read from ``shared/`` beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def find_shared() -> Path | None:
    env = os.environ.get("ARCHIVIST_SHARED")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for d in REPO.parents:
        cand = d / "shared"
        if (cand / "bench").is_dir():
            return cand
    return None


SHARED = find_shared()


@pytest.fixture(scope="session")
def shared() -> Path:
    if SHARED is None:
        pytest.skip("shared/ (third-party bench data) not found beside the repository; set ARCHIVIST_SHARED")
    return SHARED


@pytest.fixture(scope="session")
def sample_page(shared: Path) -> Path:
    p = shared / "samples" / "000_a680610958129e8b.txt"
    if not p.exists():
        pytest.skip(f"{p} absent")
    return p


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return REPO / "examples" / "pages"


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """The hostile-input totals (tests/test_hostile.py), when that module ran."""
    import sys

    mod = sys.modules.get("tests.test_hostile")
    summary = getattr(mod, "SUMMARY", None)
    if summary and summary.get("hostile inputs tried"):
        terminalreporter.write_sep("-", "hostile inputs")
        terminalreporter.write_line(", ".join(f"{k}: {v}" for k, v in summary.items()))
