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
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .errors import UsageError
from .load import load
from .project import CKG, DEFAULT_BASE, Project

ID = f"{DEFAULT_BASE}id/"
SOURCE = f"{DEFAULT_BASE}source/"
SHAPES = "https://w3id.org/clusterkg/shapes#"
PREFIX = "synth"  # every generated file and every generated IRI slug starts with it
MANIFEST = "defects.json"
GENERATOR = "clusterkg synth"
# What the loader adds: six triples per quoted line range (type, document, first and last line,
# quotation, label) and, per source document, its line count and checksum (the profile already
# types it ckg:SourceDocument).
EXCERPT_TRIPLES = 6
DOCUMENT_TRIPLES = 2

# --- word pools (all invented; every resource built from them is marked synthetic) ----------

SECTORS = (
    ("Advanced Materials", "materiali avanzati"),
    ("Clean Energy", "energia pulita"),
    ("Smart Mobility", "mobilità intelligente"),
    ("Agrifood Innovation", "innovazione agroalimentare"),
    ("Green Chemistry", "chimica verde"),
    ("Space Technologies", "tecnologie spaziali"),
    ("Digital Manufacturing", "manifattura digitale"),
    ("Life Sciences", "scienze della vita"),
    ("Smart Communities", "comunità intelligenti"),
    ("Living Environments", "ambienti di vita"),
    ("Creative Industries", "industrie creative"),
    ("Circular Economy", "economia circolare"),
)
SYNTH_AREAS = (
    ("Robotics", "Robotica"),
    ("Photonics", "Fotonica"),
    ("Nanomaterials", "Nanomateriali"),
    ("Battery Storage", "Accumulo a batterie"),
    ("Hydrogen Technologies", "Tecnologie dell'idrogeno"),
    ("Precision Agriculture", "Agricoltura di precisione"),
    ("Food Safety", "Sicurezza alimentare"),
    ("Bioplastics", "Bioplastiche"),
    ("Satellite Services", "Servizi satellitari"),
    ("Avionics Systems", "Sistemi avionici"),
    ("Additive Manufacturing", "Manifattura additiva"),
    ("Industrial IoT", "IoT industriale"),
    ("Artificial Intelligence", "Intelligenza artificiale"),
    ("Cybersecurity", "Cybersicurezza"),
    ("Smart Grids", "Reti intelligenti"),
    ("Electric Vehicles", "Veicoli elettrici"),
    ("Logistics Automation", "Automazione della logistica"),
    ("Building Automation", "Automazione degli edifici"),
    ("Assistive Technologies", "Tecnologie assistive"),
    ("Water Treatment", "Trattamento delle acque"),
    ("Recycling Technologies", "Tecnologie del riciclo"),
    ("Digital Twins", "Gemelli digitali"),
    ("Quantum Sensing", "Sensori quantistici"),
    ("Microelectronics", "Microelettronica"),
)
SYNTH_NETWORKS = (
    ("Synthetic Alpine Innovation Network", "SAIN"),
    ("Synthetic Mediterranean Cluster Alliance", "SMCA"),
    ("Synthetic European Robotics Platform", "SERP"),
    ("Synthetic Hydrogen Valleys Partnership", "SHVP"),
    ("Synthetic Danube Regions Initiative", "SDRI"),
    ("Synthetic Circular Cities Network", "SCCN"),
    ("Synthetic Smart Regions Consortium", "SSRC"),
    ("Synthetic Space Regions Forum", "SSRF"),
    ("Synthetic Agrifood Regions Network", "SARN"),
    ("Synthetic Materials Partnership", "SMP"),
    ("Synthetic Digital Hubs Alliance", "SDHA"),
    ("Synthetic Mobility Corridors Initiative", "SMCI"),
)
DESTINATIONS = (
    "Bavaria",
    "Catalonia",
    "Flanders",
    "Ontario",
    "Singapore",
    "the Emirates",
    "Japan",
    "Brazil",
    "Baden-Wurttemberg",
)
STREETS = (
    "Via Immaginaria",
    "Via dei Sintetici",
    "Corso Fittizio",
    "Piazza Inventata",
    "Viale degli Esempi",
    "Via del Campione",
)
TOPICS = (
    "Smart Sensors",
    "Sustainable Packaging",
    "Predictive Maintenance",
    "Remote Care",
    "Low-Carbon Processes",
    "Data Spaces",
    "Urban Air Quality",
    "Energy Communities",
    "Digital Skills",
    "Clinical Data Sharing",
    "Soil Monitoring",
    "Autonomous Shuttles",
)
MEMBER_PREFIXES = (
    "Alpha", "Beta", "Gamma", "Delta", "Nova", "Orbit", "Vertex", "Helix",
    "Quanta", "Terra", "Aqua", "Lumen", "Ferro", "Silva", "Vita", "Arco",
)  # fmt: skip
MEMBER_NOUNS = (
    "Robotics", "Materials", "Labs", "Systems", "Foods", "Energy", "Devices",
    "Analytics", "Biotech", "Components", "Logistics", "Engineering", "Networks", "Chemicals",
)  # fmt: skip
LEGAL_FORMS = (
    ("S.r.l.", "limited liability company"),
    ("S.p.A.", "joint-stock company"),
    ("Foundation", "foundation"),
    ("Consortium", "consortium"),
    ("Research Centre", "public research body"),
)

PREFIXES = {
    "ckg": str(CKG),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "locn": "http://www.w3.org/ns/locn#",
    **{
        kind: f"{ID}{kind}/"
        for kind in (
            "cluster", "scheme", "tech", "network", "organization", "place", "s3", "pnrr",
            "project", "event", "call", "group", "platform", "area",
        )
    },
}  # fmt: skip
# Prefix names that differ from the IRI path segment they stand for.
PREFIXES.update(
    tech=f"{ID}technology-area/",
    s3=f"{ID}s3-ecosystem/",
    group=f"{ID}working-group/",
    area=f"{ID}thematic-area/",
)
_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


# --- defects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefectKind:
    """One kind of deliberate mistake: what it breaks, and the shape that must report it."""

    name: str
    target: str  # which resources of a cluster it can hit (see ClusterPlan.targets)
    shape: str
    severity: str
    description: str
    check: str | None = None  # a quality check (queries/checks) it also fails, if any


