"""Peak RSS of a command's process tree, not counting the process that starts it.

Linux carries a process's resident high-water mark across fork and exec: a child forked from a
large test process reports at least that process's RSS in ``ru_maxrss`` (the pages it shared at
fork count as its own until it exec'd). So the command is started by a small Python process,
which reports the rusage of the command (and of the children it waited for) in a file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

_PROBE = r"""
import os, subprocess, sys
out, argv = sys.argv[1], sys.argv[2:]
proc = subprocess.Popen(argv)
_, status, ru = os.wait4(proc.pid, 0)
with open(out, "w") as f:
    f.write(f"{ru.ru_maxrss} {ru.ru_utime + ru.ru_stime}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def probed(argv: list[str], report: Path) -> list[str]:
    """``argv`` run under the probe, which writes "maxrss_kib cpu_seconds" to ``report``."""
    return [sys.executable, "-c", _PROBE, str(report), *argv]


def read_report(report: Path) -> tuple[float, float]:
    """(peak RSS MiB, CPU seconds) from a probe's report; NaN when the probe was killed first."""
    try:
        rss, cpu = report.read_text().split()
    except (OSError, ValueError):
        return float("nan"), float("nan")
    finally:
        report.unlink(missing_ok=True)
    return int(rss) / 1024, float(cpu)


def peak_rss_mib(argv: list[str], report: Path, **popen: Any) -> tuple[int, float]:
    """(exit code, peak RSS MiB) of ``argv`` run to its end."""
    code = subprocess.run(probed(argv, report), **popen).returncode
    return code, read_report(report)[0]
