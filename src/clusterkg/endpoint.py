"""Serve stage, the SPARQL part: safe evaluation of untrusted queries over a release.

Queries run on the release's ready Oxigraph store when it has one (``execute_oxigraph``), else
on the release loaded into rdflib (``execute``); rdflib parses and checks every query either way.
Neither has a time limit of its own, and both evaluate in the calling thread, so queries run in a
small pool of worker processes that can be killed: a query past its deadline takes its worker
with it, a fresh worker replaces it, and the server keeps answering. Every query is parsed in the
worker (a pathological parse is bounded too), checked, and refused when it could reach outside
the release: updates, ``SERVICE``, and ``FROM``/``FROM NAMED`` or protocol graph IRIs that name
no graph of the release. rdflib's own loading of unknown ``FROM`` graphs from the web or from
files is switched off in the workers.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import resource
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.util import from_n3

from .query import to_csv, to_tsv

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
# ``format=`` request parameter -> media type, for links and clients that cannot set Accept.
FORMAT_PARAMETER = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
CHARSET_TYPES = (
    "text/",
    "application/sparql-results+",
    "application/json",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/xml",
)


class QueryRefused(Exception):
    """A request the endpoint answers with an error status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Limits:
    """How far one query may go."""

    timeout: float = 10.0  # seconds of wall-clock time, parse included
    max_rows: int = 10_000  # result rows (or triples) returned; more are cut and flagged
    max_query_length: int = 20_000  # characters
    worker_memory: int = 2 * 1024**3  # bytes of address space per worker process


@dataclass
class Reply:
    """A successful answer: the body in the negotiated media type."""

    media_type: str
    body: bytes
    rows: int | None = None
    truncated: bool = False
    seconds: float = 0.0

    @property
    def content_type(self) -> str:
        if self.media_type.startswith(CHARSET_TYPES):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


@dataclass(frozen=True)
class Request:
    """What a worker needs to answer one query."""

    query: str
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    bindings: tuple[tuple[str, str], ...] = ()  # (variable, term in N3), bound before evaluation


