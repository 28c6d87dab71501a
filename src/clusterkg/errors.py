"""The project's one exception family, caught once at the CLI boundary.

Every message is a single line a person can act on: which file (and line), what is wrong, and,
where it helps, what to do.
"""

from __future__ import annotations

from pathlib import Path

# Exit codes, documented in the README and tested.
EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # the data does not conform, is inconsistent, or a quality check failed
EXIT_BAD_INPUT = 2  # bad input, bad usage, or a runtime error


class ClusterKGError(Exception):
    """Base of all errors the CLI turns into one line and an exit code."""

    exit_code = EXIT_BAD_INPUT


class SourceError(ClusterKGError):
    """A source file cannot be used: bad syntax, a missing file, a reference out of range."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # (pickled when a forked process of the build raises it)
        return type(self), (self.path, self.reason, self.line)


class UsageError(ClusterKGError):
    """The command was asked for something that does not exist or does not fit."""


class CheckFailed(ClusterKGError):
    """The data was read but fails a check: inconsistency, SHACL violation, a quality query."""

    exit_code = EXIT_CHECK_FAILED
