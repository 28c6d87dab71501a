"""Publish stage: the dataset describes itself (VoID statistics, DCAT-AP / DCAT-AP_IT record).

Two files, both at the root of the release:

* ``void.ttl``: a VoID description whose numbers are computed from the asserted graph (the
  content of ``kg.ttl``/``kg.nt``), with a class and a property partition, one subset per named
  graph and, beside it, the inferred graph as a dataset of its own.
* ``catalog.ttl``: the catalogue record for open-data portals (DCAT-AP and its Italian profile
  DCAT-AP_IT), with one distribution per release file: media type, size, SHA-256, licence.

They are separate because they serve different readers: catalogue harvesters (CKAN's DCAT-AP_IT
harvester for dati.gov.it, data.europa.eu) want a small record they can validate, linked-data
tools look for VoID's partitions and statistics. Both describe the same dataset IRI.

What a person decides (titles, publisher, licence, themes, dates) is written by hand in
``data/dataset.ttl``; this stage adds only what it can compute, and never reads the clock, so
the same sources give the same bytes. It runs after every other release file exists, because
the record lists each of them.

The release folder is meant to be published at the base IRI: ``release/kg.ttl`` is
``<base>kg.ttl``, ``release/ontology/`` is ``<base>ontology/``, ``release/source/x.txt`` is the
``<base>source/x.txt`` the graph cites. Download URLs follow that layout.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV

from .errors import SourceError
from .load import parse_source
from .oxterms import ntriples_rows, ntriples_term, oxigraph_triples
from .pipeline import Checked
from .project import CKG, VOCABULARY_PREFIXES, bind_prefixes
from .validate import Validation, validate

VOID = Namespace("http://rdfs.org/ns/void#")
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")

VOID_FILE = "void.ttl"
CATALOG_FILE = "catalog.ttl"
METADATA_FILES = (VOID_FILE, CATALOG_FILE)
CHECKSUMS_FILE = "SHA256SUMS"
# The dumps of the asserted graph, with the W3C format IRI each is written in.
DUMPS = {
    "kg.ttl": FORMATS.Turtle,
    "kg.nt": FORMATS["N-Triples"],
    "kg.jsonld": FORMATS["JSON-LD"],
    "kg.trig": FORMATS.TriG,
}
INFERRED_DUMP = "inferred.ttl"
# Rights statement (in data/dataset.ttl) for the verbatim third-party pages under source/.
SOURCE_RIGHTS_PATH = "rights/source-quotations"

# File name suffix -> (IANA media type, EU file-type authority code). Anything else is plain
# text: the release holds nothing binary.
MEDIA_TYPES = {
    ".ttl": ("text/turtle", "RDF_TURTLE"),
    ".nt": ("application/n-triples", "RDF_N_TRIPLES"),
    ".jsonld": ("application/ld+json", "JSON_LD"),
    ".trig": ("application/trig", "RDF_TRIG"),
    ".rdf": ("application/rdf+xml", "RDF_XML"),
    ".html": ("text/html", "HTML"),
    ".json": ("application/json", "JSON"),
    ".csv": ("text/csv", "CSV"),
    ".tsv": ("text/tab-separated-values", "TSV"),
    ".svg": ("image/svg+xml", "SVG"),
    ".xml": ("application/xml", "XML"),
    ".md": ("text/markdown", "TXT"),
    ".txt": ("text/plain", "TXT"),
}
PLAIN_TEXT = ("text/plain", "TXT")
_RDF_TYPE = f"<{RDF.type}>".encode()


@dataclass(frozen=True)
class Written:
    """A release file a forked process has written already: what the build still needs of it
    (its bytes would cross from that process for nothing)."""

    size: int
    sha256: str

    @classmethod
    def of(cls, data: bytes) -> Written:
        return cls(len(data), hashlib.sha256(data).hexdigest())


# Release files by path inside the release: (bytes, or what is known of a written file;
# description).
Contents = dict[str, tuple[bytes | Written, str]]


def file_size(data: bytes | Written) -> int:
    return data.size if isinstance(data, Written) else len(data)


def file_sha256(data: bytes | Written) -> str:
    return data.sha256 if isinstance(data, Written) else hashlib.sha256(data).hexdigest()


def dataset_file(checked: Checked) -> Path:
    return checked.project.root / "data" / "dataset.ttl"


def shapes_file(checked: Checked) -> Path:
    return checked.project.root / "ontology" / "dcat-shapes.ttl"


def release_files(
    checked: Checked,
    contents: Contents,
    sparql_endpoint: str | None = None,
    counted: GraphStatistics | None = None,
) -> dict[str, tuple[bytes, str]]:
    """``void.ttl`` and ``catalog.ttl`` for the release whose other files are ``contents``.

    ``sparql_endpoint`` is the URL of a SPARQL endpoint serving the graph, if one is deployed;
    the static release has none. ``counted``, :func:`graph_statistics` if already made.
    """
    described = describe(checked)
    base = checked.project.base
    record = catalog_graph(checked, contents, described)
    require_valid_record(checked, record)
    return {
        VOID_FILE: (
            _turtle(void_graph(checked, contents, described, sparql_endpoint, counted), base),
            "VoID description of the graph, with statistics computed from it",
        ),
        CATALOG_FILE: (
            _turtle(record, base),
            "DCAT-AP / DCAT-AP_IT record: catalogue, dataset, one distribution per file",
        ),
    }


def check_record(checked: Checked, record: Graph) -> Validation:
    """The catalogue record checked against ``ontology/dcat-shapes.ttl``.

    By pySHACL, or by the oxigraph engine when the build validates with it: the same verdicts,
    and the record lists files per cluster and per source (pySHACL took 0.9 s for it at 100,000
    triples). Not by pyrudof, which accepts some ill-typed literals (``validate``).
    """
    engine = "oxigraph" if checked.project.validator == "oxigraph" else "pyshacl"
    return validate(record, parse_source(shapes_file(checked)), engine)


def require_valid_record(checked: Checked, record: Graph) -> None:
    """Stop the build (exit 2, naming data/dataset.ttl) if the record misses a required field.

    Warnings (DCAT-AP_IT fields the project cannot fill truthfully) do not stop it.
    """
    validation = check_record(checked, record)
    if validation.violations:
        first = validation.violations[0]
        more = len(validation.violations) - 1
        raise SourceError(
            dataset_file(checked),
            f"the catalogue record does not conform to {shapes_file(checked).name}: "
            f"{first.focus_label}: {first.message}" + (f" (and {more} more)" if more else ""),
        )


def describe(checked: Checked) -> Graph:
    """The hand-written description of the dataset (``data/dataset.ttl``), moved to the base."""
    path = dataset_file(checked)
    if not path.is_file():
        raise SourceError(
            path,
            "the dataset description is missing: write its title, publisher, licence and "
            "dates there (see the clusterkg project's own data/dataset.ttl)",
        )
    described = parse_source(path, checked.project.base)
    for cls in (DCAT.Catalog, DCAT.Dataset):
        found = sorted(described.subjects(RDF.type, cls))
        if len(found) != 1:
            raise SourceError(
                path, f"describes {len(found)} resources of type {cls.n3()}; expected exactly one"
            )
    return described


def dataset_iri(described: Graph) -> URIRef:
    return next(iter(sorted(described.subjects(RDF.type, DCAT.Dataset))))


def release_url(base: str, path: str) -> URIRef:
    """Where the release file ``path`` is published: the release folder sits at the base."""
    return URIRef(base + quote(path, safe="/"))


# --- VoID -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistics:
    """The VoID numbers of one graph."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    instances: dict[URIRef, int] = field(default_factory=dict)  # class -> distinct instances
    property_triples: dict[URIRef, int] = field(default_factory=dict)  # property -> triples

    @property
    def classes(self) -> int:
        return len(self.instances)

    @property
    def properties(self) -> int:
        return len(self.property_triples)