# --- negotiation --------------------------------------------------------------------------


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (RFC 9110 12.5.1)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        # more specific ranges win ties; then the order the client gave
        specificity = 0 if fields[0] == "*/*" else 1 if fields[0].endswith("/*") else 2
        ranges.append((fields[0].lower(), q, -specificity, position))
    ranges.sort(key=lambda r: (-r[1], r[2], r[3]))
    return [(r[0], r[1]) for r in ranges]


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them."""
    best, best_q = None, 0.0
    for media_type in offered:
        q = _quality(accept, media_type)
        if q > best_q:
            best, best_q = media_type, q
    return best


def _quality(accept: str | None, media_type: str) -> float:
    main = media_type.split("/")[0]
    matches = []
    for media_range, q in parse_accept(accept):
        if media_range == media_type:
            matches.append((2, q))
        elif media_range == f"{main}/*":
            matches.append((1, q))
        elif media_range == "*/*":
            matches.append((0, q))
    return max(matches)[1] if matches else 0.0


# --- checking and evaluating --------------------------------------------------------------


@lru_cache(maxsize=256)
def prepare(text: str) -> Query:
    """Parse and translate a query, refusing what must not run here."""
    try:
        parsed = sparql_parser.parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise QueryRefused(
                403, "this endpoint is read-only: SPARQL Update is not accepted"
            ) from None
        raise QueryRefused(
            400, f"malformed query: {exc.msg} at line {exc.lineno}, column {exc.col}"
        ) from None
    except Exception as exc:  # rdflib's parser raises a few other types on odd input
        raise QueryRefused(400, f"malformed query: {exc}") from None
    try:
        query = translateQuery(parsed)
    except Exception as exc:
        raise QueryRefused(400, f"the query cannot be evaluated: {exc}") from None
    if _uses_service(query.algebra):
        raise QueryRefused(400, "SERVICE is not allowed: queries run on this dataset only")
    return query


def _is_update(text: str) -> bool:
    try:
        sparql_parser.parseUpdate(text)
    except Exception:
        return False
    return True


def _uses_service(node) -> bool:
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):
        return any(_uses_service(v) for v in node.values())
    if isinstance(node, list | tuple):
        return any(_uses_service(v) for v in node)
    return False


def _dataset_clause(query: Query) -> list[tuple[str, URIRef]]:
    clause = query.algebra.get("datasetClause") or []
    return [("default", d.default) if d.default else ("named", d.named) for d in clause]


def execute(dataset: Dataset, request: Request) -> Reply:
    """Answer ``request`` over ``dataset`` (its default graph is the union of the release).

    Raises ``QueryRefused`` for anything the client must change.
    """
    start = time.perf_counter()
    known = {str(g.identifier) for g in dataset.graphs()}
    query, select, media_type = _checked(request, known)
    target = _protocol_dataset(dataset, request, known, bool(_dataset_clause(query)))
    result = target.query(query, initBindings=_bindings(request))
    return _reply(result, select, media_type, request, start)


def execute_oxigraph(store, known: set[str], request: Request) -> Reply:
    """:func:`execute` on the release's ready Oxigraph store, whose named graphs are ``known``
    and whose default graph holds their union.

    rdflib still parses the query first, so that the same queries are refused for the same
    reasons; Oxigraph evaluates it, and rdflib's writers write the answer.
    """
    import pyoxigraph as ox

    from .store import bind_values, rdflib_result

    start = time.perf_counter()
    query, select, media_type = _checked(request, known)
    graphs = {}
    if _names_its_dataset(request, known, bool(_dataset_clause(query))):
        graphs["default_graph"] = [ox.NamedNode(iri) for iri in request.default_graphs]
        graphs["named_graphs"] = [ox.NamedNode(iri) for iri in request.named_graphs]
    try:
        answer = store.query(bind_values(request.query, _bindings(request)), **graphs)
        result = rdflib_result(ox, answer)
    except (SyntaxError, RuntimeError, OSError, ValueError) as exc:
        raise QueryRefused(400, f"the query failed: {exc}") from None
    return _reply(result, select, media_type, request, start)


def _checked(request: Request, known: set[str]) -> tuple[Query, bool, str]:
    """The parsed query, whether it answers with rows (or a graph), and the media type."""
    query = prepare(request.query)
    form = query.algebra.name  # SelectQuery, AskQuery, ConstructQuery, DescribeQuery
    select = form in ("SelectQuery", "AskQuery")
    media_type = _choose(request, SELECT_TYPES if select else GRAPH_TYPES)
    for kind, iri in _dataset_clause(query):
        if str(iri) not in known:
            raise QueryRefused(
                400,
                f"FROM{' NAMED' if kind == 'named' else ''} <{iri}> names no graph of this dataset",
            )
    return query, select, media_type


def _bindings(request: Request) -> dict:
    return {Variable(name): from_n3(term) for name, term in request.bindings}


def _reply(result, select: bool, media_type: str, request: Request, start: float) -> Reply:
    if select:
        body, rows, truncated = _results(result, SELECT_TYPES[media_type], request.max_rows)
    else:
        body, rows, truncated = _graph(result.graph, GRAPH_TYPES[media_type], request.max_rows)
    return Reply(media_type, body, rows, truncated, time.perf_counter() - start)


def _choose(request: Request, offered: dict[str, str]) -> str:
    if request.format:
        media_type = FORMAT_PARAMETER.get(request.format.lower(), request.format.lower())
        if media_type not in offered:
            raise QueryRefused(
                400,
                f"format {request.format!r} does not fit this query; use "
                f"one of {', '.join(sorted(set(offered.values())))}",
            )
        return media_type
    media_type = negotiate(request.accept, list(offered))
    if media_type is None:
        raise QueryRefused(
            406,
            f"none of the accepted types ({request.accept}) fits this "
            f"query; available: {', '.join(offered)}",
        )
    return media_type


def _protocol_dataset(
    dataset: Dataset, request: Request, known: set[str], has_clause: bool
) -> Dataset:
    """The dataset a request names with default-graph-uri / named-graph-uri (SPARQL 1.1
    Protocol 2.1.4), restricted to graphs of the release; else the whole release."""
    if not _names_its_dataset(request, known, has_clause):
        return dataset
    restricted = Dataset()
    default = restricted.default_graph
    for iri in request.default_graphs:
        default += dataset.graph(URIRef(iri))
    for iri in request.named_graphs:
        restricted.graph(URIRef(iri)).__iadd__(dataset.graph(URIRef(iri)))
    return restricted


def _names_its_dataset(request: Request, known: set[str], has_clause: bool) -> bool:
    """Whether ``request`` names its dataset by default-graph-uri / named-graph-uri, which may
    name graphs of the release only, and not beside a FROM clause."""
    if not (request.default_graphs or request.named_graphs):
        return False
    if has_clause:
        raise QueryRefused(
            400,
            "give the dataset either in the query (FROM) or in the request "
            "(default-graph-uri, named-graph-uri), not both",
        )
    for iri in (*request.default_graphs, *request.named_graphs):
        if iri not in known:
            raise QueryRefused(400, f"<{iri}> names no graph of this dataset")
    return True


def _results(result, fmt: str, max_rows: int) -> tuple[bytes, int | None, bool]:
    if result.type == "ASK":
        return _serialize_results(result, fmt), None, False
    bindings = result.bindings
    truncated = len(bindings) > max_rows
    if truncated:
        result.bindings = bindings[:max_rows]
    return _serialize_results(result, fmt), len(result.bindings), truncated


def _serialize_results(result, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(result).encode("utf-8")
    if fmt == "tsv":
        return to_tsv(result).encode("utf-8")
    return result.serialize(format=fmt)


def _graph(graph: Graph, fmt: str, max_rows: int) -> tuple[bytes, int, bool]:
    truncated = len(graph) > max_rows
    if truncated:
        kept = Graph(namespace_manager=graph.namespace_manager)
        for triple in sorted(graph)[:max_rows]:
            kept.add(triple)
        graph = kept
    return graph.serialize(format=fmt, encoding="utf-8"), len(graph), truncated


def open_release(release: Path) -> Dataset:
    """The release as an rdflib dataset: over its ready Oxigraph store if it has one (opened at
    once, whatever the size, and read from disk as needed), else loaded from ``kg.trig``."""
    from oxrdflib import OxigraphStore

    from .store import ready_store

    location = ready_store(release)
    if location is None:
        return load_release_dataset(release / "kg.trig")
    import pyoxigraph as ox

    return Dataset(store=OxigraphStore(store=ox.Store.read_only(str(location))))


def load_release_dataset(path: Path) -> Dataset:
    """The release's named graphs, plus a default graph that is their union."""
    dataset = Dataset()
    dataset.parse(path, format="trig")
    union = dataset.default_graph
    for graph in list(dataset.graphs()):
        if graph.identifier != union.identifier:
            union += graph
    return dataset


