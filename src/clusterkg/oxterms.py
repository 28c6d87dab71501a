"""Terms between rdflib and pyoxigraph: the pipeline models graphs in rdflib, and hands parsing,
sorting and writing to Oxigraph, which does them one to two orders of magnitude faster.

RDF 1.1 makes a plain literal and an ``xsd:string`` one the same term; Oxigraph always gives the
datatype, rdflib leaves it off when parsing, so plain strings map to rdflib literals without one.
Conversions are memoised (bounded): a graph repeats its terms many times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_CACHED_TERMS = 1 << 18


@lru_cache(maxsize=_CACHED_TERMS)
def to_oxigraph(term: Node):
    """The Oxigraph term for an rdflib one."""
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, BNode):
        return ox.BlankNode(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


@lru_cache(maxsize=_CACHED_TERMS)
def from_oxigraph(term) -> Node:
    """The rdflib term for an Oxigraph one (RDF 1.2 triple terms are not supported)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))
    raise TypeError(f"unsupported RDF term: {term}")


def oxigraph_triples(triples: Iterable[tuple[Node, Node, Node]]) -> list:
    """rdflib ``(s, p, o)`` tuples as Oxigraph triples."""
    term = to_oxigraph
    return [ox.Triple(term(s), term(p), term(o)) for s, p, o in triples]


# One line of N-Triples as Oxigraph writes it: subject, predicate and object separated by one
# space (IRIs and blank-node labels hold none), then " .". A literal never spans lines.
_NTRIPLES_LINE = re.compile(rb"^(\S+) (\S+) (.+) \.$", re.MULTILINE)


def ntriples_rows(lines: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """The (subject, predicate, object) of every line of N-Triples written by Oxigraph, as text.

    N-Triples as Oxigraph writes it is canonical: one term, one text. Counting and comparing
    the text of a million triples in C is an order of magnitude quicker than building a term
    object for each.
    """
    return _NTRIPLES_LINE.findall(lines)


def ntriples_term(text: bytes) -> Node:
    """The rdflib term for an IRI or blank node as N-Triples writes it."""
    if text.startswith(b"_:"):
        return BNode(text[2:].decode("utf-8"))
    return URIRef(text[1:-1].decode("utf-8"))


def oxigraph_store(triples: list) -> ox.Store:
    """An in-memory Oxigraph store holding Oxigraph ``triples`` as its default graph."""
    store = ox.Store()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if b"_:" in data:  # perhaps a blank node: loading would relabel it, adding keeps its label
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    else:  # much faster than adding Oxigraph triples one by one from Python
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
    return store
