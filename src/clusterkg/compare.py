"""Compare stage: which facts of a curated profile a draft has, lacks or adds.

Two profiles of the same page mint different IRIs for the same thing, so facts are compared by
what people read, not by IRIs. Each resource described in a profile (it has an ``rdf:type``) is
keyed by its classes and its label (``skos:prefLabel``, else ``dcterms:title``, else
``rdfs:label``); each triple becomes ``(subject key, property, object key)``, where the object
key is the object's own key if the profile describes it, its IRI if it is a link to a shared
vocabulary (``s3:health-and-life-science``, ``pnrr:M6C2``), or its value if it is a literal
(whitespace collapsed, language and datatype dropped: ``33`` and ``"33"`` are one value).

A resource whose label differs between the two is still matched when it is of the same class
and shares enough of its other facts (a description, a link) with its counterpart: its facts
then count under the curated label, and only the label itself is missing.

Curator's notes (``skos:editorialNote``, ``rdfs:comment``, ``skos:scopeNote``) are free text and
are not compared. Citations (``prov:wasDerivedFrom``) are compared apart: the provenance figure
is the share of the (resource, cited line) pairs of the curated profile that the draft cites too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node

from .labels import compact
from .load import parse_source
from .project import bind_prefixes

NOT_COMPARED = {SKOS.editorialNote, RDFS.comment, SKOS.scopeNote, PROV.wasDerivedFrom}
LABELS = (SKOS.prefLabel, DCTERMS.title, RDFS.label)
# How much of a curated resource's other facts a differently labelled draft resource must share.
MIN_SHARED = 0.5

Fact = tuple[str, str, str]


@dataclass
class Comparison:
    """The facts of the curated profile the draft has (``present``) and lacks (``missing``),
    the draft's facts the curated profile does not have (``added``), and the citations."""

    present: list[Fact] = field(default_factory=list)
    missing: list[Fact] = field(default_factory=list)
    added: list[Fact] = field(default_factory=list)
    cited_lines: int = 0
    cited_lines_present: int = 0

    @property
    def curated(self) -> int:
        return len(self.present) + len(self.missing)

    @property
    def coverage(self) -> float:
        """Share of the curated profile's facts present in the draft, from 0 to 1."""
        return len(self.present) / self.curated if self.curated else 1.0

    @property
    def provenance(self) -> float:
        """Share of the curated (resource, cited line) pairs that the draft cites too."""
        return self.cited_lines_present / self.cited_lines if self.cited_lines else 1.0

    def as_json(self) -> dict:
        def rows(facts):
            return [{"subject": s, "property": p, "object": o} for s, p, o in facts]

        return {
            "curated_facts": self.curated,
            "present": len(self.present),
            "missing": len(self.missing),
            "added": len(self.added),
            "coverage": round(self.coverage, 4),
            "provenance_coverage": round(self.provenance, 4),
            "missing_facts": rows(self.missing),
            "added_facts": rows(self.added),
        }


def _text(value: str) -> str:
    return " ".join(str(value).split())


def _label(graph: Graph, node: Node) -> str | None:
    for prop in LABELS:
        values = sorted(
            graph.objects(node, prop), key=lambda v: (getattr(v, "language", "") != "en", str(v))
        )
        if values:
            return _text(values[0])
    return None


def resource_keys(graph: Graph) -> dict[Node, str]:
    """Every described resource's key: its classes and its label (or, lacking one, its IRI)."""
    keys = {}
    for node in sorted(set(graph.subjects(RDF.type, None)), key=str):
        classes = ", ".join(sorted(compact(graph, c) for c in graph.objects(node, RDF.type)))
        name = _label(graph, node) or compact(graph, node)
        keys[node] = f"{classes} {name!r}"
    return keys


def _object_key(graph: Graph, keys: dict[Node, str], node: Node) -> str:
    if isinstance(node, Literal):
        return _text(node)
    if node in keys:
        return keys[node]
    return compact(graph, node) if isinstance(node, URIRef) else "[]"


def _facts_by_subject(graph: Graph, keys: dict[Node, str]) -> dict[Node, set[tuple[str, str]]]:
    facts: dict[Node, set[tuple[str, str]]] = defaultdict(set)
    for s, p, o in graph:
        if p in NOT_COMPARED or s not in keys:
            continue
        facts[s].add((compact(graph, p), _object_key(graph, keys, o)))
    return facts


def _align(curated: Graph, draft: Graph) -> dict[Node, str]:
    """Draft resources' keys, with differently labelled resources renamed to their curated
    counterparts' keys when they share enough other facts."""
    c_keys, d_keys = resource_keys(curated), resource_keys(draft)
    for _ in range(2):  # a second pass sees links to resources renamed by the first
        c_facts = _facts_by_subject(curated, c_keys)
        d_facts = _facts_by_subject(draft, d_keys)
        taken = set(d_keys.values())
        unmatched = [n for n in c_keys if c_keys[n] not in taken]
        free = [n for n in d_keys if d_keys[n] not in set(c_keys.values())]
        for node in unmatched:
            classes = set(curated.objects(node, RDF.type))
            wanted = {f for f in c_facts[node] if f[0] not in ("rdf:type", "skos:prefLabel")}
            best, score = None, MIN_SHARED
            for candidate in free:
                if set(draft.objects(candidate, RDF.type)) != classes or not wanted:
                    continue
                shared = len(wanted & d_facts[candidate]) / len(wanted)
                if shared >= score and (best is None or shared > score):
                    best, score = candidate, shared
            if best is not None:
                d_keys[best] = c_keys[node]
                free.remove(best)
    return d_keys


def _facts(graph: Graph, keys: dict[Node, str]) -> set[Fact]:
    return {
        (keys[s], p, o) for s, pairs in _facts_by_subject(graph, keys).items() for p, o in pairs
    }


def _cited_lines(graph: Graph, keys: dict[Node, str]) -> set[tuple[str, int]]:
    cited = set()
    for s, o in graph.subject_objects(PROV.wasDerivedFrom):
        match = re.search(r"#line=(\d+),(\d+)$", str(o))
        if s in keys and match:
            start, end = int(match.group(1)), int(match.group(2))
            cited.update((keys[s], n) for n in range(start + 1, min(end, start + 10_000) + 1))
    return cited


def compare(draft: Graph, curated: Graph) -> Comparison:
    """What ``draft`` has, lacks and adds of the facts of ``curated``."""
    draft, curated = bind_prefixes(draft), bind_prefixes(curated)
    c_keys = resource_keys(curated)
    d_keys = _align(curated, draft)
    wanted, given = _facts(curated, c_keys), _facts(draft, d_keys)
    lines, drafted = _cited_lines(curated, c_keys), _cited_lines(draft, d_keys)
    return Comparison(
        present=sorted(wanted & given),
        missing=sorted(wanted - given),
        added=sorted(given - wanted),
        cited_lines=len(lines),
        cited_lines_present=len(lines & drafted),
    )


def compare_files(draft: Path, curated: Path) -> Comparison:
    """Compare two profile files, each read with the load stage's parser."""
    return compare(parse_source(draft), parse_source(curated))
