"""HTML pages of the graph's resources: pure functions from (graph, IRI, options) to a string.

The static release (``pages``) and a live server render the same pages; they differ only in
where links point, which ``PageOptions.href`` decides. Everything taken from the data is escaped,
only ``http(s)`` IRIs ever become links, and a page loads nothing from elsewhere: the style is
inline and pinned by a Content-Security-Policy hash, and there are no scripts.

Reading order of a page: the labels (English, then Italian where present), the IRI and types,
every property with its values (inferred values marked), the resources linking to this one, the
quoted source lines it came from, and links to the same description in other formats.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape as _escape
from importlib.resources import files

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from . import graphindex
from .labels import label_index, per_graph

STYLE = files("clusterkg").joinpath("assets/pages/style.css").read_text(encoding="utf-8")
# Inline style allowed by its hash, nothing else: a page works offline and cannot run scripts
# even if an escaping bug let markup through.
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)

# Properties shown first, in this order; the rest follow alphabetically by label.
LEADING_PROPERTIES = (
    SKOS.prefLabel,
    RDFS.label,
    SKOS.altLabel,
    DCTERMS.title,
    SKOS.definition,
    DCTERMS.description,
    RDFS.comment,
)
LANGUAGES = ("en", "it")
SAFE_SCHEMES = ("http://", "https://")
# Characters HTML5 forbids in documents (C0/C1 controls except whitespace, noncharacters) and
# lone surrogates: shown as U+FFFD so that any literal still gives a valid page.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]"
    "|[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
# The page's own words, in the languages the data is labelled in (English when another is asked).
UI = {
    "en": {
        "type": "Type",
        "properties": "Properties",
        "none": "None.",
        "property": "property",
        "value": "value",
        "incoming": "Linked from",
        "resource": "resource",
        "source": "Source",
        "of": "of",
        "inferred": "inferred",
        "inferred_title": "inferred by OWL 2 RL reasoning",
        "formats": "This description as",
    },
    "it": {
        "type": "Tipo",
        "properties": "Proprietà",
        "none": "Nessuna.",
        "property": "proprietà",
        "value": "valore",
        "incoming": "Collegato da",
        "resource": "risorsa",
        "source": "Fonte",
        "of": "di",
        "inferred": "dedotto",
        "inferred_title": "dedotto dal ragionamento OWL 2 RL",
        "formats": "Questa descrizione in",
    },
}
# The properties pages look up, made once: rdflib makes a new term at each attribute access.
# (the very objects a GraphIndex keys its predicates by)
_TYPE, _DERIVED_FROM, _QUOTATION = graphindex.TYPE, graphindex.DERIVED_FROM, graphindex.QUOTATION
_EXCERPT_OF, _FIRST_LINE, _LAST_LINE = (
    graphindex.EXCERPT_OF,
    graphindex.FIRST_LINE,
    graphindex.LAST_LINE,
)
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_SPACE = re.compile(r"\s")  # what str.isspace() calls whitespace

Href = Callable[[URIRef], "str | None"]


def escape(text: object) -> str:
    """Text safe in HTML content and in double-quoted attributes."""
    text = str(text)
    if not text.isprintable():  # every forbidden character is unprintable: skip the search
        text = _FORBIDDEN.sub("\ufffd", text)
    return _escape(text, quote=True)


@lru_cache(maxsize=256)
def _escaped(text: str) -> str:
    """:func:`escape` of the words, media types and links every page repeats."""
    return escape(text)


def _table_section(
    name: str, options: PageOptions, columns: tuple[str, str], rows: list[str]
) -> str:
    """A page section (its id and heading both ``name``) holding a two-column table."""
    heads = "".join(f"<th>{_escaped(options.word(column))}</th>" for column in columns)
    return (
        f'<section id="{name}">\n<h2>{_escaped(options.word(name))}</h2>\n<table>\n'
        f"<thead><tr>{heads}</tr></thead>\n<tbody>\n"
        + "".join(rows)
        + "</tbody>\n</table>\n</section>\n"
    )


def external_href(iri: URIRef) -> str | None:
    """``iri`` itself when it may be a link (``http``/``https`` only), else ``None``."""
    text = str(iri)
    if text.lower().startswith(SAFE_SCHEMES) and _SPACE.search(text) is None:
        return text
    return None


@dataclass(frozen=True)
class PageOptions:
    """How to render: language, where links go, what is inferred, which formats exist.

    ``href`` maps an IRI to the link a page uses for it (a relative path in the static release,
    a server path in a live server) or ``None`` to fall back to the IRI itself, which becomes a
    link only if it is ``http(s)``. ``href`` results are trusted: return only safe URLs.
    A page asks ``href`` once for each IRI it mentions.
    """

    lang: str = "en"
    href: Href = external_href
    inferred: Graph | None = None
    formats: tuple[tuple[str, str, str], ...] = ()  # (name, media type, href)
    home: str | None = None  # the index page, linked from the header
    site_name: str = "clusterkg"
    languages: tuple[str, ...] = LANGUAGES
    source_line_href: Callable[[URIRef, int], str | None] | None = None
    extra_head: tuple[str, ...] = field(default=())  # trusted markup, e.g. alternate links
    # A live server's pages may submit forms or load its own scripts; static pages may not.
    content_security_policy: str = CONTENT_SECURITY_POLICY
    # IRI -> its markup, shared by pages that link alike (same href, language and graph), such
    # as the pages of one folder of a release: each IRI is then rendered once, not per page.
    rendered_iris: dict[URIRef, str] | None = None

    def link(self, iri: URIRef) -> str | None:
        return self.href(iri) or external_href(iri)

    def word(self, key: str) -> str:
        return UI.get(self.lang, UI["en"])[key]

    def is_inferred(self, triple: tuple[Node, Node, Node]) -> bool:
        return self.inferred is not None and triple in self.inferred


# ----------------------------------------------------------------------------- memo per graph


class _Names:
    """What every page of a graph says the same way about a node: its label, sort keys and
    escaped texts. One per graph (``labels.per_graph``), shared by all its pages and languages.
    """

    def __init__(self, graph: Graph) -> None:
        self.labels = label_index(graph)
        self.value_keys: dict[tuple[Node, str], tuple] = {}
        self.property_keys: dict[tuple[Node, str], tuple] = {}
        # (IRI, lang) -> (escaped IRI, title attribute or "", escaped label)
        self.anchors: dict[tuple[URIRef, str], tuple[str, str, str]] = {}

    def label(self, node: Node, lang: str) -> str:
        return self.labels.label(node, lang)

    def value_key(self, node: Node, lang: str) -> tuple:
        if isinstance(node, Literal):  # seldom shown twice: not worth keeping
            return _value_key(node, str(node))
        key = (node, lang)
        found = self.value_keys.get(key)
        if found is None:
            found = self.value_keys[key] = _value_key(node, self.labels.label(node, lang))
        return found

    def property_key(self, prop: Node, lang: str) -> tuple:
        key = (prop, lang)
        found = self.property_keys.get(key)
        if found is None:
            if prop in LEADING_PROPERTIES:
                found = (0, LEADING_PROPERTIES.index(prop), "", str(prop))
            else:
                found = (1, 0, self.labels.label(prop, lang).casefold(), str(prop))
            self.property_keys[key] = found
        return found

    def anchor(self, iri: URIRef, lang: str) -> tuple[str, str, str]:
        key = (iri, lang)
        found = self.anchors.get(key)
        if found is None:
            name = self.labels.label(iri, lang)
            text = escape(iri)
            title = "" if name == str(iri) else f' title="{text}"'
            found = self.anchors[key] = (text, title, escape(name))
        return found


def _value_key(node: Node, name: str) -> tuple:
    # n3() would raise on IRIs rdflib finds invalid; the page must still render them (as text)
    language = getattr(node, "language", None) or ""
    datatype = str(getattr(node, "datatype", None) or "")
    return (name.casefold(), str(node), type(node).__name__, language, datatype)


def _names(graph: Graph) -> _Names:
    return per_graph(graph, "html", _Names)


class _Page:
    """Renders the parts of one page: the graph's memo plus what this page's options decide
    (each IRI's link, asked of ``options.href`` once)."""

    def __init__(self, graph: Graph, options: PageOptions) -> None:
        self.graph = graph
        self.options = options
        self.lang = options.lang
        self.names = _names(graph)
        self.iris = {} if options.rendered_iris is None else options.rendered_iris
        self._badge: str | None = None

    # --- small pieces

    def node(self, node: Node) -> str:
        if isinstance(node, Literal):
            return self.literal(node)
        if not isinstance(node, URIRef):
            return f"<code>{escape(node.n3())}</code>"
        found = self.iris.get(node)
        if found is None:
            link = self.options.link(node)
            text, title, name = self.names.anchor(node, self.lang)
            if link is None:
                found = f"<code>{text}</code>"
            else:
                found = f'<a href="{escape(link)}"{title}>{name}</a>'
            self.iris[node] = found
        return found

    def literal(self, value: Literal) -> str:
        text = escape(value)
        tag = value.language
        if tag:
            if _LANG_TAG.match(tag):
                span = f'<span class="literal" lang="{escape(tag)}">{text}</span>'
            else:
                span = f'<span class="literal">{text}</span>'
            return f'{span} <span class="meta">@{escape(tag)}</span>'
        span = f'<span class="literal">{text}</span>'
        if value.datatype is not None:
            datatype = escape(self.names.labels.compact(value.datatype))
            return f'{span} <span class="meta">{datatype}</span>'
        return span

    def badge(self, inferred: bool) -> str:
        if not inferred:
            return ""
        if self._badge is None:
            title = escape(self.options.word("inferred_title"))
            text = escape(self.options.word("inferred"))
            self._badge = f'<span class="badge" title="{title}">{text}</span>'
        return self._badge

    def inferred_from(self, iri: URIRef) -> set[tuple[Node, Node]]:
        """(property, value) of the inferred triples about ``iri``."""
        inferred = self.options.inferred
        return set() if inferred is None else set(inferred.predicate_objects(iri))

    def inferred_to(self, iri: URIRef) -> set[tuple[Node, Node]]:
        """(subject, property) of the inferred triples pointing to ``iri``."""
        inferred = self.options.inferred
        return set() if inferred is None else set(inferred.subject_predicates(iri))

    def value_key(self, node: Node) -> tuple:
        return self.names.value_key(node, self.lang)

    def property_key(self, prop: Node) -> tuple:
        return self.names.property_key(prop, self.lang)

    # --- the resource page

    def resource(self, iri: URIRef) -> str:
        graph, options, lang = self.graph, self.options, self.lang
        labels = self.names.labels
        title = labels.label(iri, lang)
        others = [
            (other, text)
            for other in options.languages
            if other != lang
            for text in labels.labels_in(iri, other)
            if text != title
        ]
        parts = ["<header>\n", nav(options), f"<h1>{escape(title)}</h1>\n"]
        for other, text in others:
            parts.append(f'<p class="alt" lang="{escape(other)}">{escape(text)}</p>\n')
        link = external_href(iri)
        iri_html = f'<a href="{escape(link)}">{escape(iri)}</a>' if link else escape(iri)
        parts.append(f'<p class="iri"><code>{iri_html}</code></p>\n')
        inferred = self.inferred_from(iri)
        types = sorted(graph.objects(iri, _TYPE), key=self.value_key)
        if types:
            items = ", ".join(self.node(t) + self.badge((_TYPE, t) in inferred) for t in types)
            parts.append(f"<p>{_escaped(options.word('type'))}: {items}</p>\n")
        parts.append("</header>\n<main>\n")
        parts.append(self.properties(iri, inferred))
        parts.append(self.incoming(iri))
        parts.append(self.sources(iri))
        parts.append("</main>\n")
        parts.append(formats_html(options))
        return page(f"{title} - {options.site_name}", "".join(parts), options)

    def properties(self, iri: URIRef, inferred: set[tuple[Node, Node]] | None = None) -> str:
        options = self.options
        by_property: dict[Node, list[Node]] = defaultdict(list)
        for prop, value in self.graph.predicate_objects(iri):
            if prop != _TYPE:
                by_property[prop].append(value)
        if not by_property:
            return (
                f'<section id="properties">\n<h2>{_escaped(options.word("properties"))}</h2>\n'
                f"<p>{_escaped(options.word('none'))}</p>\n</section>\n"
            )
        if inferred is None:
            inferred = self.inferred_from(iri)
        node, badge = self.node, self.badge
        rows = []
        for prop in sorted(by_property, key=self.property_key):
            items = []
            values = by_property[prop]
            for value in sorted(set(values), key=self.value_key) if len(values) > 1 else values:
                if (prop, value) in inferred:
                    items.append(f'<li class="inferred">{node(value)}{badge(True)}</li>')
                else:
                    items.append(f"<li>{node(value)}</li>")
            rows.append(f"<tr><th>{node(prop)}</th><td><ul>{''.join(items)}</ul></td></tr>\n")
        return _table_section("properties", options, ("property", "value"), rows)

    def incoming(self, iri: URIRef) -> str:
        property_key, value_key = self.property_key, self.value_key
        rows = sorted(
            self.graph.subject_predicates(iri),
            key=lambda sp: (property_key(sp[1]), value_key(sp[0])),
        )
        if not rows:
            return ""
        options, node = self.options, self.node
        inferred = self.inferred_to(iri)
        body = []
        for subject, prop in rows:
            is_inferred = (subject, prop) in inferred
            cls = ' class="inferred"' if is_inferred else ""
            body.append(
                f"<tr{cls}><td>{node(subject)}</td>"
                f"<td>{node(prop)}{self.badge(is_inferred)}</td></tr>\n"
            )
        return _table_section("incoming", options, ("resource", "property"), body)

    def sources(self, iri: URIRef) -> str:
        graph, options = self.graph, self.options
        line_href = options.source_line_href
        figures = []
        for excerpt, document, first, _ in _excerpts(graph, iri):
            first = max(_int(first), 1)
            quotation = graph.value(excerpt, _QUOTATION)
            lines = str(quotation).split("\n") if quotation is not None else []
            caption = self.node(excerpt)
            if isinstance(document, URIRef):
                caption += f" {_escaped(options.word('of'))} {self.node(document)}"
            items = []
            for number, text in enumerate(lines, start=first):
                content = escape(text) if text else "\u00a0"
                href = line_href and line_href(document, number)
                if href:
                    content = f'<a href="{escape(href)}">{content}</a>'
                items.append(f'<li value="{number}">{content}</li>')
            figures.append(
                f"<figure>\n<figcaption>{caption}</figcaption>\n"
                f'<ol class="source" start="{first}">{"".join(items)}</ol>\n</figure>\n'
            )
        if not figures:
            return ""
        heading = _escaped(options.word("source"))
        return f'<section id="sources">\n<h2>{heading}</h2>\n' + "".join(figures) + "</section>\n"


# ----------------------------------------------------------------------------- small pieces


def literal_html(value: Literal, graph: Graph) -> str:
    """A literal as text, with its language (``lang`` attribute) or datatype shown."""
    return _Page(graph, PageOptions()).literal(value)


def node_html(graph: Graph, node: Node, options: PageOptions) -> str:
    """A node as its label, linked where it may be; IRIs that may not be links show as text."""
    return _Page(graph, options).node(node)


def labels_in(graph: Graph, node: Node, lang: str) -> list[str]:
    """Every preferred label (else ``rdfs:label``) of ``node`` in ``lang``, sorted."""
    return label_index(graph).labels_in(node, lang)


def page(title: str, body: str, options: PageOptions, lang: str | None = None) -> str:
    head = "\n".join(options.extra_head)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_escaped(lang or options.lang)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" '
        f'content="{_escaped(options.content_security_policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)}</title>\n"
        + (head + "\n" if head else "")
        + f"<style>{STYLE}</style>\n"
        "</head>\n"
        "<body>\n"
        f"{body}"
        "</body>\n"
        "</html>\n"
    )


