"""The fast paths of the static pages say exactly what the plain ones say.

``pages.release_files`` reads the graph through ``graphindex.GraphIndex`` and writes
descriptions with ``export.DescriptionWriter``; ``description(graph, iri)`` and ``ntriples`` /
``turtle_of_ntriples`` / ``jsonld`` stay the reference (the live server uses them). Here the
two are held equal on the real data, on a synthetic corpus with blank nodes added, and on
literals made to be awkward.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV, SKOS

from clusterkg import export, html, pages
from clusterkg.graphindex import GraphIndex
from clusterkg.load import new_graph
from clusterkg.pipeline import reasoned
from clusterkg.project import CKG, Project
from clusterkg.synth import synthesize

from .conftest import ROOT

BASE = "https://w3id.org/clusterkg/"


@pytest.fixture(scope="module")
def real(project):
    return reasoned(project)


@pytest.fixture(scope="module")
def synthetic_with_blank_nodes(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """A small synthetic corpus, reasoned, plus blank nodes linking to and from its resources."""
    corpus = synthesize(ROOT, tmp_path_factory.mktemp("synth") / "corpus", clusters=2, members=4)
    checked = reasoned(Project(corpus.out, reasoner="oxigraph"))
    graph = new_graph()  # the store data_graph() uses, whose order the index keeps
    graph += checked.data_graph()
    listed = pages.resources(graph, checked.project.base)
    for number, iri in enumerate(listed[::7]):
        note = BNode(f"note{number}")
        graph.add((iri, RDFS.seeAlso, note))  # outgoing to a blank node
        graph.add((note, RDFS.label, Literal(f"note {number}", lang="en")))
        graph.add((note, CKG.about, iri))  # incoming from a blank node
        graph.add((note, PROV.wasDerivedFrom, listed[0]))
    return graph


def index_and_graph(which, request) -> tuple[Graph, GraphIndex, str]:
    if which == "real":
        graph = request.getfixturevalue("real").data_graph()
    else:
        graph = request.getfixturevalue("synthetic_with_blank_nodes")
    return graph, GraphIndex(graph, graph.namespace_manager), BASE


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_the_index_answers_as_the_graph_does(which, request):
    graph, index, base = index_and_graph(which, request)
    assert pages.resources(index, base) == pages.resources(graph, base)
    nodes = {t for s, _, o in graph for t in (s, o) if not isinstance(t, Literal)}
    for node in nodes:
        # the same answers in the same order: a page takes the first value where there are two
        assert list(index.predicate_objects(node)) == list(graph.predicate_objects(node))
        assert set(index.subject_predicates(node)) == set(graph.subject_predicates(node))
        assert set(index.triples((None, None, node))) == set(graph.triples((None, None, node)))
        for prop in (RDF.type, SKOS.prefLabel, CKG.quotation, PROV.wasDerivedFrom):
            assert list(index.objects(node, prop)) == list(graph.objects(node, prop))
            assert index.value(node, prop) == graph.value(node, prop)
            assert list(index.triples((node, prop, None))) == list(
                graph.triples((node, prop, None))
            )
    for triple in list(graph)[:500]:
        assert triple in index
    assert (URIRef(f"{base}id/nothing"), RDF.type, RDFS.Resource) not in index


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_the_index_gives_every_resource_the_same_description(which, request):
    graph, index, base = index_and_graph(which, request)
    listed = pages.resources(graph, base)
    assert len(listed) > 80
    for iri in listed:
        assert pages.description(index, iri) == pages.description(graph, iri), iri


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_pages_from_the_index_are_the_pages_from_the_graph(which, request):
    graph, index, base = index_and_graph(which, request)
    for iri in pages.resources(graph, base)[::3]:
        page = f"{pages.document_path(iri, base)}.html"
        from_index = html.resource_page(index, iri, pages.static_options(base, page))
        assert from_index == html.resource_page(graph, iri, pages.static_options(base, page))


def reference(triples: set, base: str) -> tuple[bytes, bytes, bytes]:
    lines = export.ntriples(triples)
    return lines, export.turtle_of_ntriples(lines, base), export.jsonld(triples, base)


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_the_writer_writes_every_description_as_the_reference_writers(which, request):
    graph, index, base = index_and_graph(which, request)
    writer = export.DescriptionWriter(base)  # one for all: its memos must not leak across
    for iri in pages.resources(graph, base):
        doc = URIRef(f"{base}{pages.document_path(iri, base)}")
        described = {*pages.description(index, iri), (doc, FOAF.primaryTopic, iri)}
        assert writer.write(described) == reference(described, base), iri


AWKWARD_TEXTS = [
    "plain",
    'quote " and backslash \\ and both \\"',
    "new\nline, carriage\rreturn, tab\t, form\x0cfeed, backspace\x08",
    "nul \x00 and delete \x7f and C1 \x85 and unit separator \x1f",
    "line separator \u2028 and paragraph separator \u2029",
    "accents àéîõü, Greek αβγ, CJK 漢字, emoji 😀, astral \U0001f9ec",
    '\'single\' quotes and """triple""" quotes and trailing backslash \\',
    "",
    " ",
]


def awkward_triples() -> set:
    """Literals and IRIs that need escapes, abbreviations and native JSON values.

    rdflib orders literals of unrelated kinds inconsistently (numbers by value, the rest by
    datatype), so where such values share a property the reference's order depends on the hash
    seed. Each kind has its own property here; the values of one property compare consistently.
    """
    thing = URIRef(f"{BASE}id/cluster/x")
    triples = {(thing, RDF.type, URIRef(f"{BASE}ontology#Cluster"))}

    def prop(name: str) -> URIRef:
        return URIRef(f"{BASE}ontology#{name}")

    for number, text in enumerate(AWKWARD_TEXTS):
        triples.add((thing, prop("plain"), Literal(text)))
        triples.add((thing, prop(f"string{number}"), Literal(text, datatype=XSD.string)))
        triples.add((thing, prop("english"), Literal(text, lang="en")))
        triples.add(
            (
                thing,
                prop(f"tagged{number}"),
                Literal(text, lang=["it", "EN-gb", "de-CH-1996"][number % 3]),
            )
        )
        triples.add((thing, prop("token"), Literal(text, datatype=XSD.token)))
    for value in (3, -7, 12):
        triples.add((thing, prop("integer"), Literal(value)))
    for value in (2.5, 1e300, -0.0):
        triples.add((thing, prop("double"), Literal(value)))
    triples.add((thing, prop("boolean"), Literal(True)))
    triples.add((thing, prop("boolean2"), Literal(False)))
    for number, (lexical, datatype) in enumerate(
        [
            ("2024", XSD.gYear),
            ("01", XSD.integer),
            ("1.50", XSD.decimal),
            ("INF", XSD.double),
            ("x", XSD.integer),
            ("2024-01-02", XSD.date),
            ("1", URIRef("http://example.org/no-prefix#type")),
        ]
    ):
        triples.add((thing, prop(f"typed{number}"), Literal(lexical, datatype=datatype)))
    for path in ("a.b", "a.", "-a", "a/b", "a~b", "a#b", "line=1,2", "q?x=1", "%20", "_x"):
        triples.add((thing, RDFS.seeAlso, URIRef(f"{BASE}id/cluster/{path}")))
        triples.add((thing, RDFS.seeAlso, URIRef(f"{BASE}source/{path}")))
    triples.add((thing, RDFS.seeAlso, URIRef(f"{BASE}id/cluster/")))
    triples.add((thing, RDFS.seeAlso, URIRef("http://example.org/elsewhere")))
    triples.add((thing, RDFS.seeAlso, URIRef("urn:isbn:0451450523")))
    triples.add((URIRef("http://example.org/elsewhere"), SKOS.prefLabel, Literal("x", lang="en")))
    return triples


def test_the_writer_writes_awkward_literals_and_iris_as_the_reference_writers():
    triples = awkward_triples()
    writer = export.DescriptionWriter(BASE)
    assert writer.write(triples) == reference(triples, BASE)
    for triple in sorted(triples):  # one at a time: each term's forms made on its own
        assert writer.write({triple}) == reference({triple}, BASE), triple
    assert export.DescriptionWriter(BASE).write(triples) == reference(triples, BASE)


def test_the_writer_hands_blank_nodes_to_the_reference_writers():
    thing = URIRef(f"{BASE}id/cluster/x")
    blank = BNode()
    triples = {(thing, RDFS.seeAlso, blank), (blank, RDFS.label, Literal("b"))}
    writer = export.DescriptionWriter(BASE)
    assert writer.write(triples) == reference(triples, BASE)
    assert b"_:" in writer.write(triples)[0]
    plain = {(thing, RDFS.label, Literal("after"))}
    assert writer.write(plain) == reference(plain, BASE)


@pytest.mark.parametrize(
    ("folder", "target"),
    [
        ("doc/cluster", "doc/cluster/x.html"),
        ("doc/cluster", "doc/cluster.html"),
        ("doc/cluster/x", "doc/place/y.html"),
        ("", "index.html"),
        ("doc/x", "index.html"),
        ("", "doc/x/y.html"),
        ("doc/a/b", "source/.."),
        ("doc/a", "source/."),
        ("doc/a", "source/caf\u00e9 #1.txt"),
    ],
)
def test_relative_links_are_what_posixpath_relpath_gives(folder, target):
    expected = quote(posixpath.relpath(target, folder or "."), safe="/")
    assert pages.relative(f"{folder}/page.html" if folder else "page.html", target) == expected
