"""Semantic differences between two releases, for people (Markdown) and machines (RDF Patch).

Two graphs are compared as sets of triples, not as text: blank nodes are matched by their
canonical form (``rdflib.compare``), so relabelling or reordering changes nothing. Triples are
grouped by subject into resources added (a new subject), removed (a subject that is gone) and
changed (a subject with triples added or removed), each resource shown with its label and
grouped by its class.

The machine changeset is RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html, media type
``application/rdf-patch``, as Apache Jena and RDF Delta apply it): one ``D`` line per removed
triple and one ``A`` line per added triple in N-Triples syntax, inside a ``TX`` / ``TC``
transaction. It was chosen over the Changeset vocabulary because a Changeset describes the
changes to one subject through reified statements (four triples per changed triple, and blank
nodes that cannot be reified faithfully), while a patch is line-oriented: it streams, diffs well,
is applied by existing tools, and ``apply_patch`` here is a dozen lines. Blank nodes in a patch
carry the labels of the canonical form of the graphs (``rdflib.compare.to_canonical_graph``):
apply a patch to the canonical form of OLD.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_canonical_graph
from rdflib.plugins.parsers.ntriples import W3CNTriplesParser
from rdflib.util import guess_format

from .errors import SourceError
from .labels import compact, label
from .project import CKG, DEFAULT_BASE, bind_prefixes

if TYPE_CHECKING:
    from .metadata import Contents

CHANGES_FILE = "CHANGES.md"
PATCH_FILE = "CHANGES.rdfp"
RELEASE_GRAPH = "kg.nt"  # the asserted graph of a release folder


@dataclass
class Resource:
    """One subject's changes: the triples it gained and lost."""

    node: URIRef | BNode
    added: list[tuple]
    removed: list[tuple]


@dataclass
class Changes:
    """What changed from one graph to another (both in canonical form)."""

    old: Graph
    new: Graph
    added: list[tuple]  # triples only in new, sorted
    removed: list[tuple]  # triples only in old, sorted

    @property
    def empty(self) -> bool:
        return not self.added and not self.removed

    def resources(self) -> dict[str, list[Resource]]:
        """``added``, ``removed`` and ``changed`` resources, each in subject order."""
        by_subject: dict = defaultdict(lambda: ([], []))
        for triple in self.added:
            by_subject[triple[0]][0].append(triple)
        for triple in self.removed:
            by_subject[triple[0]][1].append(triple)
        groups: dict[str, list[Resource]] = {"added": [], "removed": [], "changed": []}
        for node in sorted(by_subject):
            added, removed = by_subject[node]
            in_old = (node, None, None) in self.old
            in_new = (node, None, None) in self.new
            kind = "added" if not in_old else "removed" if not in_new else "changed"
            groups[kind].append(Resource(node, added, removed))
        return groups


def compare(old: Graph, new: Graph) -> Changes:
    """The triples only in ``old`` and only in ``new``, blank nodes matched canonically."""
    old_c, new_c = _canonical(old), _canonical(new)
    _, only_old, only_new = graph_diff(old_c, new_c)
    return Changes(old_c, new_c, sorted(only_new), sorted(only_old))


def _canonical(graph: Graph) -> Graph:
    if not any(isinstance(n, BNode) for t in graph for n in t):
        copy = Graph()  # nothing to relabel: skip the canonicalisation's hashing
        copy += graph
        return copy
    copy = Graph()
    copy += to_canonical_graph(graph)
    return copy


def read_graph(path: Path) -> Graph:
    """The graph of a release folder (its ``kg.nt``) or of any RDF file rdflib reads.

    Raises ``SourceError`` (exit 2) naming the path when it is missing or does not parse.
    """
    if path.is_dir():
        if not (path / RELEASE_GRAPH).is_file():
            raise SourceError(path, f"not a release folder: it has no {RELEASE_GRAPH}")
        path = path / RELEASE_GRAPH
    elif not path.exists():
        raise SourceError(path, "no such file or release folder")
    fmt = guess_format(str(path)) or ("json-ld" if path.suffix == ".jsonld" else None)
    if fmt is None:
        raise SourceError(path, "unknown RDF format (use .ttl, .nt, .nq, .trig, .rdf or .jsonld)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read the file ({exc.strerror})") from exc
    return parse_graph(data, fmt, path)


