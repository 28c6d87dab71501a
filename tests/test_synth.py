"""The synthetic corpus: reproducible, loadable, conforming, with exactly the defects it lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clusterkg.cli import main
from clusterkg.load import load
from clusterkg.pipeline import Checked, check
from clusterkg.project import Project
from clusterkg.query import load_catalog, run
from clusterkg.synth import DEFECT_KINDS, MANIFEST, SHAPES, digest, synthesize

from .conftest import ROOT

SMALL = {"clusters": 2, "members": 4}
SYNTH_ID = "https://w3id.org/clusterkg/id/"


def synthetic(findings) -> list:
    """Findings about generated resources (every generated IRI slug starts with 'synth-')."""
    return [f for f in findings if "/synth-" in str(f.focus)]


def key(finding) -> tuple[str, str, str]:
    return (str(finding.focus), finding.shape.strip("<>"), finding.severity)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("clean") / "corpus"
    return synthesize(ROOT, out, clusters=3, seed=11, members=4)


@pytest.fixture(scope="module")
def clean_checked(clean) -> Checked:
    return check(Project(clean.out))


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("defective") / "corpus"
    # More defects than kinds, so that every kind appears and some appear twice.
    return synthesize(ROOT, out, clusters=3, seed=5, members=4, defects=len(DEFECT_KINDS) + 4)


def test_same_arguments_give_the_same_bytes(tmp_path: Path):
    first = synthesize(ROOT, tmp_path / "a", seed=3, defects=3, **SMALL)
    second = synthesize(ROOT, tmp_path / "b", seed=3, defects=3, **SMALL)
    assert digest(first.out) == digest(second.out)
    assert first.triples == second.triples
    other = synthesize(ROOT, tmp_path / "c", seed=4, defects=3, **SMALL)
    profile = Path("data/profiles/synth-1.ttl")
    assert (first.out / profile).read_bytes() != (other.out / profile).read_bytes()


def test_a_cluster_does_not_depend_on_how_many_there_are(tmp_path: Path):
    two = synthesize(ROOT, tmp_path / "two", seed=3, clusters=2, members=4)
    three = synthesize(ROOT, tmp_path / "three", seed=3, clusters=3, members=4)
    for name in ("profiles/synth-2.ttl", "sources/synth-2.txt"):
        assert (two.out / "data" / name).read_bytes() == (three.out / "data" / name).read_bytes()


def test_layout_is_a_full_project(clean):
    for path in ("ontology/clusterkg.ttl", "ontology/shapes.ttl", "queries/checks"):
        assert (clean.out / path).exists(), path
    for i in (1, 2, 3):
        assert (clean.out / f"data/profiles/synth-{i}.ttl").is_file()
        text = (clean.out / f"data/sources/synth-{i}.txt").read_text(encoding="utf-8")
        assert text.startswith("SYNTHETIC TEST CLUSTER - NOT A REAL ORGANISATION")
    assert (clean.out / "data/reference/synth-technology-areas.ttl").is_file()
    manifest = json.loads((clean.out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["defects"] == [] and manifest["triples"] == clean.triples


def test_triple_count_is_what_loading_gives(clean):
    assert len(load(Project(clean.out)).union()) == clean.triples
    assert clean.triples == clean.base_triples + clean.synthetic_triples


def test_clean_corpus_conforms_without_any_finding_of_its_own(clean_checked: Checked):
    validation = clean_checked.validation
    assert validation.conforms, [f.line() for f in validation.violations]
    assert synthetic(validation.findings) == []
    assert clean_checked.check_failures == []
    assert clean_checked.inference.inconsistencies == []


def test_shaped_like_the_real_profile(clean_checked: Checked):
    graph = clean_checked.data_graph()
    rows = graph.query(
        """
        SELECT ?cluster (COUNT(DISTINCT ?member) AS ?members) (COUNT(DISTINCT ?area) AS ?areas)
               (COUNT(DISTINCT ?network) AS ?networks) ?count ?it
        WHERE {
            ?cluster a ckg:Cluster ; ckg:memberCount ?count ;
                ckg:technologyArea ?area ; ckg:participatesIn ?network ;
                skos:prefLabel ?it FILTER(LANG(?it) = "it")
            ?member org:memberOf ?cluster .
            FILTER(STRSTARTS(STR(?cluster), "https://w3id.org/clusterkg/id/cluster/synth-"))
        } GROUP BY ?cluster ?count ?it
        """
    )
    found = list(rows)
    assert len(found) == 3
    for _, members, areas, networks, count, _ in found:
        assert int(members) == int(count) == 4
        assert 3 <= int(areas) <= 6 and 2 <= int(networks) <= 5
    for cls in ("SuccessStory", "Figure", "Project", "Synergy", "StatedReference", "EventSeries"):
        assert graph.query(f"ASK {{ ?x a ckg:{cls} }}").askAnswer, cls


def test_defects_are_exactly_the_listed_ones(defective):
    manifest = json.loads((defective.out / MANIFEST).read_text(encoding="utf-8"))["defects"]
    assert len(manifest) == len(DEFECT_KINDS) + 4
    assert {d["kind"] for d in manifest} == {k.name for k in DEFECT_KINDS}
    checked = check(Project(defective.out))
    found = synthetic(checked.validation.findings)
    expected = {(d["focus"], d["shape"], d["severity"]) for d in manifest}
    assert sorted(key(f) for f in found) == sorted(expected)
    assert all(d["shape"].startswith(SHAPES) and d["focus"].startswith(SYNTH_ID) for d in manifest)
    # The one kind that also fails a quality check fails it on its own focus node only.
    project_defects = {d["focus"] for d in manifest if d.get("check") == "provenance-violation"}
    failures = {f.check: f for f in checked.check_failures}
    assert set(failures) == {"provenance-violation"}
    assert len(failures["provenance-violation"].rows) == len(project_defects)
    assert not checked.inference.inconsistencies


def test_too_many_defects_for_the_corpus_are_refused(tmp_path: Path):
    from clusterkg.errors import UsageError

    with pytest.raises(UsageError, match="cannot place"):
        synthesize(ROOT, tmp_path / "x", clusters=1, members=1, defects=60)


def test_every_query_runs_on_the_synthetic_corpus(clean_checked: Checked, clean):
    project = Project(clean.out)
    dataset = clean_checked.dataset()
    catalog = load_catalog(project.queries_dir)
    assert catalog
    for query in catalog.values():
        list(run(dataset, query, {}, project))  # raises if the query fails
        if any(p.name == "cluster" for p in query.params):
            list(run(dataset, query, {"cluster": "cluster/synth-2"}, project))
    overview = list(run(dataset, catalog["14_cluster_overview"], {}, project))
    names = sorted(str(row.name) for row in overview)
    assert len(names) == 4  # the real cluster and the three synthetic ones
    assert sum(name.startswith("Synthetic ") for name in names) == 3


def test_triples_grow_linearly_with_clusters_and_members(tmp_path: Path):
    def grown(clusters: int, members: int) -> int:
        out = tmp_path / f"{clusters}-{members}"
        return synthesize(ROOT, out, clusters=clusters, seed=1, members=members).synthetic_triples

    one, four = grown(2, 10), grown(8, 10)
    assert 3.5 < four / one < 4.5
    few, many = grown(2, 10), grown(2, 100)
    per_member = (many - few) / (2 * 90)
    assert 10 < per_member < 16  # about 13: 7 triples of its own, 6 for its quoted line


def test_cli_writes_and_reports(capsys, tmp_path: Path):
    out = tmp_path / "corpus"
    code = main(
        ["synth", "--clusters", "2", "--members-per-cluster", "3", "--seed", "2", "--defects",
         "2", "--out", str(out), "--root", str(ROOT)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Wrote 2 synthetic clusters" in captured.out and "triples" in captured.out
    assert len(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["defects"]) == 2
    # Writing again into the same folder replaces the corpus it holds.
    assert main(["synth", "--clusters", "1", "--out", str(out), "--root", str(ROOT), "-q"]) == 0
    assert not (out / "data/profiles/synth-2.ttl").exists()


def test_cli_triples_picks_the_number_of_clusters(capsys, tmp_path: Path):
    code = main(
        ["synth", "--triples", "12000", "--members-per-cluster", "20", "--out",
         str(tmp_path / "t"), "--root", str(ROOT)]
    )  # fmt: skip
    assert code == 0
    triples = json.loads((tmp_path / "t" / MANIFEST).read_text(encoding="utf-8"))["triples"]
    assert abs(triples - 12000) < 1200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clusters", "-1"], "--clusters must be at least 1"),
        (["--clusters", "0"], "--clusters must be at least 1"),
        (["--clusters", "2", "--members-per-cluster", "0"], "--members-per-cluster"),
        (["--clusters", "2", "--defects", "-3"], "--defects must be 0 or more"),
        (["--clusters", "two"], "invalid int value"),
        (["--clusters", "2", "--triples", "100"], "not allowed with"),
        (["--triples", "0"], "--triples must be at least 1"),
        ([], "one of the arguments --clusters --triples is required"),
    ],
)
def test_cli_bad_arguments(capsys, tmp_path: Path, args: list[str], message: str):
    code = main(["synth", *args, "--out", str(tmp_path / "x"), "--root", str(ROOT)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_cli_refuses_an_out_that_is_a_file_or_a_foreign_folder(capsys, tmp_path: Path):
    file = tmp_path / "file.txt"
    file.write_text("x", encoding="utf-8")
    assert main(["synth", "--clusters", "1", "--out", str(file), "--root", str(ROOT)]) == 2
    assert "is a file" in capsys.readouterr().err
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["synth", "--clusters", "1", "--out", str(folder), "--root", str(ROOT)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
