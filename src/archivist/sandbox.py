"""Per-page sandbox: each page is extracted in a long-lived worker process under a deadline and
an address-space cap, so a page that hangs or explodes becomes a reject and the run goes on.

Extractors do hang on pathological HTML (trafilatura#704, #189) and leak in their parsers, and
neither can be stopped from inside the same process. The worker is a plain subprocess
(``python -c "...sandbox._worker(...)"``); it is started once, reused page after page, and replaced
only when it is killed (deadline), dies (memory cap, crash) or has served ``recycle_every`` pages.

A batch of pages goes through two files in memory that both processes hold (memfd): the parent
writes the pages' bytes to the page file and sends their index (a small pickle) over the
worker's stdin; the worker reads each page when its turn comes, appends its result
(length-prefixed pickle) to the result file, and keeps a progress record at the start of that
file (pages done, when the current page started). It writes one byte to its stdout when the
batch is done. So this process wakes once per batch, not once per page and per 64 KB of pipe,
and still gives every page its own deadline: when a deadline passes before the batch is done,
the progress record says whether the worker is still on that page (then it is killed) or has
moved on (then the next page's deadline counts from when that page started).
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
from typing import IO, TYPE_CHECKING, Any, NamedTuple

# The extraction code is the worker's: the parent imports it only to rebuild results, so that it
# can start a worker before its own imports (``api._extract_head_start``).
if TYPE_CHECKING:
    from .extractor import ExtractedDoc, NotExtractable

DEFAULT_TIMEOUT = 30.0  # seconds per page
DEFAULT_MEMORY_MB = 2048  # address space of a worker, imports included
# Pages served before a worker is replaced: bounds what parser leaks can gather, while a restart
# (about 0.3 s of imports and warm-up, some 150 pages of work) stays a few per cent of the time.
DEFAULT_RECYCLE = 5000

_HEADER = struct.Struct(">Q")
# Progress record at the start of the result file: pages done, monotonic time the next page
# started, end of the results written, pages done again (a torn read shows two counts).
_PROGRESS = struct.Struct("<QdQQ")
_RESULTS_AT = 64  # where results start in the result file
_STARTUP_TIMEOUT = 300.0
_FILE_KEEP = 64 << 20  # a shared file grown past this by an exceptional batch is emptied after it
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
        self._ready = False  # the worker said hello
        self._served = 0
        self._pages_fd: int | None = None  # the batch's page bytes, shared with the worker
        self._results_fd: int | None = None  # the worker's results and progress
        self.restarts = 0

    # -- lifecycle

    def start(self) -> None:
        """Start a worker now without waiting for it to be ready, so that its start-up (imports,
        models) overlaps this process's own work; the first batch waits for its hello. A worker
        that fails to start is the first page's reject, as if it were started then."""
        if self._proc is None:
            with contextlib.suppress(OSError):  # reported by the first batch, which tries again
                self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        if self._pages_fd is None or self._results_fd is None:
            self._pages_fd, self._results_fd = _shared_file("archivist-pages"), _shared_file("archivist-results")
        # Lives as long as the worker: read back when it dies, to tell memory from crash.
        if self._stderr is not None:
            self._stderr.close()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        fds = (self._pages_fd, self._results_fd)
        self._proc = subprocess.Popen(
            [sys.executable, "-c", f"from archivist.sandbox import _worker; _worker({int(self.limits.memory_mb)}, {fds[0]}, {fds[1]})"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            pass_fds=fds,
        )
        self._served = 0
        self._ready = False
        return self._proc

    def _await_ready(self) -> None:
        """Wait for the worker's hello: start-up is not the first page's time."""
        assert self._proc is not None and self._proc.stdout is not None
        try:
            self._read(self._proc.stdout.fileno(), _HEADER.size, time.monotonic() + _STARTUP_TIMEOUT)
        except (TimeoutError, EOFError, OSError):
            raise self._died() from None
        self._ready = True

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
        for fd in (self._pages_fd, self._results_fd):
            if fd is not None:
                os.close(fd)
        self._pages_fd = self._results_fd = None

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

        The pages go to the worker together and their results come back together, so the
        worker goes from page to page without waiting for this process to wake up (a round
        trip per page cost more than a millisecond between the cores of a virtual machine).
        Each page still has its own deadline, counted from the end of the page before it: a
        page that times out or kills the worker gets the error, and the pages after it go to
        a fresh worker.
        """
        results: list[ExtractedDoc | NotExtractable | SandboxError] = []
        while len(results) < len(jobs):
            results += self._run(jobs[len(results):])
        return results

    def _run(self, jobs: list[Job]) -> list[ExtractedDoc | NotExtractable | SandboxError]:
        """Results of a prefix of ``jobs`` (all of them unless the worker had to be replaced)."""
        if self._proc is not None and self._ready and (self._proc.poll() is not None or self._served >= self.limits.recycle_every):
            self._stop()
            self.restarts += 1
        try:
            if self._proc is None:
                self._spawn()
            if not self._ready:
                self._await_ready()
        except SandboxError as e:  # the worker died before it was ready: this page's error
            return [e]
        except OSError as e:  # no interpreter to start
            self._proc = None
            return [SandboxError("extractor-crash", f"the extraction worker could not be started: {e}")]
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        jobs = jobs[: max(1, self.limits.recycle_every - self._served)]
        fd = proc.stdout.fileno()
        try:
            batch = self._post(jobs)
            _write_all(proc.stdin.fileno(), _HEADER.pack(len(batch)) + batch)
        except (BrokenPipeError, OSError):
            return [self._died()]
        timeout = self.limits.timeout
        done, started = 0, time.monotonic()  # pages the worker reported done; when the next one started
        deadline, ended = started + timeout, ""
        while not ended:
            left = deadline - time.monotonic()
            try:
                if left > 0 and select.select([fd], [], [], left)[0]:
                    ended = "done" if os.read(fd, 64) else "died"
                    continue
            except OSError:
                ended = "died"
                continue
            now_done, now_started, _ = self._progress(len(jobs))
            if now_done > done:  # the worker moved on: the page it is on has its own deadline
                done, started = now_done, min(max(now_started, started), time.monotonic())
                deadline = started + timeout
            else:
                ended = "timeout"
        err: SandboxError | None = None
        if ended == "timeout":
            self._stop(kill=True)
            self.restarts += 1
            err = SandboxError("timeout", f"extraction took longer than {timeout:g} s")
        elif ended == "died":
            err = self._died()
        # The worker has ended the batch or is gone: the record cannot change under the read.
        stuck, (done, _, end) = done, self._progress(len(jobs))
        if ended == "timeout" and done > stuck:
            err = None  # the page finished as it was killed: the next one has not had its time
        out = self._results(done, end)
        if err is None and not out:  # "done" without a result: not to be waited for again
            self._stop(kill=True)
            self.restarts += 1
            err = SandboxError("extractor-crash", "the worker ended a batch without its results")
        if err is not None and len(out) < len(jobs):
            out.append(err)
        return out

    def _results(self, done: int, end: int) -> list[ExtractedDoc | NotExtractable | SandboxError]:
        from .extractor import ExtractedDoc, NotExtractable

        assert self._results_fd is not None
        end = min(end, os.fstat(self._results_fd).st_size)
        data = memoryview(os.pread(self._results_fd, max(0, end - _RESULTS_AT), _RESULTS_AT))
        out: list[ExtractedDoc | NotExtractable | SandboxError] = []
        at = 0
        for _ in range(done):
            n = _HEADER.unpack_from(data, at)[0]
            kind, *rest = pickle.loads(data[at + _HEADER.size: at + _HEADER.size + n])
            at += _HEADER.size + n
            self._served += 1
            if kind == "ok":
                out.append(ExtractedDoc(*rest))
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

    def _progress(self, pages: int) -> tuple[int, float, int]:
        """(pages done, when the next page started, end of the results) from the worker's record."""
        assert self._results_fd is not None
        for _ in range(1000):
            raw = os.pread(self._results_fd, _PROGRESS.size, 0)
            if len(raw) == _PROGRESS.size and raw == os.pread(self._results_fd, _PROGRESS.size, 0):
                done, started, end, again = _PROGRESS.unpack(raw)
                if done == again:
                    return min(done, pages), started, end
            time.sleep(0.001)  # read while the worker was writing it
        return 0, 0.0, _RESULTS_AT  # never whole: as if no page were done

    def _post(self, jobs: list[Job]) -> bytes:
        """Put the pages' bytes in the page file and reset the progress record; the message
        names where each page is.

        Through the pipe, a 3 MB batch took some 40 wake-ups of both processes and five copies
        before the worker could start its first page; from the file, each page is one read by
        the worker when it gets to it.
        """
        pages, results = self._pages_fd, self._results_fd
        assert pages is not None and results is not None
        for fd in (pages, results):  # the worker is between batches: the files are this process's
            if os.fstat(fd).st_size > _FILE_KEEP:
                os.ftruncate(fd, 0)
        _pwrite_all(results, _PROGRESS.pack(0, time.monotonic(), _RESULTS_AT, 0), 0)
        index, at = [], 0
        for j in jobs:
            _pwrite_all(pages, j.content, at)
            index.append((at, len(j.content), j.media_type, j.declared_content_type, j.url, j.captured_at))
            at += len(j.content)
        return pickle.dumps(index, protocol=5)

    @staticmethod
    def _read(fd: int, n: int, deadline: float) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return bytes(buf)

    def _died(self) -> SandboxError:
        rc = self._stop(kill=True)
        self.restarts += 1
        self._ready = False
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


def _shared_file(name: str) -> int:
    """A file in memory (on disk where there is no memfd) that the workers inherit."""
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):
            return os.memfd_create(name, os.MFD_CLOEXEC)
    f = tempfile.TemporaryFile()  # noqa: SIM115
    fd = os.dup(f.fileno())
    f.close()
    return fd


