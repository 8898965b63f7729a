"""The build: ontology + corpus -> validated, inferred, SHACL-checked graph in a new store generation.

Stages, in order (each failure leaves the current store untouched):

1. decide full or incremental from content hashes (ontology and shapes, registry, each article,
   the base IRI and the graph format version) recorded in the previous generation's manifest;
2. validate the registry and the articles that changed (all errors reported at once);
3. map them to triples (:mod:`sahelkg.rdf`) and infer (:mod:`sahelkg.inference`);
4. write a new store generation: a full build bulk-loads a streamed N-Quads file into an
   empty store; an incremental build starts from a hard-linked checkpoint of the current
   generation and replaces only the changed graphs (plus the transitive closure if needed);
5. validate with the SHACL shapes (:mod:`sahelkg.shacl`);
6. write the manifest and swap the store link atomically (:mod:`sahelkg.store`).
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph

from sahelkg import __version__
from sahelkg.corpus import Article, CorpusReader, Registry, iter_articles
from sahelkg.errors import BuildInterrupted, CorpusError, GraphError, Problem, StoreError
from sahelkg.inference import Reasoner, Triple
from sahelkg.ontology import Ontology, load_ontology
from sahelkg.rdf import Minter, article_triples, nquads, registry_triples
from sahelkg.remote import BACKUP, BUILD_GRAPH, MANIFEST_PREDICATE, STAGING
from sahelkg.settings import Settings
from sahelkg.store import StoreLayout

GRAPH_FORMAT = "2"  # bump when the mapping or the manifest changes: it forces a full rebuild
LOAD_CHUNK_QUADS = 1_000_000  # measured at 10k articles: 8 loads of 0.86M quads 1083 MiB, one of 6.9M 1886 MiB
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


@dataclass
class Mapped:
    """What mapping articles gave besides their quads: manifest entries, cross-references, edges."""

    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: list[tuple[str, str, str]] = field(default_factory=list)
    edges: set[Triple] = field(default_factory=set)
    registry_edges: list[list[str]] = field(default_factory=list)

    def add(self, article: Article, content_hash: str, edges: set[Triple], stat: list[int] | None = None) -> None:
        """Record an article: its manifest entry keeps its content hash, the (mtime, size) of its files
        that let the next build skip hashing it, its fact ids (cross-references) and its transitive
        edges (the closure is recomputed from the manifests' edges, never by scanning the store)."""
        self.articles[article.id] = {"hash": content_hash, "stat": stat, "facts": sorted(article.fact_ids),
                                     "edges": sorted(list(e) for e in edges)}
        self.refs.extend((article.id, e.id, o) for e in article.events for o in e.same_as)
        self.edges |= edges


def _file_hash(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0")
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


def manifest_path(layout: StoreLayout, generation_dir: Path) -> Path:
    return sidecar(layout, generation_dir, "manifest.json")


def sidecar(layout: StoreLayout, generation_dir: Path, what: str) -> Path:
    """A file kept beside a generation (``gen-N.<what>``), pruned with it."""
    return layout.generations_dir / f"{generation_dir.name}.{what}"


def article_stat(reader: CorpusReader, article_id: str) -> list[int]:
    """``[mtime_ns, size]`` of an article's text then of its annotation file (0, 0 when missing)."""
    out = []
    for p in (reader.articles_dir / f"{article_id}.txt", reader.annotations_dir / f"{article_id}.yaml"):
        try:
            st = p.stat()
            out += [st.st_mtime_ns, st.st_size]
        except FileNotFoundError:
            out += [0, 0]
    return out


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
        return time.perf_counter() - start

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


def _write_pickle(path: Path, value: object) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)


def _read_pickle(path: Path) -> object | None:
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def read_manifest(layout: StoreLayout) -> dict[str, Any] | None:
    """The manifest of the current generation, or None (no store, or a store made elsewhere)."""
    current = layout.current()
    if current is None:
        return None
    path = manifest_path(layout, current)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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
        """Drop the handle: pyoxigraph closes the database when its last reference goes."""
        self._store = None
        gc.collect()


class Builder:
    """One build run."""

    def __init__(self, settings: Settings, progress: Progress | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda stage, done, total: None)
        self.layout = StoreLayout(settings.store)
        self.minter = Minter(settings.base_iri)
        self.started_ns = time.time_ns()

    # ---- inputs
    def _inputs(self) -> tuple[Ontology, CorpusReader, dict[str, str]]:
        ontology = load_ontology(self.settings.ontology_file)
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
                from sahelkg.remote import RemoteStore

                result = RemoteBuild(self, RemoteStore(self.settings.store)).run(ontology, reader, stamps, full=full)
            else:
                result = self._embedded(ontology, reader, stamps, full=full)
        except KeyboardInterrupt as e:
            raise BuildInterrupted("build interrupted; the previous store is intact") from e
        result.seconds = time.perf_counter() - start
        result.store = str(self.settings.store if self.settings.store_is_remote else self.layout.path)
        return result

    @staticmethod
    def full_reason(full: bool, previous: dict[str, Any] | None, stamps: dict[str, str], exists: bool) -> str:
        """Why the build must be full ("" if an incremental build will do)."""
        if full:
            return "--full asked"
        if previous is None:
            return "no previous build" if not exists else "the store has no build manifest"
        changed = [k for k, v in stamps.items() if previous.get("stamps", {}).get(k) != v]
        return f"changed: {', '.join(changed)}" if changed else ""

    def _embedded(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str], *, full: bool) -> BuildResult:
        with _build_lock(self.layout):
            self._remove_leftovers()
            previous = read_manifest(self.layout)
            reason = self.full_reason(full, previous, stamps, self.layout.exists())
            if reason:
                result = self._full(ontology, reader, stamps)
            else:
                result = self._incremental(ontology, reader, stamps, previous)  # type: ignore[arg-type]
            result.reason = reason or result.reason
        return result

    def _remove_leftovers(self) -> None:
        # What a crashed or killed build left (we hold the build lock, so no build is running):
        # its streamed N-Quads file, and generations without a manifest, never committed.
        for tmp in self.layout.generations_dir.glob("*.nq"):
            tmp.unlink(missing_ok=True)
        current = self.layout.current()
        for p in self.layout.generations_dir.glob("gen-*"):
            if p.is_dir() and (current is None or p.resolve() != current) and not manifest_path(self.layout, p).exists():
                self.layout.abort(p)

    # ---- mapping (shared by the embedded and the remote build)
    def article_graphs(self, article: Article, registry: Registry, ontology: Ontology, reasoner: Reasoner,
                       name: Callable[[str], str] = str) -> tuple[list[tuple[str, list[str]]], set[Triple]]:
        """``[(graph, N-Quads lines)]`` of one article (its graph and its inferred graph), and its
        transitive edges. ``name`` maps each graph IRI to the one written (a staging graph)."""
        triples = article_triples(article, registry, ontology, self.minter)
        inferred = reasoner.entail(triples)
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
        reg = list(registry_triples(registry, self.minter))
        reg_inferred = reasoner.entail(reg)
        g, gi = self.minter.registry_graph, self.minter.inferred_graph("registry")
        yield g, list(nquads(reg, name(g)))
        yield gi, list(nquads(sorted(reg_inferred), name(gi)))
        reg_edges = reasoner.transitive_edges(reg) | reasoner.transitive_edges(reg_inferred)
        mapped.edges |= reg_edges
        mapped.registry_edges = sorted(list(e) for e in reg_edges)
        ids = reader.article_ids()
        for n, article in enumerate(iter_articles(reader, registry, ids, problems), 1):
            graphs, edges = self.article_graphs(article, registry, ontology, reasoner, name)
            mapped.add(article, reader.article_hash(article.id), edges, article_stat(reader, article.id))
            yield from graphs
            self.progress("articles", n, len(ids))
        self._check_cross_refs(mapped.refs, {a: m["facts"] for a, m in mapped.articles.items()}, reader, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        g = self.minter.closure_graph
        yield g, list(nquads(sorted(reasoner.closure(mapped.edges)), name(g)))

    def closure_lines(self, articles: dict[str, dict[str, Any]], registry_edges: list[list[str]],
                      reasoner: Reasoner, name: Callable[[str], str] = str) -> list[str]:
        """The closure graph's lines from the transitive edges the manifest entries keep (of the
        registry and of every article), so an incremental build never scans the store for them."""
        edges: set[Triple] = {tuple(e) for e in registry_edges}  # type: ignore[misc]
        for entry in articles.values():
            edges.update(tuple(e) for e in entry.get("edges") or ())  # type: ignore[misc]
        return list(nquads(sorted(reasoner.closure(edges)), name(self.minter.closure_graph)))

    def changed_articles(self, reader: CorpusReader, ids: list[str], before: dict[str, dict[str, Any]],
                         built_ns: int) -> tuple[list[str], dict[str, str], dict[str, list[int]]]:
        """``(changed ids, content hashes, file stats)``: a file whose (mtime, size) is the one the
        manifest recorded, and older than the last build by more than the clock's slack, keeps its
        recorded hash without being read (as git's index does)."""
        hashes: dict[str, str] = {}
        stats: dict[str, list[int]] = {}
        for aid in ids:
            stat = article_stat(reader, aid)
            stats[aid] = stat
            entry = before.get(aid, {})
            if entry.get("stat") == stat and max(stat[0], stat[2]) < built_ns - RACY_NS:
                hashes[aid] = entry["hash"]
            else:
                hashes[aid] = reader.article_hash(aid)
        return [aid for aid in ids if before.get(aid, {}).get("hash") != hashes[aid]], hashes, stats

    def _ontology_lines(self, ontology: Ontology, graph: str) -> Iterator[str]:
        """The ontology's triples in ``graph``, from the graph :func:`load_ontology` parsed (whatever
        syntax Protégé saved it in), blank nodes canonically labelled so two builds write the same quads."""
        from rdflib.compare import to_canonical_graph

        canonical = to_canonical_graph(ontology.graph).serialize(format="nt", encoding="utf-8").decode("utf-8")
        for line in sorted(filter(None, canonical.splitlines())):
            yield line[: line.rstrip().rfind(".")].rstrip() + f" {graph} .\n"

    def _check_cross_refs(self, refs: list[tuple[str, str, str]], facts: dict[str, list[str]],
                          reader: CorpusReader, problems: list[Problem]) -> None:
        for article_id, event_id, other in refs:
            aid, fid = other.split("/", 1)
            if fid not in facts.get(aid, ()):
                problems.append(Problem(
                    str(reader.annotations_dir / f"{article_id}.yaml"), None,
                    f"event {event_id} same_as: no event {fid!r} in article {aid!r}",
                ))

    # ---- full build
    def _full(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str]) -> BuildResult:
        reasoner = Reasoner(ontology)
        problems: list[Problem] = []
        registry = self.registry(reader, stamps, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        mapped = Mapped()
        quads = 0
        timings = {"mapping": 0.0, "loading": 0.0}
        self.layout.generations_dir.mkdir(parents=True, exist_ok=True)
        with self._new_generation(incremental=False) as gen:
            # N-Quads go to a file of at most LOAD_CHUNK_QUADS lines, bulk-loaded as soon as it is full:
            # bulk_load's memory follows the size of what it is given, not the corpus.
            chunk: _Chunk | None = None
            try:
                mark = time.perf_counter()
                for _, lines in self.full_graphs(ontology, reader, registry, reasoner, mapped, problems):
                    if chunk is None:
                        chunk = _Chunk(self.layout.generations_dir)
                    chunk.write(lines)
                    quads += len(lines)
                    if chunk.lines >= LOAD_CHUNK_QUADS:
                        timings["mapping"] += time.perf_counter() - mark
                        timings["loading"] += chunk.load_into(gen.store)
                        chunk, mark = None, time.perf_counter()
                timings["mapping"] += time.perf_counter() - mark
                if chunk is not None:
                    timings["loading"] += chunk.load_into(gen.store)
            finally:
                if chunk is not None:
                    chunk.discard()
            mark = time.perf_counter()
            self._validate_and_commit(gen, None, stamps, mapped.articles, mapped.registry_edges, registry)
            timings["shacl+commit"] = time.perf_counter() - mark
        return BuildResult(True, len(mapped.articles), sorted(mapped.articles), [], quads,
                           warnings=[p for p in problems if p.severity != "error"], timings=timings)

    # ---- incremental build
    def _incremental(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str],
                     previous: dict[str, Any]) -> BuildResult:
        ids = reader.article_ids()
        before = previous.get("articles", {})
        changed, hashes, stats = self.changed_articles(reader, ids, before, previous.get("built_ns", 0))
        removed = sorted(set(before) - set(ids))
        if not changed and not removed:
            if any(before.get(aid, {}).get("stat") != stats[aid] for aid in ids):
                # every file was just checked against its hash: record the new stats (and this time)
                self._write_manifest(self.layout.current(), stamps, {aid: dict(before[aid], stat=stats[aid]) for aid in ids},
                                     previous.get("registry_edges", []))
            return BuildResult(False, len(ids), up_to_date=True, reason="nothing changed")
        reasoner = Reasoner(ontology)
        problems: list[Problem] = []
        registry = self.registry(reader, stamps, problems)
        articles = list(iter_articles(reader, registry, changed, problems))
        facts = {aid: m["facts"] for aid, m in before.items() if aid not in removed}
        for a in articles:
            facts[a.id] = sorted(a.fact_ids)
        refs = [(a.id, e.id, o) for a in articles for e in a.events for o in e.same_as]
        self._check_cross_refs(refs, facts, reader, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        manifest_articles = {aid: m for aid, m in before.items() if aid not in removed}
        quads = 0
        with self._new_generation(incremental=True) as gen:
            store = gen.store
            edges_changed = any(before.get(aid, {}).get("edges") for aid in changed + removed)
            mapped = Mapped()
            for aid in changed + removed:
                for g in (self.minter.article_graph(aid), self.minter.inferred_graph(f"article/{aid}")):
                    node = pyoxigraph.NamedNode(g[1:-1])
                    if store.contains_named_graph(node):
                        store.remove_graph(node)
            for n, article in enumerate(articles, 1):
                graphs, art_edges = self.article_graphs(article, registry, ontology, reasoner)
                lines = [line for _, part in graphs for line in part]
                store.load(input="".join(lines), format=pyoxigraph.RdfFormat.N_QUADS)
                quads += len(lines)
                edges_changed = edges_changed or bool(art_edges)
                mapped.add(article, hashes[article.id], art_edges, stats[article.id])
                self.progress("articles", n, len(articles))
            manifest_articles.update(mapped.articles)
            if edges_changed:
                closure = pyoxigraph.NamedNode(self.minter.closure_graph[1:-1])
                lines = self.closure_lines(manifest_articles, previous.get("registry_edges", []), reasoner)
                if store.contains_named_graph(closure):
                    store.remove_graph(closure)
                store.load(input="".join(lines), format=pyoxigraph.RdfFormat.N_QUADS)
            graphs = [self.minter.article_graph(a.id) for a in articles]
            del store  # the generation holds the only handle, closed before the swap
            self._validate_and_commit(gen, graphs, stamps, manifest_articles, previous.get("registry_edges", []), registry)
        return BuildResult(False, len(ids), [a.id for a in articles], removed, quads, reason=f"{len(changed)} changed, {len(removed)} removed")

    @contextmanager
    def _new_generation(self, *, incremental: bool) -> Iterator[_Generation]:
        """A new store generation to write into; removed again unless the block commits it."""
        gen = _Generation(self.layout.begin(incremental=incremental))
        try:
            yield gen
        except BaseException:
            gen.close()
            self.layout.abort(gen.path)
            manifest_path(self.layout, gen.path).unlink(missing_ok=True)
            raise

    def _validate_and_commit(self, gen: _Generation, graphs: list[str] | None, stamps: dict[str, str],
                             articles: dict[str, Any], registry_edges: list[list[str]], registry: Registry) -> None:
        """SHACL over ``graphs`` (None: all); then close the store, write the manifest, swap atomically.

        The store is closed before the swap: readers (the endpoint's workers) open the new
        generation read-only as soon as the link points at it, and pyoxigraph leaves reading a
        store that another handle still writes undefined.
        """
        from sahelkg.shacl import validate_graphs

        report = validate_graphs(gen.store, self.settings.shapes_file, graphs, self.settings)
        violations = [v for v in report if v.severity == "error"]
        if violations:
            raise GraphError(violations)
        gen.store.flush()
        gen.close()
        self._write_manifest(gen.path, stamps, articles, registry_edges)
        self.layout.commit(gen.path)

    def registry(self, reader: CorpusReader, stamps: dict[str, str], problems: list[Problem]) -> Registry:
        """The validated registry: from the cache when a build already validated the same registry
        files with the same ontology, schemas and code (keyed by their hashes), else read, validated
        and cached.

        The cache is one pickle in ``<store>.d/`` (an embedded store) or ``<project>/build/cache/`` (a
        remote one); a different registry replaces it.
        """
        schemas = _file_hash(*sorted(reader.schema_dir.glob("*.json")))
        key = hashlib.sha256("\0".join((stamps["registry"], stamps["ontology"], schemas, GRAPH_FORMAT, __version__))
                             .encode()).hexdigest()
        folder = (self.settings.root / "build" / "cache") if self.settings.store_is_remote else self.layout.generations_dir
        path = folder / f"registry-{key[:32]}.pickle"
        cached = _read_pickle(path)
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], Registry):
            problems.extend(cached[1])
            return cached[0]
        found: list[Problem] = []
        registry = reader.read_registry(found)
        problems.extend(found)
        if not [p for p in found if p.severity == "error"]:
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("registry-*.pickle"):
                old.unlink(missing_ok=True)
            _write_pickle(path, (registry, found))
        return registry

    def _write_manifest(self, new: Path | None, stamps: dict[str, str], articles: dict[str, Any],
                        registry_edges: list[list[str]]) -> None:
        if new is None:
            return
        path = manifest_path(self.layout, new)
        tmp = path.with_suffix(".tmp")
        manifest = {"stamps": stamps, "articles": articles, "registry_edges": registry_edges,
                    "built_ns": self.started_ns}
        tmp.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


