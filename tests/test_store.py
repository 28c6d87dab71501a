"""Stores: the ready Oxigraph store of a release, an on-disk store, and a real `oxigraph serve`.

Every catalog query must give the same rows through rdflib, Oxigraph and the remote endpoint;
`publish` must replace each named graph whole, twice over without change, and fail in one line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from clusterkg.cli import main
from clusterkg.export import write_release
from clusterkg.store import (
    STORE_DIR,
    bind_values,
    build_store,
    ready_store,
    release_graphs,
    release_sources,
    release_store,
)

from .conftest import ROOT

pytest.importorskip("pyoxigraph", reason="pyoxigraph is not installed (test extras)")
# Beside this Python first: a virtual environment's scripts are not always on PATH (CI's aren't).
OXIGRAPH = shutil.which(
    "oxigraph", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
)
needs_server = pytest.mark.skipif(
    OXIGRAPH is None, reason="the oxigraph server CLI is not installed (pip install oxigraph)"
)
QUERIES = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def release(tmp_path_factory, checked) -> Path:
    out = tmp_path_factory.mktemp("store") / "release"
    write_release(checked, out, store=True)
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real Oxigraph server on 127.0.0.1; yields its base URL."""
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server CLI is not installed (pip install oxigraph)")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph serve did not start: {process.stderr.read()!r}")
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def published(server, release) -> str:
    argv = ["publish", "--quiet", "--endpoint", f"{server}/query", "--release", str(release)]
    assert main(argv) == 0
    return server


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--root", str(ROOT)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(csv_text: str) -> list[tuple[str, ...]]:
    rows = list(csv.reader(io.StringIO(csv_text)))
    return [tuple(rows[0]), *sorted(tuple(r) for r in rows[1:])]


