"""Extract stage: a brochure page's text -> sections with line ranges -> a draft profile.

A page of the brochure "Lombardy Technology Clusters", as text extracted from the PDF, becomes a
draft cluster profile with the modelling of ``data/profiles/*.ttl``: every resource cites the
page lines it came from (RFC 5147 ``#line=a,b`` fragments relative to the page's source IRI).

The stages are plain functions:

* ``read_page(path)`` reads the text, refusing files above ``MAX_BYTES`` or not UTF-8;
* ``split_sections(text)`` finds the headings and the lines under each;
* ``draft_profile(text, file_name, reference)`` builds the draft graph and the notes: what it
  could not place with confidence, what it resolved differently from the page's wording, and
  which facts the shapes require that the page does not give.

PDF extraction garbles text in known ways, and the drafting copes with them: values on the lines
after their heading, runs of blank lines, headings wrapped over two lines, descriptions split
into pieces and interleaved with each other, a sentence fragment far from its sentence, a
heading with no value. Whatever it has to guess is said in a note (a warning with the page's
line numbers, and a ``skos:editorialNote`` or ``rdfs:comment`` in the draft).
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS, XSD

from .errors import SourceError
from .load import parse_source
from .project import CKG, DEFAULT_BASE, Project, bind_prefixes

# A brochure page is about 6 kB of text; anything forty times larger is not a page. Drafting
# stays under about ten seconds up to this size.
MAX_BYTES = 256_000
# Regular expressions and fuzzy matching look at no more than this much of one paragraph.
MAX_PARAGRAPH = 2_000

ORG = Namespace("http://www.w3.org/ns/org#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SCHEMA = Namespace("https://schema.org/")
ID = Namespace(f"{DEFAULT_BASE}id/")

# Headings on their own line, matched against the line with spaces collapsed.
HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("general", re.compile(r"GENERAL INFORMATION")),
    ("ecosystem", re.compile(r"REFERENCE ECOSYSTEMS?")),
    ("technology", re.compile(r"TECHNOLOGY AREAS?")),
    ("networks", re.compile(r"EUROPEAN PROJECTS AND INTERNATIONAL NETWORKS")),
    ("headquarters", re.compile(r"HEADQUARTERS")),
    ("website", re.compile(r"WEBSITE")),
    ("members", re.compile(r"NUMBER OF MEMBERS")),
    ("stories", re.compile(r"SUCCESS STORIES")),
    ("projects", re.compile(r"ONGOING PROJECTS(?: (?P<year>\d{4}))?")),
    ("synergies", re.compile(r"SYNERGIES(?: .{0,80})?")),
    ("s3", re.compile(r"SMART SPECIALI[SZ]ATION STRATEGY(?: \(?S3\)?)?")),
    ("pnrr", re.compile(r"PNRR")),
    ("networking", re.compile(r"[\w ,&'/-]{0,60}\b[Nn]etworking [Aa]ctivities")),
    ("footer", re.compile(r"Lombardy Technology Clusters\b.{0,80}")),
]
# Headings that may be wrapped over two lines by the extraction.
WRAPPABLE = {"ecosystem", "technology", "networks", "members", "stories", "projects", "s3"}
SYNERGY_KINDS = ("synergies", "s3", "pnrr")
HEADING_NAMES = {
    "general": "GENERAL INFORMATION",
    "ecosystem": "REFERENCE ECOSYSTEM",
    "technology": "TECHNOLOGY AREAS",
    "networks": "EUROPEAN PROJECTS AND INTERNATIONAL NETWORKS",
    "headquarters": "HEADQUARTERS",
    "website": "WEBSITE",
    "members": "NUMBER OF MEMBERS",
    "stories": "SUCCESS STORIES",
    "projects": "ONGOING PROJECTS",
    "networking": "networking activities",
}

MISSION = re.compile(r"(?i)mission\s+(\d{1,2})(?:\s*[-:\u2013]\s*(.+))?")
COMPONENT = re.compile(r"(?i)component\s+(\d{1,2})(?:\s*[-:\u2013]\s*(.+))?")
PROJECT_TITLE = re.compile(
    r"(?P<acronym>(?=[^ ]{0,24}[A-Z])[A-Za-z0-9][\w.&+-]{1,24}) [-\u2013\u2014] "
    r"(?P<name>[A-Z][^.]{2,150})"
)
SENTENCE_END = re.compile(r"[.!?][\"')\u201d]?$")
# A capital after one of these words continues the sentence (a name), not a new paragraph.
JOINING_WORDS = {"the", "of", "and", "to", "a", "an", "for", "in", "with", "by", "on", "from"}
SMALL_WORDS = {"and", "of", "for", "the", "in", "on", "a", "an", "to", "with", "by"}
NAME_WORD = r"(?:[A-Z][\w'\u2019-]*|and|of|for|on)"
WORKING_GROUP = re.compile(
    rf"((?:[A-Z][\w-]*\s){{1,6}}Working Group(?: on {NAME_WORD}(?:\s{NAME_WORD}){{0,8}})?)"
)
CALL = re.compile(rf"\bCall ({NAME_WORD}(?:\s{NAME_WORD}){{0,8}})")
FIGURE = re.compile(r"(?<![\w.,/-])(\d{1,7})(?![\w.,/-]?\d)\s+([^,.;:()]{3,120})")
BUSINESS_MISSION = re.compile(
    r"In (?P<year>\d{4}), (?P<who>[^.]{0,200}?) joined a business mission to "
    r"(?P<the>the )?(?P<place>[A-Z][\w'\u2019-]*(?: [A-Z][\w'\u2019-]*){0,4})"
)
ANNUAL_EVENT = re.compile(
    r"(?P<name>[A-Z][^,]{2,100}?) [-\u2013] (?P<acronym>[A-Z0-9][\w-]{1,15}), "
    r"(?P<what>an? (?P<annual>annual )?event\b[^.]{0,400}?)(?: through (?P<via>[^.]{0,200}))?\.?$"
)
PROVIDED_BY = re.compile(r"(?P<kind>[\w-]+ )?platform provided by (?:the )?(?P<by>[^.,;]{2,120})")
ADDRESS = re.compile(
    r"(?P<street>[^,]{2,120}),\s*(?P<number>[\w/]{1,10})\s*[-\u2013]\s*"
    r"(?P<postcode>\d{5})\s+(?P<city>[^\d,]{2,60})"
)
MEMBER = re.compile(r"one of its members \((?P<name>[^()]{1,80})\)")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


@dataclass(frozen=True)
class Section:
    """A heading of the page and the non-blank lines under it (line numbers count from 1)."""

    kind: str
    heading: str
    first: int
    last: int
    body: tuple[tuple[int, str], ...] = ()
    year: str | None = None

    @property
    def heading_last(self) -> int:
        """The heading's last line (a wrapped heading spans two)."""
        return self.body[0][0] - 1 if self.body else self.last


