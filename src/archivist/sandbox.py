"""Per-page sandbox: each page is extracted in a long-lived worker process under a deadline and
an address-space cap, so a page that hangs or explodes becomes a reject and the run goes on.

Extractors do hang on pathological HTML (trafilatura#704, #189) and leak in their parsers, and
neither can be stopped from inside the same process. The worker is a plain subprocess
(``python -c "...sandbox._worker(MB)"``) speaking length-prefixed pickles over its stdin/stdout; it is
started once, reused page after page, and replaced only when it is killed (deadline), dies
(memory cap, crash) or has served ``recycle_every`` pages.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, NamedTuple

from .extractor import ExtractedDoc, NotExtractable

DEFAULT_TIMEOUT = 30.0  # seconds per page
DEFAULT_MEMORY_MB = 2048  # address space of a worker, imports included
# Pages served before a worker is replaced: bounds what parser leaks can gather, while a restart
# (about 0.3 s of imports and warm-up, some 150 pages of work) stays a few per cent of the time.
DEFAULT_RECYCLE = 5000

_HEADER = struct.Struct(">Q")
_STARTUP_TIMEOUT = 300.0
_MEMORY_MARKS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory", "memory allocation failed")


class SandboxError(Exception):
    """The worker failed on a page for a reason other than the page itself (``reason`` code)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class Job(NamedTuple):
    """One page for the sandbox: the arguments of :func:`extractor.extract_bytes`."""

    content: bytes
    media_type: str
    declared_content_type: str | None = None
    url: str | None = None
    captured_at: datetime | None = None


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    recycle_every: int = DEFAULT_RECYCLE


