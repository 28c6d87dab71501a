"""Serve stage, the human side: linked-data documents, the home page, the query catalog as
pages, and the query editor. Pages are rendered by ``html`` (as in the static release); only
where links point and which language is shown differ.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import FOAF, VOID
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from . import export, html, pages
from .endpoint import QueryRefused, negotiate
from .endpoint import Request as QueryRequest
from .project import Project
from .query import CatalogQuery, bindings, load_catalog

# Media types of a resource's documents, by the suffix that picks one directly.
DOCUMENT_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
# Server pages may submit their forms and load this server's own scripts (the editor).
SERVER_CSP = (
    f"default-src 'none'; style-src 'self' 'sha256-{html.STYLE_HASH}'; img-src 'self' data:; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; base-uri 'none'; "
    "form-action 'self'"
)
EDITOR_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; base-uri 'none'; "
    "form-action 'self'"
)


@dataclass
class Site:
    """What the pages are made from: the release's graph and its query catalog."""

    release: Path
    base: str
    dataset: Dataset
    catalog: dict[str, CatalogQuery]
    max_rows: int = 10_000

    @property
    def graph(self) -> Graph:
        return self.dataset.default_graph

    @property
    def inferred(self) -> Graph:
        # (not dataset.graph(), which would try to add the graph to a read-only store)
        return Graph(store=self.dataset.store, identifier=URIRef(f"{self.base}graph/inferred"))

    @classmethod
    def open(cls, release: Path, base: str, dataset: Dataset, max_rows: int = 10_000) -> Site:
        folder = release / "queries"
        catalog = load_catalog(folder) if folder.is_dir() else {}
        return cls(release, base, dataset, catalog, max_rows)


def reader_language(request: Request) -> str:
    """``?lang=`` if it names a page language, else the best of Accept-Language, else en."""
    asked = request.query_params.get("lang", "")
    if asked in html.LANGUAGES:
        return asked
    best, best_q = "en", 0.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in html.LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def options(site: Site, lang: str, doc: str | None = None) -> html.PageOptions:
    """Links to this server's own paths; the language sticks when the reader chose it."""
    suffix = f"?lang={lang}" if lang != "en" else ""

    def href(iri: URIRef) -> str | None:
        path = pages.document_path(iri, site.base)
        if path is not None:
            return f"/{quote(path)}{suffix}"
        source = f"{site.base}source/"
        if iri.startswith(source):
            name, _, fragment = iri[len(source) :].partition("#")
            if name and "/" not in name:
                return f"/source/{quote(name)}" + (f"#{fragment}" if fragment else "")
        return None

    def line_href(document: URIRef, number: int) -> str | None:
        link = href(document)
        return f"{link}#line={number - 1},{number}" if link else None

    formats = ()
    if doc is not None:
        formats = tuple(
            (name, media, f"/{doc}.{suffix_}") for suffix_, media, name, _ in pages.VARIANTS
        )
    return html.PageOptions(
        lang=lang,
        href=href,
        inferred=site.inferred,
        formats=formats,
        home="/",
        source_line_href=line_href,
        content_security_policy=SERVER_CSP,
    )


def _html(text: str, status: int = 200, csp: str = SERVER_CSP) -> HTMLResponse:
    # frame-ancestors works only in a header: a <meta> policy may not carry it
    headers = {
        "Content-Security-Policy": f"{csp}; frame-ancestors 'none'",
        "Vary": "Accept-Language",
    }
    return HTMLResponse(text, status_code=status, headers=headers)


def document(site: Site, request: Request) -> Response:
    """``/doc/<path>[.suffix]``: a resource's description, content-negotiated."""
    path = request.path_params["path"]
    stem, dot, suffix = path.rpartition(".")
    chosen = DOCUMENT_TYPES.get(suffix) if dot else None
    if chosen is None:
        stem = path
        chosen = negotiate(
            request.headers.get("accept"), [*DOCUMENT_TYPES.values(), "application/json"]
        )
        if chosen is None:
            return PlainTextResponse(
                f"none of the accepted types fits; available: "
                f"{', '.join(DOCUMENT_TYPES.values())}\n",
                status_code=406,
                headers={"Vary": "Accept"},
            )
        chosen = "application/ld+json" if chosen == "application/json" else chosen
    iri = URIRef(f"{site.base}id/{stem}")
    graph = site.graph
    if pages.document_path(iri, site.base) is None or (
        (iri, None, None) not in graph and (None, None, iri) not in graph
    ):
        return PlainTextResponse(f"nothing is known about {iri}\n", status_code=404)
    if chosen == "text/html":
        lang = reader_language(request)
        page = html.resource_page(graph, iri, options(site, lang, f"doc/{stem}"))
        response = _html(page)
        response.headers["Vary"] = "Accept, Accept-Language"
        return response
    described = {
        *pages.description(graph, iri),
        (URIRef(f"{site.base}doc/{stem}"), FOAF.primaryTopic, iri),
    }
    if chosen == "application/n-triples":
        data = export.ntriples(described)
    else:
        write = export.turtle if chosen == "text/turtle" else export.jsonld
        data = write(described, site.base)
    return Response(data, media_type=f"{chosen}; charset=utf-8", headers={"Vary": "Accept"})


