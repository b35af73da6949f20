"""Where shard tasks run: local processes (default) or a Ray cluster.

A task is a picklable function of one shard; executors only decide where it runs. Results
come back in input order whatever the executor and worker count, and each task writes its
own deterministically named outputs, so outputs are byte-identical across executors.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    name: str

    def map(self, fn: Callable[..., R], *iterables: Iterable[Any]) -> Iterator[R]: ...

    def start(self, tasks: int) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalExecutor:
    """A process pool; one worker runs tasks inline (no fork, easy to debug and profile).

    Used as a context manager, one pool serves every ``map`` of the block (a run's extraction
    and its run-level passes share warm workers); otherwise each ``map`` has its own pool.
    """

    name = "local"

    def __init__(self, workers: int | None = None, max_tasks_per_child: int | None = 50,
                 warm: Callable[[], object] | None = None) -> None:
        self.workers = workers or default_workers()
        # Recycling workers bounds what leaky parsers can accumulate over a long run.
        self.max_tasks_per_child = max_tasks_per_child
        # Run in each pool worker as it starts (picklable; its failure only loses the head start):
        # e.g. start the worker's sandbox so that its start-up overlaps everything before the
        # worker's first batch.
        self.warm = warm
        self._pool: ProcessPoolExecutor | None = None
        self._starter: threading.Thread | None = None
        self._keep = False

    def __enter__(self) -> LocalExecutor:
        self._keep = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._keep = False
        self._started()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def start(self, tasks: int) -> None:
        """Start the pool's workers now, in the background, when ``tasks`` tasks will use a pool.

        Inside a ``with`` block, before the caller's own serial work (hashing the inputs): the
        forkserver's imports, the workers' start-up and their ``warm`` run meanwhile instead of
        after it. (A worker's start waits for the forkserver's imports, hence the thread.)
        """
        if self.workers <= 1 or tasks <= 1 or self._pool is not None or self._adopt():
            return
        pool = self._pool = self._new_pool()

        def spawn() -> None:
            # A pool starts one worker per task submitted while none is idle: one no-op each.
            with contextlib.suppress(Exception):  # a broken pool fails the map itself, clearly
                for _ in range(min(self.workers, tasks)):
                    pool.submit(_ready)

        self._starter = threading.Thread(target=spawn, name="archivist-pool-start", daemon=True)
        self._starter.start()

    def _started(self) -> None:
        if self._starter is not None:
            self._starter.join()
            self._starter = None

    def map(self, fn: Callable[..., R], *iterables: Iterable[Any]) -> Iterator[R]:
        args = list(zip(*iterables, strict=True))
        if self.workers <= 1 or len(args) <= 1:
            for a in args:
                yield fn(*a)
            return
        self._adopt()
        self._started()
        pool = self._pool or self._new_pool()
        if self._keep:
            self._pool = pool
        try:
            yield from pool.map(fn, *zip(*args, strict=True))
        finally:
            if not self._keep:
                pool.shutdown()

    def _adopt(self) -> bool:
        """Take the pool :func:`start_early` started, if it has this executor's settings."""
        global _early
        e = _early
        if self._pool is not None or e is None or e._pool is None or (e.workers, e.max_tasks_per_child) != (
                self.workers, self.max_tasks_per_child) or not _same_call(e.warm, self.warm):
            return False
        self._pool, self._starter, e._pool, e._starter, _early = e._pool, e._starter, None, None, None
        return True

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(), max_tasks_per_child=self.max_tasks_per_child,
                                   initializer=_init_worker, initargs=(self.warm,))


def _context() -> Any:
    import multiprocessing as mp

    # forkserver: fork is unsafe with threaded libraries (pyarrow) and cannot recycle workers.
    ctx = mp.get_context("forkserver")
    # The forkserver imports the extraction code once and workers fork from it warm, instead
    # of each importing it (~0.4 s CPU per worker). The forkserver only imports: pyarrow's
    # thread pools start on first use, and the threads imports do start (jemalloc's
    # background thread, OpenBLAS) are fork-aware. Takes effect when the forkserver starts
    # (the process's first pool); "__main__" is multiprocessing's default preload.
    # Python 3.11's forkserver never preloads "__main__" (it looks for a "main_path" key that
    # its preparation data does not have), so each worker runs the main module again: for the
    # archivist command, that imports the CLI's modules (typer, rich, click: ~50 ms of CPU per
    # worker). With those preloaded, the rerun finds them imported. (Not archivist.cli itself:
    # run again as "__mp_main__" under ``python -m`` while imported, it draws a warning.)
    main = getattr(getattr(sys.modules.get("__main__"), "__spec__", None), "name", None)
    cli = ["typer", "rich.console", "archivist.api"] if "archivist.cli" in sys.modules or main == "archivist.cli" else []
    ctx.set_forkserver_preload(["__main__", "archivist.pool_preload", *cli])
    return ctx


