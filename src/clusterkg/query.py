"""Query stage: the SPARQL catalog (``queries/*.rq``) and its W3C result formats.

Each catalog file starts with a grlc-style YAML header on ``#+`` lines; the header is the single
source for ``query --list``, the server's catalog pages and the docs::

    #+ summary: Technology areas of a cluster, with English and Italian labels
    #+ tags: [cluster, technology-area]
    #+ params:
    #+   cluster: {type: iri, description: "a cluster; every cluster when omitted"}
    #+   lang: {type: language, default: en}

Parameters are SPARQL variables of the same name, pre-bound before evaluation; a parameter
with no value and no default stays unbound, so the query ranges over every cluster.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result

from .errors import SourceError, UsageError
from .project import Project, prefixes

# rdflib 7 warns from inside its own Dataset.triples on every pattern of a union query; the
# warning is about rdflib's internals, not about anything a caller can change.
warnings.filterwarnings(
    "ignore", message=r"Dataset\.default_context is deprecated", category=DeprecationWarning
)

PARAM_TYPES = ("iri", "language", "string", "integer")
FORMATS = ("table", "csv", "tsv", "json", "xml")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    description: str = ""
    default: str | None = None


@dataclass(frozen=True)
class CatalogQuery:
    """One query of the catalog: its file, its header and its SPARQL text."""

    name: str
    path: Path
    summary: str
    text: str
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = field(default_factory=tuple)

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise UsageError(f"query {self.name} has no parameter {name!r}; its parameters: {known}")


def read_query(path: Path, check: bool = True) -> CatalogQuery:
    """Read a ``.rq`` file with its header; the SPARQL must parse (by rdflib: ``check=False``
    leaves that to the store that runs it, which then reports it the same way)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(path, f"cannot read the query ({exc.strerror})") from exc
    header = _parse_header(path, text)
    query = CatalogQuery(
        name=path.stem,
        path=path,
        summary=str(header.get("summary", "")).strip(),
        text=text,
        tags=tuple(str(t) for t in header.get("tags") or ()),
        params=_parse_params(path, header.get("params") or {}),
    )
    if check:
        _check_syntax(query)
    return query


def _parse_header(path: Path, text: str) -> dict:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[3:] if line.startswith("#+ ") else line[2:])
    try:
        header = yaml.safe_load("\n".join(lines)) if lines else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(
            path,
            f"bad query header ({getattr(exc, 'problem', exc)})",
            line=mark.line + 1 if mark else 1,
        ) from exc
    if not isinstance(header, dict):
        raise SourceError(path, "the query header must be 'key: value' lines after '#+ '", line=1)
    return header


def _parse_params(path: Path, raw: object) -> tuple[Param, ...]:
    if not isinstance(raw, dict):
        raise SourceError(path, "'params' in the header must map each name to its settings")
    params = []
    for name, settings in raw.items():
        settings = settings or {}
        kind = settings.get("type", "string")
        if kind not in PARAM_TYPES:
            raise SourceError(
                path,
                f"parameter {name!r} has type {kind!r}; use one of {', '.join(PARAM_TYPES)}",
                line=_line_of(path, f"{name}:"),
            )
        default = settings.get("default")
        params.append(
            Param(
                str(name),
                kind,
                str(settings.get("description", "")),
                None if default is None else str(default),
            )
        )
    return tuple(params)


