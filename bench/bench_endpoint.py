"""Benchmark the SPARQL endpoint against pyoxigraph, Oxigraph's server and rdflib-endpoint.

Bounded load on 127.0.0.1 only: every measurement runs for a fixed time (and a fixed maximum
number of requests), every server is started here and stopped at the end.

    python bench/bench_endpoint.py [STORE] [--seconds 5] [--max-requests 5000] [--triples 200000]
        [--runaways 4,8] [--light-clients 8] [--http h11|httptools] [--skip SYSTEM]...

Without STORE a synthetic store of about 200k triples shaped like sahelkg's graph (events in
article graphs, a registry of places and actors) is built in a temporary directory. For each
system it measures a light lookup (all statements about one event) and a heavy aggregate
(entities per type and their statements), with 1 and 8 concurrent clients, each client sending
its next request when the last one is answered; then the latency of light lookups while a
runaway query is in flight; then (sahelkg only) the latency of light lookups from
``--light-clients`` clients while 4, then 8 (``--runaways``) other clients each keep a runaway
query going (sending it again as soon as it is answered, stopped or refused). Every client
connects from an address of its own in 127.0.0.0/8, as the endpoint tells clients apart by
address. It prints a table and the ratios the issue sets as targets.

``--http httptools`` serves sahelkg with uvicorn's httptools parser instead of h11 (what
``sahelkg serve`` runs, because httptools drops the body of requests that ask to upgrade), to
measure what h11 costs; it is for that comparison only.

The systems: (a) pyoxigraph called in this process (threads, each query serialized as SPARQL
JSON like a server would), (b) ``oxigraph serve-read-only --union-default-graph`` on the same
store, (c) rdflib-endpoint on the same quads (an rdflib Dataset with the union as default
graph), (d) ``sahelkg.serving.endpoint.serve`` with its defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sahelkg.store import StoreLayout, open_read_only  # noqa: E402

SK = "https://w3id.org/sahelkg/ontology#"
ID = "https://w3id.org/sahelkg/id/"
GRAPH = "https://w3id.org/sahelkg/graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"

HEAVY = (
    "SELECT ?type (COUNT(DISTINCT ?s) AS ?entities) (COUNT(*) AS ?statements) "
    "WHERE { ?s a ?type ; ?p ?o } GROUP BY ?type ORDER BY DESC(?entities)"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON_RESULTS = "application/sparql-results+json"


def light_query(iri: str) -> str:
    return f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


# --------------------------------------------------------------------------- the synthetic store


def build_synthetic_store(path: Path, triples: int) -> int:
    """Events in article graphs plus a registry, like ``sahelkg build`` writes; returns the quad count."""
    rng = random.Random(42)
    N, L, Q = pyoxigraph.NamedNode, pyoxigraph.Literal, pyoxigraph.Quad
    event_types = [N(SK + t) for t in ("Attack", "Death", "Kidnapping", "Ambush", "Airstrike", "Clash", "Withdrawal")]
    entity_types = [N(SK + t) for t in ("Settlement", "ArmedGroup", "Person", "MilitaryOperation")]
    registry = N(GRAPH + "registry")
    quads: list[pyoxigraph.Quad] = []
    entities = []
    for i in range(2000):
        e = N(f"{ID}entity-{i}")
        entities.append(e)
        quads += [
            Q(e, N(RDF_TYPE), entity_types[i % len(entity_types)], registry),
            Q(e, N(RDFS_LABEL), L(f"Entity {i}", language="en"), registry),
            Q(e, N(SK + "latitude"), L(f"{rng.uniform(10, 25):.5f}", datatype=N(XSD + "decimal")), registry),
            Q(e, N(SK + "longitude"), L(f"{rng.uniform(-12, 16):.5f}", datatype=N(XSD + "decimal")), registry),
        ]
    article = 0
    while len(quads) < triples:
        g = N(f"{GRAPH}article/A{article}")
        art = N(f"{ID}article/A{article}")
        quads += [Q(art, N(RDF_TYPE), N(SK + "Article"), g), Q(art, N(RDFS_LABEL), L(f"Article {article}"), g)]
        for k in range(60):
            ev = N(f"{ID}A{article}/e{k}")
            time_node = N(f"{ID}A{article}/e{k}/time")
            day = f"20{rng.randint(12, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00"
            quads += [
                Q(ev, N(RDF_TYPE), rng.choice(event_types), g),
                Q(ev, N(RDFS_LABEL), L(f"Event {k} of article {article}", language="en"), g),
                Q(ev, N(SK + "occurredAt"), rng.choice(entities), g),
                Q(ev, N(SK + "hasVictim"), rng.choice(entities), g),
                Q(ev, N(SK + "hasAttacker"), rng.choice(entities), g),
                Q(ev, N(SK + "sourceArticle"), art, g),
                Q(ev, N(SK + "hasTime"), time_node, g),
                Q(time_node, N(SK + "beginDate"), L(day, datatype=N(XSD + "dateTime")), g),
            ]
        article += 1
    layout = StoreLayout(path)
    directory = layout.begin(incremental=False)
    store = pyoxigraph.Store(str(directory))
    store.bulk_extend(quads)
    store.flush()
    del store
    layout.commit(directory)
    return len(quads)


# --------------------------------------------------------------------------- measuring


@dataclass
class Cell:
    system: str
    kind: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    note: str = ""

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


class HttpConnection:
    """A minimal HTTP/1.1 keep-alive client: low overhead, so the client is not what is measured."""

    def __init__(self, host: str, port: int, local_address: str | None = None) -> None:
        self.host, self.port = host, port
        self.local_address = local_address  # another address in 127.0.0.0/8: another client for the server
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.retry_after = 0.0  # the last answer's Retry-After, in seconds

    async def _connect(self) -> None:
        local = (self.local_address, 0) if self.local_address else None
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, local_addr=local)

    async def get(self, target: str, accept: str) -> tuple[int, bytes]:
        if self.writer is None:
            await self._connect()
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: {accept}\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
        retry_after = headers.get("retry-after", "")
        self.retry_after = float(retry_after) if retry_after.isdigit() else 0.0
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(parts)
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _http_load(
    port: int, path: str, queries: list[str], clients: int, seconds: float, max_requests: int, request_timeout: float,
    addresses: list[str] | None = None,
) -> tuple[list[float], int, float, str]:
    latencies: list[float] = []
    errors = 0
    note = ""
    issued = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def client(n: int) -> None:
        nonlocal errors, issued, note
        conn = HttpConnection("127.0.0.1", port, addresses[n % len(addresses)] if addresses else None)
        i = n
        try:
            while time.perf_counter() < deadline and issued < max_requests:
                issued += 1
                target = path + "?" + urllib.parse.urlencode({"query": queries[i % len(queries)]})
                i += clients
                t0 = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(conn.get(target, JSON_RESULTS), request_timeout)
                except asyncio.TimeoutError:
                    errors += 1
                    note = f"a request took over {request_timeout:g} s: stopped"
                    conn.close()
                    return
                except (OSError, asyncio.IncompleteReadError) as e:
                    errors += 1
                    note = f"{type(e).__name__}"
                    conn.close()
                    continue
                if status == 200:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1
                    note = f"HTTP {status}: {body[:80]!r}"
                    if conn.retry_after:  # as an HTTP client with retries does
                        await asyncio.sleep(min(conn.retry_after, max(0.0, deadline - time.perf_counter())))
        finally:
            conn.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, errors, time.perf_counter() - started, note


def http_cell(system: str, kind: str, port: int, path: str, queries: list[str], clients: int, args: argparse.Namespace) -> Cell:
    # each client from an address of its own: the endpoint limits long queries per client
    addresses = [f"127.0.4.{n + 1}" for n in range(clients)]
    latencies, errors, elapsed, note = asyncio.run(
        _http_load(port, path, queries, clients, args.seconds, args.max_requests, args.request_timeout, addresses)
    )
    return Cell(system, kind, clients, latencies, errors, elapsed, note)


def direct_cell(store: pyoxigraph.Store, kind: str, queries: list[str], clients: int, args: argparse.Namespace) -> Cell:
    """pyoxigraph in this process: each thread runs, iterates and serializes its own queries."""
    latencies: list[float] = []
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + args.seconds

    def worker(n: int) -> None:
        i = n
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= args.max_requests:
                    return
                issued[0] += 1
            t0 = time.perf_counter()
            result = store.query(queries[i % len(queries)], use_default_graph_as_union=True)
            result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
            i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Cell("pyoxigraph", kind, clients, latencies, 0, time.perf_counter() - started)


async def _slow_in_flight(port: int, path: str, queries: list[str], seconds: float, clients: int) -> tuple[list[float], int]:
    slow = HttpConnection("127.0.0.1", port, "127.0.5.1")  # another client than the light ones
    target = path + "?" + urllib.parse.urlencode({"query": RUNAWAY})
    slow_task = asyncio.create_task(slow.get(target, JSON_RESULTS))
    await asyncio.sleep(0.5)  # the runaway query is now running
    latencies, errors, _, _ = await _http_load(port, path, queries, clients, seconds, 10**9, 30)
    slow_task.cancel()
    slow.close()
    return latencies, errors


async def _runaway_client(port: int, path: str, address: str, stop: asyncio.Event, statuses: dict[int, int]) -> None:
    """Keep a runaway query going from ``address``: send it again as soon as it is answered, or
    after ``Retry-After`` when it was refused (as HTTP clients with retries do), until ``stop``."""
    conn = HttpConnection("127.0.0.1", port, address)
    target = path + "?" + urllib.parse.urlencode({"query": RUNAWAY})
    try:
        while not stop.is_set():
            request = asyncio.ensure_future(conn.get(target, JSON_RESULTS))
            stopped = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({request, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if request not in done:
                request.cancel()
                break
            stopped.cancel()
            try:
                status, _ = request.result()
            except (OSError, asyncio.IncompleteReadError):
                status = 0
                conn.close()
            statuses[status] = statuses.get(status, 0) + 1
            if conn.retry_after:
                try:
                    await asyncio.wait_for(stop.wait(), conn.retry_after)
                except asyncio.TimeoutError:
                    pass
    finally:
        conn.close()


async def _light_among_runaways(port: int, path: str, queries: list[str], light_clients: int, runaways: int,
                                seconds: float) -> tuple[list[float], int, dict[int, int], str]:
    """Latencies of light lookups from ``light_clients`` clients while ``runaways`` other clients
    each keep a runaway query going."""
    stop = asyncio.Event()
    statuses: dict[int, int] = {}
    heavy = [asyncio.create_task(_runaway_client(port, path, f"127.0.3.{n + 1}", stop, statuses)) for n in range(runaways)]
    await asyncio.sleep(2.5)  # the runaway queries have gone long (1 s) and the pool has made room
    light_addresses = [f"127.0.2.{n + 1}" for n in range(light_clients)]
    latencies, errors, _, note = await _http_load(port, path, queries, light_clients, seconds, 10**9, 120, light_addresses)
    stop.set()
    await asyncio.gather(*heavy)
    return latencies, errors, statuses, note


# --------------------------------------------------------------------------- the servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_answers(port: int, path: str, proc: subprocess.Popen[bytes], timeout: float) -> float:
    started = time.perf_counter()

    async def probe() -> int:
        conn = HttpConnection("127.0.0.1", port)
        try:
            status, _ = await asyncio.wait_for(conn.get(path + "?query=ASK%7B%7D", JSON_RESULTS), 5)
            return status
        finally:
            conn.close()

    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if asyncio.run(probe()) == 200:
                return time.perf_counter() - started
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            pass
        time.sleep(0.05)
    raise RuntimeError("the server did not answer in time")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


RDFLIB_SERVER = """
import sys, uvicorn, rdflib
from rdflib_endpoint import SparqlEndpoint
ds = rdflib.Dataset(default_union=True)
ds.parse(sys.argv[1], format="nquads")
app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""

