"""Read and validate the corpus: the registry, then each article against it.

:class:`CorpusReader` turns the files of :class:`~sahelkg.corpus.scan.CorpusFiles` into the
records of :mod:`sahelkg.corpus.records`, or reports *every* problem at once, each with the file,
the line and what to do: the schema (:mod:`~sahelkg.corpus.schema`), then the quotes, references,
dates and types of one article (:mod:`~sahelkg.corpus.article`) or of the registry's entities.
Nothing here knows about RDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sahelkg.corpus.anchors import normalise_text, split_header
from sahelkg.corpus.article import ArticleReading
from sahelkg.corpus.classes import OntologyClasses, declared_types
from sahelkg.corpus.dates import read_date
from sahelkg.corpus.lint import article_warnings
from sahelkg.corpus.names import did_you_mean
from sahelkg.corpus.records import Article, Coordinates, Entity, Fact, Registry
from sahelkg.corpus.scan import ARTICLE_ID_RE, FACT_KINDS, CorpusFiles
from sahelkg.corpus.schema import ANNOTATION_SCHEMA, REGISTRY_SCHEMA, Schemas
from sahelkg.corpus.yaml_lines import FileProblems, line_of, load_yaml
from sahelkg.errors import CorpusError, Problem
from sahelkg.vocab import SK


class CorpusReader(CorpusFiles):
    """Validates corpus files against the schema, the texts, the registry and the ontology.

    ``ontology`` is a :class:`sahelkg.graph.ontology.Ontology` (types, domains and ranges).
    """

    def __init__(self, corpus_dir: Path, ontology: Any) -> None:
        super().__init__(corpus_dir)
        self.ontology = ontology
        self.schemas = Schemas(self.schema_dir)
        self.classes = OntologyClasses(ontology)

    # ---- registry
    def read_registry(self, problems: list[Problem]) -> Registry:
        """Load and validate every registry file; problems are appended."""
        entities: dict[str, Entity] = {}
        read: list[tuple[FileProblems, int]] = []  # where each valid entity was read
        files = self.registry_files()
        if not files:
            problems.append(Problem(str(self.registry_dir), None, "no registry files (*.yaml) found"))
        for path in files:
            data = load_yaml(path, problems)
            if data is None:
                continue
            found = self.schemas.problems(data, REGISTRY_SCHEMA, str(path))
            problems.extend(found)
            if found and not isinstance(data, list):
                continue
            ctx = FileProblems(str(path), data, problems)
            for i, item in enumerate(data):
                entity = self._registry_entity(ctx, i, item, entities)
                if entity is not None:
                    entities[entity.id] = entity
                    read.append((ctx, i))
        for ctx, i in read:
            self._check_registry_entity(ctx, i, entities[ctx.data[i]["id"]], entities)
        return Registry(entities=entities)

    def _registry_entity(self, ctx: FileProblems, i: int, item: Any, entities: dict[str, Entity]) -> Entity | None:
        """The entity of registry entry ``i``, checked on its own; None if it is invalid or a duplicate."""
        file, line = ctx.file, line_of(ctx.data, [i]) or 0
        if not self.schemas.registry_item_ok(item):
            # Invalid (already reported): keep its id and types so references to it still resolve.
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                t = item.get("type")
                types = declared_types(t) if isinstance(t, (list, str)) else ()
                entities.setdefault(item["id"], Entity(
                    id=item["id"], types=types, labels={}, aliases={}, description={}, coordinates=None,
                    facts=(), file=file, line=line,
                ))
            return None
        eid = item["id"]
        if eid in entities:
            first = entities[eid]
            ctx.error([i, "id"], f"duplicate entity id {eid!r} (first defined at {first.file}:{first.line})")
            return None
        types = declared_types(item["type"])
        self.classes.check_types(ctx, [i, "type"], f"entity {eid}", types)
        coords = None
        if "coordinates" in item:
            c = item["coordinates"]
            coords = Coordinates(lat=float(c["lat"]), lon=float(c["lon"]), precision=c["precision"], source=c["source"])
        facts = tuple(
            Fact(
                property=f["property"], object=f["object"], source=f["source"],
                date=read_date(ctx, [i, "facts", j, "date"], f["date"], f"entity {eid}: fact {f['property']}") if "date" in f else None,
                certainty=f.get("certainty"),
            )
            for j, f in enumerate(item.get("facts", []))
        )
        return Entity(
            id=eid, types=types, labels=dict(item["label"]),
            aliases={lang: tuple(v) for lang, v in item.get("aliases", {}).items()},
            description=dict(item.get("description", {})), coordinates=coords, facts=facts, file=file, line=line,
        )

    def _check_registry_entity(self, ctx: FileProblems, i: int, ent: Entity, entities: dict[str, Entity]) -> None:
        """What an entity says about others: its facts' objects and their types, and coordinates for places only."""
        for j, fact in enumerate(ent.facts):
            fpath = [i, "facts", j]
            if fact.object not in entities:
                ctx.error(fpath + ["object"], f"entity {ent.id}: fact {fact.property}: unknown entity {fact.object!r}{did_you_mean(fact.object, entities)}")
                continue
            self.classes.check_relation(
                ctx, fpath, f"entity {ent.id}: fact {fact.property}", fact.property,
                ent.types, entities[fact.object].types,
            )
        if ent.coordinates is not None and not self.classes.fits(ent.types, SK.Place):
            ctx.error([i, "coordinates"], f"entity {ent.id}: only places have coordinates")

    # ---- one article
    def read_article(
        self, article_id: str, registry: Registry, problems: list[Problem],
        known_facts: dict[str, frozenset[str]] | None = None,
    ) -> Article | None:
        """Load and validate one article; returns None if it has errors (they are appended)."""
        before = len(problems)  # (only appended to: the errors of this article are the ones after it)
        loaded = self._load_article(article_id, problems)
        if loaded is None:
            return None
        raw_text, text, data = loaded
        file = str(self.annotation_file(article_id))
        reading = ArticleReading(self.classes, article_id, text, data, registry, FileProblems(file, data, problems), known_facts)
        article = reading.article(hashlib.sha256(raw_text).hexdigest())
        if any(p.severity == "error" for p in problems[before:]):
            return None
        problems.extend(article_warnings(article, registry, self.ontology, data, file))
        return article

    def _load_article(self, article_id: str, problems: list[Problem]) -> tuple[bytes, str, Any] | None:
        """``(raw text, text, annotations)`` of an article whose files are there, readable and valid
        against the schema; else None, with the problem appended."""
        text_path, ann_path = self.text_file(article_id), self.annotation_file(article_id)
        if not ARTICLE_ID_RE.match(article_id):
            problems.append(Problem(str(ann_path), None, f"article id {article_id!r}: use only letters, digits, '_' and '-'"))
            return None
        if not text_path.exists():
            problems.append(Problem(str(ann_path), None, f"no article text {text_path.name} beside this annotation file"))
            return None
        if not ann_path.exists():
            problems.append(Problem(str(text_path), None, f"no annotation file {ann_path}; write one (see corpus/README.md)"))
            return None
        try:
            raw_text = text_path.read_bytes()
            _header, text = split_header(normalise_text(raw_text.decode("utf-8")))
        except UnicodeDecodeError as e:
            problems.append(Problem(str(text_path), None, f"not UTF-8 text: {e}"))
            return None
        data = load_yaml(ann_path, problems)
        if data is None:
            return None
        found = self.schemas.problems(data, ANNOTATION_SCHEMA, str(ann_path))
        if found:
            problems.extend(found)
            return None
        return raw_text, text, data

