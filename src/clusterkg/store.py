"""Store stage: where catalog queries run, and how a release's named graphs get there.

Three kinds of store, named by a spec string:

- ``memory``: rdflib in memory, the embedded default (the CLI reasons from the sources first);
- ``oxigraph`` or ``oxigraph:PATH``: a pyoxigraph store, in memory or in a database folder;
- ``http(s)://...``: a remote SPARQL 1.1 endpoint (any store: Oxigraph, Fuseki, Virtuoso...).

Whatever the store, a query's parameters are pre-bound the way rdflib's ``initBindings`` binds
them, the union of the named graphs is the default graph, and the answer comes back as an rdflib
``Result`` so that the W3C writers of :mod:`clusterkg.query` print the same bytes for every store.

A release can hold a ready store (``store/``, an Oxigraph database built from the release's
graphs), so that ``query`` needs neither parsing nor reasoning. A database folder is not
byte-deterministic, so it is listed neither in ``SHA256SUMS`` nor in the metadata; a stamp
inside it records the SHA-256 of the ``kg.trig`` it was built from, and a
store whose stamp does not match the release's ``SHA256SUMS`` is not used.

Writing to a remote store goes through the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT`` per
named graph, which the server applies as one transaction, so each graph is replaced whole.
"""

from __future__ import annotations

import hashlib
import io
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result

from .errors import ClusterKGError, SourceError, UsageError
from .oxterms import from_oxigraph, oxigraph_triples
from .project import Project, prefixes
from .query import CatalogQuery, bindings

STORE_DIR = "store"  # the ready store's folder inside a release
STAMP = "clusterkg-kg.trig.sha256"  # inside the store folder: the kg.trig it was built from
DEFAULT_TIMEOUT = 60.0
RESULTS_JSON = "application/sparql-results+json"


class RemoteError(ClusterKGError):
    """A remote store refused a request, failed, or could not be reached (exit 2)."""


@dataclass(frozen=True)
class StoreSpec:
    """A parsed ``--store`` value: ``kind`` is ``memory``, ``oxigraph`` or ``endpoint``."""

    kind: str
    location: str | None = None  # the database folder or the endpoint URL

    def __str__(self) -> str:
        return self.location if self.kind == "endpoint" else f"{self.kind}:{self.location or ''}"


def parse_spec(text: str) -> StoreSpec:
    """``memory``, ``oxigraph``, ``oxigraph:PATH`` or an ``http(s)://`` endpoint URL."""
    if text == "memory":
        return StoreSpec("memory")
    if text == "oxigraph":
        return StoreSpec("oxigraph")
    if text.startswith("oxigraph:") and len(text) > len("oxigraph:"):
        return StoreSpec("oxigraph", text[len("oxigraph:") :])
    if text.startswith(("http://", "https://")):
        return StoreSpec("endpoint", text)
    raise UsageError(
        f"unknown store {text!r}; use memory, oxigraph, oxigraph:PATH or an http(s):// endpoint"
    )


# --- Oxigraph --------------------------------------------------------------------------------


def _oxigraph():
    try:
        import pyoxigraph
    except ImportError:
        raise UsageError("the Oxigraph store needs pyoxigraph: pip install pyoxigraph") from None
    return pyoxigraph


# The release files a ready store is built from: every named graph, then their union.
STORE_SOURCES = ("kg.trig", "kg.nt", "inferred.ttl")


def build_store(location: Path, files: Mapping[str, bytes]) -> None:
    """Create an Oxigraph database at ``location`` from a release's :data:`STORE_SOURCES`.

    ``kg.trig`` gives the named graphs; ``kg.nt`` (the asserted graph) and ``inferred.ttl``
    give the default graph, which holds each triple of the union once: Oxigraph's own union
    (``use_default_graph_as_union``, or several ``FROM``) repeats a triple once per graph
    that holds it, where rdflib's union does not. The three go in as one TriG document (bare
    triples are the default graph's), because ``bulk_load`` gives each document's blank nodes
    new labels: one document keeps a blank node the same node in its graph and in the union.

    Oxigraph parses it (about 1M triples/s) without holding the GIL, so a build can do this in
    a thread beside other work. ``location`` must not exist.
    """
    ox = _oxigraph()
    store = ox.Store(str(location))
    _fill(ox, store, files)
    store.optimize()
    store.flush()
    del store  # closes the database before the stamp says it is complete
    stamp = hashlib.sha256(files["kg.trig"]).hexdigest()
    (location / STAMP).write_text(stamp + "\n", encoding="ascii")


def _fill(ox, store, files: Mapping[str, bytes]) -> None:
    document = b"\n".join(files[name] for name in STORE_SOURCES)
    store.bulk_load(input=document, format=ox.RdfFormat.TRIG)


