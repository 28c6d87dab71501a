"""Load stage: read every source into named graphs and attach the quoted source lines.

Sources are Turtle: the ontology, the reference vocabularies (one ``reference`` graph) and one
graph per cluster profile. Profiles cite the verbatim source documents kept under
``data/sources`` with RFC 5147 line fragments (``...txt#line=42,43``); this stage checks each
such citation against the file and adds the quoted lines to a ``sources`` graph, so that the
evidence behind a fact is one SPARQL hop away.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD
from rdflib.term import Node

from .errors import SourceError
from .oxterms import from_oxigraph, oxigraph_triples
from .project import CKG, DEFAULT_BASE, Project

# Parsers by file suffix; sources are meant to be Turtle, N-Triples is accepted too.
PARSER_BY_SUFFIX = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
RFC5147 = "https://www.rfc-editor.org/rfc/rfc5147"


def new_graph(identifier: Node | None = None) -> Graph:
    """An empty in-memory graph on rdflib's context-free store.

    rdflib's default store keeps, for every triple, the graphs that hold it, and walking a
    graph then costs several times more; the pipeline's graphs are plain sets of triples. (This
    store counts its triples one by one: ask ``len()`` once, not in a loop.)
    """
    return Graph(store="SimpleMemory", identifier=identifier)


@dataclass
class LoadedSources:
    """The asserted graph of a project: named graphs plus the files they came from.

    The parsed triples are kept as they are (``oxigraph``, and ``triples`` as rdflib terms);
    an rdflib ``Graph`` of a named graph or of their union is built only when asked for. An
    rdflib graph costs several hundred bytes and a few microseconds a triple, and the fast
    engines, the writers and the pages never need the per-source graphs.
    """

    project: Project
    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    # The same named graphs as Oxigraph triples, kept from parsing: the writers and the
    # oxigraph reasoner start from these instead of converting every rdflib term back.
    oxigraph: dict[URIRef, list] = field(default_factory=dict)
    # The parsed triples of each named graph as rdflib terms, until ``graph`` builds its Graph.
    triples: dict[URIRef, list[tuple]] = field(default_factory=dict)
    _union: Graph | None = field(default=None, init=False, repr=False)

    def graph(self, iri: URIRef) -> Graph:
        """The named graph ``iri`` (built on first use), created empty if the sources have none."""
        if iri not in self.graphs:
            graph = self.graphs[iri] = new_graph(iri)
            graph.addN((s, p, o, graph) for s, p, o in self.triples.pop(iri, ()))
        return self.graphs[iri]

    def graph_triples(self, iri: URIRef) -> Iterable[tuple]:
        """The rdflib triples of named graph ``iri``, without building its Graph."""
        return self.graphs[iri] if iri in self.graphs else self.triples.get(iri, ())

    def graph_iris(self) -> list[URIRef]:
        """The names of the non-empty named graphs, in IRI order."""
        names = {*self.triples, *self.graphs}
        return sorted((iri for iri in names if any(True for _ in self.graph_triples(iri))), key=str)

    def named_graphs(self) -> list[Graph]:
        """The non-empty named graphs, in IRI order."""
        return [self.graph(iri) for iri in self.graph_iris()]

    def oxigraph_triples(self) -> list:
        """Every asserted triple as an Oxigraph triple (one may come from two graphs)."""
        return [t for triples in self.oxigraph.values() for t in triples]

    def triple_count(self) -> int:
        """How many distinct triples the sources assert."""
        return len({(t.subject, t.predicate, t.object) for t in self.oxigraph_triples()})

    def rdflib_triples(self) -> Iterator[tuple]:
        """Every asserted triple as rdflib terms (one may come from two graphs)."""
        for iri in self.graph_iris():
            yield from self.graph_triples(iri)

    def has_union(self) -> bool:
        """Whether :meth:`union` has been built (and so costs nothing more to ask for)."""
        return self._union is not None

    def union(self) -> Graph:
        """All asserted triples in one graph: built once and shared, so never modify it.

        Copying a graph costs rdflib tens of microseconds a triple; the build asks for the
        union several times, which at a million triples would mean minutes.
        """
        if self._union is None:
            self._union = new_graph()
            self._union.addN((s, p, o, self._union) for s, p, o in self.rdflib_triples())
        return self._union


def source_files(project: Project) -> list[tuple[Path, URIRef]]:
    """Every source file with the named graph it goes to, in a stable order."""

    def turtle_files(folder: Path) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix in PARSER_BY_SUFFIX)

    if not project.ontology_file.is_file():
        raise SourceError(project.ontology_file, "the ontology file is missing (is --root right?)")
    files = [(project.ontology_file, project.graph_iri("ontology"))]
    files += [(p, project.graph_iri("reference")) for p in turtle_files(project.reference_dir)]
    files += [
        (p, project.graph_iri(f"profile/{p.stem}")) for p in turtle_files(project.profiles_dir)
    ]
    return files


def parse_source(path: Path, base: str = DEFAULT_BASE) -> Graph:
    """Parse one source file, turning any syntax problem into a one-line ``SourceError``."""
    graph = new_graph()
    graph.addN((s, p, o, graph) for s, p, o in source_triples(path, base)[0])
    return graph


def source_triples(path: Path, base: str = DEFAULT_BASE) -> tuple[list[tuple], list]:
    """The triples of one source file, as rdflib terms and as Oxigraph triples.

    Oxigraph parses (about thirty times faster than rdflib's parser, and stricter: an IRI with
    a space is an error, not a warning); problems raise a one-line ``SourceError``. Instance
    IRIs move from the default base to ``base`` on the way; ontology terms stay where they are.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read the file ({exc.strerror})") from exc
    try:
        parsed = list(
            ox.parse(
                data,
                format=PARSER_BY_SUFFIX.get(path.suffix, ox.RdfFormat.TURTLE),
                base_iri=path.resolve().as_uri(),
            )
        )
    except SyntaxError as exc:
        raise SourceError(path, f"bad syntax ({_reason(exc)})", line=exc.lineno) from exc
    move, term = _mover(base), from_oxigraph
    triples = [(move(term(t.subject)), term(t.predicate), move(term(t.object))) for t in parsed]
    _reject_ill_typed_literals(triples, path)
    # rdflib normalises some literals ("01"^^xsd:integer is 1); Oxigraph keeps them as written.
    same = base == DEFAULT_BASE and all(
        str(o) == t.object.value
        for (_, _, o), t in zip(triples, parsed, strict=True)
        if isinstance(o, Literal)
    )
    return triples, parsed if same else oxigraph_triples(triples)


