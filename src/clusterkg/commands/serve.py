"""Serve the release: a read-only SPARQL 1.1 endpoint at /sparql and linked data at /id/...

Builds the release first if there is none. Queries run in worker processes with a wall-clock
limit and a row cap; updates, SERVICE and graphs from outside the release are refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ..endpoint import Limits
from ..errors import EXIT_OK, UsageError
from ..export import write_release
from ..pipeline import check, require_ok
from ..project import Project
from ..report import progress

HELP = "serve the release as a SPARQL endpoint and linked data (read-only)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument(
        "--release",
        type=Path,
        default=Path("release"),
        metavar="DIR",
        help="release folder to serve; built first if missing (default: release)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="wall-clock limit of one query (default: 10)",
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=10_000,
        metavar="N",
        help="rows (or triples) a query may return; more are cut and flagged (default: 10000)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, metavar="N", help="query worker processes (default: 2)"
    )
    parser.add_argument(
        "--no-cors", action="store_true", help="do not allow other sites' pages to query /sparql"
    )


def run(args: argparse.Namespace, project: Project, out: Console, err: Console) -> int:
    import uvicorn

    from ..serve import Settings, create_app

    if args.timeout <= 0 or args.max_rows <= 0 or args.workers <= 0:
        raise UsageError("--timeout, --max-rows and --workers must be positive")
    if not (args.release / "kg.trig").is_file():
        with progress(err, not args.quiet) as step:
            checked = check(project, step)
            require_ok(checked)
            step(f"Writing {args.release}")
            write_release(checked, args.release)
    limits = Limits(timeout=args.timeout, max_rows=args.max_rows)
    app = create_app(
        Settings(
            release=args.release,
            base=project.base,
            workers=args.workers,
            limits=limits,
            cors=not args.no_cors,
        )
    )
    out.print(
        f"Serving {args.release} at http://{args.host}:{args.port}/ "
        f"(SPARQL at /sparql); Ctrl-C stops.",
        markup=False,
        highlight=False,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning" if args.quiet else "info")
    return EXIT_OK
