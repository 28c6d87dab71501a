"""The ontology documentation: the ontology in three formats, and two valid, self-contained
HTML pages that show every term in English and Italian, the shapes and a class diagram."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import html5lib
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SH, SKOS

from clusterkg import ontodoc
from clusterkg.project import CKG, Project

from .conftest import ROOT

XHTML = "{http://www.w3.org/1999/xhtml}"
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def files() -> dict[str, tuple[bytes, str]]:
    return ontodoc.release_files(SimpleNamespace(project=Project(ROOT)))


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "clusterkg.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ROOT / "ontology" / "shapes.ttl")


def _parse(data: bytes):
    """Parse with html5lib in strict mode: any parse error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(data)


@pytest.fixture(scope="module")
def index(files):
    return _parse(files["ontology/index.html"][0])


@pytest.fixture(scope="module")
def shapes_doc(files):
    return _parse(files["ontology/shapes.html"][0])


def _by_id(doc) -> dict:
    ids = {}
    for element in doc.iter():
        if "id" in element.attrib:
            assert element.attrib["id"] not in ids, f"duplicate id {element.attrib['id']}"
            ids[element.attrib["id"]] = element
    return ids


def _text(element, lang: str | None = None) -> str:
    """The text of ``element``, or of its descendants marked with ``lang``."""
    if lang is None:
        return " ".join("".join(element.itertext()).split())
    parts = [_text(e) for e in element.iter() if e.attrib.get("lang") == lang]
    return " ".join(parts)


def test_release_files(files):
    assert set(files) == {
        f"ontology/{name}"
        for name in (
            "clusterkg.ttl",
            "clusterkg.rdf",
            "clusterkg.jsonld",
            "shapes.ttl",
            "index.html",
            "shapes.html",
        )
    }
    assert files["ontology/clusterkg.ttl"][0] == (ROOT / "ontology" / "clusterkg.ttl").read_bytes()
    assert files["ontology/shapes.ttl"][0] == (ROOT / "ontology" / "shapes.ttl").read_bytes()


@pytest.mark.parametrize(
    ("name", "fmt"), [("clusterkg.rdf", "xml"), ("clusterkg.jsonld", "json-ld")]
)
def test_each_format_holds_the_ontology(files, ontology, name, fmt):
    data = files[f"ontology/{name}"][0]
    if fmt == "json-ld":
        assert isinstance(json.loads(data)["@context"], dict)  # inline: nothing fetched
    assert isomorphic(Graph().parse(data=data, format=fmt), ontology)


def test_every_term_is_documented_in_both_languages(index, ontology):
    ids = _by_id(index)
    terms = {t for kind in KINDS for t in ontology.subjects(RDF.type, kind) if t.startswith(CKG)}
    assert len(terms) > 60
    for term in sorted(terms):
        name = term[len(CKG) :]
        assert name in ids, f"no anchor for {name}: ontology#{name} would not work"
        section = ids[name]
        for lang in ("en", "it"):
            label = ontology.value(term, RDFS.label) and next(
                v for v in ontology.objects(term, RDFS.label) if v.language == lang
            )
            definition = next(
                v for v in ontology.objects(term, SKOS.definition) if v.language == lang
            )
            shown = _text(section, lang)
            assert " ".join(str(label).split()) in shown, (name, lang)
            assert " ".join(str(definition).split()) in shown, (name, lang)


def test_internal_links_resolve(index, shapes_doc):
    index_ids, shapes_ids = _by_id(index), _by_id(shapes_doc)
    for doc, own in ((index, index_ids), (shapes_doc, shapes_ids)):
        for element in doc.iter():
            if element.tag not in (f"{XHTML}a", "{http://www.w3.org/2000/svg}a"):
                continue
            href = element.attrib.get("href", "")
            if href.startswith("#"):
                assert href[1:] in own, href
            elif href.startswith("index.html#"):
                assert href.split("#", 1)[1] in index_ids, href
            elif href.startswith("shapes.html#"):
                assert href.split("#", 1)[1] in shapes_ids, href


