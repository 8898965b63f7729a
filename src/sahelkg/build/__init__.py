"""The build: ontology + corpus -> validated, inferred, SHACL-checked graph in a new store generation.

Stages, in order (each failure leaves the current store untouched):

1. decide full or incremental from content hashes (ontology and shapes, registry, each article,
   the base IRI and the graph format version) recorded in the previous generation's manifest;
2. validate the registry and the articles that changed (all errors reported at once);
3. map them to triples (:mod:`sahelkg.graph.rdf`) and infer (:mod:`sahelkg.graph.inference`);
4. write a new store generation: a full build bulk-loads a streamed N-Quads file into an
   empty store; an incremental build starts from a hard-linked checkpoint of the current
   generation and replaces only the changed graphs (plus the transitive closure if needed);
5. validate with the SHACL shapes (:mod:`sahelkg.graph.shacl`);
6. write the manifest and swap the store link atomically (:mod:`sahelkg.store`).
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph

from sahelkg import __version__
from sahelkg.corpus import Article, CorpusReader, Registry, iter_articles
from sahelkg.errors import BuildInterrupted, CorpusError, GraphError, Problem, StoreError, UsageError
from sahelkg.graph.inference import Reasoner, Triple
from sahelkg.build.diff import DIFF, ArticleDiff, compare, graph_facts, write_diff
from sahelkg.build.manifest import MEMORY, Manifest, Stat
from sahelkg.graph.ontology import Ontology, load_ontology
from sahelkg.graph.rdf import Minter, article_triples, nquads, registry_triples
from sahelkg.store.remote import BACKUP, BUILD_GRAPH, MANIFEST_PREDICATE, STAGING
from sahelkg.settings import Settings
from sahelkg.store import StoreLayout, release_free_memory
from sahelkg.build.watch import Seen, sync

CHANGED_BEHIND = ("the store was changed after its build (written over HTTP, or opened for writing): "
                  "rebuilt from the corpus, without those changes")
GRAPH_FORMAT = "2"  # bump when the mapping or the manifest changes: it forces a full rebuild
LOAD_CHUNK_QUADS = 1_000_000  # measured at 10k articles: 8 loads of 0.86M quads 1083 MiB, one of 6.9M 1886 MiB
# bulk_load alone of the 6.9M quads of 10k articles (loaded machine): chunks of 1M 107-152 s, 975 MiB; of 3M
# 112-116 s, 1,660 MiB; one call 71 s, 1,976 MiB. Larger chunks buy little time for much memory.
MAP_BATCH = 16  # articles per task of a mapping worker: enough to amortise the pickling of a task
RACY_NS = 2_000_000_000  # a file modified this close to the last build is hashed even if its stat matches

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class BuildResult:
    """What a build did."""

    full: bool
    articles_total: int
    articles_rebuilt: list[str] = field(default_factory=list)
    articles_removed: list[str] = field(default_factory=list)
    quads: int = 0
    seconds: float = 0.0
    store: str = ""
    up_to_date: bool = False
    reason: str = ""
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage of a full build
    diff: list[ArticleDiff] = field(default_factory=list)  # the facts changed per article (embedded store)


@dataclass
class Changes:
    """What an incremental build redoes, from the corpus's files and the previous build's manifest."""

    total: int  # how many articles the corpus has
    changed: list[str] = field(default_factory=list)  # new or edited, in id order
    removed: list[str] = field(default_factory=list)
    new: dict[str, tuple[str, Stat]] = field(default_factory=dict)  # content hash and file stat of each changed one
    restat: dict[str, Stat] = field(default_factory=dict)  # unchanged content, but a file stat to record


def same_as_refs(article: Article) -> list[tuple[str, str, str]]:
    """``(article id, "<event id> <key>", "other-article/event")`` of every reference to another
    article's event the article states (``same_as``, ``result_of``, ``after``); one to an event of
    the same article (``same_as: [e1]``, another account of it) is checked with the article."""
    return [
        (article.id, f"{e.id} {key}", o)
        for e in article.events
        for key, others in (("same_as", e.same_as), ("result_of", (e.result_of,) if e.result_of else ()), ("after", e.after))
        for o in others if "/" in o
    ]


def default_jobs() -> int:
    """The processes a full build maps articles in by default: the cores this process may run on, less two.

    The build's own process (receiving the mapped lines, then SHACL) and the loader thread's
    ``bulk_load`` each keep a core busy: on 2 cores a pool only competes with them (1k articles:
    ``--jobs 2`` took 1.29x the time of ``--jobs 1``), so there the mapping stays in the build's process.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 2)


@dataclass
class MappedArticle:
    """One article mapped (in this process or a worker): what the build keeps of it besides its quads."""

    id: str
    fact_ids: frozenset[str]
    refs: list[tuple[str, str, str]]
    edges: set[Triple]
    content_hash: str
    graphs: list[tuple[str, list[str]]]  # (graph, N-Quads lines): its graph and its inferred graph


class _Mapper:
    """Reads, validates and maps articles of a full build: the work that is independent per article."""

    def __init__(self, builder: Builder, reader: CorpusReader, registry: Registry, ontology: Ontology,
                 reasoner: Reasoner) -> None:
        self.builder, self.reader, self.registry, self.ontology, self.reasoner = builder, reader, registry, ontology, reasoner

    def map(self, ids: list[str]) -> tuple[list[MappedArticle], list[Problem]]:
        """The valid articles of ``ids`` mapped, in order, and the problems of all of them."""
        problems: list[Problem] = []
        out = []
        for article in iter_articles(self.reader, self.registry, ids, problems):
            graphs, edges = self.builder.article_graphs(article, self.registry, self.ontology, self.reasoner)
            out.append(MappedArticle(article.id, article.fact_ids, same_as_refs(article), edges,
                                     self.reader.article_hash(article.id), graphs))
        return out, problems


