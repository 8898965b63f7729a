"""What a list of every event costs on the engine, one value at a time: the floor under the whole-corpus queries.

    python bench/bench_floor.py --store 1k=DIR --store 10k=DIR [--repeat 3]

The named queries that list the whole corpus (``events-by-type``, ``events-by-period``, ``timeline``: 35,000 to
50,000 rows at 10k articles) read ten to fifteen values per row. This script separates the engine's cost from the
queries' shapes: on each store it counts (``COUNT(*)``, so no row is turned into a Python object) the events of the
corpus (``?event a sk:Event``, each once) while reading one more of their values at each step, in the order
``events-by-type`` reads them:

- ``lookup``: each value by a pattern joined to the row (``?event sk:specificType ?type``): one index seek per row,
  which is what Oxigraph does for a pattern that shares a variable with the rows so far;
- ``scan``: each value by a sub-SELECT of that property alone (``{ SELECT ?event ?type WHERE { ?event
  sk:specificType ?type } }``), read in index order over the whole corpus and joined by hash.

It prints per store and step the rows, the median CPU seconds and the microseconds per row, and the growth from
the first store to the last; writes ``bench/out/floor-<date>.{json,md}``. The answer does not change from step to
step (the values are required or OPTIONAL as in the query), so the difference between two steps is the price of
one value on every row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pyoxigraph

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "src"))
sys.path.insert(0, str(PROJECT / "bench"))

from bench_queries import OUT, store_specs, timed  # noqa: E402

from sahelkg.store import open_read_only  # noqa: E402

PREFIXES = "PREFIX sk: <https://w3id.org/sahelkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"

# (step, the value's pattern from ?event or ?timeKey, required?) in the order events-by-type reads them
STEPS = [
    ("specificType", "?event sk:specificType ?type", True),
    ("sourceArticle", "?event sk:sourceArticle ?source", True),
    ("articleId", "?source sk:articleId ?article", True),
    ("annotationId", "?event sk:annotationId ?annotationId", True),
    ("hasTime", "?event sk:hasTime ?time", False),
    ("isoDate", "?timeKey sk:isoDate ?date", False),
    ("beginDate", "?timeKey sk:beginDate ?begin", False),
    ("endDate", "?timeKey sk:endDate ?end", False),
    ("datePrecision", "?timeKey sk:datePrecision ?precision", False),
    ("occurredAt", "?event sk:occurredAt ?place", False),
    ("quoteStart", "?event sk:quoteStart ?start", False),
]
# After hasTime: ?timeKey is ?time or, for an event with no time, a node with no values (an OPTIONAL on an unbound
# ?time would match every time node of the corpus), as the named queries write it.
AFTER = {"hasTime": "BIND(COALESCE(?time, <urn:sahelkg:unbound>) AS ?timeKey)"}


def step_query(upto: int, mode: str) -> str:
    """The count of the events with the first ``upto`` values of STEPS read by ``mode`` (lookup or scan)."""
    parts = ["{ SELECT DISTINCT ?event WHERE { ?event a sk:Event } }"]
    for step, pattern, required in STEPS[:upto]:
        if mode == "scan":
            variables = " ".join(sorted({t for t in pattern.split() if t.startswith("?")}))
            pattern = f"SELECT {variables} WHERE {{ {pattern} }}"
        parts.append(f"{{ {pattern} }}" if required else f"OPTIONAL {{ {pattern} }}")
        if step in AFTER:
            parts.append(AFTER[step])
    return PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE {\n  " + "\n  ".join(parts) + "\n}"


def count(store: pyoxigraph.Store, query: str) -> int:
    """The count the query gives."""
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, pyoxigraph.QuerySolutions), "a SELECT gives solutions"
    return int(next(iter(result))["n"].value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", action="append", required=True, metavar="LABEL=DIR",
                    help="a built synthetic store, opened read-only (repeatable, smallest first)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    stores = [(label, open_read_only(path)) for label, path in store_specs(args.store)]

    results: dict[str, dict[str, dict[str, float]]] = {}
    for mode in ("lookup", "scan"):
        for upto in range(len(STEPS) + 1):
            step = f"{mode} +{STEPS[upto - 1][0]}" if upto else "events"
            if upto == 0 and mode == "scan":
                continue
            row = results.setdefault(step, {})
            for label, store in stores:
                query = step_query(upto, mode)
                _, n, _, cpu = timed(lambda: count(store, query), args.repeat, give_up=float("inf"))
                row[label] = {"rows": n, "cpu": cpu, "us_per_row": 1e6 * cpu / max(n, 1)}
            print(step, {k: f"{v['rows']} rows {v['cpu']:.3f} s" for k, v in row.items()}, flush=True)

    labels = [label for label, _ in stores]
    lines = ["| step | " + " | ".join(f"rows {x} | cpu {x} (s) | µs/row {x}" for x in labels) + " | cpu x |",
             "|---|" + "---|---|---|" * len(labels) + "---|"]
    for step, row in results.items():
        cells = " | ".join(f"{row[x]['rows']} | {row[x]['cpu']:.3f} | {row[x]['us_per_row']:.1f}" for x in labels)
        growth = row[labels[-1]]["cpu"] / max(row[labels[0]]["cpu"], 1e-9)
        lines.append(f"| {step} | {cells} | {growth:.1f} |")
    table = "\n".join(lines)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"floor-{stamp}.md").write_text(table + "\n", encoding="utf-8")
    (OUT / f"floor-{stamp}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
