"""The load stage: named graphs, quoted source lines, and one-line errors for bad sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, URIRef
from rdflib.namespace import PROV

from clusterkg.errors import SourceError
from clusterkg.load import load
from clusterkg.oxterms import oxigraph_triples
from clusterkg.project import CKG, DEFAULT_BASE, Project

from .conftest import ROOT, copy_project

SOURCE = ROOT / "data" / "sources" / "lombardy-life-sciences-cluster.txt"
SEED = ROOT.parent / "shared" / "seed" / "000_ccb0e51d36bf17ba.txt"
PROFILE = "data/profiles/lombardy-life-sciences.ttl"


@pytest.fixture(scope="module")
def loaded(project):
    return load(project)


def test_named_graphs(loaded, project):
    names = [str(g.identifier) for g in loaded.named_graphs()]
    assert names == [
        str(project.graph_iri(n))
        for n in ("ontology", "profile/lombardy-life-sciences", "reference", "sources")
    ]


def test_source_copy_is_verbatim():
    if not SEED.is_file():
        pytest.skip(f"the shared seed is not beside the repo here ({SEED})")
    assert SOURCE.read_bytes() == SEED.read_bytes()


def test_every_cited_excerpt_quotes_the_file(loaded):
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    union = loaded.union()
    excerpts = set(union.subjects(RDF.type, CKG.SourceExcerpt))
    cited = set(union.objects(None, PROV.wasDerivedFrom))
    assert cited and cited <= excerpts
    for excerpt in excerpts:
        first = int(union.value(excerpt, CKG.firstLine))
        last = int(union.value(excerpt, CKG.lastLine))
        # RFC 5147: #line=a,b spans the lines after position a up to position b.
        start, end = str(excerpt).rsplit("#line=", 1)[1].split(",")
        assert (first, last) == (int(start) + 1, int(end))
        assert str(union.value(excerpt, CKG.quotation)) == "\n".join(lines[first - 1 : last])


def test_source_document_has_checksum_and_line_count(loaded, project):
    import hashlib

    doc = project.source_iri(SOURCE.name)
    union = loaded.union()
    assert str(union.value(doc, CKG.sha256)) == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert int(union.value(doc, CKG.lineCount)) == 122


def _broken_copy(tmp_path: Path, old: str, new: str, file: str = PROFILE) -> Project:
    root = copy_project(tmp_path)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, "the test's anchor text is gone from the file"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return Project(root)


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_bad_syntax_names_file_and_line(tmp_path):
    project = _broken_copy(tmp_path, 'ckg:acronym "C4Life" ;', 'ckg:acronym "C4Life" ;;;; ]')
    with pytest.raises(SourceError) as info:
        load(project)
    error = info.value
    assert error.path == project.root / PROFILE
    assert error.line == _line_of(error.path, '"C4Life" ;;;; ]')
    assert str(error).startswith(f"{error.path}:{error.line}: bad syntax")
    assert "\n" not in str(error)


def test_citation_beyond_the_last_line(tmp_path):
    project = _broken_copy(tmp_path, "<#line=54,55>", "<#line=54,500>")
    with pytest.raises(SourceError) as info:
        load(project)
    assert info.value.line == _line_of(info.value.path, "<#line=54,500>")
    assert "lines 55-500" in str(info.value) and "122 lines" in str(info.value)


def test_citation_of_a_missing_source(tmp_path):
    project = _broken_copy(
        tmp_path,
        "@base <https://w3id.org/clusterkg/source/lombardy-life",
        "@base <https://w3id.org/clusterkg/source/missing-life",
    )
    with pytest.raises(SourceError, match=r"missing-life-sciences-cluster\.txt.*does not exist"):
        load(project)


def test_ill_typed_literal(tmp_path):
    project = _broken_copy(
        tmp_path, "schema:value 33 ;", 'schema:value "thirty-three"^^xsd:integer ;'
    )
    with pytest.raises(SourceError) as info:
        load(project)
    assert info.value.line == _line_of(info.value.path, '"thirty-three"')
    assert "not a valid xsd:integer" in str(info.value)


def test_missing_ontology(tmp_path):
    with pytest.raises(SourceError, match="ontology file is missing"):
        load(Project(tmp_path))


def test_rebase_moves_instances_not_ontology_terms(tmp_path):
    base = "https://data.example.org/kg/"
    union = load(Project(ROOT, base)).union()
    cluster = URIRef(f"{base}id/cluster/lombardy-life-sciences")
    assert (cluster, RDF.type, CKG.Cluster) in union
    assert not any(str(t).startswith(f"{DEFAULT_BASE}id/") for triple in union for t in triple)
    # excerpts are quoted under the new base too
    assert any(
        str(e).startswith(f"{base}source/") for e in union.subjects(RDF.type, CKG.SourceExcerpt)
    )


@pytest.mark.parametrize("base", [DEFAULT_BASE, "https://data.example.org/kg/"])
def test_each_named_graph_is_the_same_triples_in_both_forms(tmp_path, base):
    # The fast engines and the writers read the Oxigraph form, the pages the rdflib one; the
    # source lines are quoted in both at once. A second file citing lines already cited gets
    # no second description of them.
    root = copy_project(tmp_path)
    source = f"{DEFAULT_BASE}source/{SOURCE.name}"
    (root / "data" / "profiles" / "second.ttl").write_text(
        f"<{DEFAULT_BASE}id/cluster/second> <http://www.w3.org/ns/prov#wasDerivedFrom> "
        f"<{source}#line=121,122> , <{source}#line=0,1> .\n",
        encoding="utf-8",
    )
    sources = load(Project(root, base))

    def spo(triples) -> list[tuple]:  # parsed triples come as quads
        return [(t.subject, t.predicate, t.object) for t in triples]

    for iri in sources.graph_iris():
        assert spo(oxigraph_triples(sources.graph_triples(iri))) == spo(sources.oxigraph[iri])
    quotes = sources.oxigraph[Project(root, base).graph_iri("sources")]
    assert len(quotes) == len(set(quotes))
    excerpt = f"{base}source/{SOURCE.name}#line=121,122"
    assert sum(t.subject.value == excerpt for t in quotes) == 6
