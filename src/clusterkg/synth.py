"""A synthetic corpus: N fictitious cluster profiles shaped like the real one, for tests at scale.

``synthesize()`` copies a project's ontology, queries and data into a new folder and adds, for
each cluster ``i``, a generated brochure page ``data/sources/synth-<i>.txt`` and a profile
``data/profiles/synth-<i>.ttl`` whose resources cite that page's lines, modelled exactly like
``data/profiles/lombardy-life-sciences.ttl``: a cluster with English and Italian labels, its S3
ecosystem and thematic area, technology areas, networks, headquarters, members, success stories
with figures, projects, synergy statements citing PNRR missions and components and S3
ecosystems, and networking activities with their events. Technology areas and networks are
partly the reference ones and partly synthetic ones, kept in ``data/reference/synth-*.ttl``.

Everything comes from ``random.Random`` seeded with the seed and the cluster number, and is
written as plain Turtle text (no rdflib serialisation, no set or hash order), so the same
arguments give the same bytes. With ``defects=K`` the corpus holds exactly K deliberate
mistakes, each caught by one named SHACL shape on one focus node, listed in ``defects.json``.
The triple count is exact: it is what loading the folder (``clusterkg.load.load``) yields,
quoted source lines included.

The code lives in the ``clusterkg.synthesis`` package, one module per step (see its docstring);
this module names the public API.
"""

from .synthesis.corpus import MANIFEST, SynthResult, clusters_for, digest, synthesize
from .synthesis.defects import DEFECT_KINDS, SHAPES, Defect, DefectKind
from .synthesis.words import GENERATOR, PREFIX

__all__ = [
    "DEFECT_KINDS",
    "GENERATOR",
    "MANIFEST",
    "PREFIX",
    "SHAPES",
    "Defect",
    "DefectKind",
    "SynthResult",
    "clusters_for",
    "digest",
    "synthesize",
]