ONTOLOGY_DOCUMENTS = {
    "text/html": "/ontology/index.html",
    "text/turtle": "/ontology/clusterkg.ttl",
    "application/rdf+xml": "/ontology/clusterkg.rdf",
    "application/ld+json": "/ontology/clusterkg.jsonld",
}


def ontology(site: Site, request: Request) -> Response:
    """``/ontology``, the ontology's IRI (a hash namespace): 303 to the document in the format
    asked for, its HTML documentation by default (W3C vocabulary publishing, recipe 3)."""
    media = negotiate(request.headers.get("accept"), list(ONTOLOGY_DOCUMENTS)) or "text/html"
    return RedirectResponse(ONTOLOGY_DOCUMENTS[media], status_code=303, headers={"Vary": "Accept"})


def home(site: Site, request: Request) -> Response:
    """What the dataset is, its statistics, downloads, docs, the catalog and the editor."""
    lang = reader_language(request)
    opts = options(site, lang)
    esc = html.escape
    stats = _void_statistics(site)
    files = _downloads(site.release)
    clusters = sorted(
        site.graph.subjects(
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("https://w3id.org/clusterkg/ontology#Cluster"),
        )
    )
    body = [
        "<header>\n",
        html.nav(opts),
        "<h1>clusterkg</h1>\n",
        "<p>A knowledge graph of Lombardy's technology clusters: their ecosystems, technology "
        "areas, networks, projects and activities, and their links to Lombardy's Smart "
        "Specialisation Strategy and to Italy's recovery plan (PNRR). Every fact points to "
        "the lines of the source it came from.</p>\n</header>\n<main>\n",
        "<section><h2>Clusters</h2>\n<ul>\n",
        *(f"<li>{html.node_html(site.graph, c, opts)}</li>\n" for c in clusters),
        "</ul></section>\n",
        '<section><h2>Query</h2>\n<ul>\n<li><a href="/queries">The query catalog</a>: '
        "competency questions with forms, results as tables, CSV and JSON</li>\n"
        '<li><a href="/editor">The SPARQL editor</a> (YASGUI)</li>\n'
        "<li>The SPARQL 1.1 endpoint: <code>/sparql</code></li>\n",
        '<li><a href="/index.html">Every resource, by class</a></li>\n</ul></section>\n',
    ]
    if stats:
        body.append("<section><h2>Statistics</h2>\n<table>\n")
        body += [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>\n" for k, v in stats]
        body.append("</table></section>\n")
    if (site.release / "ontology" / "index.html").is_file():
        body.append(
            '<section><h2>Ontology</h2>\n<p><a href="/ontology/index.html">'
            "Documentation of the ontology and its shapes</a></p></section>\n"
        )
    if files:
        body.append("<section><h2>Downloads</h2>\n<table>\n")
        body += [
            f'<tr><td><a href="/{quote(name)}">{esc(name)}</a></td><td>{size:,} bytes</td></tr>\n'
            for name, size in files
        ]
        body.append("</table></section>\n")
    body.append("</main>\n")
    return _html(html.page("clusterkg", "".join(body), opts))


def _void_statistics(site: Site) -> list[tuple[str, str]]:
    path = site.release / "void.ttl"
    if not path.is_file():
        return [("triples", f"{len(site.graph):,}")]
    void = Graph().parse(path, format="turtle")
    rows = []
    for name, prop in (
        ("triples", VOID.triples),
        ("entities", VOID.entities),
        ("classes", VOID.classes),
        ("properties", VOID.properties),
        ("distinct subjects", VOID.distinctSubjects),
        ("distinct objects", VOID.distinctObjects),
    ):
        values = sorted(
            int(v) for s in void.subjects(VOID.uriSpace, None) for v in void.objects(s, prop)
        )
        if values:
            rows.append((name, f"{values[-1]:,}"))
    return rows


def _downloads(release: Path) -> list[tuple[str, int]]:
    names = [
        "kg.ttl",
        "kg.nt",
        "kg.jsonld",
        "kg.trig",
        "inferred.ttl",
        "context.jsonld",
        "void.ttl",
        "catalog.ttl",
        "validation.ttl",
        "validation.txt",
        "CHANGES.md",
        "SHA256SUMS",
    ]
    return [(n, (release / n).stat().st_size) for n in names if (release / n).is_file()]


def catalog_page(site: Site, request: Request) -> Response:
    lang = reader_language(request)
    opts = options(site, lang)
    esc = html.escape
    rows = "".join(
        f'<tr><td><a href="/queries/{quote(q.name)}">{esc(q.name)}</a></td>'
        f"<td>{esc(q.summary)}</td><td>{esc(', '.join(p.name for p in q.params))}</td></tr>\n"
        for q in site.catalog.values()
    )
    body = (
        f"<header>\n{html.nav(opts)}<h1>Query catalog</h1>\n</header>\n<main>\n"
        "<table>\n<tr><th>query</th><th>question</th><th>parameters</th></tr>\n"
        f"{rows}</table>\n</main>\n"
    )
    return _html(html.page("Query catalog - clusterkg", body, opts))


async def catalog_query(site: Site, request: Request, run) -> Response:
    """``/queries/<name>``: summary, SPARQL, a form, and the results (HTML, CSV or JSON)."""
    query = site.catalog.get(request.path_params["name"])
    if query is None:
        return PlainTextResponse("no such query in the catalog\n", status_code=404)
    given = {
        k: v for k, v in request.query_params.items() if k not in ("format", "lang") and v != ""
    }
    if "lang" in request.query_params and any(p.name == "lang" for p in query.params):
        given["lang"] = request.query_params["lang"]
    fmt = request.query_params.get("format", "html")
    try:
        bound = bindings(query, given, Project(base=site.base))
        media = {
            "csv": "text/csv",
            "json": "application/sparql-results+json",
            "tsv": "text/tab-separated-values",
            "html": "application/sparql-results+json",
        }
        if fmt not in media:
            raise QueryRefused(400, "format must be html, csv, tsv or json")
        reply = await run(
            QueryRequest(
                query=query.text,
                format=media[fmt],
                max_rows=site.max_rows,
                bindings=tuple(sorted((str(k), v.n3()) for k, v in bound.items())),
            )
        )
    except QueryRefused as exc:
        return PlainTextResponse(exc.message + "\n", status_code=exc.status)
    except Exception as exc:  # a UsageError from a parameter: the reader's input
        return PlainTextResponse(f"{exc}\n", status_code=400)
    if fmt != "html":
        headers = {"X-Result-Truncated": "true"} if reply.truncated else {}
        return Response(reply.body, media_type=reply.content_type, headers=headers)
    return _html(_catalog_query_page(site, request, query, given, reply))


def _catalog_query_page(
    site: Site, request: Request, query: CatalogQuery, given: dict[str, str], reply
) -> str:
    lang = reader_language(request)
    opts = options(site, lang)
    esc = html.escape
    results = json.loads(reply.body)
    columns = results["head"].get("vars", [])
    fields = "".join(
        f'<p><label>{esc(p.name)} <input name="{esc(p.name)}" '
        f'value="{esc(given.get(p.name, p.default or ""))}"></label> '
        f'<span class="meta">{esc(p.type)}. {esc(p.description)}</span></p>\n'
        for p in query.params
    )
    shared = urlencode(sorted(given.items()))
    links = " · ".join(
        f'<a href="/queries/{quote(query.name)}?{esc(urlencode([*sorted(given.items()), ("format", f)]))}">{f.upper()}</a>'  # noqa: E501
        for f in ("csv", "json")
    )
    rows = []
    for binding in results["results"]["bindings"] if "results" in results else []:
        cells = []
        for column in columns:
            term = binding.get(column)
            if term is None:
                cells.append("<td></td>")
            elif term["type"] == "uri":
                cells.append(f"<td>{html.node_html(site.graph, URIRef(term['value']), opts)}</td>")
            else:
                cells.append(f"<td>{esc(term['value'])}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>\n")
    if "boolean" in results:
        rows.append(f"<tr><td>{'yes' if results['boolean'] else 'no'}</td></tr>\n")
    truncated = (
        '<p class="warning"><strong>The result was cut at the row limit.</strong></p>\n'
        if reply.truncated
        else ""
    )
    body = (
        f"<header>\n{html.nav(opts)}<h1>{esc(query.name)}</h1>\n<p>{esc(query.summary)}</p>\n"
        f'<p><a href="/queries">Query catalog</a></p>\n</header>\n<main>\n'
        f'<form method="get" action="/queries/{quote(query.name)}">\n{fields}'
        '<p><button type="submit">Run</button></p>\n</form>\n'
        f'<p>This result: <a href="/queries/{quote(query.name)}?{esc(shared)}">link</a> · '
        f"{links}</p>\n{truncated}"
        "<table>\n<tr>"
        + "".join(f"<th>{esc(c)}</th>" for c in columns)
        + "</tr>\n"
        + "".join(rows)
        + "</table>\n"
        f'<p class="meta">{len(rows)} rows</p>\n'
        f"<details><summary>SPARQL</summary>\n<pre>{esc(query.text)}</pre>\n</details>\n"
        "</main>\n"
    )
    return html.page(f"{query.name} - clusterkg", body, opts)


def editor(site: Site, request: Request) -> Response:
    """YASGUI, from this server's own static files, with the catalog as example queries."""
    examples = [{"name": q.name, "query": q.text} for q in site.catalog.values()]
    opts = dataclasses.replace(
        options(site, reader_language(request)), content_security_policy=EDITOR_CSP
    )
    body = (
        f"<header>\n{html.nav(opts)}<h1>SPARQL editor</h1>\n</header>\n"
        '<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">\n'
        '<div id="yasgui"></div>\n'
        '<script type="application/json" id="examples">'
        + json.dumps(examples).replace("<", "\\u003c")
        + "</script>\n"
        '<script src="/static/yasgui/yasgui.min.js"></script>\n'
        '<script src="/static/editor/editor.js"></script>\n'
    )
    return _html(html.page("SPARQL editor - clusterkg", body, opts), csp=EDITOR_CSP)
