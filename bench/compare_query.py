"""Two versions of a named query side by side: the same rows in the same order, and the CPU seconds of each.

    python bench/compare_query.py STORE NAME OLD.rq [NEW.rq] [--param NAME=VALUE ...]

Runs every case ``bench_queries.py`` gives the query ``NAME`` (its defaults with the synthetic stand-ins, and the
narrowed runs such as ``operation-partners[operation]``), or only the given ``--param`` bindings, with the text of
``OLD.rq`` (e.g. ``git show main:queries/NAME.rq > /tmp/old.rq``) and of ``NEW.rq`` (default: ``queries/NAME.rq``),
one after the other on the same read-only store, and prints per case the rows and CPU seconds of each and whether
the ordered rows are identical (a hash of every row in order). Exit status 1 if any case differs, so a rewrite that
changes an answer cannot pass unnoticed. Used for every rewrite of issue 22 (``docs/graph-model.md``, "Query shapes
that scale").
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import pyoxigraph

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "src"))
sys.path.insert(0, str(PROJECT / "bench"))

from bench_queries import cases  # noqa: E402

from sahelkg.queries import bind_params, parse_query_text, run_select  # noqa: E402
from sahelkg.store import open_read_only  # noqa: E402


def run(store: pyoxigraph.Store, name: str, path: Path, params: dict[str, str]) -> tuple[int, float, str]:
    """Rows, CPU seconds and the hash of the ordered rows of the query text in ``path``."""
    query = parse_query_text(name, path.read_text(encoding="utf-8"), path)
    bindings = bind_params(query, params)
    start = time.process_time()
    table = run_select(store, query.text, bindings, str(path))
    cpu = time.process_time() - start
    digest = hashlib.sha1(repr([tuple(map(str, row)) for row in table.rows]).encode()).hexdigest()
    return len(table.rows), cpu, digest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path, help="a built (synthetic) store, opened read-only")
    ap.add_argument("name", help="the named query")
    ap.add_argument("old", type=Path, help="the old text of the query")
    ap.add_argument("new", type=Path, nargs="?", help="the new text (default: queries/NAME.rq)")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="run this binding instead of the bench's cases (repeatable)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--entities", type=int, default=5000)
    args = ap.parse_args()
    new = args.new or PROJECT / "queries" / f"{args.name}.rq"
    store = open_read_only(args.store)
    if args.param:
        bad = [p for p in args.param if "=" not in p]
        if bad:
            raise SystemExit(f"--param {bad[0]!r}: write NAME=VALUE")
        todo = [(args.name, dict(p.split("=", 1) for p in args.param))]
    else:
        todo = [(c.label, c.params) for c in cases(args.seed, args.entities, store) if c.name == args.name]
        if not todo:
            raise SystemExit(f"no bench case for a query named {args.name!r}")
    differ = 0
    for label, params in todo:
        old_rows, old_cpu, old_hash = run(store, args.name, args.old, params)
        new_rows, new_cpu, new_hash = run(store, args.name, new, params)
        same = old_hash == new_hash
        differ += not same
        print(f"{label}: old {old_rows} rows {old_cpu:.3f} s CPU, new {new_rows} rows {new_cpu:.3f} s CPU: "
              f"{'same rows in the same order' if same else 'DIFFERENT'}", flush=True)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
