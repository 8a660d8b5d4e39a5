"""Engines that run ``process_shard`` over many shards: a local process pool, or Dask.

Both retry a shard whose worker died. The local engine keeps at most ``workers`` shards in
flight, so after a pool breaks the suspects are exactly those shards: each is retried alone
(a further death is then its own), while the other shards go on in a fresh pool.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from storydesk.model import IngestProblem, Origin
from storydesk.scale.shards import Shard, ShardResult

if TYPE_CHECKING:
    from dask.distributed import Client

Work = Callable[[Shard], ShardResult]
OnDone = Callable[[ShardResult], None]


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one: workers fork from a clean server process (not from this
    one, which may run threads), and the server imports the pipeline once, not every worker."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["storydesk.scale.shards"])
    return context


def run_local(shards: Iterable[Shard], work: Work, workers: int, attempts: int, on_done: OnDone) -> None:
    """Run every shard in a pool of ``workers`` processes; a shard whose worker died is tried
    up to ``attempts`` times in all, then reported as failed."""
    pending = deque(shards)
    while pending:
        for suspect in _run_window(pending, work, workers, on_done):
            on_done(_run_alone(suspect, work, attempts - 1))


def _run_window(pending: deque[Shard], work: Work, workers: int, on_done: OnDone) -> list[Shard]:
    """Run shards from ``pending`` with at most ``workers`` in flight until none is left (returns
    []) or the pool breaks (returns the shards that were in flight)."""
    in_flight: dict[Future[ShardResult], Shard] = {}
    with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
        while pending or in_flight:
            while pending and len(in_flight) < workers:
                shard = pending.popleft()
                in_flight[pool.submit(work, shard)] = shard
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                try:
                    result = future.result()
                except BrokenProcessPool:
                    return list(in_flight.values())
                del in_flight[future]
                on_done(result)
    return []


def _run_alone(shard: Shard, work: Work, attempts: int) -> ShardResult:
    """Retry one shard by itself in a one-process pool, up to ``attempts`` times."""
    for _ in range(attempts):
        with ProcessPoolExecutor(1, mp_context=_context()) as pool:
            try:
                return pool.submit(work, shard).result()
            except BrokenProcessPool:
                continue
    return failed(shard, f"worker died on every one of {attempts + 1} attempts")


def failed(shard: Shard, reason: str) -> ShardResult:
    """A shard given up on: one problem naming its inputs; no part file, so a re-run retries it."""
    return ShardResult(shard, problems=[IngestProblem(Origin(", ".join(shard.inputs)), reason)])


def run_dask(
    shards: Iterable[Shard], work: Work, workers: int, attempts: int, on_done: OnDone, scheduler: str | None = None
) -> None:
    """Run every shard on a Dask cluster: the one at ``scheduler``, else a LocalCluster of
    ``workers`` single-threaded processes.

    When a worker dies, Dask counts a death against every task assigned to it, not only the one
    that killed it; with ``allowed-failures`` spent, an innocent shard fails with KilledWorker
    beside the guilty one. So our own cluster fails a task at its first worker death, and, as
    the local engine does, every shard that failed among others is retried by itself, up to
    ``attempts`` tries in all (a given scheduler keeps its own ``allowed-failures`` per try)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            _run_on(client, shards, work, attempts, on_done)
        return
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(n_workers=workers, threads_per_worker=1) as cluster,
        Client(cluster) as client,
    ):
        _run_on(client, shards, work, attempts, on_done)


def _run_on(client: Client, shards: Iterable[Shard], work: Work, attempts: int, on_done: OnDone) -> None:
    """Submit every shard to ``client`` and report each as it finishes; a shard that fails is
    retried alone afterwards (``_retry_alone``).

    Each future is released as soon as its result is in hand: while the client holds it, Dask
    recomputes a finished shard whose result sat on a worker that then died (rewriting its part
    file, perhaps after this run returned and while a re-run reads the folder)."""
    from dask.distributed import as_completed

    futures = {client.submit(work, shard, pure=False): shard for shard in shards}
    suspects: list[tuple[Shard, Exception]] = []
    for future in as_completed(futures):
        shard = futures.pop(future)
        try:
            result = future.result()
        except Exception as error:  # perhaps only beside the shard at fault: retried alone below
            suspects.append((shard, error))
            continue
        finally:
            future.release()
        on_done(result)
    for shard, error in suspects:
        on_done(_retry_alone(client, shard, work, attempts - 1, error))


def _retry_alone(client: Client, shard: Shard, work: Work, retries: int, error: Exception) -> ShardResult:
    """Run one shard with nothing else in flight, up to ``retries`` times; ``error`` is what
    failed its first try."""
    for _ in range(retries):
        future = client.submit(work, shard, pure=False)
        try:
            return future.result()
        except Exception as failure:  # tried again until the retries are spent
            error = failure
        finally:
            future.release()
    return failed(shard, f"failed on every one of {retries + 1} attempts: {type(error).__name__}: {error}")
