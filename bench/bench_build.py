"""Benchmark `sahelkg build` on synthetic corpora (bench/synth.py) of 1k, 10k and 100k articles.

    python bench/bench_build.py [--sizes 1k,10k] [--work DIR] [--entities 5000] [--seed 0] [--jobs 2] [--dump]
                                [--build-jobs 1,2]
    python bench/bench_build.py --sizes 100k --work DIR --incremental-only [--repeat 3]

For each size N:

1. generate the corpus (not timed; reused when DIR/corpus-N exists with the same parameters);
2. run a full build in a child process, so that its peak memory (``ru_maxrss``) is its own, and
   record its wall time and stages (read+map+infer the articles, the closure and the N-Quads
   file, ``bulk_load``, SHACL, commit) from the build's progress callback;
3. time pyoxigraph's own ``Store.bulk_load`` of the N-Quads the build produced (by default the very
   chunk files the build loaded, kept through hard links and joined into one file; with ``--dump``, a
   dump of the built store) into a fresh store, in one call, in another child (its peak memory too),
   and the ratio build / bulk_load;
4. change one article's annotation and time the incremental rebuild (then restore the file).

``--build-jobs 1,2,4`` runs step 2 once per number of mapping processes (``sahelkg build --jobs``;
default: the build's own default, the number of cores less two), in that order; the first build's N-Quads
are the ones step 3 loads, the last build's store is the one step 4 edits.

``--incremental-only`` reuses the stores a previous run built and only times ``--repeat`` one-article
rebuilds (each edit restored after it) and one build with nothing changed, the floor every build pays
(listing and stat-ing the corpus, reading the manifest's hashes); with ``--watch``, while
``sahelkg watch`` runs for the store, so that the builds read its journal instead.

Prints a table and writes ``bench/out/bench-<date>.json`` and ``.md``. Targets (issue 4): full build
of 100k within 3x the raw bulk load; peak memory under 2 GiB; one changed article in under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402


def parse_size(s: str) -> int:
    s = s.strip().lower()
    return int(float(s[:-1]) * 1000) if s.endswith("k") else int(s)


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --------------------------------------------------------------------------- children

def child_build(corpus: str, store: str, full: bool, keep_nquads: str = "", jobs: str = "") -> dict[str, Any]:
    """Runs in the child: one build, with its stages and its own peak memory.

    With ``keep_nquads``, the N-Quads file the build bulk-loads is kept there (a hard link made
    before the build deletes it), for timing pyoxigraph's own bulk_load of exactly that file.
    """
    import pathlib

    from sahelkg.graph import shacl

    if keep_nquads:
        unlink = pathlib.Path.unlink
        os.makedirs(keep_nquads, exist_ok=True)

        def keeping_unlink(self: pathlib.Path, missing_ok: bool = False) -> None:
            # the build bulk-loads a chunk file at a time: keep each (a hard link, no copy)
            if self.suffix == ".nq" and self.exists():
                os.link(self, os.path.join(keep_nquads, f"chunk-{len(os.listdir(keep_nquads)):05d}.nq"))
            unlink(self, missing_ok=missing_ok)

        pathlib.Path.unlink = keeping_unlink  # type: ignore[method-assign]
    from sahelkg.build import build
    from sahelkg.settings import Settings

    marks: dict[str, float] = {}
    # CPU seconds at the same marks: of the process (every thread: the loader's bulk_load and RocksDB's
    # own), and of the main thread (the mapping, writing the chunks); so each stage's CPU, which the
    # shared machine's load does not stretch as it does the wall time
    cpu: dict[str, tuple[float, float]] = {"start": (time.process_time(), time.thread_time())}
    t0 = time.perf_counter()
    orig = shacl.validate_graphs

    def timed_validate(*a: Any, **k: Any) -> Any:
        marks["shacl_start"] = time.perf_counter()
        cpu["shacl_start"] = (time.process_time(), time.thread_time())
        try:
            return orig(*a, **k)
        finally:
            marks["shacl_end"] = time.perf_counter()
            cpu["shacl_end"] = (time.process_time(), time.thread_time())

    shacl.validate_graphs = timed_validate  # type: ignore[assignment]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage == "articles":
            if "articles_start" not in marks:
                cpu["articles_start"] = (time.process_time(), time.thread_time())
            marks.setdefault("articles_start", now)
            marks["articles_end"] = now
        elif stage == "loading":
            marks["load_start" if done == 0 else "load_end"] = now

    settings = Settings.from_env(corpus_dir=corpus, store=store)
    result = build(settings, full=full, progress=progress, jobs=int(jobs) if jobs else None)
    t_end = time.perf_counter()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stages: dict[str, float] = dict(result.timings)  # full build: mapping, loading (the bulk_load calls), shacl+commit
    if "articles_start" in marks:
        stages["inputs"] = marks["articles_start"] - t0
    if "shacl_start" in marks:
        stages["shacl"] = marks["shacl_end"] - marks["shacl_start"]
        stages["commit"] = t_end - marks["shacl_end"]
    stages_cpu: dict[str, float] = {}
    if "articles_start" in cpu and "shacl_start" in cpu:
        (p0, _), (p1, m1), (p2, m2), (p3, _) = (cpu[k] for k in ("start", "articles_start", "shacl_start", "shacl_end"))
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # --jobs > 1: reaped when the pool shut down
        stages_cpu = {"inputs": p1 - p0, "mapping (main thread)": m2 - m1, "loading (other threads)": (p2 - p1) - (m2 - m1),
                      "shacl": p3 - p2, "mapping workers": workers.ru_utime + workers.ru_stime}
    return {
        "seconds": result.seconds, "wall_in_process": t_end - t0, "quads": result.quads, "stages_cpu": stages_cpu,
        "rebuilt": len(result.articles_rebuilt), "full": result.full, "stages": stages,
        "peak_rss_mib": rss_kib / 1024, "reason": result.reason, "jobs": jobs or "default",
        # the largest mapping worker (--jobs > 1): each is a process of its own beside the build's
        "worker_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def child_bulk_load(nquads: str, store: str) -> dict[str, Any]:
    import pyoxigraph

    t0 = time.perf_counter()
    s = pyoxigraph.Store(store)
    s.bulk_load(path=nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    s.flush()
    seconds = time.perf_counter() - t0
    n = len(s)
    return {"seconds": seconds, "quads": n, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_dump(store: str, out: str) -> dict[str, Any]:
    import pyoxigraph

    from sahelkg.store import open_read_only

    t0 = time.perf_counter()
    s = open_read_only(store)
    s.dump(out, format=pyoxigraph.RdfFormat.N_QUADS)
    return {"seconds": time.perf_counter() - t0, "quads": len(s), "bytes": os.path.getsize(out)}


def run_child(func: str, *args: str) -> dict[str, Any]:
    """Run ``func(*args)`` of this file in a fresh Python process; returns its JSON result, its wall
    time, its CPU seconds (its own children's included) and the machine's load average around it."""
    t0 = time.perf_counter()
    # the child's CPU and that of its own children (the mapping workers): reaped descendants count
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", func, *args],
        capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"child {func} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    out["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # the machine's 1-minute load average before and after (the cores are shared: a load above
    # the child's own CPU share means others ran meanwhile)
    out["loadavg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return out


# --------------------------------------------------------------------------- the benchmark

def ensure_corpus(work: Path, n: int, entities: int, seed: int, jobs: int) -> tuple[Path, float]:
    corpus = work / f"corpus-{label(n)}"
    stamp = corpus / "synth.json"
    params = {"articles": n, "entities": entities, "seed": seed}
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return corpus, 0.0
    t0 = time.perf_counter()
    synth.generate(corpus, n, entities, seed, jobs, progress=True)
    stamp.write_text(json.dumps(params))
    return corpus, time.perf_counter() - t0


def change_one_article(corpus: Path) -> tuple[Path, str]:
    """Edit the annotation of the middle article (a note on its first event); returns (file, original)."""
    files = sorted((corpus / "annotations").glob("*.yaml"))
    path = files[len(files) // 2]
    original = path.read_text(encoding="utf-8")
    marker = "\n  type: "
    i = original.index("events:\n")
    j = original.index(marker, i)
    j = original.index("\n", j + 1)
    changed = original[:j] + f"\n  note: 'edited by the benchmark at {time.time():.0f}'" + original[j:]
    path.write_text(changed, encoding="utf-8")
    return path, original


@contextmanager
def watcher(corpus: Path, store: Path, on: bool) -> Iterator[None]:
    """With ``on``, ``sahelkg watch`` runs for ``store`` in the block (stopped with Ctrl-C after)."""
    if not on:
        yield
        return
    proc = subprocess.Popen([sys.executable, "-m", "sahelkg", "watch", "--store", str(store)], stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "SAHELKG_CORPUS": str(corpus)})
    try:
        line = proc.stderr.readline()  # type: ignore[union-attr]
        if not line.startswith("watching "):
            raise SystemExit(f"sahelkg watch did not start: {line}{proc.stderr.read()}")  # type: ignore[union-attr]
        run_child("child_build", str(corpus), str(store), "incremental")  # records where the journal stands
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


def bench_incremental(n: int, corpus: Path, store: Path, repeat: int, watch: bool = False) -> dict[str, Any]:
    """``repeat`` one-article rebuilds of an existing store (each its own child process, the edited file
    restored after each), then a build with nothing changed: the floor every build pays (without a
    watcher: listing and stat-ing the corpus, reading the manifest). With ``watch``, ``sahelkg watch``
    runs meanwhile, and the builds read its journal instead of stat-ing the corpus."""
    with watcher(corpus, store, watch):
        return _incremental_runs(n, corpus, store, repeat)


def _incremental_runs(n: int, corpus: Path, store: Path, repeat: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeat):
        print(f"[{label(n)}] incremental build ...", file=sys.stderr, flush=True)
        path, original = change_one_article(corpus)
        try:
            runs.append(run_child("child_build", str(corpus), str(store), "incremental"))
        finally:
            path.write_text(original, encoding="utf-8")
        run_child("child_build", str(corpus), str(store), "incremental")  # the restored file: back as it was
    print(f"[{label(n)}] nothing changed ...", file=sys.stderr, flush=True)
    noop = run_child("child_build", str(corpus), str(store), "incremental")
    return {"runs": runs, "nothing_changed": noop}


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    work: Path = args.work
    corpus, gen_s = ensure_corpus(work, n, args.entities, args.seed, args.jobs)
    store = work / f"store-{label(n)}"
    if args.incremental_only:
        if not store.exists():
            raise SystemExit(f"{store}: no store to rebuild; run without --incremental-only first")
        return {"articles": n, "watch": args.watch, **bench_incremental(n, corpus, store, args.repeat, args.watch)}
    for p in (store, store.with_name(store.name + ".d")):
        if p.is_symlink() or p.is_file():
            p.unlink()
        elif p.exists():
            shutil.rmtree(p)
    dump = work / f"dump-{label(n)}.nq"
    dump.unlink(missing_ok=True)
    chunks = work / f"chunks-{label(n)}"
    shutil.rmtree(chunks, ignore_errors=True)
    builds = []
    for i, jobs in enumerate(args.build_jobs.split(",") if args.build_jobs else [""]):
        print(f"[{label(n)}] full build (jobs {jobs or 'default'}) ...", file=sys.stderr, flush=True)
        keep = "" if args.dump or i > 0 else str(chunks)
        builds.append(run_child("child_build", str(corpus), str(store), "full", keep, jobs.strip()))
    full = builds[-1]
    if not args.dump:  # the chunk files the build bulk-loaded, joined into one file (not timed)
        with open(dump, "wb") as out:
            for part in sorted(chunks.glob("*.nq")):
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 24)
        shutil.rmtree(chunks)
    row: dict[str, Any] = {"articles": n, "generate_s": gen_s, "build": full, "builds": builds}
    if args.dump:
        print(f"[{label(n)}] dump ...", file=sys.stderr, flush=True)
        row["dump"] = run_child("child_dump", str(store), str(dump))
    row["nquads_file"] = {"bytes": dump.stat().st_size, "source": "store dump" if args.dump else "the build's own N-Quads file"}
    print(f"[{label(n)}] bulk_load of the N-Quads ...", file=sys.stderr, flush=True)
    ref = work / f"bulkload-{label(n)}"
    shutil.rmtree(ref, ignore_errors=True)
    row["bulk_load"] = run_child("child_bulk_load", str(dump), str(ref))
    shutil.rmtree(ref, ignore_errors=True)
    if not args.keep_dump:
        dump.unlink(missing_ok=True)
    inc = bench_incremental(n, corpus, store, 1)
    row["incremental"], row["nothing_changed"] = inc["runs"][0], inc["nothing_changed"]
    b = full
    row["articles_per_s"] = n / b["seconds"]
    row["quads_per_s"] = b["quads"] / b["seconds"]
    row["ratio_build_bulk_load"] = b["seconds"] / row["bulk_load"]["seconds"]
    return row


def incremental_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| articles | watcher | one-article rebuild s (child wall), each run | peak RSS MiB | nothing changed s (child wall) |",
             "|---|---|---|---|---|"]
    for r in rows:
        runs = ", ".join(f"{x['seconds']:.2f} ({x['wall']:.2f})" for x in r["runs"])
        noop = r["nothing_changed"]
        lines.append(f"| {r['articles']:,} | {'yes' if r.get('watch') else 'no'} | {runs} | {max(x['peak_rss_mib'] for x in r['runs']):.0f} | "
                     f"{noop['seconds']:.2f} ({noop['wall']:.2f}) |")
    lines.append("")
    lines.append("Stages of the one-article rebuilds (s): " + "; ".join(
        f"{label(r['articles'])}: " + " | ".join(", ".join(f"{k} {v:.2f}" for k, v in x["stages"].items()) for x in r["runs"])
        for r in rows))
    return "\n".join(lines)


def table(rows: list[dict[str, Any]]) -> str:
    if rows and "runs" in rows[0]:
        return incremental_table(rows)
    head = ("| articles | quads | full build s (child wall) | articles/s | quads/s | peak RSS MiB | bulk_load s | "
            "build/bulk_load | bulk_load RSS MiB | incremental s (child wall) | inc. RSS MiB |")
    lines = [head, "|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|"]
    for r in rows:
        b, bl, inc = r["build"], r["bulk_load"], r["incremental"]
        lines.append(
            f"| {r['articles']:,} | {b['quads']:,} | {b['seconds']:.1f} ({b['wall']:.1f}) | {r['articles_per_s']:.0f} | "
            f"{r['quads_per_s']:,.0f} | {b['peak_rss_mib']:.0f} | {bl['seconds']:.1f} | {r['ratio_build_bulk_load']:.2f} | "
            f"{bl['peak_rss_mib']:.0f} | {inc['seconds']:.2f} ({inc['wall']:.1f}) | {inc['peak_rss_mib']:.0f} |"
        )
    lines.append("")
    lines.append("| articles | run | wall s | CPU s | / bulk_load (wall) | peak RSS MiB (largest worker) | load avg before, after | stages s |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for r in rows:
        bl = r["bulk_load"]
        for b in r.get("builds", [r["build"]]):
            lines.append(
                f"| {r['articles']:,} | build --jobs {b['jobs']} | {b['seconds']:.1f} | {b.get('cpu_s', 0):.1f} | "
                f"{b['seconds'] / bl['seconds']:.2f} | {b['peak_rss_mib']:.0f} ({b.get('worker_peak_rss_mib', 0):.0f}) | "
                f"{', '.join(str(x) for x in b.get('loadavg', []))} | " + ", ".join(f"{k} {v:.1f}" for k, v in b["stages"].items())
                + "; CPU s: " + ", ".join(f"{k} {v:.1f}" for k, v in b.get("stages_cpu", {}).items()) + " |")
        lines.append(f"| {r['articles']:,} | one bulk_load | {bl['seconds']:.1f} | {bl.get('cpu_s', 0):.1f} | 1.00 | "
                     f"{bl['peak_rss_mib']:.0f} | {', '.join(str(x) for x in bl.get('loadavg', []))} | |")
    lines.append("")
    lines.append("Stages of the full build (s): " + "; ".join(
        f"{label(r['articles'])}: " + ", ".join(f"{k} {v:.1f}" for k, v in r["build"]["stages"].items()) for r in rows))
    lines.append("Stages of the incremental build (s): " + "; ".join(
        f"{label(r['articles'])}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["incremental"]["stages"].items()) for r in rows))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        func, rest = argv[1], argv[2:]
        if func == "child_build":
            out = child_build(rest[0], rest[1], rest[2] == "full", *rest[3:5])
        else:
            out = globals()[func](*rest)
        print(json.dumps(out))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1k,10k", help="comma-separated sizes, e.g. 1k,10k,100k (default 1k,10k)")
    ap.add_argument("--work", type=Path, default=PROJECT / "bench" / "out" / "work",
                    help="where corpora, stores and dumps go (default bench/out/work; 100k needs ~40 GB)")
    ap.add_argument("--out", type=Path, default=PROJECT / "bench" / "out", help="where results are written")
    ap.add_argument("--entities", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="processes for generating corpora")
    ap.add_argument("--build-jobs", default="",
                    help="comma list of mapping processes for the full builds, e.g. 1,2 (default: the build's default)")
    ap.add_argument("--keep-dump", action="store_true", help="keep the N-Quads file of each store")
    ap.add_argument("--dump", action="store_true",
                    help="time bulk_load of a dump of the built store (default: of the N-Quads file the build itself loaded)")
    ap.add_argument("--incremental-only", action="store_true",
                    help="only time one-article rebuilds of the stores a previous run built (and a no-change build)")
    ap.add_argument("--repeat", type=int, default=3, help="one-article rebuilds with --incremental-only (default 3)")
    ap.add_argument("--watch", action="store_true", help="with --incremental-only: run `sahelkg watch` meanwhile")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes.split(","):
        rows.append(bench_size(parse_size(size), args))
        print(table(rows[-1:]), file=sys.stderr, flush=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    result = {"command": " ".join([Path(sys.argv[0]).name, *argv]), "python": sys.version.split()[0],
              "cpus": os.cpu_count(), "rows": rows}
    (args.out / f"bench-{stamp}.json").write_text(json.dumps(result, indent=2))
    text = table(rows)
    (args.out / f"bench-{stamp}.md").write_text(f"`{result['command']}`\n\n{text}\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
