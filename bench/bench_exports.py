"""Benchmark the exports: wall time and peak memory per format, on stores of several sizes.

    python bench/bench_exports.py STORE [STORE...] [--replicate K]... [--formats gexf,owl,...] [--out DIR]

Each export runs in a fresh Python process (so one export's memory cannot hide in another's),
which reports its wall time, its peak resident memory (``VmHWM`` from ``/proc/self/status``, which
includes pyoxigraph's Rust allocations; Linux only) and its peak just before the export started
(the interpreter, the libraries and the opened store); *delta* is the difference, the memory the
export itself needed. Output files go to ``--out`` (a temporary folder by default) and their
size is reported.

``--python-heap`` also reports the peak of the Python heap (tracemalloc), which leaves out
pyoxigraph's own memory: RocksDB keeps index and filter blocks and a block cache whose size follows
the store's, so resident memory grows a little with the store even for an export that holds
nothing (``rdf registry`` writes the same graph at every size and shows that overhead).

``--replicate K`` adds, for each STORE, a store K times larger made by copying every article
graph (and its inferred graph) K times under fresh article ids; the registry and the ontology
are shared, as they would be in a larger corpus. This is how to reach large stores quickly;
``bench/synth.py`` + ``sahelkg build`` makes realistic ones, but builds about two articles a
second on a small machine. Streaming formats (``rdf`` and ``acled-csv``) should show the same
*delta* at every size; the others hold the network (gexf, graphml) or the set of individuals
(owl) and grow with the store.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

VARIANTS = {  # name -> (format, options, file suffix)
    "gexf full": ("gexf", {}, "gexf"),
    "gexf actors": ("gexf", {"projection": "actors"}, "gexf"),
    "graphml": ("graphml", {}, "graphml"),
    "owl": ("owl", {}, "owl"),
    "rdf nq": ("rdf", {"rdf_format": "nq"}, "nq"),
    "rdf nt": ("rdf", {"rdf_format": "nt"}, "nt"),
    "rdf ttl": ("rdf", {"rdf_format": "ttl"}, "ttl"),
    "rdf registry": ("rdf", {"rdf_format": "ttl", "graph": "https://w3id.org/sahelkg/graph/registry"}, "ttl"),
    "acled-csv": ("acled-csv", {}, "csv"),
}
STREAMING = {"rdf nq", "rdf registry", "acled-csv"}

CHILD = r"""
import json, sys, time, tracemalloc
sys.path.insert(0, {src!r})
from sahelkg.exports import export
from sahelkg.store import open_read_only

def hwm_kb():
    # VmHWM is this process's own peak (ru_maxrss would include the parent's size at fork)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

store = open_read_only({store!r})
before = hwm_kb()
if {heap!r}:
    tracemalloc.start()
t0 = time.perf_counter()
with open({out!r}, "wb") as f:
    result = export(store, {fmt!r}, f, **{options!r})
seconds = time.perf_counter() - t0
heap = tracemalloc.get_traced_memory()[1] if {heap!r} else 0
print(json.dumps({{"seconds": seconds, "before_kb": before, "peak_kb": hwm_kb(), "heap": heap,
                  "summary": result.summary()}}))
