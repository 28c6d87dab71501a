"""The prose sections: success stories, ongoing projects and networking activities.

Their paragraphs suffer most from PDF extraction: project descriptions split into pieces and
interleaved with each other, fragments far from their sentence. Pieces are matched to project
titles by the words they share; what cannot be placed stays in ``Drafting.loose`` and the draft
says so. Labels are drafted from a paragraph's first words and noted as such.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from ..project import CKG
from .page import (
    MAX_PARAGRAPH,
    SENTENCE_END,
    Piece,
    Section,
    assign_descriptions,
    is_complete,
    line_list,
    pieces,
    slugify,
)
from .vocabulary import ORG, SCHEMA, mentioned_networks, network, norm, organization, place

if TYPE_CHECKING:  # the drafting state imports this module's functions
    from .draft import Drafting

PROJECT_TITLE = re.compile(
    r"(?P<acronym>(?=[^ ]{0,24}[A-Z])[A-Za-z0-9][\w.&+-]{1,24}) [-\u2013\u2014] "
    r"(?P<name>[A-Z][^.]{2,150})"
)
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
MEMBER = re.compile(r"one of its members \((?P<name>[^()]{1,80})\)")

FIRST_WORDS = "Label drafted from the description's first words."
UNFINISHED = "The description does not end a sentence: part of it may be elsewhere on the page."


def _first_words(text: str) -> str:
    """A label from a paragraph: up to its first comma, colon, semicolon or full stop."""
    cut = re.search(r"[:,;]|\. ", text)
    return text[: cut.start()] if cut else text.rstrip(".")


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


def collect_paragraphs(d: Drafting, section: Section) -> list[Piece]:
    """Paragraphs of a prose section; fragments that cannot continue one go to ``loose``."""
    if section.first in d.paragraphs:
        return d.paragraphs[section.first]
    paragraphs: list[Piece] = []
    for piece in pieces(list(section.body)):
        if not piece.is_head:
            d.loose.append(piece)
        else:
            paragraphs.append(piece)
    d.paragraphs[section.first] = paragraphs
    return paragraphs


# ---------------------------------------------------------------------------------------------
# Success stories
# ---------------------------------------------------------------------------------------------


def stories(d: Drafting, section: Section) -> None:
    g, c = d.graph, d.cluster
    for k, piece in enumerate(collect_paragraphs(d, section), start=1):
        text = piece.text
        head = text[:MAX_PARAGRAPH]
        group = WORKING_GROUP.search(head)
        call = CALL.search(head)
        if call:
            name = re.sub(r"(?:\s(?:and|of|for|on))+$", "", call.group(1))
            label = head[: call.start(1) + len(name)]
        elif group:
            label = head[: group.end(1)]
        else:
            label = _first_words(head)
        label = label.strip()[:200] or f"Success story {k}"
        story = d.mint("", label, local=True)
        g.add((story, RDF.type, CKG.SuccessStory))
        d.label(story, label)
        g.add((story, DCTERMS.description, Literal(text, lang="en")))
        g.add((c, CKG.successStory, story))
        d.cite(story, piece.lines)
        if not (call or group):
            d.note(piece.lines, FIRST_WORDS, story)
        if not is_complete(text):
            d.note(piece.lines, UNFINISHED, story)
        if call:
            _funding_call(d, story, head, call, name, piece.lines)
        if group:
            _working_group(d, story, head, group.group(1).strip(), piece.lines)
        for eco, names in d.vocab.ecosystems:
            if any(len(n) > 3 and norm(n) in norm(head) for n in names):
                g.add((story, CKG.relatedEcosystem, eco))
        _figures(d, story, label, head, piece.lines)


def _funding_call(d: Drafting, story, head: str, match, name: str, lines) -> None:
    g = d.graph
    call = d.mint("call", name)
    g.add((call, RDF.type, CKG.FundingCall))
    d.label(call, f"Call {name}")
    d.cite(call, lines)
    g.add((story, CKG.concernsCall, call))
    before = head[: match.start()]
    owner = re.search(r"((?:[A-Z][\w-]*\s?){1,6})['\u2019]s\s*$", before)
    after = re.match(
        r"\s*of the ([A-Z][^():,]{2,80}?)(?: \(([A-Z][\w-]{1,15})\))?[:,]",
        head[match.start(1) + len(name) :],
    )
    publisher = None
    if owner:
        publisher = d.vocab.by_name(d.vocab.organizations, owner.group(1).strip())
    elif after:
        publisher = organization(d, after.group(1).strip(), lines, after.group(2))
    if publisher is not None:
        g.add((call, DCTERMS.publisher, publisher))


def _working_group(d: Drafting, story, head: str, name: str, lines) -> None:
    g = d.graph
    group = d.mint("working-group", name)
    g.add((group, RDF.type, CKG.WorkingGroup))
    d.label(group, name)
    d.cite(group, lines)
    g.add((story, CKG.established, group))
    if "connection with" in head:
        for node in mentioned_networks(d, head):
            g.add((group, CKG.inConnectionWith, node))


def _figures(d: Drafting, subject: URIRef, label: str, head: str, lines) -> None:
    g = d.graph
    for match in FIGURE.finditer(head):
        value = int(match.group(1))
        if 1900 <= value <= 2100 and len(match.group(1)) == 4:  # a year, not a figure
            continue
        unit = match.group(2).strip()
        figure = d.mint("", f"{slugify(label)[:40]}-figure-{value}", local=True)
        g.add((figure, RDF.type, CKG.Figure))
        d.label(figure, f"{value} {unit}")
        g.add((figure, SCHEMA.value, Literal(value)))
        g.add((figure, SCHEMA.unitText, Literal(unit, lang="en")))
        g.add((subject, CKG.figure, figure))
        d.cite(figure, lines)
        d.note(
            lines,
            f"Figure {value} drafted from the words after it; check its label and unit.",
            figure,
        )


# ---------------------------------------------------------------------------------------------
# Ongoing projects
# ---------------------------------------------------------------------------------------------


def projects(d: Drafting, section: Section) -> None:
    g, c = d.graph, d.cluster
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
    if not titles:
        d.note(
            [n for n, _ in body] or [section.first],
            "No project title (ACRONYM - Name) found under the projects heading.",
            c,
            comment=True,
        )
        d.loose.extend(runs)
        return
    heads, tails, moved = assign_descriptions([m.group(0) for _, m in titles], runs)
    # Tails and fragments from elsewhere finish descriptions that do not end a sentence.
    leftover = [p for p in runs if not any(p in v for v in (*heads.values(), *tails.values()))]
    for piece in [*leftover, *list(d.loose)]:
        open_ = [
            i
            for i in heads
            if heads[i] and not is_complete(" ".join(p.text for p in heads[i] + tails[i]))
        ]
        if open_:
            tails[open_[0]].append(piece)
            moved.add(open_[0])
            if piece in d.loose:
                d.loose.remove(piece)
        elif piece not in d.loose:
            d.loose.append(piece)
    for i, (number, match) in enumerate(titles):
        title = match.group(0)
        acronym = match["acronym"]
        project = d.mint("project", acronym)
        g.add((project, RDF.type, CKG.Project))
        d.label(project, title)
        g.add((project, DCTERMS.title, Literal(title, lang="en")))
        g.add((project, CKG.acronym, Literal(acronym)))
        if section.year:
            g.add((project, CKG.ongoingIn, Literal(section.year, datatype=XSD.gYear)))
        g.add((c, CKG.project, project))
        parts = heads[i] + tails[i]
        d.cite(project, [section.first, number, *(n for p in parts for n in p.lines)])
        if not parts:
            g.add((project, CKG.notStatedInSource, DCTERMS.description))
            d.note([number], "The page gives the project's title and no description.", project)
            continue
        description = " ".join(p.text for p in parts)
        g.add((project, DCTERMS.description, Literal(description, lang="en")))
        part_lines = [n for p in parts for n in p.lines]
        if i in moved:
            order = "; ".join(line_list(p.lines) for p in parts)
            d.note(
                part_lines,
                "The extracted text splits this "
                f"description; it is reassembled from lines {order}, in that order: "
                "check it.",
                project,
            )
        elif not is_complete(description):
            d.note(part_lines, UNFINISHED, project)


# ---------------------------------------------------------------------------------------------
# Networking activities
# ---------------------------------------------------------------------------------------------


def networking(d: Drafting, section: Section) -> None:
    g, c = d.graph, d.cluster
    for piece in collect_paragraphs(d, section):
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
            label = _first_words(description)
        label = _shorten(label) or "Networking activity"
        activity = d.mint("", label, local=True)
        g.add((activity, RDF.type, CKG.NetworkingActivity))
        d.label(activity, label)
        g.add((activity, DCTERMS.description, Literal(description, lang="en")))
        g.add((c, CKG.networkingActivity, activity))
        d.cite(activity, lines)
        if annual:
            _event_series(d, activity, annual, piece.lines)
        else:
            d.note(piece.lines, FIRST_WORDS, activity)
        held = re.search(
            r"as done for (?:the )?([A-Z][\w'\u2019-]*(?: [A-Z][\w'\u2019-]*){0,8})",
            description[:MAX_PARAGRAPH],
        )
        if held:
            _held_for(d, activity, held.group(1), piece.lines)
        if mission_at is not None:
            _business_mission(d, activity, " ".join(sentences[mission_at:]), piece.lines)


def _event_series(d: Drafting, activity, match, lines) -> None:
    g = d.graph
    event = d.mint("event", match["acronym"])
    g.add((event, RDF.type, CKG.EventSeries))
    d.label(event, match["name"])
    g.add((event, CKG.acronym, Literal(match["acronym"])))
    if match["annual"]:
        g.add((event, CKG.repeatFrequency, Literal("P1Y", datatype=XSD.duration)))
    else:
        d.note(lines, "How often the event recurs is not stated.", event)
    g.add((event, DCTERMS.description, Literal(_sentence(match["what"]), lang="en")))
    g.add((activity, CKG.includesEvent, event))
    d.cite(event, lines)
    via = PROVIDED_BY.search(match["via"] or "")
    if via:
        by = via["by"].strip()
        acr = re.search(r"\(([A-Z][\w-]{1,15})\)", by)
        name = re.sub(r"\s*\([^)]*\)", "", by)
        provider = network(d, name, acr.group(1) if acr else None)
        if provider is None:
            provider = organization(d, name, lines, acr.group(1) if acr else None)
        platform = d.mint("platform", match["acronym"])
        g.add((platform, RDF.type, CKG.Platform))
        kind = (via["kind"] or "").strip().lower()
        kind = "Networking" if kind in ("", "a", "an", "the", "its") else kind.capitalize()
        d.label(platform, f"{kind} platform of {match['name']}")
        g.add((platform, CKG.providedBy, provider))
        g.add((event, CKG.platform, platform))
        d.cite(platform, lines)
        d.note(lines, "The page does not name the platform; the label describes it.", platform)


def _held_for(d: Drafting, activity, name: str, lines) -> None:
    g = d.graph
    org = organization(d, name, lines)
    event = d.mint("event", name)
    g.add((event, RDF.type, CKG.Event))
    d.label(event, f"Event for the {name}")
    g.add((event, CKG.heldFor, org))
    g.add((activity, CKG.includesEvent, event))
    d.cite(event, lines)
    d.note(lines, "Event drafted from 'as done for ...'; check its label.", event)


def _business_mission(d: Drafting, activity, text: str, lines) -> None:
    g = d.graph
    match = BUSINESS_MISSION.match(text[:MAX_PARAGRAPH])
    if not match:
        return
    the = match["the"] or ""
    destination = match["place"]
    event = d.mint("event", f"business-mission-{destination}-{match['year']}")
    g.add((event, RDF.type, CKG.BusinessMission))
    d.label(event, f"Business mission to {the}{destination}, {match['year']}")
    g.add((event, DCTERMS.description, Literal(text, lang="en")))
    g.add((event, DCTERMS.date, Literal(match["year"], datatype=XSD.gYear)))
    g.add((event, CKG.destination, place(d, destination, lines)))
    g.add((activity, CKG.includesEvent, event))
    d.cite(event, lines)
    who = match["who"]
    if re.search(r"(?i)\bthe cluster\b", who):
        g.add((event, CKG.participant, d.cluster))
    member = MEMBER.search(who)
    if member:
        name = member["name"].strip()
        acronym = name if re.fullmatch(r"[A-Z0-9&-]{2,15}", name) else None
        org = organization(d, name, lines, acronym)
        g.add((org, ORG.memberOf, d.cluster))
        g.add((event, CKG.participant, org))
