"""Run a query of the SPARQL catalog, or any .rq file, over the asserted and inferred graph."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from ..errors import EXIT_OK, UsageError
from ..pipeline import reasoned
from ..project import Project
from ..query import FORMATS, find_query, header_summary, load_catalog, serialize, table_rows
from ..query import run as run_query
from ..report import catalog_table, progress, result_table

HELP = "run a query of the catalog or a .rq file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name",
        nargs="?",
        metavar="NAME|FILE",
        help="catalog query name (see --list) or path of a .rq file",
    )
    parser.add_argument("--list", action="store_true", help="list the catalog with summaries")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bind a query parameter (repeatable)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table for people; csv, tsv, json, xml: W3C SPARQL results formats",
    )


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    if args.list:
        queries = list(load_catalog(project.queries_dir).values())
        if args.format == "json":
            sys.stdout.write(json.dumps([header_summary(q) for q in queries], indent=2) + "\n")
        else:
            catalog_table(out, queries)
        return EXIT_OK
    if not args.name:
        raise UsageError("name a query (see 'clusterkg query --list') or pass --list")
    query = find_query(project, args.name)
    given = parse_params(args.param)
    with progress(err, not args.quiet) as step:
        graph = reasoned(project, step).dataset()
        step(f"Running {query.name}")
        result = run_query(graph, query, given, project)
    if args.format == "table":
        columns, rows = table_rows(result, graph)
        result_table(out, columns, rows)
    else:
        sys.stdout.write(serialize(result, args.format))
    return EXIT_OK


def parse_params(pairs: list[str]) -> dict[str, str]:
    given = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, not {pair!r}")
        given[key.strip()] = value
    return given
