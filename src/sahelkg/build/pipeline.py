"""The build's stages in order, into the target the store's location chose.

1. decide full or incremental from content hashes (:mod:`sahelkg.build.changes`) recorded in
   the previous build's manifest;
2. validate the registry and the articles that changed (all errors reported at once);
3. map them to triples and infer (:mod:`sahelkg.build.mapping`);
4. write them into the build target (:func:`sahelkg.store.build_target`, chosen once): a new
   generation of the embedded store, or staging graphs on a SPARQL server; a full build writes
   every graph, an incremental one only the changed articles' (plus the closure and links graphs if needed);
5. validate with the SHACL shapes (:mod:`sahelkg.graph.shacl`);
6. commit: the manifest is kept with the store and readers see the new graph at once.

Any failure aborts the target: the store stays as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from sahelkg.build.cache import cached_ontology, cached_registry, read_text, replace_file
from sahelkg.build.changes import (
    CHANGED_BEHIND, Changes, changed_articles, full_reason, input_stamps,
)
from sahelkg.build.diff import DIFF, ArticleDiff, compare, graph_facts, write_diff
from sahelkg.build.manifest import MEMORY, Edge, Manifest, Stat
from sahelkg.build.mapping import (
    Mapped, Mapper, check_cross_refs, default_jobs, derived_graphs, edges_of, map_articles, new_derived_graphs, same_as_refs,
)
from sahelkg.build.migrate import migrate_json_manifest
from sahelkg.build.watch import Seen, sync
from sahelkg.corpus import Article, CorpusReader, Registry, iter_articles
from sahelkg.errors import BuildInterrupted, CorpusError, GraphError, Problem, UsageError
from sahelkg.graph.inference import Reasoner
from sahelkg.graph.ontology import Ontology
from sahelkg.graph.rdf import nquads, registry_triples
from sahelkg.iris import Iris, Triple, iri
from sahelkg.settings import Settings
from sahelkg.store import BuildTarget, Store, build_target

WATCHED = "watched"  # beside each generation: the corpus watcher's journal position it reflects (sahelkg.build.watch)

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
    # seconds per stage of a full build: mapping (producing the quads, "articles" of it the articles'
    # own mapping, or the wait for the workers that map them), loading (bulk_load, in a thread alongside),
    # load wait, shacl+commit
    timings: dict[str, float] = field(default_factory=dict)
    diff: list[ArticleDiff] = field(default_factory=list)  # the facts changed per article (embedded store)


def read_previous(target: BuildTarget) -> Manifest | None:
    """The manifest of the target's last build, or None (no build, or a manifest this version
    cannot read: the build is then full)."""
    found = target.previous_manifest()
    if isinstance(found, dict):  # the JSON a server holds
        try:
            return Manifest.from_json(found)
        except (KeyError, ValueError, TypeError, AttributeError):
            return None
    if found is None or not migrate_json_manifest(found):
        return None
    return Manifest.open(found)


class Counted:
    """Passes graphs through, counting their quads."""

    def __init__(self) -> None:
        self.quads = 0

    def __call__(self, graphs: Iterable[tuple[str, list[str]]]) -> Iterator[tuple[str, list[str]]]:
        for graph, lines in graphs:
            self.quads += len(lines)
            yield graph, lines


class Builder:
    """One build run: the stages in order, into the target chosen once from ``settings.store``."""

    def __init__(self, settings: Settings, progress: Progress | None = None, jobs: int | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda stage, done, total: None)
        self.jobs = default_jobs() if jobs is None else jobs  # processes mapping the articles of a full build
        self.iris = Iris(settings.base_iri)
        self.target = build_target(settings)
        self.started_ns = time.time_ns()
        self.seen: Seen | None = None  # what the corpus watcher said (embedded store)
        self.articles_seconds = 0.0  # a full build's time getting its articles mapped (BuildResult.timings)

    # ---- inputs
    def ontology(self) -> Ontology:
        """The parsed ontology (cached beside the store, :func:`sahelkg.build.cache.cached_ontology`)."""
        return cached_ontology(self.target.cache_dir, self.settings.ontology_file)

    def registry(self, reader: CorpusReader, stamps: dict[str, str], problems: list[Problem]) -> Registry:
        """The validated registry (cached beside the store, :func:`sahelkg.build.cache.cached_registry`)."""
        return cached_registry(self.target.cache_dir, reader, stamps, problems)

    def run(self, *, full: bool = False) -> BuildResult:
        start = time.perf_counter()
        # recorded as the manifest's time: a file modified after this is hashed by the next build
        self.started_ns = time.time_ns()
        ontology = self.ontology()
        reader = CorpusReader(self.settings.corpus_dir, ontology)
        stamps = input_stamps(self.settings, reader)
        try:
            with self.target.lock():
                result = self._stages(ontology, reader, stamps, full=full)
        except KeyboardInterrupt as e:
            raise BuildInterrupted("build interrupted; the previous store is intact") from e
        result.seconds = time.perf_counter() - start
        result.store = self.target.location
        return result

    def _stages(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str], *, full: bool) -> BuildResult:
        target = self.target
        target.clean()
        previous = read_previous(target)
        if target.watch_dir is not None:
            # before the corpus is read: a change after this is in the journal after seen.token
            recorded = target.sidecar(WATCHED, current=True)
            self.seen = sync(target.watch_dir, self.settings.corpus_dir,
                             read_text(recorded) if previous is not None and recorded is not None else None)
        try:
            reason = full_reason(full, previous, stamps, target.exists())
            if not reason and target.changed_since_build():
                # Written over HTTP (or opened for writing) since: the store is not the corpus's
                # graph any more, and a checkpoint of it would carry the edits on. Rebuild it.
                reason = CHANGED_BEHIND
            if reason:
                result = self._full(ontology, reader, stamps, previous)
            else:
                assert previous is not None  # an incremental build has a previous one
                result = self._incremental(ontology, reader, stamps, previous)
        finally:
            if previous is not None:
                previous.close()
        result.reason = reason or result.reason
        return result

    def _record_watched(self, *, current: bool = False) -> None:
        """Record beside the generation the watcher's journal position up to which it holds every
        change (``gen-N.watched``; a generation without one makes the next build scan)."""
        path = self.target.sidecar(WATCHED, current=current)
        if self.seen is not None and path is not None:
            replace_file(path, self.seen.token.encode())

    def graphs_of(self, article_ids: Iterable[str]) -> set[str]:
        """The graphs a build of these articles wrote."""
        i = self.iris
        graphs = {i.ontology_graph, i.registry_graph, i.inferred_graph("registry"), i.closure_graph, i.links_graph}
        for aid in article_ids:
            graphs |= {i.article_graph(aid), i.inferred_graph(f"article/{aid}")}
        return graphs

    def _removed_graphs(self, article_ids: Iterable[str]) -> list[str]:
        return [g for aid in article_ids for g in (self.iris.article_graph(aid), self.iris.inferred_graph(f"article/{aid}"))]

    def _new_manifest_path(self) -> Path | str:
        path = self.target.manifest_file()
        return MEMORY if path is None else path.with_suffix(".tmp")

    # ---- full build
    def full_graphs(self, ontology: Ontology, reader: CorpusReader, registry: Registry, reasoner: Reasoner,
                    mapped: Mapped, problems: list[Problem], files: dict[str, Stat]) -> Iterator[tuple[str, list[str]]]:
        """Every graph of a full build, in order, as ``(graph, N-Quads lines)``, of the articles
        ``files`` (id: file stat); ``mapped`` collects the manifest entries and the edges. Raises
        :class:`CorpusError` (before the closure) when an article or a cross-reference does not validate."""
        g = self.iris.ontology_graph
        yield g, list(self._ontology_lines(ontology, g))
        reg = list(dict.fromkeys(registry_triples(registry, self.iris)))  # once each, as the store holds them
        reg_inferred = reasoner.entail(reg) | reasoner.specific_types(reg)
        g, gi = self.iris.registry_graph, self.iris.inferred_graph("registry")
        yield g, list(nquads(reg, g))
        yield gi, list(nquads(sorted(reg_inferred), gi))
        mapped.registry_edges = edges_of(self.iris, reasoner, reg, reg_inferred)
        ids = sorted(files)
        n = 0
        mapper = Mapper(self.iris, reader, registry, ontology, reasoner)
        batches = map_articles(mapper, ids, problems, jobs=self.jobs, settings=self.settings)
        while True:
            # the part of the mapping stage that is per article (the rest is this process's own work,
            # whatever the number of workers): mapping them here, or waiting for the workers
            mark = time.perf_counter()
            batch = next(batches, None)
            self.articles_seconds += time.perf_counter() - mark
            if batch is None:
                break
            for art in batch:
                mapped.add(art, art.edges, art.content_hash, files[art.id])
                yield from art.graphs
                n += 1
            self.progress("articles", n, len(ids))
        check_cross_refs(mapped.refs, mapped.manifest, reader, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        edges = set(mapped.registry_edges).union(*mapped.edges.values())
        yield from derived_graphs(self.iris, edges, reasoner)

    def _ontology_lines(self, ontology: Ontology, graph: str) -> Iterator[str]:
        """The ontology's triples in ``graph``, from the graph :func:`load_ontology` parsed (whatever
        syntax Protégé saved it in), blank nodes canonically labelled so two builds write the same quads."""
        from rdflib.compare import to_canonical_graph

        canonical = to_canonical_graph(ontology.graph).serialize(format="nt", encoding="utf-8").decode("utf-8")
        name = iri(graph)
        for line in sorted(filter(None, canonical.splitlines())):
            yield line[: line.rstrip().rfind(".")].rstrip() + f" {name} .\n"

    def _full(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str],
              previous: Manifest | None) -> BuildResult:
        target = self.target
        reasoner = Reasoner(ontology)
        problems: list[Problem] = []
        registry = self.registry(reader, stamps, problems)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        before = previous.index() if previous is not None else {}
        files = reader.article_files()
        removed = sorted(set(before) - set(files))
        target.begin(incremental=False, graphs=self.graphs_of(before) if previous is not None else None)
        try:
            mapped = Mapped(Manifest.create(self._new_manifest_path()))
            target.remove(self._removed_graphs(removed))
            counted = Counted()
            timings = target.write(counted(self.full_graphs(ontology, reader, registry, reasoner, mapped, problems, files)))
            if timings:  # of the mapping stage, the articles themselves (see full_graphs)
                timings["articles"] = self.articles_seconds
            mark = time.perf_counter()
            diff, compared = self._full_diff(previous, mapped.manifest)
            if compared:
                timings["diff"] = time.perf_counter() - mark  # reading the changed articles' facts twice
            mark = time.perf_counter()
            problems += self._validate(None)
            self._commit(mapped.manifest, stamps, mapped.registry_edges)
            if timings:  # measured where the writing is (the embedded store's bulk load)
                timings["shacl+commit"] = time.perf_counter() - mark
        except BaseException:
            target.abort()
            raise
        return BuildResult(True, len(mapped.ids), sorted(mapped.ids), removed, counted.quads,
                           warnings=[p for p in problems if p.severity != "error"], timings=timings, diff=diff)

    def _full_diff(self, previous: Manifest | None, manifest: Manifest) -> tuple[list[ArticleDiff], bool]:
        """The facts changed by a full build in the articles whose content hash differs from the
        previous build's (read from its generation, read-only), written beside the new one; and
        whether there was a previous build to compare with. Nothing where the target keeps no files."""
        path = self.target.sidecar(DIFF)
        if path is None:
            return [], False
        before = self.target.previous_generation()
        if before is None or previous is None:  # a first build (or after one without a manifest): nothing to compare with
            write_diff(path, [], full=True, previous=None)
            return [], False
        old_hashes = dict(previous.conn.execute("SELECT id, hash FROM articles"))
        new_hashes = dict(manifest.conn.execute("SELECT id, hash FROM articles"))
        touched = sorted(aid for aid in old_hashes.keys() | new_hashes.keys() if old_hashes.get(aid) != new_hashes.get(aid))
        old_store = self.target.previous_store() if touched else None
        diffs = []
        for aid in touched:
            g = self.iris.article_graph(aid)
            old = graph_facts(old_store, g) if old_store is not None and aid in old_hashes else None
            new = graph_facts(self.target.store, g) if aid in new_hashes else None
            diffs.append(compare(aid, old, new))
        del old_store
        write_diff(path, diffs, full=True, previous=before)
        return diffs, True

    # ---- incremental build
    def read_changed(self, reader: CorpusReader, registry: Registry, changes: Changes, previous: Manifest,
                     problems: list[Problem]) -> list[Article]:
        """The changed articles of an incremental build, validated, their ``same_as`` checked against
        themselves and the previous build's facts. Raises :class:`CorpusError` (nothing written yet)."""
        articles = list(iter_articles(reader, registry, changes.changed, problems))
        refs = [r for a in articles for r in same_as_refs(a)]
        check_cross_refs(refs, previous, reader, problems, mapped=articles, removed=changes.removed)
        if [p for p in problems if p.severity == "error"]:
            raise CorpusError(problems)
        return articles

    def _incremental(self, ontology: Ontology, reader: CorpusReader, stamps: dict[str, str],
                     previous: Manifest) -> BuildResult:
        target = self.target
        changes = changed_articles(reader, previous, self.seen.articles if self.seen else None)
        if not changes.changed and not changes.removed:
            current = target.manifest_file(current=True)
            if changes.restat and current is not None:
                # the files whose stat changed were just hashed: record their stats and this build's time
                manifest = Manifest.copy(previous, current.with_suffix(".tmp"))
                manifest.set_stats(changes.restat)
                manifest.set_meta(stamps, self.started_ns, None)
                manifest.commit_as(current)
            self._record_watched(current=True)
            return BuildResult(False, changes.total, up_to_date=True, reason="nothing changed")
        reasoner = Reasoner(ontology)
        problems: list[Problem] = []
        registry = self.registry(reader, stamps, problems)
        articles = self.read_changed(reader, registry, changes, previous, problems)
        mapper = Mapper(self.iris, reader, registry, ontology, reasoner)
        target.begin(incremental=True, graphs=self.graphs_of(previous.index()))
        try:
            mapped = Mapped.following(previous, self._new_manifest_path(), changes)
            diff_path = target.sidecar(DIFF)
            old_facts = {}  # the facts of the articles about to be replaced, for the diff
            if diff_path is not None:
                for aid in changes.changed + changes.removed:
                    graph = self.iris.article_graph(aid)
                    if target.store.contains_named_graph(pyoxigraph.NamedNode(graph)):
                        old_facts[aid] = graph_facts(target.store, graph)
            target.remove(self._removed_graphs(changes.removed))

            def changed_graphs() -> Iterator[tuple[str, list[str]]]:
                for n, article in enumerate(articles, 1):
                    graphs, edges = mapper.article_graphs(article)
                    mapped.add(article, edges, *changes.new[article.id])
                    yield from graphs
                    self.progress("articles", n, len(articles))
                yield from new_derived_graphs(self.iris, previous, mapped, changes.removed, reasoner)

            counted = Counted()
            target.write(counted(changed_graphs()))
            diff: list[ArticleDiff] = []
            if diff_path is not None:
                diff = [compare(aid, old_facts.get(aid), graph_facts(target.store, self.iris.article_graph(aid)))
                        for aid in changes.changed]
                diff += [compare(aid, old_facts.get(aid), None) for aid in changes.removed]
                diff.sort(key=lambda d: d.article)
                write_diff(diff_path, diff, full=False, previous=target.previous_generation())
            problems += self._validate([self.iris.article_graph(a.id) for a in articles])
            self._commit(mapped.manifest, stamps, None)  # an incremental build keeps the previous registry edges
        except BaseException:
            target.abort()
            raise
        return BuildResult(False, changes.total, mapped.ids, changes.removed, counted.quads,
                           reason=f"{len(changes.changed)} changed, {len(changes.removed)} removed",
                           warnings=[p for p in problems if p.severity != "error"], diff=diff)

    # ---- the end of every build
    def _validate(self, graphs: list[str] | None) -> list[Problem]:
        """SHACL over ``graphs`` (None: all) as the store will be once committed. Returns the
        warnings; a violation raises :class:`GraphError`."""
        from sahelkg.graph.shacl import validate_graphs

        def check(store: Store) -> list[Problem]:
            return validate_graphs(store, self.settings.shapes_file, graphs, self.settings)  # type: ignore[arg-type]

        self.progress("validating", 0, 1)
        report = self.target.validate(check)
        self.progress("validating", 1, 1)
        violations = [v for v in report if v.severity == "error"]
        if violations:
            raise GraphError(violations)
        return [w for w in report if w.severity != "error"]

    def _commit(self, manifest: Manifest, stamps: dict[str, str], registry_edges: set[Edge] | None) -> None:
        manifest.set_meta(stamps, self.started_ns, registry_edges)
        self._record_watched()
        self.target.commit(manifest)


def build(settings: Settings, *, full: bool = False, progress: Progress | None = None,
          jobs: int | None = None) -> BuildResult:
    """Build the store at ``settings.store`` from the ontology and the corpus.

    :param jobs: processes that map the articles of a full build (default: the cores this process
        may run on, :func:`sahelkg.build.mapping.default_jobs`); the store is the same whatever their number.

    :raises CorpusError: the corpus does not validate (nothing is written).
    :raises GraphError: the built graph violates the SHACL shapes (the previous store is kept).
    :raises BuildInterrupted: Ctrl-C (the previous store is kept).
    """
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: give 1 or more processes")
    return Builder(settings, progress, jobs).run(full=full)
