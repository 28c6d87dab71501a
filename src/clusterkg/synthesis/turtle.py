"""Turtle and a brochure page written as plain text, so the same plan gives the same bytes.

No rdflib serialisation (and so no set or hash order): each resource is written as one block,
in the order the renderer adds them, and the writer counts the triples and collects the source
lines they cite, which is what the corpus's exact triple count is made of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib.namespace import DCTERMS, SKOS

from ..project import CKG
from .words import ID

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


def lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def iri_ref(iri: str) -> str:
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


def cite(first: int, last: int | None = None) -> str:
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
