"""``python -m clusterkg``: the same as the ``clusterkg`` command."""

from .cli import run

run()
