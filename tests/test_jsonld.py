"""JSON-LD for developers: the designed context, compacted kg.jsonld, one framed file per cluster.

Every JSON-LD file goes back to RDF twice, through rdflib and through pyld, and must give the
triples of the Turtle release; no processing may reach the network.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from pyld.jsonld import JsonLdError
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, OWL, RDFS

from clusterkg import jsonld
from clusterkg.jsonld import expand_curie
from clusterkg.project import CKG, VOCABULARY_PREFIXES

CLUSTER = "https://w3id.org/clusterkg/id/cluster/lombardy-life-sciences"
SECOND = "https://w3id.org/clusterkg/id/cluster/fictional-aerospace"


@pytest.fixture(scope="module")
def ctx(release) -> dict:
    return json.loads((release / "context.jsonld").read_text())["@context"]


@pytest.fixture(scope="module")
def loader(ctx, project):
    return jsonld.document_loader(jsonld.context_iri(project.base), ctx)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _keys(document):
    """Every key of a JSON document outside its ``@context`` objects."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "@context":
                continue
            yield key
            yield from _keys(value)
    elif isinstance(document, list):
        for item in document:
            yield from _keys(item)


def _by_rdflib(path: Path) -> Graph:
    return Graph().parse(path, format="json-ld")


def _by_pyld(document: dict, loader) -> Graph:
    return Graph().parse(data=jsonld.to_nquads(document, loader), format="nquads")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("the test tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- The context ---------------------------------------------------------------------------


def _iri(definition) -> str:
    return expand_curie(definition if isinstance(definition, str) else definition["@id"])


def test_context_names_every_term_of_the_ontology_and_the_data(ctx, checked, project):
    ontology = checked.sources.graph(project.graph_iri("ontology"))
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for term in ontology.subjects(RDF.type, kind):
            if str(term).startswith(str(CKG)):  # named after its local name, already camelCase
                assert _iri(ctx[str(term)[len(str(CKG)) :]]) == str(term)
    iris = {
        _iri(d) for name, d in ctx.items() if name not in VOCABULARY_PREFIXES and name[0] != "@"
    }
    asserted = checked.sources.union()
    used = {str(p) for p in asserted.predicates()} - {str(RDF.type)}
    used |= {str(o) for o in asserted.objects(None, RDF.type)}
    assert used <= iris
    # The reused vocabulary has curated names: nothing the data uses falls back to a made-up one.
    curated = {expand_curie(k) for k in jsonld.REUSED_TERMS}
    assert {i for i in used if not i.startswith(str(CKG))} <= curated


def test_context_coercions(ctx):
    assert ctx["id"] == "@id" and ctx["type"] == {"@id": "@type", "@container": "@set"}
    assert ctx["prefLabel"] == {"@id": "skos:prefLabel", "@container": "@language"}
    assert ctx["description"] == {"@id": "dcterms:description", "@container": "@language"}
    assert ctx["project"] == {"@id": "ckg:project", "@type": "@id", "@container": "@set"}
    assert ctx["wasDerivedFrom"]["@type"] == "@id"
    assert ctx["ongoingIn"] == {"@id": "ckg:ongoingIn", "@type": "xsd:gYear"}
    assert ctx["value"] == "schema:value"  # integers are JSON numbers
    assert ctx["istatCode"] == {"@id": "skos:notation", "@type": "ckg:IstatCode"}
    assert ctx["Cluster"] == "ckg:Cluster"


def test_context_is_sorted_and_published(release):
    text = (release / "context.jsonld").read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_two_iris_for_one_term_are_refused(monkeypatch):
    monkeypatch.setitem(jsonld.REUSED_TERMS, "schema:name", "name")  # foaf:name is "name" too
    graph = Graph()
    for prop in (FOAF.name, URIRef("https://schema.org/name")):
        graph.add((URIRef("https://example.org/a"), prop, Literal("a")))
    with pytest.raises(jsonld.ContextError, match="'name'"):
        jsonld.context(graph, Graph())


def test_unlisted_vocabulary_still_gets_a_plain_key():
    graph = Graph()
    a = URIRef("https://example.org/a")
    graph.add((a, URIRef("https://example.org/x#label"), Literal("x")))
    graph.add((a, RDFS.label, Literal("a")))
    ctx = jsonld.context(graph, Graph())
    assert ctx["label"] == "rdfs:label" and ctx["label2"] == "https://example.org/x#label"


# --- kg.jsonld -----------------------------------------------------------------------------


def test_kg_jsonld_is_compacted_with_short_keys(release, ctx):
    document = _load(release / "kg.jsonld")
    assert document["@context"] == ctx
    keys = set(_keys(document))
    assert not [k for k in keys if ":" in k or "/" in k], "full IRIs or CURIEs as keys"
    assert {"id", "type", "prefLabel", "wasDerivedFrom", "@graph"} <= keys
    ids = [node["id"] for node in document["@graph"]]
    assert ids == sorted(ids)
    cluster = next(n for n in document["@graph"] if n["id"] == CLUSTER)
    assert cluster["type"] == ["Cluster"]
    assert cluster["prefLabel"] == {
        "en": "Lombardy Life Sciences Cluster",
        "it": "Cluster lombardo scienze della vita",
    }
    assert "https://w3id.org/clusterkg/id/project/c4life" in cluster["project"]


def test_kg_jsonld_round_trips_with_rdflib_and_pyld(release, checked, loader, no_network):
    asserted = checked.sources.union()
    turtle = Graph().parse(release / "kg.ttl")
    assert isomorphic(turtle, asserted)
    assert isomorphic(_by_rdflib(release / "kg.jsonld"), turtle)
    assert isomorphic(_by_pyld(_load(release / "kg.jsonld"), loader), turtle)


# --- Framed cluster documents --------------------------------------------------------------


def test_cluster_document_is_plain_nested_json(release):
    doc = _load(release / "clusters" / "lombardy-life-sciences.jsonld")
    assert doc["id"] == CLUSTER and doc["type"] == ["Cluster"]
    assert doc["prefLabel"]["en"] == "Lombardy Life Sciences Cluster"
    assert not [k for k in _keys(doc) if ":" in k or "/" in k]
    address = doc["headquarters"][0]["address"][0]
    assert address["fullAddress"] == "Via Pantano, 9 - 20122 Milano"
    assert address["place"][0]["istatCode"] == "015"
    assert len(doc["technologyArea"]) == 5
    assert all(a["prefLabel"]["en"] and a["type"] for a in doc["technologyArea"])
    assert {n["acronym"] for n in doc["participatesIn"] if "acronym" in n} >= {"CEBR", "UEHP"}
    projects = {p["acronym"]: p for p in doc["project"]}
    assert set(projects) == {"C4Life", "SmartLS"}
    assert projects["C4Life"]["ongoingIn"] == "2024"  # a gYear, kept as text
    stories = {s["id"].rsplit("/", 1)[-1]: s for s in doc["successStory"]}
    figures = {f["value"] for f in stories["call-hub-support"]["figure"]}
    assert figures == {33, 11}  # JSON numbers
    assert stories["call-hub-support"]["concernsCall"][0]["prefLabel"]["en"].startswith("Call Hub")
    activities = {a["id"].rsplit("/", 1)[-1]: a for a in doc["networkingActivity"]}
    event = activities["mit4ls"]["includesEvent"][0]
    assert (
        event["acronym"] == "MIT4LS" and event["platform"][0]["providedBy"][0]["acronym"] == "EEN"
    )
    synergy = {s["id"].rsplit("/", 1)[-1]: s for s in doc["synergy"]}["synergy-1"]
    assert {a.get("pnrrCode") for a in synergy["alignsWith"]} >= {"M6", "M6C1", "M6C2"}
    stated = {r["statedNumber"]: r for r in synergy["statedReference"]}
    assert stated[1]["refersTo"][0]["pnrrCode"] == "M6C2"  # the profile's swapped numbering
    quoted = doc["wasDerivedFrom"][0]
    assert quoted["type"] == ["SourceExcerpt"] and quoted["quotation"]


def _outgoing(graph: Graph, node: URIRef) -> set:
    return set(graph.triples((node, None, None)))


def test_cluster_document_round_trips(release, checked, loader, no_network):
    asserted = checked.sources.union()
    data = checked.data_graph()
    path = release / "clusters" / "lombardy-life-sciences.jsonld"
    for parsed in (_by_rdflib(path), _by_pyld(_load(path), loader)):
        triples = set(parsed)
        assert triples <= set(data)
        assert _outgoing(asserted, URIRef(CLUSTER)) <= triples
        # Each resource the profile describes comes with everything said about it.
        for story in asserted.objects(URIRef(CLUSTER), CKG.successStory):
            assert _outgoing(asserted, story) <= triples
        assert isomorphic(parsed, jsonld.cluster_subgraph(checked, URIRef(CLUSTER)))


def test_one_framed_document_per_cluster(multi_reasoned, project):
    files = jsonld.release_files(multi_reasoned)
    clusters = sorted(name for name in files if name.startswith("clusters/"))
    assert clusters == [
        "clusters/fictional-aerospace.jsonld",
        "clusters/lombardy-life-sciences.jsonld",
    ]
    ctx = json.loads(files["context.jsonld"][0])["@context"]
    loader = jsonld.document_loader(jsonld.context_iri(project.base), ctx)
    asserted = multi_reasoned.sources.union()
    for name, iri in zip(clusters, (SECOND, CLUSTER), strict=True):
        doc = json.loads(files[name][0])
        assert doc["id"] == iri
        parsed = _by_pyld(doc, loader)
        assert set(parsed) <= set(asserted)
        assert _outgoing(asserted, URIRef(iri)) <= set(parsed)
        other = CLUSTER if iri == SECOND else SECOND
        assert (URIRef(other), None, None) not in parsed  # one cluster per document


def test_jsonld_bytes_are_deterministic(checked):
    assert jsonld.release_files(checked) == jsonld.release_files(checked)


# --- No remote contexts --------------------------------------------------------------------


def test_remote_context_is_refused_without_network(loader, no_network):
    document = {"@context": "https://schema.org/", "@id": CLUSTER, "name": "x"}
    with pytest.raises(JsonLdError) as failure:
        jsonld.to_nquads(document, loader)
    causes, error = [], failure.value
    while error is not None:
        causes.append(str(error))
        error = error.__cause__
    assert any("refusing to load https://schema.org/" in c for c in causes), causes


def test_own_context_by_reference_resolves_offline(loader, project, no_network):
    document = {
        "@context": jsonld.context_iri(project.base),
        "id": CLUSTER,
        "type": ["Cluster"],
        "prefLabel": {"en": "Lombardy Life Sciences Cluster"},
    }
    parsed = _by_pyld(document, loader)
    assert (URIRef(CLUSTER), RDF.type, CKG.Cluster) in parsed
    assert len(parsed) == 2
