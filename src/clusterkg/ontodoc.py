"""Publish stage: HTML documentation of the ontology and shapes, and the ontology's formats.

``release/ontology/`` holds the ontology in Turtle (the source file, comments and all), RDF/XML
and JSON-LD, the SHACL shapes, and two pages: ``index.html`` (every term with its English and
Italian label and definition, anchored by local name so ``ontology#Cluster`` lands on it, and
a diagram of the classes and relations) and ``shapes.html`` (every shape, its targets, its
constraints, severity and message).

The pages are generated here rather than with pyLODE because pyLODE 3.4 does not document SHACL
shapes, runs the languages together without ``lang`` attributes, anchors terms by label
(``#technologycluster``, not ``#Cluster``), draws no diagram, and its wheel fails to import
(it reads a ``pyproject.toml`` it does not ship). Here everything is escaped with
``html.escape``, the CSS is inline, the diagram is an inline SVG laid out in Python, the language
switch is three radio buttons and CSS (no script), and every list is sorted: the same ontology
gives the same bytes, and the pages work from a file system with no network.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from html import escape

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SH, SKOS, VANN
from rdflib.term import Node

from .load import parse_source
from .pipeline import Loaded
from .project import CKG, ONTOLOGY_IRI, VOCABULARY_PREFIXES

FOLDER = "ontology"
LANGUAGES = ("en", "it")
SHAPES_NS = "https://w3id.org/clusterkg/shapes#"
PREFIXES = {**VOCABULARY_PREFIXES, "ckgsh": SHAPES_NS}

# (rdf:type, section id, English heading, Italian heading), in page order.
TERM_KINDS = (
    (OWL.Class, "classes", "Classes", "Classi"),
    (OWL.ObjectProperty, "object-properties", "Object properties", "Proprietà oggetto"),
    (OWL.DatatypeProperty, "datatype-properties", "Datatype properties", "Proprietà di dati"),
    (
        OWL.AnnotationProperty,
        "annotation-properties",
        "Annotation properties",
        "Proprietà di annotazione",
    ),
    (RDFS.Datatype, "datatypes", "Datatypes", "Tipi di dato"),
)
INDIVIDUALS = ("individuals", "Named individuals", "Individui")
ONTOLOGY_IT = "L'ontologia"


def release_files(checked: Loaded) -> dict[str, tuple[bytes, str]]:
    """Release files this stage adds, by path inside the release: (bytes, description)."""
    project = checked.project
    ontology = parse_source(project.ontology_file)
    shapes = parse_source(project.shapes_file)
    return {
        f"{FOLDER}/clusterkg.ttl": (
            project.ontology_file.read_bytes(),
            "the ontology in Turtle (the source file)",
        ),
        f"{FOLDER}/clusterkg.rdf": (rdf_xml(ontology), "the ontology in RDF/XML"),
        f"{FOLDER}/clusterkg.jsonld": (json_ld(ontology), "the ontology in JSON-LD"),
        f"{FOLDER}/shapes.ttl": (
            project.shapes_file.read_bytes(),
            "the SHACL shapes in Turtle (the source file)",
        ),
        f"{FOLDER}/index.html": (
            ontology_page(ontology, shapes).encode("utf-8"),
            "documentation of the ontology, in English and Italian, with a class diagram",
        ),
        f"{FOLDER}/shapes.html": (
            shapes_page(shapes, ontology).encode("utf-8"),
            "documentation of the SHACL shapes",
        ),
    }


# --- Machine-readable formats ----------------------------------------------------------------


def _sorted_copy(graph: Graph) -> Graph:
    from .export import sorted_graph  # export imports this module: import when called

    copy = sorted_graph(graph, "https://w3id.org/clusterkg/")
    return copy


def rdf_xml(ontology: Graph) -> bytes:
    """RDF/XML with one ``rdf:Description`` per subject, in IRI order.

    rdflib's RDF/XML writers visit subjects in set (hash) order, so the blocks are sorted here.
    """
    text = _sorted_copy(ontology).serialize(format="xml", encoding="utf-8").decode("utf-8")
    blocks = _DESCRIPTION.findall(text)
    head = text[: text.index(blocks[0])] if blocks else text
    tail = text[text.index(blocks[-1]) + len(blocks[-1]) :] if blocks else ""
    if head + "".join(blocks) + tail != text:  # a layout this function does not know
        raise ValueError("unexpected RDF/XML layout from rdflib; cannot order it")
    return (head + "".join(sorted(blocks)) + tail).encode("utf-8")


_DESCRIPTION = re.compile(
    r"  <rdf:Description\b[^\n]*/>\n|  <rdf:Description\b[^\n]*>\n.*?\n  </rdf:Description>\n", re.S
)


def json_ld(ontology: Graph) -> bytes:
    from .export import jsonld

    return jsonld(_sorted_copy(ontology), "https://w3id.org/clusterkg/")


# --- Names and links -------------------------------------------------------------------------


def curie(term: Node) -> str:
    """``prefix:local`` for a known namespace, else the IRI in angle brackets."""
    if isinstance(term, URIRef):
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.startswith(namespace) and len(term) > len(namespace):
                return f"{prefix}:{term[len(namespace) :]}"
        return f"<{term}>"
    return str(term)


def local(term: URIRef) -> str:
    return term[len(CKG) :] if term.startswith(str(CKG)) else term[len(SHAPES_NS) :]


def link(term: Node, page: str = "") -> str:
    """A link to a term: an anchor on the ontology page for ours, the IRI for others."""
    if not isinstance(term, URIRef):
        return f"<code>{escape(str(term))}</code>"
    if term.startswith(str(CKG)):
        href = f"{page}#{local(term)}"
    elif term.startswith(SHAPES_NS):
        href = f"shapes.html#{local(term)}" if page else f"#{local(term)}"
    else:
        href = str(term)
    return f'<a href="{escape(href)}"><code>{escape(curie(term))}</code></a>'


def texts(graph: Graph, node: Node, prop: URIRef) -> dict[str, str]:
    """Language -> text of ``prop`` on ``node`` (untagged text counts as English)."""
    found: dict[str, str] = {}
    for value in sorted(graph.objects(node, prop)):
        if isinstance(value, Literal):
            found.setdefault(value.language or "en", str(value))
    return found


def bilingual(values: dict[str, str], tag: str = "span") -> str:
    """English and Italian side by side, each marked with its language for the switch."""
    parts = [
        f'<{tag} lang="{lang}">{escape(values[lang])}</{tag}>'
        for lang in LANGUAGES
        if lang in values
    ]
    others = sorted(k for k in values if k not in LANGUAGES)
    parts += [f'<{tag} lang="{escape(k)}">{escape(values[k])}</{tag}>' for k in others]
    return " ".join(parts) if parts else ""


def heading(en: str, it: str) -> str:
    return f'<span lang="en">{escape(en)}</span> <span lang="it">{escape(it)}</span>'


# --- Page frame ------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; --ink: #1d2630; --muted: #5b6773; --line: #d5dbe1;
  --accent: #0b5cad; --soft: #f3f6f9; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 4rem; }
a { color: var(--accent); } code { font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: .92em; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 2px solid var(--line); padding-top: 1rem; }
h3 { margin: 0 0 .4rem; } nav ul { columns: 3; padding-left: 1rem; }
.switch { position: sticky; top: 0; background: #fff; padding: .4rem 0;
  border-bottom: 1px solid var(--line); z-index: 1; }
.switch label { margin-right: 1rem; cursor: pointer; }
section.term { border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem;
  margin: 1rem 0; }
section.term:target { border-color: var(--accent); box-shadow: 0 0 0 2px var(--accent); }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0; }
dt { color: var(--muted); } dd { margin: 0; }
.iri, .muted { color: var(--muted); }
pre { background: var(--soft); padding: .5rem; overflow-x: auto; font-size: .85em; }
.diagram { overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.diagram svg { display: block; }
.sev-Violation { color: #a01010; font-weight: 600; } .sev-Warning { color: #8a5a00; }
#lang-en:checked ~ header [lang="it"], #lang-en:checked ~ main [lang="it"],
#lang-it:checked ~ header [lang="en"], #lang-it:checked ~ main [lang="en"] { display: none; }
"""


