"""The release folder: every format holds the same graph, bytes are stable, swaps are atomic."""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from clusterkg import export, ontodoc
from clusterkg.cli import main
from clusterkg.errors import UsageError
from clusterkg.export import _write_file, write_release
from clusterkg.jsonld import ContextError

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


@pytest.mark.parametrize("forked", [False, True], ids=["one process", "forked processes"])
def test_failed_build_leaves_previous_release_untouched(tmp_path, capsys, monkeypatch, forked):
    root = copy_project(tmp_path / "project")
    out = tmp_path / "release"
    assert main(["build", "--quiet", "--root", str(root), "--out", str(out)]) == 0
    before = _snapshot(out)
    _break(root)
    if forked:  # the documents are under way in other processes when validation fails
        monkeypatch.setattr(export, "FORK_FROM", 1)
    assert main(["build", "--quiet", "--root", str(root), "--out", str(out)]) == 1
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "release"]  # no leftovers
    assert multiprocessing.active_children() == []
    err = capsys.readouterr().err
    assert "c4life" in err and "error: the data does not conform" in err


def test_a_stage_failing_while_files_are_written_leaves_nothing(tmp_path, checked, monkeypatch):
    from clusterkg import metadata

    def fail(*_, **__):
        raise RuntimeError("metadata failed")

    # Metadata comes after the graph files, the store and the pages are under way.
    monkeypatch.setattr(metadata, "release_files", fail)
    with pytest.raises(RuntimeError, match="metadata failed"):
        write_release(checked, tmp_path / "release", store=True)
    assert list(tmp_path.iterdir()) == []


def test_a_build_by_forked_processes_writes_the_same_release(tmp_path, monkeypatch):
    alone, forked = tmp_path / "alone", tmp_path / "forked"
    assert main(["build", "--quiet", "--root", str(ROOT), "--out", str(alone)]) == 0
    monkeypatch.setattr(export, "FORK_FROM", 1)  # JSON-LD while reasoning, pages while validating
    monkeypatch.setattr(export.pages, "RUN", 40)
    assert main(["build", "--quiet", "--root", str(ROOT), "--out", str(forked)]) == 0
    assert _snapshot(forked) == _snapshot(alone)
    assert multiprocessing.active_children() == []


class _FullTemporaryDisk:
    """``pickle`` for export, but no room left in the temporary folder."""

    load = staticmethod(pickle.load)
    HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL

    @staticmethod
    def dump(*_, **__) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("room", [True, False], ids=["through a file", "full temporary disk"])
def test_what_the_early_process_makes_comes_back(checked, monkeypatch, room):
    monkeypatch.setattr(export, "FORK_FROM", 1)
    if not room:
        monkeypatch.setattr(export, "pickle", _FullTemporaryDisk)
    with export.EarlyFiles() as early:
        early.start(checked)
        answers = [early._dumps, *early.jobs]
        # A job answers None when its answer is in its file, and the answer if that failed.
        assert [answer.job.result() is None for answer in answers] == [room] * 3
        assert early.dumps() == export.asserted_dumps(checked)
        made = [answer.result() for answer in early.jobs]
        assert made == [stage(checked) for stage in export.ASSERTED_STAGES]
    assert multiprocessing.active_children() == []


def _failing_jsonld(_) -> None:  # (a forked process is handed it by name)
    raise ContextError("two clusters would share clusters/x.jsonld")


def test_a_stage_failing_in_a_forked_process_fails_the_build_here(tmp_path, checked, monkeypatch):
    monkeypatch.setattr(export, "ASSERTED_STAGES", (_failing_jsonld, ontodoc.release_files))
    monkeypatch.setattr(export, "FORK_FROM", 1)
    with pytest.raises(ContextError, match=r"clusters/x\.jsonld"):
        write_release(checked, tmp_path / "release")
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []


def _full_disk_for_pages(path: Path, data: bytes) -> None:
    if "doc" in path.parts:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    _write_file(path, data)


def test_a_page_a_forked_process_cannot_write_fails_the_build_here(tmp_path, checked, monkeypatch):
    # The forked processes write the pages they make themselves.
    monkeypatch.setattr(export, "_write_file", _full_disk_for_pages)
    monkeypatch.setattr(export, "FORK_FROM", 1)
    expected = (
        r"^\S*/doc/\S+: cannot write the release \(No space left on device\); check the disk$"
    )
    with pytest.raises(UsageError, match=expected):
        write_release(checked, tmp_path / "release")
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []


def test_a_file_that_cannot_be_written_is_a_one_line_error(tmp_path):
    from clusterkg.export import _StagingWriter

    (tmp_path / "doc").write_text("a file where the writer wants a folder")
    expected = r"doc: cannot write the release \(.*\); check the disk"
    with pytest.raises(UsageError, match=expected), _StagingWriter(tmp_path, False) as writer:
        writer.write({"kg.nt": (b"", "first"), "doc/x.html": (b"<p>", "second")})
    assert (tmp_path / "kg.nt").is_file()  # what came before was written


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


