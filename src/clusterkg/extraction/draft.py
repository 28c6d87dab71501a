"""Building the draft: the graph and its notes, step by step over the page's sections.

``draft_profile`` reads the page into sections and hands one ``Drafting`` state to each step
(the title and source document here, the general information in ``vocabulary``, the prose
sections in ``prose``, the synergies in ``synergies``). Steps add triples with ``cite`` (the
page lines each resource comes from) and ``note`` (what the curator should check); ``mint``
keeps the IRIs of one draft distinct. Last come the facts the shapes require that the page
does not give. The order of the steps fixes the order of the notes and of minted IRIs.

``Draft.turtle`` writes the result (rdflib sorts subjects and properties, so the text depends
only on the graph); ``check_draft`` validates it with the shapes in a copy of the project.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from ..project import CKG, DEFAULT_BASE, Project, bind_prefixes
from . import prose, synergies, vocabulary
from .page import Piece, Section, line_list, page_lines, slugify, spans, split_sections
from .vocabulary import ID, ORG, Vocabulary

# The headings a step looks for by name, as a note names them.
HEADING_NAMES = {
    "ecosystem": "REFERENCE ECOSYSTEM",
    "technology": "TECHNOLOGY AREAS",
    "networks": "EUROPEAN PROJECTS AND INTERNATIONAL NETWORKS",
    "headquarters": "HEADQUARTERS",
    "website": "WEBSITE",
    "members": "NUMBER OF MEMBERS",
}
# The sections whose lines the cluster itself cites.
CLUSTER_SECTIONS = (
    "general",
    "ecosystem",
    "technology",
    "networks",
    "headquarters",
    "website",
    "members",
)
SMALL_WORDS = {"and", "of", "for", "the", "in", "on", "a", "an", "to", "with", "by"}


@dataclass(frozen=True)
class Note:
    """Something a curator should look at, with the page lines it is about."""

    lines: tuple[int, ...]
    message: str
    subject: URIRef | None = None

    def where(self) -> str:
        return line_list(self.lines)


@dataclass
class Draft:
    """A draft profile: the graph, the notes, and where it belongs."""

    graph: Graph
    notes: list[Note]
    cluster: URIRef
    slug: str
    source: URIRef
    missing: list[Note] = field(default_factory=list)

    def turtle(self) -> str:
        """The draft as Turtle, relative to the page's source IRI, with a header."""
        text = self.graph.serialize(format="turtle", base=str(self.source))
        # rdflib writes the line citations in full; relative to @base they read as in profiles.
        text = text.replace(f"<{self.source}#", "<#")
        page = self.source.rsplit("/", 1)[-1]
        head = [
            f"# DRAFT profile drafted by 'clusterkg extract' from {page}.",
            "# Check every fact against the page before publishing it; notes for the curator are",
            "# in skos:editorialNote and rdfs:comment. Citations <#line=a,b> are RFC 5147 line",
            "# ranges of the page: lines a+1 to b.",
        ]
        if self.notes:
            head.append(f"# {len(self.notes)} notes; {len(self.missing)} required facts missing.")
        return "\n".join(head) + "\n" + text


