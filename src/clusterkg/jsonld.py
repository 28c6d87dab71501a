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
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

from pyld import jsonld as pyld
from pyld.jsonld import JsonLdError
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef

from .errors import ClusterKGError
from .pipeline import Checked
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


def context(graph: Graph, ontology: Graph) -> dict:
    """The designed ``@context`` (its inner object) for ``graph`` under ``ontology``.

    Raises ``ContextError`` if two IRIs would get the same term.
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
        if p == RDF.type:
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
    """Stable bytes: sorted keys, two-space indent, UTF-8."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


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


def cluster_subgraph(checked: Checked, cluster: URIRef, asserted: Graph | None = None) -> Graph:
    """What a cluster's document holds: the cluster and what its profile says, nested.

    Everything stated about the cluster, and about each resource reachable from it by links
    through resources that its profile describes (sites, addresses, stories, figures, projects,
    activities, events, synergies, stated references...). Resources the profile only points to
    (concepts, networks, places, organisations from the reference data, quoted source lines)
    come with their types and literal values (labels, codes, quotations), not their own links,
    so a document stays about one cluster.
    """
    if asserted is None:  # the union copies every triple: callers with many clusters pass it
        asserted = checked.sources.union()
    profiles = [
        g
        for g in checked.sources.named_graphs()
        if str(g.identifier).startswith(str(checked.project.graph_iri("profile/")))
        and (cluster, RDF.type, CKG.Cluster) in g
    ]
    described = {s for g in profiles for s in g.subjects()} | {cluster}
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


def framed_cluster(subgraph: Graph, cluster: URIRef, ctx: dict, loader: Callable) -> dict:
    """The cluster as one nested object: each linked resource embedded where it is linked."""
    frame = {"@context": ctx, "@id": str(cluster), "@embed": "@always"}
    options = {**_options(loader), "omitGraph": True}
    return pyld.frame(expanded(subgraph), frame, options)


def release_files(checked: Checked) -> dict[str, tuple[bytes, str]]:
    """``context.jsonld``, ``kg.jsonld`` (compacted) and ``clusters/<slug>.jsonld``."""
    asserted = checked.sources.union()
    ontology = checked.sources.dataset.graph(checked.project.graph_iri("ontology"))
    ctx = context(asserted, ontology)
    loader = document_loader(context_iri(checked.project.base), ctx)
    files = {
        CONTEXT_FILE: (
            dumps({"@context": ctx}),
            "the JSON-LD context: short camelCase keys for every term, for kg.jsonld and clusters/",
        ),
        "kg.jsonld": (
            dumps(compacted(asserted, ctx, loader)),
            "the asserted graph as JSON-LD compacted with context.jsonld",
        ),
    }
    slugs: dict[str, URIRef] = {}
    for cluster in clusters(asserted):
        slug = cluster_slug(cluster)
        if slug in slugs:
            raise ContextError(f"two clusters would share clusters/{slug}.jsonld: {cluster}")
        slugs[slug] = cluster
        document = framed_cluster(
            cluster_subgraph(checked, cluster, asserted), cluster, ctx, loader
        )
        files[f"{CLUSTERS_DIR}/{slug}.jsonld"] = (
            dumps(document),
            "one cluster as a nested JSON object (framed JSON-LD)",
        )
    return files


def context_iri(base: str) -> str:
    """Where ``context.jsonld`` is published: at the root of the release, under ``base``."""
    return f"{base}{CONTEXT_FILE}"


def to_nquads(document: dict, loader: Callable) -> str:
    """The RDF a JSON-LD document holds, as N-Quads, by pyld (no network: ``loader`` only)."""
    return pyld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader})