"""


def measure(store: Path, name: str, out_dir: Path, heap: bool = False) -> dict[str, object]:
    fmt, options, suffix = VARIANTS[name]
    out = out_dir / f"{store.name}-{name.replace(' ', '-')}.{suffix}"
    code = CHILD.format(src=str(ROOT / "src"), store=str(store), out=str(out), fmt=fmt, options=options, heap=heap)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{name} on {store} failed:\n{p.stderr}")
    data = json.loads(p.stdout.strip().splitlines()[-1])
    data["bytes"] = out.stat().st_size
    out.unlink()
    return data


def quads(store: Path) -> tuple[int, int]:
    """(quads, article graphs) of a store."""
    from sahelkg.store import open_read_only

    s = open_read_only(store)
    articles = sum(1 for g in s.named_graphs() if "/graph/article/" in g.value)
    return len(s), articles


def replicate(src: Path, k: int, dest: Path) -> Path:
    """A store with every article graph of ``src`` copied ``k`` times under fresh article ids."""
    import pyoxigraph as ox

    from sahelkg.store import StoreLayout, open_read_only

    if (dest / "done").exists():
        return dest / "store"
    s = open_read_only(src)
    layout = StoreLayout(dest / "store")
    gen = layout.begin(incremental=False)
    out = ox.Store(str(gen))
    articles = sorted(g.value.rsplit("/", 1)[1] for g in s.named_graphs() if "/graph/inferred/article/" not in g.value
                      and "/graph/article/" in g.value)

    base = "https://w3id.org/sahelkg/"

    def rewrite(term: object, old: str, new: str) -> object:
        if isinstance(term, ox.NamedNode) and old in term.value:
            return ox.NamedNode(term.value.replace(old, new))
        return term

    shared = [q for g in s.named_graphs() if "/graph/article/" not in g.value
              for q in s.quads_for_pattern(None, None, None, g)]
    out.bulk_extend(shared)
    for i in range(k):
        batch = []
        for a in articles:
            new = f"{a}-r{i}"
            for g in (f"{base}graph/article/{a}", f"{base}graph/inferred/article/{a}"):
                for q in s.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                    batch.append(ox.Quad(rewrite(q.subject, a, new), q.predicate, rewrite(q.object, a, new),  # type: ignore[arg-type]
                                         rewrite(q.graph_name, a, new)))  # type: ignore[arg-type]
            if len(batch) > 200_000:
                out.bulk_extend(batch)
                batch = []
        out.bulk_extend(batch)
    out.flush()
    del out
    layout.commit(gen)
    (dest / "done").write_text("ok")
    return dest / "store"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stores", nargs="+", type=Path, help="built stores (sahelkg build --store ...)")
    ap.add_argument("--replicate", type=int, action="append", default=[],
                    help="also measure a store K times larger (repeatable)")
    ap.add_argument("--formats", default=",".join(VARIANTS), help="comma list of: " + ", ".join(VARIANTS))
    ap.add_argument("--out", type=Path, default=None, help="folder for the outputs and replicated stores")
    ap.add_argument("--python-heap", action="store_true",
                    help="also trace the Python heap's peak (tracemalloc: slower, excludes pyoxigraph/RocksDB memory)")
    args = ap.parse_args(argv)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="bench-exports-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    stores = list(args.stores)
    for src in args.stores:
        for k in args.replicate:
            print(f"replicating {src} x{k} ...", file=sys.stderr)
            t0 = time.perf_counter()
            stores.append(replicate(src, k, out_dir / f"{src.name}-x{k}"))
            print(f"  {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    names = [n.strip() for n in args.formats.split(",") if n.strip()]
    print(f"{'store':<28} {'quads':>10} {'articles':>8}  {'export':<13} {'seconds':>8} {'peak MB':>8} "
          f"{'delta MB':>8} {'py heap MB':>10} {'output MB':>9}")
    for store in stores:
        n, arts = quads(store)
        for name in names:
            d = measure(store, name, out_dir, args.python_heap)
            peak, before = int(d["peak_kb"]) / 1024, int(d["before_kb"]) / 1024  # type: ignore[call-overload]
            label = store.parent.name + "/" + store.name if store.name == "store" else store.name
            print(f"{label[-28:]:<28} {n:>10} {arts:>8}  {name:<13} {float(d['seconds']):>8.2f} {peak:>8.0f} "  # type: ignore[arg-type]
                  f"{peak - before:>8.0f} {int(d['heap']) / 2**20 if args.python_heap else float('nan'):>10.1f} "  # type: ignore[call-overload]
                  f"{int(d['bytes']) / 1e6:>9.1f}", flush=True)  # type: ignore[call-overload]
    print(f"\nstreaming formats (delta should not grow with the store): {', '.join(sorted(STREAMING & set(names)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
