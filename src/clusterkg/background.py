"""Work forked off the build: processes that read the build's graphs without copying them.

Most of a release (the JSON-LD documents, the ontology's pages, a page and four descriptions
for every resource) depends on the reasoned graph only, not on how validation went. Forked
while the graph is validated, processes make them on the other CPUs; forking shares the
graph and its indexes, and what comes back is bytes, cheap to send.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

# The state forked workers run on (they inherit it, unpickled).
_state: Any = None


@dataclass(frozen=True)
class Job:
    """``function(state, *args)``, made by a worker of ``owner`` or, if none has, here."""

    owner: Forked
    function: Callable
    args: tuple
    future: Future | None

    def result(self) -> Any:
        """The job's answer, re-raising what it raised; a job no worker has started yet is
        done here rather than waited for."""
        if self.future is None or self.future.cancel():
            return self.function(self.owner.state, *self.args)
        return self.future.result()


class Forked:
    """Calls ``function(state, *args)`` made by ``workers`` forked processes.

    The workers are forked at the first :meth:`submit`, so they see ``state`` as it is then:
    everything they read must be complete, and nothing they read may change afterwards (they
    would not see it). ``Job.result`` gives a job's answer in this process. With no workers, or
    where processes cannot fork, every job is done here, when its result is asked for. Use it
    as a context manager: leaving ends the workers.
    """

    def __init__(self, state: object, workers: int) -> None:
        self.state = state
        can_fork = "fork" in mp.get_all_start_methods()
        self.workers = workers if can_fork else 0
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *_) -> None:
        if self.pool is not None:
            # What is not done by now is not wanted (a failure, or validation failing): the
            # workers stop at once. (ProcessPoolExecutor has no public way before Python 3.14.)
            for process in list(self.pool._processes.values()):
                process.terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, function: Callable, *args: object) -> Job:
        if not self.workers:
            return Job(self, function, args, None)
        if self.pool is not None:
            return Job(self, function, args, self.pool.submit(_call, function, args))
        global _state
        _state = self.state
        try:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("fork"))
            return Job(self, function, args, self.pool.submit(_call, function, args))  # forks
        finally:
            _state = None


def _call(function: Callable, args: tuple) -> Any:
    return function(_state, *args)