def _server_counts(base: str, graphs: list[str]) -> dict[str, int]:
    counts = {}
    for graph in graphs:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        request = urllib.request.Request(
            f"{base}/query",
            data=urllib.parse.urlencode({"query": query}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.load(response)
        counts[graph] = int(answer["results"]["bindings"][0]["n"]["value"])
    return counts


# --- the ready store ------------------------------------------------------------------------


def test_ready_store_is_left_out_of_the_checksums(release):
    assert ready_store(release) == release / STORE_DIR
    listed = (release / "SHA256SUMS").read_text()
    assert f" {STORE_DIR}/" not in listed and "kg.trig" in listed


def test_store_of_another_kg_trig_is_not_used(tmp_path, release):
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    (copy / STORE_DIR / "clusterkg-kg.trig.sha256").write_text("0" * 64 + "\n")
    assert ready_store(copy) is None  # query --release then loads kg.trig instead


BLANK_NODE_RELEASE = {
    "kg.trig": b"@prefix e: <http://e.org/> .\nGRAPH e:g { _:x e:p e:o . }\n",
    "kg.nt": b"_:x <http://e.org/p> <http://e.org/o> .\n",
    "inferred.ttl": b"@prefix e: <http://e.org/> .\n_:x e:q 1 .\n",
}


@pytest.mark.parametrize("ready", [True, False], ids=["ready store", "in memory"])
def test_a_blank_node_is_one_node_in_its_graph_and_in_the_union(tmp_path, ready):
    import pyoxigraph as ox

    for name, data in BLANK_NODE_RELEASE.items():
        (tmp_path / name).write_bytes(data)
    if ready:
        build_store(tmp_path / STORE_DIR, release_sources(tmp_path))
        digest = (tmp_path / STORE_DIR / "clusterkg-kg.trig.sha256").read_text().strip()
        (tmp_path / "SHA256SUMS").write_text(f"{digest}  kg.trig\n")
        assert ready_store(tmp_path) is not None
    store = release_store(tmp_path)
    query = "SELECT ?g { ?x <http://e.org/q> 1 . GRAPH ?g { ?x <http://e.org/p> ?o } }"
    assert [row[0] for row in store.query(query)] == [ox.NamedNode("http://e.org/g")]
    assert len(store) == 3  # the named graph's triple, and the union's two


def test_cold_start_from_the_ready_store(release):
    timings, outputs = {}, {}
    # Standard output to a pipe is buffered, unless PYTHONUNBUFFERED says otherwise.
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    for label, extra in (("ready store", ["--release", str(release)]), ("rdflib", [])):
        start = time.perf_counter()
        outputs[label] = subprocess.run(
            [
                sys.executable,
                "-m",
                "clusterkg",
                "query",
                "01_technology_areas",
                "--quiet",
                "--format",
                "csv",
                "--root",
                str(ROOT),
                *extra,
            ],
            check=True,
            capture_output=True,
            env=buffered,
        ).stdout
        timings[label] = time.perf_counter() - start
    print(f"cold-start query: {timings}")  # reported, not asserted: the machine is shared
    # The command ends at once (os._exit): what it printed to a pipe was flushed first.
    assert outputs["ready store"] == outputs["rdflib"]
    assert len(outputs["rdflib"].splitlines()) > 5


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_a_query_on_the_ready_store_does_not_load_rdflibs_sparql_parser(release, fmt):
    # Building rdflib's SPARQL grammar took a third of a cold `query --release`; Oxigraph
    # parses the query there, and reports a syntax error the same way (see test_cli).
    script = (
        "import sys\n"
        "from clusterkg.cli import main\n"
        f"code = main(['query', '01_technology_areas', '--quiet', '--format', {fmt!r}, "
        f"'--root', {str(ROOT)!r}, '--release', {str(release)!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('rdflib.plugins.sparql', "
        "'pyparsing')))\n"
        "print('LOADED', code, loaded)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    assert run.stdout.splitlines()[-1] == "LOADED 0 []"


# --- same rows everywhere -------------------------------------------------------------------


def _via(capsys, name: str, how: list[str], params: list[str]) -> list[tuple[str, ...]]:
    code, out, err = _run(capsys, "query", name, "--format", "csv", *how, *params)
    assert code == 0, err
    return _rows(out)


@needs_server
@pytest.mark.parametrize("name", QUERIES)
def test_same_rows_on_every_store(capsys, tmp_path, release, published, name):
    expected = _via(capsys, name, ["--store", "memory"], [])
    # (the pair queries 06 and 07 have no rows with one cluster; their header still counts)
    oxigraph = ["--store", f"oxigraph:{tmp_path / 'db'}", "--release", str(release)]
    assert _via(capsys, name, oxigraph, []) == expected
    assert _via(capsys, name, ["--release", str(release)], []) == expected
    assert _via(capsys, name, ["--endpoint", f"{published}/query"], []) == expected


@needs_server
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("04_pnrr_alignment", ["--param", "lang=it"]),
        ("01_technology_areas", ["--param", "lang=it", "--param", "cluster=cluster/none"]),
        ("12_headquarters", ["--param", "lang=it"]),
        ("08_evidence", ["--param", "resource=project/c4life"]),
    ],
)
def test_params_bind_on_every_store(capsys, release, published, name, params):
    expected = _via(capsys, name, ["--store", "memory"], params)
    assert _via(capsys, name, ["--release", str(release)], params) == expected
    assert _via(capsys, name, ["--endpoint", f"{published}/query"], params) == expected
    if name == "04_pnrr_alignment":  # Italian titles, not the English ones
        assert expected[1:] != _via(capsys, name, ["--store", "memory"], [])[1:]


def test_values_go_into_every_group_but_not_data_blocks_or_sub_selects():
    from rdflib import Literal, Variable

    text = 'SELECT * { ?a ?b "{" OPTIONAL { ?x ?y ?z } { SELECT ?a { ?a ?b ?c } } VALUES ?q { 1 } }'
    bound = bind_values(text, {Variable("lang"): Literal('it"}')})
    assert bound.count("VALUES (?lang)") == 3  # the outer group, OPTIONAL, the sub-select
    assert 'VALUES (?lang) { ("it\\"}") }' in bound and '"{"' in bound


# --- publish ---------------------------------------------------------------------------------


@needs_server
def test_publish_loads_each_named_graph_whole(capsys, release, server):
    expected = {iri: count for iri, (_, count) in release_graphs(release, _project()).items()}
    for _ in range(2):  # a second run replaces, it does not add
        code, out, err = _run(
            capsys, "publish", "--endpoint", f"{server}/query", "--release", str(release)
        )
        assert code == 0, err
        assert _server_counts(server, list(expected)) == expected
    assert "graph/inferred" in out and "graph/union" in out


@needs_server
def test_publish_to_a_stopped_server_fails_in_one_line(capsys, release):
    url = f"http://127.0.0.1:{_free_port()}/query"
    code, _, err = _run(capsys, "publish", "--endpoint", url, "--release", str(release))
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: graph https://") and "cannot connect" in line


@needs_server
def test_publish_refused_names_the_graph_and_status(capsys, release, server):
    # Oxigraph refuses a PUT to its query endpoint: any non-2xx status stops the upload
    code, _, err = _run(
        capsys,
        "publish",
        "--endpoint",
        f"{server}/query",
        "--graph-store",
        f"{server}/query",
        "--release",
        str(release),
    )
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: graph https://") and ("HTTP 4" in last or "HTTP 5" in last)


# --- publish --prune ---------------------------------------------------------------------------

BASE = "https://w3id.org/clusterkg/"
STALE_PROFILE = f"{BASE}graph/profile/fictional-aerospace"  # in the two-cluster release only
RETIRED = f"{BASE}graph/profile/retired"  # under the project's namespace, in no release
FOREIGN = [  # other data sets sharing the store: never touched
    "https://example.org/another-dataset",
    f"{BASE}graph-archive/2024",  # shares the base, and "graph" without the slash
    f"{BASE}id/cluster/lombardy-life-sciences",
]
_TRIPLE = b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n"


def _graph_request(base: str, method: str, iri: str, data: bytes | None = None) -> int:
    url = f"{base}/store?{urllib.parse.urlencode({'graph': iri})}"
    headers = {"Content-Type": "application/n-triples"} if data is not None else {}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _server_graphs(base: str) -> dict[str, int]:
    """Every non-empty named graph on the server, with its triple count."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    request = urllib.request.Request(
        f"{base}/query",
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        rows = json.load(response)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


@pytest.fixture(scope="module")
def two_cluster_release(tmp_path_factory, multi_reasoned) -> Path:
    """A release with one more profile graph than the real one (and other counts)."""
    out = tmp_path_factory.mktemp("prune") / "release"
    write_release(multi_reasoned, out)
    return out


@pytest.fixture
def stale(server, release, two_cluster_release):
    """The server holding the two-cluster release, a retired graph of the project and foreign
    graphs; afterwards the real release alone again, for the other tests of this module."""
    for iri in [RETIRED, *FOREIGN]:
        assert _graph_request(server, "PUT", iri, _TRIPLE) in (201, 204)
    argv = ["publish", "--quiet", "--endpoint", f"{server}/query", "--root", str(ROOT)]
    assert main([*argv, "--release", str(two_cluster_release)]) == 0
    before = _server_graphs(server)
    assert STALE_PROFILE in before and RETIRED in before
    yield server, before
    for iri in FOREIGN:
        _graph_request(server, "DELETE", iri)
    assert main([*argv, "--prune", "--release", str(release)]) == 0


@needs_server
def test_prune_deletes_the_project_graphs_the_release_lacks(capsys, release, stale):
    server, before = stale
    expected = {iri: count for iri, (_, count) in release_graphs(release, _project()).items()}
    code, out, err = _run(
        capsys, "publish", "--prune", "--endpoint", f"{server}/query", "--release", str(release)
    )
    assert code == 0, err
    after = _server_graphs(server)
    assert STALE_PROFILE not in after and RETIRED not in after
    assert {iri: after.get(iri) for iri in expected} == expected  # all the release, new
    assert {iri: after.get(iri) for iri in FOREIGN} == {iri: 1 for iri in FOREIGN}
    assert set(after) == set(expected) | set(FOREIGN)
    # the table names each deleted graph (maybe cut short) with the triples it held
    deleted = [line.split("│") for line in out.splitlines() if "deleted" in line]
    cells = sorted((c[1].strip().rstrip("…"), c[2].strip()) for c in deleted)
    assert len(cells) == 2
    assert STALE_PROFILE.startswith(cells[0][0]) and cells[0][1] == f"{before[STALE_PROFILE]:,}"
    assert RETIRED.startswith(cells[1][0]) and cells[1][1] == "1"


@needs_server
def test_without_prune_stale_graphs_stay(capsys, release, stale):
    server, before = stale
    code, out, err = _run(
        capsys, "publish", "--endpoint", f"{server}/query", "--release", str(release)
    )
    assert code == 0, err
    after = _server_graphs(server)
    assert after[STALE_PROFILE] == before[STALE_PROFILE] and after[RETIRED] == 1
    assert "deleted" not in out


@needs_server
def test_prune_after_a_failed_upload_deletes_nothing(capsys, release, stale):
    server, before = stale
    code, _, err = _run(
        capsys,
        "publish",
        "--prune",
        "--endpoint",
        f"{server}/query",
        "--graph-store",
        f"{server}/query",  # refuses every PUT
        "--release",
        str(release),
    )
    assert code == 2
    assert err.strip().splitlines()[-1].startswith("error: graph https://")
    assert _server_graphs(server) == before


@needs_server
def test_prune_waits_for_every_upload_and_accepts_a_graph_gone_meanwhile(release, stale):
    from clusterkg.store import Deletion, publish

    server, before = stale
    steps = publish(release, f"{server}/store", _project(), prune=f"{server}/query")
    uploads = []
    for upload in steps:
        if isinstance(upload, Deletion):
            break
        uploads.append(upload)
        assert STALE_PROFILE in _server_graphs(server)  # nothing deleted while uploading
    assert [u.graph for u in uploads] == list(release_graphs(release, _project()))
    # graphs are deleted in IRI order: remove the second one before publish gets to it
    assert upload == Deletion(STALE_PROFILE, before[STALE_PROFILE], 204)
    assert _graph_request(server, "DELETE", RETIRED) == 204
    assert list(steps) == [Deletion(RETIRED, 1, 404)]
    assert STALE_PROFILE not in _server_graphs(server)


@needs_server
def test_query_on_a_failing_endpoint_fails_in_one_line(capsys, server):
    code, _, err = _run(capsys, "query", "01_technology_areas", "--endpoint", f"{server}/nowhere")
    assert code == 2
    assert err.startswith("error: query 01_technology_areas on http://127.0.0.1:")
    assert "HTTP 404" in err and len(err.strip().splitlines()) == 1


def _project():
    from clusterkg.project import Project

    return Project(ROOT)
