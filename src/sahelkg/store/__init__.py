"""The embedded store on disk: generations, atomic swap, read-only opening.

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
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from sahelkg.errors import StoreError
from sahelkg.settings import is_remote

if TYPE_CHECKING:
    from sahelkg.store.remote import RemoteStore

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


def open_store(location: Path | str) -> pyoxigraph.Store | RemoteStore:
    """The store at ``location``: the current generation of a directory, opened read-only, or the
    SPARQL server at a URL (:class:`sahelkg.store.remote.RemoteStore`).

    :raises StoreError: no store there, or it cannot be opened.
    """
    if is_remote(str(location)):
        from sahelkg.store.remote import RemoteStore

        return RemoteStore(str(location))
    return open_read_only(location)


REMOTE_GENERATION_SECONDS = 60


def generation(path: Path | str) -> str:
    """The generation token of the store at ``path`` (changes after every successful build).

    A remote server is not watched: its token changes every minute, so caches keyed by it
    (the endpoint's dataset statistics) are at most that old.
    """
    if is_remote(str(path)):
        return f"remote:{int(time.time() // REMOTE_GENERATION_SECONDS)}"
    return StoreLayout(path).generation()


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


def store_stats(store: pyoxigraph.Store | RemoteStore, graph_base: str | None = None) -> dict[str, list[tuple[str, int]]]:
    """Counts per graph and per class (asserted or inferred types, each instance once).

    With ``graph_base``, only the graphs whose IRI starts with it count (a shared server's
    other graphs, such as Virtuoso's system graphs, are left out).
    """
    scope = "" if graph_base is None else f'FILTER (STRSTARTS(STR(?g), "{graph_base}"))'
    graphs = [
        (sol["g"].value, int(sol["n"].value))
        for sol in store.query(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {scope} }} GROUP BY ?g ORDER BY ?g")
    ]
    query = (f"SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a ?c }} {scope} }} GROUP BY ?c ORDER BY DESC(?n) ?c"
             if scope else "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c")
    classes = [(sol["c"].value, int(sol["n"].value)) for sol in store.query(query, use_default_graph_as_union=not scope)]
    return {"graphs": graphs, "classes": classes}
