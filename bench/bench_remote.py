"""Benchmark a build into a remote SPARQL server (Oxigraph's) against the embedded store, in one run.

    python bench/bench_remote.py [--size 10k] [--work DIR] [--batch-bytes 4000000,16000000] [--entities 5000]

For the synthetic corpus of ``--size`` articles (bench/synth.py, reused from DIR when present):

1. a full build into the embedded store (child process: its own peak memory);
2. for each batch size, a full build into a fresh ``oxigraph serve`` on loopback (the same child,
   with ``--store http://.../query``); the server's own peak memory is read from /proc;
3. one changed article rebuilt incrementally into the last server.

Prints a table and writes ``bench/out/remote-<date>.json`` and ``.md``: the seconds of each build,
the ratio remote / embedded, and the batch size each run used (the upload halves it on a 413).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_build  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise SystemExit("oxigraph (the server) is not installed: pip install oxigraph")
    return found


class OxigraphServer:
    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.log = open(folder / "server.log", "wb")
        self.process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(folder / "data"),
                                         "--bind", f"127.0.0.1:{self.port}"], stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit("oxigraph serve did not start")

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(60)
        self.log.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="10k")
    ap.add_argument("--work", type=Path, default=HERE / "out" / "work")
    ap.add_argument("--batch-bytes", default="4000000", help="comma-separated upload batch sizes to compare")
    ap.add_argument("--entities", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    n = bench_build.parse_size(args.size)
    args.work.mkdir(parents=True, exist_ok=True)
    corpus, _ = bench_build.ensure_corpus(args.work, n, args.entities, args.seed, args.jobs)
    label = bench_build.label(n)
    store = args.work / f"store-remote-bench-{label}"
    for p in (store, store.with_name(store.name + ".d")):
        if p.is_symlink() or p.is_file():
            p.unlink()
        elif p.exists():
            shutil.rmtree(p)
    print(f"[{label}] embedded full build ...", file=sys.stderr, flush=True)
    embedded = bench_build.run_child("child_build", str(corpus), str(store), "full")
    runs: list[dict[str, Any]] = []
    server = None
    for batch in [int(float(b)) for b in args.batch_bytes.split(",")]:
        if server is not None:
            server.stop()
        server = OxigraphServer(args.work / f"oxigraph-{label}")
        os.environ["SAHELKG_STORE_BATCH_BYTES"] = str(batch)
        print(f"[{label}] remote full build, batches of {batch} bytes ...", file=sys.stderr, flush=True)
        remote = bench_build.run_child("child_build", str(corpus), server.url, "full")
        remote["batch_bytes"] = batch
        remote["server_peak_rss_mib"] = server.peak_rss_mib()
        remote["ratio_to_embedded"] = remote["seconds"] / embedded["seconds"]
        runs.append(remote)
    assert server is not None
    print(f"[{label}] remote incremental build (one article changed) ...", file=sys.stderr, flush=True)
    path, original = bench_build.change_one_article(corpus)
    try:
        incremental = bench_build.run_child("child_build", str(corpus), server.url, "incremental")
    finally:
        path.write_text(original, encoding="utf-8")
        server.stop()
    out = {"articles": n, "embedded": embedded, "remote": runs, "remote_incremental": incremental,
           "machine": {"cpus": os.cpu_count()}, "date": time.strftime("%Y-%m-%d %H:%M")}
    lines = [f"| store | batch bytes | full build s | ratio to embedded | client peak RSS MiB | server peak RSS MiB |",
             "|---|---|---|---|---|---|",
             f"| embedded | - | {embedded['seconds']:.1f} | 1.00 | {embedded['peak_rss_mib']:.0f} | - |"]
    for r in runs:
        lines.append(f"| oxigraph serve | {r['batch_bytes']} | {r['seconds']:.1f} | {r['ratio_to_embedded']:.2f} | "
                     f"{r['peak_rss_mib']:.0f} | {r['server_peak_rss_mib']:.0f} |")
    lines.append(f"\none article changed, remote incremental build: {incremental['seconds']:.1f} s "
                 f"({incremental['rebuilt']} rebuilt, {incremental['reason']})")
    text = "\n".join(lines)
    print(text)
    dest = HERE / "out"
    dest.mkdir(exist_ok=True)
    stem = dest / f"remote-{time.strftime('%Y%m%d-%H%M%S')}"
    stem.with_suffix(".json").write_text(json.dumps(out, indent=2))
    stem.with_suffix(".md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
