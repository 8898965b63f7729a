"""A build into a remote SPARQL server: :class:`RemoteTarget`, the remote build target.

The same mapping, inference and SHACL as the embedded build (:mod:`sahelkg.build.pipeline`); what
differs is how the graphs reach the store without readers or a failure seeing half of them:

1. every graph to write that the server already has is uploaded under a staging name
   (``<base>graph/staging/<build>/...``), a new graph under its own name, in batches; a failed
   upload drops what was uploaded and says which graph failed;
2. the swap moves each live graph it replaces to a backup name and its staging graph into
   place (SPARQL Update ``MOVE``, one request per batch of graphs);
3. SHACL runs on the server (the compiled shapes are SPARQL); on a violation the backups are
   moved back, so the server holds what it held before;
4. the manifest (the content hashes that make the next build incremental) is written into
   ``<base>graph/build``, and the backups are dropped.

The graph names all come from :class:`sahelkg.iris.Iris`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sahelkg.iris import Iris, iri
from sahelkg.store.protocol import Graphs, SavedManifest, Store
from sahelkg.store.remote import RemoteStore, manifest_lines


def renamed_lines(lines: list[str], graph: str, new: str) -> Iterator[str]:
    """N-Quads lines of the graph ``graph`` written to the graph ``new`` instead (both IRIs).

    >>> list(renamed_lines(["<a> <b> <c> <http://g/1> .\\n"], "http://g/1", "http://g/2"))
    ['<a> <b> <c> <http://g/2> .\\n']
    """
    old_end, new_end = f" {iri(graph)} .\n", f" {iri(new)} .\n"
    for line in lines:
        yield line[: -len(old_end)] + new_end


class RemoteTarget:
    """A build into the SPARQL server at ``url``: :class:`sahelkg.store.protocol.BuildTarget`.

    :param cache_dir: where the build keeps its caches (a server holds only graphs).
    """

    def __init__(self, url: str, base_iri: str, cache_dir: Path) -> None:
        self.store = RemoteStore(url)
        self.location = url
        self.cache_dir = cache_dir
        self.watch_dir: Path | None = None
        self.iris = Iris(base_iri)
        self.build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        self.existing: set[str] = set()  # the graphs the server holds before this build
        self.written: list[str] = []  # the graphs this build wrote (their final names)
        self.gone: list[str] = []  # the graphs it removes
        self.swapped = False
        self.committing = False  # from here a failure leaves the swapped graphs (the next build drops the backups)

    # ---- names
    def upload_name(self, graph: str) -> str:
        """Where a graph is uploaded: under a staging name if the server has it already, else under its
        own name (a graph that did not exist is simply dropped again if the build fails)."""
        return self.iris.staging(self.build_id, graph) if graph in self.existing else graph

    def unstaged(self, staged: str) -> str:
        """The final name of a staging graph (for messages)."""
        return self.iris.unstaged(self.build_id, staged)

    # ---- before the build
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Nothing: the staging graphs are named by build, and the swap is the server's."""
        yield

    def leftovers(self) -> list[str]:
        """Staging and backup graphs a killed build left behind."""
        return [g.value for g in self.store.named_graphs()
                if self.iris.graph_kind(g.value) in ("staging", "backup")]

    def clean(self) -> None:
        self.store.drop_graphs(self.leftovers())

    def exists(self) -> bool:
        """False: a server without a manifest counts as never built."""
        return False

    def previous_manifest(self) -> dict[str, Any] | None:
        return self.store.read_manifest(self.iris)

    def changed_since_build(self) -> bool | None:
        return None

    def manifest_file(self, *, current: bool = False) -> Path | None:
        return None

    def sidecar(self, what: str, *, current: bool = False) -> Path | None:
        return None

    def previous_store(self) -> Store | None:
        return None

    def previous_generation(self) -> str | None:
        return None

    # ---- the build
    def begin(self, *, incremental: bool, graphs: set[str] | None = None) -> None:
        self.existing = graphs if graphs is not None else set(self.store.data_graphs(self.iris))

    def remove(self, graphs: Iterable[str]) -> None:
        self.gone.extend(graphs)

    def write(self, graphs: Graphs) -> dict[str, float]:
        def staged() -> Iterator[tuple[str, list[str]]]:
            for graph, lines in graphs:
                self.written.append(graph)
                name = self.upload_name(graph)
                yield name, lines if name == graph else list(renamed_lines(lines, graph, name))

        self.store.upload(staged(), self.unstaged)
        return {}

    def validate(self, check: Callable[[Store], list[Any]]) -> list[Any]:
        """Swap the new graphs in, then ``check`` the server (:meth:`abort` moves the old ones back)."""
        replaced = [g for g in self.written if g in self.existing]
        moves = [(g, self.iris.backup(self.build_id, g)) for g in replaced + self.gone]
        moves += [(self.iris.staging(self.build_id, g), g) for g in replaced]
        self.swapped = True
        self.store.move_graphs(moves)
        return check(self.store)

    def commit(self, manifest: SavedManifest) -> None:
        """Write the manifest (staged, then moved into place) and drop the backups."""
        self.committing = True
        graph = self.iris.build_graph
        staged = self.iris.staging(self.build_id, graph)
        self.store.upload([(staged, manifest_lines(graph, staged, manifest.to_json(built=int(time.time()))))])
        self.store.move_graphs([(staged, graph)])
        self.store.drop_graphs([self.iris.backup(self.build_id, g) for g in self.written + self.gone if g in self.existing])

    def abort(self) -> None:
        """Before the swap, drop what was uploaded; after it, put the backups back in place and drop
        what this build wrote."""
        if self.committing:
            return
        if not self.swapped:
            self.store.drop_graphs([self.upload_name(g) for g in self.written])
            return
        replaced = [g for g in self.written if g in self.existing]
        self.store.move_graphs([(self.iris.backup(self.build_id, g), g) for g in replaced + self.gone])
        self.store.drop_graphs([self.iris.staging(self.build_id, g) for g in replaced]
                               + [g for g in self.written if g not in self.existing])
