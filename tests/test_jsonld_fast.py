"""The JSON-LD documents built straight from the triples are rdflib's and pyld's, byte for byte.

``jsonld.release_files`` builds kg.jsonld and the cluster documents itself where it can and
falls back to rdflib's serializer and pyld's compaction and framing (``compacted``,
``framed_cluster``) where it cannot. Each test builds the documents both ways and compares bytes:
on the real data, with a second cluster, and on a small graph full of corner cases (literal
forms, language tags, escaping, cycles, shared nodes, duplicate values...).
"""

from __future__ import annotations

import json
import random

import pytest
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import SKOS

from clusterkg import jsonld
from clusterkg.load import LoadedSources, new_graph
from clusterkg.pipeline import Checked
from clusterkg.project import CKG
from clusterkg.reason import Inference

ID = "https://w3id.org/clusterkg/id/"


def xsd(name: str) -> URIRef:  # (rdflib's XSD namespace warns when pytest inspects it)
    return URIRef(f"http://www.w3.org/2001/XMLSchema#{name}")


def _reference_dumps(document) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _generic_files(checked) -> dict[str, bytes]:
    """The release files by rdflib and pyld only (release_files as it was before the fast path)."""
    asserted = checked.sources.union()
    ontology = checked.sources.graph(checked.project.graph_iri("ontology"))
    ctx = jsonld.context(asserted, ontology)
    loader = jsonld.document_loader(jsonld.context_iri(checked.project.base), ctx)
    files = {
        jsonld.CONTEXT_FILE: _reference_dumps({"@context": ctx}),
        "kg.jsonld": _reference_dumps(jsonld.compacted(asserted, ctx, loader)),
    }
    for cluster in jsonld.clusters(asserted):
        subgraph = jsonld.cluster_subgraph(checked, cluster, asserted)
        document = jsonld.framed_cluster(subgraph, cluster, ctx, loader)
        files[f"{jsonld.CLUSTERS_DIR}/{jsonld.cluster_slug(cluster)}.jsonld"] = _reference_dumps(
            document
        )
    return files


def _files(checked, monkeypatch) -> tuple[dict[str, bytes], list[str]]:
    """release_files' bytes, and which documents it left to rdflib and pyld."""
    generic = []
    compacted, framed = jsonld.compacted, jsonld.framed_cluster

    def counting_compacted(*args):
        generic.append("kg.jsonld")
        return compacted(*args)

    def counting_framed(subgraph, cluster, *args):
        generic.append(jsonld.cluster_slug(cluster))
        return framed(subgraph, cluster, *args)

    monkeypatch.setattr(jsonld, "compacted", counting_compacted)
    monkeypatch.setattr(jsonld, "framed_cluster", counting_framed)
    files = {name: content for name, (content, _) in jsonld.release_files(checked).items()}
    monkeypatch.undo()
    return files, generic


def _assert_same(checked, monkeypatch, left_to_pyld: set[str] = frozenset()) -> None:
    files, generic = _files(checked, monkeypatch)
    expected = _generic_files(checked)
    assert sorted(files) == sorted(expected)
    for name in expected:
        assert files[name] == expected[name], name
    assert set(generic) == set(left_to_pyld)


def test_real_data_is_built_fast_and_the_same(checked, monkeypatch):
    _assert_same(checked, monkeypatch)


def test_two_clusters_are_built_fast_and_the_same(multi_reasoned, monkeypatch):
    _assert_same(multi_reasoned, monkeypatch)


# --- A graph full of corner cases ------------------------------------------------------------


def _sources(project, profiles: dict[str, list], reference: list) -> Checked:
    sources = LoadedSources(project)
    sources.graph(project.graph_iri("ontology")).parse(project.ontology_file)
    for triple in reference:
        sources.graph(project.graph_iri("reference")).add(triple)
    for name, triples in profiles.items():
        for triple in triples:
            sources.graph(project.graph_iri(f"profile/{name}")).add(triple)
    return Checked(project, sources, Inference(new_graph()))


