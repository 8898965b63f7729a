"""Every named query on synthetic stores: median seconds and rows, directly and through the endpoint.

    python bench/bench_queries.py --store 1k=bench/out/store-1k --store 10k=bench/out/store-10k
        [--repeat 3] [--no-endpoint] [--only NAME,...] [--give-up 60] [--seed 0] [--entities 5000]

Each named query in ``queries/`` runs with its default parameters, except that a default naming an
entity of the real registry (``id/aqim``, ``id/operation-barkhane``...) is replaced by its synthetic
stand-in (``synth.stand_ins``), the article and the fact by the first synthetic article and its first
observation, so that no query answers fast because it found nothing. A query with an optional entity
parameter also runs bound to a stand-in (``name[param]``), since an analyst narrows most questions.

Directly: ``sahelkg.queries.run_select`` on the opened store (the VALUES injection the CLI uses, every
row materialised). Through the endpoint: ``sahelkg serve`` in a child process (one worker, timeout
``--give-up``), the same query text POSTed to ``/sparql``, the SPARQL JSON parsed. A run slower than
``--give-up`` seconds is not repeated. Prints a Markdown table and writes
``bench/out/queries-<date>.{json,md}``: per store the median wall seconds, CPU seconds (directly; on a
shared machine the wall time also counts other processes' turns) and rows; the growth of CPU time and of
rows from the first store to the last; and, for the last store, the CPU time at 10x more articles if it
keeps growing as it did (``cpu_last * growth``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "src"))
sys.path.insert(0, str(PROJECT / "bench"))

from sahelkg.queries import bind_params, list_queries, run_select  # noqa: E402
from sahelkg.sparql import inject_values  # noqa: E402
from sahelkg.store import open_read_only  # noqa: E402
from synth import Registry, iter_article_ids, stand_ins  # noqa: E402

ID = "https://w3id.org/sahelkg/id/"
SK = "https://w3id.org/sahelkg/ontology#"
OUT = PROJECT / "bench" / "out"
# Optional parameters bound in a second run of the query, to the stand-in of a real entity (or a term).
NARROWED = {
    "armed-group-affiliations": {"group": "aqim"},
    "claims": {"speaker": "aqim"},
    "troop-strengths": {"entity": "french-armed-forces"},
    "running-death-totals": {"entity": "french-armed-forces"},
    "operation-lifecycle": {"operation": "operation-barkhane"},
    "operation-partners": {"operation": "operation-barkhane"},
    "places": {"place": "mali"},
    "persons-by-rank": {"rank": "general"},
    "events-with-equipment": {"equipment": "armed-drone"},
    "aggregate-counts": {"outcome": SK + "OutcomeNeutralized"},
}


@dataclass
class Case:
    """One query with the parameters the bench gives it."""

    label: str
    name: str
    text: str
    params: dict[str, str] = field(default_factory=dict)


def cases(seed: int, entities: int, store: pyoxigraph.Store) -> list[Case]:
    """The named queries with synthetic stand-ins for the real entities their defaults name."""
    reg = Registry(seed, entities)
    real = {ID + k: ID + v for k, v in stand_ins(reg).items()}
    article = next(iter_article_ids(1, seed))
    fact = first_observation(store)
    out: list[Case] = []
    for q in list_queries(PROJECT / "queries"):
        given: dict[str, str] = {}
        for p in q.params:
            if p.default in real:
                given[p.name] = real[p.default]
            elif p.name == "article" and p.default is not None:  # an optional one (draft-facts) stays unbound: every article
                given[p.name] = article
            elif p.name == "fact":
                given[p.name] = fact
        if q.name == "statement-support":  # a katiba's affiliation, stated in registry and articles
            given["property"] = SK + "affiliatedWith"
        out.append(Case(q.name, q.name, q.text, given))
        for pname, value in NARROWED.get(q.name, {}).items():
            iri = value if value.startswith("http") else real.get(ID + value, ID + value)
            out.append(Case(f"{q.name}[{pname}]", q.name, q.text, {**given, pname: iri}))
    return out


def first_observation(store: pyoxigraph.Store) -> str:
    """The first observation of the first synthetic article that has one (the same in every size)."""
    for aid in iter_article_ids(10_000):
        rows = list(store.query(
            f"SELECT ?o WHERE {{ ?o <{SK}sourceArticle> <{ID}article/{aid}> ; a <{SK}Observation> }} ORDER BY ?o LIMIT 1",
            use_default_graph_as_union=True))
        if rows:
            return rows[0]["o"].value
    raise SystemExit("no observation in the store: is it a synthetic store?")


def query_text(case: Case) -> tuple[str, dict[pyoxigraph.Variable, object]]:
    from sahelkg.queries import find_query

    q = find_query(PROJECT / "queries", case.name)
    subs = bind_params(q, case.params)
    return inject_values(q.text, {v.value: str(t) for v, t in subs.items()}), subs


def timed(fn, repeat: int, give_up: float) -> tuple[float, int, list[float], float]:  # type: ignore[no-untyped-def]
    """The median wall seconds of ``fn()`` over ``repeat`` runs (one when the first is over ``give_up``), its
    rows, every run's wall seconds, and the median CPU seconds of this process (the engine runs in it when the
    query runs directly): on a shared machine the wall time also counts the other processes' turns."""
    times, cpu, rows = [], [], 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        rows = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if times[-1] > give_up:
            break
    return statistics.median(times), rows, times, statistics.median(cpu)