def nav(options: PageOptions) -> str:
    if options.home is None:
        return f"<nav>{_escaped(options.site_name)}</nav>\n"
    return f'<nav><a href="{_escaped(options.home)}">{_escaped(options.site_name)}</a></nav>\n'


# ----------------------------------------------------------------------------- resource page


def resource_page(graph: Graph, iri: URIRef, options: PageOptions | None = None) -> str:
    """The HTML page of ``iri``: labels, types, properties, incoming links, source lines.

    What does not depend on the page (labels, sort keys) is worked out once per graph and
    reused by every page of it: render from a graph that does not change meanwhile.
    """
    return _Page(graph, options or PageOptions()).resource(iri)


def properties_html(graph: Graph, iri: URIRef, options: PageOptions) -> str:
    """A table of every outgoing property but ``rdf:type`` (shown in the header)."""
    return _Page(graph, options).properties(iri)


def incoming_html(graph: Graph, iri: URIRef, options: PageOptions) -> str:
    """A table of the resources that point to ``iri``, by property."""
    return _Page(graph, options).incoming(iri)


def excerpts(graph: Graph, iri: URIRef) -> list[URIRef]:
    """The source excerpts ``iri`` was derived from, in document and line order."""
    return [row[0] for row in _excerpts(graph, iri)]