def parse_graph(data: bytes, fmt: str, path: Path | str) -> Graph:
    """Every triple of ``data`` (of every named graph, for quad formats) in one graph."""
    try:
        if fmt in ("trig", "nquads", "trix"):
            dataset = Dataset()
            dataset.parse(data=data, format=fmt)
            graph = Graph()
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
            return graph
        return Graph().parse(data=data, format=fmt)
    except Exception as exc:  # rdflib raises many kinds; one line naming the file is the point
        line = getattr(exc, "lines", None)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(path, f"cannot parse as {fmt}: {reason}", line) from exc


# --- RDF Patch -----------------------------------------------------------------------------


def _nt_lines(triples: Iterable[tuple]) -> list[str]:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line for line in text.splitlines() if line.strip())


def patch(changes: Changes) -> bytes:
    """The changes as one RDF Patch transaction: deletions first, then additions."""
    lines = ["TX ."]
    lines += [f"D {line}" for line in _nt_lines(changes.removed)]
    lines += [f"A {line}" for line in _nt_lines(changes.added)]
    lines.append("TC .")
    return ("\n".join(lines) + "\n").encode("utf-8")


class _Collect:
    def __init__(self) -> None:
        self.triples: list[tuple] = []

    def triple(self, s, p, o) -> None:
        self.triples.append((s, p, o))


def apply_patch(graph: Graph, data: bytes) -> Graph:
    """A copy of ``graph`` with an RDF Patch applied (``A`` and ``D`` rows, default graph).

    Header (``H``), transaction (``TX``, ``TC``, ``TA``) and prefix (``PA``, ``PD``) rows are
    accepted and ignored; a row with a graph name, or any other row, raises ``ValueError``.
    Blank-node labels in the patch refer to the labels of ``graph``'s blank nodes.
    """
    result = Graph()
    result += graph
    bnodes = {str(n): n for t in graph for n in t if isinstance(n, BNode)}
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        row = line.strip()
        code, _, rest = row.partition(" ")
        if not row or row.startswith("#") or code in ("H", "TX", "TC", "TA", "PA", "PD"):
            continue
        if code not in ("A", "D"):
            raise ValueError(f"line {number}: not an RDF Patch row: {row!r}")
        sink = _Collect()
        W3CNTriplesParser(sink, bnode_context=bnodes).parsestring(rest)
        if len(sink.triples) != 1:
            raise ValueError(f"line {number}: expected one triple (quads are not supported)")
        (triple,) = sink.triples
        (result.add if code == "A" else result.remove)(triple)
    return result


# --- Markdown ------------------------------------------------------------------------------

# Values sit mid-line, so only the characters that act there need escaping.
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})


def _text(value: str) -> str:
    """Text safe to put in Markdown: special characters escaped, on one line."""
    return " ".join(value.split()).translate(_MARKDOWN_SPECIAL)


def _code(value: str) -> str:
    fence = "``" if "`" in value else "`"
    return f"{fence}{value}{fence}" if fence == "`" else f"{fence} {value} {fence}"


def _value(graph: Graph, node) -> str:
    if isinstance(node, Literal):
        suffix = f" @{node.language}" if node.language else ""
        if node.datatype:
            suffix = f" ({_code(compact(graph, node.datatype))})"
        return f"“{_text(str(node))}”{suffix}"
    name, shown = label(graph, node), compact(graph, node)
    return _code(shown) if name == shown else f"{_text(name)} ({_code(shown)})"


def _class_of(graph: Graph, node) -> URIRef | None:
    """The class a resource is listed under: one of the ontology's first, else any."""
    types = sorted(t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef))
    ours = [t for t in types if str(t).startswith(str(CKG))]
    return (ours or types or [None])[0]


def _class_heading(graph: Graph, cls: URIRef | None) -> str:
    if cls is None:
        return "without a class"
    name, shown = label(graph, cls), compact(graph, cls)
    return _code(shown) if name == shown else f"{_text(name)} ({_code(shown)})"