def page(title: str, header: str, body: str) -> str:
    """A complete HTML document with the language switch (radio buttons, CSS only)."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        '<input type="radio" name="lang" id="lang-both" checked>'
        '<label for="lang-both">English + italiano</label>\n'
        '<input type="radio" name="lang" id="lang-en"><label for="lang-en">English</label>\n'
        '<input type="radio" name="lang" id="lang-it"><label for="lang-it">italiano</label>\n'
        f"<header>\n{header}\n</header>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _dl(rows: Iterable[tuple[str, str]]) -> str:
    items = [f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows if value]
    return f"<dl>{''.join(items)}</dl>" if items else ""


def _links(terms: Iterable[Node]) -> str:
    return ", ".join(link(t) for t in sorted(set(terms), key=str))


# --- The ontology page -----------------------------------------------------------------------


def ontology_terms(ontology: Graph) -> dict[str, list[URIRef]]:
    """Our terms by section id; a term of several kinds is listed under its first."""
    seen: set[URIRef] = set()
    sections: dict[str, list[URIRef]] = {}
    for kind, section, _, _ in TERM_KINDS:
        terms = sorted(
            t
            for t in ontology.subjects(RDF.type, kind)
            if isinstance(t, URIRef) and t.startswith(str(CKG)) and t not in seen
        )
        seen.update(terms)
        sections[section] = terms
    individuals = sorted(
        t
        for t in set(ontology.subjects(RDF.type, None))
        if isinstance(t, URIRef) and t.startswith(str(CKG)) and t not in seen
    )
    sections[INDIVIDUALS[0]] = individuals
    return sections


def ontology_page(ontology: Graph, shapes: Graph) -> str:
    title = texts(ontology, ONTOLOGY_IRI, DCTERMS.title) or {"en": "clusterkg ontology"}
    description = texts(ontology, ONTOLOGY_IRI, DCTERMS.description)
    value = ontology.value
    license_ = value(ONTOLOGY_IRI, DCTERMS.license)
    header = (
        f"<h1>{bilingual(title)}</h1>\n"
        f'<p class="iri">IRI: <code>{escape(str(ONTOLOGY_IRI))}</code></p>\n'
        + _dl(
            [
                (
                    heading("Version", "Versione"),
                    escape(str(value(ONTOLOGY_IRI, OWL.versionInfo) or "")),
                ),
                (
                    heading("Version IRI", "IRI di versione"),
                    _code(value(ONTOLOGY_IRI, OWL.versionIRI)),
                ),
                (heading("Namespace", "Spazio dei nomi"), f"<code>{escape(str(CKG))}</code>"),
                (
                    heading("Preferred prefix", "Prefisso preferito"),
                    _code(value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)),
                ),
                (
                    heading("Created", "Creata"),
                    escape(str(value(ONTOLOGY_IRI, DCTERMS.created) or "")),
                ),
                (
                    heading("Modified", "Modificata"),
                    escape(str(value(ONTOLOGY_IRI, DCTERMS.modified) or "")),
                ),
                (
                    heading("Creator", "Autore"),
                    escape(str(value(ONTOLOGY_IRI, DCTERMS.creator) or "")),
                ),
                (
                    heading("Licence", "Licenza"),
                    f'<a href="{escape(str(license_))}">{escape(str(license_))}</a>'
                    if license_
                    else "",
                ),
                (
                    heading("See also", "Vedi anche"),
                    _links(ontology.objects(ONTOLOGY_IRI, RDFS.seeAlso)),
                ),
                (
                    heading("Download", "Scarica"),
                    '<a href="clusterkg.ttl">Turtle</a> · <a href="clusterkg.rdf">RDF/XML</a> · '
                    '<a href="clusterkg.jsonld">JSON-LD</a> · '
                    '<a href="shapes.ttl">SHACL shapes (Turtle)</a> · '
                    '<a href="shapes.html">SHACL shapes (HTML)</a>',
                ),
            ]
        )
        + "".join(
            f'\n<p lang="{lang}">{escape(description[lang])}</p>'
            for lang in LANGUAGES
            if lang in description
        )
    )
    sections = ontology_terms(ontology)
    headings = {s: (en, it) for _, s, en, it in TERM_KINDS} | {INDIVIDUALS[0]: INDIVIDUALS[1:]}
    shapes_for = _shapes_by_target(shapes)
    toc = ["<nav><h2>" + heading("Contents", "Indice") + "</h2><ul>"]
    toc.append(f'<li><a href="#diagram">{heading("Diagram", "Diagramma")}</a></li>')
    for section, terms in sections.items():
        if terms:
            toc.append(f'<li><a href="#{section}">{heading(*headings[section])}</a></li>')
    toc.append("</ul></nav>")
    body = ["\n".join(toc)]
    body.append(
        f'<h2 id="diagram">{heading("Diagram", "Diagramma")}</h2>\n'
        '<p class="muted"><span lang="en">Classes of the ontology with their superclasses '
        "(hollow arrowheads) and the object properties between them (labelled arrows). Click a "
        'box to go to the class.</span> <span lang="it">Le classi dell\'ontologia con le loro '
        "superclassi (frecce vuote) e le proprietà oggetto che le collegano (frecce con "
        "etichetta). Un clic su un riquadro porta alla classe.</span></p>\n"
        f'<div class="diagram">{class_diagram_svg(ontology)}</div>'
    )
    for section, terms in sections.items():
        if not terms:
            continue
        body.append(f'<h2 id="{section}">{heading(*headings[section])}</h2>')
        body.extend(_term(ontology, term, shapes_for.get(term, [])) for term in terms)
    return page(" / ".join(title[k] for k in LANGUAGES if k in title), header, "\n".join(body))


def _code(node: Node | None) -> str:
    return f"<code>{escape(str(node))}</code>" if node is not None else ""


def _term(ontology: Graph, term: URIRef, shapes: list[URIRef]) -> str:
    labels = texts(ontology, term, RDFS.label)
    definitions = texts(ontology, term, SKOS.definition)
    rows = [
        (
            f"<th>{heading('Language', 'Lingua')}</th>",
            '<th lang="en">English</th>',
            '<th lang="it">italiano</th>',
        ),
        (
            f"<th>{heading('Label', 'Etichetta')}</th>",
            f'<td lang="en">{escape(labels.get("en", ""))}</td>',
            f'<td lang="it">{escape(labels.get("it", ""))}</td>',
        ),
        (
            f"<th>{heading('Definition', 'Definizione')}</th>",
            f'<td lang="en">{escape(definitions.get("en", ""))}</td>',
            f'<td lang="it">{escape(definitions.get("it", ""))}</td>',
        ),
    ]
    for prop, en, it in (
        (SKOS.scopeNote, "Scope note", "Nota d'ambito"),
        (SKOS.example, "Example", "Esempio"),
        (RDFS.comment, "Comment", "Commento"),
    ):
        values = texts(ontology, term, prop)
        if values:
            rows.append(
                (
                    f"<th>{heading(en, it)}</th>",
                    f'<td lang="en">{escape(values.get("en", ""))}</td>',
                    f'<td lang="it">{escape(values.get("it", ""))}</td>',
                )
            )
    table = "<table>" + "".join(f"<tr>{''.join(r)}</tr>" for r in rows) + "</table>"
    objects = ontology.objects
    types = [t for t in objects(term, RDF.type) if not t.startswith(str(OWL))]
    characteristics = [
        curie(t)
        for t in sorted(objects(term, RDF.type))
        if t in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty)
    ]
    facts = _dl(
        [
            (heading("Type", "Tipo"), _links(types)),
            (heading("Subclass of", "Sottoclasse di"), _links(objects(term, RDFS.subClassOf))),
            (
                heading("Superclass of", "Superclasse di"),
                _links(ontology.subjects(RDFS.subClassOf, term)),
            ),
            (heading("Disjoint with", "Disgiunta da"), _links(_disjoint(ontology, term))),
            (
                heading("Subproperty of", "Sottoproprietà di"),
                _links(objects(term, RDFS.subPropertyOf)),
            ),
            (heading("Domain", "Dominio"), _links(objects(term, RDFS.domain))),
            (heading("Range", "Codominio"), _links(objects(term, RDFS.range))),
            (heading("Inverse of", "Inversa di"), _links(_inverse(ontology, term))),
            (
                heading("Characteristics", "Caratteristiche"),
                ", ".join(f"<code>{escape(c)}</code>" for c in characteristics),
            ),
            (
                heading("Domain of", "Dominio di"),
                _links(ontology.subjects(RDFS.domain, term)),
            ),
            (heading("Range of", "Codominio di"), _links(ontology.subjects(RDFS.range, term))),
            (
                heading("Instances", "Istanze"),
                _links(s for s in ontology.subjects(RDF.type, term) if isinstance(s, URIRef)),
            ),
            (
                heading("Checked by", "Verificata da"),
                ", ".join(link(s, "shapes.html") for s in shapes),
            ),
            (heading("See also", "Vedi anche"), _links(objects(term, RDFS.seeAlso))),
        ]
    )
    name = local(term)
    return (
        f'<section class="term" id="{escape(name)}">\n'
        f"<h3><code>ckg:{escape(name)}</code> {bilingual(labels)}</h3>\n"
        f'<p class="iri">IRI: <code>{escape(str(term))}</code></p>\n{table}\n{facts}\n</section>'
    )


def _disjoint(ontology: Graph, term: URIRef) -> set[Node]:
    return set(ontology.objects(term, OWL.disjointWith)) | set(
        ontology.subjects(OWL.disjointWith, term)
    )


def _inverse(ontology: Graph, term: URIRef) -> set[Node]:
    return set(ontology.objects(term, OWL.inverseOf)) | set(ontology.subjects(OWL.inverseOf, term))


def _shapes_by_target(shapes: Graph) -> dict[URIRef, list[URIRef]]:
    found: dict[URIRef, set[URIRef]] = {}
    for shape, target in shapes.subject_objects(SH.targetClass):
        if isinstance(shape, URIRef) and isinstance(target, URIRef):
            found.setdefault(target, set()).add(shape)
    return {t: sorted(s) for t, s in found.items()}


# --- The class diagram (inline SVG) ----------------------------------------------------------

BOX_HEIGHT = 28
LAYER_GAP = 110
BOX_GAP = 28
CHAR_WIDTH = 7.4
MARGIN = 20


def diagram_edges(ontology: Graph) -> tuple[list[URIRef], list[tuple[URIRef, URIRef, str]]]:
    """The classes to draw and the edges between them, as ``diagram.mermaid`` chooses them.

    An edge is (from, to, label): label ``""`` is "subclass of", otherwise the property name.
    """
    classes = sorted(c for c in ontology.subjects(RDF.type, OWL.Class) if c.startswith(str(CKG)))
    shown: set[URIRef] = set(classes)
    edges: list[tuple[URIRef, URIRef, str]] = []
    for cls in classes:
        for parent in sorted(ontology.objects(cls, RDFS.subClassOf)):
            if isinstance(parent, URIRef):
                shown.add(parent)
                edges.append((cls, parent, ""))
    for prop in sorted(ontology.subjects(RDF.type, OWL.ObjectProperty)):
        domain, range_ = ontology.value(prop, RDFS.domain), ontology.value(prop, RDFS.range)
        if isinstance(domain, URIRef) and isinstance(range_, URIRef) and prop.startswith(str(CKG)):
            shown.update((domain, range_))
            edges.append((domain, range_, local(prop)))
    return sorted(shown), edges


def _layers(nodes: list[URIRef], edges: list[tuple[URIRef, URIRef, str]]) -> list[list[URIRef]]:
    """Longest-path layers: superclasses above subclasses, domains above ranges.

    Cycles (a property and its inverse) are broken by depth-first search in IRI order, so the
    layout does not depend on hash order.
    """
    below: dict[URIRef, list[URIRef]] = {n: [] for n in nodes}
    for source, target, label in edges:
        upper, lower = (target, source) if not label else (source, target)
        if upper != lower:
            below[upper].append(lower)
    for children in below.values():
        children.sort()
    state: dict[URIRef, int] = {}
    acyclic: dict[URIRef, list[URIRef]] = {n: [] for n in nodes}

    def visit(node: URIRef) -> None:
        state[node] = 1
        for child in below[node]:
            if state.get(child) == 1:
                continue  # a back edge: drawn, but ignored for layering
            acyclic[node].append(child)
            if child not in state:
                visit(child)
        state[node] = 2

    for node in nodes:
        if node not in state:
            visit(node)
    depth = {n: 0 for n in nodes}
    order: list[URIRef] = []
    marks: set[URIRef] = set()

    def topo(node: URIRef) -> None:
        marks.add(node)
        for child in acyclic[node]:
            if child not in marks:
                topo(child)
        order.append(node)

    for node in nodes:
        if node not in marks:
            topo(node)
    for node in reversed(order):
        for child in acyclic[node]:
            depth[child] = max(depth[child], depth[node] + 1)
    layers: list[list[URIRef]] = [[] for _ in range(max(depth.values(), default=0) + 1)]
    for node in nodes:
        layers[depth[node]].append(node)
    neighbours: dict[URIRef, list[URIRef]] = {n: [] for n in nodes}
    for source, target, _ in edges:
        if source != target:
            neighbours[source].append(target)
            neighbours[target].append(source)
    # Barycentre sweeps: order each layer by the mean position of its neighbours.
    for _ in range(6):
        position = {n: i for layer in layers for i, n in enumerate(layer)}
        for layer in layers:
            layer.sort(
                key=lambda n: (
                    sum(position[m] for m in neighbours[n]) / len(neighbours[n])
                    if neighbours[n]
                    else position[n],
                    str(n),
                )
            )
    return layers


Point = tuple[float, float]


def _ports(
    edges: list[tuple[URIRef, URIRef, str]], box: dict[URIRef, tuple[float, float, float]]
) -> dict[tuple[URIRef, URIRef, str], tuple[float, float]]:
    """Where each edge leaves and enters its boxes: the edges meeting one side of a box are
    spread along it in the order of the boxes at their other end, so arrows and labels do not
    pile up on one point."""
    sides: dict[tuple[URIRef, str], list[tuple[float, int, int]]] = {}
    for index, (source, target, _) in enumerate(edges):
        if source == target:
            continue
        (sx, sy, sw), (tx, ty, tw) = box[source], box[target]
        down = sy < ty
        out_side, in_side = ("bottom", "top") if down else ("top", "top" if sy == ty else "bottom")
        sides.setdefault((source, out_side), []).append((tx + tw / 2, index, 0))
        sides.setdefault((target, in_side), []).append((sx + sw / 2, index, 1))
    ends: dict[tuple[int, int], float] = {}
    for (node, _), items in sides.items():
        x, _, width = box[node]
        items.sort()
        for rank, (_, index, end) in enumerate(items):
            ends[(index, end)] = x + width * (rank + 1) / (len(items) + 1)
    return {edge: (ends.get((i, 0), 0.0), ends.get((i, 1), 0.0)) for i, edge in enumerate(edges)}


def _bezier(curve: tuple[Point, Point, Point, Point], t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = curve
    u = 1 - t
    return (
        u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
        u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
    )


def _t_at_y(curve: tuple[Point, Point, Point, Point], y: float) -> float:
    """The parameter where a curve that only goes down (or only up) reaches height ``y``."""
    low, high = 0.0, 1.0
    rising = curve[3][1] < curve[0][1]
    for _ in range(40):
        mid = (low + high) / 2
        if (_bezier(curve, mid)[1] < y) != rising:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def class_diagram_svg(ontology: Graph) -> str:
    """An SVG drawing of the classes (boxes), subclass links and object properties (arrows)."""
    nodes, edges = diagram_edges(ontology)
    layers = _layers(nodes, edges)
    width_of = {n: round(len(curie(n)) * CHAR_WIDTH + 20) for n in nodes}
    layer_widths = [
        sum(width_of[n] for n in layer) + BOX_GAP * (len(layer) - 1) for layer in layers
    ]
    total_width = max(layer_widths, default=0) + 2 * MARGIN + 60
    height = len(layers) * (BOX_HEIGHT + LAYER_GAP) - LAYER_GAP + 2 * MARGIN
    box: dict[URIRef, tuple[float, float, float]] = {}  # node -> (x, y, width)
    for index, layer in enumerate(layers):
        x = MARGIN + (total_width - 2 * MARGIN - 60 - layer_widths[index]) / 2
        y = MARGIN + index * (BOX_HEIGHT + LAYER_GAP)
        for node in layer:
            box[node] = (x, y, width_of[node])
            x += width_of[node] + BOX_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {total_width:.0f} {height:.0f}" role="img" '
        'aria-labelledby="diagram-title" font-family="system-ui, sans-serif" font-size="12">',
        '<title id="diagram-title">Classes and relations of the clusterkg ontology</title>',
        "<defs>"
        '<marker id="subclass" viewBox="0 0 12 12" refX="11" refY="6" markerWidth="12" '
        'markerHeight="12" orient="auto-start-reverse">'
        '<path d="M1,1 L11,6 L1,11 Z" fill="#fff" stroke="#1d2630"/></marker>'
        '<marker id="relation" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" orient="auto-start-reverse">'
        '<path d="M1,1 L9,5 L1,9" fill="none" stroke="#0b5cad" stroke-width="1.5"/></marker>'
        "</defs>",
    ]
    labels = []
    ports = _ports(edges, box)
    labelled: dict[URIRef, int] = {}  # labels already placed before each target
    for source, target, label in edges:
        sx, sy, sw = box[source]
        ty = box[target][1]
        colour, marker = ("#1d2630", "subclass") if not label else ("#0b5cad", "relation")
        if source == target:  # a loop over the box's top edge
            xa, xb, y = sx + sw * 0.6, sx + sw * 0.9, sy
            path = (
                f"M{xa:.1f},{y:.1f} C{xa:.1f},{y - 36:.1f} {xb:.1f},{y - 36:.1f} {xb:.1f},{y:.1f}"
            )
            lx, ly = (xa + xb) / 2, y - 32
        else:
            x1, x2 = ports[(source, target, label)]
            if sy < ty:
                y1, y2 = sy + BOX_HEIGHT, ty
            elif sy > ty:
                y1, y2 = sy, ty + BOX_HEIGHT
            else:
                y1 = y2 = sy
            limit = LAYER_GAP * 0.6
            bend = -40.0 if sy == ty else max(-limit, min(limit, (y2 - y1) / 2))
            curve = (x1, y1), (x1, y1 + bend), (x2, y2 - bend), (x2, y2)
            path = "M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}".format(
                *(c for point in curve for c in point)
            )
            # The label sits in the gap just before the target, clear of other layers' boxes.
            if sy == ty:
                lx, ly = _bezier(curve, 0.5)
            else:
                lx, ly = _bezier(
                    curve, _t_at_y(curve, y2 - math.copysign(LAYER_GAP * 0.3, y2 - y1))
                )
                ly += 4
        title = f"{curie(source)} {label or 'subclass of'} {curie(target)}"
        parts.append(
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.2" '
            f'marker-end="url(#{marker})"><title>{escape(title)}</title></path>'
        )
        if label:
            # Labels of edges into one box are staggered so that neighbours do not overlap.
            rank = labelled[target] = labelled.get(target, -1) + 1
            ly -= 13 * (rank % 3) if source != target else 0
            labels.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" fill="#0b5cad" '
                'stroke="#fff" stroke-width="3" paint-order="stroke" font-size="11">'
                f"{escape(label)}</text>"
            )
    for node in nodes:
        x, y, w = box[node]
        ours = node.startswith(str(CKG))
        fill, stroke = ("#e8f1fb", "#0b5cad") if ours else ("#f3f4f6", "#7b8794")
        rect = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{BOX_HEIGHT}" rx="4" '
            f'fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{x + w / 2:.1f}" y="{y + BOX_HEIGHT / 2 + 4:.1f}" text-anchor="middle" '
            f'fill="#1d2630">{escape(curie(node))}</text>'
        )
        tip = texts(ontology, node, RDFS.label).get("en", curie(node))
        if ours:
            parts.append(f'<a href="#{escape(local(node))}"><title>{escape(tip)}</title>{rect}</a>')
        else:
            parts.append(f"<g><title>{escape(str(node))}</title>{rect}</g>")
    parts.extend(labels)
    parts.append("</svg>")
    return "\n".join(parts)


# --- The shapes page -------------------------------------------------------------------------


def _term_text(graph: Graph, node: Node, depth: int = 0) -> str:
    """A node written for people: a CURIE, a quoted literal, a list, or ``[ p o ; ... ]``."""
    if isinstance(node, URIRef):
        return curie(node)
    if isinstance(node, Literal):
        text = str(node)
        if node.language:
            return f'"{text}"@{node.language}'
        return f'"{text}"' if node.datatype is None or isinstance(node.value, str) else text
    if (node, RDF.first, None) in graph or node == RDF.nil:
        return (
            "( " + " ".join(_term_text(graph, i, depth + 1) for i in Collection(graph, node)) + " )"
        )
    if depth > 4:
        return "[ … ]"
    # Sorted by the text: blank nodes have random labels, so their order would change per run.
    inner = "; ".join(
        sorted(
            f"{curie(p)} {_term_text(graph, o, depth + 1)}"
            for p, o in graph.predicate_objects(node)
        )
    )
    return f"[ {inner} ]"


# Properties shown in their own column or heading rather than among the constraints.
_NOT_CONSTRAINTS = {
    RDF.type,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.property,
    SH.sparql,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    SH.deactivated,
    SH.order,
    SH.group,
}


def _constraints(shapes: Graph, shape: Node) -> str:
    items = sorted(  # by the text, not by blank node labels, which change per run
        f"<code>{escape(curie(p))} {escape(_term_text(shapes, o))}</code>"
        for p, o in shapes.predicate_objects(shape)
        if p not in _NOT_CONSTRAINTS
    )
    sparql_items = []
    for sparql in shapes.objects(shape, SH.sparql):
        query = shapes.value(sparql, SH.select) or shapes.value(sparql, SH.ask) or ""
        message = bilingual(texts(shapes, sparql, SH.message))
        sparql_items.append(
            f'<span class="muted">SPARQL:</span> {message}<pre>{escape(_dedent(str(query)))}</pre>'
        )
    return "<br>".join(items + sorted(sparql_items))


def _dedent(text: str) -> str:
    lines = text.strip("\n").splitlines()
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return "\n".join(x[indent:] for x in lines)


def _severity(shapes: Graph, shape: Node) -> str:
    severity = shapes.value(shape, SH.severity)
    name = curie(severity).split(":")[-1] if severity is not None else "Violation"
    return f'<span class="sev-{escape(name)}">{escape(name)}</span>'


def _targets(shapes: Graph, shape: Node) -> str:
    rows = []
    for prop, en, it in (
        (SH.targetClass, "Instances of", "Istanze di"),
        (SH.targetSubjectsOf, "Subjects of", "Soggetti di"),
        (SH.targetObjectsOf, "Objects of", "Oggetti di"),
        (SH.targetNode, "The node", "Il nodo"),
    ):
        values = sorted(shapes.objects(shape, prop), key=str)
        if values:
            rows.append((heading(en, it), ", ".join(link(v, "index.html") for v in values)))
    return _dl(rows)


def shapes_page(shapes: Graph, ontology: Graph) -> str:
    header_node = URIRef(SHAPES_NS[:-1])
    title = texts(shapes, header_node, RDFS.label) or {"en": "clusterkg SHACL shapes"}
    comment = texts(shapes, header_node, RDFS.comment)
    header = (
        f"<h1>{bilingual(title)}</h1>\n"
        f'<p class="iri">IRI: <code>{escape(str(header_node))}</code></p>\n'
        + "".join(f'<p lang="{k}">{escape(v)}</p>' for k, v in sorted(comment.items()))
        + f'\n<p><a href="index.html">{heading("The ontology", ONTOLOGY_IT)}</a> · '
        '<a href="shapes.ttl">Turtle</a> · '
        '<a href="https://www.w3.org/TR/shacl/">SHACL (W3C)</a></p>'
    )
    node_shapes = sorted(
        s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)
    )
    toc = "".join(
        f'<li><a href="#{escape(local(s))}"><code>{escape(curie(s))}</code></a></li>'
        for s in node_shapes
    )
    body = [f"<nav><h2>{heading('Node shapes', 'Forme dei nodi')}</h2><ul>{toc}</ul></nav>"]
    for shape in node_shapes:
        body.append(_node_shape(shapes, shape))
    return page(" / ".join(title[k] for k in LANGUAGES if k in title), header, "\n".join(body))


def _node_shape(shapes: Graph, shape: URIRef) -> str:
    constraints = _constraints(shapes, shape)
    own = (
        _dl(
            [
                (heading("Constraints", "Vincoli"), constraints),
                (heading("Severity", "Gravità"), _severity(shapes, shape)),
                (heading("Message", "Messaggio"), bilingual(texts(shapes, shape, SH.message))),
            ]
        )
        if constraints
        else ""
    )
    rows = []
    for prop_shape in shapes.objects(shape, SH.property):
        anchor = (
            f' id="{escape(local(prop_shape))}"'
            if isinstance(prop_shape, URIRef) and prop_shape.startswith(SHAPES_NS)
            else ""
        )
        name = curie(prop_shape) if isinstance(prop_shape, URIRef) else ""
        path = shapes.value(prop_shape, SH.path)
        rows.append(
            f"<tr{anchor}><td><code>{escape(name)}</code></td>"
            f"<td><code>{escape(_term_text(shapes, path)) if path is not None else ''}</code></td>"
            f"<td>{_constraints(shapes, prop_shape)}</td>"
            f"<td>{_severity(shapes, prop_shape)}</td>"
            f"<td>{bilingual(texts(shapes, prop_shape, SH.message), 'p')}</td></tr>"
        )
    rows.sort()  # by name, then by the text of blank shapes (their labels change per run)
    table = (
        "<table><tr>"
        f"<th>{heading('Rule', 'Regola')}</th><th>{heading('Path', 'Percorso')}</th>"
        f"<th>{heading('Constraints', 'Vincoli')}</th><th>{heading('Severity', 'Gravità')}</th>"
        f"<th>{heading('Message', 'Messaggio')}</th></tr>" + "".join(rows) + "</table>"
        if rows
        else ""
    )
    comment = bilingual(texts(shapes, shape, RDFS.comment), "p")
    return (
        f'<section class="term" id="{escape(local(shape))}">\n'
        f"<h3><code>{escape(curie(shape))}</code></h3>\n{comment}\n"
        f"{_targets(shapes, shape)}\n{own}\n{table}\n</section>"
    )
