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
    # An Oxigraph store whose default graph is the data graph (the asserted triples and
    # ``inferred``), when the reasoner had one: the quality checks run on it, then the oxigraph
    # SHACL engine.
    store: object | None = field(default=None, compare=False, repr=False)


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
# use only the vocabulary in SUPPORTED_VOCABULARY, by their names there, as (conclusion,
# premises, condition): where every premise matches and the condition holds, the conclusion is
# entailed. Rules whose conclusions the build never publishes (scm-cls, scm-op, scm-dp, scm-dom*,
# scm-rng*, cls-thing...) are left out; they cannot lead to a published triple through these.
_RULES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "eq-sym": ("?y owl:sameAs ?x", ("?x owl:sameAs ?y",), ""),
    "eq-trans": ("?x owl:sameAs ?z", ("?x owl:sameAs ?y", "?y owl:sameAs ?z"), ""),
    "eq-rep-s": ("?s2 ?p ?o", ("?s owl:sameAs ?s2", "?s ?p ?o"), ""),
    "eq-rep-p": ("?s ?p2 ?o", ("?p owl:sameAs ?p2", "?s ?p ?o"), ""),
    "eq-rep-o": ("?s ?p ?o2", ("?o owl:sameAs ?o2", "?s ?p ?o"), ""),
    "prp-dom": ("?x a ?c", ("?p rdfs:domain ?c", "?x ?p ?y"), ""),
    "prp-rng": ("?y a ?c", ("?p rdfs:range ?c", "?x ?p ?y"), "!isLiteral(?y)"),
    "prp-fp": (
        "?y1 owl:sameAs ?y2",
        ("?p a owl:FunctionalProperty", "?x ?p ?y1", "?x ?p ?y2"),
        "?y1 != ?y2 && !isLiteral(?y1)",
    ),
    "prp-ifp": (
        "?x1 owl:sameAs ?x2",
        ("?p a owl:InverseFunctionalProperty", "?x1 ?p ?y", "?x2 ?p ?y"),
        "?x1 != ?x2",
    ),
    "prp-symp": ("?y ?p ?x", ("?p a owl:SymmetricProperty", "?x ?p ?y"), "!isLiteral(?y)"),
    "prp-trp": ("?x ?p ?z", ("?p a owl:TransitiveProperty", "?x ?p ?y", "?y ?p ?z"), ""),
    "prp-spo1": ("?x ?p2 ?y", ("?p1 rdfs:subPropertyOf ?p2", "?x ?p1 ?y"), ""),
    "prp-eqp1": ("?x ?p2 ?y", ("?p1 owl:equivalentProperty ?p2", "?x ?p1 ?y"), ""),
    "prp-eqp2": ("?x ?p1 ?y", ("?p1 owl:equivalentProperty ?p2", "?x ?p2 ?y"), ""),
    "prp-inv1": ("?y ?p2 ?x", ("?p1 owl:inverseOf ?p2", "?x ?p1 ?y"), "!isLiteral(?y)"),
    "prp-inv2": ("?y ?p1 ?x", ("?p1 owl:inverseOf ?p2", "?x ?p2 ?y"), "!isLiteral(?y)"),
    # scm-cls, only the part that matters here: owl:Nothing is a subclass of every class, so a
    # member of it is a member of every class, and clashes with every disjointness axiom.
    "scm-cls": ("owl:Nothing rdfs:subClassOf ?c", ("?c a owl:Class",), ""),
    "cax-sco": ("?x a ?c2", ("?c1 rdfs:subClassOf ?c2", "?x a ?c1"), ""),
    "cax-eqc1": ("?x a ?c2", ("?c1 owl:equivalentClass ?c2", "?x a ?c1"), ""),
    "cax-eqc2": ("?x a ?c1", ("?c1 owl:equivalentClass ?c2", "?x a ?c2"), ""),
    "scm-sco": (
        "?c1 rdfs:subClassOf ?c3",
        ("?c1 rdfs:subClassOf ?c2", "?c2 rdfs:subClassOf ?c3"),
        "",
    ),
    "scm-eqc1": (
        "?c1 rdfs:subClassOf ?c2 . ?c2 rdfs:subClassOf ?c1",
        ("?c1 owl:equivalentClass ?c2",),
        "",
    ),
    "scm-eqc2": (
        "?c1 owl:equivalentClass ?c2",
        ("?c1 rdfs:subClassOf ?c2", "?c2 rdfs:subClassOf ?c1"),
        "",
    ),
    "scm-spo": (
        "?p1 rdfs:subPropertyOf ?p3",
        ("?p1 rdfs:subPropertyOf ?p2", "?p2 rdfs:subPropertyOf ?p3"),
        "",
    ),
    "scm-eqp1": (
        "?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:subPropertyOf ?p1",
        ("?p1 owl:equivalentProperty ?p2",),
        "",
    ),
    "scm-eqp2": (
        "?p1 owl:equivalentProperty ?p2",
        ("?p1 rdfs:subPropertyOf ?p2", "?p2 rdfs:subPropertyOf ?p1"),
        "",
    ),
}
_ROUND = "urn:clusterkg:reasoning:round:"  # the graph of what each round adds


