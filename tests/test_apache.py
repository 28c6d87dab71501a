"""The release's content-negotiation rules, against real web servers on 127.0.0.1.

Apache httpd (Debian's ``apache2``) serves the release built from the real data with only the
release's ``.htaccess``; nginx serves it with the release's ``nginx.conf``. Both are started
here and stopped at the end; without the server binary the tests are skipped, saying why.
"""

from __future__ import annotations

import grp
import http.client
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import html5lib
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, SKOS

from clusterkg import pages
from clusterkg.export import write_release

from .conftest import free_port

APACHE = Path("/usr/sbin/apache2")
APACHE_MODULES = Path("/usr/lib/apache2/modules")
NGINX = Path("/usr/sbin/nginx")
LLS = "cluster/lombardy-life-sciences"
SOURCE = "source/lombardy-life-sciences-cluster.txt"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    prefix: str  # the release folder's URL path, "/" or "/sub/"

    def get(self, path: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """One GET, redirects not followed; header names lower-cased."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            headers = {"Accept": accept} if accept else {}
            connection.request("GET", self.prefix + path, headers=headers)
            response = connection.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()


@pytest.fixture(scope="module")
def release(checked) -> Iterator[Path]:
    """The real release, in a folder the server's unprivileged user can read."""
    top = Path(tempfile.mkdtemp(prefix="clusterkg-httpd-"))
    os.chmod(top, 0o755)
    out = top / "www" / "release"
    out.parent.mkdir()
    os.chmod(out.parent, 0o755)
    write_release(checked, out)
    yield out
    shutil.rmtree(top, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}): {_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"the server did not answer on port {port}: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _apache_user() -> str:
    """``User``/``Group`` lines: httpd refuses to serve as root, so drop to www-data/nobody."""
    if os.geteuid() != 0:
        return ""  # an unprivileged httpd keeps its own user
    for name in ("www-data", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return f"User {name}\nGroup {grp.getgrgid(user.pw_gid).gr_name}\n"
    pytest.skip("no unprivileged user (www-data or nobody) for httpd to run as")


def apache_config(release: Path, work: Path, root_port: int, sub_port: int) -> str:
    """Two virtual hosts: the release at the web root, and at a sub-path of another root."""
    built_in = subprocess.run([APACHE, "-l"], capture_output=True, text=True).stdout
    modules = [
        ("mpm_event", "mod_mpm_event.so"),
        ("authz_core", "mod_authz_core.so"),
        ("mime", "mod_mime.so"),
        ("negotiation", "mod_negotiation.so"),
        ("rewrite", "mod_rewrite.so"),
        ("dir", "mod_dir.so"),
        ("alias", "mod_alias.so"),
        ("headers", "mod_headers.so"),
        ("unixd", "mod_unixd.so"),
    ]
    loads = "".join(
        f"LoadModule {name}_module {APACHE_MODULES / so}\n"
        for name, so in modules
        if f"mod_{name}.c" not in built_in
    )
    types = "TypesConfig /etc/mime.types\n" if Path("/etc/mime.types").is_file() else ""
    sub_root = release.parent
    return f"""ServerRoot {work}
ServerName 127.0.0.1
DefaultRuntimeDir {work}
PidFile {work}/httpd.pid
ErrorLog {work}/error.log
LogLevel warn
Listen 127.0.0.1:{root_port}
Listen 127.0.0.1:{sub_port}
{loads}{_apache_user()}{types}StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {sub_root}>
    Options FollowSymLinks
    AllowOverride All
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:{root_port}>
    DocumentRoot {release}
</VirtualHost>
<VirtualHost 127.0.0.1:{sub_port}>
    DocumentRoot {sub_root}
</VirtualHost>
"""


def nginx_config(release: Path, work: Path, port: int) -> str:
    """nginx's main config around the release's ``nginx.conf``, its EDIT lines filled in."""
    snippet = (release / "nginx.conf").read_text()
    edits = {
        "listen": f"listen 127.0.0.1:{port};",
        "server_name": "server_name 127.0.0.1;",
        "root": f"root {release};",
    }
    for directive, line in edits.items():
        snippet, count = re.subn(
            rf"(?m)^(\s*){directive} [^;]*;(.*# EDIT.*)$", rf"\g<1>{line}", snippet
        )
        assert count == 1, f"nginx.conf has no '{directive} ...; # EDIT' line"
    included = work / "clusterkg.conf"
    included.write_text(snippet)
    temp = "".join(
        f"{kind}_temp_path {work}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
master_process off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}    include {included};
}}
"""


@pytest.fixture(scope="module")
def apache(release) -> Iterator[tuple[Server, Server]]:
    if not APACHE.exists():
        pytest.skip(f"{APACHE} is missing: apt-get install apache2 (CI installs it)")
    work = Path(tempfile.mkdtemp(prefix="clusterkg-apache-"))
    root_port, sub_port = free_port(), free_port()
    config = work / "httpd.conf"
    config.write_text(apache_config(release, work, root_port, sub_port))
    process = subprocess.Popen(
        [APACHE, "-f", config, "-DFOREGROUND"],
        stdout=subprocess.DEVNULL,
        stderr=(work / "stderr.log").open("w"),
    )
    try:
        _wait_for(root_port, process, work / "error.log")
        _wait_for(sub_port, process, work / "error.log")
        yield (
            Server("apache", root_port, "/"),
            Server("apache-subpath", sub_port, f"/{release.name}/"),
        )
    finally:
        _stop(process)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def nginx(release) -> Iterator[Server]:
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is missing: apt-get install nginx")
    work = Path(tempfile.mkdtemp(prefix="clusterkg-nginx-"))
    port = free_port()
    config = work / "nginx.conf"
    config.write_text(nginx_config(release, work, port))
    process = subprocess.Popen(
        [NGINX, "-e", work / "error.log", "-p", work, "-c", config],
        stdout=subprocess.DEVNULL,
        stderr=(work / "stderr.log").open("w"),
    )
    try:
        _wait_for(port, process, work / "stderr.log")
        yield Server("nginx", port, "/")
    finally:
        _stop(process)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(params=["apache", "apache-subpath", "nginx"])
def server(request) -> Server:
    if request.param == "nginx":
        return request.getfixturevalue("nginx")
    root, sub = request.getfixturevalue("apache")
    return root if request.param == "apache" else sub


def iri(checked, path: str) -> URIRef:
    return URIRef(f"{checked.project.base}id/{path}")


# ----------------------------------------------------------------------------- dereferencing


@pytest.mark.parametrize("path", [LLS, f"{LLS}/synergy-1", "pnrr/M6C1", "network/cebr"])
@pytest.mark.parametrize("accept", [None, BROWSER, "text/turtle", "application/ld+json"])
def test_id_answers_303_to_its_document(server, path, accept):
    status, headers, _ = server.get(f"id/{path}", accept)
    assert status == 303
    location = headers["location"]
    assert location.endswith(f"{server.prefix}doc/{path}"), location
    assert location.startswith(("/", "http://127.0.0.1"))


def test_every_resource_dereferences(server, checked):
    base = checked.project.base
    for resource in pages.resources(checked.data_graph(), base):
        path = resource[len(f"{base}id/") :]
        status, headers, _ = server.get(f"id/{path}")
        assert status == 303, path
        assert headers["location"].endswith(f"{server.prefix}doc/{path}"), path


@pytest.mark.parametrize("path", ["id/cluster/no-such-cluster", "doc/cluster/no-such-cluster"])
def test_unknown_resource_is_404(server, path):
    assert server.get(path, "text/turtle")[0] == 404


# ----------------------------------------------------------------------------- negotiation


def _check_html(body: bytes, title: str) -> None:
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(body.decode())
    assert "".join(tree.find(".//h1").itertext()) == title


def _check_rdf(checked, body: bytes, fmt: str, path: str) -> None:
    graph = Graph().parse(data=body, format=fmt)
    thing = iri(checked, path)
    assert (None, FOAF.primaryTopic, thing) in graph
    assert set(checked.data_graph().triples((thing, None, None))) <= set(graph)
    assert graph.value(thing, SKOS.prefLabel) is not None


NEGOTIATED = [
    (BROWSER, "text/html", "html"),
    ("text/html", "text/html", "html"),
    (None, "text/html", "html"),
    ("*/*", "text/html", "html"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/json", "application/ld+json", "json-ld"),
]


@pytest.mark.parametrize("path", [LLS, f"{LLS}/synergy-1"])
@pytest.mark.parametrize(("accept", "media", "fmt"), NEGOTIATED)
def test_document_negotiates(server, checked, path, accept, media, fmt):
    status, headers, body = server.get(f"doc/{path}", accept)
    assert status == 200
    assert headers["content-type"] == f"{media}; charset=utf-8"
    assert "accept" in headers["vary"].lower()
    assert headers["access-control-allow-origin"] == "*"
    if fmt == "html":
        title = checked.data_graph().value(iri(checked, path), SKOS.prefLabel)
        _check_html(body, str(title))
    else:
        _check_rdf(checked, body, fmt, path)


@pytest.mark.parametrize(
    ("suffix", "media", "fmt"),
    [
        ("html", "text/html", "html"),
        ("ttl", "text/turtle", "turtle"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("nt", "application/n-triples", "nt"),
    ],
)
def test_explicit_suffix_wins_over_accept(server, checked, suffix, media, fmt):
    accept = "application/ld+json" if suffix == "html" else BROWSER
    status, headers, body = server.get(f"doc/{LLS}.{suffix}", accept)
    assert (status, headers["content-type"]) == (200, f"{media}; charset=utf-8")
    if fmt != "html":
        _check_rdf(checked, body, fmt, LLS)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle;q=0.5, text/html", "text/html"),
        ("text/html;q=0.5, text/turtle", "text/turtle"),
        ("application/ld+json, text/turtle;q=0.9", "application/ld+json"),
        ("text/turtle;q=0.9, application/ld+json;q=1.0", "application/ld+json"),
    ],
)
def test_apache_weighs_q_values(apache, accept, media):
    root, _ = apache
    status, headers, _ = root.get(f"doc/{LLS}", accept)
    assert (status, headers["content-type"]) == (200, f"{media}; charset=utf-8")


def test_apache_says_406_when_nothing_fits(apache):
    root, _ = apache
    assert root.get(f"doc/{LLS}", "image/png")[0] == 406


# ----------------------------------------------------------------------------- other files


@pytest.mark.parametrize(
    ("accept", "target", "fmt"),
    [
        (BROWSER, "ontology/index.html", None),
        ("text/turtle", "ontology/clusterkg.ttl", "turtle"),
        ("application/rdf+xml", "ontology/clusterkg.rdf", "xml"),
        ("application/ld+json", "ontology/clusterkg.jsonld", "json-ld"),
    ],
    ids=["html", "turtle", "rdfxml", "jsonld"],
)
def test_ontology_iri_dereferences(server, accept, target, fmt):
    status, headers, _ = server.get("ontology", accept)
    assert status == 303
    assert headers["location"].endswith(server.prefix + target)
    status, headers, body = server.get(target, accept)
    assert status == 200
    if fmt:
        ontology = Graph().parse(data=body, format=fmt)
        assert (URIRef("https://w3id.org/clusterkg/ontology#Cluster"), None, None) in ontology


def test_sources_are_plain_utf8_text(server, release):
    status, headers, body = server.get(SOURCE, BROWSER)
    assert (status, headers["content-type"]) == (200, "text/plain; charset=utf-8")
    assert headers["x-content-type-options"] == "nosniff"
    assert body == (release / SOURCE).read_bytes()


def test_index_and_dumps(server, release):
    status, headers, body = server.get("", BROWSER)
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert body == (release / "index.html").read_bytes()
    status, headers, _ = server.get("kg.ttl")
    assert (status, headers["content-type"]) == (200, "text/turtle; charset=utf-8")
    status, headers, _ = server.get("SHA256SUMS")
    assert (status, headers["content-type"]) == (200, "text/plain; charset=utf-8")


def test_page_links_work_over_http(server, release):
    """A relative link of a served page, followed as a browser would, reaches a real file."""
    _, _, body = server.get(f"doc/{LLS}.html")
    tree = html5lib.HTMLParser(namespaceHTMLElements=False).parse(body.decode())
    relative = sorted(
        {a.get("href") for a in tree.iter("a") if not re.match(r"^[a-z]+:", a.get("href", ""))}
    )
    assert relative
    for href in relative:
        target = os.path.normpath(f"doc/cluster/{href.split('#')[0]}")
        assert server.get(target)[0] == 200, href


def test_nginx_snippet_passes_nginx_t(release, tmp_path):
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is missing: apt-get install nginx")
    work = Path(tempfile.mkdtemp(prefix="clusterkg-nginx-t-"))
    try:
        config = work / "nginx.conf"
        config.write_text(nginx_config(release, work, free_port()))
        result = subprocess.run(
            [NGINX, "-t", "-e", work / "error.log", "-p", work, "-c", config],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)
