"""Publish stage: HTML documentation of the ontology and shapes, and the ontology's formats.

Placeholder: ``release_files`` returns nothing yet (issue 3).
"""

from __future__ import annotations

from .pipeline import Checked


def release_files(checked: Checked) -> dict[str, tuple[bytes, str]]:
    """Release files this stage adds, by path inside the release: (bytes, description)."""
    return {}