DEFECT_KINDS = (
    DefectKind(
        "cluster-no-english-label", "cluster", "Organization-prefLabel-en", "Violation",
        "the cluster has no English preferred label",
    ),
    DefectKind(
        "figure-value-string", "figure", "Figure-value", "Violation",
        "a figure's schema:value is the string \"N\" instead of an xsd:integer",
    ),
    DefectKind(
        "synergy-reference-not-aligned", "synergy", "Synergy-references-aligned", "Violation",
        "a synergy statement cites a PNRR component it does not align with (ckg:alignsWith)",
    ),
    DefectKind(
        "project-no-provenance", "project", "profile-provenance", "Violation",
        "a project cites no source lines (no prov:wasDerivedFrom)",
        check="provenance-violation",
    ),
    DefectKind(
        "cluster-no-italian-label", "cluster", "Cluster-prefLabel-it", "Warning",
        "the cluster has no Italian preferred label",
    ),
    DefectKind(
        "address-bad-postcode", "address", "Address-postCode", "Violation",
        "the headquarters' postcode has four digits",
    ),
    DefectKind(
        "member-of-text", "member", "Organization-memberOf", "Violation",
        "a member's org:memberOf is the cluster's name as text, not its IRI",
    ),
    DefectKind(
        "stated-number-wrong", "reference", "StatedReference-number-official", "Warning",
        "a stated reference prints a PNRR number that is not the official one of its title",
    ),
    DefectKind(
        "event-series-no-frequency", "series", "EventSeries-repeatFrequency", "Violation",
        "an event series has no ckg:repeatFrequency",
    ),
    DefectKind(
        "business-mission-no-date", "mission", "BusinessMission-date", "Violation",
        "a business mission has no dcterms:date",
    ),
    DefectKind(
        "story-no-description", "story", "SuccessStory-description-en", "Warning",
        "a success story has no English description",
    ),
    DefectKind(
        "member-founding-year-integer", "member", "Organization-foundingYear", "Violation",
        "a member's founding year is an xsd:integer, not an xsd:gYear",
    ),
    DefectKind(
        "cluster-no-member-count", "cluster", "Cluster-memberCount-missing", "Warning",
        "the cluster gives no ckg:memberCount although its page prints the number",
    ),
)  # fmt: skip
KINDS_BY_NAME = {kind.name: kind for kind in DEFECT_KINDS}


@dataclass(frozen=True)
class Defect:
    kind: DefectKind
    cluster: int
    target: tuple  # the target's key within its cluster, from ClusterPlan.targets


# --- the reference vocabularies the corpus links to ------------------------------------------


@dataclass
class Vocabulary:
    """The reference concepts a synthetic cluster links to, read from ``data/reference``."""

    ecosystems: list[tuple[str, str, str]]  # (iri, en, it)
    thematic_areas: list[tuple[str, str]]  # (iri, en)
    missions: list[tuple[str, int, str, str, list[tuple[str, int, str, str]]]]
    areas: list[tuple[str, str]]  # (iri, en)
    networks: list[tuple[str, str, str | None]]  # (iri, name as printed, acronym)
    place: str
    region_body: str | None  # publisher of the S3: promotes clusters, publishes calls
    region_body_name: str
    platform_provider: tuple[str, str, str | None] | None


def read_vocabulary(reference_dir: Path) -> Vocabulary:
    graph = Graph()
    for path in sorted(reference_dir.glob("*.ttl")):
        if not path.name.startswith(PREFIX):
            graph.parse(path, format="turtle")

    def labels(node) -> dict[str, str]:
        found = {}
        for value in graph.objects(node, SKOS.prefLabel):
            if isinstance(value, Literal) and value.language:
                found.setdefault(value.language, str(value))
        return found

    def instances(cls) -> list[URIRef]:
        return sorted(s for s in set(graph.subjects(RDF.type, cls)) if isinstance(s, URIRef))

    ecosystems = []
    for node in instances(CKG.InnovationEcosystem):
        names = labels(node)
        if "en" in names and "it" in names:
            ecosystems.append((str(node), names["en"], names["it"]))
    thematic = [(str(n), labels(n)["en"]) for n in instances(CKG.ThematicArea) if labels(n)]
    missions = []
    for node in instances(CKG.PnrrMission):
        names, number = labels(node), graph.value(node, CKG.number)
        components = []
        for comp in sorted(set(graph.subjects(SKOS.broader, node))):
            cnames, cnumber = labels(comp), graph.value(comp, CKG.number)
            if (comp, RDF.type, CKG.PnrrComponent) in graph and cnumber is not None:
                components.append((str(comp), int(cnumber), cnames["en"], cnames["it"]))
        if number is not None and components:
            components.sort(key=lambda c: c[1])
            missions.append((str(node), int(number), names["en"], names["it"], components))
    areas = [(str(n), labels(n)["en"]) for n in instances(CKG.TechnologyArea) if labels(n)]
    networks = []
    for node in instances(CKG.Network):
        printed = graph.value(node, CKG.nameInSource) or labels(node).get("en")
        acronym = graph.value(node, CKG.acronym)
        if printed:
            networks.append((str(node), str(printed), str(acronym) if acronym else None))
    places = instances(CKG.Place)
    provinces = [p for p in places if (p, CKG.placeType, CKG.Province) in graph]
    publishers = sorted(
        {o for s in instances(CKG.Strategy) for o in graph.objects(s, DCTERMS.publisher)}
    )
    missing = [
        what
        for what, found in (
            ("S3 innovation ecosystems", ecosystems),
            ("thematic areas", thematic),
            ("PNRR missions with components", missions),
            ("places", places),
        )
        if not found
    ]
    if missing:
        raise UsageError(
            f"{reference_dir} lacks what a synthetic cluster links to: {', '.join(missing)}"
        )
    body = publishers[0] if publishers else None
    body_name = labels(body).get("en", "the Region") if body is not None else "the Region"
    provider = next((n for n in networks if n[0].endswith("/een")), None)
    return Vocabulary(
        ecosystems, thematic, missions, areas, networks, str((provinces or places)[0]),
        str(body) if body is not None else None, body_name, provider,
    )  # fmt: skip


# --- one cluster's plan: every random choice, made before anything is written -------------


@dataclass
class Story:
    kind: str  # "call" or "group"
    name: str  # the call's or the working group's name
    text: str
    figures: list[tuple[int, str]]
    network: tuple[str, str, str | None] | None = None  # a group's partner network


@dataclass
class ProjectPlan:
    acronym: str
    topic: str
    years: list[int]


@dataclass
class SynergyPlan:
    lang: str
    ecosystems: list[tuple[str, str, str]]
    mission: tuple
    components: list[tuple[str, int, str, str]]


@dataclass
class ActivityPlan:
    kind: str  # "series", "mission" or "event"
    year: int = 2024
    destination: str = ""
    members: list[int] = field(default_factory=list)
    provider: tuple[str, str, str | None] | None = None