def release_sources(release: Path) -> dict[str, bytes]:
    """The :data:`STORE_SOURCES` of the release folder ``release``."""
    for name in STORE_SOURCES:
        if not (release / name).is_file():
            raise UsageError(f"{release} is not a release (no {name}); run 'clusterkg build' first")
    return {name: (release / name).read_bytes() for name in STORE_SOURCES}


def _listed_digest(release: Path, name: str) -> str | None:
    sums = release / "SHA256SUMS"
    if not sums.is_file():
        return None
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, listed = line.partition("  ")
        if listed == name:
            return digest
    return None


def ready_store(release: Path) -> Path | None:
    """The release's ready store, if it has one built from the release's own ``kg.trig``."""
    location = release / STORE_DIR
    stamp = location / STAMP
    if not stamp.is_file():
        return None
    expected = _listed_digest(release, "kg.trig")
    return location if stamp.read_text(encoding="ascii").strip() == expected else None


def release_store(release: Path):
    """An Oxigraph store over a release: its ready store, or its files loaded in memory."""
    ox = _oxigraph()
    location = ready_store(release)
    if location is not None:
        return ox.Store.read_only(str(location))  # no lock: many readers at once
    store = ox.Store()
    _fill(ox, store, release_sources(release))
    return store


def path_store(location: Path, release: Path | None = None):
    """The Oxigraph database at ``location``, created and filled from ``release`` if missing."""
    ox = _oxigraph()
    if location.is_dir() and any(location.iterdir()):
        try:
            return ox.Store(str(location))
        except OSError as exc:
            raise UsageError(f"{location}: cannot open the Oxigraph store ({exc})") from exc
    trig = release / "kg.trig" if release is not None else None
    if trig is None or not trig.is_file():
        raise UsageError(
            f"no Oxigraph store at {location}, and no release to fill it from; "
            "run 'clusterkg build' or pass --release DIR"
        )
    location.mkdir(parents=True, exist_ok=True)
    location.rmdir()  # build_store wants to create it
    build_store(location, release_sources(release))
    return ox.Store(str(location))


def dataset_store(dataset: Dataset):
    """An in-memory Oxigraph store holding the named graphs of an rdflib dataset.

    Each triple also goes to the default graph, which the catalog's queries read as the union.
    """
    ox = _oxigraph()
    store = ox.Store()
    for graph in dataset.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID and len(graph):
            name = ox.NamedNode(graph.identifier)
            triples = oxigraph_triples(graph)
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def query_store(store, query: CatalogQuery, given: dict[str, str], project: Project) -> Result:
    """Run ``query`` on an Oxigraph store with its parameters bound by :func:`bind_values`.

    Not by Oxigraph's ``substitutions``: they follow SEP-0007, which only substitutes projected
    variables, and a parameter such as ``lang`` is used in filters without being projected.
    """
    ox = _oxigraph()
    text = bind_values(query.text, bindings(query, given, project))
    try:
        answer = store.query(text, prefixes=prefixes(project.base))
    except SyntaxError as exc:  # "error at LINE:COLUMN: ..." (the VALUES keep the lines)
        found = re.match(r"error at (\d+):(\d+): (.*)", str(exc), re.DOTALL)
        if found is None:
            raise SourceError(query.path, f"bad SPARQL ({exc})") from exc
        line, column, message = found.groups()
        raise SourceError(
            query.path, f"bad SPARQL ({_one_line(message)}, column {column})", int(line)
        ) from exc
    except RuntimeError as exc:
        raise UsageError(f"{query.path}: Oxigraph cannot run the query ({exc})") from exc
    return rdflib_result(ox, answer)


def _rdflib_term(term):
    try:
        return from_oxigraph(term)
    except TypeError as exc:  # RDF 1.2 triple terms
        raise UsageError(f"unsupported term in a query answer: {term}") from exc


def rdflib_result(ox, answer) -> Result:
    """An Oxigraph answer as an rdflib ``Result``, for rdflib's result writers."""
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result
    if isinstance(answer, ox.QueryTriples):
        from rdflib import Graph

        result = Result("CONSTRUCT")
        graph = Graph()
        for triple in answer:
            graph.add(tuple(_rdflib_term(t) for t in triple))
        result.graph = graph
        return result
    variables = [Variable(v.value) for v in answer.variables]
    result = Result("SELECT")
    result.vars = variables
    # A solution's values in the order of the variables: quicker than a lookup by name each.
    result.bindings = [
        {
            var: _rdflib_term(value)
            for var, value in zip(variables, solution, strict=True)
            if value is not None
        }
        for solution in answer
    ]
    return result


