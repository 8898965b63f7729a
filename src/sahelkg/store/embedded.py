"""The embedded store on disk: generations, atomic swap, read-only opening, and the build target.

A store path (``--store build/store``) is a symbolic link to one *generation*
directory ``build/store.d/gen-<n>``, each a complete pyoxigraph store. A build
never writes into the generation that readers have open: it makes a new one
(empty for a full build, a hard-linked checkpoint of the current one for an
incremental build, see :meth:`pyoxigraph.Store.backup`), writes into it, and only
when everything passed swaps the link atomically (``os.replace``). A failed,
killed or interrupted build leaves the link, and so the store users see, as it
was. pyoxigraph says that opening a store read-only while another process
writes it is undefined behaviour; generations make sure that never happens.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> layout = StoreLayout(root / "store")
>>> layout.exists()
False
>>> new = layout.begin(incremental=False)
>>> s = pyoxigraph.Store(str(new)); s.add(pyoxigraph.Quad(pyoxigraph.NamedNode("http://a"), pyoxigraph.NamedNode("http://b"), pyoxigraph.Literal("c"))); s.flush(); del s
>>> layout.commit(new)
>>> len(open_read_only(root / "store"))
1
>>> EmbeddedLocation(root / "store").generation() == layout.generation() != ""
True
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph

from sahelkg.errors import StoreError
from sahelkg.store.protocol import Graphs, SavedManifest, Store

if TYPE_CHECKING:
    from sahelkg.settings import Settings

GENERATION_RE = re.compile(r"^gen-(\d+)$")
SEAL = "sealed"  # beside each generation a build committed: the fingerprint of its files
KEEP_GENERATIONS = 2  # the current one and the one before, which a server may still have open


def files_fingerprint(directory: Path) -> str:
    """The names and sizes of a store directory's files, as one line each (RocksDB's ``LOG`` files
    left out: they are only its diary).

    RocksDB never rewrites a file in place: a write adds a log and, once flushed, table files; even
    opening a store read-write starts a new ``MANIFEST-*``. Opening it read-only (the endpoint's
    workers, queries, exports, the next build's checkpoint) changes nothing. So a generation whose
    fingerprint is not the one its build sealed has been written, or opened for writing, since.
    """
    lines = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if not entry.name.startswith("LOG"):
            lines.append(f"{entry.name} {entry.stat().st_size if entry.is_file() else 'dir'}")
    return "\n".join(lines) + "\n"


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``, as Dask's workers
    do); nothing where the C library has no such call.

    The bulk loader, the mapping and each SHACL query free what they allocate, but glibc keeps the
    freed pages for the process, and the next stage's peak came on top of them: measured at
    100,000 articles, 1.1 GiB before the SHACL stage, 462 MiB with this call after each bulk load.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


class StoreLayout:
    """The link ``path`` and its generation directories in ``path.d/``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser().absolute()
        self.generations_dir = self.path.with_name(self.path.name + ".d")

    @property
    def watch_dir(self) -> Path:
        """The corpus watcher's lock and journal (sahelkg.build.watch)."""
        return self.generations_dir / "watch"

    def exists(self) -> bool:
        """True if a store has been built (a committed generation, or a plain store directory)."""
        return self.path.exists()

    def current(self) -> Path | None:
        """The directory of the current generation, or None if no store exists yet."""
        if not self.path.exists():
            return None
        return self.path.resolve()

    def generation(self) -> str:
        """An opaque token that changes whenever a build commits a new generation."""
        if self.path.is_symlink():
            return os.readlink(self.path)
        return str(self.path.stat().st_mtime_ns) if self.path.exists() else ""

    def seal(self, generation_dir: Path) -> None:
        """Record the fingerprint of a generation's files, once its build has closed it (before the swap)."""
        path = self.generations_dir / f"{generation_dir.name}.{SEAL}"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(files_fingerprint(generation_dir), encoding="utf-8")
        os.replace(tmp, path)

    def changed_since_build(self) -> bool | None:
        """True if the current generation has been written (or opened for writing) since its build
        sealed it: SPARQL Update or Graph Store writes of ``sahelkg serve --write-token-env``, or
        another program. None when there is no store or its build sealed nothing (sahelkg before
        0.x wrote no seal; a store made by hand)."""
        current = self.current()
        if current is None:
            return None
        try:
            sealed = (self.generations_dir / f"{current.name}.{SEAL}").read_text(encoding="utf-8")
        except OSError:
            return None
        try:
            return files_fingerprint(current) != sealed
        except OSError:
            return True

    def _adopt_plain_directory(self) -> None:
        # A store made by hand (a plain pyoxigraph directory) becomes generation 0.
        if self.path.exists() and not self.path.is_symlink():
            self.generations_dir.mkdir(parents=True, exist_ok=True)
            target = self.generations_dir / "gen-0"
            os.replace(self.path, target)
            os.symlink(os.path.relpath(target, self.path.parent), self.path)

    def _next_number(self) -> int:
        numbers = [
            int(m.group(1))
            for p in self.generations_dir.glob("gen-*")
            if (m := GENERATION_RE.match(p.name))
        ]
        return max(numbers, default=0) + 1

    def begin(self, *, incremental: bool) -> Path:
        """Create the directory of a new generation and return it.

        With ``incremental`` the new generation starts as a checkpoint of the current one
        (cheap: RocksDB hard-links its files); otherwise it starts empty.
        """
        try:
            self._adopt_plain_directory()
            self.generations_dir.mkdir(parents=True, exist_ok=True)
            new = self.generations_dir / f"gen-{self._next_number()}"
            current = self.current()
            if incremental and current is not None:
                pyoxigraph.Store.read_only(str(current)).backup(str(new))
            else:
                new.mkdir()
            return new
        except OSError as e:
            raise StoreError(f"{self.path}: cannot create a new store generation: {e}") from e

    def commit(self, new: Path) -> None:
        """Point the store link at ``new`` atomically, then prune old generations."""
        tmp_link = self.path.with_name(f".{self.path.name}.link-{os.getpid()}")
        if tmp_link.is_symlink() or tmp_link.exists():
            tmp_link.unlink()
        os.symlink(os.path.relpath(new, self.path.parent), tmp_link)
        os.replace(tmp_link, self.path)
        self.prune()

    def abort(self, generation_dir: Path) -> None:
        """Remove a generation (one not committed, or pruned) and the files beside it."""
        shutil.rmtree(generation_dir, ignore_errors=True)
        for side in self.generations_dir.glob(f"{generation_dir.name}.*"):  # its manifest and caches
            side.unlink(missing_ok=True)

    def prune(self) -> None:
        """Delete generations older than the last ``KEEP_GENERATIONS`` (never the current one)."""
        current = self.current()
        gens = sorted(
            (int(m.group(1)), p)
            for p in self.generations_dir.glob("gen-*")
            if (m := GENERATION_RE.match(p.name))
        )
        for _, p in gens[:-KEEP_GENERATIONS]:
            if p.resolve() != current:
                self.abort(p)


def sidecar(layout: StoreLayout, generation_dir: Path, what: str) -> Path:
    """A file kept beside a generation (``gen-N.<what>``: its manifest, diff, caches), pruned with it."""
    return layout.generations_dir / f"{generation_dir.name}.{what}"


def open_read_only(path: Path | str) -> pyoxigraph.Store:
    """Open the current generation of the store at ``path`` read-only.

    :raises StoreError: if no store exists there or it cannot be opened.
    """
    layout = StoreLayout(path)
    current = layout.current()
    if current is None:
        raise StoreError(f"{layout.path}: no store here; run `sahelkg build --store {layout.path}` first")
    try:
        return pyoxigraph.Store.read_only(str(current))
    except OSError as e:
        raise StoreError(f"{layout.path}: cannot open the store: {e}") from e


def directory_size(path: Path) -> int:
    """Bytes used by the files under ``path`` (hard links counted once)."""
    seen, total = set(), 0
    for p in Path(path).rglob("*"):
        try:
            st = p.stat()
        except OSError:
            continue
        if p.is_file() and (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_size
    return total


class EmbeddedLocation:
    """A directory holding (or to hold) an embedded store: :class:`sahelkg.store.protocol.Location`."""

    keeps_files = True

    def __init__(self, path: Path | str) -> None:
        self.layout = StoreLayout(path)
        self.name = str(self.layout.path)

    def exists(self) -> bool:
        return self.layout.exists()

    def open(self, *, write: bool = False) -> pyoxigraph.Store:
        if not write:
            return open_read_only(self.layout.path)
        current = self.layout.current()
        if current is None:
            raise StoreError(f"{self.name}: no store here; run `sahelkg build` first")
        try:
            return pyoxigraph.Store(str(current))
        except OSError as e:
            raise StoreError(f"{self.name}: cannot open the store for writing: {e}") from e

    def generation(self) -> str:
        return self.layout.generation()

    def changed_since_build(self) -> bool | None:
        return self.layout.changed_since_build()

    def stats(self, base_iri: str) -> dict[str, list[tuple[str, int]]]:
        """Every graph counts: a directory holds only what its builds wrote."""
        from sahelkg.store import store_stats

        return store_stats(self.open())

    def disk_size(self) -> int | None:
        current = self.layout.current()
        return directory_size(current) if current else 0

    def build_target(self, settings: Settings) -> EmbeddedTarget:
        """A new generation beside the current one (the build's caches go beside them too)."""
        return EmbeddedTarget(self.layout.path)

    @contextmanager
    def local_copy(self, base_iri: str) -> Iterator[tuple[pyoxigraph.Store, int | None]]:
        """The store itself, read-only (no copy needed), and when its generation was built."""
        store = self.open()
        current = self.layout.current()
        yield store, int(current.stat().st_mtime) if current is not None else None


# --------------------------------------------------------------------------- the build target

MANIFEST, LEGACY_MANIFEST = "manifest.sqlite", "manifest.json"  # beside each generation (JSON before SQLite)
LOAD_CHUNK_QUADS = 1_000_000  # measured at 10k articles: 8 loads of 0.86M quads 1083 MiB, one of 6.9M 1886 MiB
# bulk_load alone of the 6.9M quads of 10k articles (loaded machine): chunks of 1M 107-152 s, 975 MiB; of 3M
# 112-116 s, 1,660 MiB; one call 71 s, 1,976 MiB. Larger chunks buy little time for much memory.
# In CPU seconds (the same 7.3M quads alone, 6 Dec 2026): one call 93, chunks of 1M 95, of 2.5M 98 (989, 1,587,
# 1,702 MiB): the chunking costs no work. Smaller chunks start the load sooner beside the mapping, but at 1k
# articles 250k cost 7% more CPU for the same wall time on 2 busy cores (808 -> 349 MiB).


class _Generation:
    """A store generation being written, and its one read-write handle."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store: pyoxigraph.Store | None = pyoxigraph.Store(str(path))

    @property
    def store(self) -> pyoxigraph.Store:
        assert self._store is not None, "the generation is closed"
        return self._store

    def close(self) -> None:
        """Drop the handle: pyoxigraph closes the database when its last reference goes (at once,
        unless a reference cycle holds it: then a collection, 0.1 s with a large corpus's scan alive)."""
        store, self._store = self._store, None
        if store is not None and sys.getrefcount(store) > 2:  # more than ``store`` and the argument
            del store
            gc.collect()


class _Chunk:
    """A temporary N-Quads file beside the generations, bulk-loaded then deleted."""

    def __init__(self, folder: Path) -> None:
        fd, name = tempfile.mkstemp(suffix=".nq", dir=folder)
        self.path = Path(name)
        self.file = os.fdopen(fd, "w", encoding="utf-8")
        self.lines = 0

    def write(self, lines: list[str]) -> None:
        self.file.writelines(lines)
        self.lines += len(lines)

    def load_into(self, store: pyoxigraph.Store) -> float:
        """Bulk-load the file into ``store`` and delete it; returns the seconds the load took."""
        self.file.close()
        start = time.perf_counter()
        try:
            store.bulk_load(path=str(self.path), format=pyoxigraph.RdfFormat.N_QUADS)
        finally:
            self.discard()
        release_free_memory()
        return time.perf_counter() - start

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class _Loader:
    """Bulk-loads the N-Quads of a full build a chunk at a time, in a thread, while the caller maps
    the next chunk.

    A chunk holds at most LOAD_CHUNK_QUADS lines, so bulk_load's memory follows the chunk, not the
    corpus. pyoxigraph releases the GIL inside bulk_load, so Python's mapping and Oxigraph's loading
    run on separate cores; one chunk loads at a time (a full chunk waits for the load before it), so
    the memory is that of one load plus the mapping's. Leaving the block waits for the load in flight
    (bulk_load cannot be interrupted) and deletes the chunk files.
    """

    def __init__(self, store: pyoxigraph.Store, folder: Path) -> None:
        self.store: pyoxigraph.Store | None = store  # dropped on leaving: the generation closes its store
        self.folder = folder
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sahelkg-load")
        self.chunk: _Chunk | None = None
        self.pending: Future[float] | None = None
        self.loading = 0.0  # seconds inside bulk_load
        self.waited = 0.0  # seconds the caller waited for a load to finish

    def __enter__(self) -> _Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.chunk is not None:  # not handed to the thread: it is ours to delete
            self.chunk.discard()
        self.pool.shutdown(wait=True)  # waits for the load in flight
        self.store = None

    def write(self, lines: list[str]) -> None:
        """Add one graph's lines; a chunk closes after the graph that fills it."""
        if self.chunk is None:
            self.chunk = _Chunk(self.folder)
        self.chunk.write(lines)
        if self.chunk.lines >= LOAD_CHUNK_QUADS:
            self._submit()

    def finish(self) -> None:
        """Load what is left and wait until every chunk is in the store (raises a load's error)."""
        if self.chunk is not None:
            self._submit()
        self._wait()

    def _submit(self) -> None:
        assert self.chunk is not None
        self._wait()
        chunk, self.chunk = self.chunk, None
        assert self.store is not None, "the loader is closed"
        self.pending = self.pool.submit(chunk.load_into, self.store)

    def _wait(self) -> None:
        if self.pending is None:
            return
        start = time.perf_counter()
        pending, self.pending = self.pending, None
        try:
            self.loading += pending.result()
        finally:
            self.waited += time.perf_counter() - start


class EmbeddedTarget:
    """A build into a new generation of the embedded store at ``path``:
    :class:`sahelkg.store.protocol.BuildTarget`.

    A full build bulk-loads a streamed N-Quads file into an empty generation; an incremental one
    starts from a hard-linked checkpoint of the current generation and replaces only the graphs it
    writes. The store is closed before the swap: readers (the endpoint's workers) open the new
    generation read-only as soon as the link points at it, and pyoxigraph leaves reading a store
    that another handle still writes undefined.
    """

    def __init__(self, path: Path | str) -> None:
        self.layout = StoreLayout(path)
        self.location = str(self.layout.path)
        self.cache_dir = self.layout.generations_dir
        self.watch_dir: Path | None = self.layout.watch_dir
        self._gen: _Generation | None = None
        self._incremental = False

    @property
    def store(self) -> pyoxigraph.Store:
        assert self._gen is not None, "no generation begun"
        return self._gen.store

    @contextmanager
    def lock(self) -> Iterator[None]:
        self.layout.generations_dir.mkdir(parents=True, exist_ok=True)
        with open(self.layout.generations_dir / ".build.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise StoreError(f"{self.layout.path}: another build is running on this store; wait for it to finish") from e
            yield

    def clean(self) -> None:
        # What a crashed or killed build left (we hold the build lock, so no build is running):
        # its streamed N-Quads file, and generations without a manifest, never committed.
        for pattern in ("*.nq", "*.tmp"):
            for tmp in self.layout.generations_dir.glob(pattern):
                tmp.unlink(missing_ok=True)
        current = self.layout.current()
        for p in self.layout.generations_dir.glob("gen-*"):
            if p.is_dir() and (current is None or p.resolve() != current) and not self._committed(p):
                self.layout.abort(p)

    def _committed(self, generation_dir: Path) -> bool:
        """A generation a build committed has a manifest (SQLite, or the JSON of versions before it)."""
        return any(sidecar(self.layout, generation_dir, m).exists() for m in (MANIFEST, LEGACY_MANIFEST))

    def exists(self) -> bool:
        return self.layout.exists()

    def previous_manifest(self) -> Path | None:
        return self.manifest_file(current=True)

    def manifest_file(self, *, current: bool = False) -> Path | None:
        return self.sidecar(MANIFEST, current=current)

    def changed_since_build(self) -> bool | None:
        return self.layout.changed_since_build()

    def sidecar(self, what: str, *, current: bool = False) -> Path | None:
        generation_dir = self.layout.current() if current else (self._gen.path if self._gen else None)
        return None if generation_dir is None else sidecar(self.layout, generation_dir, what)

    def previous_store(self) -> pyoxigraph.Store | None:
        current = self.layout.current()
        return None if current is None else pyoxigraph.Store.read_only(str(current))

    def previous_generation(self) -> str | None:
        current = self.layout.current()
        return None if current is None else current.name

    def begin(self, *, incremental: bool, graphs: set[str] | None = None) -> None:
        self.layout.generations_dir.mkdir(parents=True, exist_ok=True)
        self._gen = _Generation(self.layout.begin(incremental=incremental))
        self._incremental = incremental

    def remove(self, graphs: Iterable[str]) -> None:
        for g in graphs:
            node = pyoxigraph.NamedNode(g)
            if self.store.contains_named_graph(node):
                self.store.remove_graph(node)

    def write(self, graphs: Graphs) -> dict[str, float]:
        """A full build bulk-loads in chunks (and measures the mapping and the loading); an
        incremental one replaces each graph in the checkpoint."""
        if self._incremental:
            for graph, lines in graphs:
                self.remove([graph])
                self.store.load(input="".join(lines), format=pyoxigraph.RdfFormat.N_QUADS)
            return {}
        with _Loader(self.store, self.layout.generations_dir) as loader:
            mark = time.perf_counter()
            for _, lines in graphs:
                loader.write(lines)
            mapping = time.perf_counter() - mark - loader.waited
            loader.finish()
        # mapping: the caller's own time; loading: bulk_load's, in parallel; load wait: the
        # caller's time waiting for a load (mapping + load wait is the stage's wall time)
        return {"mapping": mapping, "loading": loader.loading, "load wait": loader.waited}

    def validate(self, check: Callable[[Store], list[Any]]) -> list[Any]:
        release_free_memory()
        return check(self.store)

    def commit(self, manifest: SavedManifest) -> None:
        assert self._gen is not None, "no generation begun"
        gen = self._gen
        gen.store.flush()
        gen.close()
        self.layout.seal(gen.path)  # what its files are now: a later write shows (StoreLayout.changed_since_build)
        manifest.commit_as(sidecar(self.layout, gen.path, MANIFEST))
        self.layout.commit(gen.path)
        self._gen = None

    def abort(self) -> None:
        if self._gen is not None:
            self._gen.close()
            self.layout.abort(self._gen.path)
            self._gen = None
