"""Semantic differences between two releases, for people (Markdown) and machines (RDF).

Placeholder: ``release_files`` returns nothing yet (issue 3).
"""

from __future__ import annotations

from pathlib import Path


def release_files(
    previous: Path, contents: dict[str, tuple[bytes, str]]
) -> dict[str, tuple[bytes, str]]:
    """``CHANGES.md`` (and its machine-readable changeset) against the release in ``previous``."""
    return {}
