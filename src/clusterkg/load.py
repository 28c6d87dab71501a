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
from pathlib import Path

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import SourceError
from .project import CKG, DEFAULT_BASE, Project

# rdflib parsers by file suffix; sources are meant to be Turtle, N-Triples is accepted too.
PARSER_BY_SUFFIX = {".ttl": "turtle", ".nt": "nt"}
RFC5147 = "https://www.rfc-editor.org/rfc/rfc5147"


@dataclass
class LoadedSources:
    """The asserted graph of a project: named graphs plus the files they came from."""

    project: Project
    dataset: Dataset
    files: list[Path] = field(default_factory=list)

    def named_graphs(self) -> Iterator[Graph]:
        """The non-empty named graphs, in IRI order."""
        graphs = [g for g in self.dataset.graphs() if len(g) and isinstance(g.identifier, URIRef)]
        yield from sorted(graphs, key=lambda g: str(g.identifier))

    def union(self) -> Graph:
        """All asserted triples in one graph."""
        union = Graph()
        for graph in self.named_graphs():
            union += graph
        return union


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
    graph = Graph()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read the file ({exc.strerror})") from exc
    try:
        graph.parse(
            data=data,
            format=PARSER_BY_SUFFIX.get(path.suffix, "turtle"),
            publicID=path.resolve().as_uri(),
        )
    except BadSyntax as exc:
        raise SourceError(path, f"bad syntax ({exc._why})", line=exc.lines + 1) from exc
    except Exception as exc:  # rdflib raises assorted types for broken input
        raise SourceError(path, f"cannot parse the file ({exc})") from exc
    _reject_ill_typed_literals(graph, path)
    return rebase(graph, base) if base != DEFAULT_BASE else graph


def _reject_ill_typed_literals(graph: Graph, path: Path) -> None:
    for term in sorted({o for o in graph.objects() if isinstance(o, Literal)}):
        if term.ill_typed:
            line = find_line(path, [f'"{term}"^^'])
            raise SourceError(
                path,
                f'"{term}" is not a valid {term.datatype.n3(graph.namespace_manager)} value',
                line=line,
            )


def rebase(graph: Graph, base: str) -> Graph:
    """Move instance IRIs from the default base to ``base``; ontology terms stay where they are."""
    fixed = f"{DEFAULT_BASE}ontology"

    def move(term):
        if (
            isinstance(term, URIRef)
            and term.startswith(DEFAULT_BASE)
            and not term.startswith(fixed)
        ):
            return URIRef(base + term[len(DEFAULT_BASE) :])
        return term

    moved = Graph()
    for s, p, o in graph:
        moved.add((move(s), p, move(o)))
    return moved


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
    dataset = Dataset()
    loaded = LoadedSources(project, dataset)
    graph_of_file: dict[Path, Graph] = {}
    for path, graph_iri in source_files(project):
        parsed = parse_source(path, project.base)
        dataset.graph(graph_iri).__iadd__(parsed)
        graph_of_file[path] = parsed
        loaded.files.append(path)
    quote_source_lines(project, graph_of_file, dataset.graph(project.graph_iri("sources")))
    return loaded


# A citation of source lines: <base>source/<file>#line=<from>,<to> (RFC 5147 positions).
def _citation_pattern(project: Project) -> re.Pattern[str]:
    return re.compile(re.escape(f"{project.base}source/") + r"([^/#]+)(?:#line=(\d+),(\d+))?$")


def quote_source_lines(project: Project, graph_of_file: dict[Path, Graph], out: Graph) -> None:
    """Describe every cited source document and line range in ``out``, checking each citation.

    RFC 5147 counts positions between lines from 0, so ``#line=42,43`` is line 43 alone.
    """
    pattern = _citation_pattern(project)
    documents: dict[URIRef, list[str]] = {}
    for path, graph in graph_of_file.items():
        terms = {t for triple in graph for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
        for term in sorted(terms):
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
            span = f"line {first}" if first == last else f"lines {first}-{last}"
            out.add((term, RDF.type, CKG.SourceExcerpt))
            out.add((term, CKG.excerptOf, doc))
            out.add((term, CKG.firstLine, Literal(first, datatype=XSD.positiveInteger)))
            out.add((term, CKG.lastLine, Literal(last, datatype=XSD.positiveInteger)))
            out.add((term, CKG.quotation, Literal("\n".join(lines[first - 1 : last]))))
            out.add((term, SKOS.prefLabel, Literal(f"{name}, {span}", lang="en")))
    for doc, lines in documents.items():
        data = (project.sources_dir / doc[len(f"{project.base}source/") :]).read_bytes()
        out.add((doc, RDF.type, CKG.SourceDocument))
        out.add((doc, CKG.lineCount, Literal(len(lines), datatype=XSD.positiveInteger)))
        out.add(
            (doc, CKG.sha256, Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary))
        )


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