class Drafting:
    """The state of one draft while the steps build it."""

    def __init__(self, text: str, file_name: str, reference: Graph, cluster_id: str | None):
        self.sections = split_sections(text)
        self.line_count = len(page_lines(text))
        self.source = URIRef(f"{DEFAULT_BASE}source/{file_name}")
        self.vocab = Vocabulary(reference)
        self.graph = bind_prefixes(Graph())
        for prefix, kind in (("s3", "s3-ecosystem"), ("tech", "technology-area")):
            self.graph.bind(prefix, ID[f"{kind}/"], override=True, replace=True)
        self.notes: list[Note] = []
        self.cluster_id = cluster_id
        self.loose: list[Piece] = []  # fragments no step has placed yet
        self.used_slugs: dict[str, int] = {}
        self.paragraphs: dict[int, list[Piece]] = {}  # by section's first line
        self.nonblank = {n for s in self.sections for n, _ in s.body}
        self.nonblank |= {s.first for s in self.sections}
        self.page_networks: list[tuple[URIRef, str, str | None]] = []  # node, name, acronym
        # Set by _cluster_title, the first step.
        self.title_line: int | None = None
        self.cluster_label = ""
        self.slug = ""
        self.cluster = URIRef("")

    def cite(self, node: URIRef, lines: Iterable[int]) -> None:
        numbers = [n for n in lines if 1 <= n <= self.line_count and n in self.nonblank]
        # Ranges run over blank lines: the quotation keeps the page's layout.
        for a, b in spans(numbers, lambda m: m not in self.nonblank):
            self.graph.add((node, PROV.wasDerivedFrom, URIRef(f"{self.source}#line={a - 1},{b}")))

    def note(
        self,
        lines: Iterable[int],
        message: str,
        subject: URIRef | None = None,
        comment: bool = False,
    ) -> None:
        lines = tuple(sorted(set(lines)))
        self.notes.append(Note(lines, message, subject))
        if subject is not None:
            text = f"{message} (page lines {line_list(lines)})" if lines else message
            prop = RDFS.comment if comment else SKOS.editorialNote
            self.graph.add((subject, prop, Literal(text, lang="en")))

    def label(self, node: URIRef, text: str) -> None:
        self.graph.add((node, SKOS.prefLabel, Literal(text, lang="en")))

    def mint(self, kind: str, text: str, local: bool = False) -> URIRef:
        """A new IRI: ``id/<kind>/<slug>``, or under the cluster for ``local`` resources."""
        base = f"{self.cluster}/" if local else f"{ID}{kind}/"
        slug = slugify(text)
        key = f"{base}{slug}"
        n = self.used_slugs.get(key, 0) + 1
        self.used_slugs[key] = n
        candidate = slug if n == 1 else f"{slug}-{n}"
        while n > 1 and f"{base}{candidate}" in self.used_slugs:  # "x-2" minted from a name
            n += 1
            self.used_slugs[key] = n
            candidate = f"{slug}-{n}"
        self.used_slugs.setdefault(f"{base}{candidate}", 1)
        return URIRef(f"{base}{candidate}")

    def sections_of(self, kind: str) -> list[Section]:
        return [s for s in self.sections if s.kind == kind]

    def value_lines(self, kind: str) -> tuple[Section | None, list[tuple[int, str]]]:
        """The first section of ``kind`` and its lines; a repeated heading is noted."""
        found = self.sections_of(kind)
        if not found:
            return None, []
        if len(found) > 1:
            self.note(
                [s.first for s in found[1:]],
                f"The heading {HEADING_NAMES[kind]} appears more than once; "
                "only the first is used.",
                self.cluster,
            )
        return found[0], list(found[0].body)

    def missing_section(self, kind: str) -> None:
        self.note([], f"The page has no {HEADING_NAMES[kind]} heading.", self.cluster)


def draft_profile(
    text: str, file_name: str, reference: Graph, cluster_id: str | None = None
) -> Draft:
    """The draft profile of a page: ``text`` is the page, ``file_name`` its name under
    ``data/sources`` (the citations' base), ``reference`` the project's vocabularies."""
    d = Drafting(text, file_name, reference, cluster_id)
    _cluster_title(d)
    _source_document(d)
    for kind in CLUSTER_SECTIONS:
        for section in d.sections_of(kind):
            d.cite(d.cluster, range(section.first, section.last + 1))
    vocabulary.ecosystem(d)
    vocabulary.technology_areas(d)
    vocabulary.networks(d)
    vocabulary.headquarters(d)
    vocabulary.website(d)
    vocabulary.members(d)
    for section in d.sections_of("title"):
        # Lines around the title are not a paragraph: each stands alone.
        rest = [Piece([n], [t]) for n, t in section.body if n != d.title_line]
        d.loose += [p for p in rest if not p.is_head]
    stories = d.sections_of("stories")
    for section in stories:
        prose.collect_paragraphs(d, section)  # loose fragments first: projects may need them
    for section in d.sections_of("projects"):
        prose.projects(d, section)
    for section in stories:
        prose.stories(d, section)
    synergies.synergies(d)
    for section in d.sections_of("networking"):
        prose.networking(d, section)
    vocabulary.thematic_area(d)
    for piece in d.loose:
        d.note(
            piece.lines,
            f"Could not place the text {piece.text[:80]!r}; it is not in the draft.",
            d.cluster,
            comment=True,
        )
    _unplaced_title_lines(d)
    missing = missing_facts(d.graph, d.vocab.graph, d.sections)
    return Draft(d.graph, d.notes, d.cluster, d.slug, d.source, missing)