_WORKER: _Mapper | None = None  # the mapper of a worker process (set by _init_worker)


def _init_worker(settings: Settings, ontology: Ontology, registry: Registry, checked: object) -> None:
    """Set up a mapping worker: its own reader and reasoner over the parent's ontology and registry."""
    global _WORKER
    # Ctrl-C reaches the whole process group: the parent alone handles it (it stops the pool)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reader = CorpusReader(settings.corpus_dir, ontology)
    reader.schemas.vouch(checked)  # type: ignore[arg-type]  # the parent checked these schema files
    _WORKER = _Mapper(Builder(settings), reader, registry, ontology, Reasoner(ontology))


def _map_in_worker(ids: list[str]) -> tuple[list[MappedArticle], list[Problem]]:
    assert _WORKER is not None, "not a mapping worker"
    return _WORKER.map(ids)


def _renamed_lines(lines: list[str], graph: str, new: str) -> Iterator[str]:
    """N-Quads lines of ``graph`` written to the graph ``new`` instead."""
    old_end, new_end = f" {graph} .\n", f" {new} .\n"
    for line in lines:
        yield line[: -len(old_end)] + new_end


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork shares the parent's parsed ontology and registry without pickling them; elsewhere, spawn
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


@dataclass
class Mapped:
    """What mapping articles gave besides their quads: manifest entries (written to ``manifest`` as
    they come), cross-references and transitive edges."""

    manifest: Manifest
    ids: list[str] = field(default_factory=list)
    refs: list[tuple[str, str, str]] = field(default_factory=list)
    edges: dict[str, set[Triple]] = field(default_factory=dict)  # per article
    registry_edges: set[Triple] = field(default_factory=set)

    @classmethod
    def following(cls, previous: Manifest, path: Path | str, changes: Changes) -> Mapped:
        """For an incremental build: the previous manifest copied to ``path``, without the removed
        articles and with the new stats of files whose content did not change."""
        manifest = Manifest.copy(previous, path)
        manifest.remove(changes.removed)
        manifest.set_stats(changes.restat)
        return cls(manifest)

    def add(self, article: Article | MappedArticle, edges: set[Triple], content_hash: str, stat: Stat) -> None:
        """Record an article: its manifest entry keeps its content hash, the (mtime, size) of its files
        that let the next build skip hashing it, its fact ids (cross-references) and its transitive
        edges (the closure is recomputed from the manifests' edges, never by scanning the store)."""
        self.manifest.put(article.id, content_hash, stat, article.fact_ids, edges)
        self.ids.append(article.id)
        self.refs.extend(article.refs if isinstance(article, MappedArticle) else same_as_refs(article))
        self.edges[article.id] = edges