@dataclass(frozen=True)
class Note:
    """Something a curator should look at, with the page lines it is about."""

    lines: tuple[int, ...]
    message: str
    subject: URIRef | None = None

    def where(self) -> str:
        return _line_list(self.lines)


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


# ---------------------------------------------------------------------------------------------
# Reading the page
# ---------------------------------------------------------------------------------------------


def read_page(path: Path) -> str:
    """The text of a page, or a one-line ``SourceError`` (too large, not UTF-8, unreadable)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(
                path, f"is {size:,} bytes; extract reads pages of at most {MAX_BYTES:,} bytes"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read the file ({exc.strerror})") from exc
    return decode_page(data, path)


def decode_page(data: bytes, path: Path | str = "<page>") -> str:
    """Decode a page's bytes, refusing anything above ``MAX_BYTES`` or not UTF-8."""
    if len(data) > MAX_BYTES:
        raise SourceError(
            path, f"is {len(data):,} bytes; extract reads pages of at most {MAX_BYTES:,} bytes"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"is not UTF-8 text (byte {exc.start})") from exc


def page_lines(text: str) -> list[str]:
    """The page's lines numbered as the load stage numbers them, cleaned for reading."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [" ".join(CONTROL.sub(" ", line).split()) for line in lines]


def _heading(text: str) -> tuple[str, re.Match[str]] | None:
    if len(text) > 120:
        return None
    for kind, pattern in HEADINGS:
        match = pattern.fullmatch(text)
        if match:
            return kind, match
    return None


def split_sections(text: str) -> list[Section]:
    """The page's sections in reading order; the lines before the first heading are ``title``."""
    lines = page_lines(text)
    nonblank = [(n, t) for n, t in enumerate(lines, start=1) if t]
    starts: list[tuple[int, int, str, str, str | None]] = []  # index, lines used, kind, heading
    i = 0
    while i < len(nonblank):
        number, line = nonblank[i]
        found = _heading(line)
        used = 1
        if found is None and i + 1 < len(nonblank) and nonblank[i + 1][0] - number <= 2:
            joined = _heading(f"{line} {nonblank[i + 1][1]}")
            if joined and joined[0] in WRAPPABLE:
                found, used = joined, 2
        if found:
            kind, match = found
            year = match.groupdict().get("year") if kind == "projects" else None
            heading = " ".join(t for _, t in nonblank[i : i + used])
            starts.append((i, used, kind, heading, year))
        i += used
    sections = []
    bounds = [(0, 0, "title", "", None), *starts]
    for k, (index, used, kind, heading, year) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(nonblank)
        body = tuple(nonblank[index + used : end]) if kind != "title" else tuple(nonblank[:end])
        if kind == "title" and not body:
            continue
        first = nonblank[index][0] if kind != "title" else body[0][0]
        last = body[-1][0] if body else nonblank[index + used - 1][0]
        sections.append(Section(kind, heading, first, last, body, year))
    return sections


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def slugify(text: str, fallback: str = "item") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def _line_list(lines: tuple[int, ...] | list[int]) -> str:
    numbers = sorted(set(lines))
    if not numbers:
        return "-"
    parts, start, prev = [], numbers[0], numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def _title_case(text: str) -> str:
    if text != text.upper():
        return text
    words = text.lower().split()
    return " ".join(
        w if (k and w in SMALL_WORDS) else (w.upper() if re.search(r"\d", w) else w.capitalize())
        for k, w in enumerate(words)
    )


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _similar(a: str, b: str) -> float:
    a, b = _norm(a)[:200], _norm(b)[:200]
    if not a or not b:
        return 0.0
    return 1.0 if a == b else difflib.SequenceMatcher(None, a, b).ratio()


def _split_list(text: str) -> list[str]:
    """Split on commas (and semicolons) outside parentheses."""
    items, depth, current = [], 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if char in ",;" and not depth:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [" ".join(i.split()) for i in items if i.strip()]


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if SENTENCE_END.search(text) else text + "."


def _shorten(label: str) -> str:
    """A drafted label: cut before a purpose clause ("... to facilitate ...") if it is long."""
    label = label.strip()
    if len(label.split()) > 8:
        purpose = re.search(r"(?<=\w) (?:to|in order to) (?=[a-z])", label[20:])
        if purpose:
            label = label[: 20 + purpose.start()]
    if len(label) > 200:
        label = label[:200].rsplit(" ", 1)[0]
    return label


def _is_complete(text: str) -> bool:
    return bool(SENTENCE_END.search(text))


def _starts_new(previous: str, line: str) -> bool:
    """Whether ``line`` opens a new paragraph rather than continuing ``previous``."""
    first = line[:1]
    if first.isalpha() and not first.isupper():
        # Lower case after a finished sentence: a fragment from elsewhere, not a continuation.
        return _is_complete(previous)
    if not first.isalpha():
        return _is_complete(previous)
    last_word = previous.rsplit(" ", 1)[-1].lower() if previous else ""
    return _is_complete(previous) or last_word not in JOINING_WORDS


@dataclass
class Piece:
    """Consecutive lines that read as one run of text."""

    lines: list[int]
    texts: list[str]
    after: int | None = None  # index of the project title it follows, for project sections
    first_after: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    @property
    def is_head(self) -> bool:
        return self.texts[0][:1].isupper() or self.texts[0][:1].isdigit()


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text[:MAX_PARAGRAPH].lower())}


def _assign_descriptions(
    titles: list[str], runs: list[Piece]
) -> tuple[dict[int, list[Piece]], dict[int, list[Piece]], set[int]]:
    """Match description pieces to project titles: each title gets the opening piece (one
    starting with a capital) that shares most words with it, the piece right after it winning
    ties; a closing piece (lower case) right after a title goes to that title. ``moved`` lists
    the titles whose description is not simply the text after them."""
    heads: dict[int, list[Piece]] = {i: [] for i in range(len(titles))}
    tails: dict[int, list[Piece]] = {i: [] for i in range(len(titles))}
    moved: set[int] = set()
    openers = [p for p in runs if p.is_head]
    words = [_stems(t) for t in titles]
    pairs = sorted(
        (-len(words[i] & _stems(p.text)), 0 if (p.after == i and p.first_after) else 1, i, k)
        for i in range(len(titles))
        for k, p in enumerate(openers)
    )
    used: set[int] = set()
    for _, adjacent, i, k in pairs:
        if heads[i] or k in used:
            continue
        heads[i].append(openers[k])
        used.add(k)
        if adjacent:
            moved.add(i)
    for k, piece in enumerate(openers):  # more openers than titles: a further paragraph
        if k not in used and piece.after is not None:
            heads[piece.after].append(piece)
            moved.add(piece.after)
    for piece in runs:
        i = piece.after
        if not piece.is_head and i is not None and piece.first_after:
            tails[i].append(piece)
            if not heads[i] or heads[i][0].after != i:
                moved.add(i)
    return heads, tails, moved


