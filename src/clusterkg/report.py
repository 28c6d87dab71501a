"""What the CLI shows people: summary tables, findings, query results, and progress.

Tables use rich, which also decides whether output is a terminal: progress appears on a terminal
and stays silent when output is piped or captured.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rdflib import OWL, RDF, URIRef
from rich.console import Console
from rich.table import Table

from .labels import compact, label
from .project import CKG

if TYPE_CHECKING:  # only for annotations: a quick command must not import the whole pipeline
    from .export import ReleaseFile
    from .pipeline import Checked
    from .query import CatalogQuery
    from .validate import Finding


@contextmanager
def progress(console: Console, enabled: bool = True) -> Iterator:
    """A ``step(text)`` callback that shows the current stage on a terminal, else does nothing."""
    if not (enabled and console.is_terminal):
        yield lambda text: None
        return
    with console.status("") as status:
        yield lambda text: status.update(f"[bold]{text}[/bold]")


def class_counts(checked: Checked) -> list[tuple[str, str, int]]:
    """(class, label, instances) for the ontology's classes and the types the data asserts."""
    data = checked.data_graph()
    ontology = checked.sources.graph(checked.project.graph_iri("ontology"))
    classes = {
        c
        for c in ontology.subjects(RDF.type, None)
        if str(c).startswith(str(CKG)) and (c, RDF.type, OWL.Class) in ontology
    }
    for iri in checked.sources.graph_iris():
        if iri != ontology.identifier:
            classes.update(
                o
                for _, p, o in checked.sources.graph_triples(iri)
                if p == RDF.type and isinstance(o, URIRef)
            )
    counts = Counter()
    for cls in classes:
        counts[cls] = len(set(data.subjects(RDF.type, cls)))
    rows = [
        (compact(data, c), label(ontology, c) if (c, None, None) in ontology else "", n)
        for c, n in counts.items()
        if n
    ]
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def build_summary(
    console: Console, checked: Checked, files: list[ReleaseFile] | None, out: str | None
) -> None:
    """The summary ``build`` and ``validate`` print: triples, classes, findings, files."""
    asserted = checked.sources.triple_count()
    inferred = len(checked.inference.inferred)
    triples = Table(title="Triples", title_justify="left")
    for column in ("asserted", "inferred", "total"):
        triples.add_column(column, justify="right")
    triples.add_row(str(asserted), str(inferred), str(asserted + inferred))
    console.print(triples)

    per_class = Table(title="Resources per class", title_justify="left")
    per_class.add_column("class")
    per_class.add_column("label")
    per_class.add_column("resources", justify="right")
    for name, class_label, count in class_counts(checked):
        per_class.add_row(name, class_label, str(count))
    console.print(per_class)

    validation = checked.validation
    if validation is not None:
        verdict = "conforms" if validation.conforms else "does NOT conform"
        console.print(
            f"SHACL: {verdict}: {len(validation.violations)} violations, "
            f"{len(validation.warnings)} warnings"
        )
        findings_table(console, validation.findings)
    for failure in checked.check_failures:
        console.print(f"Quality check {failure.check} failed ({failure.summary}):")
        for row in failure.rows:
            console.print("  " + "  ".join(row), markup=False, highlight=False)
    for problem in checked.inference.inconsistencies:
        console.print(f"OWL inconsistency: {problem}", markup=False, highlight=False)

    if files is not None:
        written = Table(title=f"Files written to {out}", title_justify="left")
        written.add_column("file")
        written.add_column("bytes", justify="right")
        written.add_column("what it holds")
        for name, size, description in file_rows(files):
            written.add_row(name, f"{size:,}", description)
        console.print(written)


_IRI = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")


def file_rows(files: list[ReleaseFile], most: int = 6) -> list[tuple[str, int, str]]:
    """(file or folder, bytes, what it holds): a folder's files on one row when they repeat.

    A release has a page and four descriptions per resource, tens of thousands at scale; a
    folder (two levels deep at most) with more than ``most`` files, or with files about
    resources, becomes one row. Top-level files are always listed; ``SHA256SUMS`` lists all.
    """
    folders: dict[str, list[ReleaseFile]] = {}
    for file in files:
        top, _, rest = file.name.partition("/")
        second = rest.partition("/")[0] if "/" in rest else ""
        key = f"{top}/{second}/" if second else (f"{top}/" if rest else file.name)
        folders.setdefault(key, []).append(file)
    rows = []
    for key, members in folders.items():
        kinds = list(dict.fromkeys(_IRI.sub("…", f.description) for f in members))
        about_resources = any(_IRI.search(f.description) for f in members)
        if not key.endswith("/") or (len(members) <= most and not about_resources):
            rows.extend((f.name, f.size, f.description) for f in members)
            continue
        shown = "; ".join(kinds[:3]) + ("; …" if len(kinds) > 3 else "")
        rows.append((key, sum(f.size for f in members), f"{len(members):,} files: {shown}"))
    return rows


def findings_table(console: Console, findings: list[Finding]) -> None:
    if not findings:
        return
    table = Table(show_lines=False)
    for column in ("severity", "focus node", "path", "value", "message"):
        table.add_column(column, overflow="fold")
    for f in findings:
        table.add_row(
            f.severity, f"{f.focus_label}\n{f.focus.n3()}", f.path or "", f.value or "", f.message
        )
    console.print(table)


def result_table(console: Console, columns: list[str], rows: list[list[str]]) -> None:
    table = Table(*columns, show_lines=False)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(rows)} rows", style="dim")


def catalog_table(console: Console, queries: list[CatalogQuery]) -> None:
    table = Table("name", "summary", "parameters", "tags")
    for query in queries:
        params = ", ".join(f"{p.name}={p.default}" if p.default else p.name for p in query.params)
        table.add_row(query.name, query.summary, params, ", ".join(query.tags))
    console.print(table)
