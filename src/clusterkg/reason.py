"""Reason stage: the OWL 2 RL closure (owlrl), kept apart from what was asserted.

owlrl adds a great deal that tells a consumer nothing (every node is an ``owl:Thing`` and
``owl:sameAs`` itself, literals get types, the RDF/OWL vocabulary describes itself); those
triples are dropped so that ``inferred`` holds only entailments worth publishing. The closure's
own inconsistency findings (disjointness clashes, members of ``owl:Nothing``) fail the build.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import owlrl
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

# Namespaces whose terms describe RDF itself; what the closure says about them is axiomatic.
BUILTIN_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
UNINFORMATIVE_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, RDF.Property, OWL.Class}
REFLEXIVE = {
    OWL.sameAs,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
}
# owlrl reports inconsistencies as nodes of this type with an ``error`` message.
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
OWLRL_ERROR_TEXT = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")


@dataclass
class Inference:
    """What the OWL RL closure adds, and what it found inconsistent."""

    inferred: Graph
    inconsistencies: list[str] = field(default_factory=list)


def is_informative(triple: tuple) -> bool:
    """Whether an entailed triple tells a consumer something about the data or the model."""
    s, p, o = triple
    if isinstance(s, Literal | BNode) or str(s).startswith(BUILTIN_NAMESPACES):
        return False
    if p in REFLEXIVE and s == o:
        return False
    if p == RDF.type and o in UNINFORMATIVE_TYPES:
        return False
    if p in (RDFS.subClassOf, RDFS.subPropertyOf) and str(o).startswith(BUILTIN_NAMESPACES):
        return False  # "X rdfs:subClassOf owl:Thing" and the like
    # Widened domains and ranges (scm-dom1, scm-rng1) only restate the class hierarchy.
    return p not in (RDFS.domain, RDFS.range)


class _OWLRLClosure(owlrl.OWLRL_Semantics):
    """owlrl's OWL 2 RL closure without rule eq-ref.

    eq-ref makes every resource ``owl:sameAs`` itself: true, never published (see
    ``is_informative``), and expensive, because on every later cycle each such triple sends the
    eq-rep-* rules copying all of the resource's triples onto itself. Dropping it leaves every
    other entailment as it was (a reflexive sameAs can only reproduce existing triples) and
    halves the time of the closure on the real data.
    """

    def store_triple(self, t) -> None:
        if t[1] == OWL.sameAs and t[0] == t[2]:
            return
        super().store_triple(t)


REASONERS = ("owlrl", "reasonable")


def infer(asserted: Graph, reasoner: str = "owlrl") -> Inference:
    """The informative triples the OWL 2 RL closure of ``asserted`` adds, and inconsistencies.

    ``owlrl`` is the reference; ``reasonable`` (a Rust OWL 2 RL engine) is the fast path for
    large graphs, tested to give the same triples on synthetic corpora.
    """
    if reasoner == "reasonable":
        return _infer_reasonable(asserted)
    closure = Graph()
    closure += asserted
    owlrl.DeductiveClosure(_OWLRLClosure, axiomatic_triples=False, datatype_axioms=False).expand(
        closure
    )
    # owlrl's own checks cover disjointness, owl:Nothing members, functional properties...
    errors = sorted(str(m) for m in closure.objects(None, OWLRL_ERROR_TEXT))
    error_nodes = set(closure.subjects(RDF.type, OWLRL_ERROR))
    kept = [
        t for t in closure if t[0] not in error_nodes and is_informative(t) and t not in asserted
    ]
    return Inference(_sorted(kept), errors)


def _sorted(triples) -> Graph:
    inferred = Graph()
    for triple in sorted(triples):  # sorted, so that every later stage sees one order
        inferred.add(triple)
    return inferred


def _infer_reasonable(asserted: Graph) -> Inference:
    import reasonable

    engine = reasonable.PyReasoner()
    engine.from_graph(asserted)

    def plain(term):  # reasonable types plain literals as xsd:string; RDF 1.1 says they're equal
        if isinstance(term, Literal) and term.datatype == XSD.string:
            return Literal(str(term))
        return term

    closure = {(plain(s), p, plain(o)) for s, p, o in engine.reason()}
    kept = [t for t in closure if is_informative(t) and t not in asserted]
    inferred = _sorted(kept)
    union = Graph()
    union += asserted
    union += inferred
    return Inference(inferred, inconsistencies(union))


# reasonable reports no inconsistencies, so the fast path checks the ones owlrl finds with this
# ontology: disjoint classes (cax-dw) and members of owl:Nothing (cls-nothing2). (Two values of a
# functional datatype property are not one of them; SHACL's maxCount reports those.)
_INCONSISTENCY_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?message WHERE {
  {
    ?c1 owl:disjointWith ?c2 . ?x a ?c1, ?c2 .
    BIND(CONCAT("Disjoint classes <", STR(?c1), "> and <", STR(?c2), "> have a common member <",
                STR(?x), ">") AS ?message)
  } UNION {
    ?x a owl:Nothing .
    BIND(CONCAT(STR(?x), " is defined of type 'Nothing'") AS ?message)
  }
}
"""


def inconsistencies(graph: Graph) -> list[str]:
    """The OWL RL inconsistencies of ``graph`` that the ontology's axioms can cause."""
    return sorted({str(row[0]) for row in graph.query(_INCONSISTENCY_QUERY)})