def pieces(body: list[tuple[int, str]]) -> list[Piece]:
    """Group lines into runs of text: a line continues the run unless it starts a new one."""
    runs: list[Piece] = []
    for number, line in body:
        if runs and not _starts_new(runs[-1].texts[-1], line):
            runs[-1].lines.append(number)
            runs[-1].texts.append(line)
        else:
            runs.append(Piece([number], [line]))
    return runs


# ---------------------------------------------------------------------------------------------
# Reference vocabularies
# ---------------------------------------------------------------------------------------------


def reference_graph(project: Project) -> Graph:
    """The project's reference vocabularies, read with the load stage's parser."""
    graph = Graph()
    folder = project.reference_dir
    if folder.is_dir():
        for path in sorted(folder.glob("*.ttl")):
            graph += parse_source(path)
    return bind_prefixes(graph)


class _Vocabulary:
    """Look-ups in the reference vocabularies: by label, acronym, title."""

    def __init__(self, reference: Graph) -> None:
        self.graph = reference

        def labelled(cls: URIRef, *props: URIRef) -> list[tuple[URIRef, list[str]]]:
            found = []
            for node in sorted(set(reference.subjects(RDF.type, cls))):
                names = sorted(
                    str(v) for p in props for v in reference.objects(node, p) if str(v).strip()
                )
                found.append((node, names))
            return found

        names = (SKOS.prefLabel, SKOS.altLabel, CKG.nameInSource, FOAF.name)
        self.ecosystems = labelled(CKG.InnovationEcosystem, *names)
        self.areas = labelled(CKG.TechnologyArea, *names)
        self.thematic = labelled(CKG.ThematicArea, SKOS.prefLabel, SKOS.altLabel)
        self.networks = labelled(CKG.Network, *names)
        self.acronyms = {
            str(a): n
            for n in sorted(set(reference.subjects(RDF.type, CKG.Network)))
            for a in reference.objects(n, CKG.acronym)
        }
        self.places = labelled(CKG.Place, SKOS.prefLabel, SKOS.altLabel)
        self.organizations = labelled(ORG.Organization, *names)
        self.missions = labelled(CKG.PnrrMission, SKOS.prefLabel, SKOS.altLabel)
        self.components = labelled(CKG.PnrrComponent, SKOS.prefLabel, SKOS.altLabel)

    @staticmethod
    def by_name(entries, text: str) -> URIRef | None:
        key = _norm(text)
        for node, names in entries:
            if any(_norm(n) == key for n in names):
                return node
        return None

    def number(self, node: URIRef) -> int | None:
        value = self.graph.value(node, CKG.number)
        return int(value) if value is not None else None

    def code(self, node: URIRef) -> str:
        return str(self.graph.value(node, SKOS.notation) or node.rsplit("/", 1)[-1])

    def title(self, node: URIRef) -> str:
        for value in self.graph.objects(node, SKOS.prefLabel):
            if getattr(value, "language", None) == "en":
                return str(value)
        return str(self.graph.value(node, SKOS.prefLabel) or node)

    def best_title(self, entries, text: str, threshold: float = 0.85):
        best, score = None, threshold
        for node, names in entries:
            for name in names:
                ratio = _similar(name, text)
                if ratio > score or (ratio == score and best is None):
                    best, score = node, ratio
        return best


# ---------------------------------------------------------------------------------------------
# Drafting
# ---------------------------------------------------------------------------------------------


def draft_profile(
    text: str, file_name: str, reference: Graph, cluster_id: str | None = None
) -> Draft:
    """The draft profile of a page: ``text`` is the page, ``file_name`` its name under
    ``data/sources`` (the citations' base), ``reference`` the project's vocabularies."""
    return _Drafter(text, file_name, reference, cluster_id).run()