def _file_hash(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0")
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


MANIFEST, LEGACY_MANIFEST = "manifest.sqlite", "manifest.json"  # beside each generation (JSON before SQLite)
WATCHED = "watched"  # beside each generation: the corpus watcher's journal position it reflects (sahelkg.build.watch)


def manifest_path(layout: StoreLayout, generation_dir: Path) -> Path:
    return sidecar(layout, generation_dir, MANIFEST)


def sidecar(layout: StoreLayout, generation_dir: Path, what: str) -> Path:
    """A file kept beside a generation (``gen-N.<what>``), pruned with it."""
    return layout.generations_dir / f"{generation_dir.name}.{what}"


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


def _replace_cache(path: Path, value: object) -> None:
    """Write a cache file (``<kind>-<key>.pickle``), removing the other keys' files of its kind.

    A cache that cannot be written is only a cache: the next build parses again. Two builds may
    write the same one at once (the ontology's is read before the build lock): each writes its
    own temporary file and renames it.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(path.name.split("-", 1)[0] + "-*.pickle"):
            old.unlink(missing_ok=True)
    except OSError:
        return
    _replace_file(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file of this process, renamed into place; a file that
    cannot be written is left as it was (what is written this way is only ever a shortcut)."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _read_pickle(path: Path) -> object | None:
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def read_manifest(layout: StoreLayout) -> Manifest | None:
    """The manifest of the current generation, or None (no store, or a store made elsewhere).

    A generation built by sahelkg 0.x before the manifest moved to SQLite has a JSON manifest:
    it is converted once, so the next build stays incremental.
    """
    current = layout.current()
    if current is None:
        return None
    path = manifest_path(layout, current)
    legacy = sidecar(layout, current, LEGACY_MANIFEST)
    if not path.exists() and legacy.exists():
        try:
            converted = Manifest.from_json(legacy.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        Manifest.copy(converted, path.with_suffix(".tmp")).commit_as(path)
        legacy.unlink()
    return Manifest.open(path)


@contextmanager
def _build_lock(layout: StoreLayout) -> Iterator[None]:
    layout.generations_dir.mkdir(parents=True, exist_ok=True)
    with open(layout.generations_dir / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise StoreError(f"{layout.path}: another build is running on this store; wait for it to finish") from e
        yield


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


class Builder:
    """One build run."""

    def __init__(self, settings: Settings, progress: Progress | None = None, jobs: int | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda stage, done, total: None)
        self.jobs = default_jobs() if jobs is None else jobs  # processes mapping the articles of a full build
        self.layout = StoreLayout(settings.store)
        self.minter = Minter(settings.base_iri)
        self.started_ns = time.time_ns()
        self.seen: Seen | None = None  # what the corpus watcher said (embedded store)

    def _record_watched(self, generation_dir: Path) -> None:
        """Record beside the generation the watcher's journal position up to which it holds every
        change (``gen-N.watched``; a generation without one makes the next build scan)."""
        if self.seen is not None:
            _replace_file(sidecar(self.layout, generation_dir, WATCHED), self.seen.token.encode())

    # ---- inputs
    def _inputs(self) -> tuple[Ontology, CorpusReader, dict[str, str]]:
        ontology = self.ontology()
        reader = CorpusReader(self.settings.corpus_dir, ontology)
        stamps = {
            "format": GRAPH_FORMAT,
            "version": __version__,
            "base_iri": self.settings.base_iri,
            "ontology": _file_hash(self.settings.ontology_file, self.settings.shapes_file),
            "registry": reader.registry_hash(),
        }
        return ontology, reader, stamps

    def run(self, *, full: bool = False) -> BuildResult:
        start = time.perf_counter()
        # recorded as the manifest's time: a file modified after this is hashed by the next build
        self.started_ns = time.time_ns()
        ontology, reader, stamps = self._inputs()
        try:
            if self.settings.store_is_remote:
                from sahelkg.store.remote import RemoteStore

                result = RemoteBuild(self, RemoteStore(self.settings.store)).run(ontology, reader, stamps, full=full)
            else:
                result = self._embedded(ontology, reader, stamps, full=full)
        except KeyboardInterrupt as e:
            raise BuildInterrupted("build interrupted; the previous store is intact") from e
        result.seconds = time.perf_counter() - start
        result.store = str(self.settings.store if self.settings.store_is_remote else self.layout.path)
        return result

    @staticmethod
    def full_reason(full: bool, previous: Manifest | None, stamps: dict[str, str], exists: bool) -> str:
        """Why the build must be full ("" if an incremental build will do)."""
        if full:
            return "--full asked"
        if previous is None:
            return "no previous build" if not exists else "the store has no build manifest"
        recorded = previous.stamps
        changed = [k for k, v in stamps.items() if recorded.get(k) != v]
        return f"changed: {', '.join(changed)}" if changed else ""

    def _embedded(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str], *, full: bool) -> BuildResult:
        with _build_lock(self.layout):
            self._remove_leftovers()
            previous = read_manifest(self.layout)
            # before the corpus is read: a change after this is in the journal after seen.token
            current = self.layout.current()
            self.seen = sync(self.layout.watch_dir, self.settings.corpus_dir,
                             _read_text(sidecar(self.layout, current, WATCHED)) if previous and current else None)
            try:
                reason = self.full_reason(full, previous, stamps, self.layout.exists())
                if not reason and self.layout.changed_since_build():
                    # Written over HTTP (or opened for writing) since: the store is not the corpus's
                    # graph any more, and a checkpoint of it would carry the edits on. Rebuild it.
                    reason = CHANGED_BEHIND
                if reason:
                    result = self._full(ontology, reader, stamps, previous)
                else:
                    result = self._incremental(ontology, reader, stamps, previous)  # type: ignore[arg-type]
            finally:
                if previous is not None:
                    previous.close()
            result.reason = reason or result.reason
        return result

    def _remove_leftovers(self) -> None:
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

    # ---- mapping (shared by the embedded and the remote build)
    def article_graphs(self, article: Article, registry: Registry, ontology: Ontology, reasoner: Reasoner,
                       name: Callable[[str], str] = str) -> tuple[list[tuple[str, list[str]]], set[Triple]]:
        """``[(graph, N-Quads lines)]`` of one article (its graph and its inferred graph), and its
        transitive edges. ``name`` maps each graph IRI to the one written (a staging graph)."""
        # An article may state one fact twice (two relations with the same ends, each with its own
        # quote): its triple is written once, so that the count of quads written is the store's.
        triples = list(dict.fromkeys(article_triples(article, registry, ontology, self.minter)))
        inferred = reasoner.entail(triples) | reasoner.specific_types(triples)
        g, gi = self.minter.article_graph(article.id), self.minter.inferred_graph(f"article/{article.id}")
        graphs = [(g, list(nquads(triples, name(g)))), (gi, list(nquads(sorted(inferred), name(gi))))]
        edges = reasoner.transitive_edges(triples) | reasoner.transitive_edges(inferred)
        return graphs, edges

    def full_graphs(self, ontology: Ontology, reader: CorpusReader, registry: Registry, reasoner: Reasoner,
                    mapped: Mapped, problems: list[Problem],
                    name: Callable[[str], str] = str) -> Iterator[tuple[str, list[str]]]:
        """Every graph of a full build, in order, as ``(graph, N-Quads lines)``; ``mapped`` collects
        the manifest entries and the edges. Raises :class:`CorpusError` (before the closure) when
        an article or a cross-reference does not validate."""
        g = self.minter.ontology_graph
        yield g, list(self._ontology_lines(ontology, name(g)))
        reg = list(dict.fromkeys(registry_triples(registry, self.minter)))  # once each, as the store holds them
        reg_inferred = reasoner.entail(reg) | reasoner.specific_types(reg)
        g, gi = self.minter.registry_graph, self.minter.inferred_graph("registry")
        yield g, list(nquads(reg, name(g)))
        yield gi, list(nquads(sorted(reg_inferred), name(gi)))
        mapped.registry_edges = reasoner.transitive_edges(reg) | reasoner.transitive_edges(reg_inferred)
        files = reader.article_files()
        ids = sorted(files)
        n = 0
        for batch in self.mapped_articles(_Mapper(self, reader, registry, ontology, reasoner), ids, problems):
            for art in batch:
                mapped.add(art, art.edges, art.content_hash, files[art.id])
                for graph, lines in art.graphs:
                    # a worker maps to the graph's own name; ``name`` (a remote build's staging graph) is applied here
                    yield graph, lines if name(graph) == graph else list(_renamed_lines(lines, graph, name(graph)))
                n += 1
            self.progress("articles", n, len(ids))
        self._check_cross_refs(mapped.refs, mapped.manifest, reader, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        edges = set(mapped.registry_edges).union(*mapped.edges.values())
        yield self.minter.closure_graph, self.closure_lines(edges, reasoner, name)

    def mapped_articles(self, mapper: _Mapper, ids: list[str], problems: list[Problem]) -> Iterator[list[MappedArticle]]:
        """The articles ``ids`` mapped, in batches, in order; their problems go to ``problems``.

        With ``self.jobs`` > 1 the batches are mapped in a pool of worker processes (the mapping
        is independent per article: reading the YAML, validating, building the triples), at most
        a few batches ahead of the caller so that memory stays that of a few batches. The order of
        the articles, hence of the graphs, is the one of ``ids`` whatever the number of workers.
        A failed worker fails the build; Ctrl-C stops the pool (the workers ignore it) and raises
        KeyboardInterrupt here.
        """
        # a small corpus still gives every worker some batches
        size = max(1, min(MAP_BATCH, len(ids) // (4 * self.jobs)))
        batches = [ids[i:i + size] for i in range(0, len(ids), size)]
        jobs = min(self.jobs, len(batches))
        if jobs <= 1:
            for batch in batches:
                arts, found = mapper.map(batch)
                problems.extend(found)
                yield arts
            return
        pool = ProcessPoolExecutor(jobs, mp_context=_mp_context(), initializer=_init_worker,
                                   initargs=(self.settings, mapper.ontology, mapper.registry,
                                             mapper.reader.schemas.checked()))
        pending: deque[Future[tuple[list[MappedArticle], list[Problem]]]] = deque()
        todo = iter(batches)
        try:
            for batch in todo:
                pending.append(pool.submit(_map_in_worker, batch))
                if len(pending) >= 4 * jobs:
                    break
            while pending:
                arts, found = pending.popleft().result()
                batch = next(todo, None)
                if batch is not None:
                    pending.append(pool.submit(_map_in_worker, batch))
                problems.extend(found)
                yield arts
        except BrokenProcessPool as e:
            raise StoreError(f"a mapping worker died ({e}); the build stopped, the previous store is intact") from e
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def closure_lines(self, edges: set[Triple], reasoner: Reasoner, name: Callable[[str], str] = str) -> list[str]:
        """The closure graph's lines, from the transitive edges of the registry and every article."""
        return list(nquads(sorted(reasoner.closure(edges)), name(self.minter.closure_graph)))

    def new_closure(self, previous: Manifest, mapped: Mapped, removed: list[str], reasoner: Reasoner,
                    name: Callable[[str], str] = str) -> list[str] | None:
        """The closure graph's lines after an incremental build, or None when the transitive edges of
        the changed and removed articles are the ones the previous build recorded (then the closure
        is unchanged). The other articles' edges come from the manifest, never from the store."""
        touched = mapped.ids + removed
        old = previous.edges_of(touched)
        if all(old.get(aid, set()) == mapped.edges.get(aid, set()) for aid in touched):
            return None
        edges = set(previous.all_edges(skip=touched)).union(*mapped.edges.values())
        return self.closure_lines(edges, reasoner, name)

    def changed_articles(self, reader: CorpusReader, previous: Manifest, watched: set[str] | None = None) -> Changes:
        """What changed since the build that wrote ``previous``.

        ``watched``: the ids of the only articles whose files changed since (the corpus watcher's
        journal, sahelkg.build.watch), each stat-ed and hashed. None: every file is stat-ed, and one whose
        (mtime, size) is the one the manifest recorded, and older than that build by more than the
        clock's slack, keeps its recorded hash without being read (as git's index does); the others
        are hashed."""
        if watched is not None:
            files = reader.article_stats(watched)
            recorded = previous.hashes(watched)
            removed = sorted(recorded.keys() - files.keys())
            changes = Changes(previous.count() + len(files.keys() - recorded.keys()) - len(removed), removed=removed)
            suspect = list(files)
        else:
            files = reader.article_files()
            before = previous.index()
            cutoff = previous.built_ns - RACY_NS
            changes = Changes(len(files), removed=sorted(before.keys() - files.keys()))
            suspect = [aid for aid, stat in files.items()
                       if before.get(aid) != stat or stat[0] >= cutoff or stat[2] >= cutoff]
            recorded = previous.hashes(suspect)
        for aid in sorted(suspect):
            content_hash, stat = reader.article_hash(aid), files[aid]
            if content_hash == recorded.get(aid):
                changes.restat[aid] = stat
            else:
                changes.changed.append(aid)
                changes.new[aid] = (content_hash, stat)
        return changes

    def _ontology_lines(self, ontology: Ontology, graph: str) -> Iterator[str]:
        """The ontology's triples in ``graph``, from the graph :func:`load_ontology` parsed (whatever
        syntax Protégé saved it in), blank nodes canonically labelled so two builds write the same quads."""
        from rdflib.compare import to_canonical_graph

        canonical = to_canonical_graph(ontology.graph).serialize(format="nt", encoding="utf-8").decode("utf-8")
        for line in sorted(filter(None, canonical.splitlines())):
            yield line[: line.rstrip().rfind(".")].rstrip() + f" {graph} .\n"

    def read_changed(self, reader: CorpusReader, registry: Registry, changes: Changes, previous: Manifest,
                     problems: list[Problem]) -> list[Article]:
        """The changed articles of an incremental build, validated, their ``same_as`` checked against
        themselves and the previous build's facts. Raises :class:`CorpusError` (nothing written yet)."""
        articles = list(iter_articles(reader, registry, changes.changed, problems))
        refs = [r for a in articles for r in same_as_refs(a)]
        self._check_cross_refs(refs, previous, reader, problems, mapped=articles, removed=changes.removed)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        return articles

    def _check_cross_refs(self, refs: list[tuple[str, str, str]], manifest: Manifest, reader: CorpusReader,
                          problems: list[Problem], *, mapped: Iterable[Article] = (), removed: Iterable[str] = ()) -> None:
        """Every ``same_as`` must name an event of an article: the ``mapped`` articles, or one the
        manifest holds (and not ``removed``)."""
        facts = {aid: set(f) for aid, f in manifest.facts({o.split("/", 1)[0] for _, _, o in refs} - set(removed)).items()}
        facts.update({a.id: set(a.fact_ids) for a in mapped})
        for article_id, event_id, other in refs:
            aid, fid = other.split("/", 1)
            if fid not in facts.get(aid, ()):
                problems.append(Problem(
                    str(reader.annotations_dir / f"{article_id}.yaml"), None,
                    f"event {event_id}: no event {fid!r} in article {aid!r}",
                ))

    # ---- full build
    def _full(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str],
              previous: Manifest | None = None) -> BuildResult:
        reasoner = Reasoner(ontology)
        before = self.layout.current()
        problems: list[Problem] = []
        registry = self.registry(reader, stamps, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        quads = 0
        self.layout.generations_dir.mkdir(parents=True, exist_ok=True)
        with self._new_generation(incremental=False) as gen:
            mapped = Mapped(Manifest.create(self._manifest_tmp(gen.path)))
            with _Loader(gen.store, self.layout.generations_dir) as loader:
                mark = time.perf_counter()
                for _, lines in self.full_graphs(ontology, reader, registry, reasoner, mapped, problems):
                    loader.write(lines)
                    quads += len(lines)
                mapping = time.perf_counter() - mark - loader.waited
                loader.finish()
            # mapping: the caller's own time; loading: bulk_load's, in parallel; load wait: the
            # caller's time waiting for a load (mapping + load wait is the stage's wall time)
            timings = {"mapping": mapping, "loading": loader.loading, "load wait": loader.waited}
            mark = time.perf_counter()
            diff = self._full_diff(gen, before, previous, mapped.manifest)
            if before is not None and previous is not None:
                timings["diff"] = time.perf_counter() - mark  # reading the changed articles' facts twice
            mark = time.perf_counter()
            release_free_memory()
            graph_warnings = self._validate_and_commit(gen, None, stamps, mapped.manifest, mapped.registry_edges)
            timings["shacl+commit"] = time.perf_counter() - mark
        return BuildResult(True, len(mapped.ids), sorted(mapped.ids), [], quads,
                           warnings=[p for p in problems if p.severity != "error"] + graph_warnings,
                           timings=timings, diff=diff)

    def _full_diff(self, gen: _Generation, before: Path | None, previous: Manifest | None,
                   manifest: Manifest) -> list[ArticleDiff]:
        """The facts changed by a full build in the articles whose content hash differs from the
        previous generation's (read from it, read-only); written beside the new generation."""
        if before is None or previous is None:  # a first build (or after one without a manifest): nothing to compare with
            write_diff(sidecar(self.layout, gen.path, DIFF), [], full=True, previous=None)
            return []
        old_hashes = dict(previous.conn.execute("SELECT id, hash FROM articles"))
        new_hashes = dict(manifest.conn.execute("SELECT id, hash FROM articles"))
        touched = sorted(aid for aid in old_hashes.keys() | new_hashes.keys() if old_hashes.get(aid) != new_hashes.get(aid))
        old_store = pyoxigraph.Store.read_only(str(before)) if touched else None
        diffs = []
        for aid in touched:
            g = self.minter.article_graph(aid)
            old = graph_facts(old_store, g) if aid in old_hashes else None  # type: ignore[arg-type]
            new = graph_facts(gen.store, g) if aid in new_hashes else None
            diffs.append(compare(aid, old, new))
        del old_store
        write_diff(sidecar(self.layout, gen.path, DIFF), diffs, full=True, previous=before.name)
        return diffs

    # ---- incremental build
    def _incremental(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str],
                     previous: Manifest) -> BuildResult:
        changes = self.changed_articles(reader, previous, self.seen.articles if self.seen else None)
        if not changes.changed and not changes.removed:
            current = self.layout.current()
            if changes.restat and current is not None:
                # the files whose stat changed were just hashed: record their stats and this build's time
                manifest = Manifest.copy(previous, self._manifest_tmp(current))
                manifest.set_stats(changes.restat)
                manifest.set_meta(stamps, self.started_ns, None)
                manifest.commit_as(manifest_path(self.layout, current))
            if current is not None:
                self._record_watched(current)
            return BuildResult(False, changes.total, up_to_date=True, reason="nothing changed")
        reasoner = Reasoner(ontology)
        problems: list[Problem] = []
        registry = self.registry(reader, stamps, problems)
        articles = self.read_changed(reader, registry, changes, previous, problems)
        quads = 0
        previous_name = self.layout.current().name  # type: ignore[union-attr]
        with self._new_generation(incremental=True) as gen:
            mapped = Mapped.following(previous, self._manifest_tmp(gen.path), changes)
            store = gen.store
            old_facts = {}  # the facts of the articles about to be replaced, for the diff
            for aid in changes.changed + changes.removed:
                graph = self.minter.article_graph(aid)
                if store.contains_named_graph(pyoxigraph.NamedNode(graph[1:-1])):
                    old_facts[aid] = graph_facts(store, graph)
                for g in (graph, self.minter.inferred_graph(f"article/{aid}")):
                    node = pyoxigraph.NamedNode(g[1:-1])
                    if store.contains_named_graph(node):
                        store.remove_graph(node)
            for n, article in enumerate(articles, 1):
                graphs, edges = self.article_graphs(article, registry, ontology, reasoner)
                lines = [line for _, part in graphs for line in part]
                store.load(input="".join(lines), format=pyoxigraph.RdfFormat.N_QUADS)
                quads += len(lines)
                mapped.add(article, edges, *changes.new[article.id])
                self.progress("articles", n, len(articles))
            closure_lines = self.new_closure(previous, mapped, changes.removed, reasoner)
            if closure_lines is not None:
                closure = pyoxigraph.NamedNode(self.minter.closure_graph[1:-1])
                if store.contains_named_graph(closure):
                    store.remove_graph(closure)
                store.load(input="".join(closure_lines), format=pyoxigraph.RdfFormat.N_QUADS)
            focus = [self.minter.article_graph(a.id) for a in articles]
            diff = [compare(aid, old_facts.get(aid), graph_facts(store, self.minter.article_graph(aid)))
                    for aid in changes.changed]
            diff += [compare(aid, old_facts.get(aid), None) for aid in changes.removed]
            diff.sort(key=lambda d: d.article)
            write_diff(sidecar(self.layout, gen.path, DIFF), diff, full=False, previous=previous_name)
            del store  # the generation holds the only handle, closed before the swap
            graph_warnings = self._validate_and_commit(gen, focus, stamps, mapped.manifest, None)
        return BuildResult(False, changes.total, mapped.ids, changes.removed, quads,
                           reason=f"{len(changes.changed)} changed, {len(changes.removed)} removed",
                           warnings=[p for p in problems if p.severity != "error"] + graph_warnings, diff=diff)

    def _manifest_tmp(self, generation_dir: Path) -> Path:
        return manifest_path(self.layout, generation_dir).with_suffix(".tmp")

    @contextmanager
    def _new_generation(self, *, incremental: bool) -> Iterator[_Generation]:
        """A new store generation to write into; removed again unless the block commits it."""
        gen = _Generation(self.layout.begin(incremental=incremental))
        try:
            yield gen
        except BaseException:
            gen.close()
            self.layout.abort(gen.path)
            raise

    def _validate_and_commit(self, gen: _Generation, graphs: list[str] | None, stamps: dict[str, str],
                             manifest: Manifest, registry_edges: set[Triple] | None) -> list[Problem]:
        """SHACL over ``graphs`` (None: all); then close the store, write the manifest, swap atomically.
        Returns the SHACL warnings (a violation raises :class:`GraphError`).

        The store is closed before the swap: readers (the endpoint's workers) open the new
        generation read-only as soon as the link points at it, and pyoxigraph leaves reading a
        store that another handle still writes undefined.
        """
        from sahelkg.graph.shacl import validate_graphs

        report = validate_graphs(gen.store, self.settings.shapes_file, graphs, self.settings)
        violations = [v for v in report if v.severity == "error"]
        if violations:
            raise GraphError(violations)
        gen.store.flush()
        gen.close()
        self.layout.seal(gen.path)  # what its files are now: a later write shows (StoreLayout.changed_since_build)
        manifest.set_meta(stamps, self.started_ns, registry_edges)
        manifest.commit_as(manifest_path(self.layout, gen.path))
        self._record_watched(gen.path)
        self.layout.commit(gen.path)
        return [w for w in report if w.severity != "error"]

    def registry(self, reader: CorpusReader, stamps: dict[str, str], problems: list[Problem]) -> Registry:
        """The validated registry: from the cache when a build already validated the same registry
        files with the same ontology, schemas and code (keyed by their hashes), else read, validated
        and cached.

        The cache is one pickle in ``<store>.d/`` (an embedded store) or ``<project>/build/cache/`` (a
        remote one); a different registry replaces it.
        """
        schemas = _file_hash(*sorted(reader.schema_dir.glob("*.json")))
        path = self._cache_path("registry", stamps["registry"], stamps["ontology"], schemas, GRAPH_FORMAT, __version__)
        cached = _read_pickle(path)
        if isinstance(cached, tuple) and len(cached) == 3 and isinstance(cached[0], Registry):
            problems.extend(cached[1])
            reader.schemas.vouch(cached[2])  # the same schema files, checked by the build that cached this
            return cached[0]
        found: list[Problem] = []
        registry = reader.read_registry(found)
        problems.extend(found)
        if not [p for p in found if p.severity == "error"]:
            _replace_cache(path, (registry, found, reader.schemas.checked()))
        return registry

    def ontology(self) -> Ontology:
        """The parsed ontology: from the cache when the same file was parsed by the same code (keyed
        by the hashes of both), else parsed and cached. Parsing it takes 0.2 s, a fifth of what
        an incremental build of one article may take; unpickling, 0.02 s."""
        from sahelkg.graph import ontology as module

        file = self.settings.ontology_file
        path = self._cache_path("ontology", str(file), _file_hash(file, Path(module.__file__)), __version__)
        cached = _read_pickle(path)
        if isinstance(cached, Ontology):
            return cached
        ontology = load_ontology(file)
        _replace_cache(path, ontology)
        return ontology

    def _cache_path(self, kind: str, *key: str) -> Path:
        """Where a cache of ``kind`` for ``key`` is: ``<store>.d/`` (an embedded store) or
        ``<project>/build/cache/`` (a remote one); one file per kind, named by the key's hash."""
        folder = (self.settings.root / "build" / "cache") if self.settings.store_is_remote else self.layout.generations_dir
        return folder / f"{kind}-{hashlib.sha256(chr(0).join(key).encode()).hexdigest()[:32]}.pickle"