@dataclass
class ClusterPlan:
    number: int
    sector: tuple[str, str]
    ecosystem: tuple[str, str, str]
    thematic: tuple[str, str]
    areas: list[tuple[str, str, str | None]]  # (iri, en, it or None)
    networks: list[tuple[str, str, str | None]]
    street: str
    house: int
    postcode: str
    founded: int
    legal_form: tuple[str, str]
    stories: list[Story]
    projects: list[ProjectPlan]
    synergies: list[SynergyPlan]
    activities: list[ActivityPlan]
    members: int

    @property
    def slug(self) -> str:
        return f"{PREFIX}-{self.number}"

    @property
    def name_en(self) -> str:
        return f"Synthetic {self.sector[0]} Cluster {self.number}"

    @property
    def name_it(self) -> str:
        return f"Cluster sintetico {self.sector[1]} {self.number}"

    def targets(self, target: str) -> list[tuple]:
        """The keys of the resources a defect of this target kind can hit, in a stable order."""
        if target in ("cluster", "address"):
            return [()]
        if target == "figure":
            return [
                (s, f) for s, story in enumerate(self.stories) for f in range(len(story.figures))
            ]
        if target == "synergy":
            return [(s,) for s, syn in enumerate(self.synergies) if syn.components]
        if target == "reference":
            return [
                (s, n)
                for s, syn in enumerate(self.synergies)
                for n in range(len(syn.components) + 1)
            ]
        if target == "project":
            return [(p,) for p in range(len(self.projects))]
        if target in ("series", "mission"):
            return [(a,) for a, act in enumerate(self.activities) if act.kind == target]
        if target == "story":
            return [(s,) for s in range(len(self.stories))]
        if target == "member":
            return [(m,) for m in range(self.members)]
        raise ValueError(target)

    def focus(self, kind: DefectKind, key: tuple) -> str:
        """The IRI of the focus node a defect of ``kind`` at ``key`` is reported on."""
        sub = f"{ID}cluster/{self.slug}/"
        if kind.target == "cluster":
            return f"{ID}cluster/{self.slug}"
        if kind.target == "address":
            return sub + "headquarters-address"
        if kind.target == "figure":
            return sub + f"story-{key[0] + 1}-figure-{key[1] + 1}"
        if kind.target == "synergy":
            return sub + f"synergy-{key[0] + 1}"
        if kind.target == "reference":
            return sub + _reference_slug(key[0], key[1])
        if kind.target == "project":
            return f"{ID}project/{self.slug}-{self.projects[key[0]].acronym.lower()}"
        if kind.target in ("series", "mission"):
            return f"{ID}event/{self.slug}-{_event_slug(self, key[0])}"
        if kind.target == "story":
            return sub + f"story-{key[0] + 1}"
        if kind.target == "member":
            return f"{ID}organization/{_member_slug(self, key[0])}"
        raise ValueError(kind.target)


def _reference_slug(synergy: int, index: int) -> str:
    """Reference 0 of a synergy is its mission; 1.. are its components."""
    what = "mission" if index == 0 else f"component-{index}"
    return f"synergy-{synergy + 1}-{what}"


def _event_slug(plan: ClusterPlan, activity: int) -> str:
    act = plan.activities[activity]
    if act.kind == "mission":
        return f"business-mission-{_slugify(act.destination)}-{act.year}"
    return f"activity-{activity + 1}-{act.kind}"


