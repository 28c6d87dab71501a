"""SHACL Core compiled to set-at-a-time SPARQL, run by Oxigraph: the ``oxigraph`` engine.

pySHACL and rudof walk the focus nodes one by one; here each constraint of each shape becomes a
SPARQL query that returns every violating (focus node, value) row at once, over an in-memory
``pyoxigraph.Store`` holding the data (the constraints of a property shape that look at one value
at a time share one query, its counts another). A nested shape (``sh:node``, ``sh:or``, a
qualified value shape...) compiles to a SPARQL expression that holds when a node conforms, so the
query that checks a constraint decides conformance for all candidate nodes in one pass, never one
query per node.

pySHACL is the reference: the shapes graph is read by pySHACL's own loader (so the same nodes
are shapes, with the same parameters), and every result is written by pySHACL's own
``make_v_result`` and report writer, so messages, paths and blank-node copies come out in
exactly its form. What is ours is only the decision of which results there are. (Those are
pySHACL's internal classes, as of pySHACL 0.40: a release that changes them fails loudly here,
and tests/test_validate_engines.py compares whole reports.)

Two details of Oxigraph shape the store (see ``_Store``): it keeps a literal of a datatype
derived from xsd:integer (``"1"^^xsd:positiveInteger``) as an xsd:integer, and xsd:dateTimeStamp
as xsd:dateTime, which ``sh:datatype`` must tell apart. Such triples are kept twice, in two named
graphs: once with a private datatype IRI that Oxigraph leaves alone (our queries read that one,
and turn it back into a number where they compare), and once as Oxigraph reads it (the queries
of SPARQL-based constraints read that one, so that their comparisons work as written).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import count

import pyoxigraph as ox
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.constraints.core import cardinality_constraints as card
from pyshacl.constraints.core import logical_constraints as logic
from pyshacl.constraints.core import other_constraints as other
from pyshacl.constraints.core import property_pair_constraints as pair
from pyshacl.constraints.core import shape_based_constraints as based
from pyshacl.constraints.core import string_based_constraints as strings
from pyshacl.constraints.core import value_constraints as values
from pyshacl.constraints.core import value_range_constraints as ranges
from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError
from pyshacl.helper.path_helper import shacl_path_to_sparql_path
from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator
from rdflib import RDF, RDFS, BNode, ConjunctiveGraph, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from .errors import UsageError
from .oxterms import from_oxigraph, oxigraph_triples, to_oxigraph

__all__ = ["oxigraph_report"]

_REFUSE = "use --validator pyshacl"
_XSD = str(XSD)
# Oxigraph stores literals of these datatypes under another datatype (see the module docstring).
_RETYPED = frozenset(
    _XSD + name
    for name in [
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
        "dateTimeStamp",
    ]
)
_PRIVATE = "urn:clusterkg:shacl-sparql:datatype:"
_EXACT = ox.NamedNode("urn:clusterkg:shacl-sparql:graph:exact")
_CANONICAL = ox.NamedNode("urn:clusterkg:shacl-sparql:graph:canonical")
_SETS = "urn:clusterkg:shacl-sparql:set:"
_STRINGS = (XSD.string, RDF.langString)
_ALLOWED_SEVERITIES = (SH.Warning, SH.Info)  # pySHACL runs with allow_warnings and allow_infos
# pySHACL also checks that rdflib gives a literal of these datatypes a value of this type.
_VALUE_TYPES: dict[URIRef, type] = {
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def oxigraph_report(
    data: Graph, shapes: Graph, data_oxigraph: list | None = None, store: object | None = None
) -> Graph:
    """The SHACL validation report of ``data`` against ``shapes``, in pySHACL's form.

    ``data_oxigraph`` is the same graph as a list of ``pyoxigraph.Triple`` (converted from
    ``data`` when not given); ``store``, if given, an in-memory Oxigraph store whose default
    graph holds it as Oxigraph keeps it, which the engine then uses and changes. A construct
    the engine does not implement raises ``UsageError``.
    """
    own = Graph(bind_namespaces="none")  # pySHACL's loader adds two triples to what it reads
    for prefix, namespace in shapes.namespaces():
        own.bind(prefix, namespace)
    own += shapes
    try:
        shapes_graph = ShapesGraph(own)
        found = list(shapes_graph.shapes)
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as error:
        raise UsageError(f"the shapes cannot be read: {_first_line(error)}") from error
    engine = _Engine(shapes_graph, data, data_oxigraph, store)
    results: list[_Hit] = []
    for shape in found:
        if shape.deactivated:
            continue
        focus = engine.targets(shape)
        if focus is not None:
            engine.emit(shape, focus, results)
    conforms = not any(hit.shape.severity == SH.Violation for hit in results)
    written = [engine.written(hit) for hit in results]
    report, _ = Validator.create_validation_report(shapes_graph, conforms, written)
    return report


class _NonEmpty(Graph):
    """``data`` for pySHACL's result writer, which tests ``datagraph or shapes_graph`` once per
    result: a Graph's truth is its ``len()``, a walk over every triple on rdflib's
    context-free store (0.4 s a result at 100k triples)."""

    def __init__(self, data: Graph) -> None:
        super().__init__(
            store=data.store, identifier=data.identifier, namespace_manager=data.namespace_manager
        )

    def __bool__(self) -> bool:
        return True


def _first_line(error: Exception) -> str:
    text = str(error.args[0] if error.args else error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --- The data in Oxigraph ----------------------------------------------------------------------


class _Store:
    """The data graph in an in-memory Oxigraph store, exact for SHACL and as Oxigraph reads it.

    The default graph holds every triple Oxigraph keeps unchanged; graph ``_EXACT`` the others
    with a private datatype; graph ``_CANONICAL`` the others as Oxigraph keeps them. ``store``,
    a store whose default graph holds ``triples`` already, is made so rather than filled anew.
    """

    def __init__(self, triples: list, checked: Iterable[URIRef], store=None) -> None:
        checked_types = {ox.NamedNode(str(d)) for d in checked if d not in _STRINGS}
        retyped = {ox.NamedNode(d) for d in _RETYPED}
        targets = {ox.NamedNode(_XSD + "integer"), ox.NamedNode(_XSD + "dateTime")}
        Lit, Blank = ox.Literal, ox.BlankNode
        kept, moved, blank, plain, candidates = [], [], [], set(), set()
        for triple in triples:
            o = triple.object
            if type(o) is Lit:
                datatype = o.datatype
                if datatype in checked_types:
                    candidates.add(o)
                if datatype in retyped:
                    moved.append(triple)
                    continue
                if datatype in targets:
                    plain.add(o)  # the data has this one as Oxigraph keeps it
            elif type(o) is Blank:
                blank.append(triple)
                continue
            if type(triple.subject) is Blank:
                blank.append(triple)
            else:
                kept.append(triple)
        self.originals: dict[ox.Literal, set] = {}
        if store is not None:
            self.store, quads = store, []
        else:
            # Most triples go in through Oxigraph's own writer and parser, a third faster than
            # a Quad object made in Python for each; but its parser relabels blank nodes, which
            # must keep the data's labels to be named in the report.
            self.store = ox.Store()
            try:
                text = ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES)
            except ValueError:  # quads of named graphs: the data graph is their union
                kept = [ox.Triple(t.subject, t.predicate, t.object) for t in kept]
                text = ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES)
            self.store.load(text, format=ox.RdfFormat.N_TRIPLES)
            quads = [ox.Quad(t.subject, t.predicate, t.object) for t in blank]
        private: dict[ox.Literal, ox.Literal] = {}  # (the same few numbers, many times over)
        for triple in moved:
            s, p, o = triple.subject, triple.predicate, triple.object
            if store is not None:  # its default graph holds the triple, retyped
                store.remove(ox.Quad(s, p, o))
            exact = private.get(o)
            if exact is None:
                retyped_as = ox.NamedNode(_PRIVATE + o.datatype.value)
                exact = private[o] = Lit(o.value, datatype=retyped_as)
                self.originals.setdefault(_canonical(o), set()).add(o)
            quads += [ox.Quad(s, p, exact, _EXACT), ox.Quad(s, p, o, _CANONICAL)]
        for literal in plain.intersection(self.originals):
            self.originals[literal].add(literal)
        self.store.extend(quads)
        self.ill_typed = _ill_typed(candidates)
        self._sets = count()

    def select(self, query: str, exact: bool = True) -> list[tuple]:
        graphs = [ox.DefaultGraph(), _EXACT if exact else _CANONICAL]
        solutions = self.store.query(query, default_graph=graphs)
        return [tuple(row) for row in solutions]

    def node_set(self, nodes: Iterable) -> Callable[[str], str]:
        """A focus pattern for explicit nodes (blank ones included, which query text cannot
        name): they go into a named graph of their own."""
        graph = ox.NamedNode(f"{_SETS}{next(self._sets)}")
        self.store.extend(ox.Quad(graph, graph, node, graph) for node in nodes)
        return lambda var: f"GRAPH <{graph.value}> {{ <{graph.value}> <{graph.value}> {var} }}"


def _canonical(literal: ox.Literal) -> ox.Literal:
    if literal.datatype.value == _XSD + "dateTimeStamp":
        return ox.Literal(literal.value, datatype=ox.NamedNode(_XSD + "dateTime"))
    try:
        return ox.Literal(str(int(literal.value)), datatype=ox.NamedNode(_XSD + "integer"))
    except ValueError:
        return ox.Literal(literal.value, datatype=ox.NamedNode(_XSD + "integer"))


def _ill_typed(candidates: Iterable[ox.Literal]) -> dict[str, list[ox.Literal]]:
    """Per datatype IRI, the literals ``sh:datatype`` rejects although they carry it, as
    pySHACL decides: rdflib finds them ill-typed, or their value is not of the expected type."""
    found: dict[str, list[ox.Literal]] = {}
    for literal in candidates:
        datatype = URIRef(literal.datatype.value)
        term = Literal(literal.value, datatype=datatype)
        expected = _VALUE_TYPES.get(datatype)
        if getattr(term, "ill_typed", None) is True or (
            expected is not None and not isinstance(term.value, expected)
        ):
            found.setdefault(str(datatype), []).append(literal)
    return found


def _to_rdflib(term) -> Node:
    if type(term) is ox.Literal and term.datatype.value.startswith(_PRIVATE):
        return Literal(term.value, datatype=URIRef(term.datatype.value[len(_PRIVATE) :]))
    return from_oxigraph(term)


def _sparql(term: Node) -> str:
    """A term of the shapes graph in query text, as the exact graph spells it."""
    if isinstance(term, BNode):
        raise UsageError(f"a blank node as a value in a shape ({term.n3()}): {_REFUSE}")
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in _RETYPED:
        return Literal(str(term), datatype=URIRef(_PRIVATE + str(term.datatype))).n3()
    return term.n3()


def _string(text: str) -> str:
    return Literal(text).n3()


# --- Results ---------------------------------------------------------------------------------


@dataclass
class _Hit:
    """One validation result before pySHACL writes it."""

    shape: Shape
    component: ConstraintComponent
    focus: Node
    value: Node | None = None
    options: dict = field(default_factory=dict)
    details: list[_Hit] = field(default_factory=list)


# --- The compiler ------------------------------------------------------------------------------

_VALUE_COMPONENTS = (
    values.ClassConstraintComponent,
    values.DatatypeConstraintComponent,
    values.NodeKindConstraintComponent,
    ranges.MinExclusiveConstraintComponent,
    ranges.MinInclusiveConstraintComponent,
    ranges.MaxExclusiveConstraintComponent,
    ranges.MaxInclusiveConstraintComponent,
    strings.MinLengthConstraintComponent,
    strings.MaxLengthConstraintComponent,
    strings.PatternConstraintComponent,
    strings.LanguageInConstraintComponent,
    other.InConstraintComponent,
    logic.NotConstraintComponent,
    logic.AndConstraintComponent,
    logic.OrConstraintComponent,
    logic.XoneConstraintComponent,
    based.NodeConstraintComponent,
)
_PROPERTY_ONLY = (
    card.MinCountConstraintComponent,
    card.MaxCountConstraintComponent,
    based.QualifiedValueShapeConstraintComponent,
    strings.UniqueLangConstraintComponent,
    pair.EqualsConstraintComponent,
    pair.DisjointConstraintComponent,
    pair.LessThanConstraintComponent,
    pair.LessThanOrEqualsConstraintComponent,
)
_UNSUPPORTED_PARAMETERS = {
    SH.target: "SPARQL-based targets (sh:target)",
    SH.expression: "node expressions (sh:expression)",
    SH.js: "JavaScript constraints (sh:js)",
    SH.rule: "SHACL rules (sh:rule)",
    SH.ask: "SPARQL ASK validators (sh:ask)",
}
# A value in query text that decodes the private datatypes, so that numbers compare as numbers.
_PRIVATE_STAMP = f"<{_PRIVATE}{_XSD}dateTimeStamp>"


def _number(var: str) -> str:
    return (
        f"COALESCE(IF(DATATYPE({var}) = {_PRIVATE_STAMP}, <{_XSD}dateTime>(STR({var})), "
        f'IF(STRSTARTS(STR(DATATYPE({var})), "{_PRIVATE}"), <{_XSD}integer>(STR({var})), '
        f"{var})), {var})"
    )


class _Engine:
    def __init__(
        self, shapes_graph: ShapesGraph, data: Graph, triples: list | None, store: object | None
    ) -> None:
        self.sg = shapes_graph
        self.data = data
        # (a union graph's triples are not one context of its store: it is given as it is)
        self.result_data = data if isinstance(data, ConjunctiveGraph) else _NonEmpty(data)
        graph = shapes_graph.graph
        if any(True for _ in graph.subjects(RDF.type, SH.ConstraintComponent)):
            raise UsageError(f"custom SHACL constraint components: {_REFUSE}")
        for parameter, name in _UNSUPPORTED_PARAMETERS.items():
            if any(True for _ in graph.subject_objects(parameter)):
                raise UsageError(f"{name}: {_REFUSE}")
        checked = set(graph.objects(None, SH.datatype))
        if triples is None:
            triples = oxigraph_triples(data)
        self.db = _Store(triples, checked, store)
        self._components: dict[tuple[Node, type], ConstraintComponent] = {}
        self._vars = count()
        self._compiling: list[Node] = []
        self._subclasses: dict[Node, list[str]] = {}
        self._class_sets: dict[tuple[Node, ...], Callable[[str], str]] = {}

    # --- shapes and their components

    def var(self, name: str = "v") -> str:
        return f"?{name}{next(self._vars)}"

    def shape(self, node: Node) -> Shape:
        try:
            return self.sg.lookup_shape_from_node(node)
        except KeyError:
            raise UsageError(f"{node.n3()} is used as a shape but is not one: {_REFUSE}") from None

    def components(self, shape: Shape) -> list[ConstraintComponent]:
        from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP

        classes: list[type] = []
        for parameter, _ in self.sg.predicate_objects(shape.node):
            found = CONSTRAINT_PARAMETERS_MAP.get(parameter)
            if found is not None and found not in classes:
                classes.append(found)
        made = []
        for cls in classes:
            key = (shape.node, cls)
            if key not in self._components:
                try:
                    self._components[key] = cls(shape)
                except ConstraintLoadError as error:
                    raise UsageError(f"shape {shape.node.n3()}: {_first_line(error)}") from error
            made.append(self._components[key])
        return made

    def path(self, shape: Shape, prefixes: dict | None = None) -> str:
        try:
            return shacl_path_to_sparql_path(self.sg, shape.path(), prefixes=prefixes)
        except ReportableRuntimeError as error:
            raise UsageError(f"shape {shape.node.n3()}: {_first_line(error)}") from error

    def targets(self, shape: Shape) -> Callable[[str], str] | None:
        """The focus nodes of ``shape`` as a group pattern binding a variable, or None."""
        nodes, classes, implicit, objects_of, subjects_of = (list(t) for t in shape.target())
        classes = list(dict.fromkeys(classes + list(implicit)))
        if not (nodes or classes or objects_of or subjects_of):
            return None
        if classes and not (nodes or objects_of or subjects_of):
            return self._instances(tuple(sorted(classes, key=str)))
        parts: list[Callable[[str], str]] = []
        if nodes:
            parts.append(self.db.node_set(_ox_nodes(nodes)))
        for c in classes:
            parts.append(
                lambda x, c=c: (
                    f"{x} <{RDF.type}> ?class_ . ?class_ <{RDFS.subClassOf}>* {_sparql(c)}"
                )
            )
        for p in subjects_of:
            parts.append(lambda x, p=p: f"{x} {_sparql(p)} ?any_")
        for p in objects_of:
            parts.append(lambda x, p=p: f"?any_ {_sparql(p)} {x}")
        pattern = _union(parts)
        if len(parts) == 1 and len(subjects_of) == 1:
            pattern.subjects_of = subjects_of[0]  # type: ignore[attr-defined]
        return pattern

    def _instances(self, classes: tuple[Node, ...]) -> Callable[[str], str]:
        """The instances of ``classes``, found once and kept in a named graph of their own:
        many shapes target the same classes, and each runs several queries."""
        if classes not in self._class_sets:
            graph = f"<{_SETS}{next(self.db._sets)}>"
            found = " UNION ".join(
                f"{{ ?x <{RDF.type}> ?class_ . ?class_ <{RDFS.subClassOf}>* {_sparql(c)} }}"
                for c in classes
            )
            # rdf:type triples are all in the default graph: no object of theirs is retyped.
            self.db.store.update(
                f"INSERT {{ GRAPH {graph} {{ {graph} {graph} ?x }} }} WHERE {{ {found} }}"
            )
            self._class_sets[classes] = lambda var: f"GRAPH {graph} {{ {graph} {graph} {var} }}"
        return self._class_sets[classes]

    # --- conformance of a node, as a SPARQL expression

    def conforms(self, node: Node, x: str) -> str:
        """A SPARQL expression that holds when the node bound to ``x`` conforms to ``node``.

        As in pySHACL with warnings allowed, a shape of severity sh:Warning or sh:Info, or a
        deactivated one, counts as conforming.
        """
        shape = self.shape(node)
        if shape.deactivated or shape.severity in _ALLOWED_SEVERITIES:
            return "true"
        if node in self._compiling:
            raise UsageError(f"recursive shapes ({node.n3()} refers to itself): {_REFUSE}")
        self._compiling.append(node)
        try:
            if shape.is_property_shape:
                return self._property_conforms(shape, x)
            tests = []
            for component in self.components(shape):
                if isinstance(component, based.PropertyConstraintComponent):
                    tests += [self.conforms(p, x) for p in component.property_shapes]
                elif isinstance(component, other.HasValueConstraintComponent):
                    tests += [f"sameTerm({x}, {_sparql(v)})" for v in component.has_value_set]
                elif isinstance(component, _VALUE_COMPONENTS):
                    tests += [test(x) for test, _ in self.value_tests(component)]
                else:
                    self.refuse(shape, component, "on a node shape used inside another shape")
            return _and(tests)
        finally:
            self._compiling.pop()

    def _property_conforms(self, shape: Shape, x: str) -> str:
        path = self.path(shape)
        tests = []
        for component in self.components(shape):
            if isinstance(component, _VALUE_COMPONENTS):
                v = self.var()
                each = _and([test(v) for test, _ in self.value_tests(component)])
                tests.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!({each})) }}")
            elif isinstance(component, based.PropertyConstraintComponent):
                for p in component.property_shapes:
                    v = self.var()
                    inner = self.conforms(p, v)
                    tests.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!({inner})) }}")
            elif isinstance(component, card.MinCountConstraintComponent):
                n = int(component.min_count.value)
                if n > 0:
                    tests.append(f"EXISTS {{ {self._distinct(x, path, n)} }}")
            elif isinstance(component, card.MaxCountConstraintComponent):
                n = int(component.max_count.value)
                tests.append(f"NOT EXISTS {{ {self._distinct(x, path, n + 1)} }}")
            elif isinstance(component, based.QualifiedValueShapeConstraintComponent):
                for value_shape in component.value_shapes:
                    check = self._qualified(shape, component, value_shape)
                    if component.min_count is not None and int(component.min_count) > 0:
                        pattern = self._distinct(x, path, int(component.min_count), check)
                        tests.append(f"EXISTS {{ {pattern} }}")
                    if component.max_count is not None:
                        pattern = self._distinct(x, path, int(component.max_count) + 1, check)
                        tests.append(f"NOT EXISTS {{ {pattern} }}")
            elif isinstance(component, strings.UniqueLangConstraintComponent):
                if True in component.string_rules:
                    a, b = self.var(), self.var()
                    tests.append(
                        f"NOT EXISTS {{ {x} {path} {a} . {x} {path} {b} "
                        f"FILTER({_same_language(a, b)}) }}"
                    )
            elif isinstance(component, other.HasValueConstraintComponent):
                tests += [f"EXISTS {{ {x} {path} {_sparql(v)} }}" for v in component.has_value_set]
            elif isinstance(
                component,
                (pair.LessThanConstraintComponent, pair.LessThanOrEqualsConstraintComponent),
            ):
                for other_path in component.property_compare_set:
                    a, b = self.var(), self.var()
                    fails = _not_less(
                        a, b, isinstance(component, pair.LessThanOrEqualsConstraintComponent)
                    )
                    tests.append(
                        f"NOT EXISTS {{ {x} {path} {a} . {x} {_sparql(other_path)} {b} "
                        f"FILTER({fails}) }}"
                    )
            elif isinstance(component, pair.EqualsConstraintComponent):
                for other_path in component.property_compare_set:
                    a, o = self.var(), _sparql(other_path)
                    tests.append(
                        f"NOT EXISTS {{ {x} {path} {a} FILTER NOT EXISTS {{ {x} {o} {a} }} }}"
                    )
                    tests.append(
                        f"NOT EXISTS {{ {x} {o} {a} FILTER NOT EXISTS {{ {x} {path} {a} }} }}"
                    )
            elif isinstance(component, pair.DisjointConstraintComponent):
                for other_path in component.property_compare_set:
                    a = self.var()
                    tests.append(f"NOT EXISTS {{ {x} {path} {a} . {x} {_sparql(other_path)} {a} }}")
            else:
                self.refuse(shape, component, "inside another shape")
        return _and(tests)

    def _distinct(
        self, x: str, path: str, n: int, check: Callable[[str], str] | None = None
    ) -> str:
        """A pattern that matches when ``x`` has at least ``n`` distinct values (that pass
        ``check``)."""
        names = [self.var() for _ in range(n)]
        parts = [f"{x} {path} {v} ." for v in names]
        tests = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1 :]]
        if check is not None:
            tests += [check(v) for v in names]
        return " ".join(parts) + (f" FILTER({_and(tests)})" if tests else "")

    def _qualified(self, shape: Shape, component, value_shape: Node) -> Callable[[str], str]:
        siblings: set[Node] = set()
        if component.is_disjoint:
            for parent in self.sg.subjects(SH.property, shape.node):
                for sibling_shape in self.sg.objects(parent, SH.property):
                    siblings.update(self.sg.objects(sibling_shape, SH.qualifiedValueShape))
            siblings.discard(value_shape)

        def check(v: str) -> str:
            tests = [self.conforms(value_shape, v)]
            tests += [f"!({self.conforms(s, v)})" for s in sorted(siblings, key=str)]
            return _and(tests)

        return check

    def value_tests(self, component) -> list[tuple[Callable[[str], str], dict]]:
        """The tests of a component that looks at one value node at a time: per rule, an
        expression that holds when the value passes, and what the result then says."""
        c = component
        if isinstance(c, values.ClassConstraintComponent):
            return [(lambda x, k=k: self._instance_of(k, x), {}) for k in c.class_rules]
        if isinstance(c, values.DatatypeConstraintComponent):
            return [(lambda x: self._datatype(c.datatype_rule, x), {})]
        if isinstance(c, values.NodeKindConstraintComponent):
            kinds = {
                SH.IRI: ("isIRI",),
                SH.BlankNode: ("isBlank",),
                SH.Literal: ("isLiteral",),
                SH.BlankNodeOrIRI: ("isBlank", "isIRI"),
                SH.BlankNodeOrLiteral: ("isBlank", "isLiteral"),
                SH.IRIOrLiteral: ("isIRI", "isLiteral"),
            }.get(c.nodekind_rule)
            if kinds is None:
                return [(lambda x: "false", {})]
            return [(lambda x: " || ".join(f"{k}({x})" for k in kinds), {})]
        if isinstance(c, ranges.MinExclusiveConstraintComponent):
            return [(lambda x, m=m: _compare(x, ">", m), {}) for m in c.min_vals]
        if isinstance(c, ranges.MinInclusiveConstraintComponent):
            return [(lambda x, m=m: _compare(x, ">=", m), {}) for m in c.min_vals]
        if isinstance(c, ranges.MaxExclusiveConstraintComponent):
            return [(lambda x, m=m: _compare(x, "<", m), {}) for m in c.max_vals]
        if isinstance(c, ranges.MaxInclusiveConstraintComponent):
            return [(lambda x, m=m: _compare(x, "<=", m), {}) for m in c.max_vals]
        if isinstance(c, strings.MinLengthConstraintComponent):
            n = int(c.string_rules[0].value)
            if n == 0:
                return [(lambda x: "true", {})]
            return [(lambda x: f"(!isBlank({x}) && STRLEN(STR({x})) >= {n})", {})]
        if isinstance(c, strings.MaxLengthConstraintComponent):
            n = int(c.string_rules[0].value)
            return [(lambda x: f"(!isBlank({x}) && STRLEN(STR({x})) <= {n})", {})]
        if isinstance(c, strings.PatternConstraintComponent):
            flags = ""
            if c.flags:
                flags = "".join(f for f in "im" if f in str(c.flags.value).lower())
            for p in c.string_rules:
                self._check_pattern(c.shape, _pattern(p), flags)
            return [
                (
                    lambda x, p=p: (
                        f"(!isBlank({x}) && REGEX(STR({x}), "
                        f"{_string(_pattern(p))}, "
                        f"{_string(flags)}))"
                    ),
                    {},
                )
                for p in c.string_rules
            ]
        if isinstance(c, strings.LanguageInConstraintComponent):
            wanted = sorted({str(t).lower() for t in self.sg.graph.items(c.string_rules[0])})
            if "*" in wanted:
                return [(lambda x: f'(isLiteral({x}) && LANG({x}) != "")', {})]
            listed = ", ".join(_string(t) for t in wanted) or '""'
            return [
                (
                    lambda x: (
                        f'(isLiteral({x}) && LANG({x}) != "" && (LCASE(LANG({x})) IN ({listed}) '
                        f'|| LCASE(STRBEFORE(CONCAT(LANG({x}), "-"), "-")) IN ({listed})))'
                    ),
                    {},
                )
            ]
        if isinstance(c, other.InConstraintComponent):
            listed = [_sparql(v) for v in c.in_vals]
            return [(lambda x: _or([f"sameTerm({x}, {v})" for v in listed]), {})]
        if isinstance(c, logic.NotConstraintComponent):
            return [(lambda x, s=s: f"!({self.conforms(s, x)})", {}) for s in c.not_list]
        if isinstance(c, logic.AndConstraintComponent):
            return [
                (lambda x, a=a: _and([self.conforms(s, x) for s in self.sg.graph.items(a)]), {})
                for a in c.and_list
            ]
        if isinstance(c, logic.OrConstraintComponent):
            return [
                (lambda x, o=o: _or([self.conforms(s, x) for s in set(self.sg.graph.items(o))]), {})
                for o in c.or_list
            ]
        if isinstance(c, logic.XoneConstraintComponent):
            return [
                (
                    lambda x, o=o: (
                        "("
                        + " + ".join(
                            f"IF({self.conforms(s, x)}, 1, 0)" for s in set(self.sg.graph.items(o))
                        )
                        + ") = 1"
                    ),
                    {},
                )
                for o in c.xone_nodes
            ]
        if isinstance(c, based.NodeConstraintComponent):
            return [(lambda x, s=s: self.conforms(s, x), {"node": s}) for s in c.node_shapes]
        raise AssertionError(c)  # pragma: no cover

    def _check_pattern(self, shape: Shape, pattern: str, flags: str) -> None:
        """Refuses a pattern Oxigraph's regular expressions cannot read: in a query it would
        be an error, which a FILTER takes for "no match", or a pass, silently."""
        query = f"SELECT (REGEX({_string('')}, {_string(pattern)}, {_string(flags)}) AS ?r) {{}}"
        ((result,),) = self.db.select(query)
        if result is None:
            raise UsageError(
                f"shape {shape.node.n3()}: sh:pattern {pattern!r} is not a regular expression "
                f"Oxigraph can run: {_REFUSE}"
            )

    def _instance_of(self, cls: Node, x: str) -> str:
        """``x`` is a SHACL instance of ``cls``: typed with it or one of its subclasses, which
        are looked up once rather than walked from every value."""
        if cls not in self._subclasses:
            rows = self.db.select(
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {_sparql(cls)} }}"
            )
            self._subclasses[cls] = sorted({str(c) for (c,) in rows if type(c) is ox.NamedNode})
        t = self.var("type")
        listed = ", ".join(self._subclasses[cls]) or _sparql(cls)
        return f"EXISTS {{ {x} <{RDF.type}> {t} FILTER({t} IN ({listed})) }}"

    def _datatype(self, datatype: Node, x: str) -> str:
        if datatype == RDFS.Literal:
            return f"isLiteral({x})"
        if datatype == RDFS.Datatype:
            return f'(isLiteral({x}) && LANG({x}) = "" && DATATYPE({x}) != <{XSD.string}>)'
        spelled = f"<{_PRIVATE}{datatype}>" if str(datatype) in _RETYPED else _sparql(datatype)
        test = f"isLiteral({x}) && DATATYPE({x}) = {spelled}"
        bad = self.db.ill_typed.get(str(datatype), [])
        if bad:
            encoded = [_sparql(_to_rdflib(b)) if str(datatype) in _RETYPED else str(b) for b in bad]
            test += " && !(" + " || ".join(f"sameTerm({x}, {b})" for b in encoded) + ")"
        return f"({test})"

    def refuse(self, shape: Shape, component, where: str = "") -> None:
        name = type(component).__name__.removesuffix("ConstraintComponent")
        name = name.removesuffix("Constraint")
        place = f" {where}" if where else ""
        raise UsageError(
            f"shape {shape.node.n3()}: sh:{name[0].lower()}{name[1:]}{place} is not "
            f"supported by the oxigraph engine: {_REFUSE}"
        )

    # --- results

    def emit(self, shape: Shape, focus: Callable[[str], str], out: list[_Hit]) -> None:
        if shape.is_property_shape:
            self._emit_property(shape, focus, out)
        else:
            self._emit_node(shape, focus, out)

    def _rows(self, query: str, shape: Shape, exact: bool = True) -> list[tuple]:
        try:
            return self.db.select(query, exact)
        except (SyntaxError, OSError, ValueError) as error:
            raise UsageError(
                f"shape {shape.node.n3()}: Oxigraph cannot run its query "
                f"({_first_line(error)}): {_REFUSE}"
            ) from error

    def _emit_node(self, shape: Shape, focus: Callable[[str], str], out: list[_Hit]) -> None:
        this = "?this"
        for component in self.components(shape):
            if isinstance(component, based.PropertyConstraintComponent):
                for node in component.property_shapes:
                    nested = self.shape(node)
                    if not nested.deactivated:
                        self._emit_property(nested, focus, out)
            elif isinstance(component, _VALUE_COMPONENTS):
                for test, options in self.value_tests(component):
                    query = f"SELECT {this} WHERE {{ {focus(this)} FILTER(!({test(this)})) }}"
                    hits = [
                        _Hit(shape, component, _to_rdflib(f), _to_rdflib(f))
                        for (f,) in self._rows(query, shape)
                    ]
                    self._details(hits, options, out)
            elif isinstance(component, other.HasValueConstraintComponent):
                for value in component.has_value_set:
                    query = (
                        f"SELECT {this} WHERE {{ {focus(this)} "
                        f"FILTER(!sameTerm({this}, {_sparql(value)})) }}"
                    )
                    out += [
                        _Hit(shape, component, _to_rdflib(f)) for (f,) in self._rows(query, shape)
                    ]
            elif isinstance(component, SPARQLBasedConstraint):
                self._emit_sparql(shape, component, focus, out)
            elif isinstance(component, other.ClosedConstraintComponent):
                self._emit_closed(shape, component, focus, out)
            else:
                self.refuse(shape, component, "on a node shape")

    def _emit_property(self, shape: Shape, focus: Callable[[str], str], out: list[_Hit]) -> None:
        path = self.path(shape)
        this, value = "?this", "?value"
        with_values = f"{focus(this)} {this} {path} {value} ."
        if getattr(focus, "subjects_of", None) == shape.path():
            # The focus nodes are the subjects of the path's one predicate: its triples are
            # exactly the (focus, value) pairs, and need no second look.
            with_values = f"{this} {path} {value} ."

        def focus_only(query: str, component, **options) -> None:
            out.extend(
                _Hit(shape, component, _to_rdflib(row[0]), options=dict(options))
                for row in self._rows(query, shape)
            )

        def focus_and_value(query: str, component) -> None:
            out.extend(
                _Hit(shape, component, _to_rdflib(row[0]), _to_rdflib(row[1]))
                for row in self._rows(query, shape)
            )

        # The tests of all value-by-value components run in one query, and all the counts in
        # another: each query walks the focus nodes and their values once.
        tests: list[tuple[ConstraintComponent, Callable[[str], str], dict]] = []
        counts: list[tuple[ConstraintComponent, str, str, int, dict]] = []
        counted: dict[str, str] = {}  # count variable -> the values it counts
        for component in self.components(shape):
            if isinstance(component, _VALUE_COMPONENTS):
                tests += [(component, t, o) for t, o in self.value_tests(component)]
            elif isinstance(component, card.MinCountConstraintComponent):
                n = int(component.min_count.value)
                if n > 0:
                    counts.append((component, "?n", "<", n, {}))
                    counted["?n"] = value
            elif isinstance(component, card.MaxCountConstraintComponent):
                counts.append((component, "?n", ">", int(component.max_count.value), {}))
                counted["?n"] = value
            elif isinstance(component, based.QualifiedValueShapeConstraintComponent):
                for value_shape in component.value_shapes:
                    var = f"?q{len(counted)}"
                    counted[var] = self._qualified(shape, component, value_shape)(value)
                    if component.max_count is not None:
                        kind = {"constraint_component": SH.QualifiedMaxCountConstraintComponent}
                        counts.append((component, var, ">", int(component.max_count), kind))
                    if component.min_count is not None and int(component.min_count) > 0:
                        kind = {"constraint_component": SH.QualifiedMinCountConstraintComponent}
                        counts.append((component, var, "<", int(component.min_count), kind))
            elif isinstance(component, strings.UniqueLangConstraintComponent):
                if True in component.string_rules:
                    focus_only(
                        f"SELECT {this} ?language WHERE {{ {with_values} "
                        f'FILTER(isLiteral({value}) && LANG({value}) != "") '
                        f"BIND(LCASE(LANG({value})) AS ?language) }} GROUP BY {this} ?language "
                        f"HAVING(COUNT(DISTINCT {value}) > 1)",
                        component,
                    )
            elif isinstance(component, other.HasValueConstraintComponent):
                for wanted in component.has_value_set:
                    focus_only(
                        f"SELECT {this} WHERE {{ {focus(this)} "
                        f"FILTER NOT EXISTS {{ {this} {path} {_sparql(wanted)} }} }}",
                        component,
                    )
            elif isinstance(
                component,
                (pair.LessThanConstraintComponent, pair.LessThanOrEqualsConstraintComponent),
            ):
                or_equal = isinstance(component, pair.LessThanOrEqualsConstraintComponent)
                for other_path in component.property_compare_set:
                    query = (
                        f"SELECT DISTINCT {this} {value} ?other WHERE {{ {with_values} "
                        f"{this} {_sparql(other_path)} ?other "
                        f"FILTER({_not_less(value, '?other', or_equal)}) }}"
                    )
                    focus_and_value(query, component)
            elif isinstance(component, pair.EqualsConstraintComponent):
                for other_path in component.property_compare_set:
                    o = _sparql(other_path)
                    for mine, theirs in ((path, o), (o, path)):
                        query = (
                            f"SELECT DISTINCT {this} {value} WHERE {{ {focus(this)} "
                            f"{this} {mine} {value} "
                            f"FILTER NOT EXISTS {{ {this} {theirs} {value} }} }}"
                        )
                        focus_and_value(query, component)
            elif isinstance(component, pair.DisjointConstraintComponent):
                for other_path in component.property_compare_set:
                    query = (
                        f"SELECT DISTINCT {this} {value} WHERE {{ {with_values} "
                        f"{this} {_sparql(other_path)} {value} }}"
                    )
                    focus_and_value(query, component)
            elif isinstance(component, based.PropertyConstraintComponent):
                # pySHACL validates the nested shape once per (focus, value) pair, so a value
                # shared by n focus nodes has its results n times.
                nested_hits: list[_Hit] = []
                for node in component.property_shapes:
                    nested = self.shape(node)
                    if not nested.deactivated:
                        self._emit_property(nested, _values_of(focus, path), nested_hits)
                if nested_hits:
                    shared = self._rows(
                        f"SELECT {value} (COUNT(DISTINCT {this}) AS ?n) WHERE {{ {with_values} }} "
                        f"GROUP BY {value}",
                        shape,
                    )
                    times = {_to_rdflib(v): int(n.value) for v, n in shared}
                    for hit in nested_hits:
                        out.extend([hit] * times.get(hit.focus, 1))
            elif isinstance(component, SPARQLBasedConstraint):
                self._emit_sparql(shape, component, focus, out)
            else:
                self.refuse(shape, component, "on a property shape")
        if tests:
            self._emit_value_tests(shape, tests, with_values, out)
        if counts:
            self._emit_counts(shape, counts, counted, focus, path, out)

    def _emit_value_tests(self, shape: Shape, tests: list, with_values: str, out: list) -> None:
        this, value = "?this", "?value"
        flags = [f"?fails{i}" for i in range(len(tests))]
        # An error in a test counts as a pass, as when the test is the query's own FILTER.
        binds = " ".join(
            f"BIND(COALESCE(!({test(value)}), false) AS {flag})"
            for (_, test, _), flag in zip(tests, flags, strict=True)
        )
        query = (
            f"SELECT DISTINCT {this} {value} {' '.join(flags)} WHERE {{ {with_values} {binds} "
            f"FILTER({' || '.join(flags)}) }}"
        )
        found: list[list[_Hit]] = [[] for _ in tests]
        for row in self._rows(query, shape):
            f, v = _to_rdflib(row[0]), _to_rdflib(row[1])
            for i, fails in enumerate(row[2:]):
                if fails is not None and fails.value == "true":
                    found[i].append(_Hit(shape, tests[i][0], f, v))
        for (_, _, options), hits in zip(tests, found, strict=True):
            self._details(hits, options, out)

    def _emit_counts(
        self, shape: Shape, counts: list, counted: dict, focus, path: str, out: list
    ) -> None:
        this, value = "?this", "?value"
        binds = " ".join(
            f"BIND(IF({check}, {value}, ?unbound_) AS {var})"
            for var, check in counted.items()
            if check != value
        )
        counter = {
            var: f"COUNT(DISTINCT {value if check == value else var})"
            for var, check in counted.items()
        }
        aggregates = " ".join(f"({counter[var]} AS {var}_)" for var in counted)
        # HAVING cannot name the projected counts, so it repeats them.
        having = " || ".join(f"{counter[var]} {op} {n}" for _, var, op, n, _ in counts)
        query = (
            f"SELECT {this} {aggregates} WHERE {{ {focus(this)} "
            f"OPTIONAL {{ {this} {path} {value} {binds} }} }} GROUP BY {this} HAVING({having})"
        )
        names = list(counted)
        for row in self._rows(query, shape):
            f = _to_rdflib(row[0])
            found = {name: int(n.value) for name, n in zip(names, row[1:], strict=True)}
            # pySHACL checks a qualified maximum before its minimum.
            for component, var, op, n, options in counts:
                if (found[var] < n) if op == "<" else (found[var] > n):
                    out.append(_Hit(shape, component, f, options=dict(options)))

    def _details(self, hits: list[_Hit], options: dict, out: list[_Hit]) -> None:
        """pySHACL gives the results of the nested shape of a failed sh:node as sh:detail."""
        out.extend(hits)
        node = options.get("node")
        if node is None or not hits:
            return
        failing = {hit.value for hit in hits}
        nested: list[_Hit] = []
        focus = self.db.node_set(_ox_nodes(failing))
        self.emit(self.shape(node), focus, nested)
        by_focus: dict[Node, list[_Hit]] = {}
        for hit in nested:
            by_focus.setdefault(hit.focus, []).append(hit)
        for hit in hits:
            hit.details = by_focus.get(hit.value, [])

    def _emit_closed(self, shape, component, focus, out: list[_Hit]) -> None:
        if not component.is_closed:
            return
        allowed = set(component.ignored_props)
        for node in component.property_shapes:
            path = next(iter(self.sg.objects(node, SH.path)), None)
            if isinstance(path, URIRef):
                allowed.add(path)
        listed = ", ".join(_sparql(p) for p in sorted(allowed, key=str))
        test = f"FILTER(?p NOT IN ({listed}))" if listed else ""
        query = f"SELECT DISTINCT ?this ?p ?o WHERE {{ {focus('?this')} ?this ?p ?o {test} }}"
        for f, p, o in self._rows(query, shape):
            out.append(
                _Hit(
                    shape,
                    component,
                    _to_rdflib(f),
                    _to_rdflib(o),
                    options={"result_path": _to_rdflib(p)},
                )
            )

    def _emit_sparql(self, shape: Shape, component, focus, out: list[_Hit]) -> None:
        for helper in component.sparql_constraints:
            if helper.deactivated:
                continue
            text = helper.select_text
            for variable in ("shapesGraph", "currentShape"):
                if re.search(r"[$?]" + variable + r"\b", text):
                    raise UsageError(
                        f"shape {shape.node.n3()}: a SPARQL constraint with pre-bound "
                        f"${variable}: {_REFUSE}"
                    )
            if re.search(r"[$?]failure\b", text):
                raise UsageError(
                    f"shape {shape.node.n3()}: a SPARQL constraint with ?failure: {_REFUSE}"
                )
            try:
                helper.check_invalid_sparql(text)
            except Exception as error:  # pySHACL's ValidationFailure: a query SHACL forbids
                raise UsageError(f"shape {shape.node.n3()}: {_first_line(error)}") from error
            if shape.is_property_shape:
                path = self.path(shape, helper.prefixes)
                text = helper.bind_path_regex.sub(r"\g<1>" + path.replace("\\", "\\\\"), text)
            query, projects_this = _with_focus(text, focus("?this"), shape)
            query = helper.apply_prefixes(query)
            rows = self._sparql_rows(query, shape)
            extra = helper.messages or None
            seen: set = set()
            for bound in rows:
                f = bound.pop("this")
                this = f if projects_this else None
                p, v = bound.pop("path", None), bound.pop("value", None)
                if p is None and v is None and this is None:
                    continue  # pySHACL reports nothing for such a row
                key = (f, p, v, frozenset(bound.items()))
                if key in seen:
                    continue
                seen.add(key)
                if v is None and not shape.is_property_shape:
                    v = f
                out.append(
                    _Hit(
                        shape,
                        component,
                        f,
                        v,
                        options={
                            "result_path": p,
                            "bound_vars": (this, p, v, bound),
                            "source_constraint": helper.node,
                            "extra_messages": extra,
                        },
                    )
                )

    def _sparql_rows(self, query: str, shape: Shape) -> list[dict]:
        try:
            solutions = self.db.store.query(query, default_graph=[ox.DefaultGraph(), _CANONICAL])
            names = [v.value for v in solutions.variables]
            rows = []
            for solution in solutions:
                row = {}
                for name, term in zip(names, solution, strict=True):
                    if term is not None:
                        row[name] = self._original(term)
                rows.append(row)
            return rows
        except (SyntaxError, OSError, ValueError) as error:
            raise UsageError(
                f"shape {shape.node.n3()}: Oxigraph cannot run its SPARQL constraint "
                f"({_first_line(error)}): {_REFUSE}"
            ) from error

    def _original(self, term) -> Node:
        """A term from the Oxigraph-read graph, as the data writes it where that is clear: a
        number Oxigraph retyped, unless the data has it with another datatype as well."""
        if type(term) is ox.Literal:
            originals = self.db.originals.get(term)
            if originals is not None and len(originals) == 1:
                return _to_rdflib(next(iter(originals)))
        return _to_rdflib(term)

    def written(self, hit: _Hit):
        """The result as pySHACL writes it: (text, node, triples), with its details."""
        options = dict(hit.options)
        if options.get("result_path") is None:
            options.pop("result_path", None)
        text, node, triples = hit.component.make_v_result(
            self.result_data, hit.focus, value_node=hit.value, **options
        )
        for detail in hit.details:
            _, sub, sub_triples = self.written(detail)
            triples.append((node, SH.detail, sub))
            triples.extend(sub_triples)
        return text, node, triples


def _ox_nodes(nodes: Iterable[Node]) -> list:
    """rdflib nodes as the exact graph holds them (a retyped literal with its private type)."""
    found = []
    for node in nodes:
        if isinstance(node, Literal) and str(node.datatype) in _RETYPED:
            private = ox.NamedNode(_PRIVATE + str(node.datatype))
            found.append(ox.Literal(str(node), datatype=private))
        else:
            found.append(to_oxigraph(node))
    return found


def _values_of(focus: Callable[[str], str], path: str) -> Callable[[str], str]:
    def pattern(var: str) -> str:
        inner = f"?of_{var.lstrip('?')}"
        return f"{{ SELECT DISTINCT {var} WHERE {{ {focus(inner)} {inner} {path} {var} }} }}"

    return pattern


def _union(parts: list[Callable[[str], str]]) -> Callable[[str], str]:
    def pattern(var: str) -> str:
        groups = " UNION ".join(f"{{ {part(var)} }}" for part in parts)
        return f"{{ SELECT DISTINCT {var} WHERE {{ {groups} }} }}"

    return pattern


def _and(tests: list[str]) -> str:
    tests = [t for t in tests if t != "true"]
    if not tests:
        return "true"
    return " && ".join(f"({t})" for t in tests)


def _or(tests: list[str]) -> str:
    if not tests:
        return "false"
    if "true" in tests:
        return "true"
    return " || ".join(f"({t})" for t in tests)


def _compare(x: str, operator: str, bound: Node) -> str:
    """pySHACL's range check: a literal whose value compares; strings only with strings."""
    # The bound is compared by value, so it keeps its public datatype (Oxigraph reads a derived
    # integer type as xsd:integer), unlike a term matched as such.
    return f"(isLiteral({x}) && COALESCE({_number(x)} {operator} {bound.n3()}, false))"


