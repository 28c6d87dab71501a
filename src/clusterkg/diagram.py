"""A Mermaid class diagram of the ontology, so the picture in the README cannot drift from it."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from .project import CKG, VOCABULARY_PREFIXES


def _name(term: URIRef) -> tuple[str, str]:
    """(Mermaid id, displayed CURIE) of a class."""
    for prefix, namespace in sorted(VOCABULARY_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if term.startswith(namespace):
            local = term[len(namespace) :]
            return (local if prefix == "ckg" else f"{prefix}_{local}"), f"{prefix}:{local}"
    return term.rsplit("/", 1)[-1], f"<{term}>"


def mermaid(ontology: Graph) -> str:
    """Classes of the ontology with their superclasses, and object properties as arrows."""
    classes = sorted(c for c in ontology.subjects(RDF.type, OWL.Class) if c.startswith(str(CKG)))
    lines = ["classDiagram", "    direction LR"]
    shown: set[URIRef] = set(classes)
    edges = []
    for cls in classes:
        for parent in sorted(ontology.objects(cls, RDFS.subClassOf)):
            if isinstance(parent, URIRef):
                shown.add(parent)
                edges.append(f"    {_name(parent)[0]} <|-- {_name(cls)[0]}")
    for prop in sorted(ontology.subjects(RDF.type, OWL.ObjectProperty)):
        domain, range_ = ontology.value(prop, RDFS.domain), ontology.value(prop, RDFS.range)
        if isinstance(domain, URIRef) and isinstance(range_, URIRef) and prop.startswith(str(CKG)):
            shown.update((domain, range_))
            edges.append(f"    {_name(domain)[0]} --> {_name(range_)[0]} : {prop[len(CKG) :]}")
    for cls in sorted(shown):
        ident, curie = _name(cls)
        lines.append(f'    class {ident}["{curie}"]')
    return "\n".join(lines + edges) + "\n"
