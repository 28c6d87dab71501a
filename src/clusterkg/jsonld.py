"""Publish stage: JSON-LD that a web developer can use as plain JSON.

Three kinds of release file, all from the asserted graph:

- ``context.jsonld``: a designed ``@context``. Every term of the ontology gets its local name
  (already camelCase), the reused vocabulary a short name from ``REUSED_TERMS``, and each term
  the coercion the data needs: links are ``@id`` and always arrays (``@set``), text that comes in
  several languages is a language map (``{"en": ..., "it": ...}``), dates and codes keep their
  datatype, integers are JSON numbers. ``id`` and ``type`` stand for ``@id`` and ``@type``.
  Names and the kind of each term come from the ontology (so they cannot drift from it), value
  shapes from what the data actually holds (a coercion the data does not match would make the
  compaction fall back to full IRIs as keys).
- ``kg.jsonld``: the asserted graph compacted with that context, nodes in ``id`` order.
- ``clusters/<slug>.jsonld``: one framed document per cluster, the cluster as a nested object
  with everything its profile says embedded (see ``cluster_subgraph``).

rdflib serialises JSON-LD but cannot frame, and compacts with a subset of JSON-LD 1.1; pyld
implements the W3C JSON-LD 1.1 API (compaction, framing, toRdf), so it does both here. Every
document embeds the context, so it reads offline with any processor; pyld only ever gets
``document_loader()``, which serves our own context at its published IRI and refuses any other
URL, so processing never touches the network.

Generic as they are, rdflib's serializer and pyld took half a minute at 100,000 triples, so
``release_files`` builds the same documents, byte for byte, straight from the triples (see
"The documents straight from the triples" below), asking pyld once for each decision its
algorithms make; it leaves to rdflib and pyld whatever it does not reproduce (blank nodes,
RDF lists...).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from operator import itemgetter

from pyld import jsonld as pyld
from pyld.jsonld import JsonLdError
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.plugins.serializers.jsonld import PLAIN_LITERAL_TYPES
from rdflib.term import Node

from .errors import ClusterKGError
from .pipeline import Loaded
from .project import CKG, VOCABULARY_PREFIXES

CONTEXT_FILE = "context.jsonld"
CLUSTERS_DIR = "clusters"

# Short names for the reused vocabulary the data uses (properties and classes). The ontology's own
# terms are named after their local names and need no entry here.
REUSED_TERMS = {
    "dcterms:created": "created",
    "dcterms:creator": "creator",
    "dcterms:date": "date",
    "dcterms:description": "description",
    "dcterms:format": "format",
    "dcterms:isPartOf": "isPartOf",
    "dcterms:issued": "issued",
    "dcterms:license": "license",
    "dcterms:modified": "modified",
    "dcterms:publisher": "publisher",
    "dcterms:source": "source",
    "dcterms:title": "title",
    "foaf:Document": "Document",
    "foaf:homepage": "homepage",
    "foaf:name": "name",
    "locn:Address": "Address",
    "locn:address": "address",
    "locn:fullAddress": "fullAddress",
    "locn:locatorDesignator": "locatorDesignator",
    "locn:postCode": "postCode",
    "locn:postName": "postName",
    "locn:thoroughfare": "thoroughfare",
    "org:Organization": "Organization",
    "org:Site": "Site",
    "org:memberOf": "memberOf",
    "owl:AnnotationProperty": "AnnotationProperty",
    "owl:Class": "Class",
    "owl:DatatypeProperty": "DatatypeProperty",
    "owl:FunctionalProperty": "FunctionalProperty",
    "owl:ObjectProperty": "ObjectProperty",
    "owl:Ontology": "Ontology",
    "owl:disjointWith": "disjointWith",
    "owl:inverseOf": "inverseOf",
    "owl:versionIRI": "versionIRI",
    "owl:versionInfo": "versionInfo",
    "prov:wasDerivedFrom": "wasDerivedFrom",
    "rdfs:Datatype": "Datatype",
    "rdfs:domain": "domain",
    "rdfs:label": "label",
    "rdfs:range": "range",
    "rdfs:seeAlso": "seeAlso",
    "rdfs:subClassOf": "subClassOf",
    "rdfs:subPropertyOf": "subPropertyOf",
    "schema:unitText": "unitText",
    "schema:value": "value",
    "skos:Concept": "Concept",
    "skos:ConceptScheme": "ConceptScheme",
    "skos:altLabel": "altLabel",
    "skos:broader": "broader",
    "skos:definition": "definition",
    "skos:editorialNote": "editorialNote",
    "skos:exactMatch": "exactMatch",
    "skos:hasTopConcept": "hasTopConcept",
    "skos:historyNote": "historyNote",
    "skos:inScheme": "inScheme",
    "skos:narrower": "narrower",
    "skos:notation": "notation",
    "skos:prefLabel": "prefLabel",
    "skos:scopeNote": "scopeNote",
    "skos:topConceptOf": "topConceptOf",
    "vann:preferredNamespacePrefix": "preferredNamespacePrefix",
    "vann:preferredNamespaceUri": "preferredNamespaceUri",
}
# ``type`` is always an array, like every link, so a front end never checks for a lone string.
KEYWORD_ALIASES = {"id": "@id", "type": {"@id": "@type", "@container": "@set"}}
# Datatypes whose values become JSON numbers and booleans (when their lexical form is canonical,
# so that turning them back into RDF gives the same literal).
NATIVE = {str(XSD.integer): int, str(XSD.boolean): bool}
# The ontology's terms that get a term in the context (its individuals, such as ckg:Region, stay
# values).
ONTOLOGY_KINDS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Datatype,
)


_RDF_TYPE = RDF.type


def _is_rdf_type(term: Node) -> bool:
    """``term == RDF.type``, without rdflib's comparison in Python."""
    return type(term) is URIRef and str.__eq__(term, _RDF_TYPE)


