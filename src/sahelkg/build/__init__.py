"""The build: ontology + corpus -> validated, inferred, SHACL-checked graph in the store, atomically.

The stages in order are in :mod:`sahelkg.build.pipeline`; change detection in
:mod:`~sahelkg.build.changes`, the caches in :mod:`~sahelkg.build.cache`, the mapping of articles
(and its process pool) in :mod:`~sahelkg.build.mapping`, the manifest in :mod:`~sahelkg.build.manifest`,
the legacy manifest's migration in :mod:`~sahelkg.build.migrate`, the diff of a build in
:mod:`~sahelkg.build.diff`, the corpus watcher in :mod:`~sahelkg.build.watch`. Where the graphs
go (a new generation of the embedded store, or a SPARQL server) is the store's build target
(:func:`sahelkg.store.build_target`).
"""

from __future__ import annotations

from sahelkg.build.changes import CHANGED_BEHIND
from sahelkg.build.pipeline import WATCHED, Builder, BuildResult, build

__all__ = ["CHANGED_BEHIND", "WATCHED", "BuildResult", "Builder", "build"]
