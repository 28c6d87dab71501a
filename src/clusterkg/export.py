"""Export stage: the release folder, byte for byte the same for the same sources.

Determinism comes from three habits: triples go into fresh graphs in sorted order (rdflib's
writers follow insertion order where they do not sort), blank nodes (only in the SHACL report)
get canonical labels, and nothing time- or machine-dependent is written. The folder is written
beside the target and swapped in whole, so a failed build never leaves a half-written release.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing as mp
import os
import pickle
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from . import diff, metadata, ontodoc, pages
from . import jsonld as publish_jsonld
from .background import Forked, Job, can_fork
from .errors import UsageError
from .metadata import Contents, Written, file_sha256, file_size
from .oxterms import XSD_STRING, from_oxigraph, ntriples_rows, oxigraph_triples, to_oxigraph
from .pipeline import Checked, Loaded, collector_paused
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
    iris.update(p[1:-1] for p in {p for _, p, _ in rows} if p != _RDF_TYPE_NT_BYTES)
    datatypes = {n.rpartition(b"^^<")[2][:-1] for n in nodes if n[:1] == b'"' and n[-1:] == b">"}
    iris.update(datatypes - _IMPLICIT_NT_BYTES)
    namespace, prefix_of = _namespaces(base)
    matches = (namespace.match(iri.decode("utf-8")) for iri in iris)
    used = {prefix_of[m.group()] for m in matches if m is not None}
    known = prefixes(base)
    return {prefix: known[prefix] for prefix in sorted(used)}


_RDF_TYPE = str(RDF.type)
_IMPLICIT = {str(XSD.string), str(RDF.langString)}  # datatypes the writer leaves out
_RDF_TYPE_NT_BYTES = f"<{_RDF_TYPE}>".encode()
_IMPLICIT_NT_BYTES = {iri.encode() for iri in _IMPLICIT}


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
    nodes: dict[str, dict] = {}
    for s, p, o in triples:
        node = nodes.setdefault(_shrink(s, namespaces), {"@id": _shrink(s, namespaces)})
        if p == RDF.type and isinstance(o, URIRef):
            key, item = "@type", _shrink(o, namespaces)
        else:
            key, item = _shrink(p, namespaces), _jsonld_value(o, namespaces)
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


def _shrink(iri: str, namespaces: dict[str, str]) -> str:
    """rdflib's ``Context.shrink_iri`` and ``to_symbol``, for a context of prefixes only."""
    iri = str(iri)  # a plain string, which jsonld.dumps writes fastest
    for delimiter in "#/:":  # rdflib's split_iri: the namespace ends at the last one found
        at = iri.rfind(delimiter)
        if at > -1:
            prefix = namespaces.get(iri[: at + 1])
            return f"{prefix}:{iri[at + 1 :]}" if prefix else iri
    return iri


def _jsonld_value(term: Node, namespaces: dict[str, str]) -> object:
    """The compact JSON-LD value of an object other than a node's type."""
    if isinstance(term, URIRef):
        return {"@id": _shrink(term, namespaces)}
    if term.datatype in _NATIVE_TYPES:
        return term.toPython()
    if term.datatype is not None:
        return {"@type": _shrink(term.datatype, namespaces), "@value": str(term)}
    if term.language:
        return {"@language": term.language, "@value": str(term)}
    return str(term)