class ContextError(ClusterKGError):
    """The JSON-LD cannot be built: two IRIs would get one term, or two clusters one file."""


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in one of the vocabularies, else the IRI."""
    for prefix, namespace in sorted(VOCABULARY_PREFIXES.items()):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def expand_curie(name: str) -> str:
    prefix, _, local = name.partition(":")
    return VOCABULARY_PREFIXES[prefix] + local if prefix in VOCABULARY_PREFIXES else name


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _value_shape(values: list) -> dict:
    """The coercion that fits every value of one property in the data."""
    if all(isinstance(v, URIRef) for v in values):
        return {"@type": "@id", "@container": "@set"}
    if not all(isinstance(v, Literal) for v in values):
        return {}  # blank nodes or a mix of links and text: no coercion
    if all(v.language for v in values):
        return {"@container": "@language"}
    datatypes = {str(v.datatype) if v.datatype else None for v in values}
    if len(datatypes) == 1:
        (datatype,) = datatypes
        if datatype and datatype not in NATIVE and datatype != str(XSD.string):
            return {"@type": curie(datatype)}
    return {}


def _ontology_shape(ontology: Graph, prop: URIRef) -> dict:
    """The coercion the ontology declares, for terms the data does not use (yet)."""
    if (prop, RDF.type, OWL.ObjectProperty) in ontology:
        return {"@type": "@id", "@container": "@set"}
    ranges = sorted(ontology.objects(prop, RDFS.range))
    if len(ranges) == 1:
        if ranges[0] == RDF.langString:
            return {"@container": "@language"}
        if str(ranges[0]) not in NATIVE and ranges[0] != XSD.string:
            return {"@type": curie(str(ranges[0]))}
    return {}


def context(graph: Graph | Iterable[tuple[Node, Node, Node]], ontology: Graph) -> dict:
    """The designed ``@context`` (its inner object) for ``graph`` under ``ontology``.

    ``graph`` may also be its triples, in any order. Raises ``ContextError`` if two IRIs would
    get the same term.
    """
    terms: dict[str, dict] = {}
    owner: dict[str, str] = {}

    def define(name: str, iri: str, shape: dict) -> None:
        if owner.get(name, iri) != iri or name in KEYWORD_ALIASES or name in VOCABULARY_PREFIXES:
            raise ContextError(f"the term {name!r} would stand for {owner.get(name)} and {iri}")
        owner[name] = iri
        terms[name] = {"@id": curie(iri), **shape} if shape else curie(iri)

    values: dict[URIRef, list] = defaultdict(list)
    classes: set[URIRef] = set()
    for _, p, o in graph:
        if _is_rdf_type(p):
            if isinstance(o, URIRef):
                classes.add(o)
        else:
            values[p].append(o)

    reused = {expand_curie(k): v for k, v in REUSED_TERMS.items()}
    ontology_terms = {
        s
        for kind in ONTOLOGY_KINDS
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(CKG))
    }
    for iri in sorted(ontology_terms | classes | set(values)):
        name = reused.get(str(iri)) or _local(str(iri))
        if str(iri) not in reused and not str(iri).startswith(str(CKG)):
            name = _fallback_name(str(iri), owner)
        if iri in values:
            shape = _value_shape(values[iri])
        elif iri in classes or (iri, RDF.type, RDFS.Datatype) in ontology:
            shape = {}
        else:
            shape = _ontology_shape(ontology, iri)
        define(name, str(iri), shape)

    # A property whose values carry several datatypes (skos:notation: ISTAT, NUTS and PNRR codes)
    # gets one more term per datatype of the ontology, so each code reads as plain text.
    for prop in sorted(values):
        datatypes = {v.datatype for v in values[prop] if isinstance(v, Literal)}
        if len(datatypes) < 2:
            continue
        for datatype in sorted(d for d in datatypes if d and str(d).startswith(str(CKG))):
            name = _local(str(datatype))
            name = name[0].lower() + name[1:]
            define(name, str(prop), {"@type": curie(str(datatype))})

    # The prefixes keep the context readable; they also shorten links into the vocabularies
    # (``"subClassOf": ["org:FormalOrganization"]``). Instance IRIs stay whole.
    return {
        "@version": 1.1,
        **KEYWORD_ALIASES,
        **VOCABULARY_PREFIXES,
        **terms,
    }


def _fallback_name(iri: str, taken: dict[str, str]) -> str:
    # A reused term missing from REUSED_TERMS still gets a key (never a CURIE): its local name,
    # else prefix + local name, else the local name numbered.
    local = _local(iri) or "term"
    short = curie(iri)
    prefix = short.partition(":")[0] if short != iri else ""
    candidates = [local] + ([prefix + local[0].upper() + local[1:]] if prefix else [])
    candidates += [f"{local}{n}" for n in range(2, len(taken) + 3)]
    return next(
        name
        for name in candidates
        if taken.get(name, iri) == iri
        and name not in VOCABULARY_PREFIXES
        and name not in KEYWORD_ALIASES
    )


def document_loader(context_iri: str, context_object: dict) -> Callable:
    """A pyld document loader that serves ``context_object`` at ``context_iri`` and nothing else.

    Any other URL raises ``JsonLdError``: processing a document never fetches anything.
    """

    def load(url: str, options: dict | None = None) -> dict:
        if url == context_iri:
            return {
                "contentType": "application/ld+json",
                "contextUrl": None,
                "documentUrl": url,
                "document": {"@context": context_object},
            }
        raise JsonLdError(
            f"refusing to load {url}: clusterkg resolves only its own context ({context_iri})",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading remote context failed",
        )

    return load


def expanded(graph: Graph) -> list[dict]:
    """Expanded JSON-LD for ``graph``, integers and booleans as JSON numbers and booleans.

    rdflib writes the expanded form directly; pyld's own RDF conversion gives the same nodes but
    deduplicates triples pairwise, which made it the slowest step of the whole build.
    """
    document = json.loads(graph.serialize(format="json-ld"))
    for node in document:
        for key, items in node.items():
            if isinstance(items, list):  # values in a stable order, whatever rdflib's
                items.sort(key=lambda item: json.dumps(item, sort_keys=True))
            if key.startswith("@"):
                continue
            for item in items:
                convert = NATIVE.get(item.get("@type", ""))
                if convert is not None and "@value" in item:
                    _make_native(item, convert)
    return sorted(document, key=lambda node: node["@id"])


def _make_native(item: dict, convert: type) -> None:
    text = item["@value"]
    if isinstance(text, bool | int):  # already native (rdflib writes integers as numbers)
        if isinstance(text, bool) == (convert is bool):
            del item["@type"]
        return
    if convert is bool:
        if text in ("true", "false"):
            item["@value"] = text == "true"
            del item["@type"]
        return
    try:
        number = int(text)
    except ValueError:
        return
    if str(number) == text:
        item["@value"] = number
        del item["@type"]


def dumps(document: dict) -> bytes:
    """Stable bytes: sorted keys, two-space indent, UTF-8.

    The bytes of ``json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)`` and a
    newline. With an indent, ``json`` encodes in pure Python, a generator per value;
    ``_write`` does the same with a few string operations per value and ``json``'s own escaping.
    """
    try:
        text = _write(document, 0)
    except (_NotPlainJSON, TypeError):  # something only json.dumps writes (or refuses)
        text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode()


class _NotPlainJSON(Exception):
    pass


_NEWLINES = ["\n" + "  " * level for level in range(32)]


def _write(value, level: int) -> str:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` at ``level`` for plain
    JSON values: dicts with string keys, lists, strings, numbers, booleans and None."""
    kind = type(value)
    if kind is str:
        return _encode(value)
    if kind is dict or kind is list:
        if not value:
            return "{}" if kind is dict else "[]"
        while len(_NEWLINES) < level + 2:
            _NEWLINES.append("\n" + "  " * len(_NEWLINES))
        inner = _NEWLINES[level + 1]
        separator = "," + inner
        if kind is dict:
            entries = [_encode(k) + ": " + _write(v, level + 1) for k, v in sorted(value.items())]
            return "{" + inner + separator.join(entries) + _NEWLINES[level] + "}"
        try:  # most lists hold strings only: links, types, labels
            entries = separator.join(map(_encode, value))
        except TypeError:
            entries = separator.join([_write(v, level + 1) for v in value])
        return "[" + inner + entries + _NEWLINES[level] + "]"
    return _scalar(value)