def _property_lines(graph: Graph, resource: Resource, show_all: bool) -> list[str]:
    """One line per property: its values (added or removed resource) or what changed."""
    added: dict = defaultdict(list)
    removed: dict = defaultdict(list)
    for _, p, o in resource.added:
        added[p].append(o)
    for _, p, o in resource.removed:
        removed[p].append(o)
    lines = []
    for prop in sorted(set(added) | set(removed), key=lambda p: compact(graph, p)):
        name = _code(compact(graph, prop))
        new, old = sorted(added[prop]), sorted(removed[prop])
        if show_all:
            values = new or old
            lines.append(f"  - {name}: " + "; ".join(_value(graph, v) for v in values))
        elif len(new) == 1 and len(old) == 1:
            lines.append(f"  - {name}: {_value(graph, old[0])} → {_value(graph, new[0])}")
        else:
            for verb, values in (("added", new), ("removed", old)):
                if values:
                    shown = "; ".join(_value(graph, v) for v in values)
                    lines.append(f"  - {name} {verb}: {shown}")
    return lines


def markdown(changes: Changes, old_name: str, new_name: str, base: str = DEFAULT_BASE) -> str:
    """``CHANGES.md``: counts, then resources added, removed and changed, grouped by class."""
    old = bind_prefixes(changes.old, base)
    new = bind_prefixes(changes.new, base)
    groups = changes.resources()
    out = [
        "# Changes",
        "",
        f"From {_text(old_name)} to {_text(new_name)}, compared as RDF (the asserted triples; "
        "blank nodes by canonical form).",
        "",
    ]
    if changes.empty:
        return "\n".join([*out, "No changes: both hold the same triples.", ""])
    out += [
        "| | resources | triples |",
        "|---|---:|---:|",
        f"| added | {len(groups['added'])} | {len(changes.added)} |",
        f"| removed | {len(groups['removed'])} | {len(changes.removed)} |",
        f"| changed | {len(groups['changed'])} | |",
        "",
    ]
    for kind in ("added", "removed", "changed"):
        if not groups[kind]:
            continue
        graph = old if kind == "removed" else new
        out += [f"## {kind.capitalize()}", ""]
        by_class: dict = defaultdict(list)
        for resource in groups[kind]:
            by_class[_class_of(graph, resource.node)].append(resource)
        headings = sorted(by_class, key=lambda c: (_class_heading(graph, c).lower(), str(c)))
        for cls in headings:
            out += [f"### {_class_heading(graph, cls)}", ""]
            resources = sorted(
                by_class[cls], key=lambda r: (label(graph, r.node).lower(), str(r.node))
            )
            for resource in resources:
                out.append(f"- {_value(graph, resource.node)}")
                out += _property_lines(graph, resource, show_all=kind != "changed")
            out.append("")
    return "\n".join(out)


# --- The build stage -----------------------------------------------------------------------


def release_files(previous: Path, contents: Contents) -> dict[str, tuple[bytes, str]]:
    """``CHANGES.md`` and ``CHANGES.rdfp`` against the release in ``previous``.

    Nothing when ``previous`` holds no ``kg.nt`` (no previous release). A previous ``kg.nt``
    that does not parse does not stop the build: ``CHANGES.md`` says so.
    """
    old_file = previous / RELEASE_GRAPH
    if RELEASE_GRAPH not in contents or not old_file.is_file():
        return {}
    new = parse_graph(contents[RELEASE_GRAPH][0], "nt", RELEASE_GRAPH)
    try:
        old = parse_graph(old_file.read_bytes(), "nt", old_file)
    except (SourceError, OSError) as exc:
        text = f"# Changes\n\nThe previous release's {RELEASE_GRAPH} could not be read: {exc}\n"
        return {CHANGES_FILE: (text.encode("utf-8"), "what changed since the previous release")}
    changes = compare(old, new)
    text = markdown(changes, "the previous release", "this release")
    return {
        CHANGES_FILE: (text.encode("utf-8"), "what changed since the previous release"),
        PATCH_FILE: (
            patch(changes),
            "the same changes as an RDF Patch (application/rdf-patch) to apply to kg.nt",
        ),
    }
