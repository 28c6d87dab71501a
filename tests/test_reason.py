"""The reason stage: informative OWL RL entailments only, and inconsistencies caught."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import ORG, SKOS

from clusterkg.load import parse_source
from clusterkg.pipeline import reasoned
from clusterkg.project import CKG
from clusterkg.reason import BUILTIN_NAMESPACES, infer

from .conftest import ROOT

ID = "https://w3id.org/clusterkg/id/"
CLUSTER = URIRef(f"{ID}cluster/lombardy-life-sciences")


@pytest.fixture(scope="module")
def result(project):
    return reasoned(project)


@pytest.mark.parametrize(
    "triple",
    [
        (CLUSTER, RDF.type, ORG.FormalOrganization),  # subclass
        (CLUSTER, RDF.type, ORG.Organization),  # transitive subclass
        (URIRef(f"{ID}project/c4life"), CKG.projectOf, CLUSTER),  # inverse property
        (URIRef(f"{ID}network/cebr"), SKOS.altLabel, Literal("CEBR")),  # subproperty
        (CLUSTER, ORG.hasPrimarySite, URIRef(f"{ID}cluster/lombardy-life-sciences/headquarters")),
        (URIRef(f"{ID}pnrr/M6C1"), RDF.type, SKOS.Concept),
    ],
    ids=[
        "subclass",
        "transitive-subclass",
        "inverse",
        "acronym-is-altLabel",
        "headquarters-site",
        "component-is-concept",
    ],
)
def test_useful_entailments_are_kept(result, triple):
    assert triple in result.data_graph()
    if triple[2] != SKOS.Concept:  # the reference data also asserts this one
        assert triple in result.inference.inferred


def test_trivia_are_dropped(result):
    inferred = result.inference.inferred
    assert len(inferred) > 50
    for s, p, o in inferred:
        assert not isinstance(s, Literal | BNode)
        assert not str(s).startswith(BUILTIN_NAMESPACES)
        assert not (p == OWL.sameAs and s == o)
        assert not (p == RDF.type and o in (OWL.Thing, RDFS.Resource))


def test_inferred_is_disjoint_from_asserted(result):
    asserted = result.sources.union()
    assert not any(t in asserted for t in result.inference.inferred)
    assert not result.inference.inconsistencies


def test_disjoint_classes_are_an_inconsistency():
    graph = parse_source(ROOT / "ontology" / "clusterkg.ttl")
    thing = URIRef("https://example.org/both-project-and-event")
    graph.add((thing, RDF.type, CKG.Project))
    graph.add((thing, RDF.type, CKG.Event))
    problems = infer(graph).inconsistencies
    assert problems and any("both-project-and-event" in p for p in problems)


def test_member_of_nothing_is_an_inconsistency():
    graph = Graph()
    graph.add((URIRef("https://example.org/impossible"), RDF.type, OWL.Nothing))
    problems = infer(graph).inconsistencies
    assert len(problems) == 1 and "https://example.org/impossible" in problems[0]
    assert "Nothing" in problems[0]
