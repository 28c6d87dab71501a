"""Load every source, reason, validate, run the quality checks and write the release folder.

The new release is written beside the old one and swapped in only when everything succeeded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ..errors import EXIT_OK
from ..export import EarlyFiles, write_release
from ..pipeline import collector_paused, complete_check, reasoned, require_ok
from ..project import Project
from ..report import build_summary, progress

HELP = "load, reason, validate and write the release folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("release"),
        metavar="DIR",
        help="release folder, replaced only when the build succeeds (default: release)",
    )
    parser.add_argument(
        "--store",
        choices=("none", "oxigraph"),
        default="none",
        help="also leave a ready Oxigraph store in DIR/store, so that 'query --release DIR' "
        "answers at once (not byte-deterministic: kept out of SHA256SUMS)",
    )


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    # Paused from start to end, the summary included: between the stages, and once the release
    # is written, the young collections would move enough objects to the oldest generation to
    # start a full collection, which walks every object the build made (6 s at 1M triples).
    with collector_paused():
        with progress(err, not args.quiet) as step, EarlyFiles() as early:
            checked = reasoned(project, step, ahead=early.start)

            def checking() -> None:  # while the documents are made
                complete_check(checked, step)
                step(f"Writing {args.out}")

            files = write_release(checked, args.out, args.store == "oxigraph", checking, early)
        if not args.quiet or not checked.ok:
            build_summary(out if not args.quiet else err, checked, files, str(args.out))
    require_ok(checked)  # exit 1, previous release untouched
    return EXIT_OK
