"""Write a reproducible synthetic corpus: a copy of the project plus N fictitious cluster profiles.

Each cluster gets a generated page (data/sources/synth-<i>.txt) and a profile citing its lines
(data/profiles/synth-<i>.ttl), shaped like the real one: English and Italian labels, S3 and
PNRR links, technology areas, networks, headquarters, members, success stories, projects and
networking activities. The same arguments give the same bytes. With --defects K the corpus
holds exactly K deliberate SHACL findings, listed in DIR/defects.json. Build or validate it with
--root DIR.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ..errors import EXIT_OK, UsageError
from ..project import Project
from ..report import progress
from ..synth import clusters_for, synthesize

HELP = "write a reproducible synthetic corpus of N cluster profiles for tests at scale"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="new or empty folder to write"
    )
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--clusters", type=int, metavar="N", help="how many clusters")
    size.add_argument(
        "--triples",
        type=int,
        metavar="T",
        help="pick the number of clusters that brings the corpus closest to T triples",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    parser.add_argument(
        "--members-per-cluster",
        type=int,
        default=100,
        metavar="M",
        help="member organisations per cluster (default: 100)",
    )
    parser.add_argument(
        "--defects",
        type=int,
        default=0,
        metavar="K",
        help="deliberate defects to inject, listed in DIR/defects.json (default: 0)",
    )


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    if args.triples is not None and args.triples < 1:
        raise UsageError(f"--triples must be at least 1 (got {args.triples})")
    with progress(err, not args.quiet) as step:
        clusters = args.clusters
        if clusters is None:
            if args.members_per_cluster < 1:
                raise UsageError(
                    f"--members-per-cluster must be at least 1 (got {args.members_per_cluster})"
                )
            step("Estimating the number of clusters")
            clusters = clusters_for(args.triples, args.members_per_cluster, args.seed, project.root)
        result = synthesize(
            project.root,
            args.out,
            clusters,
            seed=args.seed,
            members=args.members_per_cluster,
            defects=args.defects,
            step=step,
        )
    if not args.quiet:
        out.print(
            f"Wrote {result.clusters} synthetic clusters ({result.members_per_cluster} members "
            f"each, {len(result.defects)} defects) to {result.out} in {result.seconds:.1f} s: "
            f"{result.triples:,} triples ({result.synthetic_triples:,} synthetic, "
            f"{result.base_triples:,} from the project), quoted source lines included.",
            markup=False,
            highlight=False,
        )
    return EXIT_OK
