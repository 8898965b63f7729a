"""Articles to graphs: reading, validating, mapping and inferring per article, in a pool of processes.

The work is independent per article, so a full build maps batches of articles in worker
processes (:func:`map_articles`); the order of the articles, hence of the graphs, is the one of
the ids whatever the number of workers. The two graphs that cross articles, the transitive
closure and the links between entities, are recomputed from the edges each article's
manifest entry records (:func:`derived_graphs`), never by scanning the store.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from sahelkg.build.changes import Changes
from sahelkg.build.manifest import Edge, Manifest, Stat
from sahelkg.corpus import Article, CorpusReader, Registry, iter_articles
from sahelkg.errors import Problem, StoreError
from sahelkg.graph.inference import Reasoner
from sahelkg.graph.ontology import Ontology
from sahelkg.graph.rdf import article_triples, nquads
from sahelkg.iris import Iris, Triple, iri
from sahelkg.settings import Settings

MAP_BATCH = 16  # articles per task of a mapping worker: enough to amortise the pickling of a task


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
    ``--jobs 2`` took 1.29x the time of ``--jobs 1``; later, with other benchmarks running, 1.00x the time
    and 1.02x the CPU), so there the mapping stays in the build's process.
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
    edges: set[Edge]
    content_hash: str
    graphs: list[tuple[str, list[str]]]  # (graph, N-Quads lines): its graph and its inferred graph


class Mapper:
    """Reads, validates and maps articles: the work that is independent per article."""

    def __init__(self, iris: Iris, reader: CorpusReader, registry: Registry, ontology: Ontology,
                 reasoner: Reasoner) -> None:
        self.iris, self.reader, self.registry, self.ontology, self.reasoner = iris, reader, registry, ontology, reasoner

    def article_graphs(self, article: Article) -> tuple[list[tuple[str, list[str]]], set[Edge]]:
        """``[(graph, N-Quads lines)]`` of one article (its graph and its inferred graph), and its
        edges (:func:`edges_of`)."""
        # An article may state one fact twice (two relations with the same ends, each with its own
        # quote): its triple is written once, so that the count of quads written is the store's.
        triples = list(dict.fromkeys(article_triples(article, self.registry, self.ontology, self.iris)))
        inferred = self.reasoner.entail(triples) | self.reasoner.specific_types(triples)
        g, gi = self.iris.article_graph(article.id), self.iris.inferred_graph(f"article/{article.id}")
        graphs = [(g, list(nquads(triples, g))), (gi, list(nquads(sorted(inferred), gi)))]
        local = frozenset(iri(self.iris.local(article.id, e.id)) for e in article.entities)
        return graphs, edges_of(self.iris, self.reasoner, triples, inferred, local)

    def map(self, ids: list[str]) -> tuple[list[MappedArticle], list[Problem]]:
        """The valid articles of ``ids`` mapped, in order, and the problems of all of them."""
        problems: list[Problem] = []
        out = []
        for article in iter_articles(self.reader, self.registry, ids, problems):
            graphs, edges = self.article_graphs(article)
            out.append(MappedArticle(article.id, article.fact_ids, same_as_refs(article), edges,
                                     self.reader.article_hash(article.id), graphs))
        return out, problems


_WORKER: Mapper | None = None  # the mapper of a worker process (set by _init_worker)


def _init_worker(settings: Settings, ontology: Ontology, registry: Registry, checked: object) -> None:
    """Set up a mapping worker: its own reader and reasoner over the parent's ontology and registry."""
    global _WORKER
    # Ctrl-C reaches the whole process group: the parent alone handles it (it stops the pool)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reader = CorpusReader(settings.corpus_dir, ontology)
    reader.schemas.vouch(checked)  # type: ignore[arg-type]  # the parent checked these schema files
    _WORKER = Mapper(Iris(settings.base_iri), reader, registry, ontology, Reasoner(ontology))


