"""Validate stage: SHACL over asserted plus inferred triples, reported for people.

A ``Violation`` fails the build; a ``Warning`` marks something a publisher should look at (an
unknown member count, a profile that words an official title differently); ``Info`` is news.

Three engines run the same shapes (``ENGINES``): pySHACL, the reference; pyrudof, the Python
binding of the Rust engine rudof, three to four times faster on large graphs; and ``oxigraph``,
SHACL Core compiled to set-at-a-time SPARQL that Oxigraph runs (``shacl_sparql.py``), the
fastest. All give the same ``Validation``; ``validate`` documents what differs between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .errors import UsageError
from .labels import compact, label
from .project import VALIDATORS

ENGINES = VALIDATORS
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


@lru_cache(maxsize=512)
def _prepared(text: str):
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


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


def validate(
    data: Graph,
    shapes: Graph,
    engine: str = "pyshacl",
    data_ntriples: bytes | None = None,
    data_oxigraph: list | None = None,
    data_store: object | None = None,
) -> Validation:
    """Run ``shapes`` against ``data`` (already reasoned: no engine adds inference here).

    ``engine`` is one of ``ENGINES``. ``"pyshacl"`` is the reference. ``data_ntriples``, the
    same graph as N-Triples if at hand, saves ``"pyrudof"`` writing it; ``data_oxigraph``, the
    same graph as a list of ``pyoxigraph.Triple``, saves ``"oxigraph"`` converting it, and
    ``data_store``, an in-memory Oxigraph store whose default graph holds ``data_oxigraph`` (as
    Oxigraph keeps it), loading it: ``"oxigraph"`` then changes that store, which must not be
    used afterwards.

    ``"oxigraph"`` (``clusterkg.shacl_sparql``) loads the data into an in-memory Oxigraph store
    and turns the constraints of each shape into SPARQL queries that return every violating
    focus node and value at once (one per constraint; those of a property shape that look at
    one value at a time share one, and so do its counts); a nested shape (``sh:node``,
    ``sh:or``, a qualified value shape...) becomes a SPARQL expression, so its conformance is
    decided in the same pass. The shapes are read, and the results written, by pySHACL's own
    code, so the report is the reference's, graph and text: the tests find no difference,
    including blank focus nodes, ill-typed literals and integers of two datatypes. It implements
    SHACL Core and SPARQL-based constraints; what it does not (SPARQL-based targets, custom
    constraint components, ``$shapesGraph``/``$currentShape``, recursive shapes, a SPARQL
    constraint inside another shape...) raises ``UsageError`` naming it, never passes silently.

    ``"pyrudof"`` hands rudof both graphs as N-Triples (blank shapes renamed to IRIs, so that a
    result can name its shape) and brings rudof's report to the reference's form, taking from
    the shapes graph only what pySHACL would write and rudof leaves out:

    * ``sh:conforms`` is true unless a result is a ``sh:Violation``, as pySHACL says with
      warnings and infos allowed (rudof, like the SHACL spec, says false for any result);
    * a result of a core constraint carries its shape's ``sh:message`` values, not rudof's own
      wording beside them (``"MaxCount(1) not satisfied"``);
    * a SPARQL result also carries its shape's ``sh:message`` values, with ``{$this}``,
      ``{?path}`` and ``{?value}`` filled in (rudof gives only the constraint's message);
    * a SPARQL result of a property shape whose queries never mention ``?value`` loses the
      ``sh:value`` rudof gives it (the focus node; pySHACL gives none);
    * a SPARQL result names its ``sh:sourceConstraint`` when its shape has only one;
    * ``sh:detail`` is kept under ``sh:node`` results only (rudof adds it to ``sh:or`` too);
    * a blank source shape or result path is the shapes graph's own, copied with its triples.

    What still differs with ``"pyrudof"`` (tests/test_validate_engines.py shows each case; on
    the real data and the synthetic corpus the findings, ``text()`` and the report agree):

    * a blank focus node or value comes back as a new blank node, not the data's own, so its
      finding names a node the data does not have (rudof's report relabels them);
    * rudof accepts ill-typed literals of some datatypes that ``sh:datatype`` must reject, such
      as ``"2020-13-45"^^xsd:date`` (also xsd:duration, xsd:hexBinary, xsd:boolean); the load
      stage refuses ill-typed literals before they get here;
    * rudof finds xsd:integer and the datatypes derived from it (xsd:positiveInteger...) not
      comparable, so ``sh:lessThanOrEquals``, ``sh:minInclusive`` and the like fail on
      ``1`` against ``"1"^^xsd:positiveInteger``; in ``ontology/shapes.ttl`` such a value
      fails its ``sh:datatype`` as well, so rudof only adds results to a failing verdict;
    * a result of a shape without ``sh:message`` has rudof's wording, not pySHACL's;
    * a message from a SPARQL constraint keeps its language tag (pySHACL drops it), and a
      shape's message on such a result fills in no other variable than the three above;
    * with several SPARQL constraints on one shape, no ``sh:sourceConstraint`` is named.
    """
    if engine == "pyshacl":
        report = _pyshacl_report(data, shapes)
    elif engine == "pyrudof":
        report = _pyrudof_report(data, shapes, data_ntriples)
    elif engine == "oxigraph":
        from .shacl_sparql import oxigraph_report  # loaded only when asked for

        report = oxigraph_report(data, shapes, data_oxigraph, data_store)
    else:
        raise UsageError(f"unknown SHACL engine {engine!r}: use one of {', '.join(ENGINES)}")
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


def _pyshacl_report(data: Graph, shapes: Graph) -> Graph:
    # pySHACL (and rdflib's SPARQL engine, which it loads) is imported only by the engines
    # that use it: a fifth of a second before a build on the fast engines could start.
    import pyshacl

    store = data.store
    if not store.context_aware:  # pySHACL wraps the data in a Dataset, which needs contexts
        store = Graph().store
        store.addN((s, p, o, data) for s, p, o in data)
    view = _PreparedQueryGraph(
        store=store, identifier=data.identifier, namespace_manager=data.namespace_manager
    )
    _, report, _ = pyshacl.validate(
        view,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        abort_on_first=False,
    )
    return report


# rudof's N-Triples report relabels blank nodes, so blank shapes cross into rudof as IRIs under
# this prefix, which lets a result name the shape it comes from. (A shape's being blank or not
# changes nothing in SHACL; a path's or a list's would, so those stay blank.)
_GENID = "https://w3id.org/clusterkg/.well-known/genid/shape/"
_SHAPE_VALUED = (SH.property, SH.node, SH.qualifiedValueShape, SH["not"])
_SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)


def _renamed(shapes: Graph) -> Graph:
    """``shapes`` with each blank shape renamed to an IRI under ``_GENID``."""
    blank = _blank_shapes(shapes)
    renamed = Graph()
    for triple in shapes:
        renamed.add(tuple(URIRef(_GENID + t) if t in blank else t for t in triple))
    return renamed


def _blank_shapes(shapes: Graph) -> frozenset[BNode]:
    found = {s for s in shapes.subjects(SH.path, None)}
    found.update(o for p in _SHAPE_VALUED for o in shapes.objects(None, p))
    for p in _SHAPE_LISTS:
        for head in shapes.objects(None, p):
            found.update(shapes.items(head))
    return frozenset(n for n in found if isinstance(n, BNode))


def _pyrudof_report(data: Graph, shapes: Graph, data_ntriples: bytes | None) -> Graph:
    import pyrudof  # loaded only when asked for

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    strict = pyrudof.ReaderMode.Strict  # lax reading would leave out what it cannot parse
    # N-Triples is rudof's fastest reader (1 s for 120,000 triples). The pipeline passes the
    # data already written by Oxigraph; rdflib's writer is the next fastest (0.7 s).
    text = data.serialize(format="nt") if data_ntriples is None else data_ntriples.decode()
    rudof.read_data(text, format=pyrudof.RDFFormat.NTriples, reader_mode=strict)
    rudof.read_shacl(
        _renamed(shapes).serialize(format="nt"),
        format=pyrudof.ShaclFormat.NTriples,
        reader_mode=strict,
    )
    rudof.validate_shacl()
    text = rudof.serialize_shacl_validation_results(pyrudof.ResultShaclValidationFormat.NTriples)
    return _as_reference(Graph().parse(data=text, format="nt"), shapes)


def _clone_blank_node(*args, **kwargs) -> Node:
    from pyshacl.rdfutil import clone_blank_node  # (as pySHACL: see _pyshacl_report)

    return clone_blank_node(*args, **kwargs)


def _as_reference(raw: Graph, shapes: Graph) -> Graph:
    """rudof's report ``raw`` in the form pySHACL gives it (see ``validate``)."""
    report = Graph(bind_namespaces="core")
    for prefix, namespace in shapes.namespace_manager.namespaces():
        report.bind(prefix, namespace)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    violation = False
    for old in raw.objects(None, SH.result):
        violation |= raw.value(old, SH.resultSeverity) == SH.Violation
        report.add((root, SH.result, _copy_result(raw, old, report, shapes)))
    report.add((root, SH.conforms, Literal(not violation)))
    return report


def _copy_result(raw: Graph, old: Node, report: Graph, shapes: Graph) -> BNode:
    result = BNode()
    component = raw.value(old, SH.sourceConstraintComponent)
    shape = raw.value(old, SH.sourceShape)
    if isinstance(shape, URIRef) and shape.startswith(_GENID):
        shape = _clone_blank_node(shapes, BNode(shape[len(_GENID) :]), report, keepid=True)
    path = shapes.value(shape, SH.path)
    for predicate, value in raw.predicate_objects(old):
        if predicate == SH.sourceShape:
            value = shape
        elif predicate == SH.detail:
            if component != SH.NodeConstraintComponent:
                continue  # pySHACL gives details for sh:node only
            value = _copy_result(raw, value, report, shapes)
        elif predicate == SH.resultPath and isinstance(path, BNode):
            value = _clone_blank_node(shapes, path, report, keepid=True)
        elif isinstance(value, BNode):
            value = _clone_blank_node(raw, value, report)
        report.add((result, predicate, value))
    messages = list(shapes.objects(shape, SH.message))
    if component == SH.SPARQLConstraintComponent:
        _as_reference_sparql(report, result, shapes, shape, messages)
    elif messages:
        report.remove((result, SH.resultMessage, None))
        for message in messages:
            report.add((result, SH.resultMessage, message))
    return result


def _as_reference_sparql(
    report: Graph, result: Node, shapes: Graph, shape: Node, messages: list[Node]
) -> None:
    constraints = list(shapes.objects(shape, SH.sparql))
    queries = [
        str(shapes.value(c, SH.select) or shapes.value(c, SH.ask) or "") for c in constraints
    ]
    focus = report.value(result, SH.focusNode)
    if (
        shapes.value(shape, SH.path) is not None
        and report.value(result, SH.value) == focus
        and not any(re.search(r"[?$]value\b", query) for query in queries)
    ):
        report.remove((result, SH.value, None))
    if len(constraints) == 1 and report.value(result, SH.sourceConstraint) is None:
        constraint = constraints[0]
        if isinstance(constraint, BNode):
            constraint = _clone_blank_node(shapes, constraint, report, keepid=True)
        report.add((result, SH.sourceConstraint, constraint))
    # pySHACL gives the shape's own messages as well as the constraint's; rudof only the latter.
    bound = {
        "this": focus,
        "path": report.value(result, SH.resultPath),
        "value": report.value(result, SH.value),
    }
    for message in messages:
        text = str(message)
        for name, term in bound.items():
            if term is not None:
                text = re.sub(r"\{[?$]" + name + r"\}", lambda _, t=term: str(t), text)
        report.add((result, SH.resultMessage, message if text == str(message) else Literal(text)))


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
