"""The build's graphs as ``GraphIndex`` views: the same triples, in the same order, as the
rdflib graphs they replace, and read-only."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import RDF, RDFS, Literal, URIRef

from clusterkg.graphindex import GraphIndex, index_graph
from clusterkg.load import new_graph
from clusterkg.pipeline import reasoned

EX = "urn:example:"
A, B, C = URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c")


def test_a_triple_given_twice_is_kept_once_at_its_first_place():
    given = [
        (A, RDF.type, B),
        (B, RDFS.label, Literal("b")),
        (A, RDFS.seeAlso, C),
        (A, RDF.type, B),  # again, as two named graphs may both assert it
        (A, RDF.type, C),
    ]
    index = GraphIndex(given)
    graph = new_graph()
    for triple in given:
        graph.add(triple)
    assert list(index) == list(graph)
    assert len(index) == len(index_graph(index)) == 4
    assert index.subject_predicates(B) == [(A, RDF.type)]
    assert list(index.objects(A, RDF.type)) == [B, C]
    assert index.value(A, RDF.type) == B


def test_a_view_is_read_only():
    view = index_graph(GraphIndex([(A, RDF.type, B)]))
    with pytest.raises(TypeError, match="read-only"):
        view.add((A, RDF.type, C))
    with pytest.raises(TypeError, match="read-only"):
        view.remove((A, RDF.type, B))
    assert list(view) == [(A, RDF.type, B)]


@pytest.mark.parametrize("reasoner", ["owlrl", "oxigraph"])
def test_the_asserted_view_is_the_union_of_the_sources_in_its_order(project, reasoner):
    checked = reasoned(replace(project, reasoner=reasoner))
    union = new_graph()
    union.addN((s, p, o, union) for s, p, o in checked.sources.rdflib_triples())
    view = index_graph(checked.asserted_index())
    assert list(view) == list(union) == checked.asserted_triples()
    data = checked.data_graph()
    assert len(data) == len(union) + len(checked.inference.inferred)
    assert set(data) == set(union) | set(checked.inference.inferred)
    # the prefixes the release's files use
    assert data.namespace_manager.compute_qname(str(RDF.type))[0] == "rdf"
    assert dict(data.namespaces())["ckg"] == URIRef("https://w3id.org/clusterkg/ontology#")