_encode = json.encoder.encode_basestring  # json's escaping, for ensure_ascii=False
_encode_ascii = json.encoder.encode_basestring_ascii  # ... and for ensure_ascii=True


def _scalar(value) -> str:
    """A number, boolean or null as ``json.dumps`` writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is float:
        if value != value:
            return "NaN"
        if value in (math.inf, -math.inf):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise _NotPlainJSON


def compacted(graph: Graph, ctx: dict, loader: Callable) -> dict:
    """``graph`` compacted with ``ctx`` (embedded), nodes in ``id`` order."""
    document = pyld.compact(expanded(graph), {"@context": ctx}, _options(loader))
    nodes = document.get("@graph")
    if isinstance(nodes, list):
        nodes.sort(key=lambda node: node.get("id", ""))
    return document


def _options(loader: Callable) -> dict:
    return {"documentLoader": loader, "base": None, "compactArrays": True}


def clusters(graph: Graph) -> list[URIRef]:
    """Every cluster of the graph, in IRI order."""
    return sorted(c for c in set(graph.subjects(RDF.type, CKG.Cluster)) if isinstance(c, URIRef))


def cluster_slug(cluster: URIRef) -> str:
    return str(cluster).rstrip("/").rsplit("/", 1)[-1]


def cluster_subgraph(checked: Loaded, cluster: URIRef, asserted: Graph | None = None) -> Graph:
    """What a cluster's document holds: the cluster and what its profile says, nested.

    Everything stated about the cluster, and about each resource reachable from it by links
    through resources that its profile describes (sites, addresses, stories, figures, projects,
    activities, events, synergies, stated references...). Resources the profile only points to
    (concepts, networks, places, organisations from the reference data, quoted source lines)
    come with their types and literal values (labels, codes, quotations), not their own links,
    so a document stays about one cluster.
    """
    if asserted is None:
        asserted = checked.asserted_graph()
    described = described_by_profiles(checked, cluster)
    out = Graph()
    seen: set = set()
    queue = [cluster]
    while queue:
        node = queue.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, p, o in asserted.triples((node, None, None)):
            if node in described:
                out.add((node, p, o))
                if p != RDF.type and not isinstance(o, Literal):
                    queue.append(o)
            elif p == RDF.type or isinstance(o, Literal):
                out.add((node, p, o))
    return out


def described_by_profiles(
    checked: Loaded, cluster: URIRef, profiles: list[tuple[set, set]] | None = None
) -> set:
    """``cluster`` and every subject of the profile graphs that describe it (among
    ``profiles``, the ``(clusters, subjects)`` of each profile graph, if at hand)."""
    if profiles is None:
        profiles = profile_subjects(checked)
    described = {cluster}
    for clusters_described, subjects in profiles:
        if cluster in clusters_described:
            described |= subjects
    return described


def profile_subjects(checked: Loaded) -> list[tuple[set, set]]:
    """``(clusters, subjects)`` of each profile graph, from its triples (no Graph is built)."""
    prefix = str(checked.project.graph_iri("profile/"))
    found = []
    for iri in checked.sources.graph_iris():
        if str(iri).startswith(prefix):
            triples = list(checked.sources.graph_triples(iri))
            clusters = {s for s, p, o in triples if p == RDF.type and o == CKG.Cluster}
            found.append((clusters, {s for s, _, _ in triples}))
    return found


def framed_cluster(subgraph: Graph, cluster: URIRef, ctx: dict, loader: Callable) -> dict:
    """The cluster as one nested object: each linked resource embedded where it is linked."""
    frame = {"@context": ctx, "@id": str(cluster), "@embed": "@always"}
    options = {**_options(loader), "omitGraph": True}
    return pyld.frame(expanded(subgraph), frame, options)


def release_files(checked: Loaded) -> dict[str, tuple[bytes, str]]:
    """``context.jsonld``, ``kg.jsonld`` (compacted) and ``clusters/<slug>.jsonld``.

    Each document is built by ``_Documents`` straight from the triples when it can, else by
    rdflib and pyld (``compacted``, ``framed_cluster``); both give the same bytes.
    """
    asserted = checked.asserted_graph()
    ontology = checked.sources.graph(checked.project.graph_iri("ontology"))
    triples = checked.asserted_triples()
    ctx = context(triples, ontology)
    loader = document_loader(context_iri(checked.project.base), ctx)
    fast = _Documents(triples, asserted, ctx, loader)
    files = {
        CONTEXT_FILE: (
            dumps({"@context": ctx}),
            "the JSON-LD context: short camelCase keys for every term, for kg.jsonld and clusters/",
        ),
        "kg.jsonld": (
            _fast_or(fast.kg, lambda: compacted(asserted, ctx, loader)),
            "the asserted graph as JSON-LD compacted with context.jsonld",
        ),
    }
    slugs: dict[str, URIRef] = {}
    for cluster in clusters(asserted):
        slug = cluster_slug(cluster)
        if slug in slugs:
            raise ContextError(f"two clusters would share clusters/{slug}.jsonld: {cluster}")
        slugs[slug] = cluster
        files[f"{CLUSTERS_DIR}/{slug}.jsonld"] = (
            _fast_or(
                lambda c=cluster: fast.cluster(checked, c),
                lambda c=cluster: framed_cluster(
                    cluster_subgraph(checked, c, asserted), c, ctx, loader
                ),
            ),
            "one cluster as a nested JSON object (framed JSON-LD)",
        )
    return files


def _fast_or(fast: Callable[[], dict], generic: Callable[[], dict]) -> bytes:
    """The document's bytes by the fast path, or by the generic one where the fast path says it
    does not reproduce rdflib and pyld for this input."""
    try:
        return dumps(fast())
    except (_Unsupported, UnicodeEncodeError):  # (rdflib writes a lone surrogate as "?")
        return dumps(generic())


def context_iri(base: str) -> str:
    """Where ``context.jsonld`` is published: at the root of the release, under ``base``."""
    return f"{base}{CONTEXT_FILE}"


def to_nquads(document: dict, loader: Callable) -> str:
    """The RDF a JSON-LD document holds, as N-Quads, by pyld (no network: ``loader`` only)."""
    return pyld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader})


# --- The documents straight from the triples --------------------------------------------------
#
# rdflib's serializer, pyld's expansion, compaction and framing are generic: they look up
# containers, aliases and term definitions for every value, and took half a minute at 100,000
# triples. The release documents need a small part of them: flat node objects from RDF terms,
# a context of plain terms with type coercions and @set and @language containers. ``_Documents``
# builds the documents from the triples and asks pyld only once per property and kind of value
# (a link, a literal of a datatype or a language...) which key and which compacted form pyld's
# algorithms choose, so the documents are pyld's, byte for byte. Whatever it does not reproduce
# (blank nodes, RDF lists, contexts with other features) raises ``_Unsupported``, and that
# document is made by rdflib and pyld instead. tests/test_jsonld_fast.py compares the two.


class _Unsupported(Exception):
    """Input that the fast path does not reproduce: rdflib and pyld make this document."""


_LINK, _LITERAL = 0, 1
# A literal's kind, as term selection sees it: ("@type", datatype), ("@language", tag), or:
_PLAIN = ("@value",)
# What rdflib's serializer writes as JSON numbers and booleans (with their datatype, which
# ``expanded`` then drops for integers and booleans).
_RDFLIB_NATIVE = frozenset(PLAIN_LITERAL_TYPES)


@cache
def _rdflib_writes_native_values() -> bool:
    """Whether rdflib's JSON-LD serializer writes ``"05"^^xsd:integer`` as the number 5.

    It does (it parses ``use_native_types`` into a non-empty tuple, so always true), which
    ``_make_native`` then sees; asked once rather than assumed, in case rdflib changes.
    """
    graph = Graph()
    graph.add((URIRef("urn:x:s"), URIRef("urn:x:p"), Literal("05", datatype=XSD.integer)))
    value = json.loads(graph.serialize(format="json-ld"))[0]["urn:x:p"][0]["@value"]
    return type(value) is int


def _native_value(value, convert: type):
    """What ``_make_native`` makes of ``value`` (None: the literal keeps its datatype)."""
    if isinstance(value, bool | int):
        return value if isinstance(value, bool) == (convert is bool) else None
    if convert is bool:
        return value == "true" if value in ("true", "false") else None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if str(number) == value else None


def _json_scalar(value) -> str:
    """``json.dumps(value)``, as ``expanded`` sorts by it."""
    if type(value) is str:
        return _encode_ascii(value)
    if type(value) is float and value != value:
        raise _Unsupported("NaN")  # not equal to itself: pyld's duplicate test would differ
    return _scalar(value)


class _Terms:
    """rdflib terms as ``expanded`` gets them from rdflib's serializer.

    A link or literal becomes an item ``(sort key, _LINK, IRI, None)`` or
    ``(sort key, _LITERAL, value, kind)``: the sort key is the ``json.dumps`` of the expanded
    value that ``expanded`` sorts by, the value the JSON value after ``_make_native``.
    """

    def __init__(self, is_absolute: Callable[[str], object]) -> None:
        self.native = _rdflib_writes_native_values()
        self.is_absolute = is_absolute
        self.iris: dict[Node, str] = {}
        self.links: dict[Node, tuple] = {}
        self.null_literal = False  # a literal "@null": pyld's framing turns it into null

    def iri(self, term: Node) -> str:
        text = self.iris.get(term)
        if text is None:
            if not isinstance(term, URIRef):
                raise _Unsupported(f"not an IRI: {term!r}")  # blank nodes
            text = str(term)
            if not self.is_absolute(text):  # pyld would drop or resolve it
                raise _Unsupported(f"not an absolute IRI: {text}")
            self.iris[term] = text
        return text

    def item(self, term: Node) -> tuple:
        if isinstance(term, Literal):  # (not remembered: rdflib hashes literals in Python)
            return self.literal(term)
        item = self.links.get(term)
        if item is None:
            if not isinstance(term, URIRef):
                raise _Unsupported(f"not an IRI or a literal: {term!r}")  # blank nodes
            iri = self.iri(term)
            item = self.links[term] = ('{"@id": ' + _encode_ascii(iri) + "}", _LINK, iri, None)
        return item

    def literal(self, term: Literal) -> tuple:
        text = str(term)
        if text == "@null":
            self.null_literal = True
        datatype = term.datatype
        if datatype:  # as rdflib's serializer tests them
            iri = self.iri(datatype)
            value = text
            if self.native and datatype in _RDFLIB_NATIVE:
                value = term.toPython()
                if isinstance(value, str):
                    value = str(value)
                elif type(value) not in (bool, int, float):
                    raise _Unsupported(f"rdflib's value for {term!r}")
            key = f'{{"@type": {_encode_ascii(iri)}, "@value": {_json_scalar(value)}}}'
            convert = NATIVE.get(iri)
            native = None if convert is None else _native_value(value, convert)
            if native is not None:
                return (key, _LITERAL, native, _PLAIN)
            return (key, _LITERAL, value, ("@type", iri))
        language = term.language
        if language:
            key = f'{{"@language": {_encode_ascii(language)}, "@value": {_encode_ascii(text)}}}'
            language = language.lower()  # as pyld's expansion has it
            return (key, _LITERAL, text, ("@language", language))
        key = '{"@value": ' + _encode_ascii(text) + "}"
        return (key, _LITERAL, text, _PLAIN)


class _Nodes:
    """The asserted graph's subjects as expanded node objects: ``(IRI, types, properties)``,
    types and each property's items in the order of ``expanded``, properties by IRI."""

    def __init__(self, triples: list, terms: _Terms) -> None:
        self.terms = terms
        self.index: dict[Node, list] = defaultdict(list)
        for s, p, o in triples:
            self.index[s].append((p, o))
        self.predicates: dict[Node, str | None] = {}  # None for rdf:type
        self.full: dict[Node, tuple] = {}
        self.linked: dict[Node, list] = {}
        self.bare: dict[Node, tuple | None] = {}
        self.unique: dict[int, tuple] = {}

    def node(self, subject: Node) -> tuple:
        """Everything stated about ``subject``."""
        node = self.full.get(subject)
        if node is None:
            node = self.full[subject] = self._node(subject)
        return node

    def links(self, subject: Node) -> list:
        """What ``subject`` links to (not its classes)."""
        self.node(subject)
        return self.linked[subject]

    def _node(self, subject: Node) -> tuple:
        terms, predicates = self.terms, self.predicates
        types: list[str] = []
        properties: dict[str, list] = {}
        linked = []
        for p, o in self.index.get(subject, ()):
            prop = predicates.get(p, "")
            if prop == "":
                prop = predicates[p] = None if _is_rdf_type(p) else terms.iri(p)
            if prop is None:
                types.append(terms.iri(o))  # a literal or blank node class is not reproduced
                continue
            item = terms.item(o)
            if item[1] == _LINK:
                linked.append(o)
            items = properties.get(prop)
            if items is None:
                properties[prop] = [item]
            else:
                items.append(item)
        types.sort(key=_encode_ascii)
        by_key = itemgetter(0)
        for items in properties.values():
            if len(items) > 1:
                items.sort(key=by_key)
        self.linked[subject] = linked
        return (terms.iri(subject), types, sorted(properties.items()))

    def bare_node(self, subject: Node) -> tuple | None:
        """Only the types and literal values of ``subject`` (None if it has neither)."""
        if subject not in self.bare:
            iri, types, properties = self.node(subject)
            literals = [(p, [i for i in items if i[1] == _LITERAL]) for p, items in properties]
            literals = [(p, items) for p, items in literals if items]
            self.bare[subject] = (iri, types, literals) if types or literals else None
        return self.bare[subject]

    def without_duplicates(self, node: tuple) -> tuple:
        """``node`` as pyld's node map holds it: equal values of a property only once."""
        unique = self.unique.get(id(node))
        if unique is None:
            iri, types, properties = node
            if all(len({_identity(i) for i in items}) == len(items) for _, items in properties):
                unique = node
            else:
                properties = [(p, _first_of_each(items)) for p, items in properties]
                unique = (iri, types, properties)
            self.unique[id(node)] = unique
        return unique