def statistics(ntriples: bytes, uri_space: str) -> Statistics:
    """Count what VoID asks for in a graph written as N-Triples by Oxigraph (a triple written
    twice counts once). An entity is a subject whose IRI lies in ``uri_space``.

    Classes are the distinct values of ``rdf:type``; a class partition counts the distinct
    subjects typed with the class, whatever their IRI.
    """
    # The terms' text, which Oxigraph writes one way per term: sets of bytes are built in C.
    rows = set(ntriples_rows(ntriples))
    subjects = {s for s, _, _ in rows}
    members: dict[bytes, set[bytes]] = {}
    for s, _, o in (row for row in rows if row[1] == _RDF_TYPE):
        members.setdefault(o, set()).add(s)
    entity = f"<{uri_space}".encode()
    return Statistics(
        triples=len(rows),
        entities=sum(1 for s in subjects if s.startswith(entity)),
        distinct_subjects=len(subjects),
        distinct_objects=len({o for _, _, o in rows}),
        instances=dict(sorted((ntriples_term(c), len(m)) for c, m in members.items())),
        property_triples=dict(
            sorted((ntriples_term(p), n) for p, n in Counter(p for _, p, _ in rows).items())
        ),
    )


@dataclass(frozen=True)
class GraphStatistics:
    """The VoID numbers of the asserted graph, of each named graph and of the inferred graph."""

    asserted: Statistics
    named_graph_triples: dict[URIRef, int]
    inferred: Statistics


