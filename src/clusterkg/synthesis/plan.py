"""The plan of a corpus: every random choice for a cluster, made before anything is written.

Each cluster draws from its own ``random.Random`` seeded with the seed and its number, and its
members from another, so cluster 3 is the same whatever the number of clusters or of defects.
The slugs here name the plan's resources in the profile and in the defects manifest alike.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .words import (
    DESTINATIONS,
    ID,
    LEGAL_FORMS,
    MEMBER_NOUNS,
    MEMBER_PREFIXES,
    PREFIX,
    SECTORS,
    STREETS,
    SYNTH_AREAS,
    SYNTH_NETWORKS,
    TOPICS,
    Vocabulary,
)


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


def series_name(plan: ClusterPlan) -> tuple[str, str]:
    """The name and acronym of the cluster's annual event series."""
    name = f"Synthetic {plan.sector[0]} Days {plan.number}"
    return name, "S" + "".join(w[0] for w in plan.sector[0].split()) + "D"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def reference_slug(synergy: int, index: int) -> str:
    """Reference 0 of a synergy is its mission; 1.. are its components."""
    what = "mission" if index == 0 else f"component-{index}"
    return f"synergy-{synergy + 1}-{what}"


def event_slug(plan: ClusterPlan, activity: int) -> str:
    act = plan.activities[activity]
    if act.kind == "mission":
        return f"business-mission-{slugify(act.destination)}-{act.year}"
    return f"activity-{activity + 1}-{act.kind}"


def member_slug(plan: ClusterPlan, member: int) -> str:
    return f"{plan.slug}-member-{member + 1:04d}"


def plan_cluster(number: int, seed: int, members: int, vocab: Vocabulary) -> ClusterPlan:
    """Every choice for cluster ``number``, from its own random stream (so cluster 3 is the
    same whatever the number of clusters)."""
    rng = random.Random(f"{seed}:{number}")
    sector = SECTORS[(number - 1 + seed) % len(SECTORS)]
    n_areas = rng.randint(3, 6)
    n_real = min(len(vocab.areas), rng.randint(0, 2), n_areas)
    areas = [(iri, en, None) for iri, en in rng.sample(vocab.areas, n_real)]
    for en, it in rng.sample(SYNTH_AREAS, n_areas - n_real):
        areas.append((f"{ID}technology-area/{PREFIX}-{slugify(en)}", en, it))
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
        stories=stories,
        projects=projects,
        synergies=synergies,
        activities=activities,
        members=members,
    )


def plan_members(plan: ClusterPlan, seed: int) -> list[tuple[str, str | None, int | None, tuple]]:
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