def _identity(item: tuple):
    """What pyld's framing compares to drop a duplicate value (``compare_values``): the IRI of
    a link; the value, its datatype or language, and whether it is a boolean (1 is not true)."""
    if item[1] == _LINK:
        return item[2]
    return (item[3], item[2], type(item[2]) is bool)


def _first_of_each(items: list) -> list:
    seen: set = set()
    kept = []
    for item in items:
        identity = _identity(item)
        if identity not in seen:
            seen.add(identity)
            kept.append(item)
    return kept


class _Probe(pyld.JsonLdProcessor):
    """A pyld processor that keeps the active context and options its compaction uses."""

    captured: tuple[dict, dict] | None = None

    def _compact(self, active_ctx, active_property, element, options):
        if self.captured is None:
            self.captured = (active_ctx, options)
        return super()._compact(active_ctx, active_property, element, options)


# Term definition entries the fast path reproduces (any other: scoped contexts, @nest,
# @index, @prefix... leaves the documents to pyld).
_TERM_ENTRIES = {"reverse", "protected", "_prefix", "_term_has_colon", "@id", "@type", "@container"}


class _Compactor:
    """pyld's compaction of expanded node objects with one context, memoised.

    Which key a value goes under (term selection) depends on the property and the kind of value
    only: a link (and whether its IRI is itself a term), or a literal of a datatype, of a
    language, or plain. So does the compacted form of a value under a term. Both are asked of
    pyld once for each and reused; IRIs (``id`` and links) are compacted as pyld does, to a
    prefix:local CURIE or left whole.
    """

    def __init__(self, ctx: dict, loader: Callable) -> None:
        if not ctx:
            raise _Unsupported("an empty context")
        probe = _Probe()
        probe.compact([], {"@context": ctx}, _options(loader))
        if probe.captured is None:
            raise _Unsupported("pyld did not compact")
        self.pyld, (self.active, self.options) = probe, probe.captured
        self.compact_iri = probe._compact_iri  # (pyld's internals: an AttributeError if renamed)
        self.compact_value = probe._compact_value
        active, mappings = self.active, self.active["mappings"]
        if set(active) - {"mappings", "processingMode", "@version", "_uuid", "inverse"}:
            raise _Unsupported("a context with defaults (@vocab, @language, @base...)")
        for term, definition in mappings.items():
            if (
                definition is None
                or ":" in term
                or set(definition) - _TERM_ENTRIES
                or definition["reverse"]
                or set(definition.get("@container", ())) - {"@set", "@language"}
                or definition.get("@type") in ("@vocab", "@json", "@none")
            ):
                raise _Unsupported(f"the term {term!r}")
        self.prefixes = [(t, d["@id"]) for t, d in mappings.items() if d["_prefix"] and d["@id"]]
        self.confusable = tuple(t + ":" for t, d in mappings.items() if d["_prefix"])
        self.term_iris = {d["@id"] for d in mappings.values()}
        self.id_key = self.compact_iri(active, "@id")
        self.type_key = self.compact_iri(active, "@type")
        self.none_key = self.compact_iri(active, "@none")
        self.graph_key = self.compact_iri(active, "@graph")
        self.types_as_set = "@set" in self._container(self.type_key) and probe._processing_mode(
            active, 1.1
        )
        self.iris: dict[str, str] = {}
        self.vocab_iris: dict[str, str] = {}
        self.links: dict[tuple, tuple] = {}
        self.literals: dict[tuple, tuple] = {}

    def _container(self, term: str) -> list:
        return pyld.JsonLdProcessor.arrayify(
            pyld.JsonLdProcessor.get_context_value(self.active, term, "@container")
        )

    def iri(self, iri: str) -> str:
        """pyld's ``_compact_iri(iri)`` (an ``@id``): the shortest CURIE, else the IRI."""
        compact = self.iris.get(iri)
        if compact is None:
            for term, prefix in self.prefixes:
                if iri.startswith(prefix) and iri != prefix:
                    curie = term + ":" + iri[len(prefix) :]
                    if compact is None or (len(curie), curie) < (len(compact), compact):
                        compact = curie
            if compact is None:
                compact = iri
                if iri.startswith(self.confusable):  # pyld's error
                    compact = self.compact_iri(self.active, iri, vocab=False, base=None)
            self.iris[iri] = compact
        return compact

    def vocab_iri(self, iri: str) -> str:
        """pyld's ``_compact_iri(iri, vocab=True)``: a class as a term."""
        compact = self.vocab_iris.get(iri)
        if compact is None:
            compact = self.vocab_iris[iri] = self.compact_iri(self.active, iri, vocab=True)
        return compact

    def _names_a_term(self, iri: str) -> bool:
        """pyld's test, in term selection for a link, of whether its IRI compacts to a term."""
        if iri not in self.term_iris:
            return False
        term = self.vocab_iri(iri)
        definition = self.active["mappings"].get(term)
        return bool(term is not None and definition and definition["@id"] == iri)

    def _select(self, prop: str, value: dict) -> tuple[str, bool, bool]:
        """The key of ``value`` under ``prop``, whether it is a language map, whether a set."""
        term = self.compact_iri(self.active, prop, value, vocab=True)
        container = self._container(term)
        if set(container) - {"@set", "@language", None}:
            raise _Unsupported(f"the container of {term!r}")
        return term, "@language" in container, "@set" in container

    def link(self, prop: str, iri: str) -> tuple:
        """(key, language map?, set?, the link as a string?) for a link under ``prop``."""
        names_term = self._names_a_term(iri)
        choice = self.links.get((prop, names_term))
        if choice is None:
            term, language_map, as_set = self._select(prop, {"@id": iri})
            coercion = pyld.JsonLdProcessor.get_context_value(self.active, term, "@type")
            if coercion == "@vocab":
                raise _Unsupported(f"the coercion of {term!r}")
            choice = (term, language_map, as_set, coercion == "@id")
            self.links[(prop, names_term)] = choice
        return choice

    def literal(self, prop: str, kind: tuple) -> tuple:
        """(key, language map?, set?, form) for a literal of ``kind`` under ``prop``: the form is
        None for the bare value, else (the other entries, the entry for the value)."""
        choice = self.literals.get((prop, kind))
        if choice is None:
            value = {"@value": (marker := "\0value")}
            if kind is not _PLAIN:
                value[kind[0]] = kind[1]
            term, language_map, as_set = self._select(prop, value)
            compacted = self.compact_value(self.active, term, value, self.options)
            if compacted is marker:
                form = None
            else:
                keys = (
                    [k for k, v in compacted.items() if v is marker]
                    if type(compacted) is dict
                    else []
                )
                if len(keys) != 1:
                    raise _Unsupported(f"the compaction of {value} under {term!r}")
                form = ({k: v for k, v in compacted.items() if v is not marker}, keys[0])
            choice = self.literals[(prop, kind)] = (term, language_map, as_set, form)
        return choice

    def node(self, node: tuple, embed: Callable[[str], dict | None] | None = None) -> dict:
        """The compacted node object; ``embed(iri)`` gives the object to put for a link, if any.

        (The loop is pyld's ``_compact`` for one node object, with its lookups remembered.)
        """
        iri, types, properties = node
        iris, id_key = self.iris, self.id_key
        out: dict = {id_key: iris.get(iri) or self.iri(iri)}
        if types:
            compacted = [self.vocab_iris.get(t) or self.vocab_iri(t) for t in types]
            out[self.type_key] = (
                compacted if self.types_as_set or len(compacted) > 1 else compacted[0]
            )
        links, literals, term_iris = self.links, self.literals, self.term_iris
        for prop, items in properties:
            for item in items:
                language = None
                if item[1] == _LINK:
                    target = item[2]
                    choice = links.get((prop, target in term_iris and self._names_a_term(target)))
                    if choice is None:
                        choice = self.link(prop, target)
                    term, language_map, as_set, as_string = choice
                    value = embed(target) if embed is not None else None
                    if value is None:
                        value = iris.get(target) or self.iri(target)
                        if not as_string:
                            value = {id_key: value}
                else:
                    kind = item[3]
                    choice = literals.get((prop, kind)) or self.literal(prop, kind)
                    term, language_map, as_set, form = choice
                    value = item[2]
                    if form is not None:
                        value = {**form[0], form[1]: value}
                    if kind[0] == "@language":
                        language = kind[1]
                if language_map:
                    if type(value) is dict and "@value" in value:
                        value = value["@value"]
                    _add(out.setdefault(term, {}), language or self.none_key, value, as_set)
                elif term in out:
                    values = out[term]
                    if type(values) is list:
                        values.append(value)
                    else:
                        out[term] = [values, value]
                else:
                    out[term] = [value] if as_set else value
        return out


