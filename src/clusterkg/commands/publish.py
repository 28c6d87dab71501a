"""Load the release's named graphs into a SPARQL 1.1 store through the Graph Store HTTP Protocol.

Each named graph is sent with one ``PUT <graph store>?graph=<IRI>`` (N-Triples), which the server
applies whole: a failed upload never leaves a graph half old, half new. The first failure stops
the upload; graphs sent before it are already replaced. Last comes ``graph/union``, every triple
of the release once: the default graph that ``clusterkg query --endpoint`` asks for.

Graphs on the server that the release does not have (a removed cluster's profile, say) are left
alone, unless ``--prune``: then, once every ``PUT`` has succeeded, the endpoint is asked for its
named graphs, and each one under the project's graph namespace (``<base>graph/``) that the
release lacks is deleted (``DELETE <graph store>?graph=<IRI>``; a 404 means it is already gone).
Graphs outside that namespace, other data sets sharing the store, are never touched.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..errors import EXIT_OK, ClusterKGError
from ..project import Project

HELP = "load the release's named graphs into a SPARQL 1.1 store (Graph Store Protocol)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint",
        required=True,
        metavar="URL",
        help="the store's SPARQL query endpoint, e.g. http://127.0.0.1:7878/query",
    )
    parser.add_argument(
        "--graph-store",
        metavar="URL",
        help="its Graph Store Protocol URL (default: /store beside the endpoint, as in "
        "Oxigraph; Fuseki: /DATASET/data; Virtuoso: /sparql-graph-crud)",
    )
    parser.add_argument(
        "--release",
        type=Path,
        default=Path("release"),
        metavar="DIR",
        help="the release folder to publish (default: release)",
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="after a successful upload, delete the store's graphs under <base>graph/ that the "
        "release does not have (graphs outside that namespace are never touched)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for each upload (default: 300)",
    )


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    from ..store import default_graph_store, publish

    graph_store = args.graph_store or default_graph_store(args.endpoint)
    prune = args.endpoint if args.prune else None
    done = []
    try:
        for upload in publish(args.release, graph_store, project, args.timeout, prune):
            done.append(upload)
    except ClusterKGError:
        if done and not args.quiet:
            _table(err, done, f"Done before the failure, on {graph_store}")
        raise
    if not args.quiet:
        _table(out, done, f"Published {args.release} to {graph_store}")
    return EXIT_OK


def _table(console: Console, uploads: list, title: str) -> None:
    from ..store import Deletion

    table = Table(title=title, title_justify="left")
    table.add_column("graph")
    table.add_column("triples", justify="right")
    table.add_column("status", justify="right")
    for upload in uploads:
        if isinstance(upload, Deletion):
            status = "already gone" if upload.status == 404 else "deleted"
        else:
            status = str(upload.status)
        table.add_row(upload.graph, f"{upload.triples:,}", status)
    published = sum(u.triples for u in uploads if not isinstance(u, Deletion))
    table.add_row("total", f"{published:,}", "", style="bold")
    console.print(table)
