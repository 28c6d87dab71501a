"""clusterkg: a knowledge graph of Lombardy's technology clusters.

The pipeline runs one way, one module per stage: ``load`` -> ``reason`` -> ``validate`` ->
``query`` / ``export``; ``pipeline`` composes them and ``cli`` is a thin wrapper.
"""

__version__ = "0.1.0"
