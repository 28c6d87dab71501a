"""The extract stage's modules, in the order the data flows through them.

``page`` (text -> sections and runs of text), ``vocabulary`` (names -> reference resources, and
the general information block), ``prose`` (stories, projects, networking), ``synergies`` (S3 and
PNRR), ``draft`` (the steps composed into a draft, its Turtle, its required facts, its check).
``clusterkg.extract`` is the stage's public face.
"""
