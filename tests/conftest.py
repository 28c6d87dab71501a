"""Shared fixtures: the real project, its checked graph, and a project with a second cluster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
