"""The command line: parse arguments, call one pipeline function, print, return an exit code.

Exit codes: 0 ok; 1 the data does not conform (SHACL violation, OWL inconsistency, failed
quality check); 2 bad input or usage (a source that does not parse, an unknown query...).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from . import __version__
from .errors import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, ClusterKGError, UsageError
from .export import write_release
from .pipeline import check, reasoned, require_ok
from .project import DEFAULT_BASE, Project
from .query import FORMATS, find_query, header_summary, load_catalog, run, serialize, table_rows
from .report import build_summary, catalog_table, findings_table, progress, result_table


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit code 2, like every other bad input
        raise UsageError(f"{message} (see '{self.prog} --help')")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clusterkg",
        description="Build, validate and query the knowledge "
        "graph of Lombardy's technology clusters.",
    )
    parser.add_argument("--version", action="version", version=f"clusterkg {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    common = _Parser(add_help=False)
    common.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="project folder holding ontology/, data/ and queries/ (default: .)",
    )
    common.add_argument(
        "--base",
        default=DEFAULT_BASE,
        metavar="IRI",
        help=f"base IRI of the published data (default: {DEFAULT_BASE})",
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", help="print only errors (and, for query, the results)"
    )

    build = commands.add_parser(
        "build", parents=[common], help="load, reason, validate and write the release folder"
    )
    build.add_argument(
        "--out",
        type=Path,
        default=Path("release"),
        metavar="DIR",
        help="release folder, replaced only when the build succeeds (default: release)",
    )

    validate = commands.add_parser(
        "validate", parents=[common], help="run every check without writing anything"
    )
    validate.add_argument(
        "--format",
        choices=("text", "turtle"),
        default="text",
        help="text for people, turtle for the W3C SHACL report",
    )

    query = commands.add_parser(
        "query", parents=[common], help="run a query of the catalog or a .rq file"
    )
    query.add_argument(
        "name",
        nargs="?",
        metavar="NAME|FILE",
        help="catalog query name (see --list) or path of a .rq file",
    )
    query.add_argument("--list", action="store_true", help="list the catalog with summaries")
    query.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bind a query parameter (repeatable)",
    )
    query.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table for people; csv, tsv, json, xml: W3C SPARQL results formats",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code."""
    out, err = Console(), Console(stderr=True)
    try:
        args = make_parser().parse_args(argv)
        if args.command is None:
            make_parser().print_help()
            return EXIT_BAD_INPUT
        project = Project(args.root, args.base)
        return {"build": cmd_build, "validate": cmd_validate, "query": cmd_query}[args.command](
            args, project, out, err
        )
    except ClusterKGError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        return 130


def cmd_build(args, project: Project, out: Console, err: Console) -> int:
    with progress(err, not args.quiet) as step:
        checked = check(project, step)
        if checked.ok:
            step(f"Writing {args.out}")
            files = write_release(checked, args.out)
    if not args.quiet or not checked.ok:
        build_summary(
            out if not args.quiet else err, checked, files if checked.ok else None, str(args.out)
        )
    require_ok(checked)  # exit 1, previous release untouched
    return EXIT_OK


def cmd_validate(args, project: Project, out: Console, err: Console) -> int:
    with progress(err, not args.quiet) as step:
        checked = check(project, step)
    if args.format == "turtle":
        sys.stdout.write(checked.validation.report.serialize(format="turtle"))
    elif args.quiet:
        findings_table(out, checked.validation.violations)
    else:
        build_summary(out, checked, None, None)
    return EXIT_OK if checked.ok else EXIT_CHECK_FAILED


def cmd_query(args, project: Project, out: Console, err: Console) -> int:
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
    given = _parse_params(args.param)
    with progress(err, not args.quiet) as step:
        graph = reasoned(project, step).dataset()
        step(f"Running {query.name}")
        result = run(graph, query, given, project)
    if args.format == "table":
        columns, rows = table_rows(result, graph)
        result_table(out, columns, rows)
    else:
        sys.stdout.write(serialize(result, args.format))
    return EXIT_OK


def _parse_params(pairs: list[str]) -> dict[str, str]:
    given = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, not {pair!r}")
        given[key.strip()] = value
    return given


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