class _Drafter:
    def __init__(self, text: str, file_name: str, reference: Graph, cluster_id: str | None):
        self.sections = split_sections(text)
        self.line_count = len(page_lines(text))
        self.source = URIRef(f"{DEFAULT_BASE}source/{file_name}")
        self.vocab = _Vocabulary(reference)
        self.reference = reference
        self.graph = bind_prefixes(Graph())
        for prefix, kind in (("s3", "s3-ecosystem"), ("tech", "technology-area")):
            self.graph.bind(prefix, ID[f"{kind}/"], override=True, replace=True)
        self.notes: list[Note] = []
        self.cluster_id = cluster_id
        self.loose: list[Piece] = []
        self.used_slugs: dict[str, int] = {}
        self.paragraphs: dict[int, list[Piece]] = {}
        self.nonblank = {n for s in self.sections for n, _ in s.body}
        self.nonblank |= {s.first for s in self.sections}
        self.page_networks: list[tuple[URIRef, str, str | None]] = []
        self.block_after: dict[int, Section | None] = {}

    # -- graph helpers ------------------------------------------------------------------------

    def cite(self, node: URIRef, lines) -> None:
        numbers = sorted({n for n in lines if 1 <= n <= self.line_count})
        nonblank = self.nonblank
        numbers = [n for n in numbers if n in nonblank]
        if not numbers:
            return
        # Ranges run over blank lines: the quotation keeps the page's layout.
        ranges, start, prev = [], numbers[0], numbers[0]
        for n in [*numbers[1:], None]:
            if n is not None and all(m not in nonblank for m in range(prev + 1, n)):
                prev = n
                continue
            ranges.append((start, prev))
            if n is not None:
                start = prev = n
        for a, b in ranges:
            self.graph.add((node, PROV.wasDerivedFrom, URIRef(f"{self.source}#line={a - 1},{b}")))

    def note(self, lines, message: str, subject: URIRef | None = None, comment: bool = False):
        lines = tuple(sorted(set(lines)))
        self.notes.append(Note(lines, message, subject))
        if subject is not None:
            where = _line_list(lines)
            text = f"{message} (page lines {where})" if lines else message
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

    # -- the page -----------------------------------------------------------------------------

    def run(self) -> Draft:
        self.cluster_title()
        self.source_document()
        g, c = self.graph, self.cluster
        for kind in ("general", "ecosystem", "technology", "networks", "headquarters"):
            for section in self.sections_of(kind):
                self.cite(c, range(section.first, section.last + 1))
        for section in self.sections_of("website") + self.sections_of("members"):
            self.cite(c, range(section.first, section.last + 1))
        self.ecosystem()
        self.technology_areas()
        self.networks()
        self.headquarters()
        self.website()
        self.members()
        for section in self.sections_of("title"):
            rest = [(n, t) for n, t in section.body if n != self.title_line]
            # Lines around the title are not a paragraph: each stands alone.
            self.loose += [Piece([n], [t]) for n, t in rest if not Piece([n], [t]).is_head]
        stories = self.sections_of("stories")
        for section in stories:
            self.collect_paragraphs(section)  # loose fragments first: projects may need them
        for section in self.sections_of("projects"):
            self.projects(section)
        for section in stories:
            self.stories(section)
        self.synergies()
        for section in self.sections_of("networking"):
            self.networking(section)
        self.thematic_area()
        for piece in self.loose:
            self.note(
                piece.lines,
                f"Could not place the text {piece.text[:80]!r}; it is not in the draft.",
                c,
                comment=True,
            )
        self.unplaced_title_lines()
        missing = missing_facts(g, self.reference, self.cluster, self.sections)
        return Draft(g, self.notes, c, self.slug, self.source, missing)

    def cluster_title(self) -> None:
        title_sections = self.sections_of("title")
        body = list(title_sections[0].body) if title_sections else []
        chosen = next(((n, t) for n, t in body if re.search(r"(?i)\bcluster$", t)), None)
        chosen = chosen or (body[0] if body else None)
        self.title_line = chosen[0] if chosen else None
        label = _title_case(chosen[1][:200]) if chosen else "Unnamed cluster"
        self.cluster_label = label
        stem = re.sub(r"(?i)\s*\bcluster$", "", label) or label
        self.slug = slugify(self.cluster_id or stem, "unnamed")
        self.cluster = ID[f"cluster/{self.slug}"]
        self.graph.bind(self.prefix(), f"{self.cluster}/")
        g, c = self.graph, self.cluster
        g.add((c, RDF.type, CKG.Cluster))
        self.label(c, label)
        if chosen:
            self.cite(c, [chosen[0]])
        else:
            self.note([], "The page has no title line: the cluster's name is a placeholder.", c)

    def prefix(self) -> str:
        initials = "".join(w[0] for w in self.slug.split("-") if w)[:6] or "c"
        initials = initials if initials[0].isalpha() else f"c{initials}"
        taken = set(dict(self.graph.namespaces()))
        return initials if initials not in taken else f"{initials}x"

    def unplaced_title_lines(self) -> None:
        for section in self.sections_of("title"):
            placed = {n for note in self.notes for n in note.lines} | {self.title_line}
            placed |= {n for p in self.loose for n in p.lines}
            rest = [n for n, _ in section.body if n not in placed]
            if rest:
                self.note(
                    rest,
                    "Lines before the first heading that are not the cluster's name were not used.",
                    self.cluster,
                    comment=True,
                )

    def source_document(self) -> None:
        g, doc = self.graph, self.source
        g.add((doc, RDF.type, CKG.SourceDocument))
        g.add((doc, DCTERMS.format, Literal("text/plain")))
        footer = next(iter(self.sections_of("footer")), None)
        page = re.search(r"(\d{1,4})\s*$", footer.heading) if footer else None
        if page and int(page.group(1)) >= 1:
            brochure = ID["document/lombardy-technology-clusters"]
            g.add((brochure, RDF.type, FOAF.Document))
            g.add((brochure, DCTERMS.title, Literal("Lombardy Technology Clusters", lang="en")))
            self.cite(brochure, [footer.first])
            g.add((doc, DCTERMS.isPartOf, brochure))
            g.add((doc, CKG.pageNumber, Literal(int(page.group(1)))))
            title = f"Lombardy Technology Clusters, page {int(page.group(1))}: {self.cluster_label}"
        else:
            title = f"Page of 'Lombardy Technology Clusters': {self.cluster_label}"
            self.note([footer.first] if footer else [], "No page number found on the page.", doc)
        g.add((doc, DCTERMS.title, Literal(title, lang="en")))
        g.add(
            (
                doc,
                DCTERMS.description,
                Literal("Text extracted from one page of a PDF brochure.", lang="en"),
            )
        )
        if footer:
            self.cite(doc, [footer.first])
            if footer.body:
                self.note([n for n, _ in footer.body], "Text after the page footer was not used.")
        elif self.title_line:
            self.cite(doc, [self.title_line])

    def value_lines(self, kind: str) -> tuple[Section | None, list[tuple[int, str]]]:
        found = self.sections_of(kind)
        if not found:
            return None, []
        if len(found) > 1:
            extra = [s.first for s in found[1:]]
            self.note(
                extra,
                f"The heading {HEADING_NAMES[kind]} appears more than once; "
                "only the first is used.",
                self.cluster,
            )
        return found[0], list(found[0].body)

    def missing_section(self, kind: str) -> None:
        self.note([], f"The page has no {HEADING_NAMES[kind]} heading.", self.cluster)

    # -- general information ------------------------------------------------------------------

    def ecosystem(self) -> None:
        section, body = self.value_lines("ecosystem")
        if section is None:
            return self.missing_section("ecosystem")
        lines = [n for n, _ in body]
        text = " ".join(t for _, t in body)
        name = re.sub(r"(?i)\s+ecosystem$", "", text)
        found = self.vocab.by_name(self.vocab.ecosystems, name) if name else None
        if found is None:
            found = self.vocab.best_title(self.vocab.ecosystems, name) if name else None
        if found is None:
            self.note(
                lines or [section.first],
                f"The reference ecosystem {text!r} is not an "
                "ecosystem of the regional S3 (data/reference/s3.ttl).",
                self.cluster,
            )
            return
        self.graph.add((self.cluster, CKG.referenceEcosystem, found))

    def technology_areas(self) -> None:
        section, body = self.value_lines("technology")
        if section is None:
            return self.missing_section("technology")
        lines = [n for n, _ in body]
        for name in _split_list(" ".join(t for _, t in body)):
            area = self.vocab.by_name(self.vocab.areas, name)
            if area is None:
                area = self.mint("technology-area", name)
                g = self.graph
                g.add((area, RDF.type, CKG.TechnologyArea))
                self.label(area, name[:200])
                g.add((area, SKOS.inScheme, ID["scheme/technology-areas"]))
                self.cite(area, [section.first, *lines])
                self.note(
                    lines,
                    f"The technology area {name!r} is not in the reference "
                    "vocabulary; check it and move it to "
                    "data/reference/technology-areas.ttl.",
                    area,
                )
            self.graph.add((self.cluster, CKG.technologyArea, area))

    def network(self, name: str, acronym: str | None) -> URIRef | None:
        if acronym and acronym in self.vocab.acronyms:
            return self.vocab.acronyms[acronym]
        return self.vocab.by_name(self.vocab.networks, name) if name else None

    def networks(self) -> None:
        section, body = self.value_lines("networks")
        if section is None:
            return self.missing_section("networks")
        lines = [n for n, _ in body]
        for item in _split_list(" ".join(t for _, t in body)):
            match = re.fullmatch(r"(.*?)\s*\(([^()]{1,20})\)", item)
            name, acronym = (match.group(1), match.group(2)) if match else (item, None)
            name = name[:200]
            node = self.network(name, acronym)
            if node is None:
                node = self.mint("network", name or acronym or "network")
                g = self.graph
                g.add((node, RDF.type, CKG.Network))
                self.label(node, name or acronym)
                if acronym:
                    g.add((node, CKG.acronym, Literal(acronym)))
                g.add((node, CKG.nameInSource, Literal(name or acronym)))
                self.cite(node, [section.first, *lines])
                self.note(
                    lines,
                    f"The network {item!r} is not in the reference vocabulary; "
                    "check it and move it to data/reference/networks.ttl.",
                    node,
                )
            else:
                official = self.vocab.title(node)
                if name and _norm(name) != _norm(official):
                    self.note(
                        lines,
                        f"The page calls {self.vocab.code(node)} {name!r}; its "
                        f"official name is {official!r} (the build reports this too).",
                    )
            self.page_networks.append((node, name, acronym))
            self.graph.add((self.cluster, CKG.participatesIn, node))

    def place(self, name: str, lines, subject: URIRef | None = None) -> URIRef:
        found = self.vocab.by_name(self.vocab.places, name)
        if found is not None:
            return found
        node = self.mint("place", name)
        g = self.graph
        g.add((node, RDF.type, CKG.Place))
        self.label(node, name)
        g.add((node, SKOS.inScheme, ID["scheme/places"]))
        self.cite(node, lines)
        self.note(
            lines,
            f"The place {name!r} is not in data/reference/places.ttl; check it "
            "(and add its codes there).",
            node,
        )
        return node

    def headquarters(self) -> None:
        section, body = self.value_lines("headquarters")
        if section is None:
            return self.missing_section("headquarters")
        g, c = self.graph, self.cluster
        lines = [section.first, *(n for n, _ in body)]
        text = " ".join(t for _, t in body)[:300]
        if not text:
            self.note(lines, "The HEADQUARTERS heading has no address.", c)
            return
        site, address = URIRef(f"{c}/headquarters"), URIRef(f"{c}/headquarters-address")
        g.add((c, CKG.headquarters, site))
        g.add((site, RDF.type, ORG.Site))
        self.label(site, f"Headquarters of the {self.cluster_label}")
        g.add((site, LOCN.address, address))
        g.add((address, RDF.type, LOCN.Address))
        self.label(address, text)
        g.add((address, LOCN.fullAddress, Literal(text)))
        match = ADDRESS.fullmatch(text)
        if match:
            g.add((address, LOCN.thoroughfare, Literal(match["street"].strip())))
            g.add((address, LOCN.locatorDesignator, Literal(match["number"])))
            g.add((address, LOCN.postCode, Literal(match["postcode"])))
            city = match["city"].strip()
            g.add((address, LOCN.postName, Literal(city)))
            place = self.place(city, lines)
            g.add((site, CKG.place, place))
            g.add((address, CKG.place, place))
        else:
            self.note(
                lines,
                "The address is not in the form 'Street, number - postcode city'; "
                "its parts and its place are left for the curator.",
                address,
            )
        self.cite(site, lines)
        self.cite(address, lines)

    def website(self) -> None:
        section, body = self.value_lines("website")
        if section is None:
            return self.missing_section("website")
        text = "".join(t for _, t in body).strip()
        lines = [n for n, _ in body] or [section.first]
        if not text:
            self.note(lines, "The WEBSITE heading has no address.", self.cluster)
            return
        url = text if re.match(r"(?i)https?://", text) else f"https://{text}"
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]{3,300}", url):
            self.note(lines, f"The website {text[:80]!r} is not a web address.", self.cluster)
            return
        self.graph.add((self.cluster, FOAF.homepage, URIRef(url)))

    def members(self) -> None:
        section, body = self.value_lines("members")
        if section is None:
            return self.missing_section("members")
        text = " ".join(t for _, t in body)
        lines = [section.first, *(n for n, _ in body)]
        number = re.fullmatch(r"(?:about |over |more than )?(\d{1,3}(?:[.,]\d{3})*|\d+)\+?", text)
        if number:
            value = int(re.sub(r"[.,]", "", number.group(1)))
            self.graph.add((self.cluster, CKG.memberCount, Literal(value)))
            if number.group(0) != number.group(1):
                self.note(lines, f"The number of members is given as {text!r}.", self.cluster)
            return
        self.graph.add((self.cluster, CKG.notStatedInSource, CKG.memberCount))
        if text:
            self.note(
                lines,
                f"The NUMBER OF MEMBERS heading is followed by {text[:80]!r}, "
                "not a number: the number of members is left unknown.",
                self.cluster,
            )
        else:
            self.note(
                lines,
                "The profile's NUMBER OF MEMBERS heading has no value: the number "
                "of members is unknown.",
                self.cluster,
            )

    def thematic_area(self) -> None:
        if (self.cluster, CKG.thematicArea, None) in self.reference:
            return
        words = set(_norm(self.cluster_label).split())
        for area, names in self.vocab.thematic:
            if any(set(_norm(n).split()) <= words for n in names if n):
                self.graph.add((self.cluster, CKG.thematicArea, area))
                self.note(
                    [self.title_line] if self.title_line else [],
                    f"Thematic area {self.vocab.title(area)!r} guessed from the cluster's "
                    "name; the region's list belongs in "
                    "data/reference/technology-clusters.ttl.",
                    self.cluster,
                )
                return

    # -- prose sections -----------------------------------------------------------------------

    def collect_paragraphs(self, section: Section) -> list[Piece]:
        """Paragraphs of a prose section; fragments that cannot continue one go to ``loose``."""
        if section.first in self.paragraphs:
            return self.paragraphs[section.first]
        paragraphs: list[Piece] = []
        for piece in pieces(list(section.body)):
            if not piece.is_head:
                self.loose.append(piece)
            else:
                paragraphs.append(piece)
        self.paragraphs[section.first] = paragraphs
        return paragraphs

    def mentioned_networks(self, text: str) -> list[URIRef]:
        found = []
        known = [(n, names) for n, names in self.vocab.networks]
        known += [(n, [name]) for n, name, _ in self.page_networks]
        for node, names in known:
            acronyms = [str(a) for a in self.graph.objects(node, CKG.acronym)]
            acronyms += [a for a, n in self.vocab.acronyms.items() if n == node]
            named = any(len(name) > 3 and name in text for name in names)
            if (named or any(f"({a})" in text for a in acronyms)) and node not in found:
                found.append(node)
        return found

    def organization(self, name: str, lines, acronym: str | None = None) -> URIRef:
        found = self.vocab.by_name(self.vocab.organizations, name)
        if found is not None:
            return found
        node = self.mint("organization", name)
        if (node, RDF.type, ORG.Organization) not in self.graph:
            self.graph.add((node, RDF.type, ORG.Organization))
            self.label(node, name)
            if acronym:
                self.graph.add((node, CKG.acronym, Literal(acronym)))
            self.cite(node, lines)
        return node

    def stories(self, section: Section) -> None:
        g, c = self.graph, self.cluster
        for k, piece in enumerate(self.collect_paragraphs(section), start=1):
            text = piece.text
            head = text[:MAX_PARAGRAPH]
            label, cut = None, None
            group = WORKING_GROUP.search(head)
            call = CALL.search(head)
            if call:
                name = re.sub(r"(?:\s(?:and|of|for|on))+$", "", call.group(1))
                label = head[: call.start(1) + len(name)]
            elif group:
                label = head[: group.end(1)]
            else:
                cut = re.search(r"[:,;]|\. ", head)
                label = head[: cut.start()] if cut else head.rstrip(".")
            label = label.strip()[:200] or f"Success story {k}"
            story = self.mint("", label, local=True)
            g.add((story, RDF.type, CKG.SuccessStory))
            self.label(story, label)
            g.add((story, DCTERMS.description, Literal(text, lang="en")))
            g.add((c, CKG.successStory, story))
            self.cite(story, piece.lines)
            if not (call or group):
                self.note(piece.lines, "Label drafted from the description's first words.", story)
            if not _is_complete(text):
                self.note(
                    piece.lines,
                    "The description does not end a sentence: part of it "
                    "may be elsewhere on the page.",
                    story,
                )
            if call:
                self.funding_call(story, head, call, name, piece.lines)
            if group:
                self.working_group(story, head, group.group(1).strip(), piece.lines)
            for eco, names in self.vocab.ecosystems:
                if any(len(n) > 3 and _norm(n) in _norm(head) for n in names):
                    g.add((story, CKG.relatedEcosystem, eco))
            self.figures(story, label, head, piece.lines)

    def funding_call(self, story, head: str, match, name: str, lines) -> None:
        g = self.graph
        call = self.mint("call", name)
        g.add((call, RDF.type, CKG.FundingCall))
        self.label(call, f"Call {name}")
        self.cite(call, lines)
        g.add((story, CKG.concernsCall, call))
        before = head[: match.start()]
        owner = re.search(r"((?:[A-Z][\w-]*\s?){1,6})['\u2019]s\s*$", before)
        after = re.match(
            r"\s*of the ([A-Z][^():,]{2,80}?)(?: \(([A-Z][\w-]{1,15})\))?[:,]",
            head[match.start(1) + len(name) :],
        )
        publisher = None
        if owner:
            publisher = self.vocab.by_name(self.vocab.organizations, owner.group(1).strip())
        elif after:
            publisher = self.organization(after.group(1).strip(), lines, after.group(2))
        if publisher is not None:
            g.add((call, DCTERMS.publisher, publisher))

    def working_group(self, story, head: str, name: str, lines) -> None:
        g = self.graph
        group = self.mint("working-group", name)
        g.add((group, RDF.type, CKG.WorkingGroup))
        self.label(group, name)
        self.cite(group, lines)
        g.add((story, CKG.established, group))
        if "connection with" in head:
            for network in self.mentioned_networks(head):
                g.add((group, CKG.inConnectionWith, network))

    def figures(self, subject: URIRef, label: str, head: str, lines) -> None:
        g = self.graph
        for match in FIGURE.finditer(head):
            value = int(match.group(1))
            if 1900 <= value <= 2100 and len(match.group(1)) == 4:
                continue
            unit = match.group(2).strip()
            figure = self.mint("", f"{slugify(label)[:40]}-figure-{value}", local=True)
            g.add((figure, RDF.type, CKG.Figure))
            self.label(figure, f"{value} {unit}")
            g.add((figure, SCHEMA.value, Literal(value)))
            g.add((figure, SCHEMA.unitText, Literal(unit, lang="en")))
            g.add((subject, CKG.figure, figure))
            self.cite(figure, lines)
            self.note(
                lines,
                f"Figure {value} drafted from the words after it; check its label and unit.",
                figure,
            )

    def projects(self, section: Section) -> None:
        g, c = self.graph, self.cluster
        body = list(section.body)
        titles: list[tuple[int, re.Match[str]]] = []
        runs: list[Piece] = []
        current: list[tuple[int, str]] = []
        after: int | None = None

        def flush():
            for k, piece in enumerate(pieces(current)):
                piece.after, piece.first_after = after, k == 0
                runs.append(piece)
            current.clear()

        for number, line in body:
            match = PROJECT_TITLE.fullmatch(line)
            if match:
                flush()
                titles.append((number, match))
                after = len(titles) - 1
            else:
                current.append((number, line))
        flush()
        year = section.year
        if not titles:
            self.note(
                [n for n, _ in body] or [section.first],
                "No project title (ACRONYM - Name) found under the projects heading.",
                c,
                comment=True,
            )
            self.loose.extend(runs)
            return
        heads, tails, moved = _assign_descriptions([m.group(0) for _, m in titles], runs)
        # Tails and fragments from elsewhere finish descriptions that do not end a sentence.
        leftover = [p for p in runs if not any(p in v for v in (*heads.values(), *tails.values()))]
        for piece in [*leftover, *list(self.loose)]:
            open_ = [
                i
                for i in heads
                if heads[i] and not _is_complete(" ".join(p.text for p in heads[i] + tails[i]))
            ]
            if open_:
                tails[open_[0]].append(piece)
                moved.add(open_[0])
                if piece in self.loose:
                    self.loose.remove(piece)
            elif piece not in self.loose:
                self.loose.append(piece)
        for i, (number, match) in enumerate(titles):
            title = match.group(0)
            acronym = match["acronym"]
            project = self.mint("project", acronym)
            g.add((project, RDF.type, CKG.Project))
            self.label(project, title)
            g.add((project, DCTERMS.title, Literal(title, lang="en")))
            g.add((project, CKG.acronym, Literal(acronym)))
            if year:
                g.add((project, CKG.ongoingIn, Literal(year, datatype=XSD.gYear)))
            g.add((c, CKG.project, project))
            parts = heads[i] + tails[i]
            self.cite(project, [section.first, number, *(n for p in parts for n in p.lines)])
            if not parts:
                g.add((project, CKG.notStatedInSource, DCTERMS.description))
                self.note(
                    [number], "The page gives the project's title and no description.", project
                )
                continue
            description = " ".join(p.text for p in parts)
            g.add((project, DCTERMS.description, Literal(description, lang="en")))
            if i in moved:
                order = "; ".join(_line_list(p.lines) for p in parts)
                self.note(
                    [n for p in parts for n in p.lines],
                    "The extracted text splits this "
                    f"description; it is reassembled from lines {order}, in that order: "
                    "check it.",
                    project,
                )
            elif not _is_complete(description):
                self.note(
                    [n for p in parts for n in p.lines],
                    "The description does not end a "
                    "sentence: part of it may be elsewhere on the page.",
                    project,
                )

    def synergies(self) -> None:
        blocks: list[list[Section]] = []
        previous = None
        for section in self.sections:
            if section.kind not in SYNERGY_KINDS:
                previous = section
                continue
            kinds = [s.kind for s in blocks[-1]] if blocks and blocks[-1][-1] is not None else []
            continues = (
                blocks
                and previous is None
                and section.kind not in kinds
                and SYNERGY_KINDS.index(section.kind) > SYNERGY_KINDS.index(kinds[-1])
            )
            if continues:
                blocks[-1].append(section)
            else:
                blocks.append([section])
                self.block_after[len(blocks) - 1] = previous
            previous = None
        for k, block in enumerate(blocks, start=1):
            self.synergy(k, block, self.block_after.get(k - 1))

    def synergy(self, k: int, block: list[Section], after: Section | None) -> None:
        g, c = self.graph, self.cluster
        node = URIRef(f"{c}/synergy-{k}")
        g.add((node, RDF.type, CKG.Synergy))
        g.add((c, CKG.synergy, node))
        lines = [n for s in block for n in (s.first, *(m for m, _ in s.body))]
        self.cite(node, lines)
        has_s3, missions = False, []
        for section in block:
            if section.kind == "s3":
                has_s3 = True
                for number, text in section.body:
                    name = re.sub(r"(?i)\s+ecosystem$", "", text)
                    eco = self.vocab.by_name(self.vocab.ecosystems, name)
                    if eco is None:
                        self.note(
                            [number], f"{text!r} is not an ecosystem of the regional S3.", node
                        )
                    else:
                        g.add((node, CKG.alignsWith, eco))
            elif section.kind == "pnrr":
                missions += self.pnrr(node, section)
            elif section.body:
                self.note(
                    [n for n, _ in section.body],
                    "Text under the synergies heading was not used.",
                    node,
                )
        parts = ["the Lombardy S3"] if has_s3 else []
        if missions:
            numbers = sorted(set(missions))
            word = "Mission" if len(numbers) == 1 else "Missions"
            parts.append(f"PNRR {word} " + " and ".join(str(n) for n in numbers))
        self.label(node, "Synergies with " + (" and ".join(parts) or "other strategies"))
        if after is not None:
            where = after.heading or "the page's title"
            self.note(
                [block[0].first],
                f"The page prints this block after {where!r}; it does "
                "not say whether it applies to that section or to the cluster as a whole.",
                node,
            )

    def pnrr(self, synergy: URIRef, section: Section) -> list[int]:
        body = list(section.body)
        mission, numbers, i = None, [], 0
        while i < len(body):
            number, text = body[i]
            m = MISSION.fullmatch(text)
            comp = COMPONENT.fullmatch(text)
            if not (m or comp):
                self.note(
                    [number],
                    f"Could not place {text[:80]!r} in the PNRR block.",
                    synergy,
                    comment=True,
                )
                i += 1
                continue
            match = m or comp
            stated = int(match.group(1))
            title, used = match.group(2), [number]
            if not title and i + 1 < len(body):
                nxt = body[i + 1][1]
                if not (MISSION.fullmatch(nxt) or COMPONENT.fullmatch(nxt)):
                    title, used = nxt, [number, body[i + 1][0]]
                    i += 1
            # A title wrapped over lines: the next line continues it.
            while title and i + 1 < len(body) and len(title) < 300:
                nxt = body[i + 1][1]
                if MISSION.fullmatch(nxt) or COMPONENT.fullmatch(nxt):
                    break
                ends_open = title.rsplit(" ", 1)[-1].lower() in JOINING_WORDS | {"e", "di"}
                if not (ends_open or nxt[:1].islower()):
                    break
                title, used = f"{title} {nxt}", [*used, body[i + 1][0]]
                i += 1
            i += 1
            if m:
                mission = self.mission(synergy, stated, title, used)
                numbers.append(stated)
            else:
                self.component(synergy, mission, stated, title, used)
        return numbers

    def stated_reference(self, synergy, kind: str, stated: int, title: str | None, lines):
        g = self.graph
        ref = URIRef(f"{synergy}-{kind}-{stated}")
        n = 2
        while (ref, RDF.type, CKG.StatedReference) in g:
            ref, n = URIRef(f"{synergy}-{kind}-{stated}-{n}"), n + 1
        g.add((ref, RDF.type, CKG.StatedReference))
        g.add((synergy, CKG.statedReference, ref))
        g.add((ref, CKG.statedNumber, Literal(stated)))
        name = kind.capitalize()
        self.label(ref, f"{name} {stated}: {title}" if title else f"{name} {stated}")
        if title:
            g.add((ref, CKG.statedTitle, Literal(title, lang="en")))
        self.cite(ref, lines)
        return ref

    def mission(self, synergy, stated: int, title: str | None, lines) -> URIRef | None:
        vocab = self.vocab
        ref = self.stated_reference(synergy, "mission", stated, title, lines)
        found = vocab.best_title(vocab.missions, title) if title else None
        by_number = next((m for m, _ in vocab.missions if vocab.number(m) == stated), None)
        if found is None and by_number is not None:
            found = by_number
            if title:
                self.note(
                    lines,
                    f"The title {title!r} matches no official PNRR mission; the "
                    f"reference is identified by its number as {vocab.code(found)} "
                    f"({vocab.title(found)!r}).",
                    ref,
                )
        elif found is not None and vocab.number(found) != stated:
            self.note(
                lines,
                f"Identified by its title as {vocab.code(found)}, whose official "
                f"number is {vocab.number(found)}, not {stated}.",
                ref,
            )
        if found is None:
            self.note(lines, f"Mission {stated} is not a PNRR mission: it refers to nothing.", ref)
            return None
        self.graph.add((ref, CKG.refersTo, found))
        self.graph.add((synergy, CKG.alignsWith, found))
        return found

    def component(self, synergy, mission, stated: int, title: str | None, lines) -> None:
        vocab, g = self.vocab, self.graph
        ref = self.stated_reference(synergy, "component", stated, title, lines)
        inside = [
            (c, names)
            for c, names in vocab.components
            if mission is None or (c, SKOS.broader, mission) in vocab.graph
        ]
        found = vocab.best_title(inside, title) if title else None
        found = found or (vocab.best_title(vocab.components, title) if title else None)
        by_number = next((c for c, _ in inside if vocab.number(c) == stated), None)
        if found is None:
            if by_number is None or mission is None:
                self.note(
                    lines,
                    f"Component {stated} {title or ''} is not identified: it refers to nothing.",
                    ref,
                )
                return
            found = by_number
            if title:
                self.note(
                    lines,
                    f"Identified by its number within {vocab.code(mission)} as "
                    f"{vocab.code(found)}, whose official title is "
                    f"{vocab.title(found)!r}: the page words it differently.",
                    ref,
                )
        elif vocab.number(found) != stated:
            official = by_number
            tail = (
                f" Officially component {stated} of {vocab.code(mission)} "
                f"({vocab.code(official)}) is {vocab.title(official)!r}"
                if official is not None and mission is not None
                else ""
            )
            self.note(
                lines,
                f"Identified by its title as {vocab.code(found)}.{tail}: the page "
                "prints a different number.",
                ref,
            )
        g.add((ref, CKG.refersTo, found))
        g.add((synergy, CKG.alignsWith, found))

    def networking(self, section: Section) -> None:
        g, c = self.graph, self.cluster
        for piece in self.collect_paragraphs(section):
            text = piece.text
            lines = [section.first, *piece.lines]
            sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
            mission_at = next(
                (k for k, s in enumerate(sentences) if BUSINESS_MISSION.match(s[:MAX_PARAGRAPH])),
                None,
            )
            kept = sentences[:mission_at] if mission_at else sentences
            description = " ".join(kept)
            annual = ANNUAL_EVENT.match(description[:MAX_PARAGRAPH])
            if annual:
                label = f"{annual['name']} ({annual['acronym']})"
            elif mission_at == 0:
                label = "Business missions"
            else:
                cut = re.search(r"[:,;]|\. ", description)
                label = description[: cut.start()] if cut else description.rstrip(".")
            label = _shorten(label) or "Networking activity"
            activity = self.mint("", label, local=True)
            g.add((activity, RDF.type, CKG.NetworkingActivity))
            self.label(activity, label)
            g.add((activity, DCTERMS.description, Literal(description, lang="en")))
            g.add((c, CKG.networkingActivity, activity))
            self.cite(activity, lines)
            if not annual:
                self.note(
                    piece.lines, "Label drafted from the description's first words.", activity
                )
            if annual:
                self.event_series(activity, annual, piece.lines)
            held = re.search(
                r"as done for (?:the )?([A-Z][\w'\u2019-]*(?: [A-Z][\w'\u2019-]*)"
                r"{0,8})",
                description[:MAX_PARAGRAPH],
            )
            if held:
                self.held_for(activity, held.group(1), description, piece.lines)
            if mission_at is not None:
                rest = " ".join(sentences[mission_at:])
                self.business_mission(activity, rest, piece.lines)

    def event_series(self, activity, match, lines) -> None:
        g = self.graph
        event = self.mint("event", match["acronym"])
        g.add((event, RDF.type, CKG.EventSeries))
        self.label(event, match["name"])
        g.add((event, CKG.acronym, Literal(match["acronym"])))
        if match["annual"]:
            g.add((event, CKG.repeatFrequency, Literal("P1Y", datatype=XSD.duration)))
        else:
            self.note(lines, "How often the event recurs is not stated.", event)
        g.add((event, DCTERMS.description, Literal(_sentence(match["what"]), lang="en")))
        g.add((activity, CKG.includesEvent, event))
        self.cite(event, lines)
        via = PROVIDED_BY.search(match["via"] or "")
        if via:
            by = via["by"].strip()
            acr = re.search(r"\(([A-Z][\w-]{1,15})\)", by)
            name = re.sub(r"\s*\([^)]*\)", "", by)
            provider = self.network(name, acr.group(1) if acr else None)
            if provider is None:
                provider = self.organization(name, lines, acr.group(1) if acr else None)
            platform = self.mint("platform", match["acronym"])
            g.add((platform, RDF.type, CKG.Platform))
            kind = (via["kind"] or "").strip().lower()
            kind = "Networking" if kind in ("", "a", "an", "the", "its") else kind.capitalize()
            self.label(platform, f"{kind} platform of {match['name']}")
            g.add((platform, CKG.providedBy, provider))
            g.add((event, CKG.platform, platform))
            self.cite(platform, lines)
            self.note(
                lines, "The page does not name the platform; the label describes it.", platform
            )

    def held_for(self, activity, name: str, description: str, lines) -> None:
        g = self.graph
        org = self.organization(name, lines)
        event = self.mint("event", name)
        g.add((event, RDF.type, CKG.Event))
        self.label(event, f"Event for the {name}")
        g.add((event, CKG.heldFor, org))
        g.add((activity, CKG.includesEvent, event))
        self.cite(event, lines)
        self.note(lines, "Event drafted from 'as done for ...'; check its label.", event)

    def business_mission(self, activity, text: str, lines) -> None:
        g = self.graph
        match = BUSINESS_MISSION.match(text[:MAX_PARAGRAPH])
        if not match:
            return
        the = match["the"] or ""
        destination = match["place"]
        event = self.mint("event", f"business-mission-{destination}-{match['year']}")
        g.add((event, RDF.type, CKG.BusinessMission))
        self.label(event, f"Business mission to {the}{destination}, {match['year']}")
        g.add((event, DCTERMS.description, Literal(text, lang="en")))
        g.add((event, DCTERMS.date, Literal(match["year"], datatype=XSD.gYear)))
        g.add((event, CKG.destination, self.place(destination, lines)))
        g.add((activity, CKG.includesEvent, event))
        self.cite(event, lines)
        who = match["who"]
        if re.search(r"(?i)\bthe cluster\b", who):
            g.add((event, CKG.participant, self.cluster))
        member = MEMBER.search(who)
        if member:
            name = member["name"].strip()
            acronym = name if re.fullmatch(r"[A-Z0-9&-]{2,15}", name) else None
            org = self.organization(name, lines, acronym)
            g.add((org, ORG.memberOf, self.cluster))
            g.add((event, CKG.participant, org))


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