# --------------------------------------------------------------------------- the corpus as a whole

@dataclass
class CorpusReport:
    """The outcome of reading the whole corpus."""

    articles: list[Article]
    registry: Registry
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def fact_index(reader: CorpusReader, article_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """The ids of every article's facts, read cheaply (for cross-article references)."""
    out = {}
    for aid in article_ids:
        data = load_yaml(reader.annotation_file(aid), [])  # (a file that cannot be read is reported by read_article)
        if isinstance(data, dict):
            out[aid] = frozenset(
                x["id"] for k in FACT_KINDS
                for x in data.get(k) or [] if isinstance(x, dict) and "id" in x
            )
    return out


def iter_articles(
    reader: CorpusReader, registry: Registry, article_ids: Iterable[str], problems: list[Problem],
    known_facts: dict[str, frozenset[str]] | None = None,
) -> Iterator[Article]:
    """Validated articles one at a time (the corpus is never held in memory as a whole)."""
    for aid in article_ids:
        art = reader.read_article(aid, registry, problems, known_facts)
        if art is not None:
            yield art


def check_corpus(corpus_dir: Path, ontology: Any) -> CorpusReport:
    """Validate the whole corpus; every problem is collected, none raised."""
    reader = CorpusReader(corpus_dir, ontology)
    problems: list[Problem] = []
    registry = reader.read_registry(problems)
    ids = reader.article_ids()
    known = fact_index(reader, ids)
    articles = list(iter_articles(reader, registry, ids, problems, known))
    problems.extend(copied_fact_problems(registry, articles))
    return CorpusReport(articles, registry, problems)


def copied_fact_problems(registry: Registry, articles: Iterable[Article]) -> list[Problem]:
    """Warnings for registry facts copied from an article relation without its date or certainty.

    A registry fact whose source is ``<article id>/<relation id>`` repeats what that article states; if the
    statement is dated or hedged and the copy is not, two offices held at different times would read as
    one undated fact, and a hedged one as certain.
    """
    relations = {f"{a.id}/{r.id}": r for a in articles for r in a.relations}
    out = []
    for ent in registry.entities.values():
        for fact in ent.facts:
            r = relations.get(fact.source)
            if r is None or (r.subject, r.property, r.object) != (ent.id, fact.property, fact.object):
                continue
            where = f"entity {ent.id}: fact {fact.property} {fact.object} (from {fact.source})"
            if r.date and r.date.iso and (fact.date is None or fact.date.iso != r.date.iso):
                out.append(Problem(ent.file, ent.line, f"{where}: the article dates it {r.date.iso}; copy its date", "warning"))
            if r.certainty and fact.certainty != r.certainty:
                out.append(Problem(ent.file, ent.line, f"{where}: the article hedges it ({r.certainty}); copy its certainty", "warning"))
    return out


def load_corpus(corpus_dir: Path, ontology: Any) -> CorpusReport:
    """Like :func:`check_corpus`, but raise :class:`CorpusError` if there is any error."""
    report = check_corpus(corpus_dir, ontology)
    if report.errors:
        raise CorpusError(report.problems)
    return report
