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
from html import escape as _escape
from importlib.resources import files

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node

from .labels import LABEL_PROPERTIES, compact, label
from .project import CKG

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
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

Href = Callable[[URIRef], "str | None"]


def escape(text: object) -> str:
    """Text safe in HTML content and in double-quoted attributes."""
    return _escape(_FORBIDDEN.sub("\ufffd", str(text)), quote=True)


def external_href(iri: URIRef) -> str | None:
    """``iri`` itself when it may be a link (``http``/``https`` only), else ``None``."""
    text = str(iri)
    if text.lower().startswith(SAFE_SCHEMES) and not any(c.isspace() for c in text):
        return text
    return None


@dataclass(frozen=True)
class PageOptions:
    """How to render: language, where links go, what is inferred, which formats exist.

    ``href`` maps an IRI to the link a page uses for it (a relative path in the static release,
    a server path in a live server) or ``None`` to fall back to the IRI itself, which becomes a
    link only if it is ``http(s)``. ``href`` results are trusted: return only safe URLs.
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

    def link(self, iri: URIRef) -> str | None:
        return self.href(iri) or external_href(iri)

    def word(self, key: str) -> str:
        return UI.get(self.lang, UI["en"])[key]

    def is_inferred(self, triple: tuple[Node, Node, Node]) -> bool:
        return self.inferred is not None and triple in self.inferred


# ----------------------------------------------------------------------------- small pieces


def literal_html(value: Literal, graph: Graph) -> str:
    """A literal as text, with its language (``lang`` attribute) or datatype shown."""
    text = f'<span class="literal">{escape(value)}</span>'
    if value.language:
        tag = value.language
        if _LANG_TAG.match(tag):
            text = f'<span class="literal" lang="{escape(tag)}">{escape(value)}</span>'
        return f'{text} <span class="meta">@{escape(tag)}</span>'
    if value.datatype is not None:
        return f'{text} <span class="meta">{escape(compact(graph, value.datatype))}</span>'
    return text


def node_html(graph: Graph, node: Node, options: PageOptions) -> str:
    """A node as its label, linked where it may be; IRIs that may not be links show as text."""
    if isinstance(node, Literal):
        return literal_html(node, graph)
    if not isinstance(node, URIRef):
        return f"<code>{escape(node.n3())}</code>"
    name = label(graph, node, options.lang)
    href = options.link(node)
    if href is None:
        return f"<code>{escape(node)}</code>"
    title = "" if name == str(node) else f' title="{escape(node)}"'
    return f'<a href="{escape(href)}"{title}>{escape(name)}</a>'


def _badge(inferred: bool, options: PageOptions) -> str:
    if not inferred:
        return ""
    title, text = escape(options.word("inferred_title")), escape(options.word("inferred"))
    return f'<span class="badge" title="{title}">{text}</span>'


def labels_in(graph: Graph, node: Node, lang: str) -> list[str]:
    """Every preferred label (else ``rdfs:label``) of ``node`` in ``lang``, sorted."""
    for prop in LABEL_PROPERTIES:
        found = sorted(
            str(v)
            for v in graph.objects(node, prop)
            if isinstance(v, Literal) and v.language == lang
        )
        if found:
            return found
    return []


def _value_key(graph: Graph, node: Node, lang: str) -> tuple:
    # n3() would raise on IRIs rdflib finds invalid; the page must still render them (as text)
    language = getattr(node, "language", None) or ""
    datatype = str(getattr(node, "datatype", None) or "")
    return (label(graph, node, lang).casefold(), str(node), type(node).__name__, language, datatype)


def _property_key(graph: Graph, prop: URIRef, lang: str) -> tuple:
    if prop in LEADING_PROPERTIES:
        return (0, LEADING_PROPERTIES.index(prop), "", str(prop))
    return (1, 0, label(graph, prop, lang).casefold(), str(prop))


def page(title: str, body: str, options: PageOptions, lang: str | None = None) -> str:
    head = "\n".join(options.extra_head)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang or options.lang)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" '
        f'content="{escape(options.content_security_policy)}">\n'
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
        return f"<nav>{escape(options.site_name)}</nav>\n"
    return f'<nav><a href="{escape(options.home)}">{escape(options.site_name)}</a></nav>\n'


# ----------------------------------------------------------------------------- resource page


def resource_page(graph: Graph, iri: URIRef, options: PageOptions | None = None) -> str:
    """The HTML page of ``iri``: labels, types, properties, incoming links, source lines."""
    options = options or PageOptions()
    lang = options.lang
    title = label(graph, iri, lang)
    others = [
        (other, text)
        for other in options.languages
        if other != lang
        for text in labels_in(graph, iri, other)
        if text != title
    ]
    parts = ["<header>\n", nav(options), f"<h1>{escape(title)}</h1>\n"]
    for other, text in others:
        parts.append(f'<p class="alt" lang="{escape(other)}">{escape(text)}</p>\n')
    link = external_href(iri)
    iri_html = f'<a href="{escape(link)}">{escape(iri)}</a>' if link else escape(iri)
    parts.append(f'<p class="iri"><code>{iri_html}</code></p>\n')
    types = sorted(graph.objects(iri, RDF.type), key=lambda t: _value_key(graph, t, lang))
    if types:
        items = ", ".join(
            node_html(graph, t, options) + _badge(options.is_inferred((iri, RDF.type, t)), options)
            for t in types
        )
        parts.append(f"<p>{escape(options.word('type'))}: {items}</p>\n")
    parts.append("</header>\n<main>\n")
    parts.append(properties_html(graph, iri, options))
    parts.append(incoming_html(graph, iri, options))
    parts.append(sources_html(graph, iri, options))
    parts.append("</main>\n")
    parts.append(formats_html(options))
    return page(f"{title} - {options.site_name}", "".join(parts), options)


def properties_html(graph: Graph, iri: URIRef, options: PageOptions) -> str:
    """A table of every outgoing property but ``rdf:type`` (shown in the header)."""
    by_property: dict[URIRef, list[Node]] = defaultdict(list)
    for prop, value in graph.predicate_objects(iri):
        if prop != RDF.type:
            by_property[prop].append(value)
    if not by_property:
        return (
            f'<section id="properties">\n<h2>{escape(options.word("properties"))}</h2>\n'
            f"<p>{escape(options.word('none'))}</p>\n</section>\n"
        )
    rows = []
    for prop in sorted(by_property, key=lambda p: _property_key(graph, p, options.lang)):
        values = sorted(set(by_property[prop]), key=lambda v: _value_key(graph, v, options.lang))
        items = "".join(_value_item(graph, iri, prop, v, options) for v in values)
        rows.append(
            f"<tr><th>{node_html(graph, prop, options)}</th><td><ul>{items}</ul></td></tr>\n"
        )
    return (
        f'<section id="properties">\n<h2>{escape(options.word("properties"))}</h2>\n<table>\n'
        f"<thead><tr><th>{escape(options.word('property'))}</th>"
        f"<th>{escape(options.word('value'))}</th></tr></thead>\n<tbody>\n"
        + "".join(rows)
        + "</tbody>\n</table>\n</section>\n"
    )


def _value_item(graph: Graph, subject: Node, prop: Node, value: Node, options: PageOptions) -> str:
    inferred = options.is_inferred((subject, prop, value))
    cls = ' class="inferred"' if inferred else ""
    return f"<li{cls}>{node_html(graph, value, options)}{_badge(inferred, options)}</li>"


def incoming_html(graph: Graph, iri: URIRef, options: PageOptions) -> str:
    """A table of the resources that point to ``iri``, by property."""
    rows = sorted(
        graph.subject_predicates(iri),
        key=lambda sp: (
            _property_key(graph, sp[1], options.lang),
            _value_key(graph, sp[0], options.lang),
        ),
    )
    if not rows:
        return ""
    body = []
    for subject, prop in rows:
        inferred = options.is_inferred((subject, prop, iri))
        cls = ' class="inferred"' if inferred else ""
        body.append(
            f"<tr{cls}><td>{node_html(graph, subject, options)}</td>"
            f"<td>{node_html(graph, prop, options)}{_badge(inferred, options)}</td></tr>\n"
        )
    return (
        f'<section id="incoming">\n<h2>{escape(options.word("incoming"))}</h2>\n<table>\n'
        f"<thead><tr><th>{escape(options.word('resource'))}</th>"
        f"<th>{escape(options.word('property'))}</th></tr></thead>\n<tbody>\n"
        + "".join(body)
        + "</tbody>\n</table>\n</section>\n"
    )


def excerpts(graph: Graph, iri: URIRef) -> list[URIRef]:
    """The source excerpts ``iri`` was derived from, in document and line order."""
    found = [
        e
        for e in graph.objects(iri, PROV.wasDerivedFrom)
        if isinstance(e, URIRef) and (e, CKG.excerptOf, None) in graph
    ]

    def key(excerpt: URIRef) -> tuple:
        first = graph.value(excerpt, CKG.firstLine)
        last = graph.value(excerpt, CKG.lastLine)
        return (
            str(graph.value(excerpt, CKG.excerptOf)),
            _int(first),
            _int(last),
            str(excerpt),
        )

    return sorted(set(found), key=key)


def _int(value: Node | None) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def sources_html(graph: Graph, iri: URIRef, options: PageOptions) -> str:
    """The quoted source lines ``iri`` came from, numbered, each range linked to its document."""
    figures = []
    for excerpt in excerpts(graph, iri):
        document = graph.value(excerpt, CKG.excerptOf)
        first = max(_int(graph.value(excerpt, CKG.firstLine)), 1)
        quotation = graph.value(excerpt, CKG.quotation)
        lines = str(quotation).split("\n") if quotation is not None else []
        caption = node_html(graph, excerpt, options)
        if isinstance(document, URIRef):
            caption += f" {escape(options.word('of'))} {node_html(graph, document, options)}"
        items = []
        for number, text in enumerate(lines, start=first):
            line_href = options.source_line_href and options.source_line_href(document, number)
            content = escape(text) if text else "\u00a0"
            if line_href:
                content = f'<a href="{escape(line_href)}">{content}</a>'
            items.append(f'<li value="{number}">{content}</li>')
        figures.append(
            f"<figure>\n<figcaption>{caption}</figcaption>\n"
            f'<ol class="source" start="{first}">{"".join(items)}</ol>\n</figure>\n'
        )
    if not figures:
        return ""
    heading = escape(options.word("source"))
    return f'<section id="sources">\n<h2>{heading}</h2>\n' + "".join(figures) + "</section>\n"


def formats_html(options: PageOptions) -> str:
    if not options.formats:
        return ""
    links = " · ".join(
        f'<a href="{escape(href)}" type="{escape(media)}">{escape(name)}</a>'
        for name, media, href in options.formats
    )
    return f"<footer>\n<p>{escape(options.word('formats'))} {links}.</p>\n</footer>\n"


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
    by_class: dict[Node, set[URIRef]] = defaultdict(set)
    for resource in resources:
        types = list(graph.objects(resource, RDF.type))
        asserted = [t for t in types if not options.is_inferred((resource, RDF.type, t))]
        for cls in asserted or types or [RDFS.Resource]:
            by_class[cls].add(resource)
    sections = []
    for cls in sorted(by_class, key=lambda c: _value_key(graph, c, lang)):
        members = sorted(by_class[cls], key=lambda r: _value_key(graph, r, lang))
        items = "".join(f"<li>{node_html(graph, r, options)}</li>\n" for r in members)
        anchor = escape(compact(graph, cls).replace(":", "-").strip("<>"))
        sections.append(
            f'<section id="{anchor}">\n<h2>{escape(label(graph, cls, lang))} '
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
