"""The SPARQL endpoint: the W3C protocol in-process, its safety limits, and a real server
process queried with real clients (SPARQLWrapper, rdflib's SPARQLStore)."""

from __future__ import annotations

import io
import json
import signal
import socketserver
import threading
import time

import pytest
from rdflib import Graph, URIRef
from rdflib.query import Result
from starlette.testclient import TestClient

from clusterkg.endpoint import Limits, negotiate, parse_accept
from clusterkg.serve import Settings, create_app

from .conftest import serving

CLUSTER = "https://w3id.org/clusterkg/id/cluster/lombardy-life-sciences"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TYPES = f"SELECT ?type WHERE {{ <{CLUSTER}> a ?type }} ORDER BY ?type"
GRAPH_QUERY = f"CONSTRUCT {{ <{CLUSTER}> ?p ?o }} WHERE {{ <{CLUSTER}> ?p ?o }}"


@pytest.fixture(scope="module")
def client(served_release):
    settings = Settings(
        release=served_release,
        limits=Limits(timeout=3, max_rows=50, max_query_length=2000),
        max_body=4096,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def select(client, query: str = TYPES, **headers) -> Result:
    response = client.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    return response


# --- protocol -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_select_in_every_results_format(client, accept, fmt):
    response = select(client, Accept=accept)
    assert response.headers["content-type"].startswith(accept)
    result = Result.parse(io.StringIO(response.text), format=fmt)
    types = {str(row[0]) for row in result}
    assert "https://w3id.org/clusterkg/ontology#Cluster" in types
    assert "http://www.w3.org/ns/org#FormalOrganization" in types  # inferred triples too


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_every_graph_format(client, accept, fmt):
    response = select(client, GRAPH_QUERY, Accept=accept)
    assert response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.text, format=fmt)
    assert (URIRef(CLUSTER), None, None) in graph and len(graph) > 20


def test_post_form_and_direct(client):
    form = client.post("/sparql", data={"query": COUNT})
    direct = client.post(
        "/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query"}
    )
    assert form.status_code == direct.status_code == 200
    assert json.loads(form.text) == json.loads(direct.text)


def test_ask_and_describe(client):
    ask = select(client, f"ASK {{ <{CLUSTER}> ?p ?o }}")
    assert json.loads(ask.text)["boolean"] is True
    described = Graph().parse(data=select(client, f"DESCRIBE <{CLUSTER}>").text, format="turtle")
    assert (URIRef(CLUSTER), None, None) in described


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*;q=0.9, application/sparql-results+json;q=0.1", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
        ("text/csv;q=0, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_accept_q_values(client, accept, expected):
    headers = {"Accept": accept} if accept else {}
    assert select(client, **headers).headers["content-type"].startswith(expected)


def test_parse_accept_orders_by_quality_then_specificity():
    assert parse_accept("*/*;q=0.8, text/*;q=0.8, text/csv;q=0.8") == [
        ("text/csv", 0.8),
        ("text/*", 0.8),
        ("*/*", 0.8),
    ]
    assert negotiate("image/png", ["text/csv"]) is None


def test_nothing_acceptable_is_406_and_format_parameter_wins(client):
    refused = client.get("/sparql", params={"query": TYPES}, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "available" in refused.text
    chosen = client.get(
        "/sparql", params={"query": TYPES, "format": "tsv"}, headers={"Accept": "image/png"}
    )
    assert chosen.status_code == 200
    assert chosen.headers["content-type"].startswith("text/tab-separated-values")


def test_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    description = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(f"{sd}supportedLanguage"), URIRef(f"{sd}SPARQL11Query")) in description
    names = {str(o) for o in description.objects(None, URIRef(f"{sd}name"))}
    assert "https://w3id.org/clusterkg/graph/inferred" in names


def test_protocol_graph_parameters(client):
    inferred = "https://w3id.org/clusterkg/graph/inferred"
    only_inferred = client.get("/sparql", params={"query": COUNT, "default-graph-uri": inferred})
    everything = select(client, COUNT)
    n_inferred = int(json.loads(only_inferred.text)["results"]["bindings"][0]["n"]["value"])
    n_all = int(json.loads(everything.text)["results"]["bindings"][0]["n"]["value"])
    assert 0 < n_inferred < n_all
    named = client.get(
        "/sparql",
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": inferred,
            "format": "csv",
        },
    )
    assert named.text.split("\r\n")[1:] == [inferred, ""]