# ---------------------------------------------------------------------------------------------
# The cluster and its page
# ---------------------------------------------------------------------------------------------


def _title_case(text: str) -> str:
    if text != text.upper():
        return text
    words = text.lower().split()
    return " ".join(
        w if (k and w in SMALL_WORDS) else (w.upper() if re.search(r"\d", w) else w.capitalize())
        for k, w in enumerate(words)
    )


def _cluster_title(d: Drafting) -> None:
    title_sections = d.sections_of("title")
    body = list(title_sections[0].body) if title_sections else []
    chosen = next(((n, t) for n, t in body if re.search(r"(?i)\bcluster$", t)), None)
    chosen = chosen or (body[0] if body else None)
    d.title_line = chosen[0] if chosen else None
    label = _title_case(chosen[1][:200]) if chosen else "Unnamed cluster"
    d.cluster_label = label
    stem = re.sub(r"(?i)\s*\bcluster$", "", label) or label
    d.slug = slugify(d.cluster_id or stem, "unnamed")
    d.cluster = ID[f"cluster/{d.slug}"]
    d.graph.bind(_prefix(d), f"{d.cluster}/")
    d.graph.add((d.cluster, RDF.type, CKG.Cluster))
    d.label(d.cluster, label)
    if chosen:
        d.cite(d.cluster, [chosen[0]])
    else:
        d.note([], "The page has no title line: the cluster's name is a placeholder.", d.cluster)


def _prefix(d: Drafting) -> str:
    """A prefix for the cluster's own resources: its initials, unless already bound."""
    initials = "".join(w[0] for w in d.slug.split("-") if w)[:6] or "c"
    initials = initials if initials[0].isalpha() else f"c{initials}"
    taken = set(dict(d.graph.namespaces()))
    return initials if initials not in taken else f"{initials}x"


def _unplaced_title_lines(d: Drafting) -> None:
    for section in d.sections_of("title"):
        placed = {n for note in d.notes for n in note.lines} | {d.title_line}
        placed |= {n for p in d.loose for n in p.lines}
        rest = [n for n, _ in section.body if n not in placed]
        if rest:
            d.note(
                rest,
                "Lines before the first heading that are not the cluster's name were not used.",
                d.cluster,
                comment=True,
            )


def _source_document(d: Drafting) -> None:
    g, doc = d.graph, d.source
    g.add((doc, RDF.type, CKG.SourceDocument))
    g.add((doc, DCTERMS.format, Literal("text/plain")))
    footer = next(iter(d.sections_of("footer")), None)
    page = re.search(r"(\d{1,4})\s*$", footer.heading) if footer else None
    if page and int(page.group(1)) >= 1:
        brochure = ID["document/lombardy-technology-clusters"]
        g.add((brochure, RDF.type, FOAF.Document))
        g.add((brochure, DCTERMS.title, Literal("Lombardy Technology Clusters", lang="en")))
        d.cite(brochure, [footer.first])
        g.add((doc, DCTERMS.isPartOf, brochure))
        g.add((doc, CKG.pageNumber, Literal(int(page.group(1)))))
        title = f"Lombardy Technology Clusters, page {int(page.group(1))}: {d.cluster_label}"
    else:
        title = f"Page of 'Lombardy Technology Clusters': {d.cluster_label}"
        d.note([footer.first] if footer else [], "No page number found on the page.", doc)
    g.add((doc, DCTERMS.title, Literal(title, lang="en")))
    description = "Text extracted from one page of a PDF brochure."
    g.add((doc, DCTERMS.description, Literal(description, lang="en")))
    if footer:
        d.cite(doc, [footer.first])
        if footer.body:
            d.note([n for n, _ in footer.body], "Text after the page footer was not used.")
    elif d.title_line:
        d.cite(doc, [d.title_line])