def _reason(error: SyntaxError) -> str:
    """Oxigraph's message without its position, which the error gives as a line number."""
    text = str(error.msg)
    text = text.split(": ", 1)[1] if text.startswith("Parser error") and ": " in text else text
    return re.sub(r" \(line \d+\)$", "", text)


def _reject_ill_typed_literals(triples: list[tuple], path: Path) -> None:
    for term in sorted({o for _, _, o in triples if isinstance(o, Literal) and o.ill_typed}):
        line = find_line(path, [f'"{term}"^^'])
        datatype = Graph().namespace_manager.normalizeUri(term.datatype)
        raise SourceError(path, f'"{term}" is not a valid {datatype} value', line=line)


def _mover(base: str):
    """Moves instance IRIs from the default base to ``base``; ontology terms stay put."""
    fixed = f"{DEFAULT_BASE}ontology"

    def move(term):
        if (
            base != DEFAULT_BASE
            and isinstance(term, URIRef)
            and term.startswith(DEFAULT_BASE)
            and not term.startswith(fixed)
        ):
            return URIRef(base + term[len(DEFAULT_BASE) :])
        return term

    return move


def find_line(path: Path, needles: Iterable[str]) -> int | None:
    """The first line of ``path`` that holds one of ``needles``, for error messages."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    needles = list(needles)
    for number, text in enumerate(lines, start=1):
        if any(n in text for n in needles):
            return number
    return None


def load(project: Project) -> LoadedSources:
    """Read every source of ``project`` into named graphs and quote the cited source lines."""
    loaded = LoadedSources(project)
    triples_of_file: dict[Path, list[tuple]] = {}
    for path, graph_iri in source_files(project):
        triples, parsed = source_triples(path, project.base)
        triples_of_file[path] = triples
        loaded.triples.setdefault(graph_iri, []).extend(triples)
        loaded.oxigraph.setdefault(graph_iri, []).extend(parsed)
        loaded.files.append(path)
    sources = project.graph_iri("sources")
    loaded.triples[sources], loaded.oxigraph[sources] = quote_source_lines(project, triples_of_file)
    return loaded


# A citation of source lines: <base>source/<file>#line=<from>,<to> (RFC 5147 positions).
def _citation_pattern(project: Project) -> re.Pattern[str]:
    return re.compile(re.escape(f"{project.base}source/") + r"([^/#]+)(?:#line=(\d+),(\d+))?$")


def quote_source_lines(
    project: Project, triples_of_file: dict[Path, list[tuple]]
) -> tuple[list[tuple], list]:
    """Describe every cited source document and line range, checking each citation: the
    triples as rdflib terms and as Oxigraph triples.

    RFC 5147 counts positions between lines from 0, so ``#line=42,43`` is line 43 alone.
    """
    pattern = _citation_pattern(project)
    documents: dict[URIRef, list[str]] = {}
    described: set[URIRef] = set()  # files may cite the same lines: described once
    quotes: list[tuple] = []
    # Made beside the rdflib terms: converting each excerpt's literals afterwards took a
    # third of loading a million triples.
    oxigraph: list = []
    cited = f"{project.base}source/"
    for path, triples in triples_of_file.items():
        # (only the candidates are sorted: sorting every IRI of a file cost more than the rest)
        terms = {t for s, _, o in triples for t in (s, o) if str.startswith(t, cited)}
        for term in sorted(t for t in terms if isinstance(t, URIRef) and t not in described):
            match = pattern.match(term)
            if not match:
                continue
            name, start, end = match.group(1), match.group(2), match.group(3)
            doc = project.source_iri(name)
            if doc not in documents:
                documents[doc] = _read_source_lines(project, name, path)
            if start is None:
                continue
            lines = documents[doc]
            first, last = int(start) + 1, int(end)
            if not (0 <= int(start) < int(end) <= len(lines)):
                raise SourceError(
                    path,
                    f"cites lines {first}-{last} of {name}, which has {len(lines)} lines "
                    f"(#line=N,M quotes lines N+1 to M, see {RFC5147})",
                    line=find_line(path, [f"line={start},{end}", f"line\\={start}\\,{end}"]),
                )
            described.add(term)
            span = f"line {first}" if first == last else f"lines {first}-{last}"
            quotation, label = "\n".join(lines[first - 1 : last]), f"{name}, {span}"
            (first_term, first_node), (last_term, last_node) = _line(first), _line(last)
            quotes += (
                (term, _TYPE, _EXCERPT),
                (term, _EXCERPT_OF, doc),
                (term, _FIRST_LINE, first_term),
                (term, _LAST_LINE, last_term),
                (term, _QUOTATION, Literal(quotation)),
                (term, _PREF_LABEL, Literal(label, lang="en")),
            )
            node = ox.NamedNode(term)
            oxigraph += (
                ox.Triple(node, _OX_TYPE, _OX_EXCERPT),
                ox.Triple(node, _OX_EXCERPT_OF, ox.NamedNode(doc)),
                ox.Triple(node, _OX_FIRST, first_node),
                ox.Triple(node, _OX_LAST, last_node),
                ox.Triple(node, _OX_QUOTATION, ox.Literal(quotation)),
                ox.Triple(node, _OX_PREF_LABEL, ox.Literal(label, language="en")),
            )
    described_documents = []
    for doc, lines in documents.items():
        data = (project.sources_dir / doc[len(f"{project.base}source/") :]).read_bytes()
        described_documents += (
            (doc, RDF.type, CKG.SourceDocument),
            (doc, CKG.lineCount, _line(len(lines))[0]),
            (doc, CKG.sha256, Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary)),
        )
    return quotes + described_documents, oxigraph + oxigraph_triples(described_documents)


# The terms of every excerpt's description, looked up once (a Namespace builds a new URIRef
# on every attribute access), with their Oxigraph terms, and its line numbers, which repeat
# from one excerpt to the next.
_TYPE, _PREF_LABEL = RDF.type, SKOS.prefLabel
_EXCERPT, _EXCERPT_OF, _QUOTATION = CKG.SourceExcerpt, CKG.excerptOf, CKG.quotation
_FIRST_LINE, _LAST_LINE = CKG.firstLine, CKG.lastLine
_OX_TYPE, _OX_PREF_LABEL, _OX_EXCERPT, _OX_EXCERPT_OF, _OX_QUOTATION, _OX_FIRST, _OX_LAST = (
    ox.NamedNode(term)
    for term in (_TYPE, _PREF_LABEL, _EXCERPT, _EXCERPT_OF, _QUOTATION, _FIRST_LINE, _LAST_LINE)
)


@lru_cache(maxsize=1 << 14)
def _line(number: int) -> tuple[Literal, ox.Literal]:
    """A line number as rdflib and Oxigraph terms."""
    term = Literal(number, datatype=XSD.positiveInteger)
    return term, ox.Literal(str(term), datatype=ox.NamedNode(XSD.positiveInteger))


def _read_source_lines(project: Project, name: str, citing: Path) -> list[str]:
    source = project.sources_dir / name
    try:
        text = source.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SourceError(
            citing,
            f"cites the source document {name}, but {source} does not exist "
            "(keep a verbatim copy of every cited source there)",
            line=find_line(citing, [name]),
        ) from None
    except UnicodeDecodeError as exc:
        raise SourceError(source, f"is not UTF-8 text (byte {exc.start})") from exc
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start another
    return lines
