"""Draft a cluster profile (Turtle) from the text of a brochure page, with notes for the curator.

Every resource of the draft cites the page lines it came from. Warnings (on stderr, with the
page's line numbers) say what could not be placed with confidence and which facts the shapes
require that the page does not give; the same notes are in the draft as skos:editorialNote or
rdfs:comment. Pages above 256,000 bytes (a page is about 6 kB), or not UTF-8, are
refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from ..errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from ..extract import check_draft, draft_profile, read_page, reference_graph
from ..project import Project

HELP = "draft a cluster profile from the text of a brochure page"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("page", type=Path, metavar="PAGE.txt", help="text of one brochure page")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write the draft to FILE, e.g. data/profiles/<slug>.ttl (default: standard output)",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite --out FILE if it exists (default: refuse)"
    )
    parser.add_argument(
        "--cluster-id",
        metavar="SLUG",
        help="the cluster's IRI slug, id/cluster/SLUG (default: from the page's title)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="also validate the draft with the shapes, in a copy of the project (exit 1 if not)",
    )


def _say(console: Console, text: str) -> None:
    # Page text can hold anything: no rich markup, highlighting or :emoji: codes.
    console.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    if args.out is not None and args.out.exists() and not args.force:
        raise UsageError(f"{args.out} exists; pass --force to overwrite it")
    text = read_page(args.page)
    draft = draft_profile(text, args.page.name, reference_graph(project), args.cluster_id)
    turtle = draft.turtle()
    if args.out is None:
        sys.stdout.write(turtle)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(turtle, encoding="utf-8")
    if not args.quiet:
        for note in [*draft.notes, *draft.missing]:
            _say(err, f"{args.page}:{note.where()}: warning: {note.message}")
        _say(
            err,
            f"Draft of {draft.cluster} written to {args.out or 'standard output'}: "
            f"{len(draft.graph)} triples, {len(draft.notes)} notes, "
            f"{len(draft.missing)} required facts missing.",
        )
        kept = project.sources_dir / args.page.name
        if kept.resolve() != args.page.resolve():
            _say(err, f"The citations resolve once the page is kept as {kept}.")
    if args.check:
        if args.quiet:  # the missing facts explain the violations: show them even when quiet
            for note in draft.missing:
                _say(err, f"{args.page}:{note.where()}: warning: {note.message}")
        problems = check_draft(project, draft, text)
        for problem in problems:
            _say(err, f"check: {problem}")
        if problems:
            _say(err, f"The draft does not conform: {len(problems)} problems.")
            return EXIT_CHECK_FAILED
        if not args.quiet:
            _say(err, "The draft conforms to the shapes (SHACL warnings allowed).")
    return EXIT_OK
