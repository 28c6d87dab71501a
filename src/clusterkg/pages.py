"""Publish stage: static linked data, one set of documents per resource, and the
content-negotiation rules that make the IRIs dereference from plain static hosting.

The layout follows the W3C "Best Practice Recipes for Publishing RDF Vocabularies" and "Cool
URIs for the Semantic Web" (303 See Other, slash IRIs): the thing ``<base>id/cluster/x`` is
described by the document ``<base>doc/cluster/x``, whose variants are files of the release::

    doc/cluster/x.html     the page for people
    doc/cluster/x.ttl      Turtle           } the same description: outgoing triples (asserted
    doc/cluster/x.jsonld   JSON-LD          } and inferred), incoming links, the labels of every
    doc/cluster/x.nt       N-Triples        } linked resource, and the quoted source lines
    doc/cluster/x.var      Apache type map: the variants above, for content negotiation

A resource nested under another (``id/cluster/x/synergy-1``) gets ``doc/cluster/x/synergy-1.*``
beside ``doc/cluster/x.*``: a file and a folder of the same stem never collide. ``.htaccess``
(Apache) and ``nginx.conf`` (nginx) answer ``GET /id/...`` with 303 to ``/doc/...`` and pick the
variant by ``Accept``; ``index.html`` lists every resource by class. Links between pages are
relative, so the folder also works offline and from any host or sub-path.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import posixpath
import re
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from importlib.resources import files
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.namespace import FOAF

from . import export, html
from .labels import LABEL_PROPERTIES
from .pipeline import Checked

# Variants of every document: suffix, media type, name shown in pages, Apache ``qs``. Apache
# ranks a variant by the client's q times its qs: values this close only break ties (HTML for
# ``*/*``) and never override a client's stated preference.
VARIANTS = (
    ("html", "text/html", "HTML", "1.0"),
    ("ttl", "text/turtle", "Turtle", "0.99"),
    ("jsonld", "application/ld+json", "JSON-LD", "0.98"),
    ("nt", "application/n-triples", "N-Triples", "0.97"),
)
# Plain-JSON clients get the JSON-LD file (Apache only; it is served as application/ld+json).
JSON_FALLBACK = ("jsonld", "application/json", "0.5")
# Release file -> (asset in assets/pages, description). The asset has no leading dot so that
# packaging globs, which skip hidden files, keep it.
HOSTING_FILES = {
    ".htaccess": (
        "apache.htaccess",
        "Apache rules: 303 from id/ to doc/, content negotiation, media types",
    ),
    "nginx.conf": (
        "nginx.conf",
        "the same rules for nginx (a map and a server block to include in http {})",
    ),
}
# One path segment of a publishable IRI: characters that need no escaping in a URL path or
# on any file system, not starting with a dot (no "..", no hidden files).
_SEGMENT = r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*"
_PATH = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_RESERVED_SUFFIXES = (*(f".{suffix}" for suffix, *_ in VARIANTS), ".var")


def document_path(iri: URIRef, base: str) -> str | None:
    """``doc/<path>`` for ``<base>id/<path>``, or ``None`` if ``iri`` gets no documents.

    IRIs with a query, a fragment, dot segments or characters that would need escaping are
    left out (they stay in the dumps), and so are those ending in a variant's suffix, which
    would be mistaken for a variant of another document.
    """
    prefix = f"{base}id/"
    if not isinstance(iri, URIRef) or not iri.startswith(prefix):
        return None
    path = iri[len(prefix) :]
    if not _PATH.fullmatch(path) or path.endswith(_RESERVED_SUFFIXES):
        return None
    return f"doc/{path}"


def resources(graph: Graph, base: str) -> list[URIRef]:
    """Every IRI of ``graph`` (subject or object) that gets documents, in IRI order."""
    nodes = {t for triple in graph for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
    return sorted(n for n in nodes if document_path(n, base) is not None)


def description(graph: Graph, iri: URIRef) -> set[tuple]:
    """What the documents of ``iri`` say: its outgoing and incoming triples, the labels of
    every resource it links to or is linked from, and the source excerpts it was derived from.
    """
    out = {*graph.triples((iri, None, None)), *graph.triples((None, None, iri))}
    for excerpt in html.excerpts(graph, iri):
        out.update(graph.triples((excerpt, None, None)))
    linked = {t for s, _, o in out for t in (s, o) if isinstance(t, URIRef) and t != iri}
    for node in sorted(linked):
        for prop in LABEL_PROPERTIES:
            out.update(graph.triples((node, prop, None)))
    return out


def relative(from_file: str, to_file: str) -> str:
    """The URL of release path ``to_file`` relative to the page at ``from_file``."""
    return _relative(posixpath.dirname(from_file), to_file)


@lru_cache(maxsize=1 << 16)
def _relative(from_folder: str, to_file: str) -> str:
    # relpath asks the OS for the working directory on every call: memoised, pages link the
    # same few targets from the same few folders thousands of times.
    return quote(posixpath.relpath(to_file, from_folder or "."), safe="/")


def static_options(base: str, page: str, inferred: Graph | None = None) -> html.PageOptions:
    """Render options for the static page at release path ``page``: relative links only."""
    source_prefix = f"{base}source/"

    def href(iri: URIRef) -> str | None:
        doc = document_path(iri, base)
        if doc is not None:
            return relative(page, f"{doc}.html")
        if iri.startswith(source_prefix):
            name, _, fragment = iri[len(source_prefix) :].partition("#")
            if "/" in name or not name:
                return None
            return relative(page, f"source/{name}") + (
                f"#{quote(fragment, safe='=,')}" if fragment else ""
            )
        return None

    def source_line_href(document: URIRef, number: int) -> str | None:
        link = href(document)
        return f"{link}#line={number - 1},{number}" if link else None

    stem = posixpath.basename(page).rsplit(".", 1)[0]
    formats = tuple((name, media, f"{stem}.{suffix}") for suffix, media, name, _ in VARIANTS)
    return html.PageOptions(
        href=href,
        inferred=inferred,
        formats=formats if page.startswith("doc/") else (),
        home=relative(page, "index.html"),
        source_line_href=source_line_href,
        extra_head=tuple(
            f'<link rel="alternate" type="{media}" href="{html.escape(link)}">'
            for name, media, link in formats[1:]
        )
        if page.startswith("doc/")
        else (),
    )


def type_map(stem: str) -> bytes:
    """An Apache type map (mod_negotiation) listing the variants of document ``stem``."""
    rows = [(suffix, media, qs) for suffix, media, _, qs in VARIANTS] + [JSON_FALLBACK]
    entries = [
        f"URI: {stem}.{suffix}\nContent-Type: {media}; qs={qs}\n" for suffix, media, qs in rows
    ]
    return "\n".join(entries).encode("utf-8")


def hosting_file(name: str) -> bytes:
    """One of the content-negotiation files shipped in ``assets/pages``."""
    return files("clusterkg").joinpath(f"assets/pages/{name}").read_bytes()


# From this many resources on, documents are written by one process per CPU: below it, starting
# the processes costs more than it saves.
PARALLEL_FROM = 2000
_shared: Checked | None = None  # what forked workers render from (they inherit it, unpickled)


def release_files(checked: Checked) -> dict[str, tuple[bytes, str]]:
    """Release files this stage adds, by path inside the release: (bytes, description)."""
    base = checked.project.base
    graph = checked.data_graph()
    inferred = checked.inference.inferred
    listed = resources(graph, base)
    contents: dict[str, tuple[bytes, str]] = {}
    for part in _in_processes(checked, listed):
        contents.update(part)
    index = html.index_page(
        graph,
        listed,
        static_options(base, "index.html", inferred),
        title="Resources of the knowledge graph",
        intro=f"Every resource under {base}id/, by class. Each page links to the same "
        "description in Turtle, JSON-LD and N-Triples.",
    )
    contents["index.html"] = (index.encode("utf-8"), "every resource, by class")
    for name, (asset, text) in HOSTING_FILES.items():
        contents[name] = (hosting_file(asset), text)
    return contents


def documents(checked: Checked, iris: list[URIRef]) -> dict[str, tuple[bytes, str]]:
    """The documents of each resource in ``iris``: the page and the description's variants."""
    base = checked.project.base
    graph = checked.data_graph()
    inferred = checked.inference.inferred
    contents: dict[str, tuple[bytes, str]] = {}
    for iri in iris:
        doc = document_path(iri, base)
        assert doc is not None
        stem = posixpath.basename(doc)
        described = {*description(graph, iri), (URIRef(f"{base}{doc}"), FOAF.primaryTopic, iri)}
        page = html.resource_page(graph, iri, static_options(base, f"{doc}.html", inferred))
        contents[f"{doc}.html"] = (page.encode("utf-8"), f"the page of {iri}")
        lines = export.ntriples(described)
        contents[f"{doc}.ttl"] = (
            export.turtle_of_ntriples(lines, base),
            f"the description of {iri} (Turtle)",
        )
        contents[f"{doc}.jsonld"] = (
            export.jsonld(described, base),
            f"the description of {iri} (JSON-LD)",
        )
        contents[f"{doc}.nt"] = (lines, f"the description of {iri} (N-Triples)")
        contents[f"{doc}.var"] = (type_map(stem), f"the variants of {base}{doc} (Apache type map)")
    return contents


def _in_processes(checked: Checked, iris: list[URIRef]) -> list[dict[str, tuple[bytes, str]]]:
    """:func:`documents` of ``iris``, split in runs over one forked process per CPU.

    Each process renders a contiguous run of ``iris`` and the runs come back in order, so the
    result is the one a single process gives. Forking shares the graph without copying it;
    where processes cannot fork, or there are few resources, one process does it all.
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(iris) < PARALLEL_FROM or workers < 2 or "fork" not in mp.get_all_start_methods():
        return [documents(checked, iris)]
    global _shared
    size = -(-len(iris) // workers)
    runs = [iris[i : i + size] for i in range(0, len(iris), size)]
    _shared = checked
    try:
        with ProcessPoolExecutor(len(runs), mp_context=mp.get_context("fork")) as pool:
            return list(pool.map(_documents_of_shared, runs))
    finally:
        _shared = None


def _documents_of_shared(iris: list[URIRef]) -> dict[str, tuple[bytes, str]]:
    assert _shared is not None  # set by _in_processes before forking
    return documents(_shared, iris)