class RemoteBuild:
    """A build into a remote SPARQL server (:class:`sahelkg.remote.RemoteStore`).

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
    def write_manifest(self, stamps: dict[str, str], articles: dict[str, Any], registry_edges: list[list[str]]) -> None:
        text = json.dumps({"stamps": stamps, "articles": articles, "registry_edges": registry_edges,
                           "built": int(time.time()), "built_ns": self.builder.started_ns}, sort_keys=True)
        literal = pyoxigraph.Literal(text)
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
        previous = store.read_manifest(self.minter.graph)
        self.registry_edges: list[list[str]] = (previous or {}).get("registry_edges", [])
        reason = b.full_reason(full, previous, stamps, exists=previous is not None)
        self.existing = self.graphs_of(previous) if previous is not None else set(store.data_graphs(self.minter.graph))
        reasoner = Reasoner(ontology)
        problems: list[Problem] = []
        ids = reader.article_ids()
        before = {} if reason else previous.get("articles", {})  # type: ignore[union-attr]
        removed = sorted(set((previous or {}).get("articles", {})) - set(ids))
        if reason:
            changed = ids
        else:
            changed, hashes, stats = b.changed_articles(reader, ids, before, previous.get("built_ns", 0))  # type: ignore[union-attr]
            if not changed and not removed:
                return BuildResult(False, len(ids), up_to_date=True, reason="nothing changed")
        registry = b.registry(reader, stamps, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        mapped = Mapped()
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
                articles = list(iter_articles(reader, registry, changed, problems))
                facts = {aid: m["facts"] for aid, m in before.items() if aid not in removed}
                for a in articles:
                    facts[a.id] = sorted(a.fact_ids)
                b._check_cross_refs([(a.id, e.id, o) for a in articles for e in a.events for o in e.same_as],
                                    facts, reader, problems)
                if [p for p in problems if p.severity == "error"]:
                    raise CorpusError(problems)

                def changed_graphs() -> Iterator[tuple[str, list[str]]]:
                    for n, article in enumerate(articles, 1):
                        graphs, edges = b.article_graphs(article, registry, ontology, reasoner, self.upload_name)
                        mapped.add(article, hashes[article.id], edges, stats[article.id])
                        yield from graphs
                        b.progress("articles", n, len(articles))
                    if mapped.edges or any(before.get(aid, {}).get("edges") for aid in changed + removed):
                        kept = {aid: m for aid, m in before.items() if aid not in removed} | mapped.articles
                        yield self.minter.closure_graph, b.closure_lines(kept, self.registry_edges, reasoner,
                                                                         self.upload_name)

                self.batch_bytes = store.upload(staged(changed_graphs()), self.unstaged)
        except BaseException:
            store.drop_graphs([self.upload_name(f"<{g}>").strip("<>") for g in written])
            raise
        gone = [g.strip("<>") for aid in removed
                for g in (self.minter.article_graph(aid), self.minter.inferred_graph(f"article/{aid}"))]
        self._swap(written, gone)
        focus = None if reason else [self.minter.article_graph(aid) for aid in changed]
        try:
            from sahelkg.shacl import validate_graphs

            b.progress("validating", 0, 1)
            violations = [v for v in validate_graphs(store, b.settings.shapes_file, focus, b.settings) if v.severity == "error"]
            b.progress("validating", 1, 1)
            if violations:
                raise GraphError(violations)
        except BaseException:
            self._restore(written, gone)
            raise
        articles_manifest = dict(before) | mapped.articles
        for aid in removed:
            articles_manifest.pop(aid, None)
        self.write_manifest(stamps, articles_manifest, mapped.registry_edges if reason else self.registry_edges)
        store.drop_graphs([self.backup(f"<{g}>").strip("<>") for g in written + gone if g in self.existing])
        return BuildResult(bool(reason), len(ids), sorted(mapped.articles), removed, quads, reason=reason or
                           f"{len(changed)} changed, {len(removed)} removed",
                           warnings=[p for p in problems if p.severity != "error"])

    def graphs_of(self, manifest: dict[str, Any]) -> set[str]:
        """The graphs a build with this manifest wrote."""
        m = self.minter
        graphs = {m.ontology_graph, m.registry_graph, m.inferred_graph("registry"), m.closure_graph}
        for aid in manifest.get("articles", {}):
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


def build(settings: Settings, *, full: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build the store at ``settings.store`` from the ontology and the corpus.

    :raises CorpusError: the corpus does not validate (nothing is written).
    :raises GraphError: the built graph violates the SHACL shapes (the previous store is kept).
    :raises BuildInterrupted: Ctrl-C (the previous store is kept).
    """
    return Builder(settings, progress).run(full=full)

