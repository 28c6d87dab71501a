"""The compare stage: facts matched by labels and links, not IRIs; the CLI's table, JSON and
exit codes."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph

from clusterkg.cli import main
from clusterkg.compare import compare
from clusterkg.load import parse_source

from .conftest import ROOT

CURATED = ROOT / "data" / "profiles" / "lombardy-life-sciences.ttl"

PREFIXES = """
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix s3: <https://w3id.org/clusterkg/id/s3-ecosystem/> .
@prefix ex: <https://example.org/> .
"""


def graph(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


CURATED_INLINE = graph("""
ex:c a ckg:Cluster ; skos:prefLabel "Test Cluster"@en ; ckg:referenceEcosystem s3:nutrition ;
    ckg:project ex:p ; prov:wasDerivedFrom <https://example.org/s.txt#line=0,2> .
ex:p a ckg:Project ; skos:prefLabel "P - Project"@en ;
    dcterms:description "A project that does things."@en ;
    skos:editorialNote "A curator's note, not compared."@en .
""")


def test_same_facts_under_other_iris_are_present():
    draft = graph("""
    ex:x a ckg:Cluster ; skos:prefLabel "Test Cluster"@en ; ckg:referenceEcosystem s3:nutrition ;
        ckg:project ex:y ; prov:wasDerivedFrom <https://example.org/s.txt#line=1,2> .
    ex:y a ckg:Project ; skos:prefLabel "P - Project"@en ;
        dcterms:description "A  project that\\n does things."@en .
    """)
    result = compare(draft, CURATED_INLINE)
    assert result.coverage == 1.0 and result.added == []
    assert result.curated == 7  # 2 types, 2 labels, 1 link to s3, 1 project link, 1 description
    assert result.provenance == 0.5  # line 2 of lines 1-2


def test_a_relabelled_resource_is_matched_by_its_other_facts():
    draft = graph("""
    ex:x a ckg:Cluster ; skos:prefLabel "Test Cluster"@en ; ckg:referenceEcosystem s3:nutrition ;
        ckg:project ex:y .
    ex:y a ckg:Project ; skos:prefLabel "P"@en ;
        dcterms:description "A project that does things."@en .
    """)
    result = compare(draft, CURATED_INLINE)
    assert [f[1] for f in result.missing] == ["skos:prefLabel"]
    assert [f[2] for f in result.added] == ["P"]
    assert result.coverage == pytest.approx(6 / 7)


def test_a_wrong_link_is_missing_and_added():
    draft = graph("""
    ex:x a ckg:Cluster ; skos:prefLabel "Test Cluster"@en ;
        ckg:referenceEcosystem s3:sustainability .
    """)
    result = compare(draft, CURATED_INLINE)
    missing = {(p, o) for _, p, o in result.missing}
    assert ("ckg:referenceEcosystem", "s3-ecosystem:nutrition") in missing
    assert [(p, o) for _, p, o in result.added] == [
        ("ckg:referenceEcosystem", "s3-ecosystem:sustainability")
    ]


def test_curated_profile_covers_itself():
    curated = parse_source(CURATED)
    result = compare(curated, curated)
    assert result.coverage == 1.0 and result.provenance == 1.0 and not result.added


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--root", str(ROOT)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_table_and_json(capsys):
    code, out, _ = run(capsys, "compare", str(CURATED), str(CURATED))
    assert code == 0 and "Coverage of the curated profile" in out and "100.0%" in out
    code, out, _ = run(capsys, "compare", str(CURATED), str(CURATED), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["coverage"] == 1.0 and report["missing_facts"] == []


def test_cli_min_coverage_fails_with_exit_1(capsys, tmp_path):
    draft = tmp_path / "draft.ttl"
    draft.write_text(PREFIXES + 'ex:c a ckg:Cluster ; skos:prefLabel "X"@en .\n')
    code, _, err = run(capsys, "compare", str(draft), str(CURATED), "--min-coverage", "90")
    assert code == 1 and err.startswith("error: the draft covers") and "below" in err
    code, _, _ = run(capsys, "compare", str(draft), str(CURATED), "--min-coverage", "0")
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-coverage", "150"], "--min-coverage takes a percentage"),
        (["--format", "xml"], "invalid choice"),
    ],
)
def test_cli_bad_usage(capsys, args, message):
    code, _, err = run(capsys, "compare", str(CURATED), str(CURATED), *args)
    assert code == 2 and message in err


def test_cli_bad_draft_is_one_line(capsys, tmp_path):
    draft = tmp_path / "bad.ttl"
    draft.write_text("this is not turtle")
    code, _, err = run(capsys, "compare", str(draft), str(CURATED))
    assert code == 2 and err.startswith(f"error: {draft}") and len(err.strip().splitlines()) == 1
