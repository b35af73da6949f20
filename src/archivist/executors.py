"""Where shard tasks run: local processes (default) or a Ray cluster.

A task is a picklable function of one shard; executors only decide where it runs. Results
come back in input order whatever the executor and worker count, and each task writes its
own deterministically named outputs, so outputs are byte-identical across executors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    name: str

    def map(self, fn: Callable[..., R], *iterables: Iterable[Any]) -> Iterator[R]: ...

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

    def __init__(self, workers: int | None = None, max_tasks_per_child: int | None = 50) -> None:
        self.workers = workers or default_workers()
        # Recycling workers bounds what leaky parsers can accumulate over a long run.
        self.max_tasks_per_child = max_tasks_per_child
        self._pool: ProcessPoolExecutor | None = None
        self._keep = False

    def __enter__(self) -> LocalExecutor:
        self._keep = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._keep = False
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def map(self, fn: Callable[..., R], *iterables: Iterable[Any]) -> Iterator[R]:
        args = list(zip(*iterables, strict=True))
        if self.workers <= 1 or len(args) <= 1:
            for a in args:
                yield fn(*a)
            return
        pool = self._pool or self._new_pool()
        if self._keep:
            self._pool = pool
        try:
            yield from pool.map(fn, *zip(*args, strict=True))
        finally:
            if not self._keep:
                pool.shutdown()

    def _new_pool(self) -> ProcessPoolExecutor:
        import multiprocessing as mp

        # forkserver: fork is unsafe with threaded libraries (pyarrow) and cannot recycle workers.
        ctx = mp.get_context("forkserver")
        # The forkserver imports the extraction code once and workers fork from it warm, instead
        # of each importing it (~0.4 s CPU per worker). The forkserver only imports: pyarrow's
        # thread pools start on first use, and the threads imports do start (jemalloc's
        # background thread, OpenBLAS) are fork-aware. Takes effect when the forkserver starts
        # (the process's first pool); "__main__" is multiprocessing's default preload.
        ctx.set_forkserver_preload(["__main__", "archivist.pool_preload"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, max_tasks_per_child=self.max_tasks_per_child,
                                   initializer=_init_worker)


def _init_worker() -> None:
    import contextlib

    from .arrow_process import configure

    # A pool worker is ours: no pandas probe, Arrow on the system allocator. (An initializer
    # that raised would break the pool; without them the worker only runs as before.)
    with contextlib.suppress(Exception):
        configure()


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


def make(name: str = "local", workers: int | None = None, address: str | None = None) -> Executor:
    if name == "local":
        return LocalExecutor(workers)
    if name == "ray":
        return RayExecutor(address, workers)
    raise ValueError(f"unknown executor {name!r}: use local or ray")