def store_specs(specs: list[str]) -> list[tuple[str, Path]]:
    """``--store LABEL=DIR`` arguments as (label, directory), in the order given.

    :raises SystemExit: an argument without ``=``, naming no directory.
    """
    out = []
    for spec in specs:
        label, sep, path = spec.partition("=")
        if not sep or not Path(path).is_dir():
            raise SystemExit(f"--store {spec!r}: write LABEL=DIR, DIR a built store")
        out.append((label, Path(path)))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Endpoint:
    """``sahelkg serve`` on a store, in a child process on a free loopback port."""

    def __init__(self, store: Path, timeout: float) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(PROJECT / "src")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sahelkg", "serve", "--store", str(store), "--port", str(self.port),
             "--workers", "1", "--timeout", str(timeout)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"sahelkg serve exited: {self.proc.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/sparql?query=ASK%7B%7D", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise SystemExit("the endpoint did not answer within 120 s")

    def select(self, text: str) -> int:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/sparql", data=text.encode(), method="POST",
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(req, timeout=3600) as resp:
                return len(json.loads(resp.read())["results"]["bindings"])
        except urllib.error.HTTPError as e:
            return -e.code  # 504: stopped by the endpoint's timeout

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", action="append", required=True, metavar="SIZE=PATH",
                    help="a built synthetic store, smallest first (repeatable)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--give-up", type=float, default=60.0, help="a slower run is not repeated (seconds)")
    ap.add_argument("--no-endpoint", action="store_true", help="only run the queries directly")
    ap.add_argument("--only", default="", help="comma-separated query names")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--entities", type=int, default=5000)
    ap.add_argument("--tag", default="", help="a word added to the output file names")
    args = ap.parse_args()
    only = {n for n in args.only.split(",") if n}
    stores = store_specs(args.store)
    results: dict[str, dict[str, dict[str, float | int]]] = {}
    for size, path in stores:
        store = open_read_only(path)
        todo = [c for c in cases(args.seed, args.entities, store) if not only or c.name in only]
        for c in todo:
            text, subs = query_text(c)
            med, rows, runs, cpu = timed(lambda: len(run_select(store, c.text, subs, where=c.name).rows), args.repeat, args.give_up)
            results.setdefault(c.label, {})[size] = {"direct": med, "cpu": cpu, "rows": rows, "params": c.params}  # type: ignore[dict-item]
            print(f"{size} {c.label}: {rows} rows, direct {med:.3f} s {[round(t, 3) for t in runs]}, cpu {cpu:.3f} s",
                  file=sys.stderr, flush=True)
        del store
        if not args.no_endpoint:
            ep = Endpoint(path, args.give_up)
            try:
                for c in todo:
                    text, _ = query_text(c)
                    med, rows, runs, _ = timed(lambda: ep.select(text), args.repeat, args.give_up)
                    results[c.label][size]["endpoint"] = med
                    results[c.label][size]["endpoint_rows"] = rows
                    print(f"{size} {c.label}: endpoint {med:.3f} s ({rows} rows)", file=sys.stderr, flush=True)
            finally:
                ep.close()
    report(results, [s for s, _ in stores], args.tag)


def report(results: dict[str, dict[str, dict[str, float | int]]], sizes: list[str], tag: str) -> None:
    head = ["query"]
    for s in sizes:
        head += [f"rows {s}", f"direct {s} (s)", f"cpu {s} (s)", f"endpoint {s} (s)"]
    if len(sizes) > 1:
        head += [f"cpu x ({sizes[0]}->{sizes[-1]})", "rows x", "cpu extrapolated x10 (s)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label in sorted(results):
        r = results[label]
        cells = [label]
        for s in sizes:
            x = r.get(s, {})
            cells += [str(x.get("rows", "")), f"{x['direct']:.3f}" if "direct" in x else "",
                      f"{x['cpu']:.3f}" if "cpu" in x else "", f"{x['endpoint']:.3f}" if "endpoint" in x else ""]
        if len(sizes) > 1 and sizes[0] in r and sizes[-1] in r:
            a, b = r[sizes[0]], r[sizes[-1]]
            # a query that takes a few milliseconds at both sizes grows by noise: floor at 5 ms
            growth = max(b["cpu"], 0.005) / max(a["cpu"], 0.005)
            rows = (b["rows"] / a["rows"]) if a["rows"] else float("nan")
            cells += [f"{growth:.1f}", f"{rows:.1f}", f"{b['cpu'] * growth:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    stem = OUT / f"queries-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}{'-' + tag if tag else ''}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    stem.with_suffix(".md").write_text(table + "\n")
    print(f"wrote {stem}.json and .md", file=sys.stderr)


if __name__ == "__main__":
    main()
