"""Forked workers: answers as if made here, and a quiet, prompt end on Ctrl-C."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from clusterkg.background import Forked


def _scaled(state: dict, factor: int) -> list[int]:
    return [value * factor for value in state["values"]]


def _pid_then_sleep(state: dict, seconds: float) -> int:
    state["started"].set()
    time.sleep(seconds)
    return os.getpid()


@pytest.mark.parametrize("workers", [0, 2])
def test_jobs_answer_as_if_made_here(workers):
    state = {"values": [1, 2, 3]}
    with Forked(state, workers) as forked:
        jobs = [forked.submit(_scaled, factor) for factor in range(5)]
        assert [job.result() for job in jobs] == [_scaled(state, f) for f in range(5)]
    assert multiprocessing.active_children() == []


def test_an_interrupted_worker_ends_its_job_quietly(capfd):
    started = multiprocessing.get_context("fork").Event()
    with Forked({"started": started}, 1) as forked:
        job = forked.submit(_pid_then_sleep, 30)
        assert started.wait(10)
        (worker,) = forked.pool._processes  # (the pids of the pool's processes)
        began = time.monotonic()
        os.kill(worker, signal.SIGINT)  # as Ctrl-C does, to every process of the terminal
        with pytest.raises(SystemExit):
            job.result()
    assert time.monotonic() - began < 10  # not the 30 s the job would have taken
    assert multiprocessing.active_children() == []
    assert "Traceback" not in capfd.readouterr().err