@pytest.mark.parametrize("page", ["index.html", "shapes.html"])
def test_no_external_resources_and_no_script(files, page):
    doc = _parse(files[f"ontology/{page}"][0])
    assert not list(doc.iter(f"{XHTML}script"))
    for element in doc.iter():
        tag = element.tag.split("}")[-1]
        if tag in ("link", "img", "iframe", "source", "audio", "video", "object", "embed"):
            for attr in ("href", "src", "data"):
                assert not element.attrib.get(attr, "").startswith(("http:", "https:", "//"))
    text = files[f"ontology/{page}"][0].decode()
    assert "@import" not in text and "url(http" not in text and "@font-face" not in text


def test_language_switch_needs_no_script(index):
    radios = [e for e in index.iter(f"{XHTML}input") if e.attrib.get("type") == "radio"]
    assert {r.attrib["id"] for r in radios} == {"lang-both", "lang-en", "lang-it"}
    style = "".join(next(index.iter(f"{XHTML}style")).itertext())
    assert '#lang-en:checked ~ main [lang="it"]' in style


def test_diagram_draws_every_class_and_relation(index, ontology):
    svg = next(index.iter("{http://www.w3.org/2000/svg}svg"))
    boxes = {a.attrib["href"][1:] for a in svg.iter("{http://www.w3.org/2000/svg}a")}
    texts = {" ".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    nodes, edges = ontodoc.diagram_edges(ontology)
    ours = {n[len(CKG) :] for n in nodes if n.startswith(CKG)}
    assert boxes == ours
    assert {ontodoc.curie(n) for n in nodes} <= texts
    assert {label for _, _, label in edges if label} <= texts
    assert "skos:Concept" in texts and "Cluster" in boxes


def test_shapes_page_shows_every_shape_and_message(shapes_doc, shapes):
    ids = _by_id(shapes_doc)
    text = _text(shapes_doc)
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if isinstance(shape, URIRef):
            assert shape[len(ontodoc.SHAPES_NS) :] in ids, shape
    for message in shapes.objects(None, SH.message):
        assert " ".join(str(message).split()) in text, message


def test_a_class_links_to_the_shapes_that_check_it(index):
    cluster = _by_id(index)["Cluster"]
    hrefs = {a.attrib.get("href", "") for a in cluster.iter(f"{XHTML}a")}
    assert any(h.startswith("shapes.html#") for h in hrefs)


def test_everything_is_escaped():
    hostile = Graph()
    term = URIRef(f"{CKG}Thing")
    hostile.add((term, RDF.type, OWL.Class))
    hostile.add((term, RDFS.label, Literal('<script>alert("x")</script> & co', lang="en")))
    hostile.add((term, RDFS.label, Literal("<b>grassetto</b>", lang="it")))
    hostile.add((term, SKOS.definition, Literal("a < b > c", lang="en")))
    page = ontodoc.ontology_page(hostile, Graph())
    doc = _parse(page.encode())
    assert not list(doc.iter(f"{XHTML}script")) and not list(doc.iter(f"{XHTML}b"))
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert '<script>alert("x")</script> & co' in _text(_by_id(doc)["Thing"], "en")


def test_bytes_are_identical_across_processes(tmp_path):
    code = (
        "import sys, hashlib; from types import SimpleNamespace; from pathlib import Path;"
        "from clusterkg import ontodoc; from clusterkg.project import Project;"
        "files = ontodoc.release_files(SimpleNamespace(project=Project(Path(sys.argv[1]))));"
        "print({k: hashlib.sha256(v[0]).hexdigest() for k, v in sorted(files.items())})"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code, str(ROOT)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "4242")
    ]
    assert outputs[0] == outputs[1] and outputs[0].count("ontology/") == 6
