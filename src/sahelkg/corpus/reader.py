"""Read and validate the corpus: the registry, then each article against it.

:class:`CorpusReader` turns the files of :class:`~sahelkg.corpus.scan.CorpusFiles` into the
records of :mod:`sahelkg.corpus.records`, or reports *every* problem at once, each with the file,
the line and what to do: the schema (:mod:`~sahelkg.corpus.schema`), the quotes
(:mod:`~sahelkg.corpus.anchors`), the references between entities and facts, the dates, and the
types the ontology's domains and ranges expect. Nothing here knows about RDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sahelkg.corpus.anchors import Quotes, normalise_text, split_header
from sahelkg.corpus.dates import day_of_year, parse_date_value
from sahelkg.corpus.lint import article_warnings
from sahelkg.corpus.names import did_you_mean
from sahelkg.corpus.records import (
    Anchor, Article, ArticleMeta, Claim, Coordinates, Count, DateSpec, Entity, Event, Fact, LocalEntity,
    Mention, Observation, PlaceRef, Registry, Relation,
)
from sahelkg.corpus.scan import ARTICLE_ID_RE, FACT_KINDS, CorpusFiles
from sahelkg.corpus.schema import ANNOTATION_SCHEMA, REGISTRY_SCHEMA, Schemas
from sahelkg.corpus.yaml_lines import FileProblems, line_of, load_yaml
from sahelkg.errors import CorpusError, Problem
from sahelkg.vocab import RELATION_PROPERTIES, ROLE_PROPERTIES, SK


def _review(item: dict[str, Any]) -> dict[str, Any]:
    """``status`` and ``confidence`` of an annotation item (drafts carry ``status: draft``), as the
    keywords of its record."""
    c = item.get("confidence")
    return {"status": item.get("status"), "confidence": float(c) if c is not None else None}


def _types(value: Any) -> tuple[str, ...]:
    """An entity's ``type`` (one name or a list) as a tuple."""
    return tuple(value) if isinstance(value, list) else (value,)


def _error_count(problems: list[Problem]) -> int:
    return sum(1 for p in problems if p.severity == "error")


