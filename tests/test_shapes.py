"""The SHACL shapes (ontology/shapes.ttl): every rule breaks on a node made to break it, and
conforming data, real or fixture, passes.

Reasoning is the slow part (about 1.5 s a run), so the module reasons and validates three times
in all: the real data (the session's ``checked`` fixture), the real sources plus
``fixtures/shapes/bad.ttl`` (one broken node per rule) and the real sources plus
``fixtures/shapes/good.ttl`` (conforming cases the real data lacks). Each test then looks up
findings in one of those reports. Regression tests with inline data skip reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from clusterkg.load import load, parse_source
from clusterkg.pipeline import Checked
from clusterkg.project import Project
from clusterkg.reason import infer
from clusterkg.validate import Validation, validate

ROOT = Path(__file__).resolve().parents[1]
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"

CKG = Namespace("https://w3id.org/clusterkg/ontology#")
CKGSH = Namespace("https://w3id.org/clusterkg/shapes#")
BAD = Namespace("https://example.org/bad/")
GOOD = "https://example.org/good/"
ID = Namespace("https://w3id.org/clusterkg/id/")
LLS = Namespace("https://w3id.org/clusterkg/id/cluster/lombardy-life-sciences/")

PREFIXES = """
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ex: <https://example.org/inline/> .
"""
SHA256 = '"999e21d5a36b813115857489c92f35c6188db3214cf5f43db949b2bb421fc827"^^xsd:hexBinary'


@dataclass(frozen=True)
class Result:
    """One top-level SHACL validation result, as IRIs rather than display strings."""

    focus: Node
    shape: Node
    severity: str
    path: Node | None
    message: str


@dataclass
class Run:
    """A validated graph and its results."""

    data: Graph
    validation: Validation
    results: list[Result]

    def about(self, focus: Node) -> list[Result]:
        return [r for r in self.results if r.focus == focus]


def results(validation: Validation) -> list[Result]:
    """The report's results, leaving out those nested under another result's sh:detail."""
    report = validation.report
    nested = set(report.objects(None, SH.detail))
    found = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        if node in nested:
            continue
        severity = report.value(node, SH.resultSeverity)
        found.append(
            Result(
                focus=report.value(node, SH.focusNode),
                shape=report.value(node, SH.sourceShape),
                severity=str(severity).rsplit("#", 1)[-1],
                path=report.value(node, SH.resultPath),
                message=str(report.value(node, SH.resultMessage) or ""),
            )
        )
    return found


def validated(asserted: Graph, shapes: Graph) -> Run:
    """Reason over ``asserted`` as the pipeline does, then validate."""
    data = Graph()
    data += asserted
    data += infer(asserted).inferred
    validation = validate(data, shapes)
    return Run(data, validation, results(validation))


def validated_inline(turtle: str, shapes: Graph) -> Run:
    """Validate a small graph as written, without reasoning (state the types it needs)."""
    data = Graph().parse(data=PREFIXES + turtle, format="turtle")
    validation = validate(data, shapes)
    return Run(data, validation, results(validation))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_source(SHAPES_FILE)


@pytest.fixture(scope="module")
def real_sources(project: Project) -> Graph:
    return load(project).union()


def with_fixture(real_sources: Graph, name: str) -> Graph:
    graph = Graph()
    graph += real_sources
    graph += parse_source(FIXTURES / name)
    return graph


@pytest.fixture(scope="module")
def bad(real_sources: Graph, shapes: Graph) -> Run:
    return validated(with_fixture(real_sources, "bad.ttl"), shapes)


@pytest.fixture(scope="module")
def good(real_sources: Graph, shapes: Graph) -> Run:
    return validated(with_fixture(real_sources, "good.ttl"), shapes)


def rules(shapes: Graph) -> set[URIRef]:
    """Every named shape that reports findings itself: the ones with a severity."""
    return {s for s in shapes.subjects(SH.severity, None) if str(s).startswith(str(CKGSH))}


def local(node: Node) -> str:
    return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# --- every rule has a node that breaks it ---------------------------------------------------

V, W = "Violation", "Warning"

# (rule, the node of bad.ttl that breaks it, the severity it must be reported with)
BROKEN = [
    # rules on one property
    ("prefLabel-langString", BAD["label-without-language"], V),
    ("prefLabel-uniqueLang", BAD["two-english-labels"], V),
    ("prefLabel-languages", BAD["label-in-german"], W),
    ("description-form", BAD["description-without-language"], V),
    ("acronym-form", BAD["acronym-with-language"], V),
    ("nameInSource-form", BAD["two-names-in-source"], V),
    ("nameInSource-official", BAD["name-in-source-differs"], W),
    ("notStatedInSource-property", BAD["not-stated-as-text"], V),
    ("notStatedInSource-contradiction", BAD["cluster-stating-an-unstated-member-count"], V),
    ("wasDerivedFrom-excerpt", BAD["derived-from-a-web-page"], V),
    ("profile-provenance", BAD["success-story-without-provenance"], V),
    # the ontology and its terms
    ("Ontology-title-en", BAD["ontology-without-english-title"], V),
    ("Ontology-title-it", BAD["ontology-without-italian-title"], W),
    ("Ontology-versionInfo", BAD["ontology-with-two-versions"], V),
    ("Ontology-versionIRI", BAD["ontology-with-text-version-iri"], V),
    ("Ontology-license", BAD["ontology-with-text-license"], V),
    ("Ontology-creator", BAD["ontology-without-creator"], V),
    ("Ontology-created", BAD["ontology-created-as-text"], V),
    ("Ontology-modified", BAD["ontology-without-modified-date"], V),
    ("Ontology-dates", BAD["ontology-modified-before-created"], V),
    ("OntologyTerm-label-en", CKG.ExampleClassWithoutEnglishLabel, V),
    ("OntologyTerm-definition-en", CKG.exampleDefinitionMissing, V),
    ("OntologyTerm-label-it", CKG.exampleItalianLabelMissing, W),
    ("OntologyTerm-definition-it", CKG.exampleItalianDefinitionMissing, W),
    ("OntologyTerm-one-per-language", CKG.ExampleClassWithTwoEnglishLabels, V),
    ("PlaceTypeShape", BAD["place-type-outside-the-ontology"], V),
    # organisations
    ("Organization-prefLabel-en", BAD["organization-without-english-label"], V),
    ("Organization-foundingYear", BAD["organization-founded-on-a-date"], V),
    ("Organization-legalForm", BAD["organization-with-plain-legal-form"], V),
    ("Organization-memberOf", BAD["organization-member-of-text"], V),
    ("Organization-jurisdiction", BAD["organization-governing-text"], V),
    ("Organization-origin", BAD["organization-without-origin"], V),
    ("Cluster-prefLabel-it", BAD["cluster-without-italian-label"], W),
    ("Cluster-referenceEcosystem", BAD["cluster-without-reference-ecosystem"], V),
    ("Cluster-technologyArea", BAD["cluster-with-text-technology-area"], V),
    ("Cluster-thematicArea", BAD["cluster-with-two-thematic-areas"], V),
    ("Cluster-headquarters", BAD["cluster-without-headquarters"], V),
    ("Cluster-homepage", BAD["cluster-with-text-homepage"], V),
    ("Cluster-participatesIn", BAD["cluster-in-a-text-network"], V),
    ("Cluster-promotedBy", BAD["cluster-promoted-by-text"], V),
    ("Cluster-memberCount", BAD["cluster-with-text-member-count"], V),
    ("Cluster-memberCount-unknown", BAD["cluster-with-unknown-member-count"], W),
    ("Cluster-memberCount-missing", BAD["cluster-without-member-count"], W),
    ("Network-nameInSource", BAD["network-without-name-in-source"], W),
    ("WorkingGroup-inConnectionWith", BAD["working-group-connected-to-text"], V),
    ("WorkingGroup-establishedBy", BAD["working-group-nobody-established"], W),
    # concepts and concept schemes
    ("Concept-prefLabel-en", BAD["concept-without-english-label"], V),
    ("Concept-inScheme", BAD["concept-in-a-non-scheme"], V),
    ("ConceptScheme-prefLabel-en", BAD["scheme-without-english-label"], V),
    ("ConceptScheme-prefLabel-it", BAD["scheme-without-italian-label"], W),
    ("ConceptScheme-hasTopConcept", BAD["scheme-without-top-concepts"], V),
    ("Strategy-source", BAD["strategy-without-source"], V),
    ("Strategy-publisher", BAD["strategy-published-by-text"], V),
    ("Strategy-issued", BAD["strategy-issued-in-a-year"], V),
    ("TechnologyArea-inScheme", BAD["technology-area-without-scheme"], V),
    ("InnovationEcosystem-prefLabel-it", BAD["ecosystem-without-italian-label"], V),
    ("InnovationEcosystem-inScheme", BAD["ecosystem-in-a-vocabulary"], V),
    ("ThematicArea-prefLabel-it", BAD["thematic-area-without-italian-label"], V),
    ("ThematicArea-inScheme", BAD["thematic-area-in-two-schemes"], V),
    ("PnrrMission-notation", BAD["mission-7"], V),
    ("PnrrMission-number", BAD["mission-numbered-7"], V),
    ("PnrrMission-prefLabel-it", BAD["mission-without-italian-label"], V),
    ("PnrrMission-inScheme", BAD["mission-outside-the-plan"], V),
    ("PnrrMission-notation-number", BAD["mission-coded-against-its-number"], V),
    ("PnrrComponent-notation", BAD["component-with-untyped-code"], V),
    ("PnrrComponent-number", BAD["component-numbered-0"], V),
    ("PnrrComponent-prefLabel-it", BAD["component-without-italian-label"], V),
    ("PnrrComponent-inScheme", BAD["component-outside-the-plan"], V),
    ("PnrrComponent-broader", BAD["component-under-a-component"], V),
    ("PnrrComponent-notation-mission", BAD["component-in-the-wrong-mission"], V),
    ("PnrrComponent-notation-number", BAD["component-coded-against-its-number"], V),
    ("Place-notation", BAD["place-with-untyped-code"], V),
    ("Place-formerNutsCode", BAD["place-with-lowercase-former-code"], V),
    ("Place-placeType", BAD["place-of-two-types"], V),
    ("Place-origin", BAD["place-without-origin"], V),
    # alignment with strategies
    ("Synergy-prefLabel-en", BAD["synergy-without-label"], V),
    ("Synergy-alignsWith", BAD["synergy-aligned-with-nothing"], V),
    ("Synergy-statedReference", BAD["synergy-with-text-reference"], V),
    ("Synergy-cluster", BAD["synergy-of-no-cluster"], V),
    ("Synergy-references-aligned", BAD["synergy-citing-what-it-does-not-align-with"], V),
    ("StatedReference-prefLabel-en", BAD["reference-without-label"], V),
    ("StatedReference-statedNumber", BAD["reference-numbered-in-words"], V),
    ("StatedReference-statedTitle", BAD["reference-without-title"], V),
    ("StatedReference-refersTo", BAD["reference-to-text"], V),
    ("StatedReference-synergy", BAD["reference-of-no-synergy"], V),
    ("StatedReference-number-official", BAD["reference-numbered-differently"], W),
    ("StatedReference-title-official", BAD["reference-titled-differently"], W),
    # what a cluster does
    ("SuccessStory-prefLabel-en", BAD["success-story-without-label"], V),
    ("SuccessStory-description-en", BAD["success-story-without-description"], W),
    ("SuccessStory-concernsCall", BAD["success-story-about-a-text-call"], V),
    ("SuccessStory-established", BAD["success-story-establishing-text"], V),
    ("SuccessStory-cluster", BAD["success-story-of-no-cluster"], W),
    ("Figure-prefLabel-en", BAD["figure-without-label"], V),
    ("Figure-value", BAD["figure-with-text-value"], V),
    ("Figure-unitText", BAD["figure-with-plain-unit"], V),
    ("Figure-subject", BAD["figure-about-nothing"], V),
    ("FundingCall-prefLabel-en", BAD["call-without-label"], V),
    ("FundingCall-publisher", BAD["call-published-by-text"], V),
    ("Project-prefLabel-en", BAD["project-without-label"], V),
    ("Project-title", BAD["project-with-two-english-titles"], V),
    ("Project-description-en", BAD["project-without-description"], W),
    ("Project-ongoingIn", BAD["project-ongoing-in-an-integer"], V),
    ("Project-cluster", BAD["project-of-no-cluster"], W),
    ("NetworkingActivity-prefLabel-en", BAD["activity-without-label"], V),
    ("NetworkingActivity-description-en", BAD["activity-without-description"], W),
    ("NetworkingActivity-includesEvent", BAD["activity-including-text"], V),
    ("NetworkingActivity-cluster", BAD["activity-of-no-cluster"], W),
    ("Event-prefLabel-en", BAD["event-without-label"], V),
    ("Event-heldFor", BAD["event-held-for-text"], V),
    ("Event-platform", BAD["event-on-a-text-platform"], V),
    ("Event-participant", BAD["event-with-text-participant"], V),
    ("Event-activity", BAD["event-of-no-activity"], W),
    ("EventSeries-repeatFrequency", BAD["event-series-repeating-in-words"], V),
    ("BusinessMission-destination", BAD["mission-without-destination"], V),
    ("BusinessMission-participant", BAD["mission-without-participants"], V),
    ("BusinessMission-date", BAD["mission-dated-to-the-day"], V),
    ("Platform-prefLabel-en", BAD["platform-without-label"], V),
    ("Platform-providedBy", BAD["platform-provided-by-nobody"], V),
    # sites and addresses
    ("Site-prefLabel-en", BAD["site-without-label"], V),
    ("Site-address", BAD["site-with-text-address"], V),
    ("Site-place", BAD["site-nowhere"], V),
    ("Address-prefLabel-en", BAD["address-without-label"], V),
    ("Address-fullAddress", BAD["address-without-full-address"], V),
    ("Address-postCode", BAD["address-with-four-digit-postcode"], V),
    ("Address-thoroughfare", BAD["address-on-two-streets"], V),
    ("Address-locatorDesignator", BAD["address-with-numeric-house-number"], V),
    ("Address-postName", BAD["address-with-tagged-town"], V),
    ("Address-place", BAD["address-in-two-places"], V),
    # sources
    ("Document-title-en", BAD["document-without-title"], V),
    ("Document-isPartOf", BAD["document-part-of-text"], V),
    ("SourceDocument-lineCount", BAD["source-without-line-count"], V),
    ("SourceDocument-sha256", BAD["source-with-short-checksum"], V),
    ("SourceDocument-pageNumber", BAD["source-on-page-0"], V),
    ("SourceExcerpt-prefLabel-en", BAD["excerpt-without-label"], V),
    ("SourceExcerpt-excerptOf", BAD["excerpt-of-nothing"], V),
    ("SourceExcerpt-firstLine", BAD["excerpt-with-integer-first-line"], V),
    ("SourceExcerpt-lastLine", BAD["excerpt-without-last-line"], V),
    ("SourceExcerpt-lineOrder", BAD["excerpt-ending-before-it-starts"], V),
    ("SourceExcerpt-quotation", BAD["excerpt-of-blank-lines"], V),
    ("SourceExcerpt-withinDocument", BAD["excerpt-beyond-the-document"], V),
]


@pytest.mark.parametrize(("rule", "focus", "severity"), BROKEN, ids=[rule for rule, _, _ in BROKEN])
def test_rule_reports_the_node_that_breaks_it(
    bad: Run, shapes: Graph, rule: str, focus: URIRef, severity: str
) -> None:
    shape = CKGSH[rule]
    found = [r for r in bad.about(focus) if r.shape == shape]
    assert found, f"{local(focus)} is not reported by {rule}; it got {bad.about(focus)}"
    assert {r.severity for r in found} == {severity}
    path = shapes.value(shape, SH.path)
    if isinstance(path, URIRef):
        assert {r.path for r in found} == {path}
    assert all(r.message for r in found)


def test_every_rule_has_a_broken_node(shapes: Graph) -> None:
    tested = {CKGSH[rule] for rule, _, _ in BROKEN}
    assert sorted(map(local, rules(shapes) - tested)) == []
    assert sorted(map(local, tested - rules(shapes))) == []


def test_broken_nodes_are_reported_only_by_the_shapes(bad: Run) -> None:
    """Each finding names a named rule of ours, never an anonymous or nested shape."""
    assert all(isinstance(r.shape, URIRef) and r.shape in CKGSH for r in bad.results)


# Regression: sh:node and nested shapes make pySHACL add the inner results (about the value, a
# literal) to the report as sh:ValidationResult too; the pipeline would print them as findings
# about "33" or "about 120". The shapes avoid them, so every finding is about a resource.
def test_nested_results_do_not_leak_as_findings(bad: Run) -> None:
    report = bad.validation.report
    assert not list(report.objects(None, SH.detail))
    assert all(not isinstance(f.focus, Literal) for f in bad.validation.findings)


def test_findings_carry_a_message_a_person_can_act_on(bad: Run) -> None:
    defaults = [f for f in bad.validation.findings if f.message == "does not satisfy its shape"]
    assert defaults == []
    unresolved = [f.message for f in bad.validation.findings if "{?" in f.message]
    assert unresolved == []


# --- the shapes file itself ---------------------------------------------------------------


def test_shapes_graph_declares_the_prefixes_its_queries_use(shapes: Graph) -> None:
    header = URIRef("https://w3id.org/clusterkg/shapes")
    assert shapes.value(header, RDFS.label, None) is not None
    declared = {str(shapes.value(d, SH.prefix)) for d in shapes.objects(header, SH.declare)}
    wanted = {"ckg", "skos", "rdfs", "owl", "prov", "dcterms", "org", "schema", "xsd", "locn"}
    assert wanted | {"foaf"} <= declared
    for constraint in shapes.subjects(SH.select, None):
        assert shapes.value(constraint, SH.prefixes) == header


@pytest.mark.parametrize("rule", sorted(rules(parse_source(SHAPES_FILE))), ids=local)
def test_rule_has_a_message_and_an_explicit_severity(shapes: Graph, rule: URIRef) -> None:
    assert shapes.value(rule, SH.severity) in (SH.Violation, SH.Warning, SH.Info)
    messages = list(shapes.objects(rule, SH.message))
    sparql_messages = [shapes.value(c, SH.message) for c in shapes.objects(rule, SH.sparql)]
    assert messages or (sparql_messages and all(sparql_messages))
    for message in [*messages, *(m for m in sparql_messages if m)]:
        assert message.language == "en" and str(message)[0].isupper() and str(message).endswith(".")


def test_every_property_shape_belongs_to_a_node_shape(shapes: Graph) -> None:
    loose = [
        local(s)
        for s in shapes.subjects(RDF.type, SH.PropertyShape)
        if (None, SH.property, s) not in shapes
    ]
    assert loose == []


# --- conforming data ------------------------------------------------------------------------

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def node_shapes_with_targets(shapes: Graph) -> list[URIRef]:
    return sorted({s for t in TARGETS for s in shapes.subjects(t, None) if isinstance(s, URIRef)})


def focus_nodes(shapes: Graph, shape: Node, data: Graph) -> set[Node]:
    """The nodes ``shape`` targets in ``data`` (SHACL 2.1.3, without SPARQL targets)."""
    found: set[Node] = set(shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):
            found.update(data.subjects(RDF.type, sub))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        found.update(data.subjects(prop, None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        found.update(data.objects(None, prop))
    return found


@pytest.mark.parametrize("shape", node_shapes_with_targets(parse_source(SHAPES_FILE)), ids=local)
def test_shape_applies_to_conforming_data_without_violations(
    good: Run, shapes: Graph, shape: URIRef
) -> None:
    targeted = focus_nodes(shapes, shape, good.data)
    assert targeted, f"{local(shape)} targets nothing in the real data plus good.ttl"
    violations = [r for r in good.results if r.severity == V and r.focus in targeted]
    assert violations == []


def test_good_fixture_raises_no_finding(good: Run) -> None:
    assert [r for r in good.results if str(r.focus).startswith(GOOD)] == []
    assert good.validation.violations == []


# --- the real data ------------------------------------------------------------------------

# What a publisher must look at in the real data, and nothing else.
EXPECTED_WARNINGS = sorted(
    [
        # the profile prints the numbers of Mission 6's two components the other way round
        (LLS["synergy-1-component-1"], CKGSH["StatedReference-number-official"]),
        (LLS["synergy-1-component-2"], CKGSH["StatedReference-number-official"]),
        # "digitisation" where the official title says "digitalisation"
        (LLS["synergy-1-component-1"], CKGSH["StatedReference-title-official"]),
        # "Council for European BioRegions", "EnterpriseEurope Network"
        (ID["network/cebr"], CKGSH["nameInSource-official"]),
        (ID["network/een"], CKGSH["nameInSource-official"]),
        # the profile's NUMBER OF MEMBERS heading has no value
        (ID["cluster/lombardy-life-sciences"], CKGSH["Cluster-memberCount-unknown"]),
    ]
)


def test_real_data_conforms(checked: Checked) -> None:
    assert checked.validation is not None
    assert checked.validation.violations == []
    assert checked.validation.conforms


def test_real_data_raises_exactly_the_expected_warnings(checked: Checked) -> None:
    assert checked.validation is not None
    found = sorted((r.focus, r.shape) for r in results(checked.validation))
    assert found == EXPECTED_WARNINGS
    assert len(checked.validation.warnings) == len(EXPECTED_WARNINGS)


def warning_about(checked: Checked, focus: URIRef, rule: str):
    assert checked.validation is not None
    [finding] = [
        f
        for f in checked.validation.findings
        if f.focus == focus and f.path == f"ckg:{rule}" and f.severity == W
    ]
    return finding


def test_numbering_warning_gives_stated_and_official_numbers(checked: Checked) -> None:
    finding = warning_about(checked, LLS["synergy-1-component-1"], "statedNumber")
    assert finding.value == "1"
    assert "numbers this reference 1" in finding.message
    assert "M6C2" in finding.message and "official number is 2" in finding.message
    assert "identified by its title" in finding.message
    assert finding.focus_label.startswith("Component 1:")


def test_title_warning_gives_stated_and_official_titles(checked: Checked) -> None:
    finding = warning_about(checked, LLS["synergy-1-component-1"], "statedTitle")
    assert "digitisation of the National Health Service" in finding.message
    assert "digitalisation of the National Health Service" in finding.message
    assert "M6C2" in finding.message


@pytest.mark.parametrize(
    ("network", "in_source", "official"),
    [
        ("cebr", "Council for European BioRegions", "Council of European BioRegions"),
        ("een", "EnterpriseEurope Network", "Enterprise Europe Network"),
    ],
    ids=["cebr", "een"],
)
def test_name_warning_gives_both_names(
    checked: Checked, network: str, in_source: str, official: str
) -> None:
    finding = warning_about(checked, ID[f"network/{network}"], "nameInSource")
    assert finding.value == in_source
    assert f'"{in_source}"' in finding.message and f'"{official}"' in finding.message
    assert finding.focus_label == official


MEMBER_COUNT_UNKNOWN = (
    "The number of members of this cluster is unknown: the source leaves it blank."
)


def test_member_count_warning_says_the_source_leaves_it_blank(checked: Checked) -> None:
    finding = warning_about(checked, ID["cluster/lombardy-life-sciences"], "memberCount")
    assert finding.message == MEMBER_COUNT_UNKNOWN
    assert finding.focus_label == "Lombardy Life Sciences Cluster"


# --- regressions, with the data inline ----------------------------------------------------


def test_page_number_written_as_plain_turtle_integer_conforms(shapes: Graph) -> None:
    """``ckg:pageNumber 13`` is an xsd:integer, not the range's xsd:positiveInteger."""
    run = validated_inline(
        f"""
        ex:doc a ckg:SourceDocument, foaf:Document ;
            dcterms:title "A page"@en ;
            ckg:lineCount "3"^^xsd:positiveInteger ;
            ckg:sha256 {SHA256} ;
            ckg:pageNumber 13 .
        """,
        shapes,
    )
    assert run.results == []


