"""Reading a brochure page: its text, its sections with line ranges, and runs of text.

Line numbers count from 1, as the load stage numbers them, so that a draft's citations point at
the page as it is kept under ``data/sources``. Nothing here knows about RDF.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError

# A brochure page is about 6 kB of text; anything forty times larger is not a page. Drafting
# stays under about ten seconds up to this size.
MAX_BYTES = 256_000
# Regular expressions and fuzzy matching look at no more than this much of one paragraph.
MAX_PARAGRAPH = 2_000

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

SENTENCE_END = re.compile(r"[.!?][\"')\u201d]?$")
# A capital after one of these words continues the sentence (a name), not a new paragraph.
JOINING_WORDS = {"the", "of", "and", "to", "a", "an", "for", "in", "with", "by", "on", "from"}
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


# ---------------------------------------------------------------------------------------------
# The text of the page
# ---------------------------------------------------------------------------------------------


def _too_large(path: Path | str, size: int) -> SourceError:
    return SourceError(
        path, f"is {size:,} bytes; extract reads pages of at most {MAX_BYTES:,} bytes"
    )


def read_page(path: Path) -> str:
    """The text of a page, or a one-line ``SourceError`` (too large, not UTF-8, unreadable)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refused before reading: the file may be huge
            raise _too_large(path, size)
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read the file ({exc.strerror})") from exc
    return decode_page(data, path)


def decode_page(data: bytes, path: Path | str = "<page>") -> str:
    """Decode a page's bytes, refusing anything above ``MAX_BYTES`` or not UTF-8."""
    if len(data) > MAX_BYTES:
        raise _too_large(path, len(data))
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


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


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
# Runs of text
# ---------------------------------------------------------------------------------------------


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


def is_complete(text: str) -> bool:
    return bool(SENTENCE_END.search(text))


def _starts_new(previous: str, line: str) -> bool:
    """Whether ``line`` opens a new paragraph rather than continuing ``previous``."""
    first = line[:1]
    if first.isalpha() and not first.isupper():
        # Lower case after a finished sentence: a fragment from elsewhere, not a continuation.
        return is_complete(previous)
    if not first.isalpha():
        return is_complete(previous)
    last_word = previous.rsplit(" ", 1)[-1].lower() if previous else ""
    return is_complete(previous) or last_word not in JOINING_WORDS


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


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text[:MAX_PARAGRAPH].lower())}


def assign_descriptions(
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


# ---------------------------------------------------------------------------------------------
# Line numbers and words
# ---------------------------------------------------------------------------------------------


def spans(
    numbers: Iterable[int], bridged: Callable[[int], bool] = lambda _: False
) -> list[tuple[int, int]]:
    """Line numbers as ranges ``(first, last)``; a gap joins two ranges when every line in it
    is ``bridged`` (by default only adjacent lines join)."""
    numbers = sorted(set(numbers))
    if not numbers:
        return []
    ranges, start, prev = [], numbers[0], numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and all(bridged(m) for m in range(prev + 1, n)):
            prev = n
            continue
        ranges.append((start, prev))
        if n is not None:
            start = prev = n
    return ranges


def line_list(lines: Iterable[int]) -> str:
    """Line numbers for a reader: ``"3-5, 9"``, or ``"-"`` for none."""
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans(lines)) or "-"


def slugify(text: str, fallback: str = "item") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def split_list(text: str) -> list[str]:
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