# --- remote SPARQL 1.1 endpoints --------------------------------------------------------------

# Comments, strings, IRIs, words and braces: enough of SPARQL's lexer to find group patterns.
_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<word>[?$]?[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<open>\{)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def bind_values(text: str, bound: dict[Variable, object]) -> str:
    """``text`` with ``bound`` inlined as a ``VALUES`` block at the start of every group pattern.

    The values are written in N-Triples syntax by rdflib (IRIs checked by ``bindings``,
    literals escaped), so a parameter is only ever data, never query text. A single top-level
    ``VALUES`` would not do: SPARQL evaluates groups bottom-up, so a parameter used inside an
    ``OPTIONAL``, ``UNION`` or ``EXISTS`` group would be unbound there; one block per group binds
    it everywhere, as rdflib's ``initBindings`` does.
    """
    if not bound:
        return text
    names = " ".join(f"?{var}" for var in bound)
    values = " ".join(term.n3() for term in bound.values())
    block = f" VALUES ({names}) {{ ({values}) }} "
    tokens = [(m.lastgroup, m.group()) for m in _TOKENS.finditer(text)]
    parts, pending_data, template = [], False, False
    for index, (kind, token) in enumerate(tokens):
        parts.append(token)
        if kind == "word":
            word = token.upper()
            if word == "VALUES":
                pending_data = True  # its next brace opens a data block, not a pattern
            elif word == "CONSTRUCT":
                template = True  # its next brace opens the template, unless WHERE comes first
            elif word == "WHERE":
                template = False
        elif kind == "open":
            if pending_data or template:
                pending_data = template = False
            elif _next_word(tokens, index) != "SELECT":  # a sub-select must be alone in its group
                parts.append(block)
    return "".join(parts)


def _next_word(tokens: list[tuple[str, str]], index: int) -> str:
    for kind, token in tokens[index + 1 :]:
        if kind == "word":
            return token.upper()
        if kind not in ("comment",) and token.strip():
            return ""
    return ""


def union_graph(project: Project) -> str:
    """The graph ``publish`` fills with the union of the release's graphs, once each triple.

    Remote queries name it as their default graph (``default-graph-uri``): stores either keep
    their default graph apart from the named ones, or repeat a triple once per graph in it.
    """
    return str(project.graph_iri("union"))


def endpoint_query(
    url: str,
    query: CatalogQuery,
    given: dict[str, str],
    project: Project,
    timeout: float = DEFAULT_TIMEOUT,
) -> Result:
    """Run ``query`` on a SPARQL 1.1 endpoint (protocol: POST, form-encoded).

    The answer is asked for as SPARQL JSON, the one results format every endpoint speaks that
    keeps each term's kind, language and datatype; the caller writes it in the format it wants.
    """
    declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes(project.base).items())
    text = declared + bind_values(query.text, bindings(query, given, project))
    form = {"query": text, "default-graph-uri": union_graph(project)}
    body = urllib.parse.urlencode(form).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": f"{RESULTS_JSON}, application/sparql-results+xml;q=0.5",
        },
    )
    _, data, media_type = _send(request, timeout, f"query {query.name} on {url}")
    fmt = "xml" if "xml" in media_type else "json"
    try:
        return Result.parse(io.BytesIO(data), format=fmt)
    except Exception as exc:  # rdflib raises many types on a body it cannot read
        raise RemoteError(
            f"{url}: the answer to {query.name} is not SPARQL results ({exc})"
        ) from exc


def _send(request: urllib.request.Request, timeout: float, what: str) -> tuple[int, bytes, str]:
    """Status, body and media type of a successful exchange; one-line ``RemoteError`` else."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        detail = _one_line(exc.read()[:300].decode("utf-8", "replace"))
        reason = f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
        raise RemoteError(f"{what} failed: {reason}") from None
    except urllib.error.URLError as exc:
        raise RemoteError(f"{what} failed: cannot connect ({exc.reason})") from None
    except TimeoutError:
        raise RemoteError(f"{what} failed: no answer within {timeout:g} s") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- publishing through the Graph Store HTTP Protocol ----------------------------------------


@dataclass(frozen=True)
class Upload:
    """One named graph sent to a graph store: its IRI, its triples and the HTTP status."""

    graph: str
    triples: int
    status: int


def default_graph_store(endpoint: str) -> str:
    """Oxigraph's layout: the graph store is ``/store`` beside the ``/query`` endpoint."""
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rsplit("/", 1)[0] + "/store"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def release_graphs(release: Path, project: Project) -> dict[str, tuple[bytes, int]]:
    """Each named graph of the release's ``kg.trig``, as N-Triples with its triple count, and
    last their union (:func:`union_graph`)."""
    ox = _oxigraph()
    trig = release / "kg.trig"
    if not trig.is_file():
        raise UsageError(f"{release} is not a release (no kg.trig); run 'clusterkg build' first")
    graphs: dict[str, list] = {}
    try:
        for quad in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    except SyntaxError as exc:
        raise UsageError(f"{trig}: cannot parse ({exc})") from exc
    union = {triple for triples in graphs.values() for triple in triples}
    graphs = dict(sorted(graphs.items()))
    graphs[union_graph(project)] = list(union)
    return {
        iri: (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), len(triples))
        for iri, triples in graphs.items()
    }


