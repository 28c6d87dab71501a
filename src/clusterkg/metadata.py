"""Publish stage: the dataset describes itself (VoID statistics, DCAT-AP / DCAT-AP_IT record).

Runs after every other release file exists, because the record lists each file with its size
and checksum. Placeholder: ``release_files`` returns nothing yet (issue 3).
"""

from __future__ import annotations

from .pipeline import Checked


def release_files(
    checked: Checked, contents: dict[str, tuple[bytes, str]]
) -> dict[str, tuple[bytes, str]]:
    """Release files this stage adds, by path inside the release: (bytes, description)."""
    return {}
