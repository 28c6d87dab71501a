"""The pipeline composed: load -> reason -> validate (-> export), as the CLI and server use it."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.namespace import NamespaceManager

from .errors import CheckFailed
from .graphindex import GraphIndex, index_graph
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
class Loaded:
    """The sources of a project as loaded, before reasoning."""

    project: Project
    sources: LoadedSources
    _indexes: dict[str, GraphIndex] = field(default_factory=dict, init=False, repr=False)
    _graphs: dict[str, Graph] = field(default_factory=dict, init=False, repr=False)

    def prefixes(self) -> NamespaceManager:
        """The project's prefixes, as the release's files use them."""
        return bind_prefixes(new_graph(), self.project.base).namespace_manager

    def asserted_index(self) -> GraphIndex:
        """The asserted triples, indexed once and shared, in the order of
        ``sources.rdflib_triples()`` (a triple two sources assert is there once)."""
        if "asserted" not in self._indexes:
            self._indexes["asserted"] = GraphIndex(self.sources.rdflib_triples(), self.prefixes())
        return self._indexes["asserted"]

    def asserted_graph(self) -> Graph:
        """The asserted triples as a read-only graph: ``sources.union()`` if it was built, else
        :meth:`asserted_index` (the same triples in the same order)."""
        if self.sources.has_union():
            return self.sources.union()
        if "asserted" not in self._graphs:
            self._graphs["asserted"] = index_graph(self.asserted_index())
        return self._graphs["asserted"]

    def asserted_triples(self) -> list[tuple]:
        """The triples of :meth:`asserted_graph`, in its order."""
        return list(self.asserted_index())


@dataclass
class Checked(Loaded):
    """Everything ``build`` needs: the sources, what was inferred and how validation went."""

    inference: Inference
    validation: Validation | None = None
    check_failures: list[CheckFailure] = field(default_factory=list)
    _data_oxigraph: list | None = field(default=None, init=False, repr=False)

    @property
    def ok(self) -> bool:
        return (
            not self.inference.inconsistencies
            and not self.check_failures
            and (self.validation is None or self.validation.conforms)
        )

    def data_index(self) -> GraphIndex:
        """Asserted and inferred triples, indexed once and shared: the asserted ones first, in
        the order of ``sources.rdflib_triples()``, then the inferred ones."""
        if "data" not in self._indexes:
            triples = chain(self.sources.rdflib_triples(), self.inference.inferred)
            self._indexes["data"] = GraphIndex(triples, self.prefixes())
        return self._indexes["data"]

    def inferred_index(self) -> GraphIndex:
        """The inferred triples, indexed once and shared."""
        if "inferred" not in self._indexes:
            prefixes = self.data_index().namespace_manager
            self._indexes["inferred"] = GraphIndex(self.inference.inferred, prefixes)
        return self._indexes["inferred"]

    def data_graph(self) -> Graph:
        """:meth:`data_index` as a read-only rdflib graph."""
        if "data" not in self._graphs:
            self._graphs["data"] = index_graph(self.data_index())
        return self._graphs["data"]

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


Step = Callable[[str], None]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (forked processes inherit it).

    The pipeline's stages allocate millions of small objects that live to the end of the stage
    or are acyclic, and each of the collector's full passes walks every live object of the
    process, every graph of the build included. Paused through loading, reasoning, validation
    and the export, a build of 100,000 triples takes 2 to 3 s less (about 10%) and 10 MiB more
    at its peak. On leaving, the objects made meanwhile join the oldest generation at once (a
    freeze and thaw moves them in one step): resumed as they were, the young collections would
    walk them all, half a second at 100,000 triples, before any other work. The few cycles
    made meanwhile wait for the next full collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _quiet(_: str) -> None:
    pass


def reasoned(
    project: Project, step: Step = _quiet, ahead: Callable[[Loaded], object] | None = None
) -> Checked:
    """Load and reason, without validating: enough to answer queries.

    ``ahead``, if given, is called with the loaded sources before reasoning starts (the build
    forks a process there that makes the files of the asserted graph meanwhile).
    """
    with collector_paused():
        step("Loading sources")
        sources = load(project)
        if ahead is not None:
            ahead(Loaded(project, sources))
        step("Reasoning (OWL 2 RL)")
        # The oxigraph reasoner starts from the parsed triples: no rdflib union for it to build.
        asserted = None if project.reasoner == "oxigraph" else sources.union()
        inference = infer(asserted, project.reasoner, sources.oxigraph_triples())
        return Checked(project, sources, inference)


def check(project: Project, step: Step = _quiet) -> Checked:
    """Load, reason, validate with SHACL and run the quality checks."""
    return complete_check(reasoned(project, step), step)


def complete_check(checked: Checked, step: Step = _quiet) -> Checked:
    """Validate a reasoned graph with SHACL and run the quality checks on it."""
    project = checked.project
    with collector_paused():
        data = checked.data_graph()
        triples = checked.data_oxigraph()
        # The reasoner's store, if it left one, serves the checks, then the validator, which
        # changes it (it is not needed after that).
        store, checked.inference.store = checked.inference.store, None
        if project.checks_dir.is_dir():
            step("Running quality checks")
            checks = load_catalog(project.checks_dir, check=False)  # Oxigraph reports errors
            checked.check_failures = run_checks(data, checks, project, triples, store)
        step("Validating (SHACL)")
        shapes = parse_source(project.shapes_file)
        lines = (
            ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            if project.validator == "pyrudof"
            else None
        )
        checked.validation = validate(data, shapes, project.validator, lines, triples, store)
    return checked


def run_checks(
    data: Graph,
    checks: dict[str, CatalogQuery],
    project: Project,
    triples: list | None = None,
    store: ox.Store | None = None,
) -> list[CheckFailure]:
    """Run each quality check on ``data``; any row it returns is a failure.

    The checks run in Oxigraph, which answers them in milliseconds where rdflib's SPARQL
    engine takes seconds on a large graph: on ``store``, whose default graph holds ``data``
    (the oxigraph reasoner leaves one), else on a new one. ``triples``, ``data`` as Oxigraph
    triples if at hand, saves converting it.
    """
    from .store import query_store

    if store is None:
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
