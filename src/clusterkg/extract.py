"""Extract stage: a brochure page's text -> sections with line ranges -> a draft profile.

A page of the brochure "Lombardy Technology Clusters", as text extracted from the PDF, becomes a
draft cluster profile with the modelling of ``data/profiles/*.ttl``: every resource cites the
page lines it came from (RFC 5147 ``#line=a,b`` fragments relative to the page's source IRI).

The stages are plain functions:

* ``read_page(path)`` reads the text, refusing files above ``MAX_BYTES`` or not UTF-8;
* ``split_sections(text)`` finds the headings and the lines under each;
* ``draft_profile(text, file_name, reference)`` builds the draft graph and the notes: what it
  could not place with confidence, what it resolved differently from the page's wording, and
  which facts the shapes require that the page does not give;
* ``check_draft(project, draft, text)`` validates the draft with the shapes in a copy of the
  project.

PDF extraction garbles text in known ways, and the drafting copes with them: values on the lines
after their heading, runs of blank lines, headings wrapped over two lines, descriptions split
into pieces and interleaved with each other, a sentence fragment far from its sentence, a
heading with no value. Whatever it has to guess is said in a note (a warning with the page's
line numbers, and a ``skos:editorialNote`` or ``rdfs:comment`` in the draft).

The code lives in the ``clusterkg.extraction`` package, one module per step (see its
docstring); this module names the stage's public API.
"""

from .extraction.draft import Draft, Note, check_draft, draft_profile, missing_facts
from .extraction.page import MAX_BYTES, Section, decode_page, page_lines, read_page, split_sections
from .extraction.vocabulary import reference_graph

__all__ = [
    "MAX_BYTES",
    "Draft",
    "Note",
    "Section",
    "check_draft",
    "decode_page",
    "draft_profile",
    "missing_facts",
    "page_lines",
    "read_page",
    "reference_graph",
    "split_sections",
]