def _corner_cases(cluster: URIRef, tag: str) -> list:
    node = lambda name: URIRef(f"{ID}{tag}/{name}")  # noqa: E731
    a, b, shared = node("a"), node("b"), node("shared")
    return [
        (cluster, RDF.type, CKG.Cluster),
        (cluster, RDF.type, CKG.InnovationEcosystem),  # several classes
        (cluster, SKOS.prefLabel, Literal(f"Cluster {tag}", lang="en")),
        (cluster, SKOS.prefLabel, Literal(f"Cluster {tag} (US)", lang="en-US")),
        (cluster, SKOS.prefLabel, Literal('Ünïcödé \u2028 \x01 "quoted" \\ back', lang="it")),
        (cluster, CKG.project, a),
        (cluster, CKG.project, URIRef(f"{ID}{tag}/é-accented")),  # sorts apart when escaped
        (cluster, CKG.project, URIRef(f"{ID}{tag}/z-last")),
        (cluster, CKG.successStory, cluster),  # itself
        (cluster, CKG.successStory, shared),
        (cluster, CKG.synergy, shared),  # one node linked twice
        (cluster, CKG.thematicArea, URIRef(f"{ID}concept/{tag}")),  # only its labels come along
        (cluster, RDFS.seeAlso, CKG.Cluster),  # a link to a term of the context
        (cluster, RDFS.seeAlso, URIRef("http://www.w3.org/2004/02/skos/core#Concept")),
        (a, RDF.type, CKG.Project),
        (a, CKG.participant, b),
        (b, RDF.type, CKG.Project),
        (b, CKG.participant, a),  # a cycle
        (b, CKG.participant, cluster),
        (shared, RDF.type, CKG.SuccessStory),
        (shared, CKG.number, Literal("5", datatype=xsd("integer"))),
        (shared, CKG.number, Literal("05", datatype=xsd("integer"), normalize=False)),
        (shared, CKG.number, Literal("+7", datatype=xsd("integer"), normalize=False)),
        (shared, CKG.number, Literal("1", datatype=xsd("boolean"), normalize=False)),
        (shared, CKG.number, Literal("1", datatype=xsd("integer"))),
        (shared, CKG.number, Literal("true", datatype=xsd("boolean"))),
        (shared, CKG.number, Literal("1.50", datatype=xsd("double"), normalize=False)),
        (shared, CKG.number, Literal("1e400", datatype=xsd("double"), normalize=False)),
        (shared, CKG.number, Literal("text", datatype=xsd("string"))),
        (shared, CKG.number, Literal("plain")),
        (shared, CKG.number, Literal("42", datatype=xsd("positiveInteger"))),
        (shared, SKOS.notation, Literal("015", datatype=CKG.IstatCode)),
        (shared, SKOS.notation, Literal("ITC4", datatype=CKG.NutsCode)),
        (shared, SKOS.notation, Literal("free")),
        (shared, CKG.quotation, Literal("same", lang="en-US")),
        (shared, CKG.quotation, Literal("line\nbreak\ttab", lang="en")),
        (shared, CKG.mixed, Literal("text")),
        (shared, CKG.mixed, a),  # a link and a literal: no coercion
        (a, CKG.thematicArea, URIRef(f"{ID}concept/shared")),
    ]


# Reference data that the profiles link to: only types and literals of it come along.
REFERENCE = [
    triple
    for tag in ("first", "second", "shared")
    for triple in [
        (URIRef(f"{ID}concept/{tag}"), RDF.type, SKOS.Concept),
        (URIRef(f"{ID}concept/{tag}"), SKOS.prefLabel, Literal(f"Concept {tag}", lang="en")),
        (URIRef(f"{ID}concept/{tag}"), SKOS.broader, URIRef(f"{ID}concept/top")),
        (URIRef(f"{ID}concept/{tag}"), CKG.quotation, Literal("same", lang="en-us")),
    ]
] + [(URIRef(f"{ID}concept/top"), RDF.type, SKOS.Concept)]


def _cluster(name: str) -> URIRef:
    return URIRef(f"{ID}cluster/{name}")


def test_corner_cases_are_built_fast_and_the_same(project, monkeypatch):
    first, second = _cluster("first"), _cluster("second")
    checked = _sources(
        project,
        {"first": _corner_cases(first, "first"), "second": _corner_cases(second, "second")},
        REFERENCE,
    )
    _assert_same(checked, monkeypatch)


def test_blank_nodes_are_left_to_pyld(project, monkeypatch):
    first, second = _cluster("first"), _cluster("second")
    blank = BNode("b0")
    checked = _sources(
        project,
        {
            "first": [*_corner_cases(first, "first"), (first, CKG.figure, blank)],
            "second": _corner_cases(second, "second"),
        },
        [*REFERENCE, (blank, CKG.number, Literal("3", datatype=xsd("integer")))],
    )
    _assert_same(checked, monkeypatch, {"kg.jsonld", "first"})


def test_a_literal_null_is_left_to_pyld(project, monkeypatch):
    first = _cluster("first")
    checked = _sources(
        project,
        {"first": [*_corner_cases(first, "first"), (first, CKG.acronym, Literal("@null"))]},
        REFERENCE,
    )
    _assert_same(checked, monkeypatch, {"first"})


def test_rdf_lists_are_left_to_pyld(project, monkeypatch):
    first = _cluster("first")
    listed = [(first, CKG.acronym, RDF.nil)]
    checked = _sources(project, {"first": _corner_cases(first, "first") + listed}, REFERENCE)
    _assert_same(checked, monkeypatch, {"kg.jsonld", "first"})


def test_one_node_and_no_node(project, monkeypatch):
    lone = [(_cluster("lone"), RDF.type, CKG.Cluster)]
    _assert_same(_sources(project, {"lone": lone}, []), monkeypatch)
    checked = _sources(project, {}, [])
    checked.sources.graphs.clear()  # not even the ontology
    _assert_same(checked, monkeypatch)


# --- The JSON writer --------------------------------------------------------------------------


def _random_json(rng: random.Random, depth: int = 0):
    choice = rng.randrange(10 if depth < 4 else 6)
    if choice == 0:
        return rng.choice([None, True, False, 0, -1, 2**70, 1.5, -0.0, 1e300, float("inf")])
    if choice < 6:
        alphabet = 'ab"\\/\n\t\x00\x1f é€😀\u2028'
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))
    if choice < 8:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {
        str(_random_json(rng, 4)): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))
    }


@pytest.mark.parametrize("seed", range(200))
def test_dumps_writes_what_json_dumps_writes(seed):
    document = _random_json(random.Random(seed))
    assert jsonld.dumps(document) == _reference_dumps(document)


def test_dumps_hands_anything_else_to_json():
    document = {"a": [1, {2: "int key"}], "b": URIRef("https://example.org/x"), "c": (1, 2)}
    assert jsonld.dumps(document) == _reference_dumps(document)
    with pytest.raises(TypeError):
        jsonld.dumps({"a": object()})
