"""The command line, in-process: exit codes, output formats, and the README kept true."""

from __future__ import annotations

import csv
import gc
import io
import json
import re

import pytest
from rdflib import Graph
from rdflib.namespace import SH
from rdflib.query import Result

from clusterkg.cli import main
from clusterkg.export import ReleaseFile
from clusterkg.report import file_rows

from .conftest import ROOT, copy_project


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def root(*args: str) -> list[str]:
    return [*args, "--root", str(ROOT)]


def test_validate_conforms_with_warnings(capsys):
    code, out, _ = run(capsys, *root("validate"))
    assert code == 0
    assert "SHACL: conforms: 0 violations" in out and "Warning" in out


def test_validate_turtle_is_a_shacl_report(capsys):
    code, out, _ = run(capsys, *root("validate", "--format", "turtle"))
    assert code == 0
    report = Graph().parse(data=out, format="turtle")
    assert (None, SH.conforms, None) in report


def test_build_prints_a_summary(capsys, tmp_path):
    code, out, err = run(capsys, *root("build", "--out", str(tmp_path / "r")))
    assert code == 0 and err == ""  # no progress when output is not a terminal
    for heading in ("Triples", "Resources per class", "SHACL: conforms", "Files written"):
        assert heading in out
    assert (tmp_path / "r" / "kg.ttl").is_file()
    # A resource's five documents are one row per folder, not five rows per resource.
    assert "doc/pnrr/" in out and "doc/pnrr/m6" not in out
    assert "ontology/shapes.ttl" in out


def test_no_collection_walks_what_a_build_made(tmp_path):
    """Each stage pauses the cyclic collector and, when it resumes, hands what the stage made to
    its oldest generation: resumed as it was, a young collection walked every object made so
    far (about 130,000 here, tens of millions at 1M), on the one CPU the build has between its
    stages."""
    walked: list[int] = []

    def started(phase: str, info: dict) -> None:
        if phase == "start":  # a collection walks its generation and the younger ones
            walked.append(sum(len(gc.get_objects(g)) for g in range(info["generation"] + 1)))

    gc.callbacks.append(started)
    try:
        code = main(root("build", "--out", str(tmp_path / "r"), "--quiet"))
    finally:
        gc.callbacks.remove(started)
    assert code == 0 and max(walked, default=0) < 10_000
    assert gc.isenabled()  # running again once the command is done


def test_the_files_table_stays_short_at_scale():
    pages = [
        ReleaseFile(f"doc/organization/o{n}.{kind}", 10, "x", f"the page of https://e.org/o{n}")
        for n in range(5000)
        for kind in ("html", "ttl")
    ]
    files = [
        ReleaseFile("kg.ttl", 5, "x", "the asserted graph"),
        *pages,
        *(ReleaseFile(f"ontology/{n}.ttl", 1, "x", f"ontology {n}") for n in range(3)),
    ]
    rows = file_rows(files)
    assert rows[0] == ("kg.ttl", 5, "the asserted graph")
    assert rows[1] == ("doc/organization/", 100_000, "10,000 files: the page of …")
    assert [name for name, *_ in rows[2:]] == ["ontology/0.ttl", "ontology/1.ttl", "ontology/2.ttl"]


def test_query_list_shows_the_whole_catalog(capsys):
    code, out, _ = run(capsys, *root("query", "--list", "--format", "json"))
    assert code == 0
    listed = [q["name"] for q in json.loads(out)]
    assert listed == sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    assert len(listed) >= 12


FIRST_QUERY = (
    sorted((ROOT / "queries").glob("*.rq"))[0].stem
    if list((ROOT / "queries").glob("*.rq"))
    else "none"
)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_query_result_formats_parse_as_w3c(capsys, fmt):
    code, out, _ = run(capsys, *root("query", FIRST_QUERY, "--format", fmt))
    assert code == 0
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out, newline="")))
        assert out.endswith("\r\n") and len(rows) > 1
        return
    parsed = Result.parse(io.StringIO(out), format=fmt)  # rdflib's W3C results parsers
    assert len(parsed.bindings) > 0


def test_query_table(capsys):
    code, out, _ = run(capsys, *root("query", FIRST_QUERY))
    assert code == 0 and re.search(r"\d+ rows", out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "no-such-query"], "no query named 'no-such-query'"),
        (["query", FIRST_QUERY, "--param", "nope=1"], "has no parameter 'nope'"),
        (["query", FIRST_QUERY, "--param", "novalue"], "--param takes KEY=VALUE"),
        (["query"], "name a query"),
        (["frobnicate"], "invalid choice"),
        (["query", "missing.rq"], "no query file missing.rq"),
    ],
    ids=[
        "unknown-query",
        "unknown-param",
        "param-syntax",
        "no-query",
        "unknown-command",
        "missing-file",
    ],
)
def test_bad_usage_is_one_line_and_exit_2(capsys, args, message):
    code, _, err = run(capsys, *(root(*args) if args[0] == "query" else args))
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_a_broken_quality_check_names_its_file_and_line(capsys, tmp_path):
    # The checks run in Oxigraph, which reports the syntax error (rdflib does not read them).
    root = copy_project(tmp_path)
    bad = root / "queries" / "checks" / "zz_broken.rq"
    bad.write_text("#+ summary: broken\nSELECT ?x WHERE {\n  ?x ?y\n}\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", "--root", str(root))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert re.match(rf"error: {re.escape(str(bad))}:\d+: bad SPARQL \(.+, column \d+\)$", err)


@pytest.mark.parametrize("engine", ["rdflib", "ready Oxigraph store"])
def test_bad_query_file_names_the_line(capsys, tmp_path, engine, release_with_store):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: broken\nSELECT ?x WHERE {\n  ?x ?y\n}\n")
    where = ["--release", str(release_with_store)] if engine != "rdflib" else []
    code, _, err = run(capsys, *root("query", str(bad), *where))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert re.match(rf"error: {re.escape(str(bad))}:\d+: bad SPARQL \(.+, column \d+\)$", err)
