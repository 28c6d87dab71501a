"""Compare two releases (folders) or RDF files semantically: resources added, removed and changed.

A release folder is read through its kg.nt (the asserted graph); a file in any format rdflib
reads, chosen by its extension (.ttl, .nt, .nq, .trig, .rdf, .jsonld...). Markdown for people,
or an RDF Patch (application/rdf-patch) that turns OLD into NEW.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from ..diff import compare, markdown, patch, read_graph
from ..errors import EXIT_OK, SourceError
from ..project import Project

HELP = "compare two releases or RDF files: resources added, removed and changed"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", type=Path, metavar="OLD", help="the earlier release folder or file")
    parser.add_argument("new", type=Path, metavar="NEW", help="the later release folder or file")
    parser.add_argument(
        "--format",
        choices=("markdown", "patch"),
        default="markdown",
        help="markdown for people, patch for an RDF Patch that turns OLD into NEW",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE instead of standard output"
    )


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    changes = compare(read_graph(args.old), read_graph(args.new))
    if args.format == "patch":
        data = patch(changes)
    else:
        data = markdown(changes, str(args.old), str(args.new), project.base).encode("utf-8")
    if args.out is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return EXIT_OK
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        raise SourceError(args.out, f"cannot write the file ({exc.strerror})") from exc
    if not args.quiet:
        err.print(
            f"{len(changes.added)} triples added, {len(changes.removed)} removed: wrote {args.out}",
            markup=False,
            highlight=False,
        )
    return EXIT_OK