def test_page_number_zero_is_still_rejected(shapes: Graph) -> None:
    run = validated_inline(
        f"""
        ex:doc a ckg:SourceDocument ; ckg:pageNumber 0 ;
            ckg:lineCount "3"^^xsd:positiveInteger ;
            ckg:sha256 {SHA256} .
        """,
        shapes,
    )
    assert [(r.focus, r.shape) for r in run.results] == [
        (URIRef("https://example.org/inline/doc"), CKGSH["SourceDocument-pageNumber"])
    ]


def test_name_in_source_differing_only_in_case_is_not_reported(shapes: Graph) -> None:
    run = validated_inline(
        """
        ex:network skos:prefLabel "Enterprise Europe Network"@en ;
            ckg:nameInSource "ENTERPRISE EUROPE NETWORK" .
        """,
        shapes,
    )
    assert run.results == []


def test_stated_title_matching_an_alternative_label_is_not_reported(shapes: Graph) -> None:
    run = validated_inline(
        """
        ex:component skos:prefLabel "Energia rinnovabile, idrogeno, rete e mobilità"@it ;
            skos:altLabel "Transizione energetica e mobilità sostenibile"@it .
        ex:reference a ckg:StatedReference ;
            ckg:statedTitle "transizione energetica e mobilità sostenibile"@it ;
            ckg:refersTo ex:component .
        """,
        shapes,
    )
    assert [r for r in run.results if r.shape == CKGSH["StatedReference-title-official"]] == []


