"""The command line: parse arguments, call one stage function, print, return an exit code.

Each command lives in its own module of ``clusterkg.commands`` with ``HELP``,
``add_arguments(parser)`` and ``run(args, project, out, err) -> int``; this module only builds
the parser from them and turns errors into one line and an exit code.

Exit codes: 0 ok; 1 the data does not conform (SHACL violation, OWL inconsistency, failed
quality check); 2 bad input or usage (a source that does not parse, an unknown query...).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from . import __version__, commands
from .errors import EXIT_BAD_INPUT, ClusterKGError, UsageError
from .project import DEFAULT_BASE, REASONERS, VALIDATORS, Project


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit code 2, like every other bad input
        raise UsageError(f"{message} (see '{self.prog} --help')")


def command_names() -> list[str]:
    """Every command, from the modules of ``clusterkg.commands`` (``_`` read as ``-``)."""
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(commands.__path__))


def command_modules(only: str | None = None) -> dict:
    """The command modules by name; just ``only`` when given, so that a quick command does not
    pay for importing every other one (``query --release`` answers in well under a second)."""
    names = [only] if only in command_names() else command_names()
    return {n: importlib.import_module(f"{commands.__name__}.{n.replace('-', '_')}") for n in names}


def make_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clusterkg",
        description="Build, validate, query and publish the knowledge graph of Lombardy's "
        "technology clusters.",
    )
    parser.add_argument("--version", action="version", version=f"clusterkg {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

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
        "--reasoner",
        choices=REASONERS,
        default="owlrl",
        help="OWL 2 RL engine: owlrl (the reference, default); for large graphs, reasonable or "
        "oxigraph (the ontology's rules as SPARQL; fastest): same entailments",
    )
    common.add_argument(
        "--validator",
        choices=VALIDATORS,
        default="pyshacl",
        help="SHACL engine: pyshacl (the reference, default); for large graphs, pyrudof (same "
        "verdicts, see the README for what its report words differently) or oxigraph (SHACL "
        "Core as SPARQL; fastest, same report)",
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", help="print only errors (and, for query, the results)"
    )
    for name, module in command_modules(only).items():
        sub = subparsers.add_parser(
            name, parents=[common], help=module.HELP, description=module.__doc__
        )
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code."""
    out, err = Console(), Console(stderr=True)
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        named = next((a for a in argv if not a.startswith("-")), None)
        parser = make_parser(named)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_BAD_INPUT
        return args.run(
            args, Project(args.root, args.base, args.reasoner, args.validator), out, err
        )
    except ClusterKGError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, emoji=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        return 130


def run() -> NoReturn:
    """The ``clusterkg`` command: :func:`main`, then exit at once.

    A build of a million triples leaves some forty million Python objects, and freeing them one
    by one on the way out took 15 s more; the process ends without it. Everything the command
    wrote is closed by then, but the standard streams, flushed here; and a child process still
    running is ended or waited for, as the usual exit does (daemonic ones are ended).
    """
    code = main()
    # Not imported by a command that starts no process (a cold query is quicker without it).
    multiprocessing = sys.modules.get("multiprocessing")
    for child in multiprocessing.active_children() if multiprocessing else ():
        if child.daemon:
            child.terminate()
        child.join()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
