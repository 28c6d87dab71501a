"""The server's pages in-process: documents by content negotiation and language, the home page,
the query catalog as pages, the editor, and escaping of hostile data."""

from __future__ import annotations

import csv
import io
import json
import shutil

import html5lib
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from starlette.testclient import TestClient

from clusterkg.endpoint import Limits
from clusterkg.serve import Settings, create_app

CLUSTER = "https://w3id.org/clusterkg/id/cluster/lombardy-life-sciences"


@pytest.fixture(scope="module")
def client(served_release):
    with TestClient(create_app(Settings(release=served_release, limits=Limits(max_rows=3)))) as c:
        yield c


def parse_html(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/json", "application/ld+json", "json-ld"),
    ],
)
def test_documents_negotiate_rdf(client, accept, media, fmt):
    response = client.get("/doc/cluster/lombardy-life-sciences", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media}; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.text, format=fmt)
    assert (
        URIRef(CLUSTER),
        SKOS.prefLabel,
        Literal("Lombardy Life Sciences Cluster", lang="en"),
    ) in graph


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "nt", "html"])
def test_suffix_picks_the_format(client, suffix):
    response = client.get(f"/doc/project/c4life.{suffix}", headers={"Accept": "image/png"})
    assert response.status_code == 200


def test_thing_to_document_to_html(client):
    response = client.get("/id/project/c4life", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.url.path == "/doc/project/c4life"
    page = parse_html(response.text)
    assert page.find(".//h1").text == "C4Life - Continuity of Care"
    text = response.text
    assert "Project for the development of a collaborative ecosystem" in text
    assert "prevention, quality of life and longevity." in text  # quoted source line 57
    assert 'href="/doc/cluster/lombardy-life-sciences"' in text  # incoming link, server path


@pytest.mark.parametrize(
    ("headers", "url", "title"),
    [
        (
            {"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"},
            "/doc/pnrr/M6C1",
            "Reti di prossimità, strutture e telemedicina per l'assistenza sanitaria territoriale",
        ),
        (
            {},
            "/doc/pnrr/M6C1?lang=it",
            "Reti di prossimità, strutture e telemedicina per l'assistenza sanitaria territoriale",
        ),
        (
            {"Accept-Language": "it"},
            "/doc/pnrr/M6C1?lang=en",
            "Proximity networks, facilities and telemedicine for territorial health care",
        ),
    ],
)
def test_page_language(client, headers, url, title):
    response = client.get(url, headers={"Accept": "text/html", **headers})
    assert parse_html(response.text).find(".//h1").text == title


def test_unknown_and_unacceptable(client):
    assert client.get("/id/cluster/nowhere", follow_redirects=False).status_code == 404
    assert client.get("/doc/cluster/nowhere").status_code == 404
    refused = client.get("/doc/project/c4life", headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_home_page(client):
    response = client.get("/")
    page = parse_html(response.text)
    links = {a.get("href") for a in page.iter("a")}
    assert {"/queries", "/editor", "/doc/cluster/lombardy-life-sciences", "/kg.ttl"} <= links
    assert "Statistics" in response.text and "Downloads" in response.text
    for href in ("/kg.ttl", "/SHA256SUMS", "/source/lombardy-life-sciences-cluster.txt"):
        assert client.get(href).status_code == 200


def test_catalog_pages(client, project):
    listing = client.get("/queries")
    names = sorted(p.stem for p in project.queries_dir.glob("*.rq"))
    links = {a.get("href") for a in parse_html(listing.text).iter("a")}
    assert {f"/queries/{n}" for n in names} <= links
    page = client.get("/queries/04_pnrr_alignment", params={"lang": "it"})
    tree = parse_html(page.text)
    assert tree.find(".//form").get("action") == "/queries/04_pnrr_alignment"
    inputs = {i.get("name"): i.get("value") for i in tree.iter("input")}
    assert inputs == {"cluster": "", "lang": "it"}
    assert "Innovazione, ricerca e digitalizzazione del Servizio Sanitario Nazionale" in page.text
    assert "cut at the row limit" not in page.text


def test_catalog_results_as_csv_and_json(client):
    params = {"cluster": "cluster/lombardy-life-sciences", "lang": "it"}
    as_csv = client.get("/queries/04_pnrr_alignment", params={**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["component_code"] for r in rows} == {"M6C1", "M6C2", "M4C2"}
    as_json = client.get("/queries/04_pnrr_alignment", params={**params, "format": "json"})
    assert len(json.loads(as_json.text)["results"]["bindings"]) == 3


def test_catalog_flags_truncation_and_rejects_bad_parameters(client):
    page = client.get("/queries/15_pnrr_coverage")  # 22 rows, the test server allows 3
    assert "cut at the row limit" in page.text
    assert client.get("/queries/01_technology_areas", params={"nope": "1"}).status_code == 400
    assert (
        client.get("/queries/01_technology_areas", params={"lang": "not a tag"}).status_code == 400
    )
    assert client.get("/queries/no_such_query").status_code == 404


def test_editor_is_served_locally(client):
    page = client.get("/editor")
    scripts = [s.get("src") for s in parse_html(page.text).iter("script") if s.get("src")]
    assert scripts == ["/static/yasgui/yasgui.min.js", "/static/editor/editor.js"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    examples = json.loads(parse_html(page.text).find(".//script[@id='examples']").text)
    assert examples[0]["name"] == "01_technology_areas"
    for src in scripts:
        assert client.get(src).status_code == 200


@pytest.fixture(scope="module")
def hostile_client(release, tmp_path_factory):
    """A release whose data holds markup and a javascript: IRI."""
    copy = tmp_path_factory.mktemp("hostile") / "release"
    shutil.copytree(release, copy)
    dataset = Dataset()
    dataset.parse(copy / "kg.trig", format="trig")
    evil = URIRef("https://w3id.org/clusterkg/id/network/evil")
    graph = dataset.graph(URIRef("https://w3id.org/clusterkg/graph/reference"))
    graph.add((evil, SKOS.prefLabel, Literal("<script>alert(1)</script>", lang="en")))
    graph.add((evil, SKOS.related, URIRef("javascript:alert(2)")))
    graph.add((URIRef(CLUSTER), SKOS.related, evil))
    (copy / "kg.trig").write_bytes(dataset.serialize(format="trig", encoding="utf-8"))
    with TestClient(create_app(Settings(release=copy))) as c:
        yield c


@pytest.mark.parametrize("url", ["/doc/network/evil", "/doc/cluster/lombardy-life-sciences", "/"])
def test_values_are_escaped(hostile_client, url):
    response = hostile_client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200
    tree = parse_html(response.text)
    assert not list(tree.iter("script"))
    assert all(not (a.get("href") or "").lower().startswith("javascript:") for a in tree.iter("a"))
    if url == "/doc/network/evil":
        assert "<script>alert(1)</script>" in tree.find(".//h1").text


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("text/html", "/ontology/index.html"),
        ("text/turtle", "/ontology/clusterkg.ttl"),
        ("application/ld+json", "/ontology/clusterkg.jsonld"),
        ("application/rdf+xml", "/ontology/clusterkg.rdf"),
    ],
)
def test_ontology_iri_redirects_by_accept(client, accept, target):
    response = client.get("/ontology", headers={"Accept": accept}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == target
    assert client.get(target).status_code == 200
