"""Load test: `clusterkg serve` next to `oxigraph serve-read-only` on the same release, one run.

A bounded number of requests from concurrent clients on 127.0.0.1 only: every catalog query,
resource descriptions, and one deliberately slow query (a cartesian product) sent now and then.
Both servers get the same requests with the same time limit. It prints throughput, p50 and p99
latency per kind of request, errors, and the ratios against Oxigraph, and can write JSON.

    python benchmarks/load.py [--requests 2000] [--clients 16] [--release release]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 5  # seconds per query, for both servers
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CATALOG_TARGET_MS = 20.0
# The oxigraph server CLI, beside this Python first (a virtual environment's scripts need not be
# on PATH).
OXIGRAPH = (
    shutil.which(
        "oxigraph", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    or "oxigraph"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early: {process.communicate()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no server on port {port} after {seconds} s")


def workload(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, query) pairs: catalog queries, resource descriptions, a slow query now and then."""
    catalog = [p.read_text() for p in sorted((ROOT / "queries").glob("*.rq"))]
    resources = [
        "cluster/lombardy-life-sciences",
        "project/c4life",
        "network/cebr",
        "pnrr/M6C1",
        "s3-ecosystem/health-and-life-science",
    ]
    rng = random.Random(seed)
    requests = []
    for i in range(n):
        if i % 500 == 250:
            requests.append(("slow", SLOW))
        elif rng.random() < 0.8:
            requests.append(("catalog", rng.choice(catalog)))
        else:
            iri = f"https://w3id.org/clusterkg/id/{rng.choice(resources)}"
            requests.append(("describe", f"DESCRIBE <{iri}>"))
    return requests


_local = threading.local()


def send(url: str, query: str) -> tuple[int, float]:
    """POST one query on this thread's keep-alive connection; (status, milliseconds)."""
    parts = urllib.parse.urlsplit(url)
    body = urllib.parse.urlencode({"query": query})
    headers = {
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    started = time.perf_counter()
    for attempt in range(2):  # a server may close an idle connection: reconnect once
        connection = getattr(_local, "connections", {}).get(parts.netloc)
        if connection is None:
            connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=TIMEOUT + 30
            )
            _local.connections = {**getattr(_local, "connections", {}), parts.netloc: connection}
        try:
            connection.request("POST", parts.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, (time.perf_counter() - started) * 1000
        except (OSError, http.client.HTTPException):
            connection.close()
            _local.connections.pop(parts.netloc, None)
            if attempt:
                return 0, (time.perf_counter() - started) * 1000
    return 0, 0.0


def hammer(url: str, requests: list[tuple[str, str]], clients: int, show: bool) -> dict:
    done = [0]
    lock = threading.Lock()

    def one(item):
        kind, query = item
        status, ms = send(url, query)
        with lock:
            done[0] += 1
            if show and done[0] % 100 == 0:
                print(f"\r{url}: {done[0]}/{len(requests)}", end="", file=sys.stderr, flush=True)
        return kind, status, ms

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, requests))
    seconds = time.perf_counter() - started
    if show:
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
    summary = {"seconds": seconds, "throughput": len(requests) / seconds, "kinds": {}}
    for kind in ("catalog", "describe", "slow"):
        times = sorted(ms for k, status, ms in results if k == kind)
        errors = sum(
            1 for k, status, ms in results if k == kind and status != 200 and kind != "slow"
        )
        if times:
            summary["kinds"][kind] = {
                "requests": len(times),
                "errors": errors,
                "p50_ms": statistics.median(times),
                "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
                "max_ms": times[-1],
                "statuses": sorted({s for k, s, _ in results if k == kind}),
            }
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    show = sys.stderr.isatty()
    if not (args.release / "kg.trig").is_file():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "clusterkg",
                "build",
                "--quiet",
                "--root",
                str(ROOT),
                "--out",
                str(args.release),
            ],
            check=True,
        )
    requests = workload(args.requests)
    servers = {}
    with tempfile.TemporaryDirectory() as store:
        ours_port, oxi_port = free_port(), free_port()
        subprocess.run(
            [OXIGRAPH, "load", "--location", store, "--file", str(args.release / "kg.trig")],
            check=True,
            capture_output=True,
        )
        servers["clusterkg"] = (
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "clusterkg",
                    "serve",
                    "--quiet",
                    "--release",
                    str(args.release),
                    "--port",
                    str(ours_port),
                    "--timeout",
                    str(TIMEOUT),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            ours_port,
        )
        servers["oxigraph"] = (
            subprocess.Popen(
                [
                    OXIGRAPH,
                    "serve-read-only",
                    "--location",
                    store,
                    "--bind",
                    f"127.0.0.1:{oxi_port}",
                    "--union-default-graph",
                    "--timeout-s",
                    str(TIMEOUT),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            oxi_port,
        )
        try:
            results = {}
            for name, (process, port) in servers.items():
                wait_for(port, process)
                path = "sparql" if name == "clusterkg" else "query"
                url = f"http://127.0.0.1:{port}/{path}"
                send(url, "ASK { ?s ?p ?o }")  # warm up
                results[name] = hammer(url, requests, args.clients, show)
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(20)

    print(
        f"{args.requests} requests from {args.clients} clients on 127.0.0.1, "
        f"query time limit {TIMEOUT} s"
    )
    print(
        f"{'':<10}{'kind':<10}{'n':>6}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'p50 ratio':>11}"
    )
    for name, summary in results.items():
        for kind, row in summary["kinds"].items():
            other = results["oxigraph"]["kinds"].get(kind)
            ratio = f"{row['p50_ms'] / other['p50_ms']:.1f}" if other and other["p50_ms"] else "-"
            print(
                f"{name:<10}{kind:<10}{row['requests']:>6}{row['errors']:>8}"
                f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}{ratio:>11}"
            )
        print(f"{name:<10}{'all':<10}{'':>6}{'':>8} throughput {summary['throughput']:.0f} req/s")
    ours = results["clusterkg"]["kinds"]
    catalog_ok = ours["catalog"]["p50_ms"] < CATALOG_TARGET_MS
    errors = sum(row["errors"] for row in ours.values())
    bounded = max(row["max_ms"] for kind, row in ours.items() if kind != "slow") < TIMEOUT * 1000
    print(
        f"target: catalog p50 under {CATALOG_TARGET_MS:.0f} ms: "
        f"{'met' if catalog_ok else 'NOT met'}; errors: {errors}; "
        f"no request delayed past the time limit: {'yes' if bounded else 'NO'}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