# --- read-only and confined ---------------------------------------------------------------


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"params": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {
            "content": "DELETE WHERE { ?s ?p ?o }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {"params": {"query": "LOAD <file:///etc/passwd>"}},
    ],
    ids=["insert-as-query", "update-parameter", "update-body", "load"],
)
def test_updates_are_refused(client, request_kwargs):
    method = client.post if "content" in request_kwargs else client.get
    response = method("/sparql", **request_kwargs)
    assert response.status_code == 403 and "read-only" in response.text
    assert "urn:a" not in select(client, "SELECT ?s WHERE { ?s ?p ?o }", Accept="text/csv").text


def test_malformed_query_gets_400_with_position(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y \n"})
    assert response.status_code == 400
    assert "malformed query" in response.text and "line" in response.text


class _Listener:
    """A TCP listener on 127.0.0.1 that counts connections: it must receive none."""

    def __init__(self) -> None:
        self.connections = 0
        listener = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                listener.connections += 1

        self.server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def listener():
    listening = _Listener()
    yield listening
    listening.close()


def test_no_query_reaches_the_network(client, listener):
    attempts = [
        f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{listener.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ]
    for query in attempts:
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 400, query
    by_protocol = client.get("/sparql", params={"query": COUNT, "default-graph-uri": listener.url})
    assert by_protocol.status_code == 400
    rows = select(
        client,
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{listener.url}> {{ ?s ?p ?o }} }}",
        Accept="text/csv",
    )
    assert rows.text.strip() == "s,p,o"  # a GRAPH pattern only names; nothing is fetched
    time.sleep(0.2)
    assert listener.connections == 0


def test_no_query_reads_a_file(client, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:is> <urn:leaked> .\n")
    for query in (
        f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ):
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 400 and "leaked" not in response.text
    response = client.get("/sparql", params={"query": COUNT, "named-graph-uri": secret.as_uri()})
    assert response.status_code == 400


# --- limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
        # (Oxigraph counts the 23 million rows without the last pattern in about 2.6 s.)
        "SELECT (COUNT(*) AS ?n) WHERE "
        f"{{ ?a (<{CLUSTER}>|!<{CLUSTER}>)* ?b . ?c ?d ?e . ?f ?g ?h }}",
    ],
    ids=["cartesian-product", "negated-property-path"],
)
def test_runaway_query_is_stopped_and_others_still_answer(client, query):
    answers: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        answers["slow"] = client.get("/sparql", params={"query": query})
        answers["slow_seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    fast = client.get("/sparql", params={"query": TYPES})
    fast_seconds = time.monotonic() - started
    thread.join(30)
    assert fast.status_code == 200 and fast_seconds < 2.5  # not stuck behind the slow one
    assert answers["slow"].status_code == 503
    assert "time limit" in answers["slow"].text
    assert answers["slow_seconds"] < 3 + 5  # the limit plus a worker restart
    assert select(client, COUNT).status_code == 200  # the pool recovered


def test_row_cap_is_flagged(client):
    response = select(client, "SELECT * WHERE { ?s ?p ?o }", Accept="text/csv")
    assert response.headers["x-result-truncated"] == "cut at 50 rows"
    assert len(response.text.strip().split("\r\n")) == 51
    small = select(client, TYPES)
    assert "x-result-truncated" not in small.headers


def test_query_length_and_body_size_caps(client):
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2000
    assert client.get("/sparql", params={"query": long_query}).status_code == 413
    body = "query=" + "x" * 5000
    response = client.post(
        "/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


def test_headers_cors_and_security(client):
    response = client.get(
        "/sparql", params={"query": TYPES}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_things_redirect_to_their_documents(client):
    response = client.get("/id/cluster/lombardy-life-sciences", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/cluster/lombardy-life-sciences"


# --- a real server process with real clients ----------------------------------------------


@pytest.fixture(scope="module")
def server(served_release):
    with serving(served_release) as (url, process):
        yield f"{url}/sparql", process


def test_sparqlwrapper_against_the_server(server):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(server[0])
    client.setQuery(TYPES)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert "https://w3id.org/clusterkg/ontology#Cluster" in {b["type"]["value"] for b in bindings}


def test_rdflib_sparqlstore_against_the_server(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(server[0])
    graph = Graph(store=store)
    labels = {
        str(o)
        for o in graph.objects(
            URIRef(CLUSTER), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
        )
    }
    assert "Lombardy Life Sciences Cluster" in labels
    assert len(list(graph.query(TYPES))) >= 3


def test_server_stops_cleanly_on_ctrl_c(server):
    process = server[1]
    process.send_signal(signal.SIGINT)
    assert process.wait(20) == 0
