"""The SPARQL catalog (``queries/*.rq``) and the quality checks (``queries/checks/*.rq``).

Each catalog query has a golden result on the real data (``tests/golden/<name>.csv``, W3C CSV as
``clusterkg.query.to_csv`` writes it); the goldens were read line by line against the source text
and the reference facts, so a difference is a change in what the catalog promises. After a
deliberate change, regenerate them with ``python tests/test_queries.py`` and read the diff.

The same queries run on a project with a second, fictitious cluster
(``tests/fixtures/second-cluster``), where the per-cluster queries must cover both clusters and the
sharing queries must pair them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.plugins.sparql import prepareQuery

from clusterkg.errors import UsageError
from clusterkg.pipeline import Checked, reasoned
from clusterkg.project import Project
from clusterkg.query import CatalogQuery, read_query, run, to_csv

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
CHECKS = sorted((ROOT / "queries" / "checks").glob("*.rq"))
GOLDEN = ROOT / "tests" / "golden"

ID = "https://w3id.org/clusterkg/id/"
LIFE_SCIENCES = f"{ID}cluster/lombardy-life-sciences"
FICTIONAL = f"{ID}cluster/fictional-aerospace"
BOTH = {LIFE_SCIENCES, FICTIONAL}
SOURCE = "https://w3id.org/clusterkg/source/"

# rdflib's own Dataset code trips its deprecation of default_context on every query.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.default_context is deprecated:DeprecationWarning"
)


def rows(result) -> list[dict[str, str]]:
    """Result rows as plain strings by column name ('' for unbound)."""
    names = [str(v) for v in result.vars]
    return [
        {name: "" if term is None else str(term) for name, term in zip(names, row, strict=True)}
        for row in result
    ]


def golden_csv(dataset: Dataset, query: CatalogQuery, project: Project) -> str:
    return to_csv(run(dataset, query, {}, project))


def without_comments(text: str) -> str:
    """The SPARQL of a catalog file without its header and comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def is_per_cluster(query: CatalogQuery) -> bool:
    """A query about one cluster, or all of them: it has a ``cluster`` parameter and column."""
    names = {p.name for p in query.params}
    return "cluster" in names and re.search(r"SELECT[^{]*\?cluster\b", query.text) is not None


def is_pairing(query: CatalogQuery) -> bool:
    return "?cluster_a" in query.text and "?cluster_b" in query.text


@pytest.fixture(scope="module")
def real(project: Project) -> Checked:
    """The real data, loaded and reasoned once (no SHACL: the catalog needs only the graph)."""
    return reasoned(project)


@pytest.fixture(scope="module")
def real_dataset(real: Checked) -> Dataset:
    return real.dataset()


@pytest.fixture(scope="module")
def multi_dataset(multi_reasoned: Checked) -> Dataset:
    return multi_reasoned.dataset()


# --- The catalog's files ----------------------------------------------------------------------


def test_the_catalog_has_the_competency_questions():
    assert len(QUERIES) >= 12
    assert all(re.fullmatch(r"\d\d_[a-z0-9]+(_[a-z0-9]+)*", p.stem) for p in QUERIES)
    numbers = [p.stem[:2] for p in QUERIES]
    assert len(numbers) == len(set(numbers)), "two queries share a number"


@pytest.mark.parametrize("path", QUERIES + CHECKS, ids=lambda p: p.stem)
def test_header_is_complete(path: Path):
    query = read_query(path)
    assert query.summary, "the header needs a summary"
    assert query.tags, "the header needs tags"
    body = without_comments(query.text)
    assert re.search(r"\bPREFIX\s+ckg:", body) or "ckg:" not in body, "declare PREFIX ckg"
    assert "ORDER BY" in body, "rows must come in a stated order"
    for param in query.params:
        assert re.search(rf"[?$]{param.name}\b", body), f"parameter {param.name} is not used"


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_runs_as_plain_sparql(path: Path, real_dataset: Dataset, project: Project):
    """Pasted into another endpoint a file has no project prefixes and no bound parameters: it
    must still parse and run, and a language parameter must fall back to its default there."""
    query = read_query(path)
    plain = to_csv(real_dataset.query(prepareQuery(query.text)))
    defaults = {p.name: p.default for p in query.params if p.default is not None}
    if set(defaults.items()) <= {("lang", "en")}:
        assert plain == golden_csv(real_dataset, query, project)