@dataclass(frozen=True)
class Deletion(Upload):
    """A graph ``publish --prune`` deleted: its IRI, the triples it held, the HTTP status (404:
    it was already gone)."""


def publish(
    release: Path,
    graph_store: str,
    project: Project,
    timeout: float = DEFAULT_TIMEOUT,
    prune: str | None = None,
) -> Iterator[Upload]:
    """PUT each named graph of ``release`` to ``graph_store``, yielding each upload once done.

    Stops with :class:`RemoteError` at the first refusal: graphs already sent stay new, the
    failed one and the rest stay as they were (a ``PUT`` is applied whole or not at all).

    With ``prune``, the store's SPARQL query endpoint, and only once every ``PUT`` has
    succeeded: each graph the store holds under the project's graph namespace
    (``<base>graph/``) that the release does not have is deleted, and yielded as a
    :class:`Deletion`. Graphs outside that namespace are never touched.
    """
    graphs = release_graphs(release, project)
    for iri, (data, count) in graphs.items():
        request = urllib.request.Request(
            _graph_url(graph_store, iri),
            data=data,
            method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )
        status, _, _ = _send(request, timeout, f"graph {iri}: PUT {graph_store}")
        yield Upload(iri, count, status)
    if prune is not None:
        yield from _prune(prune, graph_store, project, set(graphs), timeout)


def _graph_url(graph_store: str, iri: str) -> str:
    separator = "&" if "?" in graph_store else "?"
    return f"{graph_store}{separator}{urllib.parse.urlencode({'graph': iri})}"


def _prune(
    endpoint: str, graph_store: str, project: Project, keep: set[str], timeout: float
) -> Iterator[Deletion]:
    namespace = str(project.graph_iri(""))
    for iri, count in stored_graphs(endpoint, namespace, timeout).items():
        if iri in keep:
            continue
        request = urllib.request.Request(_graph_url(graph_store, iri), method="DELETE")
        what = f"graph {iri}: DELETE {graph_store}"
        try:
            status, _, _ = _send(request, timeout, what)
        except RemoteError as exc:
            # _send raises "from None", which still keeps the HTTP error as __context__
            refusal = exc.__context__
            if not (isinstance(refusal, urllib.error.HTTPError) and refusal.code == 404):
                raise
            status = 404  # deleted by someone else meanwhile: what we wanted
        yield Deletion(iri, count, status)


def stored_graphs(
    endpoint: str, namespace: str, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, int]:
    """The named graphs the store at ``endpoint`` holds strictly under ``namespace``, with
    their triple counts, sorted by IRI.

    The query matches a triple pattern, not ``GRAPH ?g {}``: the empty pattern is legal SPARQL
    1.1 but Virtuoso and RDF4J answer it with nothing, and Oxigraph before 0.4.7 with one
    unbound row. An empty graph is thus not listed, which loses nothing: it holds no data.
    The namespace is checked here again, whatever the server's ``FILTER`` did.
    """
    query = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), {Literal(namespace).n3()})) }} GROUP BY ?g"
    )
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"query": query}).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": f"{RESULTS_JSON}, application/sparql-results+xml;q=0.5",
        },
    )
    _, data, media_type = _send(request, timeout, f"list the graphs on {endpoint}")
    try:
        result = Result.parse(io.BytesIO(data), format="xml" if "xml" in media_type else "json")
        rows = [(row.get(Variable("g")), row.get(Variable("n"))) for row in result.bindings]
        found = {
            str(graph): int(count.toPython()) if count is not None else 0
            for graph, count in rows
            if isinstance(graph, URIRef)
        }
    except Exception as exc:  # rdflib raises many types on a body it cannot read
        raise RemoteError(
            f"{endpoint}: the list of graphs is not SPARQL results ({_one_line(str(exc))})"
        ) from None
    return {
        iri: count
        for iri, count in sorted(found.items())
        if iri.startswith(namespace) and iri != namespace
    }