# ---------------------------------------------------------------------------------------------
# Required facts
# ---------------------------------------------------------------------------------------------

# (class, property, what the shapes ask for, shape): the minimum counts that a page can satisfy.
REQUIRED = [
    (CKG.Cluster, CKG.referenceEcosystem, "a reference ecosystem", "Cluster-referenceEcosystem"),
    (CKG.Cluster, CKG.technologyArea, "a technology area", "Cluster-technologyArea"),
    (CKG.Cluster, CKG.thematicArea, "a thematic area", "Cluster-thematicArea"),
    (CKG.Cluster, CKG.headquarters, "a headquarters", "Cluster-headquarters"),
    (ORG.Site, CKG.place, "a place", "Site-place"),
    (CKG.StatedReference, CKG.refersTo, "the official element it refers to", "StatedReference"),
    (CKG.StatedReference, CKG.statedTitle, "a stated title", "StatedReference-statedTitle"),
    (CKG.Synergy, CKG.alignsWith, "an element it aligns with", "Synergy-alignsWith"),
]
# The section where a missing fact of the cluster would be; other facts point at their citation.
REQUIRED_SECTION = {
    CKG.referenceEcosystem: "ecosystem",
    CKG.technologyArea: "technology",
    CKG.headquarters: "headquarters",
}


def missing_facts(graph: Graph, reference: Graph, sections: list[Section]) -> list[Note]:
    """The facts the shapes require (``sh:minCount``) that neither the draft nor the reference
    vocabularies give, each with the page lines where they would come from."""
    found = []
    lines_of: dict[str, list[int]] = {}
    for s in sections:
        lines_of.setdefault(s.kind, [s.first])
    for cls, prop, what, shape in REQUIRED:
        for node in sorted(set(graph.subjects(RDF.type, cls))):
            if (node, prop, None) in graph or (node, prop, None) in reference:
                continue
            name = next(iter(graph.objects(node, SKOS.prefLabel)), node)
            cited = [
                int(str(o).rsplit("=", 1)[1].split(",")[0]) + 1
                for o in graph.objects(node, PROV.wasDerivedFrom)
            ]
            lines = lines_of.get(REQUIRED_SECTION.get(prop, ""), cited[:1])
            found.append(
                Note(
                    tuple(lines),
                    f"missing fact: {name} has no {what} "
                    f"({graph.namespace_manager.normalizeUri(prop)}, required by ckgsh:{shape})",
                    node,
                )
            )
    return found


def check_draft(project: Project, draft: Draft, page_text: str) -> list[str]:
    """Validate ``draft`` as part of a copy of ``project`` (its page under ``data/sources``):
    the SHACL violations and failed checks, one line each; empty when the draft conforms.

    A profile already in the project for the same cluster is left out of the copy, so that the
    draft takes its place instead of doubling its facts.
    """
    from ..pipeline import check  # the full pipeline; imported here to keep extraction light

    name = draft.source.rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="clusterkg-extract-") as tmp:
        root = Path(tmp)
        for folder in ("ontology", "data", "queries"):
            if (project.root / folder).is_dir():
                shutil.copytree(project.root / folder, root / folder)
        profiles = root / "data" / "profiles"
        profiles.mkdir(parents=True, exist_ok=True)
        for existing in sorted(profiles.glob("*.ttl")):
            text = existing.read_text(encoding="utf-8", errors="replace")
            if f"<{draft.cluster}>" in text or f"cluster:{draft.slug} " in text:
                existing.unlink()
        (root / "data" / "sources").mkdir(parents=True, exist_ok=True)
        (root / "data" / "sources" / name).write_bytes(page_text.encode("utf-8"))
        (profiles / f"{draft.slug}.draft.ttl").write_text(draft.turtle(), encoding="utf-8")
        checked = check(Project(root, project.base))
    problems = [f.line() for f in checked.validation.violations] if checked.validation else []
    problems += [f"quality check {f.check} failed: {f.summary}" for f in checked.check_failures]
    problems += [f"OWL inconsistency: {p}" for p in checked.inference.inconsistencies]
    return problems
