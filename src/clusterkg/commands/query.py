"""Run a query of the SPARQL catalog, or any .rq file, over the asserted and inferred graph.

By default the sources are loaded and reasoned, and rdflib answers. ``--release DIR`` answers
from a built release instead (its ready Oxigraph store, else its kg.trig), ``--store`` picks the
engine (memory: rdflib; oxigraph; oxigraph:PATH, a database folder), and ``--endpoint URL`` sends
the query to a remote SPARQL 1.1 endpoint.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rdflib import Graph
from rich.console import Console

from .. import store
from ..errors import EXIT_OK, UsageError
from ..project import Project, bind_prefixes
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
    parser.add_argument(
        "--store",
        metavar="SPEC",
        help="memory (rdflib), oxigraph (in memory) or oxigraph:PATH (a database folder, "
        "filled from --release when new); default: memory, or oxigraph with --release",
    )
    parser.add_argument(
        "--release",
        type=Path,
        metavar="DIR",
        help="answer from a built release (its ready store, else its kg.trig), not the sources",
    )
    parser.add_argument(
        "--endpoint", metavar="URL", help="run the query on a remote SPARQL 1.1 endpoint"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for a remote endpoint (default: 60)",
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
    spec = store_spec(args)
    # A ready Oxigraph store reports a syntax error as rdflib does, and at once: rdflib's
    # parser took a quarter of a cold `query --release`.
    ready = spec.kind == "oxigraph" and bool(args.release or spec.location)
    query = find_query(project, args.name, check=not ready)
    given = parse_params(args.param)
    with progress(err, not args.quiet) as step:
        result = answer(args, project, query, given, step, spec)
    if args.format == "table":
        columns, rows = table_rows(result, bind_prefixes(Graph(), project.base))
        result_table(out, columns, rows)
    else:
        sys.stdout.write(serialize(result, args.format))
    return EXIT_OK


def store_spec(args: argparse.Namespace) -> store.StoreSpec:
    """The store the options name."""
    if args.endpoint and (args.store or args.release):
        raise UsageError("--endpoint queries the remote store: drop --store and --release")
    default = "oxigraph" if args.release else "memory"
    return store.parse_spec(args.endpoint or args.store or default)


def answer(
    args: argparse.Namespace,
    project: Project,
    query,
    given: dict[str, str],
    step,
    spec: store.StoreSpec,
):
    """The query's result from the store ``spec``."""
    if spec.kind == "endpoint":
        step(f"Running {query.name} on {spec.location}")
        return store.endpoint_query(spec.location, query, given, project, args.timeout)
    if spec.kind == "memory":
        if args.release:
            from ..endpoint import load_release_dataset

            step(f"Loading {args.release}")
            graph = load_release_dataset(_trig(args.release))
        else:
            from ..pipeline import reasoned

            graph = reasoned(project, step).dataset()
        step(f"Running {query.name}")
        return run_query(graph, query, given, project)
    if spec.location:
        oxigraph = store.path_store(Path(spec.location), args.release or Path("release"))
    elif args.release:
        oxigraph = store.release_store(args.release)
    else:
        from ..pipeline import reasoned

        oxigraph = store.dataset_store(reasoned(project, step).dataset())
    step(f"Running {query.name}")
    return store.query_store(oxigraph, query, given, project)


def _trig(release: Path) -> Path:
    trig = release / "kg.trig"
    if not trig.is_file():
        raise UsageError(f"{release} is not a release (no kg.trig); run 'clusterkg build' first")
    return trig


def parse_params(pairs: list[str]) -> dict[str, str]:
    given = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, not {pair!r}")
        given[key.strip()] = value
    return given
