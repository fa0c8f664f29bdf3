"""Run a build's tasks on forked worker processes (or in this process), results in order.

Forked workers inherit the job (everything computed before the pool starts) through
the pool's initializer, which fork runs without pickling: only the task bounds go out
and each task's small result comes back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

Job = TypeVar("Job")
Task = TypeVar("Task")
Result = TypeVar("Result")

# In a worker process only: the function and the job every task of the pool runs with.
_worker: tuple[Callable, object] | None = None


def worker_count() -> int:
    return min(4, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether worker processes can share this process's state (fork) and 2+ CPUs run them."""
    import multiprocessing

    return worker_count() >= 2 and "fork" in multiprocessing.get_all_start_methods()


def _adopt(run: Callable, job: object) -> None:
    global _worker
    _worker = (run, job)


def _run_in_worker(task):
    run, job = _worker
    return run(job, task)


class WorkerPool(Generic[Job, Task, Result]):
    """`run(job, task)` for every task; `results()` yields them in task order.

    parallel=True: forked workers start at once, so the caller can do other work while
    they run; otherwise each task runs when `results()` reaches it. Use as a context
    manager: leaving it (normally or on an error) stops any worker still running.
    """

    def __init__(
        self,
        run: Callable[[Job, Task], Result],
        job: Job,
        tasks: Sequence[Task],
        parallel: bool,
    ) -> None:
        self._run, self._job, self._tasks = run, job, list(tasks)
        self._pool = None
        if parallel:
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self._pool = context.Pool(worker_count(), initializer=_adopt, initargs=(run, job))
            self._pending = self._pool.imap(_run_in_worker, self._tasks, chunksize=1)

    def results(self) -> Iterator[Result]:
        """Each task's result in task order, as soon as it and those before it are done."""
        if self._pool is None:
            for task in self._tasks:
                yield self._run(self._job, task)
            return
        yield from self._pending
        self._pool.close()
        self._pool.join()

    def cancel(self) -> None:
        """Stop the workers now (a no-op once they are done, or when running serially)."""
        if self._pool is not None:
            self._pool.terminate()

    def __enter__(self) -> WorkerPool[Job, Task, Result]:
        return self

    def __exit__(self, *exc_info) -> None:
        self.cancel()