def _add(node: dict, key: str, value, as_set: bool) -> None:
    """pyld's ``add_value`` for one value."""
    if key in node:
        values = node[key]
        if type(values) is not list:
            values = node[key] = [values]
        values.append(value)
    else:
        node[key] = [value] if as_set else value


class _Documents:
    """kg.jsonld and the cluster documents, built from the triples (see above)."""

    def __init__(self, triples: list, graph: Graph, ctx: dict, loader: Callable) -> None:
        self.ctx = ctx
        self.unsupported: str | None = None
        # rdflib writes RDF lists as @list objects (and rdf:nil anywhere as an empty one).
        if (None, RDF.first, None) in graph or (None, None, RDF.nil) in graph:
            self.unsupported = "RDF lists"
        try:
            self.compactor = _Compactor(ctx, loader)
            self.terms = _Terms(pyld._is_absolute_iri)
        except (_Unsupported, JsonLdError) as reason:  # (pyld's own errors are pyld's to raise)
            self.unsupported = str(reason)
        except (AttributeError, TypeError) as error:  # pyld's internals changed
            self.unsupported = f"pyld: {error}"
        if self.unsupported is None:
            self.nodes = _Nodes(triples, self.terms)
        self.profiles: list[tuple[set, set]] | None = None  # see profile_subjects

    def kg(self) -> dict:
        """``compacted(graph, ctx, loader)``."""
        if self.unsupported:
            raise _Unsupported(self.unsupported)
        nodes = sorted((self.nodes.node(s) for s in self.nodes.index), key=itemgetter(0))
        compacted = [self.compactor.node(node) for node in nodes]
        # pyld's compaction: one node is the document, several a @graph
        if len(compacted) == 1:
            return {"@context": self.ctx, **compacted[0]}
        document = {"@context": self.ctx}
        if compacted:
            document[self.compactor.graph_key] = compacted
        nodes = document.get("@graph")  # as compacted() sorts them
        if isinstance(nodes, list):
            nodes.sort(key=lambda node: node.get("id", ""))
        return document

    def cluster(self, checked: Loaded, cluster: URIRef) -> dict:
        """``framed_cluster(cluster_subgraph(checked, cluster), cluster, ctx, loader)``."""
        if self.unsupported:
            raise _Unsupported(self.unsupported)
        nodes = self._subgraph(checked, cluster)
        if self.terms.null_literal:
            raise _Unsupported("a literal @null")
        stack: list[str] = []

        # pyld's framing with @embed @always: a linked node is embedded wherever it is linked,
        # except in itself further down (a node already among the ancestors of the node that
        # links to it stays a link).
        def embed(iri: str) -> dict:
            stack.append(iri)
            ancestors = stack[:-1]
            framed = self.compactor.node(
                nodes[iri],
                lambda linked: (
                    None if linked in ancestors or linked not in nodes else embed(linked)
                ),
            )
            stack.pop()
            return framed

        iri = self.terms.iri(cluster)
        prefix, _, rest = iri.partition(":")
        if prefix in self.compactor.active["mappings"] and not rest.startswith("//"):
            raise _Unsupported("a cluster IRI that reads as a CURIE in the frame")
        return {"@context": self.ctx, **embed(iri)}

    def _subgraph(self, checked: Loaded, cluster: URIRef) -> dict[str, tuple]:
        """The nodes of ``cluster_subgraph(checked, cluster)``, by IRI, as pyld's node map
        holds them."""
        if self.profiles is None:
            self.profiles = profile_subjects(checked)
        described = described_by_profiles(checked, cluster, self.profiles)
        nodes, found = self.nodes, {}
        seen: set = set()
        queue = [cluster]
        while queue:
            node = queue.pop()
            if node in seen:
                continue
            seen.add(node)
            if node not in nodes.index:
                continue
            if node in described:
                expanded_node = nodes.node(node)
                queue.extend(nodes.links(node))
            else:
                expanded_node = nodes.bare_node(node)
            if expanded_node is not None:
                found[expanded_node[0]] = nodes.without_duplicates(expanded_node)
        return found
