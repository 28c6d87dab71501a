"""The synergies blocks: alignment with the regional S3 and with PNRR missions and components.

The page states PNRR references by number and title, and either can be wrong: each becomes a
``ckg:StatedReference`` that keeps the page's wording and refers to the official element found
by title (fuzzy) or, failing that, by number, with a note wherever the two disagree.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SKOS

from ..project import CKG
from .page import JOINING_WORDS, Section

if TYPE_CHECKING:  # the drafting state imports this module's functions
    from .draft import Drafting

SYNERGY_KINDS = ("synergies", "s3", "pnrr")
MISSION = re.compile(r"(?i)mission\s+(\d{1,2})(?:\s*[-:\u2013]\s*(.+))?")
COMPONENT = re.compile(r"(?i)component\s+(\d{1,2})(?:\s*[-:\u2013]\s*(.+))?")


def _is_reference(text: str) -> bool:
    return bool(MISSION.fullmatch(text) or COMPONENT.fullmatch(text))


def synergies(d: Drafting) -> None:
    """One synergy per block of synergy headings; a block is headings in their usual order
    (SYNERGIES, S3, PNRR) with nothing else between them."""
    blocks: list[tuple[Section | None, list[Section]]] = []  # the section before, the block
    previous = None
    for section in d.sections:
        if section.kind not in SYNERGY_KINDS:
            previous = section
            continue
        kinds = [s.kind for s in blocks[-1][1]] if blocks else []
        continues = (
            blocks
            and previous is None
            and section.kind not in kinds
            and SYNERGY_KINDS.index(section.kind) > SYNERGY_KINDS.index(kinds[-1])
        )
        if continues:
            blocks[-1][1].append(section)
        else:
            blocks.append((previous, [section]))
        previous = None
    for k, (after, block) in enumerate(blocks, start=1):
        _synergy(d, k, block, after)


def _synergy(d: Drafting, k: int, block: list[Section], after: Section | None) -> None:
    g, c = d.graph, d.cluster
    node = URIRef(f"{c}/synergy-{k}")
    g.add((node, RDF.type, CKG.Synergy))
    g.add((c, CKG.synergy, node))
    lines = [n for s in block for n in (s.first, *(m for m, _ in s.body))]
    d.cite(node, lines)
    has_s3, missions = False, []
    for section in block:
        if section.kind == "s3":
            has_s3 = True
            for number, text in section.body:
                name = re.sub(r"(?i)\s+ecosystem$", "", text)
                eco = d.vocab.by_name(d.vocab.ecosystems, name)
                if eco is None:
                    d.note([number], f"{text!r} is not an ecosystem of the regional S3.", node)
                else:
                    g.add((node, CKG.alignsWith, eco))
        elif section.kind == "pnrr":
            missions += _pnrr(d, node, section)
        elif section.body:
            d.note(
                [n for n, _ in section.body], "Text under the synergies heading was not used.", node
            )
    parts = ["the Lombardy S3"] if has_s3 else []
    if missions:
        numbers = sorted(set(missions))
        word = "Mission" if len(numbers) == 1 else "Missions"
        parts.append(f"PNRR {word} " + " and ".join(str(n) for n in numbers))
    d.label(node, "Synergies with " + (" and ".join(parts) or "other strategies"))
    if after is not None:
        where = after.heading or "the page's title"
        d.note(
            [block[0].first],
            f"The page prints this block after {where!r}; it does "
            "not say whether it applies to that section or to the cluster as a whole.",
            node,
        )


def _pnrr(d: Drafting, synergy: URIRef, section: Section) -> list[int]:
    """The missions and components listed under a PNRR heading; the numbers of the missions."""
    body = list(section.body)
    mission, numbers, i = None, [], 0
    while i < len(body):
        number, text = body[i]
        m = MISSION.fullmatch(text)
        comp = COMPONENT.fullmatch(text)
        if not (m or comp):
            d.note(
                [number], f"Could not place {text[:80]!r} in the PNRR block.", synergy, comment=True
            )
            i += 1
            continue
        match = m or comp
        stated = int(match.group(1))
        title, used = match.group(2), [number]
        if not title and i + 1 < len(body) and not _is_reference(body[i + 1][1]):
            title, used = body[i + 1][1], [number, body[i + 1][0]]
            i += 1
        # A title wrapped over lines: the next line continues it.
        while title and i + 1 < len(body) and len(title) < 300:
            nxt = body[i + 1][1]
            if _is_reference(nxt):
                break
            ends_open = title.rsplit(" ", 1)[-1].lower() in JOINING_WORDS | {"e", "di"}
            if not (ends_open or nxt[:1].islower()):
                break
            title, used = f"{title} {nxt}", [*used, body[i + 1][0]]
            i += 1
        i += 1
        if m:
            mission = _mission(d, synergy, stated, title, used)
            numbers.append(stated)
        else:
            _component(d, synergy, mission, stated, title, used)
    return numbers


def _stated_reference(d: Drafting, synergy, kind: str, stated: int, title: str | None, lines):
    g = d.graph
    ref = URIRef(f"{synergy}-{kind}-{stated}")
    n = 2
    while (ref, RDF.type, CKG.StatedReference) in g:
        ref, n = URIRef(f"{synergy}-{kind}-{stated}-{n}"), n + 1
    g.add((ref, RDF.type, CKG.StatedReference))
    g.add((synergy, CKG.statedReference, ref))
    g.add((ref, CKG.statedNumber, Literal(stated)))
    name = kind.capitalize()
    d.label(ref, f"{name} {stated}: {title}" if title else f"{name} {stated}")
    if title:
        g.add((ref, CKG.statedTitle, Literal(title, lang="en")))
    d.cite(ref, lines)
    return ref


def _mission(d: Drafting, synergy, stated: int, title: str | None, lines) -> URIRef | None:
    vocab = d.vocab
    ref = _stated_reference(d, synergy, "mission", stated, title, lines)
    found = vocab.best_title(vocab.missions, title) if title else None
    by_number = next((m for m, _ in vocab.missions if vocab.number(m) == stated), None)
    if found is None and by_number is not None:
        found = by_number
        if title:
            d.note(
                lines,
                f"The title {title!r} matches no official PNRR mission; the "
                f"reference is identified by its number as {vocab.code(found)} "
                f"({vocab.title(found)!r}).",
                ref,
            )
    elif found is not None and vocab.number(found) != stated:
        d.note(
            lines,
            f"Identified by its title as {vocab.code(found)}, whose official "
            f"number is {vocab.number(found)}, not {stated}.",
            ref,
        )
    if found is None:
        d.note(lines, f"Mission {stated} is not a PNRR mission: it refers to nothing.", ref)
        return None
    d.graph.add((ref, CKG.refersTo, found))
    d.graph.add((synergy, CKG.alignsWith, found))
    return found


def _component(d: Drafting, synergy, mission, stated: int, title: str | None, lines) -> None:
    vocab, g = d.vocab, d.graph
    ref = _stated_reference(d, synergy, "component", stated, title, lines)
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
            d.note(
                lines,
                f"Component {stated} {title or ''} is not identified: it refers to nothing.",
                ref,
            )
            return
        found = by_number
        if title:
            d.note(
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
        d.note(
            lines,
            f"Identified by its title as {vocab.code(found)}.{tail}: the page "
            "prints a different number.",
            ref,
        )
    g.add((ref, CKG.refersTo, found))
    g.add((synergy, CKG.alignsWith, found))