# --- Golden results on the real data ----------------------------------------------------------


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_golden_result(path: Path, real_dataset: Dataset, project: Project):
    golden = GOLDEN / f"{path.stem}.csv"
    assert golden.is_file(), f"no golden file {golden}; run python tests/test_queries.py"
    actual = golden_csv(real_dataset, read_query(path), project)
    assert actual == golden.read_bytes().decode("utf-8")


def test_every_golden_file_belongs_to_a_query():
    assert sorted(p.stem for p in GOLDEN.glob("*.csv")) == [p.stem for p in QUERIES]


# --- Two clusters -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_runs_over_two_clusters(path: Path, multi_dataset: Dataset, multi_project: Project):
    query = read_query(path)
    found = rows(run(multi_dataset, query, {}, multi_project))
    if is_per_cluster(query):
        assert {row["cluster"] for row in found} == BOTH
        chosen = rows(run(multi_dataset, query, {"cluster": FICTIONAL}, multi_project))
        assert chosen
        assert {row["cluster"] for row in chosen} == {FICTIONAL}


@pytest.mark.parametrize(
    ("name", "shared"),
    [
        ("06_clusters_sharing_network", {f"{ID}network/cebr", f"{ID}network/vanguard-initiative"}),
        (
            "07_clusters_sharing_strategy",
            {f"{ID}s3-ecosystem/health-and-life-science", f"{ID}pnrr/M4C2"},
        ),
    ],
)
def test_sharing_queries_pair_the_two_clusters(
    name: str, shared: set[str], multi_dataset: Dataset, multi_project: Project
):
    query = read_query(ROOT / "queries" / f"{name}.rq")
    assert is_pairing(query)
    found = rows(run(multi_dataset, query, {}, multi_project))
    pairs = [(row["cluster_a"], row["cluster_b"]) for row in found]
    assert set(pairs) == {(FICTIONAL, LIFE_SCIENCES)}  # once, in one order, never with itself
    what = "network" if "network" in found[0] else "shared"
    assert {row[what] for row in found} == shared
    assert len(found) == len({tuple(row.values()) for row in found})
    for cluster in BOTH:
        assert rows(run(multi_dataset, query, {"cluster": cluster}, multi_project)) == found


def test_pnrr_coverage_counts_both_clusters(multi_dataset: Dataset, multi_project: Project):
    query = read_query(ROOT / "queries" / "15_pnrr_coverage.rq")
    counts = {r["code"]: r["clusters"] for r in rows(run(multi_dataset, query, {}, multi_project))}
    assert len(counts) == 6 + 16
    assert counts["M4C2"] == counts["M4"] == "2"
    assert counts["M6C1"] == counts["M6"] == "1"
    assert counts["M1"] == counts["M5C3"] == "0"


def test_a_wording_belongs_to_the_profile_that_uses_it(
    multi_dataset: Dataset, multi_project: Project
):
    """Both clusters take part in CEBR, but only the real profile calls it 'Council for ...'."""
    query = read_query(ROOT / "queries" / "02_european_networks.rq")
    found = rows(run(multi_dataset, query, {}, multi_project))
    cebr = {r["cluster"]: r["name_in_source"] for r in found if r["network"].endswith("/cebr")}
    assert cebr == {LIFE_SCIENCES: "Council for European BioRegions", FICTIONAL: ""}


# --- Parameters -------------------------------------------------------------------------------


def run_named(dataset: Dataset, name: str, given: dict[str, str], project: Project):
    return rows(run(dataset, read_query(ROOT / "queries" / f"{name}.rq"), given, project))


