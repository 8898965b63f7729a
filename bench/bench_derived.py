"""The cost of the graphs that cross articles (the closure and the links graph) against the mapping's edges.

    python bench/bench_derived.py GENERATION.manifest.sqlite [...]

Reads the edges every article's manifest entry records (what a build has in memory after mapping them),
recomputes the closure and links graphs as the build does (:func:`sahelkg.build.mapping.derived_graphs`),
and prints per manifest: the articles, the edges, the lines of each graph, and the CPU seconds of reading
the edges and of computing the graphs. The incremental build that changes an article's links pays both.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "src"))

from sahelkg.build.manifest import Manifest  # noqa: E402
from sahelkg.build.mapping import derived_graphs  # noqa: E402
from sahelkg.graph.inference import Reasoner  # noqa: E402
from sahelkg.graph.ontology import load_ontology  # noqa: E402
from sahelkg.iris import Iris  # noqa: E402
from sahelkg.settings import Settings  # noqa: E402


def main(paths: list[str]) -> None:
    settings = Settings.from_env()
    reasoner = Reasoner(load_ontology(settings.ontology_file))
    iris = Iris(settings.base_iri)
    print("| manifest | articles | edges | closure lines | links lines | read edges (s CPU) | derive (s CPU) |")
    print("|---|---|---|---|---|---|---|")
    for path in paths:
        manifest = Manifest.open(Path(path))
        if manifest is None:
            raise SystemExit(f"{path}: not a build manifest")
        start = time.process_time()
        edges = set(manifest.all_edges())
        read = time.process_time() - start
        start = time.process_time()
        (_, closure), (_, links) = derived_graphs(iris, edges, reasoner)
        derive = time.process_time() - start
        print(f"| {path} | {manifest.count()} | {len(edges)} | {len(closure)} | {len(links)} | {read:.2f} | {derive:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