def graph_statistics(checked: Checked) -> GraphStatistics:
    """Count the graphs of ``checked`` for VoID: it needs nothing else, so a build can have it
    counted by a forked process while it validates."""
    sources, uri_space = checked.sources, f"{checked.project.base}id/"
    asserted = ox.serialize(sources.oxigraph_triples(), format=ox.RdfFormat.N_TRIPLES)
    inferred = checked.inference.oxigraph or oxigraph_triples(checked.inference.inferred)
    return GraphStatistics(
        asserted=statistics(asserted, uri_space),
        named_graph_triples={
            name: len(set(sources.graph_triples(name))) for name in sources.graph_iris()
        },
        inferred=statistics(ox.serialize(inferred, format=ox.RdfFormat.N_TRIPLES), uri_space),
    )


def vocabulary(term: URIRef) -> URIRef:
    """The namespace a class or property belongs to (a known prefix's, else up to the last
    ``#`` or ``/``)."""
    known = [ns for ns in VOCABULARY_PREFIXES.values() if term.startswith(ns)]
    if known:
        return URIRef(max(known, key=len))
    cut = max(term.rfind("#"), term.rfind("/"))
    return URIRef(term[: cut + 1])


def _slug(term: URIRef) -> str:
    """A readable, IRI-safe name for a partition: ``ckg-Cluster``, ``rdf-type``."""
    for prefix, namespace in sorted(VOCABULARY_PREFIXES.items()):
        local = term[len(namespace) :]
        if term.startswith(namespace) and local and local.replace("_", "").isalnum():
            return f"{prefix}-{local}"
    return "iri-" + hashlib.sha256(term.encode("utf-8")).hexdigest()[:16]


