"""Shared fixtures: the real project, its checked graph, and a project with a second cluster."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from clusterkg.export import write_release
from clusterkg.pipeline import Checked, check, reasoned
from clusterkg.project import Project

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def copy_project(destination: Path) -> Path:
    """A copy of the project's sources (ontology, data, queries) that a test may change."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, destination / folder)
    return destination


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def checked(project: Project) -> Checked:
    """The real data, loaded, reasoned, validated and checked once per session."""
    return check(project)


@pytest.fixture(scope="session")
def multi_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The real project plus the fictitious second cluster of ``tests/fixtures/second-cluster``."""
    root = copy_project(tmp_path_factory.mktemp("multi"))
    extra = FIXTURES / "second-cluster"
    for sub in ("profiles", "sources", "reference"):
        if (extra / sub).is_dir():
            for path in sorted((extra / sub).iterdir()):
                shutil.copy(path, root / "data" / sub / path.name)
    return Project(root)


@pytest.fixture(scope="session")
def multi_reasoned(multi_project: Project) -> Checked:
    return reasoned(multi_project)


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory, checked: Checked) -> Path:
    """The release of the real data, written once per session. Tests must not change it."""
    out = tmp_path_factory.mktemp("release") / "release"
    write_release(checked, out)
    return out


@pytest.fixture(scope="session")
def release_with_store(tmp_path_factory: pytest.TempPathFactory, release: Path) -> Path:
    """The same release with a ready Oxigraph store, as ``build --store oxigraph`` leaves it."""
    from clusterkg.store import STORE_DIR, build_store, release_sources

    out = tmp_path_factory.mktemp("release-with-store") / "release"
    shutil.copytree(release, out)
    build_store(out / STORE_DIR, release_sources(out))
    return out


@pytest.fixture(scope="session", params=["kg.trig", "ready store"])
def served_release(request: pytest.FixtureRequest) -> Path:
    """Each way a release is served: loaded from kg.trig into rdflib, or from its ready store."""
    name = "release" if request.param == "kg.trig" else "release_with_store"
    return request.getfixturevalue(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(release: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real ``clusterkg serve`` process on 127.0.0.1: (its base URL, the process)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clusterkg",
            "serve",
            "--quiet",
            "--release",
            str(release),
            "--port",
            str(port),
            "--root",
            str(ROOT),
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, f"no server on port {port} after 60 s"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(20)