class RemoteBuild:
    """A build into a remote SPARQL server (:class:`sahelkg.store.remote.RemoteStore`).

    The same mapping, inference and SHACL as the embedded build; what differs is how the graphs
    reach the store without readers or a failure seeing half of them:

    1. every graph to write that the server already has is uploaded under a staging name
       (``<base>graph/staging/<build>/...``), a new graph under its own name, in batches; a failed
       upload drops what was uploaded and says which graph failed;
    2. the swap moves each live graph it replaces to a backup name and its staging graph into
       place (SPARQL Update ``MOVE``, one request per batch of graphs);
    3. SHACL runs on the server (the compiled shapes are SPARQL); on a violation the backups are
       moved back, so the server holds what it held before;
    4. the manifest (the content hashes that make the next build incremental) is written into
       ``<base>graph/build``, and the backups are dropped.
    """

    def __init__(self, builder: Builder, store: Any) -> None:
        self.builder = builder
        self.store = store
        self.minter = builder.minter
        self.build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        self.manifest_graph = self.minter.graph + BUILD_GRAPH
        self.batch_bytes = store.batch_bytes
        self.existing: set[str] = set()  # the graphs the server holds before this build

    # ---- names
    def _renamed(self, graph: str, kind: str) -> str:
        """``<base>graph/X`` -> ``<base>graph/<kind><build>/X``."""
        rest = graph.strip("<>")[len(self.minter.graph):]
        return f"<{self.minter.graph}{kind}{self.build_id}/{rest}>"

    def staging(self, graph: str) -> str:
        return self._renamed(graph, STAGING)

    def backup(self, graph: str) -> str:
        return self._renamed(graph, BACKUP)

    def unstaged(self, staged: str) -> str:
        """The final name of a staging graph (for messages)."""
        return staged.replace(f"{self.minter.graph}{STAGING}{self.build_id}/", self.minter.graph, 1)

    # ---- manifest
    def read_manifest(self) -> Manifest | None:
        """The manifest the last build left on the server (in memory), or None."""
        data = self.store.read_manifest(self.minter.graph)
        if data is None:
            return None
        try:
            return Manifest.from_json(data)
        except (KeyError, ValueError, TypeError, AttributeError):
            return None  # not a manifest this version can read: the build is full

    def write_manifest(self, manifest: Manifest, stamps: dict[str, str], registry_edges: set[Triple] | None) -> None:
        manifest.set_meta(stamps, self.builder.started_ns, registry_edges)
        literal = pyoxigraph.Literal(manifest.to_json(built=int(time.time())))
        line = f"<{self.manifest_graph}> <{MANIFEST_PREDICATE}> {literal} <{self.manifest_graph}> .\n"
        staged = self.staging(f"<{self.manifest_graph}>")
        self.store.upload([(staged.strip("<>"), [line.replace(f"<{self.manifest_graph}> .\n", f"{staged} .\n")])])
        self.store.move_graphs([(staged.strip("<>"), self.manifest_graph)])

    def leftovers(self) -> list[str]:
        """Staging and backup graphs a killed build left behind."""
        prefixes = (self.minter.graph + STAGING, self.minter.graph + BACKUP)
        return [g.value for g in self.store.named_graphs() if g.value.startswith(prefixes)]

    # ---- the run
    def run(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str], *, full: bool) -> BuildResult:
        b = self.builder
        store = self.store
        self.store.drop_graphs(self.leftovers())
        previous = self.read_manifest()
        reason = b.full_reason(full, previous, stamps, exists=previous is not None)
        before = previous.index() if previous is not None else {}
        self.existing = self.graphs_of(before) if previous is not None else set(store.data_graphs(self.minter.graph))
        reasoner = Reasoner(ontology)
        problems: list[Problem] = []
        if reason:
            ids = reader.article_ids()
            changes = Changes(len(ids), removed=sorted(set(before) - set(ids)))
        else:
            changes = b.changed_articles(reader, previous)  # type: ignore[arg-type]
            if not changes.changed and not changes.removed:
                return BuildResult(False, changes.total, up_to_date=True, reason="nothing changed")
        registry = b.registry(reader, stamps, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        mapped = Mapped(Manifest.create(MEMORY)) if reason else Mapped.following(previous, MEMORY, changes)  # type: ignore[arg-type]
        written: list[str] = []
        quads = 0

        def staged(graphs: Iterator[tuple[str, list[str]]]) -> Iterator[tuple[str, list[str]]]:
            nonlocal quads
            for graph, lines in graphs:
                written.append(graph.strip("<>"))
                quads += len(lines)
                yield self.upload_name(graph).strip("<>"), lines

        try:
            if reason:
                self.batch_bytes = store.upload(staged(b.full_graphs(ontology, reader, registry, reasoner, mapped,
                                                                     problems, self.upload_name)), self.unstaged)
            else:
                articles = b.read_changed(reader, registry, changes, previous, problems)  # type: ignore[arg-type]

                def changed_graphs() -> Iterator[tuple[str, list[str]]]:
                    for n, article in enumerate(articles, 1):
                        graphs, edges = b.article_graphs(article, registry, ontology, reasoner, self.upload_name)
                        mapped.add(article, edges, *changes.new[article.id])
                        yield from graphs
                        b.progress("articles", n, len(articles))
                    lines = b.new_closure(previous, mapped, changes.removed, reasoner, self.upload_name)  # type: ignore[arg-type]
                    if lines is not None:
                        yield self.minter.closure_graph, lines

                self.batch_bytes = store.upload(staged(changed_graphs()), self.unstaged)
        except BaseException:
            store.drop_graphs([self.upload_name(f"<{g}>").strip("<>") for g in written])
            raise
        gone = [g.strip("<>") for aid in changes.removed
                for g in (self.minter.article_graph(aid), self.minter.inferred_graph(f"article/{aid}"))]
        self._swap(written, gone)
        focus = None if reason else [self.minter.article_graph(aid) for aid in changes.changed]
        try:
            from sahelkg.graph.shacl import validate_graphs

            b.progress("validating", 0, 1)
            report = validate_graphs(store, b.settings.shapes_file, focus, b.settings)
            violations = [v for v in report if v.severity == "error"]
            problems += [v for v in report if v.severity != "error"]
            b.progress("validating", 1, 1)
            if violations:
                raise GraphError(violations)
        except BaseException:
            self._restore(written, gone)
            raise
        self.write_manifest(mapped.manifest, stamps, mapped.registry_edges if reason else None)  # an incremental one keeps the previous edges
        store.drop_graphs([self.backup(f"<{g}>").strip("<>") for g in written + gone if g in self.existing])
        return BuildResult(bool(reason), changes.total, sorted(mapped.ids), changes.removed, quads, reason=reason or
                           f"{len(changes.changed)} changed, {len(changes.removed)} removed",
                           warnings=[p for p in problems if p.severity != "error"])

    def graphs_of(self, article_ids: Iterable[str]) -> set[str]:
        """The graphs a build of these articles wrote."""
        m = self.minter
        graphs = {m.ontology_graph, m.registry_graph, m.inferred_graph("registry"), m.closure_graph}
        for aid in article_ids:
            graphs |= {m.article_graph(aid), m.inferred_graph(f"article/{aid}")}
        return {g.strip("<>") for g in graphs}

    def upload_name(self, graph: str) -> str:
        """Where a graph is uploaded: under a staging name if the server has it already, else under its
        own name (a graph that did not exist is simply dropped again if the build fails)."""
        return self.staging(graph) if graph.strip("<>") in self.existing else graph

    def _swap(self, written: list[str], gone: list[str]) -> None:
        replaced = [g for g in written if g in self.existing]
        moves = [(g, self.backup(f"<{g}>").strip("<>")) for g in replaced + gone]
        moves += [(self.staging(f"<{g}>").strip("<>"), g) for g in replaced]
        self.builder.progress("swapping", 0, 1)
        try:
            self.store.move_graphs(moves)
        except BaseException:
            self._restore(written, gone)
            raise
        self.builder.progress("swapping", 1, 1)

    def _restore(self, written: list[str], gone: list[str]) -> None:
        """Put the backups back in place and drop what this build wrote."""
        replaced = [g for g in written if g in self.existing]
        self.store.move_graphs([(self.backup(f"<{g}>").strip("<>"), g) for g in replaced + gone])
        self.store.drop_graphs([self.staging(f"<{g}>").strip("<>") for g in replaced]
                               + [g for g in written if g not in self.existing])


def build(settings: Settings, *, full: bool = False, progress: Progress | None = None,
          jobs: int | None = None) -> BuildResult:
    """Build the store at ``settings.store`` from the ontology and the corpus.

    :param jobs: processes that map the articles of a full build (default: the cores this process
        may run on, :func:`default_jobs`); the store is the same whatever their number.

    :raises CorpusError: the corpus does not validate (nothing is written).
    :raises GraphError: the built graph violates the SHACL shapes (the previous store is kept).
    :raises BuildInterrupted: Ctrl-C (the previous store is kept).
    """
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: give 1 or more processes")
    return Builder(settings, progress, jobs).run(full=full)