def _rule_updates(rule: tuple[str, tuple[str, ...], str], new: str, last: str | None) -> list[str]:
    """SPARQL updates adding what ``rule`` entails and the store lacks, to the default graph and
    to graph ``new``, one conclusion triple at a time. From every match when ``last`` is None;
    else from the matches that use a triple of graph ``last``, what the previous round added
    (semi-naive evaluation: a match of older triples was found in an earlier round), one update
    for each premise that may be it.
    """
    conclusions, premises, condition = rule
    wheres = (
        [premises]
        if last is None
        else [
            [f"GRAPH <{last}> {{ {p} }}" if j == i else p for j, p in enumerate(premises)]
            for i in range(len(premises))
        ]
    )
    kept = f" FILTER({condition})" if condition else ""
    return [
        f"INSERT {{ {triple} . GRAPH <{new}> {{ {triple} }} }} "
        f"WHERE {{ {' . '.join(where)}{kept} FILTER NOT EXISTS {{ {triple} }} }}"
        for triple in conclusions.split(" . ")
        for where in wheres
    ]


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
    rounds: list[ox.NamedNode] = []
    while True:  # to the fixpoint: a round that adds nothing
        new = ox.NamedNode(f"{_ROUND}{len(rounds)}")
        last = rounds[-1].value if rounds else None
        for rule in _RULES.values():
            for update in _rule_updates(rule, new.value, last):
                store.update(update, prefixes=prefixes)
        rounds.append(new)
        if next(store.quads_for_pattern(None, None, None, new), None) is None:
            break

    term = from_oxigraph
    # Each round's graph holds only triples the store lacked before: together, what is new.
    # In N-Triples line order (sorted in C): a fixed order, as ``_sorted`` gives the others.
    added_lines = b"".join(store.dump(format=nt, from_graph=graph) for graph in rounds)
    for graph in rounds:
        store.remove_graph(graph)
    new_lines = b"\n".join(sorted(added_lines.splitlines()))
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
    kept, dropped = [], []
    for t, o in zip(added, parsed, strict=True):
        (kept if is_informative(t) else dropped).append((t, o))
    # rdflib normalises some literals ("01"^^xsd:integer is 1): then the rdflib terms decide.
    same = all(str(t[2]) == o.object.value for t, o in kept if isinstance(t[2], Literal))
    for _, o in dropped:  # what remains is the data graph
        store.remove(ox.Quad(o.subject, o.predicate, o.object))
    return Inference(
        _in_order(t for t, _ in kept),
        inconsistencies(typing),
        [o for _, o in kept] if same else None,
        store if same else None,
    )