def _excerpts(graph: Graph, iri: URIRef) -> list[tuple[URIRef, Node, Node | None, Node | None]]:
    """(excerpt, document, first line, last line) of ``excerpts(graph, iri)``, in its order."""
    rows = []
    for excerpt in set(graph.objects(iri, _DERIVED_FROM)):
        if not isinstance(excerpt, URIRef):
            continue
        document = graph.value(excerpt, _EXCERPT_OF)
        if document is None:
            continue
        first = graph.value(excerpt, _FIRST_LINE)
        last = graph.value(excerpt, _LAST_LINE)
        rows.append((excerpt, document, first, last))
    rows.sort(key=lambda row: (str(row[1]), _int(row[2]), _int(row[3]), str(row[0])))
    return rows


def _int(value: Node | None) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def sources_html(graph: Graph, iri: URIRef, options: PageOptions) -> str:
    """The quoted source lines ``iri`` came from, numbered, each range linked to its document."""
    return _Page(graph, options).sources(iri)


def formats_html(options: PageOptions) -> str:
    if not options.formats:
        return ""
    links = " · ".join(
        f'<a href="{escape(href)}" type="{_escaped(media)}">{_escaped(name)}</a>'
        for name, media, href in options.formats
    )
    return f"<footer>\n<p>{_escaped(options.word('formats'))} {links}.</p>\n</footer>\n"