class PageSandbox:
    """A worker process that extracts pages one at a time under ``limits``."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._served = 0
        self.restarts = 0

    # -- lifecycle

    def _start(self) -> subprocess.Popen[bytes]:
        # Lives as long as the worker: read back when it dies, to tell memory from crash.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self._proc = subprocess.Popen(
            [sys.executable, "-c", f"from archivist.sandbox import _worker; _worker({int(self.limits.memory_mb)})"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
        )
        self._served = 0
        # Start-up (imports, models) is not the first page's time: wait for the worker's hello.
        assert self._proc.stdout is not None
        try:
            self._read(self._proc.stdout.fileno(), _HEADER.size, time.monotonic() + _STARTUP_TIMEOUT)
        except (TimeoutError, EOFError, OSError):
            raise self._died() from None
        return self._proc

    def _stop(self, kill: bool = False) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        try:
            if kill:
                proc.kill()
            else:
                assert proc.stdin is not None
                proc.stdin.close()
            return proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            return proc.wait()
        finally:
            for f in (proc.stdin, proc.stdout):
                if f is not None:
                    with contextlib.suppress(OSError):
                        f.close()

    def close(self) -> None:
        self._stop()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> PageSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- pages

    def extract(
        self,
        content: bytes,
        media_type: str,
        *,
        declared_content_type: str | None = None,
        url: str | None = None,
        captured_at: datetime | None = None,
    ) -> ExtractedDoc:
        """Like :func:`extractor.extract_bytes`, in the worker; raises NotExtractable or SandboxError."""
        (result,) = self.extract_many([Job(content, media_type, declared_content_type, url, captured_at)])
        if isinstance(result, Exception):
            raise result
        return result

    def extract_many(self, jobs: list[Job]) -> list[ExtractedDoc | NotExtractable | SandboxError]:
        """Each job's document, or the exception that stands for it, in job order.

        The pages go to the worker in one message and their results stream back one by one,
        so the worker goes from page to page without waiting for this process to wake up (a
        round trip per page cost more than a millisecond between the cores of a virtual
        machine). Each page still has its own deadline, counted from the previous result:
        a page that times out or kills the worker gets the error, and the pages after it go
        to a fresh worker.
        """
        results: list[ExtractedDoc | NotExtractable | SandboxError] = []
        while len(results) < len(jobs):
            results += self._run(jobs[len(results):])
        return results

    def _run(self, jobs: list[Job]) -> list[ExtractedDoc | NotExtractable | SandboxError]:
        """Results of a prefix of ``jobs`` (all of them unless the worker had to be replaced)."""
        if self._proc is None or self._proc.poll() is not None or self._served >= self.limits.recycle_every:
            if self._proc is not None:
                self._stop()
                self.restarts += 1
            try:
                self._start()
            except SandboxError as e:  # the worker died before it was ready: this page's error
                return [e]
            except OSError as e:  # no interpreter to start
                self._proc = None
                return [SandboxError("extractor-crash", f"the extraction worker could not be started: {e}")]
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        jobs = jobs[: max(1, self.limits.recycle_every - self._served)]
        batch = pickle.dumps([tuple(j) for j in jobs], protocol=5)
        out: list[ExtractedDoc | NotExtractable | SandboxError] = []
        try:
            proc.stdin.write(_HEADER.pack(len(batch)) + batch)
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return [self._died()]
        for _ in jobs:
            deadline = time.monotonic() + self.limits.timeout
            try:
                header = self._read(proc.stdout.fileno(), _HEADER.size, deadline)
                body = self._read(proc.stdout.fileno(), _HEADER.unpack(header)[0], deadline)
            except TimeoutError:
                self._stop(kill=True)
                self.restarts += 1
                out.append(SandboxError("timeout", f"extraction took longer than {self.limits.timeout:g} s"))
                return out
            except (EOFError, OSError):
                out.append(self._died())
                return out
            self._served += 1
            kind, *rest = pickle.loads(body)
            if kind == "ok":
                out.append(rest[0])
            elif kind == "reject":
                out.append(NotExtractable(rest[0], rest[1]))
            elif kind == "memory":
                self._stop()  # after a MemoryError the worker's heap is not to be trusted
                self.restarts += 1
                out.append(SandboxError("memory-limit", f"extraction exceeded the {self.limits.memory_mb} MB memory cap ({rest[0]})"))
                return out
            else:
                out.append(SandboxError("extractor-error", rest[0]))
        return out

    @staticmethod
    def _read(fd: int, n: int, deadline: float) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(n - len(buf), 1 << 20))
            if not chunk:
                raise EOFError
            buf += chunk
        return bytes(buf)

    def _died(self) -> SandboxError:
        rc = self._stop(kill=True)
        self.restarts += 1
        err = b""
        if self._stderr is not None:
            self._stderr.seek(0)
            err = self._stderr.read()[-4000:]
            self._stderr.close()
            self._stderr = None
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        how = f"signal {signal.Signals(-rc).name}" if rc is not None and rc < 0 else f"exit code {rc}"
        if rc == -signal.SIGKILL or any(m.encode() in err for m in _MEMORY_MARKS):
            return SandboxError("memory-limit", f"worker died ({how}) over the {self.limits.memory_mb} MB memory cap: {tail[0]}")
        return SandboxError("extractor-crash", f"worker died ({how}): {tail[0]}")


_shared: dict[Limits, PageSandbox] = {}


def shared_sandbox(limits: Limits) -> PageSandbox:
    """One sandbox per process and limits, reused across shards (closed at exit)."""
    if limits not in _shared:
        if not _shared:
            atexit.register(_close_all)
        _shared[limits] = PageSandbox(limits)
    return _shared[limits]


def _close_all() -> None:
    for sb in _shared.values():
        sb.close()
    _shared.clear()


# ---------------------------------------------------------------- worker side


def _worker(memory_mb: int) -> None:
    import resource

    from .extractor import extract_bytes

    # Ctrl-C goes to the whole process group: the parent decides, the worker just stops on EOF.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # Warm the imports and models before the cap, so the cap measures pages, not start-up.
    with contextlib.suppress(Exception):
        extract_bytes(b"<html><body><p>Warm up the extractor with one short paragraph of text.</p></body></html>", "text/html")
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    # The protocol owns fd 1; anything a library prints goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    out.write(_HEADER.pack(0))  # hello: ready for pages
    out.flush()

    def send(obj: Any) -> None:
        data = pickle.dumps(obj, protocol=5)
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()

    while True:
        header = inp.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        for job in pickle.loads(inp.read(_HEADER.unpack(header)[0])):
            if not _serve(job, extract_bytes, send):
                return  # out of memory: the parent starts a fresh worker for the rest


def _serve(job: tuple[Any, ...], extract_bytes: Any, send: Any) -> bool:
    """Extract one page and send its result; False when the worker must end (memory)."""
    result: Any
    try:
        content, media_type, declared, url, captured_at = job
        result = ("ok", extract_bytes(content, media_type, declared_content_type=declared, url=url, captured_at=captured_at))
    except NotExtractable as e:
        result = ("reject", e.reason, str(e))
    except MemoryError as e:
        result = ("memory", f"MemoryError {e}".strip())
    except Exception as e:
        # libxml2 reports a failed allocation as a parse error ("unknown error", "Memory
        # allocation failed"), not as MemoryError.
        if type(e).__module__.startswith("lxml") and ("unknown error" in str(e) or "emory" in str(e)):
            result = ("memory", f"{type(e).__name__}: {e}")
        else:
            result = ("error", f"{type(e).__name__}: {e}")
    send(result)
    return result[0] != "memory"

