"""Human-readable names for graph nodes, shared by reports, tables and pages."""

from __future__ import annotations

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label)


def label(graph: Graph, node: Node, lang: str = "en") -> str:
    """The best label of ``node`` in ``lang``, else any label, else a compact IRI."""
    if isinstance(node, Literal):
        return str(node)
    fallback = None
    for prop in LABEL_PROPERTIES:
        for value in sorted(graph.objects(node, prop)):
            if isinstance(value, Literal):
                if value.language == lang:
                    return str(value)
                fallback = fallback or str(value)
    return fallback or compact(graph, node)


def compact(graph: Graph, node: Node) -> str:
    """``prefix:local`` where a prefix is bound, else ``<iri>``."""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # rdflib refuses some IRIs as QNames; fall back to the IRI
            return f"<{node}>"
    return node.n3() if hasattr(node, "n3") else str(node)
