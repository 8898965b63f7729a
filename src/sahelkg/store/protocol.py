"""What the library asks of a store, of the place a store is, and of the target a build writes into.

Two implementations answer each: the embedded pyoxigraph store on disk (:mod:`sahelkg.store.embedded`)
and a SPARQL 1.1 server (:mod:`sahelkg.store.remote`, :mod:`sahelkg.store.remote_build`). Which one
a location is, is decided once, by :func:`sahelkg.store.locate`; callers ask the objects for what
they can do (``keeps_files``, ``generation()``, ``stats()``), never which kind they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph

if TYPE_CHECKING:
    from sahelkg.settings import Settings

Graphs = Iterable[tuple[str, list[str]]]
"""Graphs to write: ``(graph IRI, N-Quads lines naming that graph)``."""


class Store(Protocol):
    """The part of :class:`pyoxigraph.Store`'s interface the library uses, which
    :class:`sahelkg.store.remote.RemoteStore` answers too (same arguments, same result types)."""

    def query(self, query: str, /, *, use_default_graph_as_union: bool = ..., default_graph: Any = ...,
              named_graphs: Any = ..., substitutions: Any = ..., base_iri: str | None = ...) -> Any:
        """Evaluate a SPARQL query: QuerySolutions, QueryBoolean or QueryTriples."""

    def update(self, update: str, /, *, base_iri: str | None = ...) -> None:
        """Run a SPARQL Update."""

    def named_graphs(self) -> Iterable[pyoxigraph.NamedNode | pyoxigraph.BlankNode]:
        """The names of the store's named graphs."""

    def contains_named_graph(self, graph: pyoxigraph.NamedNode, /) -> bool:
        """True if the store has the named graph ``graph``."""

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = ..., /) -> Iterator[pyoxigraph.Quad]:
        """The quads matching a pattern (None matches anything)."""

    def __len__(self) -> int:
        """The number of quads."""


class Location(Protocol):
    """The place a store is (a directory of generations, or a SPARQL server's URL) and what can be
    done there without knowing which it is."""

    name: str  # how it is shown: an absolute path, or the URL
    keeps_files: bool  # files beside the store (a build's diff, the corpus watcher, caches): not on a server

    def exists(self) -> bool:
        """True if a store is there (a server always is)."""

    def open(self, *, write: bool = False) -> Store:
        """The store: opened read-only, or with ``write`` for writing (the endpoint's SPARQL Update
        and Graph Store writes); a server takes writes itself.

        :raises StoreError: no store there, or it cannot be opened.
        """

    def generation(self) -> str:
        """An opaque token that changes whenever a build commits (caches are keyed by it)."""

    def changed_since_build(self) -> bool | None:
        """True if the store was written after its build made it; None when that cannot be told."""

    def stats(self, base_iri: str) -> dict[str, list[tuple[str, int]]]:
        """Quads per graph and instances per class (:func:`sahelkg.store.store_stats`) of the
        graphs a build under ``base_iri`` wrote."""

    def disk_size(self) -> int | None:
        """Bytes the store uses on disk; None for a server."""

    def local_copy(self, base_iri: str) -> AbstractContextManager[tuple[pyoxigraph.Store, int | None]]:
        """An embedded store holding the graphs under ``base_iri`` (many small reads, such as an
        export's, are fast on it) and when they were built (Unix time, or None)."""

    def build_target(self, settings: Settings) -> BuildTarget:
        """Where a build of ``settings`` writes into the store here."""


class SavedManifest(Protocol):
    """What a build target needs of the build's manifest to keep it with the store."""

    def commit_as(self, final: Path) -> None:
        """Write it to the file ``final``."""

    def to_json(self, **extra: object) -> str:
        """It as JSON text."""


class BuildTarget(Protocol):
    """Where a build writes: readers see the store as it was until :meth:`commit`, and
    :meth:`abort` leaves it so (the embedded store writes a new generation, a server gets staging graphs).

    The build calls, in order: :meth:`lock` (a block), :meth:`clean`, :meth:`previous_manifest`,
    :meth:`begin`, :meth:`remove` and :meth:`write`, :meth:`validate`, :meth:`commit`; and
    :meth:`abort` if anything after :meth:`begin` fails.
    """

    location: str  # what the build result names
    cache_dir: Path  # where the build keeps its caches (the parsed ontology, the validated registry)
    watch_dir: Path | None  # the corpus watcher's lock and journal for this store (None: not watched)

    @property
    def store(self) -> Store:
        """The store being written (after :meth:`begin`): the diff reads it."""

    def lock(self) -> AbstractContextManager[None]:
        """Hold off other builds of this store (raises StoreError if one runs)."""

    def clean(self) -> None:
        """Remove what a killed build left."""

    def exists(self) -> bool:
        """True if a store is there although :meth:`previous_manifest` found no manifest."""

    def previous_manifest(self) -> Path | dict[str, Any] | None:
        """The last build's manifest: the file beside the current generation, the JSON a server
        holds, or None."""

    def manifest_file(self, *, current: bool = False) -> Path | None:
        """The file the manifest of the generation being written (or of the current one) is kept
        in; None on a server (the manifest is a graph there, built in memory)."""

    def changed_since_build(self) -> bool | None:
        """True if the store was written after its build made it."""

    def sidecar(self, what: str, *, current: bool = False) -> Path | None:
        """A file kept beside the generation being written (or the current one), pruned with it;
        None where the store keeps no files (a server)."""

    def previous_store(self) -> Store | None:
        """The store as the previous build left it, read-only (None: none, or not kept apart)."""

    def previous_generation(self) -> str | None:
        """The name of the generation the build starts from (None: none, or not kept apart)."""

    def begin(self, *, incremental: bool, graphs: set[str] | None = None) -> None:
        """Start writing: from an empty store (a full build) or the current one. ``graphs``: the
        graphs the previous build wrote, if its manifest tells."""

    def remove(self, graphs: Iterable[str]) -> None:
        """Remove these graphs (a removed article's)."""

    def write(self, graphs: Graphs) -> dict[str, float]:
        """Write each graph, replacing one of the same name; returns the seconds spent per stage
        (``mapping``: producing ``graphs``; ``loading``; ``load wait``) where they are measured."""

    def validate(self, check: Callable[[Store], list[Any]]) -> list[Any]:
        """``check`` run on the store as it will be once committed; its problems."""

    def commit(self, manifest: SavedManifest) -> None:
        """Keep the manifest with the store and make what was written the store readers see."""

    def abort(self) -> None:
        """Undo what was written; the store stays as it was before :meth:`begin`."""