class DescriptionWriter:
    """N-Triples, Turtle and JSON-LD of the many small graphs a release describes its resources
    with: byte for byte :func:`ntriples`, :func:`turtle_of_ntriples` and :func:`jsonld`.

    Descriptions share most of their terms (properties, classes, the resources they link and
    those resources' labels), so each term's N-Triples text, Oxigraph term, prefix, compact IRI
    and JSON text are worked out once, and a description is put together from them: no
    N-Triples round trip through Oxigraph, no sort of rdflib triples. Graphs with blank nodes,
    which need canonical labels, go to those functions themselves.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.context = dict(sorted(prefixes(base).items()))
        self._namespaces = {ns: prefix for prefix, ns in self.context.items()}
        self._context_json = _json_text(self.context, 1)
        # The forms of each term, twice: by object identity, the cheapest lookup there is, and
        # by term, so that equal terms held as distinct objects (graphs hold many) are worked
        # out once. The first keeps its terms alive, so their ids are not reused meanwhile.
        self._by_id: dict[int, tuple[Node, _TermForms | None]] = {}
        self._by_term: dict[Node, _TermForms | None] = {}
        self._pending: list[_TermForms] = []  # terms without their Turtle text yet
        self._prefixes = prefixes(base)
        self._namespace, self._prefix_by_namespace = _namespaces(base)

    def write(self, triples: set[tuple[Node, Node, Node]]) -> tuple[bytes, bytes, bytes]:
        """(N-Triples, Turtle, JSON-LD) of ``triples``."""
        by_id, remember = self._by_id, self._remember
        lines: list[tuple[str, _TermForms, _TermForms, _TermForms]] = []
        # subject -> predicate -> (object, its forms), for the JSON-LD
        tree: dict[_TermForms, dict[_TermForms, list[tuple[Node, _TermForms]]]] = {}
        for s, p, o in triples:
            s_forms = (by_id.get(id(s)) or remember(s))[1]
            p_forms = (by_id.get(id(p)) or remember(p))[1]
            o_forms = (by_id.get(id(o)) or remember(o))[1]
            if s_forms is None or o_forms is None:  # a blank node
                return self._write_with_blank_nodes(triples)
            line = f"{s_forms.ntriples} {p_forms.ntriples} {o_forms.ntriples} ."
            lines.append((line, s_forms, p_forms, o_forms))
            # keyed by forms, which equal IRIs share: hashed and compared by identity
            by_predicate = tree.get(s_forms)
            if by_predicate is None:
                tree[s_forms] = {p_forms: [(o, o_forms)]}
            else:
                values = by_predicate.get(p_forms)
                if values is None:
                    by_predicate[p_forms] = [(o, o_forms)]
                else:
                    values.append((o, o_forms))
        if self._pending:
            self._add_turtle_forms()
        lines.sort(key=_first)  # code point order: the byte order of the UTF-8 lines
        # distinct rdflib terms may be one RDF term (a plain and an xsd:string literal): once
        ordered = [row for i, row in enumerate(lines) if i == 0 or row[0] != lines[i - 1][0]]
        nt = "".join([row[0] + "\n" for row in ordered]).encode()
        try:
            document = self._jsonld(tree)
        except TypeError:  # a value JSON cannot hold: jsonld() says what it is
            document = jsonld(triples, self.base)
        return nt, self._turtle([row[1:] for row in ordered]), document

    def _turtle(self, statements: list[tuple[_TermForms, _TermForms, _TermForms]]) -> bytes:
        """Oxigraph's Turtle of ``statements``, in their order, with the prefixes it uses.

        Its writer puts each subject on a new line and continues it with ``;`` (another
        predicate, on the next line after a tab) or ``,`` (another object), and writes the
        terms as :meth:`_add_turtle_forms` has it write them one by one.
        """
        used: set[str | None] = set()
        parts = []
        last_s = last_p = None
        for s_forms, p_forms, o_forms in statements:
            used.update((s_forms.prefix, p_forms.predicate_prefix, o_forms.prefix))
            if s_forms.ntriples != last_s:
                if last_s is not None:
                    parts.append(" .\n")
                parts += (s_forms.turtle, " ", p_forms.predicate_turtle, " ", o_forms.turtle)
            elif p_forms.ntriples != last_p:
                parts += (" ;\n\t", p_forms.predicate_turtle, " ", o_forms.turtle)
            else:
                parts += (" , ", o_forms.turtle)
            last_s, last_p = s_forms.ntriples, p_forms.ntriples
        parts.append(" .\n")
        used.discard(None)
        known = self._prefixes
        head = "".join(f"@prefix {prefix}: <{known[prefix]}> .\n" for prefix in sorted(used))
        return (head + "".join(parts)).encode()

    def _add_turtle_forms(self) -> None:
        """The Turtle text of the terms met since the last call, from Oxigraph's own writer
        (abbreviations, escapes, bare numbers), one statement per term in a single call."""
        pending, self._pending = self._pending, []
        predicate = ox.NamedNode(_PLACEHOLDER + "p")
        statements = [
            ox.Triple(ox.NamedNode(f"{_PLACEHOLDER}{i}"), predicate, forms.oxigraph)
            for i, forms in enumerate(pending)
        ]
        # the prefixes of these terms only, as a description's own Turtle has them
        used = {forms.prefix for forms in pending} - {None}
        declared = {prefix: self._prefixes[prefix] for prefix in sorted(used)}
        text = ox.serialize(statements, format=ox.RdfFormat.TURTLE, prefixes=declared)
        lines = text.decode().split("\n")[len(declared) :]
        for i, (forms, line) in enumerate(zip(pending, lines, strict=False)):
            start = f"<{_PLACEHOLDER}{i}> <{_PLACEHOLDER}p> "
            assert line.startswith(start) and line.endswith(" ."), line
            forms.turtle = line[len(start) : -2]
            forms.predicate_turtle = "a" if forms.ntriples == _RDF_TYPE_NT else forms.turtle

    def _remember(self, term: Node) -> tuple[Node, _TermForms | None]:
        forms = self._by_term.get(term, _UNSEEN)
        if forms is _UNSEEN:
            forms = self._by_term[term] = self._term_forms(term)
            if forms is not None and not forms.turtle:
                self._pending.append(forms)
        found = self._by_id[id(term)] = (term, forms)
        return found

    def _write_with_blank_nodes(self, triples: set) -> tuple[bytes, bytes, bytes]:
        nt = ntriples(triples)
        return nt, turtle_of_ntriples(nt, self.base), jsonld(triples, self.base)

    def _term_forms(self, term: Node) -> _TermForms | None:
        if isinstance(term, BNode):
            return None
        node = to_oxigraph(term)
        if isinstance(node, ox.NamedNode):
            prefix = self._prefix_of(node.value)
            predicate_prefix = None if node.value == _RDF_TYPE else prefix
            compacted = _shrink(node.value, self._namespaces)
        else:
            datatype = node.datatype.value
            prefix = None if datatype in _IMPLICIT else self._prefix_of(datatype)
            predicate_prefix, compacted = None, ""
        # str() of an Oxigraph term is its N-Triples text, as its N-Triples writer puts it
        forms = _TermForms(str(node), node, prefix, predicate_prefix, compacted)
        if isinstance(node, ox.Literal) and (node.language or datatype == XSD_STRING):
            # Oxigraph's Turtle writer quotes these as its N-Triples writer does (a test holds
            # it to that); the other terms are abbreviated and wait for the batch
            forms.turtle = forms.predicate_turtle = forms.ntriples
        return forms

    def _prefix_of(self, iri: str) -> str | None:
        """The prefix of the longest namespace ``iri`` starts with, as :func:`used_prefixes`."""
        match = self._namespace.match(iri)
        return None if match is None else self._prefix_by_namespace[match.group()]

    def _jsonld(self, tree: dict) -> bytes:
        """:func:`jsonld` of the triples of ``tree``, written from the terms' JSON texts."""
        # rdflib's writer makes one node per compact subject IRI, the "@graph" only if several
        single = len({s_forms.compact for s_forms in tree}) == 1
        level = 1 if single else 3  # of a node's keys
        # It lists a key's values in the order of the sorted triples: rdflib orders IRIs by
        # their text, and objects by its own rules (numbers by value, ...).
        nodes: dict[str, dict[str, list]] = {}
        for s_forms in sorted(tree, key=_iri):
            by_predicate = tree[s_forms]
            node = nodes.get(s_forms.compact)
            if node is None:
                node = nodes[s_forms.compact] = {"@id": [s_forms]}
            for p_forms in sorted(by_predicate, key=_iri):
                values = by_predicate[p_forms]
                if len(values) > 1:
                    values = sorted(values, key=_first)
                is_type = p_forms.ntriples == _RDF_TYPE_NT
                for value in values:
                    # rdf:type with an IRI is "@type" (IRIs have a compact form, literals none)
                    key = "@type" if is_type and value[1].compact else p_forms.compact
                    node.setdefault(key, []).append(value)
        texts = [self._node_json(node, level) for _, node in sorted(nodes.items())]
        if single:
            text = "{" + texts[0]
        else:
            inner = _NEWLINES[2]
            listed = ("," + inner).join("{" + text for text in texts)
            text = (
                "{" + _NEWLINES[1] + '"@context": ' + self._context_json + "," + _NEWLINES[1]
                + '"@graph": [' + inner + listed + _NEWLINES[1] + "]" + _NEWLINES[0] + "}"
            )  # fmt: skip
        return (text + "\n").encode()

    def _node_json(self, node: dict[str, list], level: int) -> str:
        """The JSON text of a node whose keys are at ``level``, but its opening brace."""
        entries = [("@id", node.pop("@id")[0].compact_json)]
        if level == 1:  # the node is the document
            entries.append(("@context", self._context_json))
        for key, items in node.items():
            if key == "@type":
                texts = [forms.compact_json for _, forms in items]
            else:
                at = level if len(items) == 1 else level + 1
                texts = []
                for term, forms in items:
                    found = forms.json[at]
                    if found is None:
                        value = _jsonld_value(term, self._namespaces)
                        found = forms.json[at] = _json_text(value, at)
                    texts.append(found)
            if len(texts) == 1:
                entries.append((key, texts[0]))
            else:
                inner = _NEWLINES[level + 1]
                entries.append(
                    (key, "[" + inner + ("," + inner).join(texts) + _NEWLINES[level] + "]")
                )
        entries.sort(key=_first)
        inner = _NEWLINES[level]
        items = [_encode(key) + ": " + text for key, text in entries]
        return inner + ("," + inner).join(items) + _NEWLINES[level - 1] + "}"


