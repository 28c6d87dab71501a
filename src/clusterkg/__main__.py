"""``python -m clusterkg``: the same as the ``clusterkg`` command."""

import sys

from .cli import main

sys.exit(main())
