"""Release diffs: a real change (a project added to the profile), identical builds, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from clusterkg.cli import main
from clusterkg.diff import CHANGES_FILE, PATCH_FILE, apply_patch, compare, markdown, patch
from clusterkg.export import write_release
from clusterkg.pipeline import check
from clusterkg.project import CKG, Project

from .conftest import copy_project

NEW_PROJECT = """
project:c4life-pilot a ckg:Project ;
    skos:prefLabel "C4Life Pilot - Continuity of Care at home"@en ;
    dcterms:title "C4Life Pilot - Continuity of Care at home"@en ;
    dcterms:description "A test project added to check release diffs."@en ;
    ckg:ongoingIn "2024"^^xsd:gYear ;
    prov:wasDerivedFrom <#line=52,53>, <#line=54,55> .

cluster:lombardy-life-sciences ckg:project project:c4life-pilot .
"""
CLUSTER = URIRef("https://w3id.org/clusterkg/id/cluster/lombardy-life-sciences")
PILOT = URIRef("https://w3id.org/clusterkg/id/project/c4life-pilot")


def _build(root: Path, out: Path) -> None:
    checked = check(Project(root))
    assert checked.ok
    write_release(checked, out)


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """The real project built, kept aside, then rebuilt into the same folder with a new project."""
    tmp = tmp_path_factory.mktemp("diff")
    root = copy_project(tmp / "project")
    out = tmp / "release"
    _build(root, out)
    first = tmp / "first"
    first.mkdir()
    for name in ("kg.nt", "kg.ttl"):
        (first / name).write_bytes((out / name).read_bytes())
    assert not (out / CHANGES_FILE).exists()  # no previous release: no changes file
    profile = root / "data" / "profiles" / "lombardy-life-sciences.ttl"
    profile.write_text(profile.read_text() + NEW_PROJECT)
    _build(root, out)
    return first, out


def test_changes_name_the_new_project_and_the_changed_cluster(releases):
    _, out = releases
    text = (out / CHANGES_FILE).read_text()
    added, _, rest = text.partition("## Added")[2].partition("## Changed")
    changed = rest
    assert "### project (`ckg:Project`)" in added
    assert "- C4Life Pilot \\- Continuity of Care at home" not in added  # no over-escaping
    assert "- C4Life Pilot - Continuity of Care at home (`project:c4life-pilot`)" in added
    assert "### technology cluster (`ckg:Cluster`)" in changed
    assert "- Lombardy Life Sciences Cluster (`cluster:lombardy-life-sciences`)" in changed
    assert (
        "  - `ckg:project` added: C4Life Pilot - Continuity of Care at home "
        "(`project:c4life-pilot`)" in changed
    )
    assert "## Removed" not in text
    assert "| added | 1 |" in text  # one resource: the new project


def test_patch_turns_old_kg_into_new(releases):
    first, out = releases
    old = Graph().parse(first / "kg.nt")
    new = Graph().parse(out / "kg.nt")
    data = (out / PATCH_FILE).read_bytes()
    lines = data.decode().splitlines()
    assert lines[0] == "TX ." and lines[-1] == "TC ."
    assert f"A <{CLUSTER}> <{CKG.project}> <{PILOT}> ." in lines
    assert not [line for line in lines if line.startswith("D ")]
    assert isomorphic(apply_patch(old, data), new)
    assert not isomorphic(old, new)


def test_identical_builds_give_no_changes(tmp_path):
    root = copy_project(tmp_path / "project")
    out = tmp_path / "release"
    _build(root, out)
    _build(root, out)
    text = (out / CHANGES_FILE).read_text()
    assert "No changes" in text
    assert (out / PATCH_FILE).read_text() == "TX .\nTC .\n"


def test_changed_value_shows_old_and_new_and_removed_resources():
    ex = "https://example.org/"
    old, new = Graph(), Graph()
    thing, gone = URIRef(ex + "thing"), URIRef(ex + "gone")
    old.add((thing, SKOS.prefLabel, Literal("Old *name*", lang="en")))
    old.add((gone, RDF.type, CKG.Project))
    old.add((gone, SKOS.prefLabel, Literal("Gone", lang="en")))
    new.add((thing, SKOS.prefLabel, Literal("New name", lang="en")))
    text = markdown(compare(old, new), "a", "b")
    assert "## Removed" in text and "- Gone (`<https://example.org/gone>`)" in text
    assert "“Old \\*name\\*” @en → “New name” @en" in text


def test_blank_nodes_compare_by_canonical_form():
    ex = "https://example.org/"
    old, new = Graph(), Graph()
    for graph, label in ((old, "x"), (new, "y")):  # the same shape, other blank node labels
        node = BNode(label)
        graph.add((URIRef(ex + "a"), URIRef(ex + "p"), node))
        graph.add((node, URIRef(ex + "q"), Literal("1")))
    assert compare(old, new).empty
    new.add((BNode("y"), URIRef(ex + "q"), Literal("2")))
    changes = compare(old, new)
    data = patch(changes)
    assert isomorphic(apply_patch(changes.old, data), new)


def test_patch_rejects_other_rows():
    with pytest.raises(ValueError, match="line 2"):
        apply_patch(Graph(), b"TX .\nX <a> <b> <c> .\n")


def test_cli_markdown_and_patch(releases, capsys, tmp_path):
    first, out = releases
    assert main(["diff", str(first), str(out)]) == 0
    assert "C4Life Pilot" in capsys.readouterr().out
    target = tmp_path / "changes.rdfp"
    assert (
        main(["diff", "--format", "patch", "--out", str(target), "-q", str(first), str(out)]) == 0
    )
    assert target.read_bytes() == (out / PATCH_FILE).read_bytes()
    # Files of any format: Turtle against N-Triples of the same graph is no change.
    assert main(["diff", str(first / "kg.ttl"), str(first / "kg.nt")]) == 0
    assert "No changes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing", None, "no such file or release folder"),
        ("folder", "", "not a release folder: it has no kg.nt"),
        ("bad.ttl", "<a> <b> .\n", "cannot parse as turtle"),
        ("data.xyz", "", "unknown RDF format"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(capsys, tmp_path, name, content, message):
    path = tmp_path / name
    if content == "":
        path.mkdir() if name == "folder" else path.write_text("")
    elif content is not None:
        path.write_text(content)
    good = tmp_path / "good.nt"
    good.write_text("")
    assert main(["diff", str(path), str(good)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: {path}") and message in err
