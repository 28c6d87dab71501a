"""Run every check of a build (OWL consistency, SHACL, quality queries) without writing."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from ..errors import EXIT_CHECK_FAILED, EXIT_OK
from ..pipeline import check
from ..project import Project
from ..report import build_summary, findings_table, progress

HELP = "run every check without writing anything"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "turtle"),
        default="text",
        help="text for people, turtle for the W3C SHACL report",
    )


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    with progress(err, not args.quiet) as step:
        checked = check(project, step)
    if args.format == "turtle":
        sys.stdout.write(checked.validation.report.serialize(format="turtle"))
    elif args.quiet:
        findings_table(out, checked.validation.violations)
    else:
        build_summary(out, checked, None, None)
    return EXIT_OK if checked.ok else EXIT_CHECK_FAILED