SAHELKG_SERVER = """
import sys
from sahelkg.serving.endpoint import serve
if __name__ == "__main__":
    if sys.argv[3] == "h11":  # what `sahelkg serve` runs
        serve(sys.argv[1], port=int(sys.argv[2]), log_level="warning", extra_routes=[])
    else:  # for the comparison only: uvicorn with another HTTP parser
        import uvicorn
        from sahelkg.serving.endpoint import create_app
        uvicorn.run(create_app(sys.argv[1], extra_routes=[]), port=int(sys.argv[2]), log_level="warning", http=sys.argv[3])
"""


# --------------------------------------------------------------------------- main


def run_system(name: str, port: int, path: str, light: list[str], args: argparse.Namespace, cells: list[Cell]) -> None:
    for kind, queries in (("light", light), ("heavy", [HEAVY])):
        if kind not in args.kinds.split(","):
            continue
        for clients in (1, 8):
            # warm up (store caches, worker start-up)
            http_cell(name, kind, port, path, queries, 1, argparse.Namespace(**{**vars(args), "seconds": 0.3, "max_requests": 3}))
            cell = http_cell(name, kind, port, path, queries, clients, args)
            cells.append(cell)
            print(f"  {name:>14} {kind:<5} x{clients}: {cell.throughput:8.1f} req/s  p50 {cell.pct(50):8.1f} ms  p99 {cell.pct(99):8.1f} ms  {cell.note}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", nargs="?", help="a sahelkg store (the link); default: build a synthetic one")
    parser.add_argument("--triples", type=int, default=200_000, help="size of the synthetic store")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--max-requests", type=int, default=20_000, help="cap on the requests of one measurement")
    parser.add_argument("--request-timeout", type=float, default=60.0, help="a slower request ends its measurement")
    parser.add_argument("--skip", action="append", default=[], choices=["pyoxigraph", "oxigraph", "rdflib", "sahelkg"])
    parser.add_argument("--runaways", default="4,8", help="sahelkg: runaway clients of each starvation run (comma-separated; '' skips)")
    parser.add_argument("--light-clients", type=int, default=8, help="sahelkg: light clients during the starvation runs")
    parser.add_argument("--kinds", default="light,heavy", help="the queries of the throughput runs (light,heavy)")
    parser.add_argument("--only-starvation", action="store_true", help="sahelkg: measure only the starvation runs")
    parser.add_argument("--http", default="h11", choices=["h11", "httptools"], help="sahelkg: uvicorn's HTTP parser")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sahelkg-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        if args.store:
            store_path = Path(args.store)
        else:
            store_path = tmp / "store"
            t0 = time.perf_counter()
            n = build_synthetic_store(store_path, args.triples)
            print(f"built a synthetic store of {n} quads in {time.perf_counter() - t0:.1f} s: {store_path}")
        store = open_read_only(store_path)
        print(
            f"store: {store_path} ({len(store)} quads); {os.cpu_count()} CPUs; {args.seconds:g} s per measurement; "
            f"load average before: {os.getloadavg()[0]:.2f}"
        )
        subjects = [
            row["s"].value
            for row in store.query(
                "SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s)) } LIMIT 2000", use_default_graph_as_union=True
            )
        ]
        random.Random(1).shuffle(subjects)
        light = [light_query(s) for s in subjects[:500]]
        t0 = time.perf_counter()
        heavy_rows = 0 if args.only_starvation else len(list(store.query(HEAVY, use_default_graph_as_union=True)))
        print(f"heavy aggregate: {heavy_rows} rows in {1000 * (time.perf_counter() - t0):.0f} ms (direct, cold)")

        cells: list[Cell] = []
        slow_checks: dict[str, tuple[list[float], int]] = {}
        starvation: list[tuple[int, list[float], int, dict[int, int], str]] = []
        ready: dict[str, float] = {}

        if args.only_starvation:
            args.skip += ["pyoxigraph", "oxigraph", "rdflib"]
        if "pyoxigraph" not in args.skip:
            print("(a) pyoxigraph, in process")
            for kind, queries in (("light", light), ("heavy", [HEAVY])):
                for clients in (1, 8):
                    cell = direct_cell(store, kind, queries, clients, args)
                    cells.append(cell)
                    print(f"  {'pyoxigraph':>14} {kind:<5} x{clients}: {cell.throughput:8.1f} req/s  p50 {cell.pct(50):8.1f} ms  p99 {cell.pct(99):8.1f} ms", flush=True)
        del store

        if "oxigraph" not in args.skip:
            print("(b) oxigraph serve-read-only")
            port = free_port()
            location = StoreLayout(store_path).current()
            exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
            proc = subprocess.Popen([exe, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"])
            procs.append(proc)
            ready["oxigraph"] = wait_until_answers(port, "/query", proc, 60)
            run_system("oxigraph", port, "/query", light, args, cells)
            slow_checks["oxigraph"] = asyncio.run(_slow_in_flight(port, "/query", light, args.seconds, 1))
            stop(proc)  # it cannot stop the runaway query any other way

        if "sahelkg" not in args.skip:
            print("(d) sahelkg endpoint")
            port = free_port()
            script = tmp / "serve_sahelkg.py"
            script.write_text(SAHELKG_SERVER)
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
            proc = subprocess.Popen([sys.executable, str(script), str(store_path), str(port), args.http], env=env)
            procs.append(proc)
            ready["sahelkg"] = wait_until_answers(port, "/sparql", proc, 60)
            print(f"  (HTTP parser: {args.http})")
            if not args.only_starvation:
                run_system("sahelkg", port, "/sparql", light, args, cells)
                for clients in (1, 8):
                    slow_checks[f"sahelkg x{clients}"] = asyncio.run(_slow_in_flight(port, "/sparql", light, args.seconds, clients))
            for runaways in [int(n) for n in args.runaways.split(",") if n.strip()]:
                latencies, errors, statuses, note = asyncio.run(
                    _light_among_runaways(port, "/sparql", light, args.light_clients, runaways, args.seconds)
                )
                starvation.append((runaways, latencies, errors, statuses, note))
                cell = Cell("sahelkg", "light", args.light_clients, latencies)
                print(f"  light x{args.light_clients} among {runaways} runaways: {len(latencies)} answers, {errors} errors, "
                      f"p99 {cell.pct(99):.1f} ms, max {1000 * max(latencies, default=float('nan')):.1f} ms; "
                      f"runaway answers {statuses} {note}", flush=True)
            stop(proc)

        if "rdflib" not in args.skip:
            print("(c) rdflib-endpoint")
            try:
                import rdflib_endpoint  # noqa: F401

                dump = tmp / "data.nq"
                open_read_only(store_path).dump(str(dump), format=pyoxigraph.RdfFormat.N_QUADS)
                port = free_port()
                proc = subprocess.Popen([sys.executable, "-c", RDFLIB_SERVER, str(dump), str(port)])
                procs.append(proc)
                ready["rdflib"] = wait_until_answers(port, "/sparql", proc, 900)
                run_system("rdflib", port, "/sparql", light, args, cells)
                stop(proc)
            except ImportError:
                print("  rdflib-endpoint is not installed (pip install rdflib-endpoint): skipped")

        report(cells, slow_checks, ready, starvation, args.light_clients)
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def report(cells: list[Cell], slow_checks: dict[str, tuple[list[float], int]], ready: dict[str, float],
           starvation: list[tuple[int, list[float], int, dict[int, int], str]] | None = None, light_clients: int = 8) -> None:
    print()
    print("| system | query | clients | requests | errors | req/s | p50 ms | p99 ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for c in cells:
        print(f"| {c.system} | {c.kind} | {c.clients} | {len(c.latencies)} | {c.errors} | {c.throughput:.1f} | {c.pct(50):.1f} | {c.pct(99):.1f} |")
    by = {(c.system, c.kind, c.clients): c for c in cells}
    print()
    print("| query | clients | sahelkg/pyoxigraph | sahelkg/oxigraph | sahelkg/rdflib | target |")
    print("|---|---:|---:|---:|---:|---|")

    def ratio(a: Cell | None, b: Cell | None) -> str:
        if not a or not b or not b.throughput:
            return "n/a"
        return f"{a.throughput / b.throughput:.2f}"

    for kind in ("light", "heavy"):
        for clients in (1, 8):
            ours = by.get(("sahelkg", kind, clients))
            target = "heavy: ≥ 0.90 of pyoxigraph" if kind == "heavy" else "light: ≥ 3 × rdflib, ≥ 0.33 × oxigraph"
            print(
                f"| {kind} | {clients} | {ratio(ours, by.get(('pyoxigraph', kind, clients)))} | "
                f"{ratio(ours, by.get(('oxigraph', kind, clients)))} | {ratio(ours, by.get(('rdflib', kind, clients)))} | {target} |"
            )
    if slow_checks:
        print()
        print("light lookups while a runaway cross-product query is in flight:")
        print("| server | light clients | requests | errors | p50 ms | p99 ms | target p99 < 50 ms |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for name, (lat, errors) in slow_checks.items():
            cell = Cell(name, "light", 0, lat)
            clients = name.rsplit("x", 1)[1] if " x" in name else "1"
            verdict = "yes" if cell.pct(99) < 50 else "no"
            print(f"| {name.split(' ')[0]} | {clients} | {len(lat)} | {errors} | {cell.pct(50):.1f} | {cell.pct(99):.1f} | {verdict} |")
    if starvation:
        print()
        print(f"light lookups from {light_clients} clients while other clients each keep a runaway query going:")
        print("| runaway clients | light answers | light errors | p50 ms | p99 ms | max ms | runaway answers (status: n) | target p99 < 100 ms, no error |")
        print("|---:|---:|---:|---:|---:|---:|---|---|")
        for runaways, lat, errors, statuses, note in starvation:
            cell = Cell("sahelkg", "light", light_clients, lat)
            verdict = "yes" if lat and cell.pct(99) < 100 and not errors else "no"
            answers = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
            print(f"| {runaways} | {len(lat)} | {errors} | {cell.pct(50):.1f} | {cell.pct(99):.1f} | "
                  f"{1000 * max(lat, default=float('nan')):.1f} | {answers} | {verdict} {note} |")
    if ready:
        print()
        print("time from start to first answer: " + ", ".join(f"{k} {v:.2f} s" for k, v in ready.items()))
    print(f"load average after: {os.getloadavg()[0]:.2f} (other processes on the machine skew the numbers)")


if __name__ == "__main__":
    main()