def _line_of(path: Path, needle: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return None


def _check_syntax(query: CatalogQuery) -> None:
    # Imported here: building rdflib's SPARQL grammar is a third of a cold `query --release`,
    # which leaves the syntax to Oxigraph.
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(query.text)
    except ParseException as exc:
        raise SourceError(
            query.path, f"bad SPARQL ({exc.msg}, column {exc.col})", line=exc.lineno
        ) from exc
    except Exception as exc:  # rdflib raises other types for semantic errors
        raise SourceError(query.path, f"bad SPARQL ({exc})") from exc


def load_catalog(folder: Path, check: bool = True) -> dict[str, CatalogQuery]:
    """Every ``*.rq`` directly in ``folder``, by name (the file stem), in name order
    (``check``: see :func:`read_query`)."""
    return {q.name: q for q in (read_query(p, check) for p in sorted(folder.glob("*.rq")))}


def find_query(project: Project, name_or_file: str, check: bool = True) -> CatalogQuery:
    """A catalog query by name, or any ``.rq`` file by path (``check``: see :func:`read_query`)."""
    path = Path(name_or_file)
    if name_or_file.endswith(".rq") or len(path.parts) > 1:
        if not path.is_file():
            raise UsageError(f"no query file {name_or_file}")
        return read_query(path, check)
    candidate = project.queries_dir / f"{name_or_file}.rq"
    if candidate.is_file():
        return read_query(candidate, check)
    names = sorted(p.stem for p in project.queries_dir.glob("*.rq"))
    close = [n for n in names if name_or_file in n]
    hint = f"; did you mean {', '.join(close)}?" if close else "; see 'clusterkg query --list'"
    raise UsageError(f"no query named {name_or_file!r} in {project.queries_dir}{hint}")


def bindings(
    query: CatalogQuery, given: dict[str, str], project: Project
) -> dict[Variable, object]:
    """Turn ``--param`` strings into RDF terms, applying defaults and checking types."""
    for name in given:
        query.param(name)  # raises on an unknown name
    bound = {}
    for param in query.params:
        value = given.get(param.name, param.default)
        if value is not None:
            bound[Variable(param.name)] = _term(param, value, project)
    return bound


def _term(param: Param, value: str, project: Project):
    if param.type == "iri":
        iri = value[1:-1] if value.startswith("<") and value.endswith(">") else value
        if _IRI_FORBIDDEN.search(iri) or not iri:
            raise UsageError(f"parameter {param.name}: {value!r} is not an IRI")
        return URIRef(iri if _IRI_SCHEME.match(iri) else str(project.id_iri(iri)))
    if param.type == "language":
        if not _LANGUAGE_TAG.match(value):
            raise UsageError(f"parameter {param.name}: {value!r} is not a language tag (en, it)")
        return Literal(value.lower())
    if param.type == "integer":
        try:
            return Literal(int(value))
        except ValueError:
            raise UsageError(f"parameter {param.name}: {value!r} is not an integer") from None
    return Literal(value)


def run(
    graph: Graph,
    query: CatalogQuery,
    given: dict[str, str] | None = None,
    project: Project | None = None,
) -> Result:
    """Evaluate ``query`` over ``graph`` with its parameters bound."""
    project = project or Project()
    init = bindings(query, given or {}, project)
    return graph.query(query.text, initBindings=init, initNs=prefixes(project.base))


# --- W3C SPARQL 1.1 result formats ------------------------------------------------------------


def to_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON Format."""
    return result.serialize(format="json").decode("utf-8")


def to_xml(result: Result) -> str:
    """SPARQL Query Results XML Format."""
    return result.serialize(format="xml").decode("utf-8")


def to_csv(result: Result) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.type == "ASK":
        writer.writerows([["_askResult"], ["true" if result.askAnswer else "false"]])
        return out.getvalue()
    writer.writerow([str(v) for v in result.vars])
    for row in result:
        writer.writerow(
            ["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row]
        )
    return out.getvalue()


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: values in Turtle syntax, tabs and newlines escaped."""
    if result.type == "ASK":
        return "?_askResult\n" + ("true" if result.askAnswer else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    for row in result:
        lines.append("\t".join("" if t is None else _tsv_term(t) for t in row))
    return "\n".join(lines) + "\n"


def _tsv_term(term) -> str:
    if isinstance(term, Literal):
        text = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    return term.n3()


def table_rows(result: Result, graph: Graph) -> tuple[list[str], list[list[str]]]:
    """Column names and rows of plain strings, IRIs shortened by the graph's prefixes."""
    if result.type == "ASK":
        return ["answer"], [["yes" if result.askAnswer else "no"]]
    nm = graph.namespace_manager
    rows = []
    for row in result:
        rows.append(
            [
                "" if t is None else (nm.normalizeUri(t) if isinstance(t, URIRef) else str(t))
                for t in row
            ]
        )
    return [str(v) for v in result.vars], rows


def serialize(result: Result, fmt: str) -> str:
    """A result in one of the W3C formats (``csv``, ``tsv``, ``json``, ``xml``)."""
    writers = {"csv": to_csv, "tsv": to_tsv, "json": to_json, "xml": to_xml}
    if fmt not in writers:
        raise UsageError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](result)


def header_summary(query: CatalogQuery) -> dict:
    """The header as plain data, for listings and JSON output."""
    return {
        "name": query.name,
        "summary": query.summary,
        "tags": list(query.tags),
        "params": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
            for p in query.params
        ],
    }
