"""Benchmark at scale: the build and the catalog on synthetic corpora, next to baselines.

For each size (about T triples, ``clusterkg synth --triples T --seed S``) it measures, each in a
fresh Python process (imports included) with a time limit, peak memory being that process's own
(or, for the Oxigraph CLI, its children's):

1. the whole build (load, reason, validate, checks, export with the ready Oxigraph store that
   ``clusterkg build --store oxigraph`` builds beside the files), stage by stage, with the engines
   for large graphs (``--reasoner oxigraph --validator oxigraph``; ``--reasoner`` and
   ``--validator`` here choose others);
2. the plain baseline: rdflib parses every source, owlrl computes the OWL RL closure, pyshacl
   validates it with ontology/shapes.ttl, rdflib writes Turtle and JSON-LD;
3. the ``oxigraph`` CLI: ``oxigraph load`` of the same files, then one catalog query;
4. every catalog query, several times, on the release's ready Oxigraph store (in-process through
   ``clusterkg.store``, as ``clusterkg query --release`` runs them but without its start-up)
   and on rdflib in memory (the release's kg.trig, as ``query --release --store memory``), plus
   one cold ``clusterkg query --release`` command for the whole start-up cost.

It prints a table per size with ratios against the baselines, the growth from one size to the
next, and the targets of issue 6, met or not. A measurement that exceeds ``--timeout`` is
reported as timed out, not waited for. Progress goes to stderr on a terminal only.

    python benchmarks/scale.py [--sizes 10000,100000] [--json benchmarks/results/scale.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["imports", "load", "reason", "validate", "checks", "export", "total"]
CLI_QUERY = "14_cluster_overview"  # an aggregate over every cluster: the oxigraph CLI runs it
# The oxigraph CLI, beside this Python first (a virtual environment's scripts need not be on PATH).
BIN_PATH = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
OXIGRAPH = shutil.which("oxigraph", path=BIN_PATH) or "oxigraph"
CLUSTERKG = shutil.which("clusterkg", path=BIN_PATH)
# Issue 6, "Targets" (2-core machine, 24 GB).
TARGETS = {
    100_000: {"build_s": 15.0, "query_p50_ms": 50.0, "speedup": 10.0},
    1_000_000: {"build_s": 120.0, "peak_mib": 8 * 1024, "query_p50_ms": 200.0},
}


# --- children: each runs in its own process and prints JSON on stdout --------------------------


def _build_benchmark():
    """benchmarks/build.py, loaded by path (``build`` is also the name of a PyPI package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "clusterkg_bench_build", Path(__file__).with_name("build.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child_clusterkg(corpus: Path, out: Path, reasoner: str, validator: str) -> dict:
    times, checked = _build_benchmark().timed_build(corpus, out, reasoner, validator, store=True)
    return {
        "times": times,
        "triples": checked.sources.triple_count(),
        "inferred": len(checked.inference.inferred),
        "ok": checked.ok,
        "check_failures": len(checked.check_failures),
    }


def child_baseline(corpus: Path, out: Path) -> dict:
    start = time.perf_counter()
    import owlrl
    import pyshacl
    from rdflib import Graph

    times = {"imports": time.perf_counter() - start}
    t = time.perf_counter()
    graph = Graph()
    for path in source_files(corpus):
        graph.parse(path)
    asserted = len(graph)
    times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    times["reason"] = time.perf_counter() - t
    t = time.perf_counter()
    shapes = Graph().parse(corpus / "ontology" / "shapes.ttl")
    conforms, _, _ = pyshacl.validate(
        graph, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    times["validate"] = time.perf_counter() - t
    times["checks"] = 0.0
    t = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    graph.serialize(out / "kg.ttl", format="turtle")
    graph.serialize(out / "kg.jsonld", format="json-ld")
    times["export"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - start
    return {"times": times, "triples": asserted, "closure": len(graph), "conforms": conforms}


def child_oxigraph(corpus: Path, out: Path) -> dict:
    files = [str(p) for p in source_files(corpus)]
    t = time.perf_counter()
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(out), "--file", *files],
        check=True,
        capture_output=True,
    )
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    done = subprocess.run(
        [
            OXIGRAPH,
            "query",
            "--location",
            str(out),
            "--query-file",
            str(corpus / "queries" / f"{CLI_QUERY}.rq"),
            "--results-format",
            "csv",
        ],
        check=True,
        capture_output=True,
    )
    query_s = time.perf_counter() - t
    rows = max(0, len(done.stdout.splitlines()) - 1)
    return {"times": {"load": load_s, "query": query_s, "total": load_s + query_s}, "rows": rows}


def child_queries(corpus: Path, release: Path, engine: str, runs: int) -> None:
    """One JSON line per catalog query as soon as it is measured, so that a timeout keeps the
    queries already done."""
    start = time.perf_counter()
    from clusterkg.project import Project
    from clusterkg.query import load_catalog

    project = Project(corpus)
    if engine == "oxigraph":
        from clusterkg import store

        graph = store.release_store(release)
        if store.ready_store(release) is None:
            raise SystemExit(f"{release} has no ready store")

        def run(query):
            return store.query_store(graph, query, {}, project)

    else:
        from clusterkg.endpoint import load_release_dataset
        from clusterkg.query import run as run_query

        graph = load_release_dataset(release / "kg.trig")

        def run(query):
            return run_query(graph, query, {}, project)

    emit({"open_s": time.perf_counter() - start})
    for name, query in load_catalog(project.queries_dir).items():
        laps = []
        for _ in range(runs):
            t = time.perf_counter()
            rows = len(list(run(query)))
            laps.append((time.perf_counter() - t) * 1000)
        emit({"query": name, "ms": laps, "rows": rows})


def child_cold_query(corpus: Path, release: Path) -> dict:
    """One `clusterkg query --release` command, start-up included, as a user runs it."""
    command = [CLUSTERKG] if CLUSTERKG else [sys.executable, "-m", "clusterkg"]
    command += ["query", CLI_QUERY, "--root", str(corpus), "--release", str(release)]
    t = time.perf_counter()
    subprocess.run(
        [*command, "--format", "csv", "-q"],
        check=True,
        capture_output=True,
    )
    return {"times": {"total": time.perf_counter() - t}}


def source_files(corpus: Path) -> list[Path]:
    return [corpus / "ontology" / "clusterkg.ttl", *sorted((corpus / "data").rglob("*.ttl"))]


def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def child(args: argparse.Namespace) -> None:
    kind, corpus, out = args.child, args.corpus, args.out
    if kind == "queries-oxigraph":
        child_queries(corpus, out, "oxigraph", args.query_runs)
    elif kind == "queries-rdflib":
        child_queries(corpus, out, "rdflib", args.query_runs)
    elif kind == "clusterkg":
        emit(child_clusterkg(corpus, out, args.reasoner, args.validator))
    else:
        run = {
            "baseline": child_baseline,
            "oxigraph": child_oxigraph,
            "cold-query": child_cold_query,
        }[kind]
        emit(run(corpus, out))
    emit({"peak_mib": peak_mib()})


# --- the parent: spawn, time out, summarise ---------------------------------------------------


def spawn(
    kind: str, corpus: Path, out: Path, args: argparse.Namespace, query_runs: int = 0
) -> dict:
    """Run one child; its JSON lines merged, or what it gave before it failed or timed out."""
    command = [sys.executable, __file__, "--child", kind, "--corpus", str(corpus)]
    command += ["--out", str(out), "--query-runs", str(query_runs)]
    command += ["--reasoner", args.reasoner, "--validator", args.validator]
    timeout = args.timeout
    # A session of its own, so that a timeout ends the child and whatever it started.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    started = time.perf_counter()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        status = None if process.returncode == 0 else f"failed (exit {process.returncode})"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        status = f"timed out after {timeout:g} s"
    result: dict = {"wall_s": time.perf_counter() - started, "status": status or "ok"}
    queries = {}
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue  # anything a library printed
        record = json.loads(line)
        if "query" in record:
            queries[record.pop("query")] = record
        else:
            result.update(record)
    if queries:
        result["queries"] = queries
    if status and not status.startswith("timed out"):
        result["error"] = stderr.strip().splitlines()[-1:] or [""]
    return result


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: with a few runs, p99 is the slowest run."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def measure_size(size: int, args: argparse.Namespace, work: Path, say) -> dict:
    from clusterkg.synth import clusters_for, synthesize

    corpus = work / f"corpus-{size}"
    if corpus.exists():
        shutil.rmtree(corpus)
    say(f"{size}: synthesising")
    clusters = clusters_for(size, 100, args.seed, ROOT)
    synth = synthesize(ROOT, corpus, clusters, seed=args.seed)
    entry: dict = {
        "size": size,
        "clusters": clusters,
        "triples": synth.triples,
        "synth_s": synth.seconds,
    }

    def repeated(kind: str, runs: int) -> list[dict]:
        results = []
        for i in range(runs):
            say(f"{size}: {kind} run {i + 1}/{runs}")
            out = work / f"{kind}-{size}-{i}"
            shutil.rmtree(out, ignore_errors=True)
            results.append(spawn(kind, corpus, out, args))
            if results[-1]["status"] != "ok":
                break  # a timed-out or failed size is not run again
        return results

    for kind in ("clusterkg", "baseline", "oxigraph"):
        runs = repeated(kind, args.runs)
        entry[kind] = summarise(runs)
    release = work / f"clusterkg-{size}-{len(entry['clusterkg']['runs']) - 1}"
    if entry["clusterkg"]["status"] != "ok":
        skipped = {"status": f"skipped: the build {entry['clusterkg']['status']}"}
        entry.update({"oxigraph_queries": skipped, "rdflib_queries": skipped, "cold": skipped})
        return entry
    for engine in ("oxigraph", "rdflib"):
        say(f"{size}: catalog queries on {engine}")
        result = spawn(f"queries-{engine}", corpus, release, args, args.query_runs)
        for stats in result.get("queries", {}).values():
            stats["p50_ms"] = statistics.median(stats["ms"])
            stats["p99_ms"] = percentile(stats["ms"], 99)
        entry[f"{engine}_queries"] = result
    say(f"{size}: cold clusterkg query --release")
    entry["cold"] = summarise([spawn("cold-query", corpus, release, args)])
    return entry


def summarise(runs: list[dict]) -> dict:
    done = [r for r in runs if r["status"] == "ok"]
    summary: dict = {"status": runs[-1]["status"] if not done else "ok", "runs": runs}
    if done:
        keys = done[0]["times"].keys()
        summary["median"] = {k: statistics.median(r["times"][k] for r in done) for k in keys}
        summary["peak_mib"] = max(r["peak_mib"] for r in done)
    return summary


# --- reporting --------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def ratio(ours: float | None, base: float | None) -> str:
    return f"{ours / base:.2f}" if ours is not None and base else "-"


def median_of(entry: dict, kind: str, key: str) -> float | None:
    return entry[kind].get("median", {}).get(key)


def print_size(entry: dict, args: argparse.Namespace) -> None:
    size = entry["size"]
    print(
        f"\n== about {size:,} triples: {entry['triples']:,} asserted, {entry['clusters']} "
        f"clusters (seed {args.seed}), median of {args.runs} run(s) in fresh processes; "
        f"clusterkg with --reasoner {args.reasoner} --validator {args.validator}"
    )
    for kind in ("clusterkg", "baseline", "oxigraph"):
        if entry[kind]["status"] != "ok":
            print(f"   {kind}: {entry[kind]['status']}")
    print(f"{'stage':<10}{'clusterkg s':>13}{'baseline s':>12}{'ratio':>8}")
    for stage in STAGES:
        ours = median_of(entry, "clusterkg", stage)
        base = median_of(entry, "baseline", stage)
        print(f"{stage:<10}{fmt(ours, 3):>13}{fmt(base, 3):>12}{ratio(ours, base):>8}")
    ours_peak = entry["clusterkg"].get("peak_mib")
    base_peak = entry["baseline"].get("peak_mib")
    print(
        f"{'peak MiB':<10}{fmt(ours_peak, 1):>13}{fmt(base_peak, 1):>12}"
        f"{ratio(ours_peak, base_peak):>8}"
    )
    ours_run, base_run = entry["clusterkg"]["runs"][-1], entry["baseline"]["runs"][-1]
    if "triples" in ours_run and "triples" in base_run:
        verdict = "ok" if ours_run["ok"] else "would be refused"
        print(
            f"parsed triples: clusterkg {ours_run['triples']:,} (quoted source lines included; "
            f"build {verdict}), baseline {base_run['triples']:,} "
            f"(closure {base_run['closure']:,}, SHACL conforms: {base_run['conforms']})"
        )
    ox = entry["oxigraph"].get("median", {})
    build = median_of(entry, "clusterkg", "total")
    if ox:
        print(
            f"oxigraph CLI: load {ox['load']:.3f} s, query {CLI_QUERY} {ox['query']:.3f} s, "
            f"peak {entry['oxigraph']['peak_mib']:.1f} MiB; "
            f"clusterkg build / oxigraph load = {ratio(build, ox['load'])}"
        )
    cold = entry["cold"].get("median", {}).get("total")
    if cold is not None:
        print(f"cold `clusterkg query {CLI_QUERY} --release`: {cold:.3f} s")
    ox_q, rdf_q = entry["oxigraph_queries"], entry["rdflib_queries"]
    for name, result in (("oxigraph store", ox_q), ("rdflib", rdf_q)):
        if result["status"] != "ok":
            print(f"   catalog on {name}: {result['status']}")
    if "queries" not in ox_q and "queries" not in rdf_q:
        return
    print(
        f"catalog queries, ms over {args.query_runs} runs (oxigraph: ready store in-process, "
        f"opened in {fmt(ox_q.get('open_s'), 3)} s; rdflib: kg.trig in memory, loaded in "
        f"{fmt(rdf_q.get('open_s'), 3)} s)"
    )
    print(
        f"{'query':<30}{'rows':>6}{'ox p50':>9}{'ox p99':>9}"
        f"{'rdflib p50':>12}{'rdflib p99':>12}{'ox/rdflib':>11}"
    )
    names = sorted({*ox_q.get("queries", {}), *rdf_q.get("queries", {})})
    for name in names:
        a = ox_q.get("queries", {}).get(name, {})
        b = rdf_q.get("queries", {}).get(name, {})
        rows = a.get("rows", b.get("rows", "-"))
        print(
            f"{name:<30}{rows:>6}{fmt(a.get('p50_ms'), 1):>9}{fmt(a.get('p99_ms'), 1):>9}"
            f"{fmt(b.get('p50_ms'), 1):>12}{fmt(b.get('p99_ms'), 1):>12}"
            f"{ratio(a.get('p50_ms'), b.get('p50_ms')):>11}"
        )


def headline(entry: dict) -> dict[str, float | None]:
    """The numbers compared from one size to the next."""
    ox_p50 = [q["p50_ms"] for q in entry["oxigraph_queries"].get("queries", {}).values()]
    rdf_p50 = [q["p50_ms"] for q in entry["rdflib_queries"].get("queries", {}).values()]
    return {
        "triples": entry["triples"],
        "build s": median_of(entry, "clusterkg", "total"),
        "build peak MiB": entry["clusterkg"].get("peak_mib"),
        "baseline s": median_of(entry, "baseline", "total"),
        "baseline peak MiB": entry["baseline"].get("peak_mib"),
        "oxigraph load s": median_of(entry, "oxigraph", "load"),
        "max ox p50 ms": max(ox_p50) if ox_p50 else None,
        "max rdflib p50 ms": max(rdf_p50) if rdf_p50 else None,
        "cold query s": entry["cold"].get("median", {}).get("total"),
    }


def print_growth(entries: list[dict]) -> dict:
    heads = [headline(e) for e in entries]
    growth = {}
    if len(entries) < 2:
        return growth
    print("\n== growth from one size to the next (value, then x factor over the previous size)")
    labels = [f"{e['size']:,}" for e in entries]
    print(f"{'':<20}" + "".join(f"{label:>22}" for label in labels))
    for key in heads[0]:
        cells, factors = [], []
        for i, head in enumerate(heads):
            value = head[key]
            previous = heads[i - 1][key] if i else None
            factor = value / previous if value is not None and previous else None
            factors.append(factor)
            text = "-" if value is None else f"{value:,.3g}"
            cells.append(text + (f" (x{factor:.1f})" if factor else ""))
        growth[key] = factors
        print(f"{key:<20}" + "".join(f"{c:>22}" for c in cells))
    return growth


def targets(entries: list[dict]) -> list[dict]:
    verdicts = []
    by_size = {e["size"]: e for e in entries}

    def verdict(name: str, size: int, value: float | None, ok, shown: str) -> None:
        entry = by_size.get(size)
        if entry is None:
            status = "not measured"
        elif value is None:
            status = "NOT met (no value: timed out or failed)"
        else:
            status = "met" if ok(value) else "NOT met"
        verdicts.append({"target": name, "size": size, "value": value, "status": status})
        print(f"{name:<44}{status:<12}{shown if entry is not None and value is not None else ''}")

    print("\n== targets (issue 6)")
    for size, goal in TARGETS.items():
        entry = by_size.get(size)
        head = headline(entry) if entry else {}
        build = head.get("build s")
        verdict(
            f"{size:,}: full build < {goal['build_s']:g} s",
            size,
            build,
            lambda v, g=goal: v < g["build_s"],
            f"{build:.2f} s" if build is not None else "",
        )
        if "peak_mib" in goal:
            peak = head.get("build peak MiB")
            verdict(
                f"{size:,}: build peak < {goal['peak_mib'] / 1024:g} GB",
                size,
                peak,
                lambda v, g=goal: v < g["peak_mib"],
                f"{peak:.0f} MiB" if peak is not None else "",
            )
        slowest = head.get("max ox p50 ms")
        complete = entry is not None and len(entry["oxigraph_queries"].get("queries", {})) > 0
        verdict(
            f"{size:,}: every catalog p50 < {goal['query_p50_ms']:g} ms",
            size,
            slowest if complete else None,
            lambda v, g=goal: v < g["query_p50_ms"],
            f"slowest {slowest:.1f} ms" if slowest is not None else "",
        )
        if "speedup" in goal:
            base = head.get("baseline s")
            speedup = base / build if base and build else None
            verdict(
                f"{size:,}: {goal['speedup']:g}x faster than the baseline",
                size,
                speedup,
                lambda v, g=goal: v >= g["speedup"],
                f"x{speedup:.2f}" if speedup is not None else "",
            )
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated triple counts (default: 10000,100000; 1000000 is slow)",
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    parser.add_argument("--runs", type=int, default=1, help="runs per build measurement")
    parser.add_argument("--query-runs", type=int, default=5, help="runs per catalog query")
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds per measurement (default: 900)"
    )
    parser.add_argument(
        "--reasoner",
        default="oxigraph",
        help="the build's OWL 2 RL engine (default: oxigraph, the fast path)",
    )
    parser.add_argument(
        "--validator", default="oxigraph", help="the build's SHACL engine (default: oxigraph)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--work", type=Path, help="keep corpora and releases in this folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    show = sys.stderr.isatty()

    def say(text: str) -> None:
        if show:
            print(f"\r\033[K{text}", end="", file=sys.stderr, flush=True)

    entries = []
    # Nothing is deleted before every size is measured: on a disk mounted with `discard`,
    # deleting a release's tens of thousands of files slows down creating files for minutes
    # after (a 1M build took 315 s instead of 180 s), so each run keeps its own folder.
    with tempfile.TemporaryDirectory(prefix="clusterkg-scale-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            entries.append(measure_size(size, args, work.resolve(), say))
            say("")
            print_size(entries[-1], args)
    growth = print_growth(entries)
    verdicts = targets(entries)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        chosen = ("seed", "runs", "query_runs", "reasoner", "validator")
        settings = {k: v for k, v in vars(args).items() if k in chosen}
        settings.update(timeout_s=args.timeout, sizes=sizes, machine_cpus=os.cpu_count())
        args.json.write_text(
            json.dumps(
                {"settings": settings, "sizes": entries, "growth": growth, "targets": verdicts},
                indent=2,
                default=str,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