class _TermForms:
    """What the descriptions of a release write for one term (not a blank node)."""

    __slots__ = (
        "compact",
        "compact_json",
        "iri",
        "json",
        "ntriples",
        "oxigraph",
        "predicate_prefix",
        "predicate_turtle",
        "prefix",
        "turtle",
    )

    def __init__(
        self,
        ntriples: str,
        oxigraph: object,
        prefix: str | None,
        predicate_prefix: str | None,
        compact: str,
    ) -> None:
        self.ntriples = ntriples
        self.oxigraph = oxigraph  # the Oxigraph term
        self.iri = oxigraph.value if isinstance(oxigraph, ox.NamedNode) else ""  # to sort by
        self.prefix = prefix  # the prefix Turtle needs for it as a subject or object
        self.predicate_prefix = predicate_prefix  # ... as a predicate (rdf:type is "a")
        self.compact = compact  # its compact IRI in the JSON-LD, "" for a literal
        self.compact_json = _encode(compact)  # ... as a JSON string
        # its JSON-LD value's text, by indent level, made on first use
        self.json: list[str | None] = [None] * 5
        self.turtle = ""  # its Turtle text (as a subject or object), made in batches
        self.predicate_turtle = ""  # ... as a predicate


_PLACEHOLDER = "urn:clusterkg:placeholder:"  # an IRI space no prefix abbreviates
_RDF_TYPE_NT = f"<{RDF.type}>"
_UNSEEN = object()
_NEWLINES = ["\n" + "  " * level for level in range(6)]  # a description nests 5 levels deep
_encode = json.encoder.encode_basestring  # json's escaping, for ensure_ascii=False
_first = itemgetter(0)
_iri = attrgetter("iri")


