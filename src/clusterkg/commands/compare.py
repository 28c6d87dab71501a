"""Compare a draft profile with a curated one: which curated facts the draft has, lacks or adds.

Facts are matched by resource labels and links, not IRIs (see clusterkg.compare); curator's notes
are not compared and citations are scored apart. The coverage is the share of the curated
profile's facts that the draft has.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..compare import Comparison, compare_files
from ..errors import EXIT_OK, CheckFailed, UsageError
from ..project import Project

HELP = "compare a draft profile with a curated one (facts present, missing, added; coverage)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("draft", type=Path, metavar="DRAFT", help="the draft profile (Turtle)")
    parser.add_argument("curated", type=Path, metavar="CURATED", help="the curated profile")
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table for people, json for machines",
    )
    parser.add_argument(
        "--min-coverage",
        type=float,
        metavar="PERCENT",
        help="exit 1 if the coverage is below PERCENT (0-100)",
    )


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    if args.min_coverage is not None and not 0 <= args.min_coverage <= 100:
        raise UsageError(
            f"--min-coverage takes a percentage from 0 to 100, not {args.min_coverage}"
        )
    result = compare_files(args.draft, args.curated)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        show(out, result, args.quiet)
    if args.min_coverage is not None and result.coverage * 100 < args.min_coverage:
        raise CheckFailed(
            f"the draft covers {result.coverage:.1%} of the curated facts, "
            f"below --min-coverage {args.min_coverage:g}%"
        )
    return EXIT_OK


def show(console: Console, result: Comparison, quiet: bool = False) -> None:
    summary = Table(title="Coverage of the curated profile", title_justify="left")
    for column in ("curated facts", "present", "missing", "added", "coverage", "citations"):
        summary.add_column(column, justify="right")
    summary.add_row(
        str(result.curated),
        str(len(result.present)),
        str(len(result.missing)),
        str(len(result.added)),
        f"{result.coverage:.1%}",
        f"{result.provenance:.1%}",
    )
    console.print(summary)
    if quiet:
        return
    for title, facts in (
        ("Missing from the draft", result.missing),
        ("Added by the draft", result.added),
    ):
        if not facts:
            continue
        table = Table(title=title, title_justify="left")
        for column in ("resource", "property", "value"):
            table.add_column(column, overflow="fold")
        for subject, prop, value in facts:
            table.add_row(subject, prop, value)
        console.print(table)
