"""Human-readable names for graph nodes, shared by reports, tables and pages.

``label`` and ``compact`` look a node up in the graph each time. Code that names the same nodes
over and over (the pages of every resource link the same properties, classes and neighbours)
uses ``label_index(graph)`` instead: the same answers, each looked up once per graph.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label)

T = TypeVar("T")


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


# ----------------------------------------------------------------------------- per-graph memo

# id(graph) -> (weak reference to the graph, its size when the entry was made, {kind: value}).
# Keyed by identity, not by equality: rdflib graphs compare equal when their identifiers do.
_PER_GRAPH: dict[int, tuple[weakref.ref, dict[str, object]]] = {}


def per_graph(graph: Graph, kind: str, make: Callable[[Graph], T]) -> T:
    """The ``kind`` memo of ``graph``, made by ``make(graph)`` on first use.

    It lives as long as the graph (never keeps it alive, so ``make`` must not hold the graph
    strongly). A memo is for a graph that is read, not modified, while it is used: the
    pipeline's graphs are built once, and the server's never change.
    """
    key = id(graph)
    entry = _PER_GRAPH.get(key)
    if entry is None or entry[0]() is not graph:

        def forget(ref: weakref.ref, key: int = key) -> None:
            current = _PER_GRAPH.get(key)
            if current is not None and current[0] is ref:
                del _PER_GRAPH[key]

        entry = (weakref.ref(graph, forget), {})
        _PER_GRAPH[key] = entry
    memos = entry[1]
    memo = memos.get(kind)
    if memo is None:
        memo = memos[kind] = make(graph)
    return memo  # type: ignore[return-value]


class LabelIndex:
    """``label``, ``compact`` and the labels in one language of a graph's nodes, memoised."""

    def __init__(self, graph: Graph) -> None:
        self._graph = weakref.ref(graph)
        self._literals: dict[Node, tuple[tuple[Literal, ...], ...]] = {}
        self._labels: dict[tuple[Node, str], str] = {}
        self._compact: dict[Node, str] = {}

    def literals(self, node: Node) -> tuple[tuple[Literal, ...], ...]:
        """The literal values of each of ``LABEL_PROPERTIES``, in ``sorted`` term order."""
        found = self._literals.get(node)
        if found is None:
            graph = self._graph()
            assert graph is not None
            found = tuple(
                tuple(v for v in sorted(graph.objects(node, prop)) if isinstance(v, Literal))
                for prop in LABEL_PROPERTIES
            )
            self._literals[node] = found
        return found

    def label(self, node: Node, lang: str = "en") -> str:
        """``label(graph, node, lang)``."""
        if isinstance(node, Literal):
            return str(node)
        key = (node, lang)
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = self._label(node, lang)
        return found

    def _label(self, node: Node, lang: str) -> str:
        fallback = None
        for values in self.literals(node):
            for value in values:
                if value.language == lang:
                    return str(value)
                fallback = fallback or str(value)
        return fallback or self.compact(node)

    def compact(self, node: Node) -> str:
        """``compact(graph, node)``."""
        found = self._compact.get(node)
        if found is None:
            graph = self._graph()
            assert graph is not None
            found = self._compact[node] = compact(graph, node)
        return found

    def labels_in(self, node: Node, lang: str) -> list[str]:
        """Every label of the first of ``LABEL_PROPERTIES`` ``node`` has in ``lang``, sorted."""
        for values in self.literals(node):
            found = sorted(str(v) for v in values if v.language == lang)
            if found:
                return found
        return []


def label_index(graph: Graph) -> LabelIndex:
    """The memoised labels of ``graph`` (shared by every caller while the graph lives)."""
    return per_graph(graph, "labels", LabelIndex)
