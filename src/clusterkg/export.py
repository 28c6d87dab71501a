"""Export stage: the release folder, byte for byte the same for the same sources.

Determinism comes from three habits: triples go into fresh graphs in sorted order (rdflib's
writers follow insertion order where they do not sort), blank nodes (only in the SHACL report)
get canonical labels, and nothing time- or machine-dependent is written. The folder is written
beside the target and swapped in whole, so a failed build never leaves a half-written release.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from . import diff, metadata, ontodoc, pages
from . import jsonld as publish_jsonld
from .oxterms import from_oxigraph, ntriples_rows, oxigraph_triples
from .pipeline import Checked
from .project import bind_prefixes, prefixes


@dataclass(frozen=True)
class ReleaseFile:
    """A file written to the release, with what a summary needs to show."""

    name: str
    size: int
    sha256: str
    description: str


def sorted_graph(triples: Iterable, base: str) -> Graph:
    """A new graph holding ``triples`` inserted in sorted order, with the project's prefixes.

    For rdflib's own writers (RDF/XML, the SHACL report, metadata); the data dumps go through
    :func:`turtle`, :func:`ntriples` and :func:`jsonld`.
    """
    return bind_prefixes(triples_graph(triples), base)


def ntriples(triples: Iterable) -> bytes:
    """Canonical N-Triples with sorted lines: the plainest text form, and the easiest to diff.

    Written by Oxigraph (rdflib's writers take tens of microseconds a triple, Oxigraph's one).
    Blank nodes, which parsers label at random, first get labels computed from the graph.
    """
    triples = list(triples)
    if any(isinstance(t, BNode) for triple in triples for t in triple):
        triples = list(to_canonical_graph(triples_graph(triples)))
    return _sorted_ntriples(oxigraph_triples(triples))


def oxigraph_ntriples(triples: list) -> bytes:
    """:func:`ntriples` for Oxigraph triples."""
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if b"_:" in data:  # perhaps a blank node (or only a literal's text): label them from the graph
        term = from_oxigraph
        return ntriples((term(t.subject), term(t.predicate), term(t.object)) for t in triples)
    return _sorted_lines(data)


def _sorted_ntriples(triples: list) -> bytes:
    return _sorted_lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))


def _sorted_lines(data: bytes) -> bytes:
    return b"".join(line + b"\n" for line in sorted(set(data.splitlines())) if line.strip())


def turtle(triples: Iterable, base: str) -> bytes:
    """Turtle with the project's prefixes (those it uses), subjects in N-Triples line order."""
    return turtle_of_ntriples(ntriples(triples), base)


def turtle_of_ntriples(lines: bytes, base: str, used: dict[str, str] | None = None) -> bytes:
    """The graph of sorted N-Triples ``lines`` as Turtle, in the same order.

    ``used``, the prefixes it uses (:func:`used_prefixes`), if already known.
    """
    if used is None:
        used = used_prefixes(lines, base)
    ordered = ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)
    return _oxigraph_turtle(ordered, ox.RdfFormat.TURTLE, used)


def _oxigraph_turtle(statements: Iterable, form, used: dict[str, str]) -> bytes:
    """Oxigraph's Turtle or TriG, with the ``@prefix`` lines in prefix order.

    Oxigraph writes them in the order of a hash map, which Rust seeds anew in every process.
    """
    body = ox.serialize(statements, format=form, prefixes=used)
    head = b"".join(f"@prefix {prefix}: <{ns}> .\n".encode() for prefix, ns in used.items())
    start = 0
    for _ in used:  # Oxigraph's own @prefix lines, one per prefix
        start = body.index(b"\n", start) + 1
    return head + body[start:]


def used_prefixes(lines: bytes, base: str) -> dict[str, str]:
    """The project's prefixes that Oxigraph's Turtle writer uses for the graph whose N-Triples
    (as Oxigraph writes them) are ``lines``.

    The writer abbreviates an IRI with the longest namespace it starts with; ``rdf:type`` as a
    predicate is written ``a``, and ``xsd:string`` and ``rdf:langString`` literals carry no
    datatype.
    """
    rows = ntriples_rows(lines)
    nodes = {s for s, _, _ in rows}
    nodes.update(o for _, _, o in rows)
    iris = {n[1:-1] for n in nodes if n[:1] == b"<"}
    iris.update(p[1:-1] for p in {p for _, p, _ in rows} if p != _RDF_TYPE)
    datatypes = {n.rpartition(b"^^<")[2][:-1] for n in nodes if n[:1] == b'"' and n[-1:] == b">"}
    iris.update(datatypes - _IMPLICIT)
    namespace, prefix_of = _namespaces(base)
    matches = (namespace.match(iri.decode("utf-8")) for iri in iris)
    used = {prefix_of[m.group()] for m in matches if m is not None}
    known = prefixes(base)
    return {prefix: known[prefix] for prefix in sorted(used)}


