"""The validation of one article's annotation file, step by step (:class:`ArticleReading`).

The file is already valid against the schema (:mod:`sahelkg.corpus.schema`); what is left is what
a schema cannot say: quotes found in the text, ids unique, references to entities and facts that
exist and have the right types, dates that parse and agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sahelkg.corpus.anchors import Quotes
from sahelkg.corpus.classes import OntologyClasses, declared_types, local_name
from sahelkg.corpus.dates import read_date
from sahelkg.corpus.names import did_you_mean
from sahelkg.corpus.records import (
    Anchor, Article, ArticleMeta, Claim, Count, DateSpec, Event, LocalEntity, Mention, Observation, PlaceRef,
    Registry, Relation,
)
from sahelkg.corpus.scan import FACT_KINDS
from sahelkg.corpus.yaml_lines import FileProblems
from sahelkg.vocab import ROLE_PROPERTIES, SK


def _review(item: dict[str, Any]) -> dict[str, Any]:
    """``status`` and ``confidence`` of an annotation item (drafts carry ``status: draft``), as the
    keywords of its record."""
    c = item.get("confidence")
    return {"status": item.get("status"), "confidence": float(c) if c is not None else None}


def _one(classes: frozenset[str]) -> str | None:
    """The one class of a set of one (a role's range), else None (no check)."""
    return next(iter(classes)) if len(classes) == 1 else None


def read_count(ctx: FileProblems, path: list[Any], c: Any, what: str) -> Count:
    """The :class:`Count` of a ``count`` mapping; a missing or disordered value is reported."""
    best, low, high = c.get("value"), c.get("low"), c.get("high")
    if best is None and low is None and high is None:
        ctx.error(path, f"{what} count: give value, or low and/or high")
    vals = [v for v in (low, best, high) if v is not None]
    if vals != sorted(vals):
        ctx.error(path, f"{what} count: low <= value <= high does not hold ({low}, {best}, {high})")
    return Count(best=best, low=low, high=high, approximate=bool(c.get("approximate", False)),
                 text=c.get("text"), unit=c.get("unit"))


class ArticleReading:
    """The validation of one article's annotation file (already valid against the schema), step by
    step in the file's order: local entities, the article's own description, mentions, fact ids,
    dates, then events, relations, claims and observations. Each step appends its problems to
    ``ctx``; a fact whose quote is not found is reported and left out (the article is then
    rejected as a whole)."""

    def __init__(self, classes: OntologyClasses, article_id: str, text: str, data: Any, registry: Registry,
                 ctx: FileProblems, known_facts: dict[str, frozenset[str]] | None) -> None:
        self.classes, self.article_id, self.text, self.data = classes, article_id, text, data
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
        """The quote ``spec`` located in the text (see :meth:`Quotes.anchor`); None if it is not there."""
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
            types = declared_types(e["type"])
            self.classes.check_types(self.ctx, path + ["type"], f"entity {e['id']}", types)
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
        elif expected is not None and not self.classes.fits(types, expected):
            self.ctx.error(path, f"{what}: {eid!r} is a {'/'.join(types)}, but {local_name(expected)} is expected")

    def event_ref(self, path: list[Any], what: str, key: str, other: str, own: str) -> None:
        """``other`` is an event of this file, or ``<article id>/<event id>`` of another article."""
        if "/" in other:
            self.cross_ref(path, what, key, other)
        elif other not in self.event_ids:
            self.ctx.error(path, f"{what} {key}: no event {other!r} in this file")
        elif other == own:
            self.ctx.error(path, f"{what} {key}: an event cannot refer to itself")

    def cross_ref(self, path: list[Any], what: str, key: str, other: str) -> None:
        """``other`` is ``<article id>/<event id>`` of another article (of the known facts, if given)."""
        if "/" not in other:
            self.ctx.error(path, f"{what} {key}: write <article id>/<event id>, not {other!r}")
            return
        aid, fid = other.split("/", 1)
        if aid == self.article_id:
            self.ctx.error(path, f"{what} {key}: {other!r} is in the same article; write just {fid!r}")
        elif self.known_facts is not None and fid not in self.known_facts.get(aid, frozenset()):
            self.ctx.error(path, f"{what} {key}: no event {fid!r} in article {aid!r}")

    # ---- the article's description and its mentions
    def meta(self, text_sha256: str) -> ArticleMeta:
        a = self.a
        published = read_date(self.ctx, ["article", "published"], a.get("published"), "article published") if "published" in a else None
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
                self.dates[x["id"]] = read_date(self.ctx, [kind, i, "date"], x["date"], f"{kind[:-1]} {x['id']}")
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
        if not self.classes.is_a(etype, SK.Event):
            self.ctx.error(path + ["type"], f"{what}: {etype!r} is not an event class of the ontology{did_you_mean(etype, self.classes.under(SK.Event))}")
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
            if not self.classes.is_a(etype, SK.Award):
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
        count = read_count(self.ctx, path + ["count"], e["count"], what) if "count" in e else None
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
            rng = self.classes.ontology.range(SK.term(prop))
            for j, member in enumerate(members):
                # a participant is an id, or {entity, certainty} when the text hedges it alone
                eid = member if isinstance(member, str) else member["entity"]
                self.ref(path + ["participants", role, j], eid, f"{what} {role}", _one(rng))
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
            self.classes.check_relation(self.ctx, path, what, r["property"], subject_types, object_types)
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
        if not self.classes.is_a(o["type"], SK.Observation):
            self.ctx.error(path + ["type"], f"{what}: {o['type']!r} is not an observation class of the ontology{did_you_mean(o['type'], self.classes.under(SK.Observation))}")
        self.ref(path + ["subject"], o["subject"], f"{what} subject", SK.Agent)
        if "place" in o:
            self.ref(path + ["place"], o["place"], f"{what} place", SK.Place)
        if "according_to" in o:
            self.ref(path + ["according_to"], o["according_to"], f"{what} according_to", SK.Agent)
        anchor = self.anchor(o["quote"], path + ["quote"], what)
        date, date_from = self.date_of(path, o, what)
        count = read_count(self.ctx, path + ["count"], o["count"], what)
        if anchor is None:
            return None
        return Observation(
            id=o["id"], type=o["type"], subject=o["subject"], count=count, date=date, place=o.get("place"),
            outcome=o.get("outcome"), according_to=o.get("according_to"), anchor=anchor, note=o.get("note"),
            modality=o.get("modality"), date_from=date_from, **_review(o),
        )
