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

import posixpath
import re
from functools import lru_cache
from importlib.resources import files
from typing import NamedTuple
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.namespace import FOAF

from . import export, html
from .graphindex import GraphIndex
from .labels import LABEL_PROPERTIES, per_graph
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


@lru_cache(maxsize=1 << 18)  # pages ask it for every link: the same IRIs, thousands of times
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


def resources(graph: Graph | GraphIndex, base: str) -> list[URIRef]:
    """Every IRI of ``graph`` (subject or object) that gets documents, in IRI order."""
    if isinstance(graph, GraphIndex):
        nodes = graph.iris()
    else:
        nodes = {t for triple in graph for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
    return sorted((n for n in nodes if document_path(n, base) is not None), key=str)


def description(graph: Graph | GraphIndex, iri: URIRef) -> set[tuple]:
    """What the documents of ``iri`` say: its outgoing and incoming triples, the labels of
    every resource it links to or is linked from, and the source excerpts it was derived from.
    """
    out = {(iri, p, o) for p, o in graph.predicate_objects(iri)}
    out.update((s, p, iri) for s, p in graph.subject_predicates(iri))
    for excerpt in html.excerpts(graph, iri):
        out.update((excerpt, p, o) for p, o in graph.predicate_objects(excerpt))
    linked = {t for s, _, o in out for t in (s, o) if isinstance(t, URIRef)}
    linked.discard(iri)
    for node in linked:
        for prop in LABEL_PROPERTIES:
            out.update((node, prop, o) for o in graph.objects(node, prop))
    return out


def relative(from_file: str, to_file: str) -> str:
    """The URL of release path ``to_file`` relative to the page at ``from_file``."""
    return _relative(posixpath.dirname(from_file), to_file)


@lru_cache(maxsize=1 << 16)  # pages link the same targets from the same folders many times
def _relative(from_folder: str, to_file: str) -> str:
    # posixpath.relpath, without the working directory it asks the OS for on every call: both
    # paths are inside the release, so any common root gives the same answer
    start = [part for part in posixpath.normpath(f"/{from_folder}").split("/") if part]
    path = [part for part in posixpath.normpath(f"/{to_file}").split("/") if part]
    common = len(posixpath.commonprefix([start, path]))
    parts = [posixpath.pardir] * (len(start) - common) + path[common:]
    return quote("/".join(parts) or posixpath.curdir, safe="/")


def static_options(
    base: str,
    page: str,
    inferred: Graph | GraphIndex | None = None,
    rendered_iris: dict[URIRef, str] | None = None,
) -> html.PageOptions:
    """Render options for the static page at release path ``page``: relative links only.

    ``rendered_iris`` is shared by the pages of one folder rendered from one graph
    (see :class:`html.PageOptions`).
    """
    folder = posixpath.dirname(page)

    def href(iri: URIRef) -> str | None:
        return _static_href(iri, base, folder)

    def source_line_href(document: URIRef, number: int) -> str | None:
        link = _static_href(document, base, folder)
        return f"{link}#line={number - 1},{number}" if link else None

    stem = posixpath.basename(page).rsplit(".", 1)[0]
    formats = tuple((name, media, f"{stem}.{suffix}") for suffix, media, name, _ in VARIANTS)
    return html.PageOptions(
        href=href,
        inferred=inferred,
        rendered_iris=rendered_iris,
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


@lru_cache(maxsize=1 << 17)  # pages of one folder link the same resources over and over
def _static_href(iri: URIRef, base: str, folder: str) -> str | None:
    """The link from a page in release folder ``folder`` to ``iri``'s page or source file."""
    doc = document_path(iri, base)
    if doc is not None:
        return _relative(folder, f"{doc}.html")
    source_prefix = f"{base}source/"
    if iri.startswith(source_prefix):
        name, _, fragment = iri[len(source_prefix) :].partition("#")
        if "/" in name or not name:
            return None
        return _relative(folder, f"source/{name}") + (
            f"#{quote(fragment, safe='=,')}" if fragment else ""
        )
    return None


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


Indexes = tuple[GraphIndex, GraphIndex]  # the data graph's and the inferred one's
# Resources per run when the documents are made in runs (``runs``): each run's files can go to
# disk while the next runs are made (a writer that waited for all of them would start last).
RUN = 1000


def release_files(checked: Checked) -> dict[str, tuple[bytes, str]]:
    """Release files this stage adds, by path inside the release: (bytes, description).

    The build makes the same files, in the same order, from :func:`runs` of :func:`documents`
    made by several processes, then :func:`index_files`.
    """
    listed = listed_resources(checked)
    return {**documents(checked, listed), **index_files(checked, listed)}


def listed_resources(checked: Checked) -> list[URIRef]:
    """The resources that get documents, in IRI order."""
    return resources(checked.data_index(), checked.project.base)


def runs(listed: list[URIRef]) -> list[list[URIRef]]:
    """``listed`` in runs of at most :data:`RUN` resources."""
    return [listed[i : i + RUN] for i in range(0, len(listed), RUN)]


def index_files(checked: Checked, listed: list[URIRef]) -> dict[str, tuple[bytes, str]]:
    """The index page of the ``listed`` resources, and the hosting files."""
    graph, inferred = indexes(checked)
    base = checked.project.base
    index = html.index_page(
        graph,
        listed,
        static_options(base, "index.html", inferred),
        title="Resources of the knowledge graph",
        intro=f"Every resource under {base}id/, by class. Each page links to the same "
        "description in Turtle, JSON-LD and N-Triples.",
    )
    files = {"index.html": (index.encode("utf-8"), "every resource, by class")}
    for name, (asset, text) in HOSTING_FILES.items():
        files[name] = (hosting_file(asset), text)
    return files


def indexes(checked: Checked) -> Indexes:
    """The data graph and the inferred graph, indexed for the pages."""
    return checked.data_index(), checked.inferred_index()


class _DocumentsMemo(NamedTuple):
    """What the documents of one graph's resources share: their terms' forms in each format,
    and by folder the markup of the IRIs its pages link."""

    writer: export.DescriptionWriter
    rendered: dict[str, dict[URIRef, str]]

    @classmethod
    def new(cls, base: str) -> _DocumentsMemo:
        return cls(export.DescriptionWriter(base), {})


def documents(checked: Checked, iris: list[URIRef]) -> dict[str, tuple[bytes, str]]:
    """The documents of each resource in ``iris``: the page and the description's variants."""
    base = checked.project.base
    graph, inferred = indexes(checked)
    # Kept from one run to the next in this process: the resources of a run link many that
    # the previous runs' pages link (names, classes, properties, the cluster...).
    writer, rendered = per_graph(graph, f"documents {base}", lambda _: _DocumentsMemo.new(base))
    contents: dict[str, tuple[bytes, str]] = {}
    for iri in iris:
        doc = document_path(iri, base)
        assert doc is not None
        stem = posixpath.basename(doc)
        described = {*description(graph, iri), (URIRef(f"{base}{doc}"), FOAF.primaryTopic, iri)}
        shared = rendered.setdefault(posixpath.dirname(doc), {})
        options = static_options(base, f"{doc}.html", inferred, shared)
        page = html.resource_page(graph, iri, options)
        contents[f"{doc}.html"] = (page.encode("utf-8"), f"the page of {iri}")
        lines, turtle, jsonld = writer.write(described)
        contents[f"{doc}.ttl"] = (turtle, f"the description of {iri} (Turtle)")
        contents[f"{doc}.jsonld"] = (jsonld, f"the description of {iri} (JSON-LD)")
        contents[f"{doc}.nt"] = (lines, f"the description of {iri} (N-Triples)")
        contents[f"{doc}.var"] = (type_map(stem), f"the variants of {base}{doc} (Apache type map)")
    return contents
