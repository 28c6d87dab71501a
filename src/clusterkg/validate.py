"""Validate stage: SHACL (pySHACL) over asserted plus inferred triples, reported for people.

A ``Violation`` fails the build; a ``Warning`` marks something a publisher should look at (an
unknown member count, a profile that words an official title differently); ``Info`` is news.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pyshacl
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from .labels import compact, label

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result, with names a person can read."""

    severity: str
    focus: Node
    focus_label: str
    path: str | None
    value: str | None
    message: str
    shape: str

    def line(self) -> str:
        """The finding as one line of a text report."""
        where = f" {self.path}" if self.path else ""
        value = f" = {self.value}" if self.value is not None else ""
        return (
            f"{self.severity}: {self.focus_label} ({self.focus.n3()}){where}{value}: {self.message}"
        )


@dataclass
class Validation:
    """The outcome of a SHACL run: the findings and the W3C report graph."""

    findings: list[Finding] = field(default_factory=list)
    report: Graph = field(default_factory=Graph)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        """True when nothing breaks the build; warnings and infos are allowed."""
        return not self.violations

    def text(self) -> str:
        """A plain-text report: a verdict line, then one line per finding."""
        verdict = "conforms" if self.conforms else "does not conform"
        head = (
            f"SHACL: {verdict} ({len(self.violations)} violations, "
            f"{len(self.warnings)} warnings, {len(self.findings)} findings in all)"
        )
        return "\n".join([head, *(f.line() for f in self.findings)]) + "\n"


_prepared = lru_cache(maxsize=512)(prepareQuery)


class _PreparedQueryGraph(Graph):
    """A view of a graph whose ``query`` parses each distinct SPARQL text only once.

    pySHACL evaluates a SPARQL-based constraint once per focus node and passes rdflib the query
    text each time; parsing then dominates validation (two thirds of it on the real data).
    rdflib's prepared queries are meant for exactly this reuse, so the results are the same.
    """

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str) and not kwargs.get("initNs"):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def validate(data: Graph, shapes: Graph) -> Validation:
    """Run ``shapes`` against ``data`` (already reasoned: pySHACL adds no inference here)."""
    view = _PreparedQueryGraph(
        store=data.store, identifier=data.identifier, namespace_manager=data.namespace_manager
    )
    _, report, _ = pyshacl.validate(
        view,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        abort_on_first=False,
    )
    findings = [
        _finding(report, data, result) for result in report.subjects(RDF.type, SH.ValidationResult)
    ]
    findings.sort(
        key=lambda f: (
            SEVERITY_ORDER.get(f.severity, 9),
            f.focus_label,
            str(f.focus),
            f.path or "",
            f.message,
            f.value or "",
        )
    )
    return Validation(findings, report)


def _finding(report: Graph, data: Graph, result: Node) -> Finding:
    severity = report.value(result, SH.resultSeverity)
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    message = report.value(result, SH.resultMessage)
    shape = report.value(result, SH.sourceShape)
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        focus=focus,
        focus_label=label(data, focus),
        path=compact(data, path) if isinstance(path, URIRef) else ("(path)" if path else None),
        value=(label(data, value) if isinstance(value, URIRef) else str(value))
        if value is not None
        else None,
        message=str(message) if message else "does not satisfy its shape",
        shape=compact(data, shape) if isinstance(shape, URIRef) else "(anonymous shape)",
    )
