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


def infer(asserted: Graph) -> Inference:
    """Run the OWL 2 RL closure over ``asserted`` and return the informative new triples."""
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
    inferred = Graph()
    for triple in sorted(kept):  # sorted, so that every later stage sees one order
        inferred.add(triple)
    return Inference(inferred, errors)
