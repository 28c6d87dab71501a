"""The release describes itself: VoID numbers equal independent SPARQL counts over the written
files, every file is a DCAT distribution with its real size and checksum, and the record passes
its SHACL shapes (and fails them, naming the focus node, when a field is missing)."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SH

from clusterkg import metadata
from clusterkg.errors import SourceError
from clusterkg.export import release_contents
from clusterkg.metadata import SPDX, VOID
from clusterkg.project import Project

from .conftest import ROOT

# Open namespaces: pytest probes module attributes, which closed ones warn about.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
APACHE = URIRef("https://www.apache.org/licenses/LICENSE-2.0")
NOT_DISTRIBUTED = {"SHA256SUMS", "void.ttl", "catalog.ttl"}


@pytest.fixture(scope="module")
def void(release) -> Graph:
    return Graph().parse(release / "void.ttl")


@pytest.fixture(scope="module")
def catalog(release) -> Graph:
    return Graph().parse(release / "catalog.ttl")


@pytest.fixture(scope="module")
def dataset(project) -> URIRef:
    return URIRef(f"{project.base}dataset")


def _files(release: Path) -> dict[str, bytes]:
    return {
        p.relative_to(release).as_posix(): p.read_bytes()
        for p in sorted(release.rglob("*"))
        if p.is_file()
    }


def _one(graph: Graph, query: str) -> int:
    return int(next(iter(graph.query(query)))[0])


def _stated(void: Graph, node: URIRef, prop: URIRef) -> int:
    values = list(void.objects(node, prop))
    assert len(values) == 1, f"{node} has {len(values)} values for {prop}"
    return int(values[0])


# --- VoID ------------------------------------------------------------------------------------


def test_void_statistics_equal_sparql_counts_over_kg_nt(release, void, dataset, project):
    kg = Graph().parse(release / "kg.nt", format="nt")
    space = f"{project.base}id/"
    expected = {
        VOID.triples: "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        VOID.distinctSubjects: "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
        VOID.distinctObjects: "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
        VOID.properties: "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
        VOID.classes: "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
        VOID.entities: "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}")) }}',
    }
    for prop, query in expected.items():
        assert _stated(void, dataset, prop) == _one(kg, query), prop
    assert _stated(void, dataset, VOID.triples) == len(kg) > 1000
    assert (dataset, VOID.uriSpace, Literal(space)) in void


def test_class_and_property_partitions_equal_sparql_counts(release, void, dataset):
    kg = Graph().parse(release / "kg.nt", format="nt")
    classes = {
        row[0]: int(row[1])
        for row in kg.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    }
    properties = {
        row[0]: int(row[1])
        for row in kg.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    }
    stated_classes = {
        void.value(part, VOID["class"]): _stated(void, part, VOID.entities)
        for part in void.objects(dataset, VOID.classPartition)
    }
    stated_properties = {
        void.value(part, VOID.property): _stated(void, part, VOID.triples)
        for part in void.objects(dataset, VOID.propertyPartition)
    }
    assert stated_classes == classes
    assert stated_properties == properties
    vocabularies = set(void.objects(dataset, VOID.vocabulary))
    for namespace in ("https://w3id.org/clusterkg/ontology#", "http://www.w3.org/ns/org#"):
        assert URIRef(namespace) in vocabularies


def test_named_graph_subsets_equal_sparql_counts_over_kg_trig(release, void, dataset, project):
    trig = Dataset()
    trig.parse(release / "kg.trig", format="trig")
    counts = {
        row[0]: int(row[1])
        for row in trig.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
    }
    inferred = project.graph_iri("inferred")
    subsets = {g: _stated(void, g, VOID.triples) for g in void.objects(dataset, VOID.subset)}
    assert subsets == {g: n for g, n in counts.items() if g != inferred}
    # The inferred graph is described beside the dataset, not counted in it.
    assert inferred not in subsets
    assert _stated(void, inferred, VOID.triples) == counts[inferred]
    assert (dataset, RDF.type, VOID.Dataset) in void and (inferred, RDF.type, VOID.Dataset) in void
    inferred_file = Graph().parse(release / "inferred.ttl")
    assert (inferred, VOID.dataDump, URIRef(f"{project.base}inferred.ttl")) in void
    assert counts[inferred] == len(inferred_file)


def test_dumps_example_resource_and_no_endpoint_by_default(void, dataset, project):
    dumps = set(void.objects(dataset, VOID.dataDump))
    assert dumps == {URIRef(f"{project.base}{name}") for name in metadata.DUMPS}
    assert set(void.objects(dataset, VOID.exampleResource)) == {
        project.id_iri("cluster/lombardy-life-sciences")
    }
    assert not list(void.objects(None, VOID.sparqlEndpoint))


def test_sparql_endpoint_when_configured(checked):
    contents = release_contents(checked)
    files = metadata.release_files(checked, contents, sparql_endpoint="https://example.org/sparql")
    void = Graph().parse(data=files["void.ttl"][0], format="turtle")
    assert URIRef("https://example.org/sparql") in set(void.objects(None, VOID.sparqlEndpoint))


# --- DCAT-AP / DCAT-AP_IT --------------------------------------------------------------------


def test_every_release_file_is_a_distribution_with_its_real_size_and_checksum(
    release, catalog, dataset, project
):
    files = _files(release)
    distributions = list(catalog.objects(dataset, DCAT.distribution))
    by_url = {catalog.value(d, DCAT.downloadURL): d for d in distributions}
    assert len(by_url) == len(distributions)
    listed = {
        name
        for name in files
        if name not in NOT_DISTRIBUTED and not name.startswith(metadata.NOT_DISTRIBUTIONS)
    }
    assert {"kg.ttl", "kg.jsonld", "ontology/index.html", "context.jsonld"} <= listed
    assert set(by_url) == {URIRef(project.base + name) for name in listed}
    for name, data in files.items():
        if name not in listed:
            continue
        dist = by_url[URIRef(project.base + name)]
        size = catalog.value(dist, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(data), name
        checksum = catalog.value(dist, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert catalog.value(dist, DCAT.accessURL) == URIRef(project.base + name)
        mime, file_type = metadata.media_type(name)
        assert catalog.value(dist, DCAT.mediaType) == mime
        assert catalog.value(dist, DCTERMS.format) == file_type


@pytest.mark.parametrize(
    ("name", "mime", "code"),
    [
        ("kg.ttl", "text/turtle", "RDF_TURTLE"),
        ("kg.nt", "application/n-triples", "RDF_N_TRIPLES"),
        ("kg.jsonld", "application/ld+json", "JSON_LD"),
        ("kg.trig", "application/trig", "RDF_TRIG"),
        ("ontology/clusterkg.rdf", "application/rdf+xml", "RDF_XML"),
        ("ontology/index.html", "text/html", "HTML"),
        ("source/x.txt", "text/plain", "TXT"),
        (".htaccess", "text/plain", "TXT"),
    ],
)
def test_media_types(name, mime, code):
    assert metadata.media_type(name) == (
        URIRef(f"https://www.iana.org/assignments/media-types/{mime}"),
        URIRef(f"http://publications.europa.eu/resource/authority/file-type/{code}"),
    )


def test_licences_are_stated(catalog, dataset, project):
    assert catalog.value(dataset, DCTERMS.license) == CC_BY
    for dist in catalog.objects(dataset, DCAT.distribution):
        name = str(catalog.value(dist, DCTERMS.title))
        if name.startswith("source/"):
            # Third-party quotations: a rights statement, never the project's licence.
            assert catalog.value(dist, DCTERMS.license) is None
            assert catalog.value(dist, DCTERMS.rights) == URIRef(
                f"{project.base}rights/source-quotations"
            )
        else:
            assert catalog.value(dist, DCTERMS.license) == CC_BY, name
    software = catalog.value(dataset, DCTERMS.relation)
    assert catalog.value(software, DCTERMS.license) == APACHE


def test_record_names_language_place_themes_and_dates_from_the_description(catalog, dataset):
    authority = "http://publications.europa.eu/resource/authority/"
    assert set(catalog.objects(dataset, DCTERMS.language)) == {
        URIRef(f"{authority}language/ENG"),
        URIRef(f"{authority}language/ITA"),
    }
    assert URIRef(
        "https://w3id.org/italia/controlled-vocabulary/territorial-classifications/regions/03"
    ) in set(catalog.objects(dataset, DCTERMS.spatial))
    assert URIRef(f"{authority}data-theme/TECH") in set(catalog.objects(dataset, DCAT.theme))
    described = Graph().parse(ROOT / "data" / "dataset.ttl")
    assert catalog.value(dataset, DCTERMS.modified) == described.value(dataset, DCTERMS.modified)


@pytest.fixture(params=["pyshacl", "oxigraph"])
def record_engine(request) -> str:
    """The SHACL engines a build may check its catalogue record with."""
    return request.param


def _check(checked, record: Graph, engine: str = "pyshacl"):
    project = replace(checked.project, validator=engine)
    return metadata.check_record(replace(checked, project=project), record)


# The DCAT-AP_IT fields the project cannot fill truthfully: reported as warnings, on purpose.
KNOWN_WARNINGS = {
    ("contact-point", "http://www.w3.org/2006/vcard/ns#hasEmail"),
    (
        "dataset/distribution/source/lombardy-life-sciences-cluster.txt",
        "http://purl.org/dc/terms/license",
    ),
}


def test_record_conforms_to_its_shapes_with_only_the_known_gaps(
    checked, catalog, project, record_engine
):
    validation = _check(checked, catalog, record_engine)
    assert validation.conforms, validation.text()
    report = validation.report
    gaps = {
        (
            str(report.value(r, SH.focusNode))[len(project.base) :],
            str(report.value(r, SH.resultPath)),
        )
        for r in report.subjects(SH.resultSeverity, SH.Warning)
    }
    assert gaps == KNOWN_WARNINGS


def _without(graph: Graph, node, prop) -> Graph:
    broken = Graph()
    broken += graph
    broken.remove((node, prop, None))
    return broken


@pytest.mark.parametrize(
    ("focus", "prop", "value"),
    [
        ("dataset/distribution/kg.ttl", DCAT.mediaType, None),
        ("dataset/distribution/kg.ttl", DCTERMS.format, None),
        ("dataset/distribution/kg.nt", DCAT.byteSize, Literal(-1)),
        ("dataset/distribution/kg.nt", DCAT.byteSize, Literal(12)),  # xsd:integer, not the type
        ("dataset", DCAT.theme, URIRef("http://example.org/theme/health")),
        ("dataset", DCTERMS.modified, None),
        ("dataset", DCTERMS.rightsHolder, None),
        ("dataset", DCTERMS.accrualPeriodicity, None),
        ("catalog", DCTERMS.modified, None),
        ("catalog", DCAT.dataset, None),
        ("publisher", DCTERMS.identifier, None),
    ],
)
def test_a_broken_record_fails_naming_its_focus_node(
    checked, catalog, project, record_engine, focus, prop, value
):
    node = URIRef(project.base + focus)
    broken = _without(catalog, node, prop)
    if value is not None:
        broken.add((node, prop, value))
    validation = _check(checked, broken, record_engine)
    assert not validation.conforms
    assert node in {f.focus for f in validation.violations}


def test_a_wrong_checksum_value_fails(checked, catalog, project, record_engine):
    dist = URIRef(project.base + "dataset/distribution/kg.ttl")
    checksum = catalog.value(dist, SPDX.checksum)
    broken = _without(catalog, checksum, SPDX.checksumValue)
    broken.add((checksum, SPDX.checksumValue, Literal("abc", datatype=XSD.hexBinary)))
    validation = _check(checked, broken, record_engine)
    assert not validation.conforms
    assert {checksum, dist} & {f.focus for f in validation.violations}


def test_a_distribution_without_licence_or_rights_fails(checked, catalog, project):
    dist = URIRef(project.base + "dataset/distribution/source/lombardy-life-sciences-cluster.txt")
    validation = _check(checked, _without(catalog, dist, DCTERMS.rights))
    assert dist in {f.focus for f in validation.violations}


# --- Build behaviour -------------------------------------------------------------------------


def test_metadata_bytes_are_deterministic(checked):
    contents = release_contents(checked)
    first = metadata.release_files(checked, contents)
    second = metadata.release_files(checked, contents)
    assert first == second
    assert b"_:" not in first["catalog.ttl"][0]  # checksum nodes are written inline


def _project_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "data" / "dataset.ttl", tmp_path / "data" / "dataset.ttl")
    return tmp_path


def test_missing_description_is_a_one_line_source_error(checked, tmp_path):
    root = _project_copy(tmp_path)
    (root / "data" / "dataset.ttl").unlink()
    moved = replace(checked, project=Project(root))
    with pytest.raises(SourceError, match=r"dataset\.ttl: the dataset description is missing"):
        metadata.release_files(moved, {"kg.ttl": (b"", "x")})


def test_a_description_missing_a_required_field_stops_the_build(checked, tmp_path):
    root = _project_copy(tmp_path)
    path = root / "data" / "dataset.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    dcat:theme theme:TECH, theme:ECON, theme:HEAL ;\n", ""))
    moved = replace(checked, project=Project(root))
    with pytest.raises(SourceError, match=r"does not conform to dcat-shapes\.ttl.*theme"):
        metadata.release_files(moved, release_contents(checked))


def test_iris_follow_the_base(checked):
    moved = replace(checked, project=Project(ROOT, base="https://example.org/kg/"))
    files = metadata.release_files(moved, {"kg.ttl": (b"@prefix x: <y#> .\n", "the graph")})
    catalog = Graph().parse(data=files["catalog.ttl"][0], format="turtle")
    dataset = URIRef("https://example.org/kg/dataset")
    dist = catalog.value(dataset, DCAT.distribution)
    assert catalog.value(dist, DCAT.downloadURL) == URIRef("https://example.org/kg/kg.ttl")
    void = Graph().parse(data=files["void.ttl"][0], format="turtle")
    assert (dataset, VOID.uriSpace, Literal("https://example.org/kg/id/")) in void