def void_graph(
    checked: Checked,
    contents: Contents,
    described: Graph,
    sparql_endpoint: str | None = None,
    counted: GraphStatistics | None = None,
) -> Graph:
    """The VoID description of the asserted graph, its named graphs and the inferred graph."""
    project = checked.project
    base = project.base
    dataset = dataset_iri(described)
    uri_space = f"{base}id/"
    counted = graph_statistics(checked) if counted is None else counted
    stats = counted.asserted
    out = Graph()
    add = out.add

    add((dataset, RDF.type, VOID.Dataset))
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.publisher):
        for value in described.objects(dataset, prop):
            add((dataset, prop, value))
    add(
        (
            dataset,
            RDFS.comment,
            Literal(
                "The statistics count the asserted graph: ontology, reference data, profiles "
                f"and quoted source lines, as in {', '.join(d for d in DUMPS if d != 'kg.trig')}. "
                "What OWL 2 RL inference adds is described as a dataset of its own, "
                f"{project.graph_iri('inferred')}, and is not counted here.",
                lang="en",
            ),
        )
    )
    add((dataset, RDFS.seeAlso, release_url(base, CATALOG_FILE)))
    add((dataset, RDFS.seeAlso, project.graph_iri("inferred")))
    add((dataset, VOID.uriSpace, Literal(uri_space)))
    _counts(out, dataset, stats)
    # The asserted clusters: the inferred index holds only what the data does not assert.
    typed = checked.data_index().subject_predicates(CKG.Cluster)
    new = checked.inferred_index()
    clusters = {s for s, p in typed if p == RDF.type and (s, p, CKG.Cluster) not in new}
    for cls in sorted(clusters):
        add((dataset, VOID.exampleResource, cls))
    for term in {*stats.instances, *stats.property_triples}:
        add((dataset, VOID.vocabulary, vocabulary(term)))
    for name, fmt in DUMPS.items():
        if name in contents:
            add((dataset, VOID.dataDump, release_url(base, name)))
            add((dataset, VOID.feature, fmt))
    if sparql_endpoint:
        add((dataset, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))

    for cls, count in stats.instances.items():
        partition = URIRef(f"{dataset}/class/{_slug(cls)}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, _count(count)))
    for prop, count in stats.property_triples.items():
        partition = URIRef(f"{dataset}/property/{_slug(prop)}")
        add((dataset, VOID.propertyPartition, partition))
        add((partition, VOID.property, prop))
        add((partition, VOID.triples, _count(count)))

    for name, triples in counted.named_graph_triples.items():
        add((dataset, VOID.subset, name))
        add((name, RDF.type, VOID.Dataset))
        add((name, SD.name, name))
        add((name, VOID.triples, _count(triples)))
        add((name, RDFS.label, Literal(f"named graph {name[len(base) :]}", lang="en")))

    inferred = project.graph_iri("inferred")
    add((inferred, RDF.type, VOID.Dataset))
    add((inferred, SD.name, inferred))
    add((inferred, PROV.wasDerivedFrom, dataset))
    add((inferred, RDFS.label, Literal("named graph graph/inferred", lang="en")))
    add(
        (
            inferred,
            RDFS.comment,
            Literal(
                "What OWL 2 RL inference adds to the asserted graph, without the closure's "
                "trivia. Published in inferred.ttl and as a named graph of kg.trig; not a "
                "subset of the asserted dataset, whose statistics do not count it.",
                lang="en",
            ),
        )
    )
    _counts(out, inferred, counted.inferred)
    for name in (INFERRED_DUMP, "kg.trig"):
        if name in contents:
            add((inferred, VOID.dataDump, release_url(base, name)))
    if sparql_endpoint:
        add((inferred, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    return out


def _count(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _counts(out: Graph, dataset: URIRef, stats: Statistics) -> None:
    out.add((dataset, VOID.triples, _count(stats.triples)))
    out.add((dataset, VOID.entities, _count(stats.entities)))
    out.add((dataset, VOID.distinctSubjects, _count(stats.distinct_subjects)))
    out.add((dataset, VOID.distinctObjects, _count(stats.distinct_objects)))
    out.add((dataset, VOID.classes, _count(stats.classes)))
    out.add((dataset, VOID.properties, _count(stats.properties)))


# --- DCAT-AP / DCAT-AP_IT --------------------------------------------------------------------


# Linked-data documents, pages, hosting rules and the query catalog are how the release is
# served, not data to download: listing each of them (hundreds) would drown the distributions
# a catalogue user looks for. SHA256SUMS still covers every file.
NOT_DISTRIBUTIONS = ("doc/", "queries/", "index.html", ".htaccess", "nginx.conf")


def distributed_files(contents: Contents) -> list[str]:
    """The release files the record lists: the data, its documentation and its sources."""
    skip = {CHECKSUMS_FILE, *METADATA_FILES}
    return sorted(
        name for name in contents if name not in skip and not name.startswith(NOT_DISTRIBUTIONS)
    )


def media_type(path: str) -> tuple[URIRef, URIRef]:
    """(IANA media type IRI, EU file-type IRI) of a release file, from its name."""
    suffix = Path(path).suffix.lower()
    mime, code = MEDIA_TYPES.get(suffix, PLAIN_TEXT)
    return URIRef(IANA + mime), FILE_TYPE[code]


def catalog_graph(checked: Checked, contents: Contents, described: Graph) -> Graph:
    """The hand-written record with one distribution per release file added."""
    base = checked.project.base
    dataset = dataset_iri(described)
    license_ = described.value(dataset, DCTERMS.license)
    source_rights = URIRef(base + SOURCE_RIGHTS_PATH)
    out = Graph()
    for triple in described:
        out.add(triple)
    out.add((dataset, RDFS.seeAlso, release_url(base, VOID_FILE)))
    for path in distributed_files(contents):
        data, description = contents[path]
        url = release_url(base, path)
        dist = URIRef(f"{dataset}/distribution/{quote(path, safe='/')}")
        mime, file_type = media_type(path)
        out.add((dataset, DCAT.distribution, dist))
        out.add((dist, RDF.type, DCAT.Distribution))
        out.add((dist, RDF.type, DCATAPIT.Distribution))
        out.add((dist, DCTERMS.title, Literal(path)))
        if description:
            out.add((dist, DCTERMS.description, Literal(description, lang="en")))
        out.add((dist, DCAT.accessURL, url))
        out.add((dist, DCAT.downloadURL, url))
        out.add((dist, DCAT.mediaType, mime))
        out.add((dist, DCTERMS.format, file_type))
        size = file_size(data)
        out.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()  # written inline as [ ... ]: no label reaches the file
        out.add((dist, SPDX.checksum, checksum))
        out.add((checksum, RDF.type, SPDX.Checksum))
        out.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        digest = file_sha256(data)
        out.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
        if path.startswith("source/") and (source_rights, None, None) in described:
            out.add((dist, DCTERMS.rights, source_rights))
        elif license_ is not None:
            out.add((dist, DCTERMS.license, license_))
    return out


def _turtle(graph: Graph, base: str) -> bytes:
    """Turtle with the triples inserted in sorted order and the metadata prefixes bound."""
    ordered = Graph()
    for triple in sorted(graph, key=_sort_key):
        ordered.add(triple)
    bind_prefixes(ordered, base)
    for prefix, namespace in (
        ("void", VOID),
        ("dcatapit", DCATAPIT),
        ("spdx", SPDX),
        ("formats", FORMATS),
        ("sd", SD),
        ("vcard", Namespace("http://www.w3.org/2006/vcard/ns#")),
        ("dctype", Namespace("http://purl.org/dc/dcmitype/")),
        ("filetype", FILE_TYPE),
    ):
        ordered.bind(prefix, namespace, override=True, replace=True)
    return ordered.serialize(format="turtle", encoding="utf-8")


def _sort_key(triple):
    # Blank nodes have random labels: sort them by what they say, not by their name.
    return tuple(("" if isinstance(t, BNode) else str(t)) for t in triple), tuple(
        type(t).__name__ for t in triple
    )