# --- The writers: Oxigraph and the direct JSON-LD compaction, against rdflib's own ------------


def _descriptions(checked):
    """Every page's triples (as pages.release_files builds them), by resource."""
    from rdflib import URIRef
    from rdflib.namespace import FOAF

    from clusterkg import pages

    graph, base = checked.data_graph(), checked.project.base
    for iri in pages.resources(graph, base):
        doc = URIRef(f"{base}{pages.document_path(iri, base)}")
        yield iri, {*pages.description(graph, iri), (doc, FOAF.primaryTopic, iri)}


def _rdflib_jsonld_bytes(triples, base: str) -> bytes:
    import json

    from clusterkg.export import rdflib_jsonld
    from clusterkg.project import prefixes

    document = rdflib_jsonld(sorted(triples), dict(sorted(prefixes(base).items())))
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


@pytest.mark.parametrize("which", ["checked", "multi_reasoned"])
def test_page_jsonld_is_byte_for_byte_what_rdflib_writes(which, request):
    from clusterkg.export import jsonld

    checked = request.getfixturevalue(which)
    described = dict(_descriptions(checked))
    assert len(described) > 80
    for iri, triples in described.items():
        assert jsonld(triples, checked.project.base) == _rdflib_jsonld_bytes(
            triples, checked.project.base
        ), iri


def test_jsonld_covers_native_values_and_falls_back_for_blank_nodes():
    from rdflib import XSD, BNode, URIRef

    from clusterkg.export import jsonld

    base = "https://w3id.org/clusterkg/"
    thing = URIRef(f"{base}id/cluster/x")
    prop = URIRef("https://w3id.org/clusterkg/ontology#p")
    values = [
        Literal(3),
        Literal(True),
        Literal(2.5),
        Literal("2024", datatype=XSD.gYear),
        Literal("x", datatype=XSD.string),
        Literal("plain"),
        Literal("ciao", lang="it"),
        URIRef(f"{base}source/page.txt#line=1,2"),  # no prefix: the IRI stays whole
        URIRef("http://example.org/elsewhere"),
    ]
    for count in (1, 2, len(values)):
        triples = {(thing, prop, v) for v in values[:count]}
        assert jsonld(triples, base) == _rdflib_jsonld_bytes(triples, base)
    blank = BNode()
    triples = {(thing, prop, blank), (blank, prop, Literal(1))}
    assert b'"@id": "_:' in jsonld(triples, base)  # rdflib's own writer handled it


def test_ntriples_labels_blank_nodes_from_the_graph_not_the_parser():
    from clusterkg.export import ntriples

    text = "@prefix ex: <http://example.org/> . ex:a ex:p [ ex:q 1 ; ex:r [ ex:s 2 ] ] ."
    first, second = (ntriples(Graph().parse(data=text, format="turtle")) for _ in range(2))
    assert first == second and b"_:" in first


def test_turtle_declares_the_prefixes_it_uses_in_order(release):
    out, _ = release
    for name in ("kg.ttl", "kg.trig", "inferred.ttl"):
        text = (out / name).read_text(encoding="utf-8")
        head = [line for line in text.splitlines() if line.startswith("@prefix ")]
        body = text[sum(len(line) + 1 for line in head) :]
        names = [line.split()[1][:-1] for line in head]
        assert names == sorted(names), name
        assert all(f"{prefix}:" in body for prefix in names), name


def test_dumps_of_parsed_blank_nodes_are_the_same_every_time():
    import pyoxigraph as ox

    from clusterkg.export import ntriples, oxigraph_ntriples

    text = "@prefix ex: <http://example.org/> . ex:a ex:p [ ex:q 1 ; ex:r [ ex:s 2 ] ] ."
    parsed = [list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)) for _ in range(2)]
    labels = [{t.subject for t in p if isinstance(t.subject, ox.BlankNode)} for p in parsed]
    assert not labels[0] & labels[1]  # the parser labels blank nodes anew each time
    first, second = (oxigraph_ntriples(p) for p in parsed)
    assert first == second == ntriples(Graph().parse(data=text, format="turtle"))


def test_fast_engines_publish_the_same_release(release, project, tmp_path):
    """With --reasoner oxigraph --validator oxigraph the real data's release is byte for byte
    the reference one (owlrl, pySHACL): inferred triples, SHACL report, pages and all."""
    from clusterkg.pipeline import check
    from clusterkg.project import Project

    fast = Project(project.root, project.base, reasoner="oxigraph", validator="oxigraph")
    write_release(check(fast), tmp_path / "release")
    reference, published = _snapshot(release[0]), _snapshot(tmp_path / "release")
    assert published.keys() == reference.keys()
    assert [name for name in reference if published[name] != reference[name]] == []