# A local pool started before the code that will use it was imported (start_early), until the
# first LocalExecutor with the same settings takes it.
_early: LocalExecutor | None = None


def start_early(workers: int, tasks: int, warm: Callable[[], object] | None = None) -> None:
    """Start the workers of the pool a run will use now, before the caller imports that run's
    code: they fork from the forkserver as soon as its imports are done, and their ``warm``
    (their sandbox worker's start-up) runs meanwhile. Without it they start only once the
    caller has imported the extraction code and makes its executor."""
    global _early
    if workers <= 1 or tasks <= 1 or _early is not None:
        return
    start_forkserver(workers, tasks)
    ex = LocalExecutor(workers, warm=warm)
    ex.start(tasks)
    _early = ex
    atexit.register(_drop_early)


def _drop_early() -> None:
    """A pool started early that no executor took (the run stopped before it): stop its workers."""
    global _early
    if _early is not None and _early._pool is not None:
        _early._pool.shutdown(wait=False, cancel_futures=True)
    _early = None


def _same_call(a: Callable[[], object] | None, b: Callable[[], object] | None) -> bool:
    if a is b:
        return True
    if isinstance(a, functools.partial) and isinstance(b, functools.partial):
        return a.func is b.func and a.args == b.args and a.keywords == b.keywords
    return False


def start_forkserver(workers: int, tasks: int) -> None:
    """Start local pools' forkserver now when ``tasks`` tasks on ``workers`` workers will use a
    pool: its imports (the extraction code, ~0.3 s of CPU) then overlap the caller's own."""
    if workers <= 1 or tasks <= 1:
        return
    _context()
    with contextlib.suppress(Exception):  # the pool starts it (or says why not) when it is made
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _init_worker(warm: Callable[[], object] | None = None) -> None:
    from .arrow_process import configure

    # A pool worker is ours: no pandas probe, Arrow on the system allocator. (An initializer
    # that raised would break the pool; without them the worker only runs as before.)
    with contextlib.suppress(Exception):
        configure()
    if warm is not None:
        with contextlib.suppress(Exception):
            warm()


def _ready() -> None:
    """The no-op task that makes a pool start a worker (:meth:`LocalExecutor.start`)."""


class RayExecutor:
    """The same tasks as Ray remote functions: a local Ray by default, a cluster with ``address``.

    As a context manager, Ray is started (when not already running) once for the whole block.
    """

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.address = address
        self.workers = workers
        self._started_here = False
        self._keep = False

    def __enter__(self) -> RayExecutor:
        self._keep = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._keep = False
        self._stop()

    def start(self, tasks: int) -> None:
        """Nothing ahead of the first map: Ray starts (or connects) then."""

    def _start(self) -> Any:
        try:
            import ray
        except ImportError as e:  # optional dependency
            raise ValueError("the Ray executor needs ray: pip install 'archivist[ray]'") from e
        if not ray.is_initialized():
            kw: dict[str, Any] = {"address": self.address} if self.address else {"num_cpus": self.workers or default_workers()}
            ray.init(ignore_reinit_error=True, include_dashboard=False, log_to_driver=False, **kw)
            self._started_here = True
        return ray

    def _stop(self) -> None:
        if self._started_here:
            import ray

            ray.shutdown()
            self._started_here = False

    def map(self, fn: Callable[..., R], *iterables: Iterable[Any]) -> Iterator[R]:
        ray = self._start()
        try:
            remote = ray.remote(fn)
            refs = [remote.remote(*a) for a in zip(*iterables, strict=True)]
            for ref in refs:  # in input order
                yield ray.get(ref)
        finally:
            if not self._keep:
                self._stop()


def make(name: str = "local", workers: int | None = None, address: str | None = None,
         warm: Callable[[], object] | None = None) -> Executor:
    """An executor by name; ``warm`` runs in each local pool worker as it starts (not on Ray)."""
    if name == "local":
        return LocalExecutor(workers, warm=warm)
    if name == "ray":
        return RayExecutor(address, workers)
    raise ValueError(f"unknown executor {name!r}: use local or ray")