def test_language_parameter_gives_italian_labels(multi_dataset: Dataset, multi_project: Project):
    found = run_named(multi_dataset, "01_technology_areas", {"lang": "it"}, multi_project)
    fictional = {r["label"]: r["label_language"] for r in found if r["cluster"] == FICTIONAL}
    assert fictional == {
        "Avionica": "it",
        "Manifattura additiva per l'aerospazio": "it",
        "Sistemi spaziali": "it",
    }
    # The real areas have English labels only: they are shown, and marked as English.
    assert {r["label_language"] for r in found if r["cluster"] == LIFE_SCIENCES} == {"en"}


def test_language_parameter_gives_italian_pnrr_titles(real_dataset: Dataset, project: Project):
    found = run_named(real_dataset, "04_pnrr_alignment", {"lang": "it"}, project)
    assert [(r["mission_code"], r["mission_title"], r["component_code"]) for r in found] == [
        ("M4", "Istruzione e ricerca", "M4C2"),
        ("M6", "Salute", "M6C1"),
        ("M6", "Salute", "M6C2"),
    ]
    assert found[0]["component_title"] == "Dalla ricerca all'impresa"
    assert found[2]["component_title"] == (
        "Innovazione, ricerca e digitalizzazione del Servizio Sanitario Nazionale"
    )


def test_evidence_quotes_the_source_lines(real_dataset: Dataset, project: Project):
    found = run_named(
        real_dataset, "08_evidence", {"resource": "cluster/lombardy-life-sciences"}, project
    )
    source = ROOT / "data" / "sources" / "lombardy-life-sciences-cluster.txt"
    lines = source.read_text(encoding="utf-8").splitlines()
    assert found
    for row in found:
        assert row["resource"] == LIFE_SCIENCES
        assert row["document"] == f"{SOURCE}{source.name}"
        first, last = int(row["first_line"]), int(row["last_line"])
        assert row["quotation"] == "\n".join(lines[first - 1 : last])
    assert {"LOMBARDY LIFE SCIENCES CLUSTER", "ONGOING PROJECTS 2024"} <= {
        r["quotation"] for r in found
    }


def test_evidence_of_the_second_cluster_comes_from_its_own_source(
    multi_dataset: Dataset, multi_project: Project
):
    found = run_named(multi_dataset, "08_evidence", {"resource": FICTIONAL}, multi_project)
    own = f"{SOURCE}lombardy-fictional-aerospace-cluster.txt"
    assert {r["document"] for r in found if r["cited_by"] == FICTIONAL} == {own}
    assert "FICTITIOUS TEST CLUSTER - NOT A REAL ORGANISATION" in {r["quotation"] for r in found}
    # The networks it shares with the real cluster cite the real profile's lines: those lines
    # are evidence too (they are where the networks' names come from), but only through them.
    through = {r["cited_by"] for r in found if r["document"] != own}
    assert through == {f"{ID}network/cebr", f"{ID}network/vanguard-initiative"}


def test_an_iri_parameter_takes_a_full_iri(real_dataset: Dataset, project: Project):
    by_path = run_named(
        real_dataset, "03_projects", {"cluster": "cluster/lombardy-life-sciences"}, project
    )
    by_iri = run_named(real_dataset, "03_projects", {"cluster": f"<{LIFE_SCIENCES}>"}, project)
    assert by_path == by_iri
    assert len(by_path) == 2


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"colour": "blue"}, "has no parameter 'colour'"),
        ({"lang": "not a tag"}, "not a language tag"),
        ({"cluster": "has spaces"}, "not an IRI"),
    ],
)
def test_bad_parameters_are_refused(
    given: dict[str, str], message: str, real_dataset: Dataset, project: Project
):
    with pytest.raises(UsageError, match=message):
        run_named(real_dataset, "01_technology_areas", given, project)