_RDF_TYPE = f"<{RDF.type}>".encode()
_IMPLICIT = {str(XSD.string).encode(), str(RDF.langString).encode()}  # written without


@lru_cache(maxsize=8)
def _namespaces(base: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern matching the longest project namespace an IRI starts with, and the prefix of
    each namespace (the first, for a namespace bound twice)."""
    prefix_of: dict[str, str] = {}
    for prefix, ns in prefixes(base).items():
        prefix_of.setdefault(ns, prefix)
    longest_first = sorted(prefix_of, key=len, reverse=True)  # alternatives are tried in order
    return re.compile("|".join(map(re.escape, longest_first))), prefix_of


def triples_graph(triples: Iterable) -> Graph:
    """An rdflib graph of ``triples``, inserted in sorted order (rdflib's writers follow it)."""
    graph = Graph()
    for triple in sorted(triples):
        graph.add(triple)
    return graph


def jsonld(triples: Iterable, base: str) -> bytes:
    """Compact JSON-LD with the project's prefixes as its context, nodes in ``@id`` order.

    The document rdflib's JSON-LD writer makes, byte for byte (a test holds the two equal on
    every page of the real and synthetic releases), built here directly: rdflib's writer takes
    milliseconds per page, and a release has a page per resource. Graphs with blank nodes,
    which may be lists or nested nodes, go to rdflib's writer itself.
    """
    context = dict(sorted(prefixes(base).items()))
    triples = sorted(triples)  # rdflib's writer lists values in insertion order
    if any(isinstance(t, BNode) for triple in triples for t in triple):
        document = rdflib_jsonld(triples, context)
    else:
        document = _compact_jsonld(triples, context)
    return publish_jsonld.dumps(document)


def rdflib_jsonld(triples: Iterable, context: dict[str, str]) -> dict:
    """rdflib's compact JSON-LD of ``triples`` (inserted in the order given)."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    document = json.loads(graph.serialize(format="json-ld", context=context))
    if isinstance(document.get("@graph"), list):  # rdflib's node order follows hash order
        document["@graph"].sort(key=lambda node: node.get("@id", ""))
    return document


# Datatypes rdflib's writer gives as native JSON values once a context is active.
_NATIVE_TYPES = {XSD.boolean, XSD.integer, XSD.double, XSD.string}


def _compact_jsonld(triples: list, context: dict[str, str]) -> dict:
    """rdflib's compaction, for a context of prefixes only and a graph without blank nodes."""
    namespaces = {ns: prefix for prefix, ns in context.items()}

    def shrink(iri: str) -> str:  # rdflib's Context.shrink_iri and to_symbol, for prefixes
        iri = str(iri)  # a plain string, which jsonld.dumps writes fastest
        for delimiter in "#/:":  # rdflib's split_iri: the namespace ends at the last one found
            at = iri.rfind(delimiter)
            if at > -1:
                prefix = namespaces.get(iri[: at + 1])
                return f"{prefix}:{iri[at + 1 :]}" if prefix else iri
        return iri

    def value(term) -> object:
        if isinstance(term, URIRef):
            return {"@id": shrink(term)}
        if term.datatype in _NATIVE_TYPES:
            return term.toPython()
        if term.datatype is not None:
            return {"@type": shrink(term.datatype), "@value": str(term)}
        if term.language:
            return {"@language": term.language, "@value": str(term)}
        return str(term)

    nodes: dict[str, dict] = {}
    for s, p, o in triples:
        node = nodes.setdefault(shrink(s), {"@id": shrink(s)})
        if p == RDF.type and isinstance(o, URIRef):
            key, item = "@type", shrink(o)
        else:
            key, item = shrink(p), value(o)
        if key not in node:
            node[key] = item
        elif isinstance(node[key], list):
            node[key].append(item)
        else:
            node[key] = [node[key], item]
    listed = sorted(nodes.values(), key=lambda node: node["@id"])
    document = dict(listed[0]) if len(listed) == 1 else {"@graph": listed}
    document["@context"] = context
    return document


def trig(graph_lines: dict[str, bytes], base: str, used: dict[str, str] | None = None) -> bytes:
    """Named graphs, given as sorted N-Triples by graph IRI, as TriG: graphs in IRI order.

    ``used``, the prefixes the graphs use (:func:`used_prefixes`), if already known.
    """
    if used is None:
        used = used_prefixes(b"".join(graph_lines.values()), base)
    # Each line " .\n" ends a triple (a literal never holds a raw line break): naming the graph
    # there makes N-Quads, which Oxigraph reads and writes as TriG without a Python object each.
    quads = b"".join(
        lines.replace(b" .\n", f" <{name}> .\n".encode())
        for name, lines in sorted(graph_lines.items())
    )
    return _oxigraph_turtle(ox.parse(quads, format=ox.RdfFormat.N_QUADS), ox.RdfFormat.TRIG, used)


def _merged(parts: Iterable[bytes]) -> bytes:
    """Sorted N-Triples documents merged into one, each line once."""
    return _sorted_lines(b"".join(parts))


def release_contents(
    checked: Checked, previous: Path | None = None
) -> dict[str, tuple[bytes, str]]:
    """Every release file's bytes and description, by path inside the release.

    ``previous`` is the release being replaced, if any: the changes are described against it.
    """
    contents = graph_files(checked)
    for stage in (publish_jsonld, ontodoc, pages):
        contents.update(stage.release_files(checked))
    if previous is not None and previous.is_dir():
        contents.update(diff.release_files(previous, contents))
    contents.update(metadata.release_files(checked, contents))  # lists every file: keep last
    contents["SHA256SUMS"] = (sha256sums(contents), "the SHA-256 checksum of every file")
    return contents


def sha256sums(contents: dict[str, tuple[bytes, str]]) -> bytes:
    """``sha256sum -c`` format, one line per file in path order."""
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        for name, (data, _) in sorted(contents.items())
    ]
    return "".join(lines).encode("utf-8")


def graph_files(checked: Checked) -> dict[str, tuple[bytes, str]]:
    """The graph in every format, the inferred triples, the SHACL report, the sources."""
    base = checked.project.base
    # Each graph is converted and sorted once; every dump is made from these lines.
    graph_lines = {
        str(iri): oxigraph_ntriples(triples)
        for iri, triples in checked.sources.oxigraph.items()
        if triples
    }
    asserted = _merged(graph_lines.values())
    inference = checked.inference
    inferred = (
        oxigraph_ntriples(inference.oxigraph)
        if inference.oxigraph is not None
        else ntriples(inference.inferred)
    )
    graph_lines[str(checked.project.graph_iri("inferred"))] = inferred
    asserted_prefixes = used_prefixes(asserted, base)
    inferred_prefixes = used_prefixes(inferred, base)
    every_prefix = dict(sorted({**asserted_prefixes, **inferred_prefixes}.items()))
    contents = {
        "kg.ttl": (
            turtle_of_ntriples(asserted, base, asserted_prefixes),
            "the asserted graph: ontology, reference data, profiles, source lines",
        ),
        "kg.nt": (asserted, "the asserted graph as sorted N-Triples"),
        "kg.trig": (
            trig(graph_lines, base, every_prefix),
            "every named graph, the inferred one included",
        ),
        "inferred.ttl": (
            turtle_of_ntriples(inferred, base, inferred_prefixes),
            "what OWL RL inference adds, and nothing else",
        ),
    }
    if checked.validation is not None:
        # rdflib's writer nests the report's blank nodes, which reads far better here.
        report = sorted_graph(to_canonical_graph(checked.validation.report), base)
        contents["validation.ttl"] = (
            report.serialize(format="turtle", encoding="utf-8"),
            "the SHACL validation report (W3C vocabulary)",
        )
        contents["validation.txt"] = (
            checked.validation.text().encode("utf-8"),
            "the SHACL findings, one per line",
        )
    for path in sorted(checked.project.queries_dir.glob("*.rq")):
        contents[f"queries/{path.name}"] = (path.read_bytes(), "a query of the SPARQL catalog")
    for path in sorted(checked.project.sources_dir.glob("*")):
        if path.is_file():
            contents[f"source/{path.name}"] = (path.read_bytes(), "a verbatim source document")
    return contents


def write_release(checked: Checked, out: Path, store: bool = False) -> list[ReleaseFile]:
    """Write the release to ``out``, replacing what was there only once everything is written.

    With ``store``, the release also gets a ready Oxigraph store in ``store/``: not
    byte-deterministic, so it is listed neither in ``SHA256SUMS`` nor in the metadata.
    """
    out = out.resolve()
    contents = release_contents(checked, previous=out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name, (data, _) in contents.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if store:
            from .store import STORE_DIR, build_store

            build_store(staging / "kg.trig", staging / STORE_DIR)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [
        ReleaseFile(name, len(data), hashlib.sha256(data).hexdigest(), description)
        for name, (data, description) in contents.items()
    ]


def _swap(staging: Path, out: Path) -> None:
    # Two renames in one folder: readers see the old release or the new one, never a mix.
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a release is meant to be published
    if out.exists():
        retired = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(retired)
        staging.rename(out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(out)
