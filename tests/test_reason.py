"""The reason stage: informative OWL RL entailments only, and inconsistencies caught."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import ORG, SKOS

from clusterkg.load import parse_source
from clusterkg.pipeline import reasoned
from clusterkg.project import CKG, REASONERS, Project
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


# --- the fast path: reasonable gives what owlrl gives -------------------------------------


@pytest.fixture(scope="module")
def synthetic_union(tmp_path_factory):
    from clusterkg.load import load
    from clusterkg.synth import synthesize

    out = tmp_path_factory.mktemp("synthetic") / "corpus"
    synthesize(ROOT, out, clusters=3, seed=5, members=15)
    return load(Project(out)).union()


@pytest.mark.parametrize("fast_reasoner", ["reasonable", "oxigraph"])
@pytest.mark.parametrize("graph", ["real", "synthetic"])
def test_fast_reasoners_entail_what_owlrl_entails(graph, fast_reasoner, result, synthetic_union):
    asserted = result.sources.union() if graph == "real" else synthetic_union
    reference, fast = infer(asserted, "owlrl"), infer(asserted, fast_reasoner)
    assert set(fast.inferred) == set(reference.inferred)
    assert len(reference.inferred) > 100
    assert fast.inconsistencies == reference.inconsistencies == []


@pytest.mark.parametrize(
    "extra",
    [
        [(CKG.Project, CKG.Event)],  # a member of two disjoint classes
        [(OWL.Nothing, None)],  # a member of owl:Nothing
    ],
    ids=["disjoint-classes", "nothing"],
)
def test_both_reasoners_find_inconsistencies(extra):
    graph = parse_source(ROOT / "ontology" / "clusterkg.ttl")
    thing = URIRef("https://example.org/inconsistent")
    for first, second in extra:
        graph.add((thing, RDF.type, first))
        if second is not None:
            graph.add((thing, RDF.type, second))
    found = {reasoner: infer(graph, reasoner).inconsistencies for reasoner in REASONERS}
    assert found["owlrl"] and any("inconsistent" in p for p in found["owlrl"])
    assert all(problems == found["owlrl"] for problems in found.values()), found


@pytest.mark.parametrize(
    "axiom",
    [
        # equivalent properties, a symmetric and a transitive one, an inverse-functional key,
        # equivalent classes and sameAs: rules the real ontology does not use
        "ex:near owl:equivalentProperty ex:close . ex:a ex:near ex:b .",
        "ex:twin a owl:SymmetricProperty . ex:a ex:twin ex:b .",
        "ex:within a owl:TransitiveProperty . ex:a ex:within ex:b . ex:b ex:within ex:c .",
        "ex:code a owl:InverseFunctionalProperty . ex:a ex:code ex:k . ex:b ex:code ex:k . "
        "ex:a a ckg:Project .",
        "ex:Firm owl:equivalentClass org:Organization . ex:a a ex:Firm .",
        "ex:a owl:sameAs ex:b . ex:b a ckg:Project . ex:a ex:near ex:c .",
        "ex:c2 rdfs:subClassOf ex:c1 . ex:c1 rdfs:subClassOf ex:c2 . ex:a a ex:c1 .",
        # an entailment about a blank node names the data's own blank node
        "ex:near owl:equivalentProperty ex:close . ex:a ex:near [ ex:near ex:b ] .",
        # entailments that need several rounds, each from what the one before added
        "ex:within a owl:TransitiveProperty . ex:holds owl:inverseOf ex:within . "
        "ex:inside rdfs:subPropertyOf ex:within . ex:within rdfs:domain ckg:Project . "
        "ex:a ex:within ex:b . ex:b ex:within ex:c . ex:c ex:within ex:d . "
        "ex:d ex:inside ex:e . ex:e ex:within ex:f . ex:g ex:holds ex:a .",
    ],
    ids=[
        "eqp",
        "symmetric",
        "transitive",
        "ifp",
        "eqc",
        "sameAs",
        "scm-eqc2",
        "blank-node",
        "rounds",
    ],
)
def test_oxigraph_rules_entail_what_owlrl_entails_beyond_the_real_ontology(axiom):
    graph = parse_source(ROOT / "ontology" / "clusterkg.ttl")
    graph.parse(
        data="@prefix ex: <https://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> ."
        " @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."
        " @prefix org: <http://www.w3.org/ns/org#> ."
        f" @prefix ckg: <{CKG}> . {axiom}",
        format="turtle",
    )
    reference, fast = infer(graph, "owlrl"), infer(graph, "oxigraph")
    assert set(fast.inferred) == set(reference.inferred)
    assert fast.inconsistencies == reference.inconsistencies


@pytest.mark.parametrize("graph", ["real", "synthetic"])
def test_the_oxigraph_reasoners_store_holds_the_data_graph(graph, result, synthetic_union):
    import pyoxigraph as ox

    from clusterkg.oxterms import oxigraph_store, oxigraph_triples

    def default_graph(store: ox.Store) -> set[bytes]:  # as N-Triples lines
        return set(
            store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).split(b"\n")
        )

    asserted = oxigraph_triples(result.sources.union() if graph == "real" else synthetic_union)
    inference = infer(None, "oxigraph", asserted)
    # the data graph as Oxigraph keeps it, without the closure's trivia
    expected = default_graph(oxigraph_store([*asserted, *inference.oxigraph]))
    assert default_graph(inference.store) == expected


def test_oxigraph_rules_refuse_what_they_do_not_cover():
    from clusterkg.errors import UsageError

    graph = parse_source(ROOT / "ontology" / "clusterkg.ttl")
    restriction = BNode()
    graph.add((restriction, RDF.type, OWL.Restriction))
    graph.add((restriction, OWL.someValuesFrom, CKG.Project))
    with pytest.raises(UsageError, match=r"no OWL 2 RL rules for .*Restriction.*someValuesFrom"):
        infer(graph, "oxigraph")


def test_cli_takes_the_reasoner(tmp_path, capsys):
    from clusterkg.cli import main

    assert (
        main(
            [
                "build",
                "--quiet",
                "--reasoner",
                "reasonable",
                "--root",
                str(ROOT),
                "--out",
                str(tmp_path / "fast"),
            ]
        )
        == 0
    )
    assert main(["build", "--quiet", "--root", str(ROOT), "--out", str(tmp_path / "ref")]) == 0
    for name in ("kg.trig", "inferred.ttl", "validation.ttl"):
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes()


def test_loading_and_reasoning_on_the_fast_engines_import_no_reference_engine():
    # Until the build forks, loading and reasoning have one CPU; pySHACL and rdflib's SPARQL
    # engine took a fifth of a second to import there. The oxigraph validator imports pySHACL
    # (for its shapes) later, on CPUs the pages share.
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from clusterkg.pipeline import reasoned\n"
        "from clusterkg.project import Project\n"
        f"project = Project(Path({str(ROOT)!r}), reasoner='oxigraph', validator='oxigraph')\n"
        "assert len(reasoned(project).inference.inferred) > 100\n"
        "print([m for m in sys.modules if m.startswith(('pyshacl', 'rdflib.plugins.sparql'))])\n"
    )
    run = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    assert run.stdout.splitlines()[-1] == "[]"
