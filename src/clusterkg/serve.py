"""Serve stage: a read-only SPARQL 1.1 Protocol endpoint and linked data over a release.

The app is a plain Starlette application built by ``create_app``; ``clusterkg serve`` runs it
with uvicorn. Queries go to killable worker processes (``endpoint.WorkerPool``); everything
else is answered from the release folder and one in-memory copy of its graph.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote

import anyio
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID, XSD
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import web
from .endpoint import GRAPH_TYPES, Limits, QueryRefused, WorkerPool, negotiate, open_release
from .endpoint import Request as QueryRequest
from .project import DEFAULT_BASE

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SECURITY_HEADERS = {
    # Pages need nothing from elsewhere; scripts and styles come from this server only.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' "
    "'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass
class Settings:
    """What a running server may do."""

    release: Path = Path("release")
    base: str = DEFAULT_BASE
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    max_body: int = 64 * 1024  # bytes of a POST body
    cors: bool = True  # public endpoints are queried from other sites' pages


def create_app(settings: Settings) -> Starlette:
    """The ASGI application; query workers start with its lifespan."""
    release = settings.release.resolve()
    trig = release / "kg.trig"
    if not trig.is_file():
        raise FileNotFoundError(f"{trig} is missing: run 'clusterkg build' first")
    state: dict = {}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        state["dataset"] = open_release(release)
        state["site"] = web.Site.open(
            release, settings.base, state["dataset"], settings.limits.max_rows
        )
        state["pool"] = await anyio.to_thread.run_sync(
            lambda: WorkerPool(trig, settings.workers, settings.limits)
        )
        try:
            yield
        finally:
            state["pool"].close()

    async def sparql(request: Request) -> Response:
        try:
            query_request = await _query_request(request, settings)
            if query_request is None:
                return _service_description(request, state["dataset"])
            reply = await run_query(query_request)
        except QueryRefused as exc:
            return PlainTextResponse(
                exc.message + "\n", status_code=exc.status, headers={"Vary": "Accept"}
            )
        headers = {"Vary": "Accept", "X-Query-Seconds": f"{reply.seconds:.3f}"}
        if reply.rows is not None:
            headers["X-Result-Rows"] = str(reply.rows)
        if reply.truncated:
            headers["X-Result-Truncated"] = f"cut at {query_request.max_rows} rows"
        return Response(reply.body, media_type=reply.content_type, headers=headers)

    async def thing(request: Request) -> Response:
        # Cool URIs (httpRange-14): the thing is not a document, so point to the one about it.
        path = request.path_params["path"]
        iri = URIRef(f"{settings.base}id/{path}")
        graph = state["dataset"].default_graph
        if (iri, None, None) not in graph and (None, None, iri) not in graph:
            return PlainTextResponse(f"nothing is known about {iri}\n", status_code=404)
        return RedirectResponse(f"/doc/{quote(path)}", status_code=303, headers={"Vary": "Accept"})

    async def run_query(query_request: QueryRequest):
        # A cached reply needs no thread: most requests of a busy endpoint end here.
        cached = state["pool"].cache.get(query_request)
        if cached is not None:
            return cached
        return await anyio.to_thread.run_sync(state["pool"].run, query_request)

    def page(render):
        async def endpoint(request: Request) -> Response:
            return render(state["site"], request)

        return endpoint

    async def catalog_query(request: Request) -> Response:
        return await web.catalog_query(state["site"], request, run_query)

    middleware = [Middleware(SecurityHeaders)]
    if settings.cors:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-Result-Rows", "X-Result-Truncated"],
            )
        )
    app = Starlette(
        routes=[
            Route("/", page(web.home)),
            Route("/sparql", sparql, methods=["GET", "POST"]),
            Route("/id/{path:path}", thing),
            Route("/doc/{path:path}", page(web.document)),
            Route("/queries", page(web.catalog_page)),
            Route("/queries/{name}", catalog_query),
            Route("/editor", page(web.editor)),
            Route("/ontology", page(web.ontology)),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Mount("/static/yasgui", StaticFiles(packages=[("clusterkg", "assets/yasgui")])),
            Mount("/static/editor", StaticFiles(packages=[("clusterkg", "assets/editor")])),
            # A ready Oxigraph store is a database, not a document to download.
            Route("/store/{path:path}", lambda request: PlainTextResponse("", 404)),
            # The release's own files (dumps, ontology docs, sources...), as they are.
            Mount("/", StaticFiles(directory=release, html=True)),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.data = state
    return app


class SecurityHeaders:
    """ASGI middleware adding ``SECURITY_HEADERS`` to every response that lacks them."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode())
                    for k, v in SECURITY_HEADERS.items()
                    if k.lower().encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _query_request(request: Request, settings: Settings) -> QueryRequest | None:
    """The query and dataset of a SPARQL Protocol request (GET, form POST or direct POST)."""
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        body = await _bounded_body(request, settings.max_body)
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type == "application/x-www-form-urlencoded":
            params += parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        elif media_type == "application/sparql-query":
            params.append(("query", body.decode("utf-8", errors="replace")))
        elif media_type == "application/sparql-update":
            raise QueryRefused(403, "this endpoint is read-only: SPARQL Update is not accepted")
        else:
            raise QueryRefused(
                415, "POST a query as application/x-www-form-urlencoded or application/sparql-query"
            )
    if any(name in ("update", "using-graph-uri", "using-named-graph-uri") for name, _ in params):
        raise QueryRefused(403, "this endpoint is read-only: SPARQL Update is not accepted")
    queries = [value for name, value in params if name == "query"]
    if not queries:
        return None
    if len(queries) > 1:
        raise QueryRefused(400, "give exactly one query parameter")
    text = queries[0]
    if len(text) > settings.limits.max_query_length:
        raise QueryRefused(
            413, f"the query is longer than {settings.limits.max_query_length} characters"
        )
    formats = [value for name, value in params if name == "format"]
    return QueryRequest(
        query=text,
        accept=request.headers.get("accept"),
        format=formats[0] if formats else None,
        default_graphs=tuple(v for n, v in params if n == "default-graph-uri"),
        named_graphs=tuple(v for n, v in params if n == "named-graph-uri"),
        max_rows=settings.limits.max_rows,
    )


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise QueryRefused(413, f"the request body is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise QueryRefused(413, f"the request body is larger than {limit} bytes")
    return bytes(body)


def _service_description(request: Request, dataset) -> Response:
    """SPARQL 1.1 Service Description of this endpoint, in Turtle (or another RDF type)."""
    endpoint = URIRef(str(request.url.replace(query="", fragment="")))
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    for fmt in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        graph.add((endpoint, SD.resultFormat, FORMATS[fmt]))
    described = BNode("dataset")
    graph.add((endpoint, SD.defaultDataset, described))
    graph.add((described, RDF.type, SD.Dataset))
    default = BNode("default")
    graph.add((described, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(len(dataset.default_graph), datatype=XSD.integer)))
    for named in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if named.identifier == dataset.default_graph.identifier:
            continue
        node, inner = BNode(f"n-{len(graph)}"), BNode(f"g-{len(graph)}")
        graph.add((described, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, named.identifier))
        graph.add((node, SD.graph, inner))
        graph.add((inner, VOID.triples, Literal(len(named), datatype=XSD.integer)))
    media_type = negotiate(request.headers.get("accept"), list(GRAPH_TYPES)) or "text/turtle"
    body = graph.serialize(format=GRAPH_TYPES[media_type], encoding="utf-8")
    return Response(body, media_type=f"{media_type}; charset=utf-8", headers={"Vary": "Accept"})
