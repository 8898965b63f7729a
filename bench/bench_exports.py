"""Benchmark the exports: wall time and peak memory per format, on stores of several sizes.

    python bench/bench_exports.py STORE [STORE...] [--replicate K]... [--formats gexf,owl,...] [--out DIR]

Each export runs in a fresh Python process (so one export's memory cannot hide in another's),
which reports its wall time, the CPU seconds it used (user + system, every thread: RocksDB reads
in threads of its own; on a shared machine CPU seconds are the steadier figure), its peak resident
memory (``VmHWM`` from ``/proc/self/status``, which includes pyoxigraph's Rust allocations; Linux
only) and its peak just before the export started (the interpreter, the libraries and the opened
store); *delta* is the difference. Resident memory is of two kinds, reported apart because only
one of them is memory the export holds:

- *anon* (``RssAnon``): the heap, Python's and pyoxigraph/RocksDB's (its block caches and the index
  blocks of the table files it opened). The parent samples ``/proc/<child>/status`` every 20 ms
  during the export; *anon MB* is the sampled peak minus the value just before the export.
- *file* (``RssFile``): pages of mapped files (the interpreter, shared libraries). RocksDB reads its
  table files with ``pread`` and maps none of them, so this stays flat; it is shared and the kernel
  can drop it, so it is not the export's memory.

Output files go to ``--out`` (a temporary folder by default) and their size is reported;
``--json FILE`` also writes every row as JSON.

``--python-heap`` also reports the peak of the Python heap (tracemalloc; slower), which leaves out
pyoxigraph's own memory. The rest of *anon* is RocksDB's: two block caches with fixed capacities
(128 MiB for the ``id2str`` column family, which pyoxigraph opens with RocksDB's
``OptimizeForPointLookup(128)``, and the default 32 MiB shared by the others; RocksDB's ``LOG`` in a
store written by pyoxigraph lists them) and the index blocks of every table file opened, about 1 MB
per 1,000 synthetic articles. pyoxigraph exposes none of these options. The caches fill in the first
seconds of a scan of a large store and then stay flat: ``rdf nq`` on the 10k store is at 155 MB
after 3 s and at 178 MB from 12 s to the end (70 s, 1.6 GB written). ``rdf registry`` writes the
same graph at every size and shows that part alone.

``--replicate K`` adds, for each STORE, a store K times larger made by copying every article
graph (and its inferred graph) K times under fresh article ids; the registry and the ontology
are shared, as they would be in a larger corpus. This is how to reach large stores quickly;
``bench/synth.py`` + ``sahelkg build`` makes realistic ones, but builds about two articles a
second on a small machine. Streaming formats (``rdf`` and ``acled-csv``) should show the same
*anon* beyond RocksDB's caches at every size; the others hold the network (gexf, graphml) or the set of individuals
(owl) and grow with the store.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
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
import json, resource, sys, time, tracemalloc
sys.path.insert(0, {src!r})
from sahelkg.exports import export
from sahelkg.store import open_read_only

def status():
    # VmHWM is this process's own peak (ru_maxrss would include the parent's size at fork)
    keys = ("VmHWM", "RssAnon", "RssFile", "RssShmem")
    return {{line.split(":")[0]: int(line.split()[1]) for line in open("/proc/self/status")
             if line.startswith(keys)}}

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process
    return r.ru_utime + r.ru_stime

store = open_read_only({store!r})
before = status()
print("START", flush=True)
if {heap!r}:
    tracemalloc.start()
t0, c0 = time.perf_counter(), cpu()
with open({out!r}, "wb") as f:
    result = export(store, {fmt!r}, f, **{options!r})
seconds, cpu_seconds = time.perf_counter() - t0, cpu() - c0
heap = tracemalloc.get_traced_memory()[1] if {heap!r} else 0
print(json.dumps({{"seconds": seconds, "cpu": cpu_seconds, "before": before, "after": status(), "heap": heap,
                  "summary": result.summary()}}))
"""


class _Sampler:
    """Peaks of ``RssAnon`` and ``RssFile`` of a running process, read from /proc every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self.pid, self.every, self.peak = pid, every, {"RssAnon": 0, "RssFile": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        key = line.split(":")[0]
                        if key in self.peak:
                            self.peak[key] = max(self.peak[key], int(line.split()[1]))
            except OSError:
                return
            self._stop.wait(self.every)

    def stop(self) -> dict[str, int]:
        self._stop.set()
        self._thread.join()
        return self.peak


def measure(store: Path, name: str, out_dir: Path, heap: bool = False) -> dict[str, object]:
    fmt, options, suffix = VARIANTS[name]
    out = out_dir / f"{store.name}-{name.replace(' ', '-')}.{suffix}"
    code = CHILD.format(src=str(ROOT / "src"), store=str(store), out=str(out), fmt=fmt, options=options, heap=heap)
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None
    sampler = None
    for line in p.stdout:  # sample from the export's start, not while the store opens
        if line.strip() == "START":
            sampler = _Sampler(p.pid)
            break
    stdout, stderr = p.communicate()
    peak = sampler.stop() if sampler else {}
    if p.returncode != 0 or not stdout.strip():
        raise SystemExit(f"{name} on {store} failed:\n{stderr}")
    data = json.loads(stdout.strip().splitlines()[-1])
    before, after = data["before"], data["after"]
    for key in ("RssAnon", "RssFile"):  # the last value counts too: the sampler may miss the end
        data[key] = (max(peak.get(key, 0), after[key]) - before[key]) / 1024
    data["peak_mb"] = after["VmHWM"] / 1024
    data["delta_mb"] = (after["VmHWM"] - before["VmHWM"]) / 1024
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
    ap.add_argument("--json", type=Path, default=None, help="also write the rows to this JSON file")
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
    print(f"{'store':<28} {'quads':>10} {'articles':>8}  {'export':<13} {'seconds':>8} {'cpu s':>8} {'peak MB':>8} "
          f"{'delta MB':>8} {'anon MB':>8} {'file MB':>8} {'py heap MB':>10} {'output MB':>9}")
    rows = []
    for store in stores:
        n, arts = quads(store)
        for name in names:
            d = measure(store, name, out_dir, args.python_heap)
            label = store.parent.name + "/" + store.name if store.name == "store" else store.name
            heap_mb = int(d["heap"]) / 2**20 if args.python_heap else float("nan")  # type: ignore[call-overload]
            print(f"{label[-28:]:<28} {n:>10} {arts:>8}  {name:<13} {float(d['seconds']):>8.2f} "  # type: ignore[arg-type]
                  f"{float(d['cpu']):>8.2f} {float(d['peak_mb']):>8.0f} {float(d['delta_mb']):>8.0f} "  # type: ignore[arg-type]
                  f"{float(d['RssAnon']):>8.0f} {float(d['RssFile']):>8.0f} {heap_mb:>10.1f} "  # type: ignore[arg-type]
                  f"{int(d['bytes']) / 1e6:>9.1f}", flush=True)  # type: ignore[call-overload]
            rows.append({"store": str(store), "quads": n, "articles": arts, "export": name, **d})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(f"\nstreaming formats (delta should not grow with the store): {', '.join(sorted(STREAMING & set(names)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
