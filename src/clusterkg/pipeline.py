"""The pipeline composed: load -> reason -> validate (-> export), as the CLI and server use it."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.store import Store

from .errors import CheckFailed
from .load import LoadedSources, load, new_graph, parse_source
from .oxterms import oxigraph_store, oxigraph_triples
from .project import Project, bind_prefixes
from .query import CatalogQuery, load_catalog
from .reason import Inference, infer
from .validate import Validation, validate


@dataclass(frozen=True)
class CheckFailure:
    """A quality-check query (``queries/checks/*-violation.rq``) that returned rows."""

    check: str
    summary: str
    rows: list[list[str]]


@dataclass
class Checked:
    """Everything ``build`` needs: the sources, what was inferred and how validation went."""

    project: Project
    sources: LoadedSources
    inference: Inference
    validation: Validation | None = None
    check_failures: list[CheckFailure] = field(default_factory=list)
    _data: Graph | None = field(default=None, init=False, repr=False)
    _data_oxigraph: list | None = field(default=None, init=False, repr=False)
    _asserted: Graph | None = field(default=None, init=False, repr=False)

    @property
    def ok(self) -> bool:
        return (
            not self.inference.inconsistencies
            and not self.check_failures
            and (self.validation is None or self.validation.conforms)
        )

    def data_graph(self) -> Graph:
        """Asserted and inferred triples in one graph: built once and shared, never modify it."""
        if self._data is None:
            graph = new_graph()
            for part in (self.sources.rdflib_triples(), self.inference.inferred):
                graph.addN((s, p, o, graph) for s, p, o in part)
            self._data = bind_prefixes(graph, self.project.base)
        return self._data

    def asserted_graph(self) -> Graph:
        """The asserted triples as a graph: ``sources.union()`` if it was built, else a view of
        :meth:`data_graph` without the inferred triples, which saves a copy of every triple."""
        if self.sources.has_union():
            return self.sources.union()
        if self._asserted is None:
            self._asserted = Graph(store=_Without(self.data_graph(), self.inference.inferred))
        return self._asserted

    def data_oxigraph(self) -> list:
        """The triples of :meth:`data_graph` as Oxigraph triples, the asserted ones as parsed."""
        if self._data_oxigraph is None:
            inferred = self.inference.oxigraph or oxigraph_triples(self.inference.inferred)
            self._data_oxigraph = self.sources.oxigraph_triples() + inferred
        return self._data_oxigraph

    def dataset(self) -> Dataset:
        """The release's named graphs: the asserted ones plus ``graph/inferred``.

        Its default graph is the union, so SPARQL sees every triple and ``GRAPH ?g`` tells
        where each one comes from.
        """
        dataset = Dataset(default_union=True)
        for graph in self.sources.named_graphs():
            dataset.graph(graph.identifier).__iadd__(graph)
        dataset.graph(self.project.graph_iri("inferred")).__iadd__(self.inference.inferred)
        return bind_prefixes(dataset, self.project.base)


class _Without(Store):
    """A read-only rdflib store: the triples of ``graph`` that are not in ``left_out``.

    (rdflib's own ``Graph - Graph`` copies every triple that remains.)
    """

    def __init__(self, graph: Graph, left_out: Graph) -> None:
        super().__init__()
        self.graph, self.left_out = graph, set(left_out)  # (a set answers faster than a Graph)

    def triples(self, pattern, context=None):
        left_out = self.left_out
        for triple, _ in self.graph.store.triples(pattern, None):
            if triple not in left_out:
                yield triple, iter(())

    def __len__(self, context=None) -> int:
        return sum(1 for _ in self.triples((None, None, None)))

    def bind(self, prefix: str, namespace, override: bool = True) -> None:
        pass  # read-only: the prefixes are the data graph's

    def namespace(self, prefix: str):
        return self.graph.store.namespace(prefix)

    def prefix(self, namespace):
        return self.graph.store.prefix(namespace)

    def namespaces(self):
        return self.graph.namespaces()


Step = Callable[[str], None]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a stage makes its documents (forked workers inherit
    it).

    They allocate millions of small acyclic objects, and each of the collector's full passes
    walks every live object of the process, every graph of the build included: paused, the
    JSON-LD documents take 1.2 s instead of 2 s at 100,000 triples on their own.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _quiet(_: str) -> None:
    pass


def reasoned(project: Project, step: Step = _quiet) -> Checked:
    """Load and reason, without validating: enough to answer queries."""
    step("Loading sources")
    sources = load(project)
    step("Reasoning (OWL 2 RL)")
    # The oxigraph reasoner starts from the parsed triples: no rdflib union for it to build.
    asserted = None if project.reasoner == "oxigraph" else sources.union()
    inference = infer(asserted, project.reasoner, sources.oxigraph_triples())
    return Checked(project, sources, inference)


def check(project: Project, step: Step = _quiet) -> Checked:
    """Load, reason, validate with SHACL and run the quality checks."""
    checked = reasoned(project, step)
    data = checked.data_graph()
    step("Validating (SHACL)")
    shapes = parse_source(project.shapes_file)
    triples = checked.data_oxigraph()
    lines = (
        ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        if project.validator == "pyrudof"
        else None
    )
    checked.validation = validate(data, shapes, project.validator, lines, triples)
    if project.checks_dir.is_dir():
        step("Running quality checks")
        checks = load_catalog(project.checks_dir)
        checked.check_failures = run_checks(data, checks, project, checked.data_oxigraph())
    return checked


def run_checks(
    data: Graph, checks: dict[str, CatalogQuery], project: Project, triples: list | None = None
) -> list[CheckFailure]:
    """Run each quality check on ``data``; any row it returns is a failure.

    The checks run in Oxigraph, which answers them in milliseconds where rdflib's SPARQL
    engine takes seconds on a large graph. ``triples``, ``data`` as Oxigraph triples if at
    hand, saves converting it.
    """
    from .store import query_store

    store = oxigraph_store(oxigraph_triples(data) if triples is None else triples)
    failures = []
    for name, query in checks.items():
        rows = [
            [("" if t is None else t.n3(data.namespace_manager)) for t in row]
            for row in query_store(store, query, {}, project)
        ]
        if rows:
            failures.append(CheckFailure(name, query.summary, rows))
    return failures


def require_ok(checked: Checked) -> None:
    """Raise ``CheckFailed`` (exit 1) with a one-line reason if the graph may not be released."""
    problems = []
    if checked.inference.inconsistencies:
        problems.append(f"{len(checked.inference.inconsistencies)} OWL inconsistencies")
    if checked.validation and not checked.validation.conforms:
        problems.append(f"{len(checked.validation.violations)} SHACL violations")
    if checked.check_failures:
        problems.append(f"{len(checked.check_failures)} failed quality checks")
    if problems:
        raise CheckFailed("the data does not conform: " + ", ".join(problems))
