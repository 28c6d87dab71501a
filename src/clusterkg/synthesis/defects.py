"""Deliberate defects: their kinds, where they land, and the manifest that lists them.

Each kind breaks one thing that one named SHACL shape reports on one focus node, so a corpus
with ``defects=K`` holds exactly K findings, and ``defects.json`` says which.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..errors import UsageError
from .plan import ClusterPlan, event_slug, member_slug, reference_slug
from .words import ID, PREFIX

SHAPES = "https://w3id.org/clusterkg/shapes#"


@dataclass(frozen=True)
class DefectKind:
    """One kind of deliberate mistake: what it breaks, and the shape that must report it."""

    name: str
    target: str  # which resources of a cluster it can hit (see targets)
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


@dataclass(frozen=True)
class Defect:
    kind: DefectKind
    cluster: int
    target: tuple  # the target's key within its cluster, from targets()


def targets(plan: ClusterPlan, target: str) -> list[tuple]:
    """The keys of the resources a defect of this target kind can hit, in a stable order."""
    if target in ("cluster", "address"):
        return [()]
    if target == "figure":
        return [(s, f) for s, story in enumerate(plan.stories) for f in range(len(story.figures))]
    if target == "synergy":
        return [(s,) for s, syn in enumerate(plan.synergies) if syn.components]
    if target == "reference":
        return [
            (s, n) for s, syn in enumerate(plan.synergies) for n in range(len(syn.components) + 1)
        ]
    if target == "project":
        return [(p,) for p in range(len(plan.projects))]
    if target in ("series", "mission"):
        return [(a,) for a, act in enumerate(plan.activities) if act.kind == target]
    if target == "story":
        return [(s,) for s in range(len(plan.stories))]
    if target == "member":
        return [(m,) for m in range(plan.members)]
    raise ValueError(target)


def focus(plan: ClusterPlan, defect: Defect) -> str:
    """The IRI of the focus node the shape reports ``defect`` on."""
    kind, key = defect.kind, defect.target
    sub = f"{ID}cluster/{plan.slug}/"
    if kind.target == "cluster":
        return f"{ID}cluster/{plan.slug}"
    if kind.target == "address":
        return sub + "headquarters-address"
    if kind.target == "figure":
        return sub + f"story-{key[0] + 1}-figure-{key[1] + 1}"
    if kind.target == "synergy":
        return sub + f"synergy-{key[0] + 1}"
    if kind.target == "reference":
        return sub + reference_slug(key[0], key[1])
    if kind.target == "project":
        return f"{ID}project/{plan.slug}-{plan.projects[key[0]].acronym.lower()}"
    if kind.target in ("series", "mission"):
        return f"{ID}event/{plan.slug}-{event_slug(plan, key[0])}"
    if kind.target == "story":
        return sub + f"story-{key[0] + 1}"
    if kind.target == "member":
        return f"{ID}organization/{member_slug(plan, key[0])}"
    raise ValueError(kind.target)


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
        for offset in range(len(plans)):
            plan = plans[(start + offset) % len(plans)]
            free = [
                t for t in targets(plan, kind.target) if (kind.name, plan.number, t) not in used
            ]
            if free:
                target = rng.choice(free)
                used.add((kind.name, plan.number, target))
                defects.append(Defect(kind, plan.number, target))
                break
        else:
            exhausted.add(kind.name)
    return defects


def manifest(plans: list[ClusterPlan], defects: list[Defect]) -> list[dict]:
    """The entries of ``defects.json``: one per defect, sorted by focus node and shape."""
    entries = [
        {
            "kind": d.kind.name,
            "focus": focus(plans[d.cluster - 1], d),
            "shape": SHAPES + d.kind.shape,
            "severity": d.kind.severity,
            "file": f"data/profiles/{PREFIX}-{d.cluster}.ttl",
            "description": d.kind.description,
            **({"check": d.kind.check} if d.kind.check else {}),
        }
        for d in defects
    ]
    entries.sort(key=lambda entry: (entry["focus"], entry["shape"]))
    return entries