def _json_text(value: object, level: int) -> str:
    """The text ``jsonld.dumps`` gives ``value`` where it stands at indent ``level``."""
    if type(value) is str:
        return _encode(value)
    if type(value) is dict and all(type(item) is str for item in value.values()):
        inner = _NEWLINES[level + 1]  # {"@id": ...}, {"@language": ..., "@value": ...}, ...
        entries = [f"{_encode(key)}: {_encode(item)}" for key, item in sorted(value.items())]
        return "{" + inner + ("," + inner).join(entries) + _NEWLINES[level] + "}"
    # JSON strings hold no raw line breaks: every one in the text is indentation
    return publish_jsonld.dumps(value).decode()[:-1].replace("\n", _NEWLINES[level])


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


# From this many triples on, the build forks processes (one per CPU) to make the files that do
# not depend on validation; below it, starting them costs more than they save.
FORK_FROM = 20_000
# The stages whose files depend on the asserted graph alone.
ASSERTED_STAGES = (publish_jsonld.release_files, ontodoc.release_files)


class EarlyFiles:
    """The files of :data:`ASSERTED_STAGES` and the :func:`asserted_dumps`, made by a process
    forked while the graph is reasoned (its CPU would be idle otherwise).

    Pass :meth:`start` to ``pipeline.reasoned`` as ``ahead``, then this to
    :func:`write_release`. Use it as a context manager: leaving ends the process.
    """

    def __init__(self) -> None:
        self.forked: Forked | None = None
        self._dumps: _Answer | None = None
        self._spills: list[BinaryIO] = []
        self.jobs: list[_Answer] = []

    def start(self, loaded: Loaded) -> None:
        triples = sum(len(part) for part in loaded.sources.oxigraph.values())
        self.forked = Forked(loaded, 1 if triples >= FORK_FROM else 0)
        stages = (asserted_dumps, *ASSERTED_STAGES)
        if not self.forked.workers:
            self._dumps, *self.jobs = (_Answer(self.forked.submit(stage)) for stage in stages)
            return
        # What the forked process makes (hundreds of MB at a million triples) comes back
        # through files it inherits: a pipe would hold that process until the build, busy
        # reasoning, had read it 64 KiB at a time, each read waiting for its turn at the GIL.
        # The files are made before the fork, which shares them, and closed on leaving.
        self._spills = [tempfile.TemporaryFile() for _ in stages]  # noqa: SIM115
        self._dumps, *self.jobs = (
            _Answer(self.forked.submit(_through_file, stage, spill.fileno()), spill)
            for stage, spill in zip(stages, self._spills, strict=True)
        )

    def dumps(self) -> AssertedDumps | None:
        """The :func:`asserted_dumps`, if :meth:`start` had them made."""
        return None if self._dumps is None else self._dumps.result()

    def __enter__(self) -> EarlyFiles:
        return self

    def __exit__(self, *exc) -> None:
        if self.forked is not None:
            self.forked.__exit__(*exc)
        for spill in self._spills:
            spill.close()


