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
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from . import diff, metadata, ontodoc, pages
from . import jsonld as publish_jsonld
from .pipeline import Checked
from .project import bind_prefixes, prefixes


@dataclass(frozen=True)
class ReleaseFile:
    """A file written to the release, with what a summary needs to show."""

    name: str
    size: int
    sha256: str
    description: str


def sorted_graph(triples: Iterable, base: str, identifier=None) -> Graph:
    """A new graph holding ``triples`` inserted in sorted order, with the project's prefixes."""
    graph = Graph(identifier=identifier)
    for triple in sorted(triples):
        graph.add(triple)
    return bind_prefixes(graph, base)


def ntriples(graph: Graph) -> bytes:
    """N-Triples with sorted lines: the canonical text form, and the easiest to diff."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(line for line in text.splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode("utf-8")


def turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def jsonld(graph: Graph, base: str) -> bytes:
    """Compact JSON-LD with the project's prefixes as its context, nodes in ``@id`` order."""
    context = dict(sorted(prefixes(base).items()))
    document = json.loads(graph.serialize(format="json-ld", context=context))
    if isinstance(document.get("@graph"), list):  # rdflib's node order follows hash order
        document["@graph"].sort(key=lambda node: node.get("@id", ""))
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def trig(checked: Checked) -> bytes:
    """Every named graph, the inferred one included, in IRI order.

    Written graph by graph because rdflib's TriG writer orders graphs by hash.
    """
    base = checked.project.base
    inferred = Graph(identifier=checked.project.graph_iri("inferred"))
    inferred += checked.inference.inferred
    graphs = sorted([*checked.sources.named_graphs(), inferred], key=lambda g: str(g.identifier))
    parts = [f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in sorted(prefixes(base).items())]
    for graph in graphs:
        body = turtle(sorted_graph(graph, base)).decode("utf-8")
        triples = "\n".join(line for line in body.split("\n") if not line.startswith("@prefix "))
        parts.append(f"\n<{graph.identifier}> {{\n{triples.strip()}\n}}\n")
    return "".join(parts).encode("utf-8")


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
    asserted = sorted_graph(checked.sources.union(), base)
    inferred = sorted_graph(checked.inference.inferred, base)
    contents = {
        "kg.ttl": (
            turtle(asserted),
            "the asserted graph: ontology, reference data, profiles, source lines",
        ),
        "kg.nt": (ntriples(asserted), "the asserted graph as sorted N-Triples"),
        "kg.trig": (trig(checked), "every named graph, the inferred one included"),
        "inferred.ttl": (
            turtle(inferred),
            "what OWL RL inference adds, and nothing else",
        ),
    }
    if checked.validation is not None:
        report = sorted_graph(to_canonical_graph(checked.validation.report), base)
        contents["validation.ttl"] = (
            turtle(report),
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