def _pattern(rule: Literal) -> str:
    """The regular expression of a ``sh:pattern``, read as pySHACL reads it."""
    return str(rule.value) if rule.value is not None and len(rule.value) > 1 else str(rule)


def _stringlike(x: str) -> str:
    literal = f'(isLiteral({x}) && (LANG({x}) != "" || DATATYPE({x}) = <{XSD.string}>))'
    return f"(isIRI({x}) || {literal})"


def _not_less(a: str, b: str, or_equal: bool) -> str:
    """pySHACL's sh:lessThan(OrEquals) failure for values ``a`` and ``b``: IRIs and strings
    compare as text, with each other only; other literals by value."""
    operator = "<=" if or_equal else "<"
    return (
        f"IF({_stringlike(a)} || {_stringlike(b)}, "
        f"!({_stringlike(a)} && {_stringlike(b)} && STR({a}) {operator} STR({b})), "
        f"!COALESCE({_number(a)} {operator} {_number(b)}, false))"
    )


def _same_language(a: str, b: str) -> str:
    return (
        f'!sameTerm({a}, {b}) && isLiteral({a}) && isLiteral({b}) && LANG({a}) != "" '
        f"&& LCASE(LANG({a})) = LCASE(LANG({b}))"
    )


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?", re.IGNORECASE)


def _with_focus(text: str, focus: str, shape: Shape) -> tuple[str, bool]:
    """The SELECT of a SPARQL constraint joined with the focus nodes, set at a time.

    SHACL pre-binds ``$this`` to one focus node per run; here the focus nodes are the first
    pattern of the query's WHERE group, so that everything after it, FILTERs included, sees
    ``$this`` bound as it would be one node at a time. ``?this`` is added to the projection if
    missing (pySHACL then knows no ``$this`` in the row: the second value says whether it did).
    """
    where = _WHERE.search(text)
    select = _SELECT.search(text)
    if where is None or select is None:
        raise UsageError(
            f"shape {shape.node.n3()}: a SPARQL constraint whose query is not "
            f"'SELECT ... WHERE {{ ... }}': {_REFUSE}"
        )
    projection = text[select.end() : where.start()]
    projects_this = projection.strip() == "*" or bool(re.search(r"[$?]this\b", projection))
    body = text[: where.end()] + f" {focus} " + text[where.end() :]
    if not projects_this:
        body = body[: select.end()] + "?this " + body[select.end() :]
    return body, projects_this
