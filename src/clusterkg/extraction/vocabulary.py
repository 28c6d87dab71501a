"""Resolving the page's names against the reference vocabularies (``data/reference/*.ttl``),
and the general information block (ecosystem, technology areas, networks, headquarters,
website, number of members) that is mostly such names.

A name the vocabularies know becomes a link to their resource; one they do not know becomes a
new resource of the draft with a note asking the curator to check it and move it there. Where
the page words a known resource differently, the note says so, as the build does.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import TYPE_CHECKING

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, SKOS

from ..load import parse_source
from ..project import CKG, DEFAULT_BASE, Project, bind_prefixes
from .page import split_list

if TYPE_CHECKING:  # the drafting state imports this module's functions
    from .draft import Drafting

ORG = Namespace("http://www.w3.org/ns/org#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SCHEMA = Namespace("https://schema.org/")
ID = Namespace(f"{DEFAULT_BASE}id/")

ADDRESS = re.compile(
    r"(?P<street>[^,]{2,120}),\s*(?P<number>[\w/]{1,10})\s*[-\u2013]\s*"
    r"(?P<postcode>\d{5})\s+(?P<city>[^\d,]{2,60})"
)

Entries = list[tuple[URIRef, list[str]]]


def reference_graph(project: Project) -> Graph:
    """The project's reference vocabularies, read with the load stage's parser."""
    graph = Graph()
    folder = project.reference_dir
    if folder.is_dir():
        for path in sorted(folder.glob("*.ttl")):
            graph += parse_source(path)
    return bind_prefixes(graph)


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _similar(a: str, b: str) -> float:
    a, b = norm(a)[:200], norm(b)[:200]
    if not a or not b:
        return 0.0
    return 1.0 if a == b else difflib.SequenceMatcher(None, a, b).ratio()


class Vocabulary:
    """Look-ups in the reference vocabularies: by label, acronym, title."""

    def __init__(self, reference: Graph) -> None:
        self.graph = reference

        def labelled(cls: URIRef, *props: URIRef) -> Entries:
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
    def by_name(entries: Entries, text: str) -> URIRef | None:
        key = norm(text)
        for node, names in entries:
            if any(norm(n) == key for n in names):
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

    def best_title(self, entries: Entries, text: str, threshold: float = 0.85) -> URIRef | None:
        best, score = None, threshold
        for node, names in entries:
            for name in names:
                ratio = _similar(name, text)
                if ratio > score or (ratio == score and best is None):
                    best, score = node, ratio
        return best


# ---------------------------------------------------------------------------------------------
# The general information block, and the places and organizations prose sections also name
# ---------------------------------------------------------------------------------------------


def ecosystem(d: Drafting) -> None:
    section, body = d.value_lines("ecosystem")
    if section is None:
        return d.missing_section("ecosystem")
    lines = [n for n, _ in body]
    text = " ".join(t for _, t in body)
    name = re.sub(r"(?i)\s+ecosystem$", "", text)
    found = d.vocab.by_name(d.vocab.ecosystems, name) if name else None
    if found is None:
        found = d.vocab.best_title(d.vocab.ecosystems, name) if name else None
    if found is None:
        d.note(
            lines or [section.first],
            f"The reference ecosystem {text!r} is not an "
            "ecosystem of the regional S3 (data/reference/s3.ttl).",
            d.cluster,
        )
        return
    d.graph.add((d.cluster, CKG.referenceEcosystem, found))


def technology_areas(d: Drafting) -> None:
    section, body = d.value_lines("technology")
    if section is None:
        return d.missing_section("technology")
    g = d.graph
    lines = [n for n, _ in body]
    for name in split_list(" ".join(t for _, t in body)):
        area = d.vocab.by_name(d.vocab.areas, name)
        if area is None:
            area = d.mint("technology-area", name)
            g.add((area, RDF.type, CKG.TechnologyArea))
            d.label(area, name[:200])
            g.add((area, SKOS.inScheme, ID["scheme/technology-areas"]))
            d.cite(area, [section.first, *lines])
            d.note(
                lines,
                f"The technology area {name!r} is not in the reference "
                "vocabulary; check it and move it to "
                "data/reference/technology-areas.ttl.",
                area,
            )
        g.add((d.cluster, CKG.technologyArea, area))


def network(d: Drafting, name: str, acronym: str | None) -> URIRef | None:
    if acronym and acronym in d.vocab.acronyms:
        return d.vocab.acronyms[acronym]
    return d.vocab.by_name(d.vocab.networks, name) if name else None


def networks(d: Drafting) -> None:
    section, body = d.value_lines("networks")
    if section is None:
        return d.missing_section("networks")
    g = d.graph
    lines = [n for n, _ in body]
    for item in split_list(" ".join(t for _, t in body)):
        match = re.fullmatch(r"(.*?)\s*\(([^()]{1,20})\)", item)
        name, acronym = (match.group(1), match.group(2)) if match else (item, None)
        name = name[:200]
        node = network(d, name, acronym)
        if node is None:
            node = d.mint("network", name or acronym or "network")
            g.add((node, RDF.type, CKG.Network))
            d.label(node, name or acronym)
            if acronym:
                g.add((node, CKG.acronym, Literal(acronym)))
            g.add((node, CKG.nameInSource, Literal(name or acronym)))
            d.cite(node, [section.first, *lines])
            d.note(
                lines,
                f"The network {item!r} is not in the reference vocabulary; "
                "check it and move it to data/reference/networks.ttl.",
                node,
            )
        else:
            official = d.vocab.title(node)
            if name and norm(name) != norm(official):
                d.note(
                    lines,
                    f"The page calls {d.vocab.code(node)} {name!r}; its "
                    f"official name is {official!r} (the build reports this too).",
                )
        d.page_networks.append((node, name, acronym))
        g.add((d.cluster, CKG.participatesIn, node))


def mentioned_networks(d: Drafting, text: str) -> list[URIRef]:
    """The networks, known or drafted from this page, that ``text`` names."""
    found = []
    known = [(n, names) for n, names in d.vocab.networks]
    known += [(n, [name]) for n, name, _ in d.page_networks]
    for node, names in known:
        acronyms = [str(a) for a in d.graph.objects(node, CKG.acronym)]
        acronyms += [a for a, n in d.vocab.acronyms.items() if n == node]
        named = any(len(name) > 3 and name in text for name in names)
        if (named or any(f"({a})" in text for a in acronyms)) and node not in found:
            found.append(node)
    return found


def place(d: Drafting, name: str, lines) -> URIRef:
    found = d.vocab.by_name(d.vocab.places, name)
    if found is not None:
        return found
    node = d.mint("place", name)
    g = d.graph
    g.add((node, RDF.type, CKG.Place))
    d.label(node, name)
    g.add((node, SKOS.inScheme, ID["scheme/places"]))
    d.cite(node, lines)
    d.note(
        lines,
        f"The place {name!r} is not in data/reference/places.ttl; check it "
        "(and add its codes there).",
        node,
    )
    return node


def headquarters(d: Drafting) -> None:
    section, body = d.value_lines("headquarters")
    if section is None:
        return d.missing_section("headquarters")
    g, c = d.graph, d.cluster
    lines = [section.first, *(n for n, _ in body)]
    text = " ".join(t for _, t in body)[:300]
    if not text:
        d.note(lines, "The HEADQUARTERS heading has no address.", c)
        return
    site, address = URIRef(f"{c}/headquarters"), URIRef(f"{c}/headquarters-address")
    g.add((c, CKG.headquarters, site))
    g.add((site, RDF.type, ORG.Site))
    d.label(site, f"Headquarters of the {d.cluster_label}")
    g.add((site, LOCN.address, address))
    g.add((address, RDF.type, LOCN.Address))
    d.label(address, text)
    g.add((address, LOCN.fullAddress, Literal(text)))
    match = ADDRESS.fullmatch(text)
    if match:
        g.add((address, LOCN.thoroughfare, Literal(match["street"].strip())))
        g.add((address, LOCN.locatorDesignator, Literal(match["number"])))
        g.add((address, LOCN.postCode, Literal(match["postcode"])))
        city = match["city"].strip()
        g.add((address, LOCN.postName, Literal(city)))
        found = place(d, city, lines)
        g.add((site, CKG.place, found))
        g.add((address, CKG.place, found))
    else:
        d.note(
            lines,
            "The address is not in the form 'Street, number - postcode city'; "
            "its parts and its place are left for the curator.",
            address,
        )
    d.cite(site, lines)
    d.cite(address, lines)


def website(d: Drafting) -> None:
    section, body = d.value_lines("website")
    if section is None:
        return d.missing_section("website")
    text = "".join(t for _, t in body).strip()
    lines = [n for n, _ in body] or [section.first]
    if not text:
        d.note(lines, "The WEBSITE heading has no address.", d.cluster)
        return
    url = text if re.match(r"(?i)https?://", text) else f"https://{text}"
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]{3,300}", url):
        d.note(lines, f"The website {text[:80]!r} is not a web address.", d.cluster)
        return
    d.graph.add((d.cluster, FOAF.homepage, URIRef(url)))


def members(d: Drafting) -> None:
    section, body = d.value_lines("members")
    if section is None:
        return d.missing_section("members")
    text = " ".join(t for _, t in body)
    lines = [section.first, *(n for n, _ in body)]
    number = re.fullmatch(r"(?:about |over |more than )?(\d{1,3}(?:[.,]\d{3})*|\d+)\+?", text)
    if number:
        value = int(re.sub(r"[.,]", "", number.group(1)))
        d.graph.add((d.cluster, CKG.memberCount, Literal(value)))
        if number.group(0) != number.group(1):
            d.note(lines, f"The number of members is given as {text!r}.", d.cluster)
        return
    d.graph.add((d.cluster, CKG.notStatedInSource, CKG.memberCount))
    if text:
        message = (
            f"The NUMBER OF MEMBERS heading is followed by {text[:80]!r}, "
            "not a number: the number of members is left unknown."
        )
    else:
        message = (
            "The profile's NUMBER OF MEMBERS heading has no value: the number of members is "
            "unknown."
        )
    d.note(lines, message, d.cluster)


def organization(d: Drafting, name: str, lines, acronym: str | None = None) -> URIRef:
    found = d.vocab.by_name(d.vocab.organizations, name)
    if found is not None:
        return found
    node = d.mint("organization", name)  # always a new IRI: a second mention is a second node
    d.graph.add((node, RDF.type, ORG.Organization))
    d.label(node, name)
    if acronym:
        d.graph.add((node, CKG.acronym, Literal(acronym)))
    d.cite(node, lines)
    return node


def thematic_area(d: Drafting) -> None:
    if (d.cluster, CKG.thematicArea, None) in d.vocab.graph:
        return
    words = set(norm(d.cluster_label).split())
    for area, names in d.vocab.thematic:
        if any(set(norm(n).split()) <= words for n in names if n):
            d.graph.add((d.cluster, CKG.thematicArea, area))
            d.note(
                [d.title_line] if d.title_line else [],
                f"Thematic area {d.vocab.title(area)!r} guessed from the cluster's "
                "name; the region's list belongs in "
                "data/reference/technology-clusters.ttl.",
                d.cluster,
            )
            return