# --- worker processes ---------------------------------------------------------------------


def _worker_main(release_trig: str, memory: int, connection) -> None:
    import rdflib.plugins.sparql as sparql_settings

    sparql_settings.SPARQL_LOAD_GRAPHS = False  # FROM never fetches from the web or disk
    sparql_settings.SPARQL_DEFAULT_GRAPH_UNION = False  # the default graph is what we say
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit is already in place
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    answer = _answerer(Path(release_trig))
    connection.send(("ready", None))
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        try:
            connection.send(("ok", answer(request)))
        except QueryRefused as exc:
            connection.send(("refused", (exc.status, exc.message)))
        except MemoryError:
            connection.send(("refused", (503, "the query needs more memory than a query may use")))
        except Exception as exc:  # an rdflib evaluation error is the query's problem
            connection.send(("refused", (400, f"the query failed: {type(exc).__name__}: {exc}")))


def _answerer(release_trig: Path):
    """How a worker answers: from the release's ready Oxigraph store (opened read-only at
    once), else from ``kg.trig`` loaded into rdflib."""
    from .store import ready_store

    location = ready_store(release_trig.parent)
    if location is None:
        dataset = load_release_dataset(release_trig)
        return lambda request: execute(dataset, request)
    import pyoxigraph as ox

    store = ox.Store.read_only(str(location))
    known = {graph.value for graph in store.named_graphs()}
    return lambda request: execute_oxigraph(store, known, request)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: object
    started: float = field(default_factory=time.monotonic)