@dataclass(frozen=True)
class _Answer:
    """A job of :class:`EarlyFiles`, whose answer may be in the file ``spill``."""

    job: Job
    spill: BinaryIO | None = None

    def result(self) -> Any:
        made = self.job.result()
        if made is None and self.spill is not None:  # in the file (see _through_file)
            self.spill.seek(0)
            made = pickle.load(self.spill)
        return made


def _through_file(state: object, function: Callable, fileno: int) -> object:
    """``function(state)`` written to the open file ``fileno`` (None returned), or returned
    if it cannot be written there."""
    made = function(state)
    try:
        with os.fdopen(os.dup(fileno), "wb") as out:
            pickle.dump(made, out, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:  # (a full disk): through the pipe after all
        return made
    return None


def release_contents(
    checked: Checked,
    previous: Path | None = None,
    made: Callable[[dict[str, tuple[bytes, str]]], None] | None = None,
    checking: Callable[[], None] | None = None,
    early: EarlyFiles | None = None,
    staging: Path | None = None,
) -> Contents | None:
    """Every release file's bytes and description, by path inside the release.

    ``previous`` is the release being replaced, if any: the changes are described against it.
    ``made``, if given, receives each stage's files as soon as they are made (a later stage
    may replace a file an earlier one made). ``checking``, if given, validates ``checked``
    while processes forked from this one (``background.Forked``) make the files that do not
    depend on it; if ``checked`` may not be released after it, the answer is None. ``early``,
    if started, has the files of the asserted graph under way. With ``staging``, the forked
    processes write the files they make under it themselves, and ``made`` gets the others.
    """
    contents: Contents = {}

    def add(files: dict[str, tuple[bytes, str]]) -> None:
        contents.update(files)
        if made is not None:
            made(files)

    # (the collector is paused first: indexing the data graph makes millions of objects)
    with collector_paused(), Forked(checked, _workers(checked)) as forked:
        pages.indexes(checked)  # made once, before the forks: each process would make its own
        # What does not depend on validation is made by forked processes meanwhile.
        written = staging is not None and forked.workers > 0

        def submit(stage: Callable, *args: object) -> tuple[Job, bool]:
            if written:  # (then the files are on disk when validation ends, not queued)
                return forked.submit(_written, staging, stage, *args), True
            return forked.submit(stage, *args), False

        counting = forked.submit(metadata.graph_statistics)  # first: the metadata waits for it
        if early is not None and early.jobs:
            asserted = [(job, False) for job in early.jobs]
        else:
            asserted = [submit(stage) for stage in ASSERTED_STAGES]
        listed = pages.listed_resources(checked)
        # The index page first, the longest job (3.5 s at 1M triples): last, it ran on one CPU.
        index = submit(pages.index_files, listed)
        documents = [submit(pages.documents, run) for run in pages.runs(listed)] + [index]
        # the dumps: the ready store is built from them meanwhile
        add(graph_files(checked, early.dumps() if early is not None else None))
        if checking is not None:
            checking()
            if not checked.ok:
                return None
        add(validation_files(checked))
        _collect(asserted, add, contents)
        if previous is not None and previous.is_dir():
            add(diff.release_files(previous, contents))
        # The record lists every file but the pages' (metadata.NOT_DISTRIBUTIONS): it is made
        # while the last pages are, and the checksums once every file is in.
        add(metadata.release_files(checked, contents, counted=counting.result()))
        _collect(documents, add, contents)
        add({"SHA256SUMS": (sha256sums(contents), "the SHA-256 checksum of every file")})
    return contents


def _workers(checked: Checked) -> int:
    """How many processes to fork for the release's files: none for a small graph."""
    return min(os.cpu_count() or 1, 8) if len(checked.data_index()) >= FORK_FROM else 0


def _collect(
    jobs: list[tuple[Job | _Answer, bool]],
    add: Callable[[dict[str, tuple[bytes, str]]], None],
    contents: Contents,
) -> None:
    """Add each job's files, in order; those already on disk go to ``contents`` only."""
    for job, on_disk in jobs:
        if on_disk:
            contents.update(job.result())
        else:
            add(job.result())


def _written(checked: Checked, staging: Path, stage: Callable, *args: object) -> Contents:
    """``stage(checked, *args)``, its files written under ``staging``: their sizes and
    checksums, not their bytes, come back."""
    files = stage(checked, *args)
    _write_now(staging, [(name, data) for name, (data, _) in files.items()])
    return {name: (Written.of(data), text) for name, (data, text) in files.items()}


def sha256sums(contents: Contents) -> bytes:
    """``sha256sum -c`` format, one line per file in path order."""
    lines = [f"{file_sha256(data)}  {name}\n" for name, (data, _) in sorted(contents.items())]
    return "".join(lines).encode("utf-8")


def validation_files(checked: Checked) -> dict[str, tuple[bytes, str]]:
    """The SHACL validation report, as RDF and as text (none if the graph was not validated)."""
    if checked.validation is None:
        return {}
    # rdflib's writer nests the report's blank nodes, which reads far better here.
    report = sorted_graph(to_canonical_graph(checked.validation.report), checked.project.base)
    return {
        "validation.ttl": (
            report.serialize(format="turtle", encoding="utf-8"),
            "the SHACL validation report (W3C vocabulary)",
        ),
        "validation.txt": (
            checked.validation.text().encode("utf-8"),
            "the SHACL findings, one per line",
        ),
    }


@dataclass(frozen=True)
class AssertedDumps:
    """What the dumps take from the asserted graph alone: made while the graph is reasoned."""

    graph_lines: dict[str, bytes]  # sorted N-Triples by named graph IRI
    asserted: bytes  # kg.nt: their union, each line once
    prefixes: dict[str, str]  # the prefixes ``asserted`` uses
    turtle: bytes  # kg.ttl


def asserted_dumps(loaded: Loaded) -> AssertedDumps:
    """The asserted graph's part of :func:`graph_files`."""
    base = loaded.project.base
    # Each graph is converted and sorted once; every dump is made from these lines.
    graph_lines = {
        str(iri): oxigraph_ntriples(triples)
        for iri, triples in loaded.sources.oxigraph.items()
        if triples
    }
    asserted = _merged(graph_lines.values())
    prefixes = used_prefixes(asserted, base)
    return AssertedDumps(
        graph_lines, asserted, prefixes, turtle_of_ntriples(asserted, base, prefixes)
    )


def graph_files(
    checked: Checked, dumps: AssertedDumps | None = None
) -> dict[str, tuple[bytes, str]]:
    """The graph in every format, the inferred triples, the sources; ``dumps``, the
    :func:`asserted_dumps` of ``checked`` if already made."""
    base = checked.project.base
    if dumps is None:
        dumps = asserted_dumps(checked)
    inference = checked.inference
    inferred = (
        oxigraph_ntriples(inference.oxigraph)
        if inference.oxigraph is not None
        else ntriples(inference.inferred)
    )
    graph_lines = {**dumps.graph_lines, str(checked.project.graph_iri("inferred")): inferred}
    inferred_prefixes = used_prefixes(inferred, base)
    every_prefix = dict(sorted({**dumps.prefixes, **inferred_prefixes}.items()))
    contents = {
        "kg.ttl": (
            dumps.turtle,
            "the asserted graph: ontology, reference data, profiles, source lines",
        ),
        "kg.nt": (dumps.asserted, "the asserted graph as sorted N-Triples"),
        "kg.trig": (
            trig(graph_lines, base, every_prefix),
            "every named graph, the inferred one included",
        ),
        "inferred.ttl": (
            turtle_of_ntriples(inferred, base, inferred_prefixes),
            "what OWL RL inference adds, and nothing else",
        ),
    }
    for path in sorted(checked.project.queries_dir.glob("*.rq")):
        contents[f"queries/{path.name}"] = (path.read_bytes(), "a query of the SPARQL catalog")
    for path in sorted(checked.project.sources_dir.glob("*")):
        if path.is_file():
            contents[f"source/{path.name}"] = (path.read_bytes(), "a verbatim source document")
    return contents


def write_release(
    checked: Checked,
    out: Path,
    store: bool = False,
    checking: Callable[[], None] | None = None,
    early: EarlyFiles | None = None,
) -> list[ReleaseFile] | None:
    """Write the release to ``out``, replacing what was there only once everything is written.

    With ``store``, the release also gets a ready Oxigraph store in ``store/``: not
    byte-deterministic, so it is listed neither in ``SHA256SUMS`` nor in the metadata.
    ``checking``, if given, validates ``checked`` (``pipeline.complete_check``) while the
    files that do not depend on it are made; if the data may not be released after it,
    nothing is written, ``out`` is left as it was, and the answer is None. ``early`` is passed
    on to :func:`release_contents`.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        with _StagingWriter(staging, store) as writer:
            contents = release_contents(checked, out, writer.write, checking, early, staging)
            if contents is None:
                raise _Withheld
        _swap(staging, out)
    except _Withheld:
        shutil.rmtree(staging, ignore_errors=True)
        return None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    sums = contents["SHA256SUMS"][0]
    digests = dict(line.split("  ", 1)[::-1] for line in sums.decode("utf-8").splitlines())
    digests["SHA256SUMS"] = hashlib.sha256(sums).hexdigest()  # (every file is hashed once)
    return [
        ReleaseFile(name, file_size(data), digests[name], description)
        for name, (data, description) in contents.items()
    ]


class _Withheld(Exception):
    """The data may not be released: nothing is written."""


class _StagingWriter:
    """Writes each stage's files in a process of its own, and builds the ready store on a
    thread, while the build makes the next stage's files.

    A release has tens of thousands of small files, and creating one costs more than writing
    it (64 us of system time on this machine's ext4, 16 us on tmpfs). A thread would wait for
    the GIL through the build's long C calls (sorting, joining, regular expressions); a forked
    process waits for nothing. Oxigraph builds the store without holding the GIL. Files are
    written in the order they are made, so one that a later stage replaces ends with the later
    bytes. Leaving the ``with`` block waits for both and raises what either raised (a file that
    cannot be written is a one-line ``UsageError``). Where processes cannot fork, files are
    written at once.
    """

    def __init__(self, staging: Path, store: bool) -> None:
        self.staging = staging
        self.store = store
        self.store_job: Future | None = None
        self.process = None
        if can_fork():
            context = mp.get_context("fork")
            self.queue = context.Queue()
            self.errors, child_errors = context.Pipe(duplex=False)
            self.process = context.Process(
                target=_write_queued, args=(staging, self.queue, child_errors), daemon=True
            )
            self.process.start()  # before this build starts threads of its own
            child_errors.close()

    def write(self, files: dict[str, tuple[bytes, str]]) -> None:
        items = [(name, data) for name, (data, _) in files.items()]
        if self.process is not None:
            # In batches: the queue sends a pickled copy of each, which lives while it is sent.
            for start in range(0, len(items), 1000):
                self.queue.put(items[start : start + 1000])
        else:
            _write_now(self.staging, items)
        if self.store and "kg.trig" in files:
            from .store import STORE_DIR, STORE_SOURCES, build_store

            sources = {name: files[name][0] for name in STORE_SOURCES}
            thread = ThreadPoolExecutor(1, thread_name_prefix="clusterkg-store")
            self.store_job = thread.submit(build_store, self.staging / STORE_DIR, sources)
            thread.shutdown(wait=False)  # the thread ends when the store is built

    def __enter__(self) -> _StagingWriter:
        return self

    def __exit__(self, failed: type[BaseException] | None, *_) -> None:
        # Nothing may write to the staging folder once this returns.
        problem = None
        if self.process is not None:
            if failed is None:
                self.queue.put(None)  # the end: the writer stops when it has written the rest
                self.queue.close()
            else:
                self.process.terminate()
                self.queue.cancel_join_thread()  # what was not sent is not wanted
            self.process.join()
            with suppress(EOFError):  # the writer ended without a word: all went well
                problem = self.errors.recv() if self.errors.poll() else None
        if self.store_job is not None:
            wait([self.store_job])
        if failed is None:
            if problem is not None or (self.process and self.process.exitcode):
                raise UsageError(problem or "the release writer stopped; see the messages above")
            if self.store_job is not None:
                self.store_job.result()  # raises what the store build raised


def _write_queued(staging: Path, queue, errors) -> None:
    """The writer process: writes each list of (name, bytes) it receives, until ``None``.

    It ends with ``os._exit``: the usual exit flushes the standard streams, whose locks a
    thread of the parent (a progress display) may have held when it forked.
    """
    gc.disable()  # (a collection would touch, and so copy, the parent's objects)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    folders = {staging}
    try:
        while (items := queue.get()) is not None:
            _write_files(staging, items, folders)
    except OSError as exc:
        errors.send(_cannot_write(exc, staging))
        os._exit(1)
    os._exit(0)


def _write_now(staging: Path, items: list[tuple[str, bytes]]) -> None:
    """:func:`_write_files` in this process; a file it cannot write is a one-line error."""
    try:
        _write_files(staging, items)
    except OSError as exc:
        raise UsageError(_cannot_write(exc, staging)) from exc


def _cannot_write(exc: OSError, staging: Path) -> str:
    where = exc.filename or staging
    return f"{where}: cannot write the release ({exc.strerror or exc}); check the disk"


def _write_files(staging: Path, items: list[tuple[str, bytes]], folders: set | None = None) -> None:
    """Write each (name, bytes) under ``staging``; ``folders``, those known to exist."""
    folders = {staging} if folders is None else folders
    for name, data in items:
        target = staging / name
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        _write_file(target, data)


def _write_file(path: Path, data: bytes) -> None:
    """``path.write_bytes(data)`` in three system calls instead of six (no buffering, no
    terminal check): system calls are most of the cost of a small file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


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
