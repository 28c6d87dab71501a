"""Static linked data: one HTML/Turtle/JSON-LD/N-Triples set per resource, valid and safe HTML."""

from __future__ import annotations

import re
import time
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import html5lib
import pytest
import rdflib
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, PROV, SKOS

from clusterkg import export, html, pages
from clusterkg.pipeline import reasoned
from clusterkg.project import CKG

LLS = "cluster/lombardy-life-sciences"


@pytest.fixture(scope="module")
def real(project):
    """The real data, reasoned (validation adds nothing the pages use)."""
    return reasoned(project)


@pytest.fixture(scope="module")
def contents(real):
    return pages.release_files(real)


def parse_html(text: str):
    """Parse with html5lib in strict mode: any HTML5 parse error raises."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def hrefs(tree) -> list[str]:
    return [e.get("href") for e in tree.iter() if e.get("href") is not None]


def text_of(element) -> str:
    return "".join(element.itertext())


# ----------------------------------------------------------------------------- layout


def test_every_resource_gets_every_variant(real, contents):
    base = real.project.base
    listed = pages.resources(real.data_graph(), base)
    assert len(listed) >= 80
    for iri in listed:
        doc = "doc/" + iri[len(f"{base}id/") :]
        for suffix in ("html", "ttl", "jsonld", "nt", "var"):
            assert f"{doc}.{suffix}" in contents, f"{doc}.{suffix}"
    assert {"index.html", ".htaccess", "nginx.conf"} <= set(contents)


def test_nested_resources_live_beside_their_parent(contents):
    # doc/cluster/x.html (a file) and doc/cluster/x/synergy-1.html (in a folder named x)
    assert f"doc/{LLS}.html" in contents
    assert f"doc/{LLS}/synergy-1.html" in contents
    assert f"doc/{LLS}/synergy-1.var" in contents


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("id/cluster/x", "doc/cluster/x"),
        ("id/cluster/x/synergy-1", "doc/cluster/x/synergy-1"),
        ("id/pnrr/M6C1", "doc/pnrr/M6C1"),
        ("id/../etc/passwd", None),
        ("id/cluster/./x", None),
        ("id/.hidden", None),
        ("id/cluster/x#part", None),
        ("id/cluster/x?q=1", None),
        ("id/cluster/x/", None),
        ("id//x", None),
        ("id/cluster/x.html", None),
        ("id/cluster/x.var", None),
        ("id/cluster/caf%C3%A9", None),
        ("source/x.txt", None),
    ],
)
def test_document_path(path, expected):
    base = "https://example.org/kg/"
    assert pages.document_path(URIRef(base + path), base) == expected
    assert pages.document_path(URIRef("https://elsewhere.org/kg/" + path), base) is None


def test_type_map_lists_every_variant():
    text = pages.type_map("synergy-1").decode()
    records = [dict(line.split(": ", 1) for line in r.splitlines()) for r in text.split("\n\n")]
    assert [r["URI"] for r in records] == [
        "synergy-1.html",
        "synergy-1.ttl",
        "synergy-1.jsonld",
        "synergy-1.nt",
        "synergy-1.jsonld",
    ]
    assert records[0]["Content-Type"] == "text/html; qs=1.0"


def test_build_is_quick(real):
    started = time.perf_counter()
    pages.release_files(real)
    elapsed = time.perf_counter() - started
    # About half a second on the real data; the margin is for a busy shared machine.
    assert elapsed < 4, f"pages took {elapsed:.2f} s"


def test_same_graph_same_bytes(real, contents):
    assert pages.release_files(real) == contents


# ----------------------------------------------------------------------------- descriptions


def test_descriptions_say_the_same_in_every_format(real, contents):
    base = real.project.base
    data = real.data_graph()
    for iri in pages.resources(data, base):
        doc = pages.document_path(iri, base)
        turtle = Graph().parse(data=contents[f"{doc}.ttl"][0], format="turtle")
        nt = Graph().parse(data=contents[f"{doc}.nt"][0], format="nt")
        jsonld = Graph().parse(data=contents[f"{doc}.jsonld"][0], format="json-ld")
        assert isomorphic(turtle, nt), doc
        assert isomorphic(turtle, jsonld), doc
        # everything the resource states, asserted and inferred, and everything said of it
        assert set(data.triples((iri, None, None))) <= set(turtle), doc
        assert set(data.triples((None, None, iri))) <= set(turtle), doc
        assert (URIRef(base + doc), FOAF.primaryTopic, iri) in turtle


def test_description_labels_linked_resources_and_quotes_sources(real, contents):
    base = real.project.base
    cluster = URIRef(f"{base}id/{LLS}")
    described = Graph().parse(data=contents[f"doc/{LLS}.ttl"][0], format="turtle")
    area = URIRef(f"{base}id/technology-area/biotechnology")
    assert (cluster, CKG.technologyArea, area) in described
    assert described.value(area, SKOS.prefLabel) is not None
    excerpts = list(described.objects(cluster, PROV.wasDerivedFrom))
    assert excerpts
    for excerpt in excerpts:
        assert described.value(excerpt, CKG.quotation) is not None
        assert described.value(excerpt, CKG.firstLine) is not None


def test_inferred_triples_are_in_the_description(real, contents):
    base = real.project.base
    project = URIRef(f"{base}id/project/c4life")
    inferred = (project, CKG.projectOf, URIRef(f"{base}id/{LLS}"))
    assert inferred in real.inference.inferred
    described = Graph().parse(data=contents["doc/project/c4life.ttl"][0], format="turtle")
    assert inferred in described


# ----------------------------------------------------------------------------- HTML pages


def test_every_page_is_valid_html5_and_self_contained(contents):
    for name, (data, _) in sorted(contents.items()):
        if not name.endswith(".html"):
            continue
        text = data.decode("utf-8")
        assert text.startswith("<!DOCTYPE html>\n"), name
        tree = parse_html(text)
        tags = {e.tag for e in tree.iter() if isinstance(e.tag, str)}
        assert not tags & {"script", "iframe", "object", "embed", "img", "form"}, name
        ids = [e.get("id") for e in tree.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), name
        for element in tree.iter():
            assert not [a for a in element.attrib if a.lower().startswith("on")], name
            if element.tag == "link":  # alternates only: no stylesheet or icon to fetch
                assert element.get("rel") == "alternate", name


def test_relative_links_resolve_inside_the_release(contents):
    """Offline and from any host: every link is relative to a file of the release, or http(s)."""
    for name, (data, _) in sorted(contents.items()):
        if not name.endswith(".html"):
            continue
        for href in hrefs(parse_html(data.decode("utf-8"))):
            parts = urlsplit(href)
            if parts.scheme:
                assert parts.scheme in ("http", "https"), (name, href)
                continue
            assert not href.startswith("/"), (name, href)
            target = PurePosixPath(name).parent / unquote(parts.path)
            resolved = PurePosixPath(*_normalise(target.parts))
            if str(resolved).startswith("source/"):
                continue  # written by export.graph_files, checked in test_apache
            assert str(resolved) in contents, (name, href)


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            assert out, "a link climbs out of the release"
            out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


def test_cluster_page_shows_properties_incoming_links_and_sources(real, contents):
    tree = parse_html(contents[f"doc/{LLS}.html"][0].decode())
    assert text_of(tree.find(".//h1")) == "Lombardy Life Sciences Cluster"
    assert tree.find(".//title").text.startswith("Lombardy Life Sciences Cluster")
    links = {a.get("href"): text_of(a) for a in tree.iter("a")}
    assert links["../technology-area/biotechnology.html"] == "Biotechnology"
    assert links[f"{LLS.split('/')[1]}/synergy-1.html"]  # nested: relative to the folder
    assert "https://www.lombardialifesciences.it/en/" in links
    # the quoted source lines, numbered as in the file and linked to it
    source = (real.project.sources_dir / "lombardy-life-sciences-cluster.txt").read_text()
    lines = source.split("\n")
    quoted = tree.findall(".//ol[@class='source']/li")
    assert quoted
    for item in quoted:
        number = int(item.get("value"))
        assert text_of(item).replace("\u00a0", "") == lines[number - 1].replace("\u00a0", "")
        link = item.find("a").get("href")
        assert link == f"../../source/lombardy-life-sciences-cluster.txt#line={number - 1},{number}"
    # the formats
    footer = {a.get("type"): a.get("href") for a in tree.find(".//footer").iter("a")}
    assert footer == {
        "text/html": "lombardy-life-sciences.html",
        "text/turtle": "lombardy-life-sciences.ttl",
        "application/ld+json": "lombardy-life-sciences.jsonld",
        "application/n-triples": "lombardy-life-sciences.nt",
    }


def test_incoming_links_and_inferred_values_are_shown(contents):
    tree = parse_html(contents["doc/project/c4life.html"][0].decode())
    incoming = tree.find(".//section[@id='incoming']")
    assert "Lombardy Life Sciences Cluster" in text_of(incoming)
    inferred = [li for li in tree.iter("li") if li.get("class") == "inferred"]
    assert any(
        li.find("a") is not None and li.find("a").get("href") == f"../{LLS}.html" for li in inferred
    ), "projectOf (inferred from ckg:project) is marked"


def test_italian_labels_are_shown_with_their_language(contents):
    tree = parse_html(contents["doc/place/lombardia.html"][0].decode())
    assert text_of(tree.find(".//h1")) == "Lombardy"
    italian = tree.find(".//p[@lang='it']")
    assert italian is not None and text_of(italian) == "Lombardia"


def test_a_server_can_render_in_italian(real):
    """The same function in the reader's language: labels and the page's own words."""
    graph = real.data_graph()
    place = URIRef(f"{real.project.base}id/place/lombardia")
    options = html.PageOptions(lang="it", href=lambda iri: None, inferred=real.inference.inferred)
    tree = parse_html(html.resource_page(graph, place, options))
    assert tree.get("lang") == "it"
    assert text_of(tree.find(".//h1")) == "Lombardia"
    assert text_of(tree.find(".//p[@lang='en']")) == "Lombardy"
    assert text_of(tree.find(".//h2")) == "Proprietà"


def test_index_lists_resources_by_class(real, contents):
    tree = parse_html(contents["index.html"][0].decode())
    links = set(hrefs(tree))
    for iri in pages.resources(real.data_graph(), real.project.base):
        assert pages.document_path(iri, real.project.base) + ".html" in links
    headings = [text_of(h) for h in tree.iter("h2")]
    assert any(h.startswith("cluster") or h.startswith("Cluster") for h in headings), headings


# ----------------------------------------------------------------------------- escaping


BASE = "https://example.org/kg/"
EVIL = URIRef(f"{BASE}id/thing/evil")
SCRIPT = "<script>alert(1)</script>"


def evil_graph() -> Graph:
    """Hostile data: markup in labels, a javascript: IRI, quotes in an IRI, control chars."""
    graph = Graph()
    other = URIRef(f"{BASE}id/thing/other")
    graph.add((EVIL, RDF.type, URIRef(f"{BASE}ontology#Thing")))
    graph.add((EVIL, SKOS.prefLabel, Literal(SCRIPT, lang="en")))
    graph.add((EVIL, SKOS.prefLabel, Literal("<b>grassetto</b>", lang="it")))
    graph.add((EVIL, RDFS.seeAlso, URIRef("javascript:alert(1)")))
    graph.add((EVIL, RDFS.seeAlso, URIRef("JavaScript:alert(2)")))
    graph.add((EVIL, RDFS.seeAlso, URIRef("data:text/html,<script>alert(3)</script>")))
    graph.add((EVIL, RDFS.seeAlso, URIRef('https://example.org/"onmouseover="alert(4)')))
    graph.add((EVIL, RDFS.comment, Literal("a\x00b\x01c\x7fd & </td></tr></table>")))
    graph.add((EVIL, RDFS.comment, Literal("x", datatype=URIRef("javascript:alert(5)"))))
    graph.add((other, SKOS.prefLabel, Literal('"><script>alert(6)</script>', lang="en")))
    graph.add((other, RDFS.seeAlso, EVIL))
    graph.add((EVIL, URIRef("javascript:alert(7)"), other))
    excerpt = URIRef(f"{BASE}source/x.txt#line=0,1")
    graph.add((EVIL, PROV.wasDerivedFrom, excerpt))
    graph.add((excerpt, CKG.excerptOf, URIRef(f"{BASE}source/x.txt")))
    graph.add((excerpt, CKG.firstLine, Literal(1, datatype=rdflib.XSD.positiveInteger)))
    graph.add((excerpt, CKG.lastLine, Literal(1, datatype=rdflib.XSD.positiveInteger)))
    graph.add((excerpt, CKG.quotation, Literal(SCRIPT)))
    return graph


@pytest.mark.parametrize("renderer", ["static", "default"])
def test_hostile_data_is_shown_as_text(renderer):
    graph = evil_graph()
    if renderer == "static":
        options = pages.static_options(BASE, "doc/thing/evil.html", None)
    else:
        options = html.PageOptions()
    page = html.resource_page(graph, EVIL, options)
    tree = parse_html(page)  # still valid HTML5, control characters included
    assert not list(tree.iter("script"))
    assert text_of(tree.find(".//h1")) == SCRIPT
    assert text_of(tree.find(".//p[@lang='it']")) == "<b>grassetto</b>"
    assert not list(tree.iter("b"))
    body = text_of(tree.find("body"))
    assert "javascript:alert(1)" in body and "JavaScript:alert(2)" in body
    assert "alert(6)" in body  # the incoming link's label, as text
    for href in hrefs(tree):
        assert urlsplit(href).scheme in ("", "http", "https"), href
        assert "javascript" not in href.lower() and not href.lower().startswith("data:")
    for element in tree.iter():
        assert not [a for a in element.attrib if a.lower().startswith("on")]
    quoted = tree.find(".//ol[@class='source']/li")
    assert text_of(quoted) == SCRIPT


def test_hostile_data_in_the_index():
    graph = evil_graph()
    resources = pages.resources(graph, BASE)
    page = html.index_page(graph, resources, pages.static_options(BASE, "index.html", None))
    tree = parse_html(page)
    assert not list(tree.iter("script"))
    assert SCRIPT in text_of(tree.find("body"))


def test_escape_leaves_no_markup():
    assert html.escape('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
    assert html.escape("a\x00b") == "a\ufffdb"
    assert html.external_href(URIRef("javascript:alert(1)")) is None
    assert html.external_href(URIRef(" https://x.org/")) is None
    assert html.external_href(URIRef("https://x.org/a")) == "https://x.org/a"


def test_content_security_policy_pins_the_inline_style():
    page = html.resource_page(evil_graph(), EVIL)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert style == html.STYLE
    assert f"'sha256-{html.STYLE_HASH}'" in html.CONTENT_SECURITY_POLICY
    assert "script-src" not in html.CONTENT_SECURITY_POLICY  # default-src 'none' covers it


def test_documents_made_by_forked_processes_are_the_same(real, monkeypatch):
    alone = export.release_contents(real)
    monkeypatch.setattr(export, "FORK_FROM", 1)  # fork even for the real data
    monkeypatch.setattr(export.os, "cpu_count", lambda: 3)
    monkeypatch.setattr(pages, "RUN", 40)  # several runs, more than the workers
    forked = export.release_contents(real)
    assert list(forked.items()) == list(alone.items())  # same files, bytes and order
