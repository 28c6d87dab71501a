"""The synth command's modules, in the order a corpus is made.

``words`` (constants, invented word pools, the reference vocabularies read from the project),
``plan`` (every random choice for a cluster and its members), ``defects`` (kinds of deliberate
mistake, where they land, the manifest), ``turtle`` (Turtle and page text writers), ``render``
(one cluster's page and profile), ``corpus`` (the folder, the reference files, the count of
triples, sizing by ``--triples``). ``clusterkg.synth`` is the public face.
"""
