"""What a synthetic corpus is made of: invented words, and the reference concepts it links to.

The invented words are pools the plan draws from; every resource built from them says it is
synthetic. The reference concepts (S3 ecosystems, thematic areas, PNRR missions and components,
technology areas, networks, places, the Region) are read from the copied project's
``data/reference``, so a synthetic cluster links to the same vocabularies as a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..errors import UsageError
from ..project import CKG, DEFAULT_BASE

ID = f"{DEFAULT_BASE}id/"
SOURCE = f"{DEFAULT_BASE}source/"
PREFIX = "synth"  # every generated file and every generated IRI slug starts with it
GENERATOR = "clusterkg synth"

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
# Every synthetic cluster is the same kind of body, as the real ones are.
CLUSTER_LEGAL_FORM = ("non-profit association", "associazione senza scopo di lucro")


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
