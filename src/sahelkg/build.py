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
from sahelkg.settings import Settings
from sahelkg.store import StoreLayout

GRAPH_FORMAT = "1"  # bump when the mapping changes: it forces a full rebuild
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


def _file_hash(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0")
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


def manifest_path(layout: StoreLayout, generation_dir: Path) -> Path:
    return layout.generations_dir / f"{generation_dir.name}.manifest.json"


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
        if self.settings.store_is_remote:
            raise StoreError("building into a remote SPARQL store is not supported yet; give a directory as --store")
        start = time.perf_counter()
        ontology, reader, stamps = self._inputs()
        with _build_lock(self.layout):
            self._remove_leftovers()
            previous = read_manifest(self.layout)
            reason = ""
            if full:
                reason = "--full asked"
            elif previous is None:
                reason = "no previous build" if not self.layout.exists() else "the store has no build manifest"
            else:
                changed = [k for k, v in stamps.items() if previous.get("stamps", {}).get(k) != v]
                if changed:
                    reason = f"changed: {', '.join(changed)}"
            try:
                if reason:
                    result = self._full(ontology, reader, stamps)
                else:
                    result = self._incremental(ontology, reader, stamps, previous)  # type: ignore[arg-type]
            except KeyboardInterrupt as e:
                raise BuildInterrupted("build interrupted; the previous store is intact") from e
            result.reason = reason or result.reason
        result.seconds = time.perf_counter() - start
        result.store = str(self.layout.path)
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

    # ---- mapping
    def _article_quads(self, article: Article, registry: Registry, ontology: Ontology,
                       reasoner: Reasoner) -> tuple[list[str], set[Triple]]:
        triples = article_triples(article, registry, ontology, self.minter)
        inferred = reasoner.entail(triples)
        lines = list(nquads(triples, self.minter.article_graph(article.id)))
        lines.extend(nquads(sorted(inferred), self.minter.inferred_graph(f"article/{article.id}")))
        edges = reasoner.transitive_edges(triples) | reasoner.transitive_edges(inferred)
        return lines, edges

    def _ontology_lines(self, ontology: Ontology) -> Iterator[str]:
        """The ontology's triples in its graph, from the graph :func:`load_ontology` parsed (whatever
        syntax Protégé saved it in), blank nodes canonically labelled so two builds write the same quads."""
        from rdflib.compare import to_canonical_graph

        g = self.minter.ontology_graph
        canonical = to_canonical_graph(ontology.graph).serialize(format="nt", encoding="utf-8").decode("utf-8")
        for line in sorted(filter(None, canonical.splitlines())):
            yield line[: line.rstrip().rfind(".")].rstrip() + f" {g} .\n"

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
        ids = reader.article_ids()
        problems: list[Problem] = []
        registry = reader.read_registry(problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        manifest_articles: dict[str, dict[str, Any]] = {}
        refs: list[tuple[str, str, str]] = []
        edges: set[Triple] = set()
        quads = 0
        self.layout.generations_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".nq", dir=self.layout.generations_dir, delete=False) as tmp:
            tmp_path = Path(tmp.name)
            try:
                for line in self._ontology_lines(ontology):
                    tmp.write(line)
                    quads += 1
                reg = list(registry_triples(registry, self.minter))
                reg_inferred = reasoner.entail(reg)
                for line in nquads(reg, self.minter.registry_graph):
                    tmp.write(line)
                    quads += 1
                for line in nquads(sorted(reg_inferred), self.minter.inferred_graph("registry")):
                    tmp.write(line)
                    quads += 1
                edges |= reasoner.transitive_edges(reg) | reasoner.transitive_edges(reg_inferred)
                for n, article in enumerate(iter_articles(reader, registry, ids, problems), 1):
                    lines, art_edges = self._article_quads(article, registry, ontology, reasoner)
                    tmp.writelines(lines)
                    quads += len(lines)
                    edges |= art_edges
                    manifest_articles[article.id] = {
                        "hash": reader.article_hash(article.id),
                        "facts": sorted(article.fact_ids),
                        "edges": bool(art_edges),
                    }
                    refs.extend((article.id, e.id, o) for e in article.events for o in e.same_as)
                    self.progress("articles", n, len(ids))
                self._check_cross_refs(refs, {a: m["facts"] for a, m in manifest_articles.items()}, reader, problems)
                if [p for p in problems if p.severity == "error"]:
                    raise CorpusError(problems)
                closure = reasoner.closure(edges)
                for line in nquads(sorted(closure), self.minter.inferred_graph("closure")):
                    tmp.write(line)
                    quads += 1
                tmp.close()
                with self._new_generation(incremental=False) as gen:
                    self.progress("loading", 0, 1)
                    gen.store.bulk_load(path=str(tmp_path), format=pyoxigraph.RdfFormat.N_QUADS)
                    self.progress("loading", 1, 1)
                    self._validate_and_commit(gen, None, stamps, manifest_articles)
            finally:
                tmp_path.unlink(missing_ok=True)
        return BuildResult(True, len(ids), sorted(manifest_articles), [], quads, warnings=[p for p in problems if p.severity != "error"])

    # ---- incremental build
    def _incremental(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str],
                     previous: dict[str, Any]) -> BuildResult:
        ids = reader.article_ids()
        before = previous.get("articles", {})
        hashes = {aid: reader.article_hash(aid) for aid in ids}
        changed = [aid for aid in ids if before.get(aid, {}).get("hash") != hashes[aid]]
        removed = sorted(set(before) - set(ids))
        if not changed and not removed:
            return BuildResult(False, len(ids), up_to_date=True, reason="nothing changed")
        reasoner = Reasoner(ontology)
        problems: list[Problem] = []
        registry = reader.read_registry(problems)
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
            for aid in changed + removed:
                for g in (self.minter.article_graph(aid), self.minter.inferred_graph(f"article/{aid}")):
                    node = pyoxigraph.NamedNode(g[1:-1])
                    if store.contains_named_graph(node):
                        store.remove_graph(node)
            for n, article in enumerate(articles, 1):
                lines, art_edges = self._article_quads(article, registry, ontology, reasoner)
                store.load(input="".join(lines), format=pyoxigraph.RdfFormat.N_QUADS)
                quads += len(lines)
                edges_changed = edges_changed or bool(art_edges)
                manifest_articles[article.id] = {
                    "hash": hashes[article.id], "facts": sorted(article.fact_ids), "edges": bool(art_edges),
                }
                self.progress("articles", n, len(articles))
            if edges_changed:
                self._recompute_closure(store, reasoner)
            graphs = [self.minter.article_graph(a.id) for a in articles]
            del store  # the generation holds the only handle, closed before the swap
            self._validate_and_commit(gen, graphs, stamps, manifest_articles)
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

    def _validate_and_commit(self, gen: _Generation, graphs: list[str] | None,
                             stamps: dict[str, str], articles: dict[str, Any]) -> None:
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
        self._write_manifest(gen.path, stamps, articles)
        self.layout.commit(gen.path)

    def _recompute_closure(self, store: pyoxigraph.Store, reasoner: Reasoner) -> None:
        closure_graph = pyoxigraph.NamedNode(self.minter.inferred_graph("closure")[1:-1])
        values = " ".join(reasoner.transitive)
        query = (
            "SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?p { " + values + " } "
            "GRAPH ?g { ?s ?p ?o } FILTER(?g != " + str(closure_graph) + ") }"
        )
        edges = {(str(r["s"]), str(r["p"]), str(r["o"])) for r in store.query(query)}
        closure = reasoner.closure(edges)
        if store.contains_named_graph(closure_graph):
            store.remove_graph(closure_graph)
        if closure:
            store.load(input="".join(nquads(sorted(closure), str(closure_graph))), format=pyoxigraph.RdfFormat.N_QUADS)

    def _write_manifest(self, new: Path, stamps: dict[str, str], articles: dict[str, Any]) -> None:
        path = manifest_path(self.layout, new)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"stamps": stamps, "articles": articles}, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


def build(settings: Settings, *, full: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build the store at ``settings.store`` from the ontology and the corpus.

    :raises CorpusError: the corpus does not validate (nothing is written).
    :raises GraphError: the built graph violates the SHACL shapes (the previous store is kept).
    :raises BuildInterrupted: Ctrl-C (the previous store is kept).
    """
    return Builder(settings, progress).run(full=full)