# ----------------------------------------------------------------------------- index page


def index_page(
    graph: Graph,
    resources: Iterable[URIRef],
    options: PageOptions | None = None,
    title: str = "Resources",
    intro: str = "",
) -> str:
    """A page listing ``resources`` by class (asserted types; inferred ones only if none)."""
    options = options or PageOptions()
    lang = options.lang
    renderer = _Page(graph, options)
    names = renderer.names
    inferred = options.inferred
    by_class: dict[Node, set[URIRef]] = defaultdict(set)
    for resource in resources:
        types = list(graph.objects(resource, _TYPE))
        if inferred is not None and types:
            guessed = set(inferred.objects(resource, _TYPE))
            asserted = [t for t in types if t not in guessed]
        else:
            asserted = types
        for cls in asserted or types or [RDFS.Resource]:
            by_class[cls].add(resource)
    value_key = renderer.value_key
    sections = []
    for cls in sorted(by_class, key=value_key):
        members = sorted(by_class[cls], key=value_key)
        items = "".join(f"<li>{renderer.node(r)}</li>\n" for r in members)
        anchor = escape(names.labels.compact(cls).replace(":", "-").strip("<>"))
        sections.append(
            f'<section id="{anchor}">\n<h2>{escape(names.label(cls, lang))} '
            f'<span class="meta">{len(members)}</span></h2>\n<ul>\n{items}</ul>\n</section>\n'
        )
    body = (
        f"<header>\n{nav(options)}<h1>{escape(title)}</h1>\n"
        + (f"<p>{escape(intro)}</p>\n" if intro else "")
        + "</header>\n<main>\n"
        + "".join(sections)
        + "</main>\n"
        + formats_html(options)
    )
    return page(f"{title} - {options.site_name}", body, options)
