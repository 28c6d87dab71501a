"""The README stays true: its commands, its diagram and its catalog match the code."""

from __future__ import annotations

import re

from rdflib import Graph

from clusterkg.cli import make_parser
from clusterkg.diagram import mermaid
from clusterkg.query import load_catalog

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_command():
    build, test = _code_blocks("sh")[:2]
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == test.strip()
    assert "clusterkg build" in build and "pytest" in test


def test_readme_lists_every_command_and_option():
    parser = make_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert f"clusterkg {name}" in README, f"README does not show 'clusterkg {name}'"
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in README, f"README does not mention {name} {option}"


def test_readme_diagram_is_generated_from_the_ontology():
    ontology = Graph().parse(ROOT / "ontology" / "clusterkg.ttl")
    assert _code_blocks("mermaid") == [mermaid(ontology)]


def test_readme_catalog_lists_every_query():
    for name, query in load_catalog(ROOT / "queries").items():
        assert f"`{name}`" in README, f"README's catalog does not list {name}"
        assert query.summary in README, f"README's catalog has an old summary for {name}"
