"""Work forked off the build: processes that read the build's graphs without copying them.

Most of a release (the JSON-LD documents, the ontology's pages, a page and four descriptions
for every resource) depends on the asserted or the reasoned graph only, not on how validation
went. Forked while the graph is reasoned or validated, processes make them on the other CPUs;
forking shares the graph and its indexes, and what comes back is bytes, cheap to send.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
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
        self.workers = workers if can_fork() else 0
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *_) -> None:
        if self.pool is not None:
            # Jobs no worker has started are dropped; those being done are waited for. (Killing
            # a worker could leave it half-way through sending an answer, and the executor
            # reading it for ever.)
            self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, function: Callable, *args: object) -> Job:
        if not self.workers:
            return Job(self, function, args, None)
        if self.pool is not None:
            return Job(self, function, args, self.pool.submit(_call, function, args))
        global _state
        _state = self.state
        try:
            self.pool = ProcessPoolExecutor(
                self.workers, mp_context=mp.get_context("fork"), initializer=_quiet_interrupts
            )
            return Job(self, function, args, self.pool.submit(_call, function, args))  # forks
        finally:
            _state = None


def can_fork() -> bool:
    """Whether this platform can fork processes (which share the parent's memory)."""
    return "fork" in mp.get_all_start_methods()


def _call(function: Callable, args: tuple) -> Any:
    return function(_state, *args)


def _quiet_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal's group. This process reports it; a worker
    # ends its job, or itself if idle, without a traceback of its own.
    signal.signal(signal.SIGINT, _exit_quietly)


def _exit_quietly(*_) -> None:
    raise SystemExit(130)