def missing_facts(
    graph: Graph, reference: Graph, cluster: URIRef, sections: list[Section]
) -> list[Note]:
    """The facts the shapes require (``sh:minCount``) that neither the draft nor the reference
    vocabularies give, each with the page lines where they would come from."""
    found = []
    lines_of = {}
    for s in sections:
        lines_of.setdefault(s.kind, [s.first])
    kinds = {
        CKG.referenceEcosystem: "ecosystem",
        CKG.technologyArea: "technology",
        CKG.headquarters: "headquarters",
    }
    for cls, prop, what, shape in REQUIRED:
        for node in sorted(set(graph.subjects(RDF.type, cls))):
            if (node, prop, None) in graph or (node, prop, None) in reference:
                continue
            name = next(iter(graph.objects(node, SKOS.prefLabel)), node)
            cited = [
                int(str(o).rsplit("=", 1)[1].split(",")[0]) + 1
                for o in graph.objects(node, PROV.wasDerivedFrom)
            ]
            lines = lines_of.get(kinds.get(prop, ""), cited[:1])
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
    from .pipeline import check  # the full pipeline; imported here to keep extraction light

    name = draft.source.rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="clusterkg-extract-") as tmp:
        root = Path(tmp)
        for folder in ("ontology", "data", "queries"):
            if (project.root / folder).is_dir():
                shutil.copytree(project.root / folder, root / folder)
        profiles = root / "data" / "profiles"
        profiles.mkdir(parents=True, exist_ok=True)
        for existing in sorted(profiles.glob("*.ttl")):
            if f"<{draft.cluster}>" in existing.read_text(encoding="utf-8", errors="replace") or (
                f"cluster:{draft.slug} " in existing.read_text(encoding="utf-8", errors="replace")
            ):
                existing.unlink()
        (root / "data" / "sources").mkdir(parents=True, exist_ok=True)
        (root / "data" / "sources" / name).write_bytes(page_text.encode("utf-8"))
        (profiles / f"{draft.slug}.draft.ttl").write_text(draft.turtle(), encoding="utf-8")
        checked = check(Project(root, project.base))
    problems = [f.line() for f in checked.validation.violations] if checked.validation else []
    problems += [f"quality check {f.check} failed: {f.summary}" for f in checked.check_failures]
    problems += [f"OWL inconsistency: {p}" for p in checked.inference.inconsistencies]
    return problems