# --- Quality checks ---------------------------------------------------------------------------

HEADER = """
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/> .
"""

# For each check: a small broken graph, the node it must report and a node it must leave alone.
BROKEN = {
    "concept-scheme-violation": (
        """
        ex:adrift a ckg:TechnologyArea, skos:Concept ; skos:prefLabel "Adrift"@en .
        ex:placed a skos:Concept ; skos:inScheme ex:scheme .
        """,
        "https://example.org/adrift",
        "https://example.org/placed",
    ),
    "provenance-violation": (
        """
        ex:unsourced a ckg:Project ; skos:prefLabel "No lines cited"@en .
        ex:sourced a ckg:Project ; prov:wasDerivedFrom <https://example.org/s.txt#line=0,1> .
        ex:reference a ckg:Cluster ; dcterms:source <https://example.org/about> .
        """,
        "https://example.org/unsourced",
        "https://example.org/sourced",
    ),
    "empty-quotation-violation": (
        """
        ex:blank a ckg:SourceExcerpt ; ckg:quotation "\\n  \\n" .
        ex:text a ckg:SourceExcerpt ; ckg:quotation "HEADING\\n\\ntext" .
        """,
        "https://example.org/blank",
        "https://example.org/text",
    ),
    "label-whitespace-violation": (
        """
        ex:padded skos:prefLabel "Padded "@en .
        ex:clean skos:prefLabel "Clean"@en ; ckg:acronym "CL" .
        """,
        "https://example.org/padded",
        "https://example.org/clean",
    ),
    "duplicate-preflabel-violation": (
        """
        ex:twice skos:prefLabel "One"@en, "Two"@en .
        ex:bilingual skos:prefLabel "Lombardy"@en, "Lombardia"@it .
        """,
        "https://example.org/twice",
        "https://example.org/bilingual",
    ),
    "stated-reference-violation": (
        """
        ex:strategy a ckg:Strategy .
        ex:element skos:inScheme ex:strategy .
        ex:dangling a ckg:StatedReference ; ckg:statedNumber 1 .
        ex:resolved a ckg:StatedReference ; ckg:refersTo ex:element .
        """,
        "https://example.org/dangling",
        "https://example.org/resolved",
    ),
}


def test_every_check_has_a_broken_case():
    assert {p.stem for p in CHECKS} == set(BROKEN)
    assert len(CHECKS) >= 3
    assert all(p.stem.endswith("-violation") for p in CHECKS)


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_check_passes_on_the_real_data(path: Path, real: Checked, project: Project):
    found = rows(run(real.data_graph(), read_query(path), {}, project))
    assert found == []


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_check_passes_on_the_second_cluster(
    path: Path, multi_reasoned: Checked, multi_project: Project
):
    found = rows(run(multi_reasoned.data_graph(), read_query(path), {}, multi_project))
    assert found == []


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_check_reports_the_offending_node(path: Path):
    turtle, offending, innocent = BROKEN[path.stem]
    graph = Graph().parse(data=HEADER + turtle, format="turtle")
    query = read_query(path)
    found = rows(run(graph, query))
    assert found, "the check missed the broken node"
    node_column = str(next(iter(run(graph, query).vars)))
    reported = {row[node_column] for row in found}
    assert offending in reported
    assert innocent not in reported
    assert all(len([v for v in row.values() if v]) >= 2 for row in found), (
        "a check reports the offending node and the offending value"
    )


# --- Regenerating the golden files ------------------------------------------------------------


def write_golden() -> None:
    """Rewrite every golden file from the current queries and data (then read the diff!)."""
    project = Project(ROOT)
    dataset = reasoned(project).dataset()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for path in QUERIES:
        text = golden_csv(dataset, read_query(path), project)
        (GOLDEN / f"{path.stem}.csv").write_bytes(text.encode("utf-8"))
        print(f"{path.stem}: {text.count(chr(13) + chr(10)) - 1} rows")


if __name__ == "__main__":
    write_golden()