class ReplyCache:
    """Recent replies by request, bounded in bytes.

    A release never changes while it is served, so the same request always gets the same
    answer; repeated catalog queries (the common case) then cost a dictionary lookup.
    """

    def __init__(self, max_bytes: int = 64 * 1024**2) -> None:
        self.max_bytes = max_bytes
        self._replies: OrderedDict[Request, Reply] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, request: Request) -> Reply | None:
        with self._lock:
            reply = self._replies.get(request)
            if reply is not None:
                self._replies.move_to_end(request)
            return reply

    def put(self, request: Request, reply: Reply) -> None:
        if len(reply.body) > self.max_bytes // 8:
            return  # one huge answer must not flush everything else
        with self._lock:
            if request in self._replies:
                return
            self._replies[request] = reply
            self._bytes += len(reply.body)
            while self._bytes > self.max_bytes:
                _, evicted = self._replies.popitem(last=False)
                self._bytes -= len(evicted.body)


class WorkerPool:
    """Worker processes holding the release, each answering one query at a time."""

    def __init__(self, release_trig: Path, workers: int = 2, limits: Limits | None = None):
        self.release_trig = Path(release_trig)
        self.limits = limits or Limits()
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self.cache = ReplyCache()
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(str(self.release_trig), self.limits.worker_memory, child),
            daemon=True,
            name="clusterkg-query-worker",
        )
        process.start()
        child.close()
        try:
            ready = parent.poll(60) and parent.recv()[0] == "ready"
        except EOFError:
            ready = False
        if not ready:
            process.kill()
            raise RuntimeError(f"a query worker could not load {self.release_trig}")
        worker = _Worker(process, parent)
        with self._lock:
            self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        with self._lock:
            self._workers.remove(worker)

    def run(self, request: Request) -> Reply:
        """Answer ``request`` within the time limit, or raise ``QueryRefused``."""
        cached = self.cache.get(request)
        if cached is not None:
            return cached
        deadline = time.monotonic() + self.limits.timeout
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            raise QueryRefused(503, "every query worker is busy; try again shortly") from None
        try:
            worker.connection.send(request)
            answered = worker.connection.poll(max(0.0, deadline - time.monotonic()))
            status, payload = worker.connection.recv() if answered else (None, None)
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self._replace(worker)
            raise QueryRefused(503, "the query stopped its worker (out of memory?)") from None
        if status is None:
            self._replace(worker)
            raise QueryRefused(
                503,
                f"the query ran longer than the time limit of "
                f"{self.limits.timeout:g} s and was stopped",
            )
        self._idle.put(worker)
        if status == "refused":
            raise QueryRefused(*payload)
        self.cache.put(request, payload)
        return payload

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now; start its successor in the background, so the request that
        ran too long is answered at the limit and not after a worker start."""
        self._retire(worker)

        def start() -> None:
            with contextlib.suppress(RuntimeError):
                self._idle.put(self._start())

        threading.Thread(target=start, daemon=True, name="clusterkg-worker-start").start()

    def close(self) -> None:
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            worker.process.kill()
            worker.process.join(5)
