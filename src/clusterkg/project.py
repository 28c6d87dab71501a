"""Where a project's sources live, and the IRIs the graph is published under."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Namespace, URIRef

# Sources are written against this base; a build for another base rewrites their IRIs.
DEFAULT_BASE = "https://w3id.org/clusterkg/"
# The ontology's namespace is fixed whatever the base, so that queries and consumers can rely on
# its terms; only the instance data moves with the base.
CKG = Namespace("https://w3id.org/clusterkg/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/clusterkg/ontology")


# The engines a project can run: the reference first, then the fast paths for large graphs.
REASONERS = ("owlrl", "reasonable", "oxigraph")
VALIDATORS = ("pyshacl", "pyrudof", "oxigraph")


@dataclass(frozen=True)
class Project:
    """The folders of a clusterkg project, the base IRI of its data, and its engines."""

    root: Path = Path(".")
    base: str = DEFAULT_BASE
    reasoner: str = "owlrl"  # or "reasonable", the fast OWL 2 RL path for large graphs
    validator: str = "pyshacl"  # or "pyrudof" or "oxigraph", the fast paths for large graphs

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            object.__setattr__(self, "base", self.base + "/")

    @property
    def ontology_file(self) -> Path:
        return self.root / "ontology" / "clusterkg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def reference_dir(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def profiles_dir(self) -> Path:
        return self.root / "data" / "profiles"

    @property
    def sources_dir(self) -> Path:
        return self.root / "data" / "sources"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.root / "queries" / "checks"

    def graph_iri(self, name: str) -> URIRef:
        """The IRI of a named graph of the release, e.g. ``graph/inferred``."""
        return URIRef(f"{self.base}graph/{name}")

    def source_iri(self, file_name: str) -> URIRef:
        """The IRI of a verbatim source document kept under ``data/sources``."""
        return URIRef(f"{self.base}source/{file_name}")

    def id_iri(self, path: str) -> URIRef:
        """The IRI of a resource, from its path under ``id/`` (``cluster/x``)."""
        return URIRef(f"{self.base}id/{path}")


# Prefixes bound in every release file and used to shorten IRIs in tables. The instance
# prefixes follow the IRI pattern <base>id/<kind>/<slug>.
VOCABULARY_PREFIXES = {
    "ckg": str(CKG),
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "locn": "http://www.w3.org/ns/locn#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vann": "http://purl.org/vocab/vann/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
INSTANCE_KINDS = (
    "call",
    "cluster",
    "document",
    "event",
    "network",
    "organization",
    "place",
    "platform",
    "pnrr",
    "project",
    "s3-ecosystem",
    "scheme",
    "strategy",
    "technology-area",
    "thematic-area",
    "working-group",
)


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Prefix -> namespace for the vocabularies and the instance IRIs under ``base``."""
    bound = dict(VOCABULARY_PREFIXES)
    bound.update({kind: f"{base}id/{kind}/" for kind in INSTANCE_KINDS})
    bound["source"] = f"{base}source/"
    bound["graph"] = f"{base}graph/"
    return bound


def bind_prefixes(graph, base: str = DEFAULT_BASE):
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in prefixes(base).items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