class CorpusReader(CorpusFiles):
    """Validates corpus files against the schema, the texts, the registry and the ontology.

    ``ontology`` is a :class:`sahelkg.graph.ontology.Ontology` (types, domains and ranges).
    """

    def __init__(self, corpus_dir: Path, ontology: Any) -> None:
        super().__init__(corpus_dir)
        self.ontology = ontology
        self.schemas = Schemas(self.schema_dir)
        self.class_names = frozenset(c[len(SK.base):] for c in ontology.classes if c.startswith(SK.base))

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
                types = _types(t) if isinstance(t, (list, str)) else ()
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
        types = _types(item["type"])
        self._check_types(ctx, [i, "type"], f"entity {eid}", types)
        coords = None
        if "coordinates" in item:
            c = item["coordinates"]
            coords = Coordinates(lat=float(c["lat"]), lon=float(c["lon"]), precision=c["precision"], source=c["source"])
        facts = tuple(
            Fact(
                property=f["property"], object=f["object"], source=f["source"],
                date=self._date(ctx, [i, "facts", j, "date"], f["date"], f"entity {eid}: fact {f['property']}") if "date" in f else None,
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
            self._check_relation_types(
                ctx, fpath, f"entity {ent.id}: fact {fact.property}", fact.property,
                ent.types, entities[fact.object].types,
            )
        if ent.coordinates is not None and not self._fits(ent.types, SK.Place):
            ctx.error([i, "coordinates"], f"entity {ent.id}: only places have coordinates")

    # ---- one article
    def read_article(
        self, article_id: str, registry: Registry, problems: list[Problem],
        known_facts: dict[str, frozenset[str]] | None = None,
    ) -> Article | None:
        """Load and validate one article; returns None if it has errors (they are appended)."""
        before = _error_count(problems)
        loaded = self._load_article(article_id, problems)
        if loaded is None:
            return None
        raw_text, text, data = loaded
        file = str(self.annotation_file(article_id))
        reading = _ArticleReading(self, article_id, text, data, registry, FileProblems(file, data, problems), known_facts)
        article = reading.article(hashlib.sha256(raw_text).hexdigest())
        if _error_count(problems) > before:
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

    # ---- helpers
    def _name(self, iri: str) -> str:
        return iri.rsplit("#", 1)[-1]

    def _one(self, classes: frozenset[str]) -> str | None:
        return next(iter(classes)) if len(classes) == 1 else None

    def _fits(self, type_names: Iterable[str], expected: str) -> bool:
        type_names = list(type_names)
        if any(t not in self.class_names for t in type_names):
            return True  # an unknown type is reported once where it is declared, not at every use
        return self.ontology.fits([SK.term(t) if t in SK else t for t in type_names], frozenset([expected]))

    def _classes_under(self, ancestor: str) -> list[str]:
        """The names of the ontology's classes under ``ancestor`` (the choices of a "did you mean")."""
        return sorted(c for c in self.class_names if self._is_class(c, ancestor))

    def _is_class(self, name: str, ancestor: str) -> bool:
        return name in self.class_names and ancestor in self.ontology.superclasses(SK.term(name))

    def _check_types(self, ctx: FileProblems, path: list[Any], what: str, types: tuple[str, ...]) -> None:
        """An entity's declared types must be classes of the ontology."""
        for t in types:
            if t not in self.class_names:
                ctx.error(path, f"{what}: unknown type {t!r}: not a class of the ontology{did_you_mean(t, self.class_names)}")

    def _check_relation_types(
        self, ctx: FileProblems, path: list[Any], what: str, prop: str,
        subject_types: tuple[str, ...], object_types: tuple[str, ...],
    ) -> None:
        if prop not in RELATION_PROPERTIES:
            hint = did_you_mean(prop, RELATION_PROPERTIES) or f"; use one of {', '.join(RELATION_PROPERTIES)}"
            ctx.error(path + ["property"], f"{what}: unknown relation property {prop!r}{hint}")
            return
        if any(t not in self.class_names for t in (*subject_types, *object_types)):
            return  # an unknown type is reported where it is declared
        iri = SK.term(prop)
        subject_iris = [SK.term(t) for t in subject_types if t in SK]
        object_iris = [SK.term(t) for t in object_types if t in SK]
        dom, rng = self.ontology.domain(iri), self.ontology.range(iri)
        if not self.ontology.fits(subject_iris, dom):
            ctx.error(path + ["subject"], f"{what}: the subject is a {'/'.join(subject_types)}, but {prop} needs a {' or '.join(sorted(map(self._name, dom)))}")
        if not self.ontology.fits(object_iris, rng):
            ctx.error(path + ["object"], f"{what}: the object is a {'/'.join(object_types)}, but {prop} needs a {' or '.join(sorted(map(self._name, rng)))}")

    def _cross_ref(self, ctx: FileProblems, path: list[Any], what: str, other: str, article_id: str,
                   known_facts: dict[str, frozenset[str]] | None, key: str = "same_as") -> None:
        if "/" not in other:
            ctx.error(path, f"{what} {key}: write <article id>/<event id>, not {other!r}")
            return
        aid, fid = other.split("/", 1)
        if aid == article_id:
            ctx.error(path, f"{what} {key}: {other!r} is in the same article; write just {fid!r}")
        elif known_facts is not None and fid not in known_facts.get(aid, frozenset()):
            ctx.error(path, f"{what} {key}: no event {fid!r} in article {aid!r}")

    def _date(self, ctx: FileProblems, path: list[Any], d: Any, what: str) -> DateSpec | None:
        basis = d["basis"]
        if basis != "stated" and not d.get("derivation"):
            ctx.error(path, f"{what} date: basis {basis} needs a derivation saying how the date was obtained")
        has_value = "value" in d
        has_span = "begin" in d or "end" in d
        text, derivation = d.get("text"), d.get("derivation")
        time_of_day, conflicts_with = d.get("time_of_day"), tuple(d.get("conflicts_with", ()))
        if basis == "unknown":
            if has_value or has_span:
                ctx.error(path, f"{what} date: basis unknown cannot have a value")
            return DateSpec(
                text=text, iso=None, precision=None, basis="unknown", derivation=derivation, begin=None, end=None,
                time_of_day=time_of_day, conflicts_with=conflicts_with,
            )
        if has_value and has_span:
            ctx.error(path, f"{what} date: give value, or begin and end, not both")
            return None
        month_day = None
        try:
            if has_value:
                iso, precision, begin, end = parse_date_value(d["value"])
                if iso.startswith("--"):
                    month_day = iso
            elif has_span:
                parts = {k: parse_date_value(d[k]) for k in ("begin", "end") if k in d}
                if any(p[2] is None for p in parts.values()):
                    ctx.error(path, f"{what} date: a span's begin and end need a year")
                    return None
                b_iso, b_prec, begin, _ = parts["begin"] if "begin" in parts else ("..", None, None, None)
                e_iso, e_prec, _, end = parts["end"] if "end" in parts else ("..", None, None, None)
                if begin and end and begin > end:
                    ctx.error(path + ["begin"], f"{what} date: begin {b_iso} is after end {e_iso}")
                    return None
                # An open span ("since 2013": begin without end) keeps the precision of its one end.
                precs = {p for p in (b_prec, e_prec) if p}
                iso, precision = f"{b_iso}/{e_iso}", (precs.pop() if len(precs) == 1 else "year")
            else:
                ctx.error(path, f"{what} date: give a value (or begin and end), or basis: unknown")
                return None
        except ValueError as e:
            ctx.error(path, f"{what} date: {e}")
            return None
        if "precision" in d and d["precision"] != precision:
            ctx.error(path + ["precision"], f"{what} date: precision {d['precision']} does not match the value {iso} ({precision})")
        return DateSpec(
            text=text, iso=iso, precision=precision, basis=basis, derivation=derivation, begin=begin, end=end,
            month_day=month_day, day_of_year=day_of_year(month_day) if month_day else None,
            time_of_day=time_of_day, conflicts_with=conflicts_with,
        )

    def _count(self, ctx: FileProblems, path: list[Any], c: Any, what: str) -> Count:
        best, low, high = c.get("value"), c.get("low"), c.get("high")
        if best is None and low is None and high is None:
            ctx.error(path, f"{what} count: give value, or low and/or high")
        vals = [v for v in (low, best, high) if v is not None]
        if vals != sorted(vals):
            ctx.error(path, f"{what} count: low <= value <= high does not hold ({low}, {best}, {high})")
        return Count(best=best, low=low, high=high, approximate=bool(c.get("approximate", False)),
                     text=c.get("text"), unit=c.get("unit"))


class _ArticleReading:
    """The validation of one article's annotation file (already valid against the schema), step by
    step in the file's order: local entities, the article's own description, mentions, fact ids,
    dates, then events, relations, claims and observations. Each step appends its problems to
    ``ctx``; a fact whose quote is not found is reported and left out (the article is then
    rejected as a whole)."""

    def __init__(self, reader: CorpusReader, article_id: str, text: str, data: Any, registry: Registry,
                 ctx: FileProblems, known_facts: dict[str, frozenset[str]] | None) -> None:
        self.reader, self.article_id, self.text, self.data = reader, article_id, text, data
        self.registry, self.ctx, self.known_facts = registry, ctx, known_facts
        self.quotes = Quotes(text)
        self.a = data["article"]
        self.local: dict[str, LocalEntity] = {}
        self.ids: dict[str, str] = {}  # fact id -> its kind ("event", "relation"...)
        self.dates: dict[str, DateSpec | None] = {}  # fact id -> its own date
        self.event_ids = {x["id"] for x in data.get("events", [])}

    def article(self, text_sha256: str) -> Article:
        """The article's record (meaningful only if no error was reported)."""
        if self.a["id"] != self.article_id:
            self.ctx.error(["article", "id"], f"article id {self.a['id']!r} differs from the file name {self.article_id!r}")
        self.read_local_entities()
        meta = self.meta(text_sha256)
        mentions = self.mentions()
        self.read_fact_ids()
        self.read_dates()
        events = [ev for i, e in enumerate(self.data.get("events", [])) if (ev := self.event(i, e))]
        relations = [rel for i, r in enumerate(self.data.get("relations", [])) if (rel := self.relation(i, r))]
        claims = [cl for i, c in enumerate(self.data.get("claims", [])) if (cl := self.claim(i, c))]
        observations = [ob for i, o in enumerate(self.data.get("observations", [])) if (ob := self.observation(i, o))]
        return Article(
            meta=meta, text=self.text, mentions=tuple(mentions), entities=tuple(self.local.values()),
            events=tuple(events), relations=tuple(relations), claims=tuple(claims), observations=tuple(observations),
        )

    def anchor(self, spec: Any, path: list[Any], what: str, within: Anchor | None = None) -> Anchor | None:
        return self.quotes.anchor(spec, self.ctx, path, what, within)

    # ---- entities and references
    def read_local_entities(self) -> None:
        """The file's own entities: unique ids, not registry ids, types of the ontology."""
        for i, e in enumerate(self.data.get("entities", [])):
            path = ["entities", i]
            if e["id"] in self.local:
                self.ctx.error(path + ["id"], f"duplicate local entity id {e['id']!r}")
            if e["id"] in self.registry.entities:
                self.ctx.error(path + ["id"], f"local entity id {e['id']!r} is also a registry id: rename one")
            types = _types(e["type"])
            self.reader._check_types(self.ctx, path + ["type"], f"entity {e['id']}", types)
            anchor = self.anchor(e["quote"], path + ["quote"], f"entity {e['id']}") if "quote" in e else None
            self.local[e["id"]] = LocalEntity(id=e["id"], types=types, label=e["label"], anchor=anchor, note=e.get("note"), **_review(e))

    def types_of(self, eid: str) -> tuple[str, ...] | None:
        """The types of a local or registry entity; None if there is no such entity."""
        if eid in self.local:
            return self.local[eid].types
        if eid in self.registry.entities:
            return self.registry.entities[eid].types
        return None

    def ref(self, path: list[Any], eid: str, what: str, expected: str | None = None) -> None:
        """``eid`` must be an entity (of class ``expected``, if given)."""
        types = self.types_of(eid)
        if types is None:
            known = [*self.local, *self.registry.entities]
            self.ctx.error(path, f"{what}: unknown entity {eid!r}: add it to the registry or to this file's entities{did_you_mean(eid, known)}")
        elif expected is not None and not self.reader._fits(types, expected):
            self.ctx.error(path, f"{what}: {eid!r} is a {'/'.join(types)}, but {self.reader._name(expected)} is expected")

    def event_ref(self, path: list[Any], what: str, key: str, other: str, own: str) -> None:
        """``other`` is an event of this file, or ``<article id>/<event id>`` of another article."""
        if "/" in other:
            self.reader._cross_ref(self.ctx, path, what, other, self.article_id, self.known_facts, key)
        elif other not in self.event_ids:
            self.ctx.error(path, f"{what} {key}: no event {other!r} in this file")
        elif other == own:
            self.ctx.error(path, f"{what} {key}: an event cannot refer to itself")

    # ---- the article's description and its mentions
    def meta(self, text_sha256: str) -> ArticleMeta:
        a = self.a
        published = self.reader._date(self.ctx, ["article", "published"], a.get("published"), "article published") if "published" in a else None
        published_anchor = self.anchor(a["published_quote"], ["article", "published_quote"], "article published_quote") if "published_quote" in a else None
        return ArticleMeta(
            id=self.article_id, title=a.get("title"), language=a["language"], publisher=a.get("publisher"),
            url=a.get("url"), published=published, published_anchor=published_anchor, text_sha256=text_sha256,
        )

    def mentions(self) -> list[Mention]:
        out = []
        for i, m in enumerate(self.data.get("mentions", [])):
            path = ["mentions", i]
            self.ref(path + ["entity"], m["entity"], "mention")
            spec = {k: v for k, v in m.items() if k in ("prefix", "suffix", "occurrence")}
            spec["text"] = m["quote"] if isinstance(m["quote"], str) else m["quote"].get("text")
            if isinstance(m["quote"], dict):
                spec.update({k: v for k, v in m["quote"].items() if k != "text"})
            anchor = self.anchor(spec, path + ["quote"], f"mention of {m['entity']}")
            if anchor:
                out.append(Mention(entity=m["entity"], anchor=anchor, **_review(m)))
        return out

    # ---- fact ids and dates
    def facts(self) -> Iterator[tuple[str, int, Any]]:
        """``(kind, index, item)`` of every fact of the file, in order."""
        for kind in FACT_KINDS:
            for i, x in enumerate(self.data.get(kind, [])):
                yield kind, i, x

    def read_fact_ids(self) -> None:
        """Every fact id is used once in the file, whatever its kind."""
        for kind, i, x in self.facts():
            fid = x["id"]
            if fid in self.ids:
                self.ctx.error([kind, i, "id"], f"duplicate id {fid!r} (already used by a {self.ids[fid]})")
            self.ids[fid] = kind[:-1]

    def read_dates(self) -> None:
        """The facts' own dates. They are read before the facts, so that a fact may share the date
        of another (date_of) and a date may be flagged as conflicting with another (conflicts_with)
        wherever in the file they are."""
        for kind, i, x in self.facts():
            if "date" in x:
                self.dates[x["id"]] = self.reader._date(self.ctx, [kind, i, "date"], x["date"], f"{kind[:-1]} {x['id']}")
        for kind, i, x in self.facts():
            if "date" in x:
                self.check_conflicts([kind, i, "date"], x["date"], f"{kind[:-1]} {x['id']}", x["id"])
        if "published" in self.a:
            self.check_conflicts(["article", "published"], self.a["published"], "article published", "published")

    def check_conflicts(self, path: list[Any], d: Any, what: str, own: str | None) -> None:
        for j, other in enumerate(d.get("conflicts_with", [])):
            if other == "published":
                if "published" not in self.a or own == "published":
                    self.ctx.error(path + ["conflicts_with", j], f"{what} date conflicts_with: the article has no published date to conflict with")
            elif other == own or other not in self.dates:
                self.ctx.error(path + ["conflicts_with", j], f"{what} date conflicts_with: {other!r} is not another fact of this file with a date of its own")

    def date_of(self, path: list[Any], x: Any, what: str) -> tuple[DateSpec | None, str | None]:
        """The item's date, or the date it shares with another fact of this file (and that fact's id)."""
        if "date_of" not in x:
            return self.dates.get(x["id"]), None
        root = x["date_of"]
        if "date" in x:
            self.ctx.error(path + ["date_of"], f"{what}: give date or date_of, not both")
        elif root == x["id"]:
            self.ctx.error(path + ["date_of"], f"{what} date_of: a fact cannot share its own date")
        elif root not in self.ids:
            self.ctx.error(path + ["date_of"], f"{what} date_of: no event, relation, claim or observation {root!r} in this file")
        elif root not in self.dates:
            self.ctx.error(path + ["date_of"], f"{what} date_of: {root} has no date of its own; point at the fact that carries the date")
        else:
            return self.dates[root], root
        return None, None

    # ---- facts
    def event(self, i: int, e: Any) -> Event | None:
        path: list[Any] = ["events", i]
        what = f"event {e['id']}"
        etype = e["type"]
        if not self.reader._is_class(etype, SK.Event):
            self.ctx.error(path + ["type"], f"{what}: {etype!r} is not an event class of the ontology{did_you_mean(etype, self.reader._classes_under(SK.Event))}")
        anchor = self.anchor(e["quote"], path + ["quote"], what)
        trigger = self.anchor(e["trigger"], path + ["trigger"], f"{what} trigger", within=anchor) if "trigger" in e and anchor else None
        participants, hedged = self.participants(path, e, what)
        for j, eid in enumerate(e.get("instruments", [])):
            self.ref(path + ["instruments", j], eid, f"{what} instrument", SK.Equipment)
        place = self.place(path + ["place"], e["place"], what) if "place" in e else None
        if "operation" in e:
            self.ref(path + ["operation"], e["operation"], f"{what} operation", SK.MilitaryOperation)
        if "award" in e:
            self.ref(path + ["award"], e["award"], f"{what} award", SK.Decoration)
            if not self.reader._is_class(etype, SK.Award):
                self.ctx.error(path + ["award"], f"{what}: only an Award event has an award")
        if "sub_event_of" in e:
            if e["sub_event_of"] not in self.event_ids:
                self.ctx.error(path + ["sub_event_of"], f"{what} sub_event_of: no event {e['sub_event_of']!r} in this file")
            elif e["sub_event_of"] == e["id"]:
                self.ctx.error(path + ["sub_event_of"], f"{what} sub_event_of: an event cannot refer to itself")
        if "result_of" in e:  # a cause may be told in another article
            self.event_ref(path + ["result_of"], what, "result_of", e["result_of"], e["id"])
        for j, other in enumerate(e.get("after", [])):
            self.event_ref(path + ["after", j], what, "after", other, e["id"])
        for j, other in enumerate(e.get("about", [])):
            if other not in self.ids and self.types_of(other) is None:
                self.ctx.error(path + ["about", j], f"{what} about: {other!r} is neither a fact of this file nor an entity")
        for j, other in enumerate(e.get("same_as", [])):
            # another account of the same real event: in another article, or in this one ("e1")
            self.event_ref(path + ["same_as", j], what, "same_as", other, e["id"])
        date, date_from = self.date_of(path, e, what)
        count = self.reader._count(self.ctx, path + ["count"], e["count"], what) if "count" in e else None
        if anchor is None:
            return None
        return Event(
            id=e["id"], type=etype, anchor=anchor, trigger=trigger, date=date, place=place,
            participants=tuple(participants), instruments=tuple(e.get("instruments", [])), count=count,
            operation=e.get("operation"), sub_event_of=e.get("sub_event_of"), result_of=e.get("result_of"),
            same_as=tuple(e.get("same_as", [])), about=tuple(e.get("about", [])), award=e.get("award"),
            certainty=e.get("certainty"), note=e.get("note"), label=e.get("label"), modality=e.get("modality"),
            date_from=date_from, after=tuple(e.get("after", [])), hedged=tuple(hedged), **_review(e),
        )

    def participants(self, path: list[Any], e: Any, what: str) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
        """``(participants, hedged)`` of an event: ``(role, entity id)`` of each, and ``(role, entity
        id, certainty)`` of those the text hedges alone; each must fit its role's range."""
        participants, hedged = [], []
        for role, members in e.get("participants", {}).items():
            prop = ROLE_PROPERTIES[role]
            rng = self.reader.ontology.range(SK.term(prop))
            for j, member in enumerate(members):
                # a participant is an id, or {entity, certainty} when the text hedges it alone
                eid = member if isinstance(member, str) else member["entity"]
                self.ref(path + ["participants", role, j], eid, f"{what} {role}", self.reader._one(rng))
                participants.append((role, eid))
                if isinstance(member, dict):
                    hedged.append((role, eid, member["certainty"]))
        return participants, hedged

    def place(self, path: list[Any], p: Any, what: str) -> PlaceRef:
        """An event's place: a place entity, or a position relative to one, or between places."""
        if "entity" in p:
            self.ref(path + ["entity"], p["entity"], f"{what} place", SK.Place)
        elif "reference" not in p and "between" not in p:
            self.ctx.error(path, f"{what} place: give entity (where it happened), or reference with bearing and distance_km for a place relative to another")
        if "reference" in p:
            self.ref(path + ["reference"], p["reference"], f"{what} place reference", SK.Place)
        if "between" in p and ("reference" in p or "bearing" in p or "distance_km" in p):
            self.ctx.error(path + ["between"], f"{what} place: between names the places it lies between; give it without reference, bearing or distance_km")
        for j, other in enumerate(p.get("between", [])):
            self.ref(path + ["between", j], other, f"{what} place between", SK.Place)
        return PlaceRef(
            entity=p.get("entity"), precision=p.get("precision"), bearing=p.get("bearing"),
            distance_km=p.get("distance_km"), reference=p.get("reference"), text=p.get("text"),
            between=tuple(p.get("between", ())),
        )

    def relation(self, i: int, r: Any) -> Relation | None:
        path: list[Any] = ["relations", i]
        what = f"relation {r['id']}"
        subject_types, object_types = self.types_of(r["subject"]), self.types_of(r["object"])
        if subject_types is None:
            self.ref(path + ["subject"], r["subject"], f"{what} subject")
        if object_types is None:
            self.ref(path + ["object"], r["object"], f"{what} object")
        if subject_types is not None and object_types is not None:
            self.reader._check_relation_types(self.ctx, path, what, r["property"], subject_types, object_types)
        anchor = self.anchor(r["quote"], path + ["quote"], what)
        date, date_from = self.date_of(path, r, what)
        if anchor is None:
            return None
        return Relation(
            id=r["id"], property=r["property"], subject=r["subject"], object=r["object"], anchor=anchor, date=date,
            certainty=r.get("certainty"), note=r.get("note"), date_from=date_from, **_review(r),
        )

    def claim(self, i: int, c: Any) -> Claim | None:
        path: list[Any] = ["claims", i]
        what = f"claim {c['id']}"
        self.ref(path + ["speaker"], c["speaker"], f"{what} speaker", SK.Agent)
        for j, other in enumerate(c.get("about", [])):
            if other not in self.ids:
                self.ctx.error(path + ["about", j], f"{what} about: no event, relation or observation {other!r} in this file")
        for key in ("attacker", "victim"):
            for j, eid in enumerate(c.get(key, [])):
                self.ref(path + [key, j], eid, f"{what} {key}", SK.Agent)
        anchor = self.anchor(c["quote"], path + ["quote"], what)
        date, date_from = self.date_of(path, c, what)
        if anchor is None:
            return None
        return Claim(
            id=c["id"], speaker=c["speaker"], stance=c["stance"], certainty=c.get("certainty"),
            about=tuple(c.get("about", [])), attackers=tuple(c.get("attacker", [])), victims=tuple(c.get("victim", [])),
            disjunctive=bool(c.get("disjunctive", False)), date=date, anchor=anchor, note=c.get("note"),
            date_from=date_from, **_review(c),
        )

    def observation(self, i: int, o: Any) -> Observation | None:
        path: list[Any] = ["observations", i]
        what = f"observation {o['id']}"
        if not self.reader._is_class(o["type"], SK.Observation):
            self.ctx.error(path + ["type"], f"{what}: {o['type']!r} is not an observation class of the ontology{did_you_mean(o['type'], self.reader._classes_under(SK.Observation))}")
        self.ref(path + ["subject"], o["subject"], f"{what} subject", SK.Agent)
        if "place" in o:
            self.ref(path + ["place"], o["place"], f"{what} place", SK.Place)
        if "according_to" in o:
            self.ref(path + ["according_to"], o["according_to"], f"{what} according_to", SK.Agent)
        anchor = self.anchor(o["quote"], path + ["quote"], what)
        date, date_from = self.date_of(path, o, what)
        count = self.reader._count(self.ctx, path + ["count"], o["count"], what)
        if anchor is None:
            return None
        return Observation(
            id=o["id"], type=o["type"], subject=o["subject"], count=count, date=date, place=o.get("place"),
            outcome=o.get("outcome"), according_to=o.get("according_to"), anchor=anchor, note=o.get("note"),
            modality=o.get("modality"), date_from=date_from, **_review(o),
        )


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