def _member_slug(plan: ClusterPlan, member: int) -> str:
    return f"{plan.slug}-member-{member + 1:04d}"


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def plan_cluster(number: int, seed: int, members: int, vocab: Vocabulary) -> ClusterPlan:
    """Every choice for cluster ``number``, from its own random stream (so cluster 3 is the
    same whatever the number of clusters)."""
    rng = random.Random(f"{seed}:{number}")
    sector = SECTORS[(number - 1 + seed) % len(SECTORS)]
    n_areas = rng.randint(3, 6)
    n_real = min(len(vocab.areas), rng.randint(0, 2), n_areas)
    areas = [(iri, en, None) for iri, en in rng.sample(vocab.areas, n_real)]
    for en, it in rng.sample(SYNTH_AREAS, n_areas - n_real):
        areas.append((f"{ID}technology-area/{PREFIX}-{_slugify(en)}", en, it))
    n_networks = rng.randint(2, 5)
    n_real = min(len(vocab.networks), rng.randint(1, 2), n_networks)
    networks = list(rng.sample(vocab.networks, n_real))
    for name, acronym in rng.sample(SYNTH_NETWORKS, n_networks - n_real):
        networks.append((f"{ID}network/{PREFIX}-{acronym.lower()}", name, acronym))
    ecosystem = rng.choice(vocab.ecosystems)

    stories = []
    for s in range(rng.randint(1, 3)):
        topic = rng.choice(TOPICS)
        if s % 2 == 0:
            submitted = rng.randint(12, 80)
            funded = rng.randint(3, submitted // 2)
            call = f"Call Synthetic {topic} {number}.{s + 1}"
            text = (
                f"Coordination of the {call} of {vocab.region_body_name}: among the {submitted} "
                f"proposals submitted, {funded} were funded and all of them involve members of "
                f"the Synthetic {sector[0]} Cluster {number}."
            )
            figures = [
                (submitted, "proposals submitted"),
                (funded, "proposals funded, all involving members of the cluster"),
            ]
            stories.append(Story("call", call, text, figures))
        else:
            network = rng.choice(networks)
            gathered = rng.randint(5, 40)
            group = f"Synthetic Working Group on {topic}"
            text = (
                f"Launch of a {group}, in close connection with the {network[1]}, gathering "
                f"{gathered} member organisations."
            )
            stories.append(
                Story("group", group, text, [(gathered, "member organisations")], network)
            )

    projects = []
    for topic in rng.sample(TOPICS, rng.randint(1, 4)):
        acronym = "S" + "".join(w[0] for w in topic.replace("-", " ").split()).upper()
        acronym += str(rng.randint(10, 99))
        years = [2024, 2025] if rng.random() < 0.3 else [2024]
        projects.append(ProjectPlan(acronym, topic, years))
    # Two projects with the same acronym would be the same resource: keep the first.
    seen: set[str] = set()
    projects = [p for p in projects if not (p.acronym in seen or seen.add(p.acronym))]

    synergies = []
    for mission in rng.sample(vocab.missions, rng.randint(1, min(2, len(vocab.missions)))):
        comps = mission[4]
        chosen = sorted(rng.sample(comps, rng.randint(1, min(2, len(comps)))), key=lambda c: c[1])
        ecos = [ecosystem]
        if rng.random() < 0.3:
            other = rng.choice(vocab.ecosystems)
            if other != ecosystem:
                ecos.append(other)
        lang = "it" if rng.random() < 0.3 else "en"
        synergies.append(SynergyPlan(lang, ecos, mission, chosen))

    activities = [ActivityPlan("series", provider=vocab.platform_provider or networks[0])]
    destinations = list(DESTINATIONS)
    rng.shuffle(destinations)
    for _ in range(rng.randint(0, 2)):
        if rng.random() < 0.6 and destinations:
            year = rng.choice((2023, 2024))
            chosen = sorted(rng.sample(range(members), min(members, rng.randint(1, 3))))
            activities.append(ActivityPlan("mission", year, destinations.pop(), chosen))
        else:
            chosen = sorted(rng.sample(range(members), min(members, rng.randint(2, 4))))
            activities.append(ActivityPlan("event", members=chosen))

    return ClusterPlan(
        number=number,
        sector=sector,
        ecosystem=ecosystem,
        thematic=rng.choice(vocab.thematic_areas),
        areas=areas,
        networks=networks,
        street=rng.choice(STREETS),
        house=rng.randint(1, 120),
        postcode=f"201{rng.randint(0, 99):02d}",
        founded=rng.randint(2012, 2021),
        legal_form=("non-profit association", "associazione senza scopo di lucro"),
        stories=stories,
        projects=projects,
        synergies=synergies,
        activities=activities,
        members=members,
    )


def plan_defects(plans: list[ClusterPlan], count: int, seed: int) -> list[Defect]:
    """``count`` defects of varied kinds on distinct (kind, resource) pairs."""
    rng = random.Random(f"{seed}:defects")
    order = list(DEFECT_KINDS)
    rng.shuffle(order)
    used: set[tuple] = set()
    exhausted: set[str] = set()
    defects: list[Defect] = []
    k = 0
    while len(defects) < count:
        if len(exhausted) == len(order):
            raise UsageError(
                f"cannot place {count} distinct defects in {len(plans)} clusters; "
                "ask for fewer defects or more clusters"
            )
        kind = order[k % len(order)]
        k += 1
        if kind.name in exhausted:
            continue
        start = rng.randrange(len(plans))
        placed = False
        for offset in range(len(plans)):
            plan = plans[(start + offset) % len(plans)]
            free = [t for t in plan.targets(kind.target) if (kind.name, plan.number, t) not in used]
            if free:
                target = rng.choice(free)
                used.add((kind.name, plan.number, target))
                defects.append(Defect(kind, plan.number, target))
                placed = True
                break
        if not placed:
            exhausted.add(kind.name)
    return defects


# --- writing Turtle as text ----------------------------------------------------------------


def _lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _iri(iri: str) -> str:
    """A prefixed name where one of ``PREFIXES`` fits, else ``<iri>``."""
    for prefix in ("tech", "network", "s3", "pnrr", "area", "place", "organization"):
        namespace = PREFIXES[prefix]
        if iri.startswith(namespace) and _LOCAL.match(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


class Turtle:
    """Turtle written as text, counting the triples and the source lines cited."""

    def __init__(self, citations: set[str]) -> None:
        self.parts: list[str] = []
        self.triples = 0
        self.citations = citations  # full citation IRIs, shared by every file of the corpus
        self.base = ""

    def head(self, comment: str, base: str | None, extra: dict[str, str]) -> None:
        self.parts.append("".join(f"# {line}\n" for line in comment.splitlines()))
        if base:
            self.base = base
            self.parts.append(f"@base <{base}> .\n")
        for prefix, namespace in {**PREFIXES, **extra}.items():
            self.parts.append(f"@prefix {prefix}: <{namespace}> .\n")
        self.parts.append("\n")

    def section(self, title: str) -> None:
        self.parts.append(f"# {title}\n\n")

    def add(self, subject: str, *pairs: tuple[str, str | Iterable[str] | None]) -> None:
        lines = []
        for predicate, objects in pairs:
            if objects is None:
                continue
            values = [objects] if isinstance(objects, str) else list(dict.fromkeys(objects))
            if not values:
                continue
            self.triples += len(values)
            if predicate == "prov:wasDerivedFrom":
                for value in values:
                    self.citations.add(
                        self.base + value[1:-1] if value.startswith("<#") else value[1:-1]
                    )
            lines.append(f"{predicate} {', '.join(values)}")
        self.parts.append(f"{subject} " + " ;\n    ".join(lines) + " .\n\n")

    def text(self) -> str:
        return "".join(self.parts)


def _cite(first: int, last: int | None = None) -> str:
    """Lines ``first`` to ``last`` (1-based, inclusive) as an RFC 5147 fragment of the base."""
    return f"<#line={first - 1},{last or first}>"


class Page:
    """The generated brochure page: numbered lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str = "") -> int:
        self.lines.append(text)
        return len(self.lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _members(plan: ClusterPlan, seed: int) -> list[tuple[str, str | None, int | None, tuple]]:
    """(name, acronym, founding year, legal form) of each member, from their own stream."""
    rng = random.Random(f"{seed}:{plan.number}:members")
    out = []
    for j in range(1, plan.members + 1):
        prefix, noun = rng.choice(MEMBER_PREFIXES), rng.choice(MEMBER_NOUNS)
        form = rng.choice(LEGAL_FORMS)
        name = f"Synth {prefix} {noun} {j} {form[0]}"
        acronym = f"S{prefix[0]}{noun[0]}{j}" if rng.random() < 0.6 else None
        year = rng.randint(1950, 2022) if rng.random() < 0.7 else None
        out.append((name, acronym, year, form))
    return out


# Fixed lines of every page (1-based), so that reference files can cite them too.
LINE_AREAS = 12  # "TECHNOLOGY AREAS" is line 11
LINE_NETWORKS = 14  # the networks' heading is line 13


def render_cluster(
    plan: ClusterPlan, seed: int, vocab: Vocabulary, defects: dict[tuple, Defect], citations: set
) -> tuple[str, str, int]:
    """The profile (Turtle) and the page (text) of one cluster, and the profile's triples."""
    has = {(d.kind.name, d.target) for d in defects.values()}
    members = _members(plan, seed)
    page = Page()
    ttl = Turtle(citations)
    slug, sub = plan.slug, f"{ID}cluster/{plan.slug}/"
    ttl.head(
        f"SYNTHETIC TEST DATA, generated by `{GENERATOR}` (seed {seed}): the cluster, its\n"
        "members, projects, calls, groups, events and networks named 'Synthetic' or 'Synth' do\n"
        "not exist.\n"
        f"Modelled like data/profiles/lombardy-life-sciences.ttl; every resource cites lines of\n"
        f"data/sources/{slug}.txt with an RFC 5147 fragment (<#line=42,43> is line 43).",
        f"{SOURCE}{slug}.txt",
        {"sc": sub},
    )
    cluster = f"cluster:{slug}"

    # The page, top to bottom; each block remembers its lines for the citations.
    page.add("SYNTHETIC TEST CLUSTER - NOT A REAL ORGANISATION")
    page.add()
    page.add(plan.name_en.upper())
    page.add(plan.name_it)
    page.add(f"This page is generated test data ({GENERATOR}, seed {seed}): nothing on it exists.")
    page.add("GENERAL INFORMATION")
    page.add("REFERENCE ECOSYSTEM")
    page.add(plan.ecosystem[1])
    page.add("THEMATIC AREA")
    page.add(plan.thematic[1])
    page.add("TECHNOLOGY AREAS")
    assert page.add(", ".join(a[1] for a in plan.areas)) == LINE_AREAS
    page.add("EUROPEAN PROJECTS AND INTERNATIONAL NETWORKS")
    printed = [f"{n} ({a})" if a else n for _, n, a in plan.networks]
    assert page.add(", ".join(printed)) == LINE_NETWORKS
    page.add("HEADQUARTERS")
    address = f"{plan.street}, {plan.house} - {plan.postcode} Milano"
    page.add(address)
    page.add("WEBSITE")
    page.add(f"www.{slug}.example/")
    page.add("NUMBER OF MEMBERS")
    page.add(str(plan.members))
    page.add("LEGAL FORM AND FOUNDING YEAR")
    page.add(f"{plan.legal_form[0].capitalize()}, founded in {plan.founded}")

    page.add("SUCCESS STORIES")
    story_lines = [page.add(story.text) for story in plan.stories]

    projects_heading = page.add("ONGOING PROJECTS 2024")
    project_lines = []
    for project in plan.projects:
        first = page.add(f"{project.acronym} - {project.topic}")
        page.add(
            f"Project for the development of {project.topic.lower()} solutions with the members "
            "of the cluster."
        )
        project_lines.append(first)

    synergy_lines = []
    for syn in plan.synergies:
        it = syn.lang == "it"
        start = page.add("SYNERGIES with other regional or national strategies")
        page.add("SMART SPECIALISATION STRATEGY S3")
        eco_lines = [page.add(eco[2] if it else eco[1]) for eco in syn.ecosystems]
        page.add("PNRR")
        mission = syn.mission
        refs = []
        for index in range(len(syn.components) + 1):
            if index == 0:
                number, en, it_title = mission[1], mission[2], mission[3]
                word = "Missione" if it else "Mission"
            else:
                _, number, en, it_title = syn.components[index - 1]
                word = "Componente" if it else "Component"
            defect = ("stated-number-wrong", (len(synergy_lines), index)) in has
            stated = (number % (6 if index == 0 else 9)) + 1 if defect else number
            first = page.add(f"{word} {stated}")
            page.add(it_title if it else en)
            refs.append((first, stated, it_title if it else en))
        synergy_lines.append((start, page.add(), eco_lines, refs))

    activities_heading = page.add(f"{plan.sector[0]} networking activities")
    activity_lines = []
    for act in plan.activities:
        if act.kind == "series":
            name = f"Synthetic {plan.sector[0]} Days {plan.number}"
            acronym = "S" + "".join(w[0] for w in plan.sector[0].split()) + "D"
            provider = act.provider
            text = (
                f"{name} - {acronym}, an annual event that connects cluster members with partners "
                f"across Europe through a matchmaking platform provided by the {provider[1]}"
                + (f" ({provider[2]})." if provider[2] else ".")
            )
        elif act.kind == "mission":
            names = ", ".join(members[m][0] for m in act.members)
            text = (
                f"In {act.year}, the Cluster and {len(act.members)} of its members ({names}) "
                f"joined a business mission to {act.destination}, meeting with local "
                f"{plan.sector[0].lower()} stakeholders."
            )
        else:
            held = members[act.members[0]][0]
            text = (
                f"Events and workshops for cluster members, such as the one held for {held}, to "
                "match members on common interests and start joint projects."
            )
        activity_lines.append(page.add(text))

    members_heading = page.add("MEMBERS")
    member_lines = []
    for name, acronym, year, form in members:
        details = [form[1]]
        if year:
            details.append(f"founded in {year}")
        shown = f"{name} ({acronym})" if acronym else name
        member_lines.append(page.add(f"{shown} - {', '.join(details)}"))
    last = page.add(f"Lombardy Technology Clusters - synthetic test page {plan.number}")

    # --- the profile ---
    ttl.section("The source")
    ttl.add(
        "<>",
        ("a", "ckg:SourceDocument"),
        ("dcterms:title", _lit(f"Synthetic test page {plan.number}: {plan.name_en}", "en")),
        (
            "dcterms:description",
            _lit("Generated test data in the layout of a page of the brochure 'Lombardy "
                 "Technology Clusters'. Nothing on it describes a real organisation.", "en"),
        ),
        ("dcterms:format", _lit("text/plain")),
        ("prov:wasDerivedFrom", [_cite(1, 5), _cite(last)]),
    )  # fmt: skip

    ttl.section("General information")
    labels = []
    if ("cluster-no-english-label", ()) not in has:
        labels.append(_lit(plan.name_en, "en"))
    if ("cluster-no-italian-label", ()) not in has:
        labels.append(_lit(plan.name_it, "it"))
    stories = [f"sc:story-{s + 1}" for s in range(len(plan.stories))]
    projects = [f"project:{slug}-{p.acronym.lower()}" for p in plan.projects]
    ttl.add(
        cluster,
        ("a", "ckg:Cluster"),
        ("skos:prefLabel", labels),
        ("ckg:referenceEcosystem", _iri(plan.ecosystem[0])),
        ("ckg:thematicArea", _iri(plan.thematic[0])),
        ("ckg:technologyArea", [_iri(a[0]) for a in plan.areas]),
        ("ckg:participatesIn", [_iri(n[0]) for n in plan.networks]),
        ("ckg:headquarters", "sc:headquarters"),
        ("foaf:homepage", f"<https://www.{slug}.example/>"),
        (
            "ckg:memberCount",
            None if ("cluster-no-member-count", ()) in has else str(plan.members),
        ),
        ("ckg:legalForm", [_lit(plan.legal_form[0], "en"), _lit(plan.legal_form[1], "it")]),
        ("ckg:foundingYear", f'"{plan.founded}"^^xsd:gYear'),
        ("ckg:promotedBy", _iri(vocab.region_body) if vocab.region_body else None),
        ("ckg:successStory", stories),
        ("ckg:project", projects),
        ("ckg:synergy", [f"sc:synergy-{s + 1}" for s in range(len(plan.synergies))]),
        ("ckg:networkingActivity", [f"sc:activity-{a + 1}" for a in range(len(plan.activities))]),
        ("skos:editorialNote", _lit("Synthetic test data: this cluster does not exist.", "en")),
        (
            "prov:wasDerivedFrom",
            [_cite(3, 4), _cite(7, 8), _cite(9, 10), _cite(11, 12), _cite(13, 14), _cite(17, 18),
             _cite(19, 20), _cite(21, 22)],
        ),
    )  # fmt: skip
    ttl.add(
        "sc:headquarters",
        ("a", "org:Site"),
        ("skos:prefLabel", _lit(f"Headquarters of the {plan.name_en}", "en")),
        ("locn:address", "sc:headquarters-address"),
        ("ckg:place", _iri(vocab.place)),
        ("prov:wasDerivedFrom", _cite(15, 16)),
    )
    bad_postcode = ("address-bad-postcode", ()) in has
    ttl.add(
        "sc:headquarters-address",
        ("a", "locn:Address"),
        ("skos:prefLabel", _lit(address, "en")),
        ("locn:fullAddress", _lit(address)),
        ("locn:thoroughfare", _lit(plan.street)),
        ("locn:locatorDesignator", _lit(str(plan.house))),
        ("locn:postCode", _lit(plan.postcode[:4] if bad_postcode else plan.postcode)),
        ("locn:postName", _lit("Milano")),
        ("ckg:place", _iri(vocab.place)),
        ("prov:wasDerivedFrom", _cite(15, 16)),
    )

    ttl.section("Success stories")
    for s, (story, line) in enumerate(zip(plan.stories, story_lines, strict=True)):
        node = stories[s]
        figures = [f"sc:story-{s + 1}-figure-{f + 1}" for f in range(len(story.figures))]
        label = story.text.split(":")[0] if story.kind == "call" else story.text.split(",")[0]
        call = f"call:{slug}-{_slugify(story.name)}"
        group = f"group:{slug}-{_slugify(story.name)}"
        ttl.add(
            node,
            ("a", "ckg:SuccessStory"),
            ("skos:prefLabel", _lit(label, "en")),
            (
                "dcterms:description",
                None if ("story-no-description", (s,)) in has else _lit(story.text, "en"),
            ),
            ("ckg:concernsCall", call if story.kind == "call" else None),
            ("ckg:established", group if story.kind == "group" else None),
            ("ckg:relatedEcosystem", _iri(plan.ecosystem[0]) if story.kind == "call" else None),
            ("ckg:figure", figures),
            ("prov:wasDerivedFrom", _cite(line)),
        )
        if story.kind == "call":
            ttl.add(
                call,
                ("a", "ckg:FundingCall"),
                ("skos:prefLabel", _lit(story.name, "en")),
                ("dcterms:publisher", _iri(vocab.region_body) if vocab.region_body else None),
                ("prov:wasDerivedFrom", _cite(line)),
            )
        else:
            ttl.add(
                group,
                ("a", "ckg:WorkingGroup"),
                ("skos:prefLabel", _lit(story.name, "en")),
                ("ckg:inConnectionWith", _iri(story.network[0])),
                ("prov:wasDerivedFrom", _cite(line)),
            )
        for f, (value, unit) in enumerate(story.figures):
            as_string = ("figure-value-string", (s, f)) in has
            ttl.add(
                figures[f],
                ("a", "ckg:Figure"),
                ("skos:prefLabel", _lit(f"{value} {unit.split(',')[0]}", "en")),
                ("schema:value", _lit(str(value)) if as_string else str(value)),
                ("schema:unitText", _lit(unit, "en")),
                ("prov:wasDerivedFrom", _cite(line)),
            )

    ttl.section("Ongoing projects 2024")
    for p, (project, line) in enumerate(zip(plan.projects, project_lines, strict=True)):
        title = f"{project.acronym} - {project.topic}"
        cited = ("project-no-provenance", (p,)) not in has
        lines = [_cite(projects_heading), _cite(line, line + 1)] if cited else None
        ttl.add(
            projects[p],
            ("a", "ckg:Project"),
            ("skos:prefLabel", _lit(title, "en")),
            ("dcterms:title", _lit(title, "en")),
            ("ckg:acronym", _lit(project.acronym)),
            (
                "dcterms:description",
                _lit(f"Project for the development of {project.topic.lower()} solutions with "
                     "the members of the cluster.", "en"),
            ),
            ("ckg:ongoingIn", [f'"{y}"^^xsd:gYear' for y in project.years]),
            ("prov:wasDerivedFrom", lines),
        )  # fmt: skip

    ttl.section("Synergies with regional and national strategies")
    for s, (syn, (start, end, eco_lines, refs)) in enumerate(
        zip(plan.synergies, synergy_lines, strict=True)
    ):
        node = f"sc:synergy-{s + 1}"
        mission = syn.mission
        components = [c[0] for c in syn.components]
        aligned = [e[0] for e in syn.ecosystems] + [mission[0]] + components
        if ("synergy-reference-not-aligned", (s,)) in has:
            aligned.remove(components[-1])
        eco_refs = [f"sc:synergy-{s + 1}-s3-{e + 1}" for e in range(len(syn.ecosystems))]
        pnrr_refs = [f"sc:{_reference_slug(s, i)}" for i in range(len(refs))]
        ttl.add(
            node,
            ("a", "ckg:Synergy"),
            ("skos:prefLabel", _lit(f"Synergies with the Lombardy S3 and PNRR Mission {mission[1]}",
                                    "en")),
            ("ckg:alignsWith", [_iri(i) for i in aligned]),
            ("ckg:statedReference", eco_refs + pnrr_refs),
            ("prov:wasDerivedFrom", _cite(start, end)),
        )  # fmt: skip
        lang = syn.lang
        for e, (eco, line) in enumerate(zip(syn.ecosystems, eco_lines, strict=True)):
            title = eco[2] if lang == "it" else eco[1]
            ttl.add(
                eco_refs[e],
                ("a", "ckg:StatedReference"),
                ("skos:prefLabel", _lit(f"S3 ecosystem: {title}", "en")),
                ("ckg:statedTitle", _lit(title, lang)),
                ("ckg:refersTo", _iri(eco[0])),
                ("prov:wasDerivedFrom", _cite(line)),
            )
        for i, (line, stated, title) in enumerate(refs):
            word = "Mission" if i == 0 else "Component"
            ttl.add(
                pnrr_refs[i],
                ("a", "ckg:StatedReference"),
                ("skos:prefLabel", _lit(f"{word} {stated}: {title}", "en")),
                ("ckg:statedNumber", str(stated)),
                ("ckg:statedTitle", _lit(title, lang)),
                ("ckg:refersTo", _iri(mission[0] if i == 0 else syn.components[i - 1][0])),
                ("prov:wasDerivedFrom", _cite(line, line + 1)),
            )

    ttl.section(f"{plan.sector[0]} networking activities")
    for a, (act, line) in enumerate(zip(plan.activities, activity_lines, strict=True)):
        event = f"event:{slug}-{_event_slug(plan, a)}"
        text = page.lines[line - 1]
        if act.kind == "series":
            label = text.split(",")[0].replace(" - ", " (", 1) + ")"
        elif act.kind == "mission":
            label = "Business missions abroad"
        else:
            label = "Events and workshops for cluster members"
        ttl.add(
            f"sc:activity-{a + 1}",
            ("a", "ckg:NetworkingActivity"),
            ("skos:prefLabel", _lit(label, "en")),
            ("dcterms:description", _lit(text, "en")),
            ("ckg:includesEvent", event),
            ("prov:wasDerivedFrom", [_cite(activities_heading), _cite(line)]),
        )
        participants = [f"organization:{_member_slug(plan, m)}" for m in act.members]
        if act.kind == "series":
            name, acronym = text.split(" - ")[0], text.split(" - ")[1].split(",")[0]
            platform = f"platform:{slug}-{_slugify(acronym)}"
            ttl.add(
                event,
                ("a", "ckg:EventSeries"),
                ("skos:prefLabel", _lit(name, "en")),
                ("ckg:acronym", _lit(acronym)),
                (
                    "ckg:repeatFrequency",
                    None if ("event-series-no-frequency", (a,)) in has else '"P1Y"^^xsd:duration',
                ),
                ("ckg:platform", platform),
                ("prov:wasDerivedFrom", _cite(line)),
            )
            ttl.add(
                platform,
                ("a", "ckg:Platform"),
                ("skos:prefLabel", _lit(f"Matchmaking platform of the {name}", "en")),
                ("skos:editorialNote", _lit("The page does not name the platform.", "en")),
                ("ckg:providedBy", _iri(act.provider[0])),
                ("prov:wasDerivedFrom", _cite(line)),
            )
        elif act.kind == "mission":
            place = f"place:{slug}-{_slugify(act.destination)}"
            dated = ("business-mission-no-date", (a,)) not in has
            label = f"Business mission to {act.destination}, {act.year}"
            ttl.add(
                event,
                ("a", "ckg:BusinessMission"),
                ("skos:prefLabel", _lit(label, "en")),
                ("dcterms:description", _lit(text, "en")),
                ("dcterms:date", f'"{act.year}"^^xsd:gYear' if dated else None),
                ("ckg:destination", place),
                ("ckg:participant", [cluster, *participants]),
                ("prov:wasDerivedFrom", _cite(line)),
            )  # fmt: skip
            ttl.add(
                place,
                ("a", "ckg:Place"),
                ("skos:prefLabel", _lit(act.destination.removeprefix("the "), "en")),
                ("skos:inScheme", "scheme:places"),
                ("skos:editorialNote", _lit(f"The page says only '{act.destination}'.", "en")),
                ("prov:wasDerivedFrom", _cite(line)),
            )
        else:
            held = members[act.members[0]][0]
            ttl.add(
                event,
                ("a", "ckg:Event"),
                ("skos:prefLabel", _lit(f"Members' event for {held}", "en")),
                ("ckg:heldFor", participants[0]),
                ("ckg:participant", participants[1:] or None),
                ("prov:wasDerivedFrom", _cite(line)),
            )

    ttl.section("Members")
    for m, ((name, acronym, year, form), line) in enumerate(
        zip(members, member_lines, strict=True)
    ):
        as_text = ("member-of-text", (m,)) in has
        year_integer = ("member-founding-year-integer", (m,)) in has
        year_value = f'"{year}"^^xsd:gYear' if year else None
        if year_integer:  # the defect: a plain Turtle number, an xsd:integer
            year_value = str(year or 2000)
        ttl.add(
            f"organization:{_member_slug(plan, m)}",
            ("a", "org:Organization"),
            ("skos:prefLabel", _lit(name, "en")),
            ("ckg:acronym", _lit(acronym) if acronym else None),
            ("ckg:legalForm", _lit(form[1], "en")),
            ("ckg:foundingYear", year_value),
            ("org:memberOf", _lit(plan.name_en) if as_text else cluster),
            ("prov:wasDerivedFrom", [_cite(members_heading), _cite(line)]),
        )
    return ttl.text(), page.text(), ttl.triples


def render_reference(
    plans: list[ClusterPlan], seed: int, citations: set
) -> tuple[str, int, str, int]:
    """The synthetic technology areas and networks the clusters name, each defined once and
    citing the page of the first cluster that names it (as the reference ones do)."""
    areas: dict[str, tuple[str, str, int]] = {}
    networks: dict[str, tuple[str, str, int]] = {}
    for plan in plans:
        for iri, en, it in plan.areas:
            if it is not None and iri not in areas:
                areas[iri] = (en, it, plan.number)
        for iri, name, acronym in plan.networks:
            if iri.startswith(f"{ID}network/{PREFIX}-") and iri not in networks:
                networks[iri] = (name, acronym or "", plan.number)
    note = "Synthetic test data: this {} does not exist."
    area_ttl = Turtle(citations)
    area_ttl.head(
        f"SYNTHETIC TEST DATA, generated by `{GENERATOR}` (seed {seed}): technology areas named\n"
        "by the synthetic clusters (data/profiles/synth-*.ttl), added to the scheme of the real\n"
        "ones.",
        None,
        {},
    )
    if areas:
        area_ttl.add(
            "scheme:technology-areas", ("skos:hasTopConcept", [_iri(i) for i in sorted(areas)])
        )
    for iri in sorted(areas):
        en, it, number = areas[iri]
        area_ttl.add(
            _iri(iri),
            ("a", "ckg:TechnologyArea"),
            ("skos:prefLabel", [_lit(en, "en"), _lit(it, "it")]),
            ("skos:inScheme", "scheme:technology-areas"),
            ("skos:topConceptOf", "scheme:technology-areas"),
            ("skos:editorialNote", _lit(note.format("technology area"), "en")),
            (
                "prov:wasDerivedFrom",
                f"<{SOURCE}{PREFIX}-{number}.txt#line={LINE_AREAS - 2},{LINE_AREAS}>",
            ),
        )
    net_ttl = Turtle(citations)
    net_ttl.head(
        f"SYNTHETIC TEST DATA, generated by `{GENERATOR}` (seed {seed}): networks named by the\n"
        "synthetic clusters (data/profiles/synth-*.ttl) that data/reference/networks.ttl lacks.",
        None,
        {},
    )
    for iri in sorted(networks):
        name, acronym, number = networks[iri]
        net_ttl.add(
            _iri(iri),
            ("a", "ckg:Network"),
            ("skos:prefLabel", _lit(name, "en")),
            ("ckg:acronym", _lit(acronym)),
            ("ckg:nameInSource", _lit(name)),
            ("skos:editorialNote", _lit(note.format("network"), "en")),
            (
                "prov:wasDerivedFrom",
                f"<{SOURCE}{PREFIX}-{number}.txt#line={LINE_NETWORKS - 2},{LINE_NETWORKS}>",
            ),
        )
    return area_ttl.text(), area_ttl.triples, net_ttl.text(), net_ttl.triples


# --- the corpus --------------------------------------------------------------------------------


@dataclass
class SynthResult:
    """What ``synthesize`` wrote, and how many triples loading it gives."""

    out: Path
    clusters: int
    members_per_cluster: int
    seed: int
    defects: list[dict]
    triples: int  # what ``load`` gives for the whole folder, quoted source lines included
    synthetic_triples: int  # the part the synthetic files add
    base_triples: int  # the copied project's own
    files: list[Path]
    seconds: float = 0.0


COPIED = ("ontology", "queries", "data")


def _prepare_out(root: Path, out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    root_r, out_r = root.resolve(), out.resolve()
    for folder in COPIED:
        if out_r == root_r / folder or (root_r / folder) in out_r.parents:
            raise UsageError(f"--out {out} is inside the project's {folder}/ folder")
    if out.is_dir() and any(out.iterdir()):
        manifest = out / MANIFEST
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = None
        if not isinstance(previous, dict) or previous.get("generator") != GENERATOR:
            raise UsageError(
                f"--out {out} is not empty and holds no earlier synthetic corpus ({MANIFEST}); "
                "give a new or empty folder"
            )
        # An earlier corpus: replace what this command wrote, leave anything else (a release).
        for folder in COPIED:
            if (out / folder).is_dir():
                shutil.rmtree(out / folder)
        manifest.unlink()
    if not (root / "ontology" / "clusterkg.ttl").is_file():
        raise UsageError(f"{root} is not a clusterkg project (no ontology/clusterkg.ttl)")
    out.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(f"{PREFIX}-*", "__pycache__")
    for folder in COPIED:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, out / folder, ignore=ignore)
    for sub in ("profiles", "sources", "reference"):
        (out / "data" / sub).mkdir(parents=True, exist_ok=True)


def per_cluster_triples(members: int, seed: int, vocab: Vocabulary, sample: int = 4) -> float:
    """The mean triples one cluster of ``members`` members adds, over the first clusters."""
    totals = []
    for number in range(1, sample + 1):
        citations: set[str] = set()
        plan = plan_cluster(number, seed, members, vocab)
        _, _, triples = render_cluster(plan, seed, vocab, {}, citations)
        totals.append(triples + EXCERPT_TRIPLES * len(citations) + DOCUMENT_TRIPLES)
    return sum(totals) / len(totals)


def clusters_for(triples: int, members: int, seed: int, root: Path) -> int:
    """How many clusters of ``members`` members bring the corpus closest to ``triples``."""
    vocab = read_vocabulary(root / "data" / "reference")
    base = 1_500  # the real project's own triples, near enough for an estimate
    return max(1, round((triples - base) / per_cluster_triples(members, seed, vocab)))


def synthesize(
    root: Path,
    out: Path,
    clusters: int,
    seed: int = 0,
    members: int = 100,
    defects: int = 0,
    step: Callable[[str], None] | None = None,
) -> SynthResult:
    """Write a synthetic corpus of ``clusters`` clusters into ``out`` (a copy of ``root``)."""
    if clusters < 1:
        raise UsageError(f"--clusters must be at least 1 (got {clusters})")
    if members < 1:
        raise UsageError(f"--members-per-cluster must be at least 1 (got {members})")
    if defects < 0:
        raise UsageError(f"--defects must be 0 or more (got {defects})")
    started = time.perf_counter()
    step = step or (lambda text: None)
    step("Copying the project")
    _prepare_out(root, out)
    vocab = read_vocabulary(out / "data" / "reference")
    base_triples = len(load(Project(out)).union())

    step("Planning clusters")
    plans = [plan_cluster(n, seed, members, vocab) for n in range(1, clusters + 1)]
    planned = plan_defects(plans, defects, seed)
    by_cluster: dict[int, dict[tuple, Defect]] = {}
    for d in planned:
        by_cluster.setdefault(d.cluster, {})[(d.kind.name, d.target)] = d

    citations: set[str] = set()
    written = 0
    files: list[Path] = []
    every = max(1, clusters // 100)
    for plan in plans:
        if plan.number % every == 0 or plan.number == clusters:
            step(f"Writing cluster {plan.number} of {clusters}")
        turtle, text, triples = render_cluster(
            plan, seed, vocab, by_cluster.get(plan.number, {}), citations
        )
        profile = out / "data" / "profiles" / f"{plan.slug}.ttl"
        source = out / "data" / "sources" / f"{plan.slug}.txt"
        profile.write_text(turtle, encoding="utf-8")
        source.write_text(text, encoding="utf-8")
        files += [profile, source]
        written += triples + DOCUMENT_TRIPLES
    areas, area_triples, networks, network_triples = render_reference(plans, seed, citations)
    for name, text in (("technology-areas", areas), ("networks", networks)):
        path = out / "data" / "reference" / f"{PREFIX}-{name}.ttl"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    written += area_triples + network_triples + EXCERPT_TRIPLES * len(citations)

    manifest = [
        {
            "kind": d.kind.name,
            "focus": plans[d.cluster - 1].focus(d.kind, d.target),
            "shape": SHAPES + d.kind.shape,
            "severity": d.kind.severity,
            "file": f"data/profiles/{PREFIX}-{d.cluster}.ttl",
            "description": d.kind.description,
            **({"check": d.kind.check} if d.kind.check else {}),
        }
        for d in planned
    ]
    manifest.sort(key=lambda entry: (entry["focus"], entry["shape"]))
    total = base_triples + written
    (out / MANIFEST).write_text(
        json.dumps(
            {
                "generator": GENERATOR,
                "seed": seed,
                "clusters": clusters,
                "members_per_cluster": members,
                "triples": total,
                "defects": manifest,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    return SynthResult(
        out, clusters, members, seed, manifest, total, written, base_triples, files,
        time.perf_counter() - started,
    )  # fmt: skip


def digest(folder: Path) -> str:
    """SHA-256 over every file of a folder (paths and bytes), to compare two corpora."""
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()