def _pwrite_all(fd: int, data: bytes, at: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, at)
        view, at = view[n:], at + n


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


_shared: dict[Limits, PageSandbox] = {}


def shared_sandbox(limits: Limits) -> PageSandbox:
    """One sandbox per process and limits, reused across shards (closed at exit)."""
    if limits not in _shared:
        if not _shared:
            atexit.register(_close_all)
        _shared[limits] = PageSandbox(limits)
    return _shared[limits]


def start_shared(limits: Limits) -> None:
    """Start this process's sandbox worker now (a pool worker's ``warm``: as the worker starts)."""
    shared_sandbox(limits).start()


def _close_all() -> None:
    for sb in _shared.values():
        sb.close()
    _shared.clear()


# ---------------------------------------------------------------- worker side


def _worker(memory_mb: int, pages_fd: int, results_fd: int) -> None:
    import resource
    from dataclasses import fields
    from operator import attrgetter

    from .extractor import ExtractedDoc, extract_bytes

    # Ctrl-C goes to the whole process group: the parent decides, the worker just stops on EOF.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # Warm the imports and models before the cap, so the cap measures pages, not start-up.
    with contextlib.suppress(Exception):
        extract_bytes(b"<html><body><p>Warm up the extractor with one short paragraph of text.</p></body></html>", "text/html")
    # glibc gives blocks over its mmap threshold (128 KB at first) fresh mappings, and trims the
    # heap when more than twice that is free at its top; freeing one large mapped block raises
    # both. Without this, each page read (~170 KB) and freed cost some 30 page faults; the
    # in-process extractor and the old pipe protocol (3 MB batch reads) had it by accident.
    block = bytes(8 << 20)
    del block
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    # The protocol owns fd 1; anything a library prints goes to stderr instead.
    out = os.dup(1)
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    _write_all(out, _HEADER.pack(0))  # hello: ready for pages

    # A document goes back as the tuple of its fields: smaller and quicker than the dataclass.
    doc_fields = attrgetter(*(f.name for f in fields(ExtractedDoc)))
    monotonic, progress = time.monotonic, _PROGRESS.pack

    while True:
        header = inp.read(_HEADER.size)
        if len(header) < _HEADER.size:
            # The parent is done with this worker (and waits for it to end): the interpreter's
            # teardown, freeing the models and parsers, would add ~0.1 s to every run.
            sys.stderr.flush()
            os._exit(0)
        end, done, memory = _RESULTS_AT, 0, False
        for job in pickle.loads(inp.read(_HEADER.unpack(header)[0])):
            _pwrite_all(results_fd, progress(done, monotonic(), end, done), 0)
            result = _serve(job, pages_fd, extract_bytes)
            data = pickle.dumps(("ok", *doc_fields(result[1])) if result[0] == "ok" else result, protocol=5)
            _pwrite_all(results_fd, _HEADER.pack(len(data)) + data if len(data) < 65536 else _HEADER.pack(len(data)), end)
            if len(data) >= 65536:  # not copied into one buffer
                _pwrite_all(results_fd, data, end + _HEADER.size)
            end += _HEADER.size + len(data)
            done += 1
            if memory := result[0] == "memory":
                break
        _pwrite_all(results_fd, progress(done, monotonic(), end, done), 0)
        _write_all(out, b".")  # the batch is done
        if memory:
            return  # out of memory: the parent starts a fresh worker for the rest


def _serve(job: tuple[Any, ...], pages_fd: int, extract_bytes: Any) -> tuple[Any, ...]:
    """One page's result: ("ok", doc), ("reject", reason, detail), ("memory", detail) or ("error", detail)."""
    from .extractor import NotExtractable

    try:
        at, n, media_type, declared, url, captured_at = job
        # The page is read from the shared file only now, its turn: one page in memory at a time.
        content = os.pread(pages_fd, n, at) if n else b""
        return ("ok", extract_bytes(content, media_type, declared_content_type=declared, url=url, captured_at=captured_at))
    except NotExtractable as e:
        return ("reject", e.reason, str(e))
    except MemoryError as e:
        return ("memory", f"MemoryError {e}".strip())
    except Exception as e:
        # libxml2 reports a failed allocation as a parse error ("unknown error", "Memory
        # allocation failed"), not as MemoryError.
        if type(e).__module__.startswith("lxml") and ("unknown error" in str(e) or "emory" in str(e)):
            return ("memory", f"{type(e).__name__}: {e}")
        return ("error", f"{type(e).__name__}: {e}")