def test_stated_title_in_another_language_than_the_official_names_is_reported(
    shapes: Graph,
) -> None:
    run = validated_inline(
        """
        ex:component skos:prefLabel "Health"@en ; skos:notation "M6" .
        ex:reference a ckg:StatedReference ;
            ckg:statedTitle "Health"@it ;
            ckg:refersTo ex:component .
        """,
        shapes,
    )
    [finding] = [r for r in run.results if r.shape == CKGSH["StatedReference-title-official"]]
    assert "not given in this language" in finding.message


def test_untagged_label_is_reported_once(bad: Run) -> None:
    """A label without a tag is not also "in another language than English or Italian"."""
    found = [r.shape for r in bad.about(BAD["label-without-language"])]
    assert found == [CKGSH["prefLabel-langString"]]


def test_reference_to_text_is_reported_once(shapes: Graph) -> None:
    """Text in ckg:refersTo was also reported as an element "M6" the synergy did not align
    with, and as a title matching no official name of "M6"."""
    run = validated_inline(
        """
        ex:m6 skos:prefLabel "Health"@en ; skos:notation "M6" .
        ex:synergy a ckg:Synergy ;
            ckg:alignsWith ex:m6 ;
            ckg:statedReference ex:reference .
        ex:reference a ckg:StatedReference ;
            ckg:statedTitle "Health"@en ;
            ckg:refersTo "M6" .
        """,
        shapes,
    )
    reported = {r.shape for r in run.results}
    assert CKGSH["StatedReference-refersTo"] in reported
    assert CKGSH["Synergy-references-aligned"] not in reported
    assert CKGSH["StatedReference-title-official"] not in reported


def test_terms_of_other_vocabularies_are_not_held_to_ckg_rules(shapes: Graph) -> None:
    """The closure may type terms outside the ckg namespace; they need no ckg labels."""
    run = validated_inline(
        """
        <http://www.w3.org/ns/org#Organization> a owl:Class .
        <http://www.w3.org/ns/prov#wasDerivedFrom> a owl:ObjectProperty .
        """,
        shapes,
    )
    assert run.results == []


def test_anonymous_classes_are_not_held_to_ckg_rules(shapes: Graph) -> None:
    """OWL class expressions are blank nodes typed owl:Class; they have no labels to give."""
    graph = Graph()
    graph.add((BNode(), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    assert results(validate(graph, shapes)) == []
