"""A read-only graph as nested dicts: built in one pass over triples, read by dict lookups.

The build holds its asserted and inferred triples as lists of terms. An rdflib graph of them
costs three nested-dict indexes, and rdflib's machinery, for every triple (17 s at a million
triples), and the stages that read it (pages, JSON-LD, SHACL's result writer) then walk it
through two generators per question. ``GraphIndex`` keeps the one index they need, and
``IndexStore`` lends it rdflib's ``Graph`` API where a library needs a graph.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import PROV, NamespaceManager
from rdflib.store import Store
from rdflib.term import Node

from .labels import LABEL_PROPERTIES
from .project import CKG

# The predicates pages ask for, as the very objects they ask with: a dict finds a key by
# identity at once, and compares equal terms in Python otherwise.
TYPE = RDF.type
DERIVED_FROM = PROV.wasDerivedFrom
EXCERPT_OF, FIRST_LINE, LAST_LINE = CKG.excerptOf, CKG.firstLine, CKG.lastLine
QUOTATION = CKG.quotation
ASKED = (*LABEL_PROPERTIES, TYPE, DERIVED_FROM, EXCERPT_OF, FIRST_LINE, LAST_LINE, QUOTATION)

Triple = tuple[Node, Node, Node]
_NONE: dict = {}


class GraphIndex:
    """Triples grouped by subject and by IRI object, read through the lookups pages make
    (``triples``, ``objects``, ``predicate_objects``, ``subject_predicates``, ``value``,
    ``in``), in the order an rdflib graph on the ``SimpleMemory`` store fed the same triples
    gives: subjects, then each subject's predicates, then their objects, as first seen.

    A triple given twice is kept once. The triples must not change while the index is read.
    """

    def __init__(
        self, triples: Iterable[Triple], namespace_manager: NamespaceManager | None = None
    ) -> None:
        # subject -> predicate -> objects (a dict as an ordered set), and IRI object ->
        # (subject, predicate) pairs, each as first seen
        outgoing: dict[Node, dict[Node, dict[Node, None]]] = {}
        incoming: dict[Node, list[tuple[Node, Node]]] = {}
        predicates: dict[Node, Node] = {p: p for p in ASKED}
        for s, p, o in triples:
            p = predicates.setdefault(p, p)
            by_predicate = outgoing.get(s)
            if by_predicate is None:
                outgoing[s] = {p: {o: None}}
            else:
                values = by_predicate.get(p)
                if values is None:
                    by_predicate[p] = {o: None}
                elif o in values:
                    continue
                else:
                    values[o] = None
            if isinstance(o, URIRef):
                pairs = incoming.get(o)
                if pairs is None:
                    incoming[o] = [(s, p)]
                else:
                    pairs.append((s, p))
        self.outgoing = outgoing
        self.incoming = incoming
        self.namespace_manager = namespace_manager

    def __iter__(self) -> Iterator[Triple]:
        return (
            (s, p, o)
            for s, by_predicate in self.outgoing.items()
            for p, values in by_predicate.items()
            for o in values
        )

    def __len__(self) -> int:
        return sum(len(values) for by in self.outgoing.values() for values in by.values())

    def iris(self) -> set[URIRef]:
        """Every IRI that is a subject or an object."""
        return {s for s in self.outgoing if isinstance(s, URIRef)} | self.incoming.keys()

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        s, p, o = pattern
        if s is not None:
            by_predicate = self.outgoing.get(s, _NONE)
            for prop in by_predicate if p is None else (p,) if p in by_predicate else ():
                values = by_predicate[prop]
                if o is None:
                    for value in values:
                        yield s, prop, value
                elif o in values:
                    yield s, prop, o
        elif isinstance(o, URIRef):
            for subject, prop in self.incoming.get(o, ()):
                if p is None or prop == p:
                    yield subject, prop, o
        else:  # a literal or blank object, or none: a walk over every triple (pages never ask)
            for subject, by_predicate in self.outgoing.items():
                for prop, values in by_predicate.items():
                    if p is None or prop == p:
                        if o is None:
                            for value in values:
                                yield subject, prop, value
                        elif o in values:
                            yield subject, prop, o

    def __contains__(self, triple: Triple) -> bool:
        s, p, o = triple
        return o in self.outgoing.get(s, _NONE).get(p, _NONE)

    def objects(self, subject: Node, predicate: Node) -> Collection[Node]:
        return self.outgoing.get(subject, _NONE).get(predicate, _NONE).keys()

    def predicate_objects(self, subject: Node) -> list[tuple[Node, Node]]:
        by_predicate = self.outgoing.get(subject, _NONE)
        return [(p, o) for p, values in by_predicate.items() for o in values]

    def subject_predicates(self, obj: Node) -> list[tuple[Node, Node]]:
        if isinstance(obj, URIRef):
            return self.incoming.get(obj, [])
        return [(s, p) for s, p, _ in self.triples((None, None, obj))]

    def value(self, subject: Node, predicate: Node) -> Node | None:
        values = self.outgoing.get(subject, _NONE).get(predicate)
        return next(iter(values)) if values else None


class IndexStore(Store):
    """A read-only rdflib store over a ``GraphIndex``.

    ``Graph(store=IndexStore(index), namespace_manager=...)`` reads like any rdflib graph (the
    order of a pattern with only a predicate or a non-IRI object differs from SimpleMemory's).
    """

    def __init__(self, index: GraphIndex) -> None:
        super().__init__()
        self.index = index

    def triples(self, pattern, context=None):
        for triple in self.index.triples(pattern):
            yield triple, iter(())

    def __len__(self, context=None) -> int:
        return len(self.index)

    def add(self, triple, context, quoted=False):
        raise TypeError("a graph over a GraphIndex is read-only")

    def remove(self, triple, context=None):
        raise TypeError("a graph over a GraphIndex is read-only")


def index_graph(index: GraphIndex) -> Graph:
    """A read-only rdflib graph of ``index``, with the index's prefixes."""
    return Graph(store=IndexStore(index), namespace_manager=index.namespace_manager)
