"""The release folder: every format holds the same graph, bytes are stable, swaps are atomic."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from clusterkg.cli import main
from clusterkg.export import write_release

from .conftest import ROOT, copy_project

EXPECTED = {
    "kg.ttl",
    "kg.nt",
    "kg.jsonld",
    "kg.trig",
    "inferred.ttl",
    "validation.ttl",
    "validation.txt",
    "source/lombardy-life-sciences-cluster.txt",
    "SHA256SUMS",
    "context.jsonld",
    "clusters/lombardy-life-sciences.jsonld",
}


@pytest.fixture(scope="module")
def release(tmp_path_factory, checked):
    out = tmp_path_factory.mktemp("export") / "release"
    files = write_release(checked, out)
    return out, files


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_release_files(release):
    out, files = release
    assert {f.name for f in files} == set(_snapshot(out))
    assert {f.name for f in files} >= EXPECTED
    for file in files:
        data = (out / file.name).read_bytes()
        assert file.size == len(data) and file.sha256 == hashlib.sha256(data).hexdigest()


def test_sha256sums_lists_every_other_file(release):
    out, _ = release
    listed = {}
    for line in (out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == set(_snapshot(out)) - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(
    ("name", "fmt"), [("kg.ttl", "turtle"), ("kg.nt", "nt"), ("kg.jsonld", "json-ld")]
)
def test_each_format_holds_the_asserted_graph(release, checked, name, fmt):
    parsed = Graph().parse(release[0] / name, format=fmt)
    assert isomorphic(parsed, checked.sources.union())


def test_trig_keeps_named_graphs_and_inferred(release, checked, project):
    dataset = Dataset()
    dataset.parse(release[0] / "kg.trig", format="trig")
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    expected = {str(g.identifier) for g in checked.sources.named_graphs()}
    assert set(graphs) == expected | {str(project.graph_iri("inferred"))}
    inferred = Graph().parse(release[0] / "inferred.ttl")
    assert isomorphic(graphs[str(project.graph_iri("inferred"))], inferred)
    assert isomorphic(inferred, checked.inference.inferred)


def test_validation_report(release, checked):
    report = Graph().parse(release[0] / "validation.ttl")
    assert (None, SH.conforms, Literal(True)) in report
    text = (release[0] / "validation.txt").read_text()
    assert text.startswith("SHACL: conforms")
    assert len(text.splitlines()) == 1 + len(checked.validation.findings)


def test_byte_identical_across_processes(tmp_path):
    # Separate processes with different hash seeds: set and dict order must not leak into files.
    outs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"release-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "clusterkg",
                "build",
                "--quiet",
                "--root",
                str(ROOT),
                "--out",
                str(out),
            ],
            check=True,
            env=env,
        )
        outs.append(_snapshot(out))
    assert outs[0] == outs[1]


def _break(root: Path) -> None:
    profile = root / "data" / "profiles" / "lombardy-life-sciences.ttl"
    text = profile.read_text()
    broken = text.replace('skos:prefLabel "C4Life - Continuity of Care"@en ;', "", 1)
    assert broken != text
    profile.write_text(broken)


def test_failed_build_leaves_previous_release_untouched(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    out = tmp_path / "release"
    assert main(["build", "--quiet", "--root", str(root), "--out", str(out)]) == 0
    before = _snapshot(out)
    _break(root)
    assert main(["build", "--quiet", "--root", str(root), "--out", str(out)]) == 1
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "release"]  # no leftovers
    err = capsys.readouterr().err
    assert "c4life" in err and "error: the data does not conform" in err


def test_bad_source_writes_nothing(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    (root / "data" / "reference" / "broken.ttl").write_text(
        "@prefix x: <a> .\nx:a x:b x:c .\nnot turtle\n"
    )
    out = tmp_path / "release"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {root / 'data' / 'reference' / 'broken.ttl'}:3: bad syntax")
    assert len(err.splitlines()) == 1