def _map_in_worker(ids: list[str]) -> tuple[list[MappedArticle], list[Problem]]:
    assert _WORKER is not None, "not a mapping worker"
    return _WORKER.map(ids)


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork shares the parent's parsed ontology and registry without pickling them; elsewhere, spawn
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def map_articles(mapper: Mapper, ids: list[str], problems: list[Problem], *, jobs: int,
                 settings: Settings) -> Iterator[list[MappedArticle]]:
    """The articles ``ids`` mapped, in batches, in order; their problems go to ``problems``.

    With ``jobs`` > 1 the batches are mapped in a pool of worker processes (the mapping is
    independent per article: reading the YAML, validating, building the triples), at most a few
    batches ahead of the caller so that memory stays that of a few batches. A failed worker fails
    the build; Ctrl-C stops the pool (the workers ignore it) and raises KeyboardInterrupt here.
    """
    # a small corpus still gives every worker some batches
    size = max(1, min(MAP_BATCH, len(ids) // (4 * jobs)))
    batches = [ids[i:i + size] for i in range(0, len(ids), size)]
    jobs = min(jobs, len(batches))
    if jobs <= 1:
        for batch in batches:
            arts, found = mapper.map(batch)
            problems.extend(found)
            yield arts
        return
    pool = ProcessPoolExecutor(jobs, mp_context=_mp_context(), initializer=_init_worker,
                               initargs=(settings, mapper.ontology, mapper.registry,
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
            following = next(todo, None)
            if following is not None:
                pending.append(pool.submit(_map_in_worker, following))
            problems.extend(found)
            yield arts
    except BrokenProcessPool as e:
        raise StoreError(f"a mapping worker died ({e}); the build stopped, the previous store is intact") from e
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Mapped:
    """What mapping articles gave besides their quads: manifest entries (written to ``manifest`` as
    they come), cross-references and transitive edges."""

    manifest: Manifest
    ids: list[str] = field(default_factory=list)
    refs: list[tuple[str, str, str]] = field(default_factory=list)
    edges: dict[str, set[Edge]] = field(default_factory=dict)  # per article
    registry_edges: set[Edge] = field(default_factory=set)

    @classmethod
    def following(cls, previous: Manifest, path: Path | str, changes: Changes) -> Mapped:
        """For an incremental build: the previous manifest copied to ``path``, without the removed
        articles and with the new stats of files whose content did not change."""
        manifest = Manifest.copy(previous, path)
        manifest.remove(changes.removed)
        manifest.set_stats(changes.restat)
        return cls(manifest)

    def add(self, article: Article | MappedArticle, edges: set[Edge], content_hash: str, stat: Stat) -> None:
        """Record an article: its manifest entry keeps its content hash, the (mtime, size) of its files
        that let the next build skip hashing it, its fact ids (cross-references) and its edges (the
        closure and links graphs are recomputed from the manifests' edges, never by scanning the store)."""
        self.manifest.put(article.id, content_hash, stat, article.fact_ids, edges)
        self.ids.append(article.id)
        self.refs.extend(article.refs if isinstance(article, MappedArticle) else same_as_refs(article))
        self.edges[article.id] = edges


LINK = "link"  # the fourth element of an edge between two entities (see edges_of)


def edges_of(iris: Iris, reasoner: Reasoner, triples: Iterable[Triple], inferred: Iterable[Triple],
             local_entities: frozenset[str] = frozenset()) -> set[Edge]:
    """What one source graph (an article's, or the registry's) gives the graphs that cross sources:
    its asserted and inferred triples that link two entities (registry entities, or the article's
    own ``local_entities``, as N-Triples terms), marked ``(s, p, o, "link")``; and the others whose
    property is transitive, ``(s, p, o)`` (an event's ``sk:subEventOf``), which the closure also needs.

    A local entity's IRI has the form of a fact's, so only the mapping of its article can tell them
    apart: the mark keeps that for the links graph (:func:`derived_graphs`)."""
    entity = _entity_test(iris, local_entities)
    out: set[Edge] = set()
    for part in (triples, inferred):
        for t in part:
            if entity(t[0]) and entity(t[2]):
                out.add((*t, LINK))
            elif t[1] in reasoner.transitive:
                out.add(t)
    return out


def _entity_test(iris: Iris, local: Collection[str]) -> Callable[[str], bool]:
    """Whether an N-Triples term is an entity: a registry entity's IRI, or one of ``local``."""
    return lambda term: term in local or iris.is_entity_term(term)


def derived_graphs(iris: Iris, edges: set[Edge], reasoner: Reasoner) -> list[tuple[str, list[str]]]:
    """The graphs that cross sources, from the edges (:func:`edges_of`) of the registry and of every article:

    - the closure graph, what transitivity entails from the transitive edges (and no triple a
      source already holds);
    - the links graph, every link between two entities that a source states or that is entailed,
      once: over the union of the graphs a link restated by thousands of articles matches thousands
      of times, so a query that wants each link once reads it here (``docs/graph-model.md``).
    """
    entailed = reasoner.closure(reasoner.transitive_edges((e[0], e[1], e[2]) for e in edges))
    links = {(e[0], e[1], e[2]) for e in edges if len(e) == 4}
    # an entailed link between local entities: its ends are those of stated links
    entity = _entity_test(iris, {term for s, _, o in links for term in (s, o)})
    links.update(t for t in entailed if entity(t[0]) and entity(t[2]))
    return [(iris.closure_graph, list(nquads(sorted(entailed), iris.closure_graph))),
            (iris.links_graph, list(nquads(sorted(links), iris.links_graph)))]


def new_derived_graphs(iris: Iris, previous: Manifest, mapped: Mapped, removed: list[str],
                       reasoner: Reasoner) -> list[tuple[str, list[str]]]:
    """The graphs that cross sources after an incremental build, or none when the edges of the
    changed and removed articles are the ones the previous build recorded (then they are unchanged).
    The other articles' edges come from the manifest, never from the store."""
    touched = mapped.ids + removed
    old = previous.edges_of(touched)
    if all(old.get(aid, set()) == mapped.edges.get(aid, set()) for aid in touched):
        return []
    edges = set(previous.all_edges(skip=touched)).union(*mapped.edges.values())
    return derived_graphs(iris, edges, reasoner)


def check_cross_refs(refs: list[tuple[str, str, str]], manifest: Manifest, reader: CorpusReader,
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
