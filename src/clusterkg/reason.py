"""Reason stage: the OWL 2 RL closure, kept apart from what was asserted.

owlrl is the reference engine; ``reasonable`` and the ``oxigraph`` rules are the fast paths.

owlrl adds a great deal that tells a consumer nothing (every node is an ``owl:Thing`` and
``owl:sameAs`` itself, literals get types, the RDF/OWL vocabulary describes itself); those
triples are dropped so that ``inferred`` holds only entailments worth publishing. The closure's
own inconsistency findings (disjointness clashes, members of ``owl:Nothing``) fail the build.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import owlrl
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .load import new_graph

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
    # ``inferred`` as Oxigraph triples, when the reasoner had them: saves converting it back.
    oxigraph: list | None = None


# rdflib resolves ``RDF.type`` and the like by a method call: looked up once, not per triple.
_TYPE = RDF.type
_HIERARCHY = frozenset((RDFS.subClassOf, RDFS.subPropertyOf))
_WIDENED = frozenset((RDFS.domain, RDFS.range))


def is_informative(triple: tuple) -> bool:
    """Whether an entailed triple tells a consumer something about the data or the model."""
    s, p, o = triple
    if isinstance(s, Literal | BNode) or str.startswith(s, BUILTIN_NAMESPACES):
        return False
    if p in REFLEXIVE and s == o:
        return False
    if p == _TYPE and o in UNINFORMATIVE_TYPES:
        return False
    if p in _HIERARCHY and str.startswith(o, BUILTIN_NAMESPACES):
        return False  # "X rdfs:subClassOf owl:Thing" and the like
    # Widened domains and ranges (scm-dom1, scm-rng1) only restate the class hierarchy.
    return p not in _WIDENED


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


def infer(
    asserted: Graph | None, reasoner: str = "owlrl", asserted_oxigraph: list | None = None
) -> Inference:
    """The informative triples the OWL 2 RL closure of ``asserted`` adds, and inconsistencies.

    ``owlrl`` is the reference. Two fast paths for large graphs are tested to give the same
    triples and inconsistencies on the real data and on synthetic corpora: ``reasonable`` (a
    Rust OWL 2 RL engine) and ``oxigraph`` (the OWL 2 RL rules that ontologies of this kind
    use, as SPARQL updates run by Oxigraph; it refuses a graph that needs any other rule).
    ``asserted_oxigraph``, the same triples as Oxigraph ones, saves that path converting them
    (and then ``asserted`` may be ``None``).
    """
    if asserted is None and (reasoner != "oxigraph" or asserted_oxigraph is None):
        raise ValueError("infer() needs the asserted graph, unless oxigraph gets its triples")
    if reasoner == "reasonable":
        return _infer_reasonable(asserted)
    if reasoner == "oxigraph":
        return _infer_oxigraph(asserted, asserted_oxigraph)
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
    return _in_order(sorted(triples))  # sorted, so that every later stage sees one order


def _in_order(triples) -> Graph:
    inferred = new_graph()
    inferred.addN((s, p, o, inferred) for s, p, o in triples)
    return inferred


def _infer_reasonable(asserted: Graph) -> Inference:
    import reasonable

    engine = reasonable.PyReasoner()
    engine.from_graph(asserted)

    def plain(term):  # reasonable types plain literals as xsd:string; RDF 1.1 says they're equal
        if isinstance(term, Literal) and term.datatype == XSD.string:
            return Literal(str(term))
        return term

    closure = {(plain(s), p, plain(o)) for s, p, o in engine.reason()}  # asserted included
    kept = [t for t in closure if is_informative(t) and t not in asserted]
    return Inference(_sorted(kept), inconsistencies(closure))


def inconsistencies(closure: Iterable[tuple]) -> list[str]:
    """The OWL RL inconsistencies of a closed graph that this ontology's axioms can cause.

    reasonable reports none, so the fast paths look for the ones owlrl finds with this
    ontology, in owlrl's words: members common to disjoint classes (rule cax-dw) and members of
    ``owl:Nothing`` (cls-nothing2), which is a subclass of every class (scm-cls) and so clashes
    with every disjointness axiom. Two values of a functional datatype property are not among
    them; SHACL's maxCount reports those.
    """
    members: dict[Node, set[Node]] = defaultdict(set)
    disjoint = []
    for s, p, o in closure:
        if p == RDF.type:
            members[o].add(s)
        elif p == OWL.disjointWith:
            disjoint.append((s, o))
    nothing = members[OWL.Nothing]
    found = {
        f"Disjoint classes {c1} and {c2} have a common individual {x}"
        for c1, c2 in disjoint
        for x in (members[c1] | nothing) & (members[c2] | nothing)
    }
    found.update(f"{x} is defined of type 'Nothing'" for x in nothing)
    return sorted(found)


# --- The oxigraph path: OWL 2 RL rules as SPARQL updates -------------------------------------

# The rules of the OWL 2 RL profile (W3C OWL 2 Profiles, section 4.3, tables 4-9) whose premises
# use only the vocabulary in SUPPORTED_VOCABULARY, by their names there. Rules whose conclusions
# the build never publishes (scm-cls, scm-op, scm-dp, scm-dom*, scm-rng*, cls-thing...) are left
# out; they cannot lead to a published triple through the rules below.
_RULES = {
    "eq-sym": "INSERT { ?y owl:sameAs ?x } WHERE { ?x owl:sameAs ?y }",
    "eq-trans": "INSERT { ?x owl:sameAs ?z } WHERE { ?x owl:sameAs ?y . ?y owl:sameAs ?z }",
    "eq-rep-s": "INSERT { ?s2 ?p ?o } WHERE { ?s owl:sameAs ?s2 . ?s ?p ?o }",
    "eq-rep-p": "INSERT { ?s ?p2 ?o } WHERE { ?p owl:sameAs ?p2 . ?s ?p ?o }",
    "eq-rep-o": "INSERT { ?s ?p ?o2 } WHERE { ?o owl:sameAs ?o2 . ?s ?p ?o }",
    "prp-dom": "INSERT { ?x a ?c } WHERE { ?p rdfs:domain ?c . ?x ?p ?y }",
    "prp-rng": "INSERT { ?y a ?c } WHERE { ?p rdfs:range ?c . ?x ?p ?y FILTER(!isLiteral(?y)) }",
    "prp-fp": "INSERT { ?y1 owl:sameAs ?y2 } WHERE { ?p a owl:FunctionalProperty . "
    "?x ?p ?y1, ?y2 FILTER(?y1 != ?y2 && !isLiteral(?y1)) }",
    "prp-ifp": "INSERT { ?x1 owl:sameAs ?x2 } WHERE { ?p a owl:InverseFunctionalProperty . "
    "?x1 ?p ?y . ?x2 ?p ?y FILTER(?x1 != ?x2) }",
    "prp-symp": "INSERT { ?y ?p ?x } WHERE { ?p a owl:SymmetricProperty . ?x ?p ?y "
    "FILTER(!isLiteral(?y)) }",
    "prp-trp": "INSERT { ?x ?p ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z }",
    "prp-spo1": "INSERT { ?x ?p2 ?y } WHERE { ?p1 rdfs:subPropertyOf ?p2 . ?x ?p1 ?y }",
    "prp-eqp1": "INSERT { ?x ?p2 ?y } WHERE { ?p1 owl:equivalentProperty ?p2 . ?x ?p1 ?y }",
    "prp-eqp2": "INSERT { ?x ?p1 ?y } WHERE { ?p1 owl:equivalentProperty ?p2 . ?x ?p2 ?y }",
    "prp-inv1": "INSERT { ?y ?p2 ?x } WHERE { ?p1 owl:inverseOf ?p2 . ?x ?p1 ?y "
    "FILTER(!isLiteral(?y)) }",
    "prp-inv2": "INSERT { ?y ?p1 ?x } WHERE { ?p1 owl:inverseOf ?p2 . ?x ?p2 ?y "
    "FILTER(!isLiteral(?y)) }",
    # scm-cls, only the part that matters here: owl:Nothing is a subclass of every class, so a
    # member of it is a member of every class, and clashes with every disjointness axiom.
    "scm-cls": "INSERT { owl:Nothing rdfs:subClassOf ?c } WHERE { ?c a owl:Class }",
    "cax-sco": "INSERT { ?x a ?c2 } WHERE { ?c1 rdfs:subClassOf ?c2 . ?x a ?c1 }",
    "cax-eqc1": "INSERT { ?x a ?c2 } WHERE { ?c1 owl:equivalentClass ?c2 . ?x a ?c1 }",
    "cax-eqc2": "INSERT { ?x a ?c1 } WHERE { ?c1 owl:equivalentClass ?c2 . ?x a ?c2 }",
    "scm-sco": "INSERT { ?c1 rdfs:subClassOf ?c3 } WHERE { "
    "?c1 rdfs:subClassOf ?c2 . ?c2 rdfs:subClassOf ?c3 }",
    "scm-eqc1": "INSERT { ?c1 rdfs:subClassOf ?c2 . ?c2 rdfs:subClassOf ?c1 } WHERE { "
    "?c1 owl:equivalentClass ?c2 }",
    "scm-eqc2": "INSERT { ?c1 owl:equivalentClass ?c2 } WHERE { "
    "?c1 rdfs:subClassOf ?c2 . ?c2 rdfs:subClassOf ?c1 }",
    "scm-spo": "INSERT { ?p1 rdfs:subPropertyOf ?p3 } WHERE { "
    "?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:subPropertyOf ?p3 }",
    "scm-eqp1": "INSERT { ?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:subPropertyOf ?p1 } WHERE { "
    "?p1 owl:equivalentProperty ?p2 }",
    "scm-eqp2": "INSERT { ?p1 owl:equivalentProperty ?p2 } WHERE { "
    "?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:subPropertyOf ?p1 }",
}
# OWL and RDFS terms the rules above cover, used as predicates or as classes of rdf:type.
# Anything else from the OWL namespace (restrictions, unions, property chains, keys...) would
# need rules this path does not have, so it refuses the graph rather than under-infer.
SUPPORTED_VOCABULARY = {
    *(
        OWL[name]
        for name in (
            "sameAs",
            "FunctionalProperty",
            "InverseFunctionalProperty",
            "SymmetricProperty",
            "TransitiveProperty",
            "equivalentProperty",
            "inverseOf",
            "equivalentClass",
            "disjointWith",
            "Nothing",
            "Thing",
            "Class",
            "ObjectProperty",
            "DatatypeProperty",
            "AnnotationProperty",
            "Ontology",
            "NamedIndividual",
            "versionInfo",
            "versionIRI",
            "priorVersion",
            "imports",
            "deprecated",
            "backwardCompatibleWith",
            "incompatibleWith",
        )
    ),
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    RDFS.Datatype,
    RDFS.Class,
}


def _infer_oxigraph(asserted: Graph | None, triples: list | None = None) -> Inference:
    """The oxigraph path; ``triples`` are ``asserted`` as Oxigraph triples, if at hand."""
    import pyoxigraph as ox

    from .errors import UsageError
    from .oxterms import from_oxigraph, oxigraph_store, oxigraph_triples

    nt = ox.RdfFormat.N_TRIPLES
    store = oxigraph_store(oxigraph_triples(asserted) if triples is None else triples)
    # What the store holds before the rules, as it writes it: a line not among these is new.
    before = set(store.dump(format=nt, from_graph=ox.DefaultGraph()).splitlines())
    prefixes = {"owl": str(OWL), "rdfs": str(RDFS), "rdf": str(RDF)}

    used = store.query(
        "SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } "
        "FILTER(STRSTARTS(STR(?term), STR(owl:))) }",
        prefixes=prefixes,
    )
    unsupported = sorted(
        term.value for (term,) in used if URIRef(term.value) not in SUPPORTED_VOCABULARY
    )
    if unsupported:
        raise UsageError(
            f"--reasoner oxigraph has no OWL 2 RL rules for {', '.join(unsupported)}: "
            "use --reasoner owlrl or reasonable"
        )
    size = -1
    while size != len(store):  # to the fixpoint: a round that adds nothing
        size = len(store)
        for rule in _RULES.values():
            store.update(rule, prefixes=prefixes)

    term = from_oxigraph
    after = store.dump(format=nt, from_graph=ox.DefaultGraph()).splitlines()
    # In N-Triples line order (sorted in C): a fixed order, as ``_sorted`` gives the others.
    new_lines = b"\n".join(sorted(line for line in after if line not in before))
    parsed = list(ox.parse(new_lines, format=nt))
    added = [(term(t.subject), term(t.predicate), term(t.object)) for t in parsed]
    # What the inconsistency check needs: the disjointness axioms and the members of the
    # classes they name, or of owl:Nothing (a subclass of every class, see scm-cls).
    typing = [
        (term(s), term(p), term(o))
        for s, p, o in store.query(
            "SELECT ?s ?p ?o WHERE { { ?s owl:disjointWith ?o BIND(owl:disjointWith AS ?p) } "
            "UNION { { SELECT DISTINCT ?o WHERE { { ?o owl:disjointWith ?c } "
            "UNION { ?c owl:disjointWith ?o } UNION { VALUES ?o { owl:Nothing } } } } "
            "?s a ?o BIND(rdf:type AS ?p) } }",
            prefixes=prefixes,
        )
    ]
    kept = [(t, o) for t, o in zip(added, parsed, strict=True) if is_informative(t)]
    # rdflib normalises some literals ("01"^^xsd:integer is 1): then the rdflib terms decide.
    same = all(str(t[2]) == o.object.value for t, o in kept if isinstance(t[2], Literal))
    return Inference(
        _in_order(t for t, _ in kept),
        inconsistencies(typing),
        [o for _, o in kept] if same else None,
    )
