"""The standoff model shared by the brat and INCEpTION exchanges, and its mapping to annotation files.

brat's ``.ann`` and a UIMA CAS hold the same kinds of things: text-bound spans (an entity mention, an
event trigger, a quote), frames over them (an event with role arguments), binary links (a relation),
attributes, normalisations (a link to a knowledge base entry) and notes. :class:`Doc` is that
common model; :mod:`sahelkg.exchange.brat` and :mod:`sahelkg.exchange.xmi` only (de)serialise it,
and this module maps it to and from the corpus's annotation files:

- **export** (:func:`to_doc`): a validated :class:`~sahelkg.corpus.Article` (and its YAML, for the
  fields the records do not keep) becomes a :class:`Doc`, with the list of what the format cannot hold;
- **import** (:func:`from_doc`): a :class:`Doc` becomes the YAML data of an annotation file, with
  quotes made unambiguous (``occurrence``), and the list of what could not be mapped. When the article
  already has an annotation file, the fields the format cannot hold (dates, counts...) are kept from it
  for the items whose id comes back.

How the annotation maps (the same in brat and in INCEpTION):

| annotation | standoff |
|---|---|
| mention of entity X | span typed by X's class, normalised to ``sahelkg:X`` (local: ``sahelkg:<article>/X``) |
| local entity | its quote as a span with the attribute ``Introduction``; label = the normalisation's text; note |
| event | trigger span (the trigger, else the quote) typed by the event class; ``Quote`` argument (a ``Quote`` span) when it has a trigger; role arguments, ``Place``, ``PlaceReference``, ``Operation``, ``Award``, ``SubEventOf``, ``ResultOf``, ``About``; attributes ``Certainty``, ``GeoPrecision``, ``Modality``, ``Draft``; normalised to ``sahelkg:<article>/<id>`` |
| claim | a ``Claim`` frame on its quote: ``Speaker``, ``About``, ``Attacker``, ``Victim``; ``Stance``, ``Certainty``, ``Disjunctive`` |
| observation | a frame typed by its class on its quote: ``Subject``, ``Place``, ``AccordingTo``; ``Outcome`` |
| relation | a link typed by the property, Arg1 = subject, Arg2 = object; its quote is the text from the first argument to the last |
| note | an annotator note on the item |
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sahelkg.corpus import Anchor, Article, Quotes, Registry
from sahelkg.vocab import CERTAINTIES, GEO_PRECISIONS, OUTCOMES, ROLE_PROPERTIES, SK, STANCES

KB = "sahelkg"  # the normalisation database name: "sahelkg:jnim", "sahelkg:<article>/<id>"
QUOTE = "Quote"  # the span type of a fact's quote
CLAIM = "Claim"  # the frame type of a claim
ARG1, ARG2 = "Arg1", "Arg2"
INTRODUCTION, DRAFT = "Introduction", "Draft"

# Role names as the annotation writes them -> argument names (brat roles are CamelCase words).
ROLE_ARGS = {role: "".join(p.capitalize() for p in role.split("_")) for role in ROLE_PROPERTIES}
ARG_ROLES = {arg: role for role, arg in ROLE_ARGS.items()}
EVENT_LINKS = {"Place": "place", "PlaceReference": "reference", "Operation": "operation", "Award": "award",
               "SubEventOf": "sub_event_of", "ResultOf": "result_of"}
CLAIM_ARGS = {"Speaker": "speaker", "Attacker": "attacker", "Victim": "victim"}
OBSERVATION_ARGS = {"Subject": "subject", "Place": "place", "AccordingTo": "according_to"}
# Attributes: name -> (the annotation's values, or None for a binary attribute).
MODALITIES = ("planned", "intended", "announced", "considered", "expected", "hypothetical")
ATTRIBUTES: dict[str, tuple[str, ...] | None] = {
    "Certainty": tuple(CERTAINTIES), "GeoPrecision": tuple(GEO_PRECISIONS), "Modality": MODALITIES,
    "Stance": tuple(STANCES), "Outcome": tuple(OUTCOMES), "Disjunctive": None, DRAFT: None, INTRODUCTION: None,
}

# What the standoff formats cannot hold, by kind of item (the import keeps them from the current file).
NOT_HELD = {
    "events": ("date", "date_of", "count", "same_as", "after", "label", "confidence"),
    "claims": ("date", "date_of", "confidence"),
    "observations": ("count", "date", "date_of", "confidence"),
    "relations": ("date", "date_of", "confidence"),
    "entities": ("confidence",),
}
PLACE_NOT_HELD = ("bearing", "distance_km", "between", "text")


# --------------------------------------------------------------------------- the model

@dataclass
class Span:
    """A text-bound annotation: ``type`` over ``text[start:end]``."""

    id: str
    type: str
    start: int
    end: int
    where: str = ""  # "line 12", "element ...": where the import read it


@dataclass
class Frame:
    """An event-like annotation: a trigger span and (role, target id) arguments."""

    id: str
    type: str
    trigger: str
    args: list[tuple[str, str]] = field(default_factory=list)
    where: str = ""


@dataclass
class Link:
    """A binary relation between two annotations."""

    id: str
    type: str
    arg1: str
    arg2: str
    where: str = ""


@dataclass
class Doc:
    """One article's standoff annotations; attributes, normalisations and notes are keyed by annotation id."""

    text: str
    spans: list[Span] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    attributes: dict[str, dict[str, str | bool]] = field(default_factory=dict)
    norms: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (ref "sahelkg:x", text)
    notes: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    where: dict[str, str] = field(default_factory=dict)  # "A3"/"N2"/"#1" lines: id of the target -> where
    norm_where: dict[str, str] = field(default_factory=dict)  # id of the target -> where its normalisation is

    def span(self, sid: str) -> Span | None:
        return next((s for s in self.spans if s.id == sid), None)


@dataclass
class Report:
    """What an export could not write, or an import could not map, one line each."""

    lost: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # import: taken from the current annotation file
    created: list[str] = field(default_factory=list)  # import: local entities or ids it had to create


# --------------------------------------------------------------------------- export

class _Builder:
    def __init__(self, text: str) -> None:
        self.doc = Doc(text)
        self.counts: dict[str, int] = {}

    def new_id(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.counts[prefix]}"

    def span(self, type_: str, anchor: Anchor) -> str:
        sid = self.new_id("T")
        self.doc.spans.append(Span(sid, type_, anchor.start, anchor.end))
        return sid


def to_doc(article: Article, raw: dict[str, Any], registry: Registry) -> tuple[Doc, Report]:
    """The standoff form of a validated article; ``raw`` is its annotation file's data.

    :returns: the :class:`Doc` and a :class:`Report` whose ``lost`` lists every field the
        standoff formats cannot hold (``"e1: date"``).
    """
    aid = article.id
    b = _Builder(article.text)
    doc = b.doc
    doc.language = article.meta.language
    report = Report()
    raw_items = {kind: {x.get("id"): x for x in raw.get(kind) or [] if isinstance(x, dict)}
                 for kind in ("entities", "events", "relations", "claims", "observations")}
    local = {e.id: e for e in article.entities}

    def ref(eid: str) -> str:
        return f"{KB}:{aid}/{eid}" if eid in local else f"{KB}:{eid}"

    def entity_type(eid: str) -> str:
        types = local[eid].types if eid in local else registry.types_of(eid)
        return types[0] if types else "Entity"

    def entity_label(eid: str) -> str:
        if eid in local:
            return local[eid].label
        ent = registry.entities.get(eid)
        return (ent.labels.get(article.meta.language) or ent.labels.get("en") or eid) if ent else eid

    def flags(item_id: str, raw_item: dict[str, Any] | None) -> None:
        if raw_item and raw_item.get("status") == "draft":
            doc.attributes.setdefault(item_id, {})[DRAFT] = True

    def lost_keys(kind: str, fid: str) -> None:
        item = raw_items[kind].get(fid) or {}
        for key in NOT_HELD[kind]:
            if key in item:
                report.lost.append(f"{fid}: {key}")

    # Entities: the introductions of local entities, then every mention.
    introductions: dict[str, Span] = {}
    for e in article.entities:
        if e.anchor is None:  # its label and note ride on its first mention, if it has one
            if not any(m.entity == e.id for m in article.mentions):
                report.lost.append(f"entity {e.id}: no quote and no mention, so no span to carry it")
            continue
        sid = b.span(entity_type(e.id), e.anchor)
        doc.norms[sid] = (ref(e.id), e.label)
        doc.attributes.setdefault(sid, {})[INTRODUCTION] = True
        if e.note:
            doc.notes[sid] = e.note
        flags(sid, raw_items["entities"].get(e.id))
        lost_keys("entities", e.id)
        if len(e.types) > 1:
            report.lost.append(f"entity {e.id}: types after the first ({', '.join(e.types[1:])})")
        introductions[e.id] = doc.spans[-1]
    mentions_of: dict[str, list[Span]] = {}
    raw_mentions = raw.get("mentions") or []
    for i, m in enumerate(article.mentions):  # (a validated article keeps every mention, in order)
        sid = b.span(entity_type(m.entity), m.anchor)
        doc.norms[sid] = (ref(m.entity), entity_label(m.entity))
        flags(sid, raw_mentions[i] if i < len(raw_mentions) and isinstance(raw_mentions[i], dict) else None)
        mentions_of.setdefault(m.entity, []).append(doc.spans[-1])
    for e in article.entities:
        if e.anchor is None and e.note and e.id in mentions_of:
            doc.notes[mentions_of[e.id][0].id] = e.note

    def target(eid: str, within: Anchor) -> str | None:
        """The span to attach entity ``eid`` to: a mention inside the quote, else the nearest one
        (else its introduction)."""
        spans = mentions_of.get(eid) or ([introductions[eid]] if eid in introductions else [])
        inside = [s for s in spans if within.start <= s.start and s.end <= within.end]
        if inside or not spans:
            return inside[0].id if inside else None
        # else the mention nearest the quote (a relation's quote then covers the least text)
        return min(spans, key=lambda s: max(within.start - s.end, s.start - within.end, 0)).id

    fact_ids: dict[str, str] = {}  # our fact id -> frame or link id
    pending: list[tuple[Frame, str, str, str]] = []  # (frame, arg name, our fact id, what) resolved at the end

    def arg_entity(frame: Frame, name: str, eid: str, within: Anchor, what: str) -> None:
        t = target(eid, within)
        if t is None:
            report.lost.append(f"{what}: {eid} has no span in the text to attach it to")
        else:
            frame.args.append((name, t))

    def frame(fid: str, type_: str, anchor: Anchor, trigger: Anchor | None) -> Frame:
        trig = b.span(type_, trigger or anchor)
        f = Frame(b.new_id("E"), type_, trig)
        if trigger is not None:
            f.args.append((QUOTE, b.span(QUOTE, anchor)))
        doc.frames.append(f)
        doc.norms[f.id] = (f"{KB}:{aid}/{fid}", "")
        fact_ids[fid] = f.id
        return f

    for e in article.events:
        f = frame(e.id, e.type, e.anchor, e.trigger)
        what = f"{e.id}"
        for role, eid in e.participants:
            if role == "instrument":
                report.lost.append(f"{what}: participants role instrument (comes back in instruments)")
            arg_entity(f, ROLE_ARGS[role], eid, e.anchor, f"{what} {role}")
        for role, eid, _ in e.hedged:  # "among the dead, reportedly X": the argument travels, its hedge not
            report.lost.append(f"{what}: certainty of {role} {eid}")
        for eid in e.instruments:
            arg_entity(f, ROLE_ARGS["instrument"], eid, e.anchor, f"{what} instrument")
        if e.place:
            if e.place.entity:  # else the event is placed only relative to its reference
                arg_entity(f, "Place", e.place.entity, e.anchor, f"{what} place")
            if e.place.reference:
                arg_entity(f, "PlaceReference", e.place.reference, e.anchor, f"{what} place reference")
            if e.place.precision:
                doc.attributes.setdefault(f.id, {})["GeoPrecision"] = e.place.precision
            for key in PLACE_NOT_HELD:
                if getattr(e.place, key) not in (None, ()):
                    report.lost.append(f"{what}: place {key}")
        if e.operation:
            arg_entity(f, "Operation", e.operation, e.anchor, f"{what} operation")
        if e.award:
            arg_entity(f, "Award", e.award, e.anchor, f"{what} award")
        for key, name in (("sub_event_of", "SubEventOf"), ("result_of", "ResultOf")):
            if getattr(e, key):
                pending.append((f, name, getattr(e, key), f"{what} {key}"))
        for x in e.about:
            if x in article.fact_ids:
                pending.append((f, "About", x, f"{what} about"))
            else:
                arg_entity(f, "About", x, e.anchor, f"{what} about")
        raw_e = raw_items["events"].get(e.id)
        if e.certainty:
            doc.attributes.setdefault(f.id, {})["Certainty"] = e.certainty
        if raw_e and raw_e.get("modality"):
            doc.attributes.setdefault(f.id, {})["Modality"] = raw_e["modality"]
        flags(f.id, raw_e)
        if e.note:
            doc.notes[f.id] = e.note
        lost_keys("events", e.id)

    for c in article.claims:
        f = frame(c.id, CLAIM, c.anchor, None)
        arg_entity(f, "Speaker", c.speaker, c.anchor, f"{c.id} speaker")
        for x in c.about:
            pending.append((f, "About", x, f"{c.id} about"))
        for eid in c.attackers:
            arg_entity(f, "Attacker", eid, c.anchor, f"{c.id} attacker")
        for eid in c.victims:
            arg_entity(f, "Victim", eid, c.anchor, f"{c.id} victim")
        attrs = doc.attributes.setdefault(f.id, {})
        attrs["Stance"] = c.stance
        if c.certainty:
            attrs["Certainty"] = c.certainty
        if c.disjunctive:
            attrs["Disjunctive"] = True
        flags(f.id, raw_items["claims"].get(c.id))
        if c.note:
            doc.notes[f.id] = c.note
        lost_keys("claims", c.id)

    for o in article.observations:
        f = frame(o.id, o.type, o.anchor, None)
        arg_entity(f, "Subject", o.subject, o.anchor, f"{o.id} subject")
        if o.place:
            arg_entity(f, "Place", o.place, o.anchor, f"{o.id} place")
        if o.according_to:
            arg_entity(f, "AccordingTo", o.according_to, o.anchor, f"{o.id} according_to")
        if o.outcome:
            doc.attributes.setdefault(f.id, {})["Outcome"] = o.outcome
        flags(f.id, raw_items["observations"].get(o.id))
        if o.note:
            doc.notes[f.id] = o.note
        lost_keys("observations", o.id)

    for r in article.relations:
        s, t = target(r.subject, r.anchor), target(r.object, r.anchor)
        if s is None or t is None:
            report.lost.append(f"{r.id}: the {'subject' if s is None else 'object'} has no span in the text")
            continue
        link = Link(b.new_id("R"), r.property, s, t)
        doc.links.append(link)
        doc.norms[link.id] = (f"{KB}:{aid}/{r.id}", "")
        fact_ids[r.id] = link.id
        a1, a2 = doc.span(s), doc.span(t)
        assert a1 is not None and a2 is not None
        if (min(a1.start, a2.start), max(a1.end, a2.end)) != (r.anchor.start, r.anchor.end):
            report.lost.append(f"{r.id}: quote (a relation has no span: the import takes the text from its first argument to its last)")
        if r.certainty:
            doc.attributes.setdefault(link.id, {})["Certainty"] = r.certainty
        flags(link.id, raw_items["relations"].get(r.id))
        if r.note:
            doc.notes[link.id] = r.note
        lost_keys("relations", r.id)

    for f, name, fid, what in pending:
        tid = fact_ids.get(fid)
        if tid is None or tid.startswith("R"):
            report.lost.append(f"{what}: {fid} (a relation cannot be an argument)")
        else:
            f.args.append((name, tid))
    for x in raw.get("mentions") or []:
        if isinstance(x, dict) and "confidence" in x:
            report.lost.append(f"mention of {x.get('entity')}: confidence")
    report.lost.extend(f"article: {key}" for key in (raw.get("article") or {}) if key not in ("id", "language"))
    return doc, report


# --------------------------------------------------------------------------- import

@dataclass
class ImportProblem:
    """A problem in the file being imported, located by ``where`` (a line or an element)."""

    where: str
    message: str


def slug(text: str) -> str:
    """A local entity id from a span's text.

    >>> slug("the Gunmen of N’Daki")
    'the-gunmen-of-n-daki'
    """
    # an apostrophe separates words (N’Daki: n-daki); NFKD and ASCII would drop the curly one silently
    ascii_ = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:40].strip("-") or "entity"


def quote_spec(quotes: Quotes, start: int, end: int, within: tuple[int, int] | None = None) -> Any:
    """The shortest quote that finds ``text[start:end]`` again: the text, with ``occurrence`` if needed."""
    exact = quotes.text[start:end]
    positions = quotes._positions(exact)
    if within is not None:
        positions = [p for p in positions if within[0] <= p and p + len(exact) <= within[1]]
    if len(positions) <= 1:
        return exact
    return {"text": exact, "occurrence": positions.index(start) + 1}


class _Importer:
    def __init__(self, doc: Doc, article_id: str, registry: Registry, entity_types: frozenset[str],
                 event_types: frozenset[str], observation_types: frozenset[str], base: dict[str, Any] | None) -> None:
        self.doc, self.aid, self.registry, self.base = doc, article_id, registry, base
        self.entity_types, self.event_types, self.observation_types = entity_types, event_types, observation_types
        self.quotes = Quotes(doc.text)
        self.errors: list[ImportProblem] = []
        self.report = Report()
        self.spans = {s.id: s for s in doc.spans}
        self.frames = {f.id: f for f in doc.frames}
        self.links = {lk.id: lk for lk in doc.links}
        self.local: dict[str, dict[str, Any]] = {}
        self.entity_of: dict[str, str] = {}  # span id -> entity id
        self.fact_of: dict[str, str] = {}  # frame or link id -> fact id

    def where(self, ann_id: str) -> str:
        for group in (self.spans, self.frames, self.links):
            if ann_id in group:
                return group[ann_id].where  # type: ignore[attr-defined, no-any-return]
        return self.doc.where.get(ann_id, "")

    def error(self, ann_id: str, message: str, where: str | None = None) -> None:
        self.errors.append(ImportProblem(where or self.where(ann_id), f"{ann_id}: {message}"))

    def lost(self, ann_id: str, message: str) -> None:
        where = self.where(ann_id)
        self.report.lost.append(f"{where}: {ann_id}: {message}" if where else f"{ann_id}: {message}")

    def quote(self, sid: str, within: tuple[int, int] | None = None) -> Any:
        s = self.spans[sid]
        return quote_spec(self.quotes, s.start, s.end, within)

    def ref(self, ann_id: str) -> tuple[str, str] | None:
        """(kind, id) that normalisation of ``ann_id`` names: ('entity', 'jnim'), ('local', 'sniper'), ('fact', 'e1')."""
        norm = self.doc.norms.get(ann_id)
        if norm is None:
            return None
        value = norm[0]
        if not value.startswith(KB + ":"):
            self.error(ann_id, f"normalisation {value!r} is not a {KB}: reference; write {KB}:<registry id> or {KB}:{self.aid}/<id>",
                       self.doc.norm_where.get(ann_id))
            return None
        value = value[len(KB) + 1:]
        if "/" in value:
            aid, local_id = value.split("/", 1)
            if aid != self.aid:
                self.error(ann_id, f"normalisation {norm[0]!r} names another article ({aid}); only this article's ({self.aid}) may be used",
                           self.doc.norm_where.get(ann_id))
                return None
            return ("fact" if re.fullmatch(r"[erco]\d+", local_id) and ann_id[0] in "ER" else "local", local_id)
        if value not in self.registry.entities:
            self.error(ann_id, f"normalisation {norm[0]!r}: no entity {value!r} in the registry; add it there, or link to a "
                               f"local entity ({KB}:{self.aid}/<id>)", self.doc.norm_where.get(ann_id))
            return None
        return ("entity", value)

    def run(self) -> dict[str, Any]:
        doc = self.doc
        mentions: list[dict[str, Any]] = []
        frame_triggers = {f.trigger for f in doc.frames}
        quote_spans = {t for f in doc.frames for name, t in f.args if name == QUOTE}
        # 1. entity spans: which entity each one names.
        pending_new: list[Span] = []
        for s in doc.spans:
            if s.id in frame_triggers or s.id in quote_spans:
                continue
            if s.type == QUOTE:
                self.lost(s.id, "a Quote span that no event uses: left out")
                continue
            if s.type not in self.entity_types:
                self.lost(s.id, f"{s.type!r} is not an entity class of the ontology, nor the trigger of an event: left out")
                continue
            r = self.ref(s.id)
            if r is None:
                if s.id not in self.doc.norms:
                    pending_new.append(s)
                continue
            kind, eid = r
            self.entity_of[s.id] = eid
            attrs = doc.attributes.get(s.id, {})
            if kind == "local":
                ent = self.local.setdefault(eid, {"id": eid, "type": s.type, "label": doc.norms[s.id][1] or doc.text[s.start:s.end]})
                if attrs.get(INTRODUCTION):
                    if "quote" in ent:
                        self.lost(s.id, f"a second Introduction of {eid}: the first one is its quote")
                        continue
                    ent["quote"] = self.quote(s.id)
                    if s.id in doc.notes:
                        ent["note"] = doc.notes[s.id]
                    if attrs.get(DRAFT):
                        ent["status"] = "draft"
                    continue
                if s.id in doc.notes:  # a local entity with no quote: its note rides on a mention
                    ent.setdefault("note", doc.notes[s.id])
            else:
                if attrs.get(INTRODUCTION):
                    self.lost(s.id, f"Introduction on a mention of the registry entity {eid}: only local entities are introduced")
                if s.id in doc.notes:
                    self.lost(s.id, f"the note on a mention of the registry entity {eid}: a mention has no note; "
                                    "write it in the registry or on a fact")
            m: dict[str, Any] = {"entity": eid, "quote": self.quote(s.id)}
            if attrs.get(DRAFT):
                m["status"] = "draft"
            mentions.append((s.start, s.end, m))  # type: ignore[arg-type]
        for s in pending_new:  # a span with no normalisation: a new local entity named by its text
            text = doc.text[s.start:s.end]
            eid, n = slug(text), 2
            while eid in self.local or eid in self.registry.entities:
                eid, n = f"{slug(text)}-{n}", n + 1
            self.local[eid] = {"id": eid, "type": s.type, "label": text, "quote": self.quote(s.id)}
            if s.id in doc.notes:
                self.local[eid]["note"] = doc.notes[s.id]
            self.entity_of[s.id] = eid
            mentions.append((s.start, s.end, {"entity": eid, "quote": self.quote(s.id)}))  # type: ignore[arg-type]
            self.report.created.append(f"{s.where}: {s.id} \"{text}\" has no normalisation: new local entity {eid} ({s.type})")
        # 2. fact ids of frames and links: their normalisation, else the next free id of their kind.
        used: set[str] = set()
        kinds: dict[str, str] = {}
        for f in doc.frames:
            kinds[f.id] = "c" if f.type == CLAIM else "o" if f.type in self.observation_types else "e"
            if f.type != CLAIM and f.type not in self.event_types and f.type not in self.observation_types:
                self.error(f.id, f"{f.type!r} is not an event or observation class of the ontology, nor Claim")
        for lk in doc.links:
            kinds[lk.id] = "r"
        for ann_id in kinds:
            r = self.ref(ann_id)
            if r and r[1][0] == kinds[ann_id] and r[1] not in used:
                self.fact_of[ann_id] = r[1]
                used.add(r[1])
        for ann_id, k in kinds.items():
            if ann_id not in self.fact_of:
                n = 1
                while f"{k}{n}" in used:
                    n += 1
                self.fact_of[ann_id] = f"{k}{n}"
                used.add(f"{k}{n}")
                self.report.created.append(f"{self.where(ann_id)}: {ann_id} has no {KB} id: given id {k}{n}")
        # 3. frames and links.
        events, claims, observations, relations = [], [], [], []
        for f in doc.frames:
            item = self.frame(f)
            if item is None:
                continue
            {"e": events, "c": claims, "o": observations}[kinds[f.id]].append(item)
        for lk in doc.links:
            item = self.link(lk)
            if item is not None:
                relations.append(item)
        data: dict[str, Any] = {"article": self.article_block()}
        if self.local:
            data["entities"] = sorted(self.local.values(), key=lambda e: self._order(e))
        if mentions:
            data["mentions"] = [m for _, _, m in sorted(mentions, key=lambda t: (t[0], t[1]))]  # type: ignore[misc]
        for key, items in (("events", events), ("relations", relations), ("claims", claims), ("observations", observations)):
            if items:
                data[key] = sorted(items, key=lambda x: (x["id"][0], int(x["id"][1:]) if x["id"][1:].isdigit() else 0, x["id"]))
        if self.base is not None:
            self.merge(data)
        for o in list(data.get("observations") or []):
            if "count" not in o:  # the formats cannot hold a count; without the current file's, no observation
                data["observations"].remove(o)
                self.report.lost.append(f"{o['id']}: a {o['type']} observation needs a count, which the format "
                                        "cannot hold and no current annotation file gives: left out (add it to the YAML)")
        if "observations" in data and not data["observations"]:
            del data["observations"]
        kept_ids = {x["id"] for k in ("events", "relations", "claims", "observations") for x in data.get(k) or []}
        for kind in ("events", "claims"):
            for item in data.get(kind) or []:
                gone = [x for x in item.get("about", []) if re.fullmatch(r"[erco]\d+", x) and x not in kept_ids]
                for x in gone:
                    item["about"].remove(x)
                    self.report.lost.append(f"{item['id']}: about {x} (left out above)")
                if "about" in item and not item["about"]:
                    del item["about"]
        return data

    def _order(self, ent: dict[str, Any]) -> tuple[int, str]:
        base_ids = [e.get("id") for e in (self.base or {}).get("entities") or [] if isinstance(e, dict)]
        return (base_ids.index(ent["id"]) if ent["id"] in base_ids else len(base_ids), ent["id"])

    def article_block(self) -> dict[str, Any]:
        if self.base is not None and isinstance(self.base.get("article"), dict):
            block = dict(self.base["article"])
            if self.doc.language and block.get("language") != self.doc.language:
                self.report.lost.append(f"document language {self.doc.language!r}: the annotation file says {block.get('language')!r}, kept")
            return block
        return {"id": self.aid, "language": self.doc.language}

    def entity_arg(self, f: Frame | Link, name: str, tid: str) -> str | None:
        if tid in self.entity_of:
            return self.entity_of[tid]
        if tid in self.frames or tid in self.links:
            return None
        if tid not in self.spans:
            self.error(f.id, f"argument {name}:{tid}: no annotation {tid} in the file")
        else:
            self.lost(f.id, f"argument {name}:{tid}: {tid} names no entity: left out")
        return None

    def fact_arg(self, f: Frame, name: str, tid: str) -> str | None:
        if tid in self.fact_of:
            return self.fact_of[tid]
        if tid not in self.spans and tid not in self.frames:
            self.error(f.id, f"argument {name}:{tid}: no annotation {tid} in the file")
        else:
            self.lost(f.id, f"argument {name}:{tid}: not an event, claim or observation: left out")
        return None

    def frame(self, f: Frame) -> dict[str, Any] | None:
        trig = self.spans.get(f.trigger)
        if trig is None:
            self.error(f.id, f"trigger {f.trigger}: no text-bound annotation {f.trigger} in the file")
            return None
        fid = self.fact_of[f.id]
        quote_sid = next((t for name, t in f.args if name == QUOTE), None)
        quote_span = self.spans.get(quote_sid) if quote_sid else trig
        if quote_span is None:
            self.error(f.id, f"argument Quote:{quote_sid}: no text-bound annotation {quote_sid} in the file")
            return None
        item: dict[str, Any] = {"id": fid}
        attrs = self.doc.attributes.get(f.id, {})
        kind = fid[0]
        if kind == "e":
            item["type"] = f.type
            item["quote"] = self.quote(quote_span.id)
            if quote_sid:
                if not (quote_span.start <= trig.start and trig.end <= quote_span.end):
                    self.error(f.id, f"trigger {f.trigger} \"{self.doc.text[trig.start:trig.end]}\" lies outside the event's Quote {quote_sid}")
                    return None
                item["trigger"] = self.quote(trig.id, (quote_span.start, quote_span.end))
            participants: dict[str, list[str]] = {}
            place: dict[str, Any] = {}
            for name, tid in f.args:
                if name == QUOTE:
                    continue
                base_name = re.sub(r"\d+$", "", name)
                if base_name in ARG_ROLES:
                    eid = self.entity_arg(f, name, tid)
                    if eid is None:
                        continue
                    if base_name == "Instrument":
                        item.setdefault("instruments", []).append(eid)
                    else:
                        participants.setdefault(ARG_ROLES[base_name], []).append(eid)
                elif base_name in ("Place", "PlaceReference"):
                    eid = self.entity_arg(f, name, tid)
                    if eid is not None:
                        place["entity" if base_name == "Place" else "reference"] = eid
                elif base_name in ("Operation", "Award"):
                    eid = self.entity_arg(f, name, tid)
                    if eid is not None:
                        item[base_name.lower()] = eid
                elif base_name in ("SubEventOf", "ResultOf"):
                    other = self.fact_arg(f, name, tid)
                    if other is not None:
                        item[EVENT_LINKS[base_name]] = other
                elif base_name == "About":
                    other = self.fact_of.get(tid) or self.entity_arg(f, name, tid)
                    if other is not None:
                        item.setdefault("about", []).append(other)
                else:
                    self.lost(f.id, f"argument {name}:{tid}: {f.type} has no role {base_name}: left out")
            if place:  # a PlaceReference alone: the event is placed only relative to that place
                if "GeoPrecision" in attrs:
                    place["precision"] = attrs["GeoPrecision"]
                item["place"] = dict(sorted(place.items(), key=lambda kv: ["entity", "precision", "reference"].index(kv[0])))
            if participants:
                item["participants"] = participants
            self.attrs(f.id, item, attrs, ("Certainty", "Modality"))
        elif kind == "c":
            for name, tid in f.args:
                base_name = re.sub(r"\d+$", "", name)
                if base_name == "Speaker":
                    eid = self.entity_arg(f, name, tid)
                    if eid is not None:
                        item["speaker"] = eid
                elif base_name == "About":
                    other = self.fact_arg(f, name, tid)
                    if other is not None:
                        item.setdefault("about", []).append(other)
                elif base_name in ("Attacker", "Victim"):
                    eid = self.entity_arg(f, name, tid)
                    if eid is not None:
                        item.setdefault(base_name.lower(), []).append(eid)
                else:
                    self.lost(f.id, f"argument {name}:{tid}: a claim has no role {base_name}: left out")
            if "speaker" not in item:
                self.error(f.id, "a Claim needs a Speaker argument")
                return None
            if "Stance" not in attrs:
                self.error(f.id, "a Claim needs a Stance attribute (claims, disputes, announces, ...)")
                return None
            item = {"id": fid, "speaker": item["speaker"], "stance": attrs["Stance"],
                    **{k: v for k, v in item.items() if k not in ("id", "speaker")}}
            self.attrs(f.id, item, attrs, ("Certainty",))
            if attrs.get("Disjunctive"):
                item["disjunctive"] = True
            item["quote"] = self.quote(quote_span.id)
        else:
            item["type"] = f.type
            for name, tid in f.args:
                base_name = re.sub(r"\d+$", "", name)
                if base_name in OBSERVATION_ARGS:
                    eid = self.entity_arg(f, name, tid)
                    if eid is not None:
                        item[OBSERVATION_ARGS[base_name]] = eid
                else:
                    self.lost(f.id, f"argument {name}:{tid}: an observation has no role {base_name}: left out")
            if "subject" not in item:
                self.error(f.id, f"a {f.type} observation needs a Subject argument")
                return None
            if "Outcome" in attrs:
                item["outcome"] = attrs["Outcome"]
            item["quote"] = self.quote(quote_span.id)
        if f.id in self.doc.notes:
            item["note"] = self.doc.notes[f.id]
        if attrs.get(DRAFT):
            item["status"] = "draft"
        return item

    def attrs(self, ann_id: str, item: dict[str, Any], attrs: dict[str, str | bool], names: Iterable[str]) -> None:
        for name in names:
            if name in attrs:
                item[name.lower()] = attrs[name]
        for name in attrs:
            if name not in (*names, DRAFT, "GeoPrecision", "Stance", "Disjunctive", "Outcome"):
                self.lost(ann_id, f"attribute {name}: not one this item has: left out")

    def link(self, lk: Link) -> dict[str, Any] | None:
        subject, obj = self.entity_arg(lk, ARG1, lk.arg1), self.entity_arg(lk, ARG2, lk.arg2)
        if subject is None or obj is None:
            return None
        a1, a2 = self.spans[lk.arg1], self.spans[lk.arg2]
        start, end = min(a1.start, a2.start), max(a1.end, a2.end)
        item: dict[str, Any] = {"id": self.fact_of[lk.id], "property": lk.type, "subject": subject, "object": obj,
                                "quote": quote_spec(self.quotes, start, end)}
        attrs = self.doc.attributes.get(lk.id, {})
        self.attrs(lk.id, item, attrs, ("Certainty",))
        if lk.id in self.doc.notes:
            item["note"] = self.doc.notes[lk.id]
        if attrs.get(DRAFT):
            item["status"] = "draft"
        return item

    def merge(self, data: dict[str, Any]) -> None:
        """Keep from the current annotation file what the format cannot hold, for the items that came back."""
        base = self.base or {}
        # Entities with no span in the document could not be exported as arguments: what refers to
        # them in the current file stays (an annotator cannot have removed what they never saw).
        spanned = set(self.entity_of.values())
        old_events = {x.get("id"): x for x in base.get("events") or [] if isinstance(x, dict)}
        for item in data.get("events") or []:
            was = old_events.get(item["id"]) or {}
            for role, members in (was.get("participants") or {}).items():
                # a member is an id, or {entity: id, certainty: ...} where the text hedges it: the
                # certainty cannot travel, so a member that came back takes its form in the file again
                by_id = {_member_id(m): m for m in members or []}
                got = item.get("participants", {}).get(role, [])
                for eid, member in by_id.items():
                    if eid not in spanned and eid not in got:
                        item.setdefault("participants", {}).setdefault(role, []).append(member)
                        self.report.kept.append(f"{item['id']}: {role} {eid} (no span)")
                got = item.get("participants", {}).get(role, [])
                if got:
                    item["participants"][role] = [by_id.get(_member_id(m), m) for m in got]
                if {_member_id(m) for m in got} == set(by_id):
                    item["participants"][role] = list(members)  # the file's order
            for eid in was.get("instruments") or []:
                if eid not in spanned and eid not in item.get("instruments", []):
                    item.setdefault("instruments", []).append(eid)
                    self.report.kept.append(f"{item['id']}: instrument {eid} (no span)")
            if was.get("instruments") and set(item.get("instruments", [])) == set(was["instruments"]):
                item["instruments"] = list(was["instruments"])
        have = {r["id"] for r in data.get("relations") or []}
        for r in base.get("relations") or []:
            if isinstance(r, dict) and r.get("id") not in have and (r.get("subject") not in spanned or r.get("object") not in spanned):
                data.setdefault("relations", []).append(dict(r))
                self.report.kept.append(f"{r.get('id')}: the whole relation (an argument has no span)")
        if "relations" in data:
            data["relations"].sort(key=lambda x: (int(x["id"][1:]) if x["id"][1:].isdigit() else 0, x["id"]))
        for kind, keys in NOT_HELD.items():
            old = {x.get("id"): x for x in base.get(kind) or [] if isinstance(x, dict)}
            for item in data.get(kind) or []:
                was = old.get(item["id"])
                if was is None:
                    continue
                for key in keys:
                    if key in was and key not in item:
                        item[key] = was[key]
                        self.report.kept.append(f"{item['id']}: {key}")
                if kind == "events" and isinstance(was.get("place"), dict) and "place" in item \
                        and was["place"].get("entity") == item["place"].get("entity"):
                    for key in PLACE_NOT_HELD:
                        if key in was["place"] and key not in item["place"]:
                            item["place"][key] = was["place"][key]
                            self.report.kept.append(f"{item['id']}: place {key}")
                if kind in ("events", "claims"):  # about a relation: not an argument the formats can hold
                    relation_ids = {r.get("id") for r in base.get("relations") or [] if isinstance(r, dict)}
                    for x in was.get("about") or []:
                        if x in relation_ids and x not in (item.get("about") or []):
                            item.setdefault("about", []).append(x)
                            self.report.kept.append(f"{item['id']}: about {x}")
                if kind == "relations" and was.get("quote") != item["quote"] and \
                        all(was.get(k) == item[k] for k in ("property", "subject", "object")):
                    # A relation has no span of its own: its quote stays while what it relates is unchanged.
                    item["quote"] = was["quote"]
                    self.report.kept.append(f"{item['id']}: quote")
        # Keys in the order of the corpus's README.
        for kind in ("events", "claims", "observations", "relations"):
            data[kind] = [_ordered(x, kind) for x in data.get(kind) or []] if kind in data else None  # type: ignore[assignment]
            if data[kind] is None:
                del data[kind]


KEY_ORDER = {
    "events": ["id", "type", "quote", "trigger", "date", "place", "participants", "instruments", "count", "operation",
               "sub_event_of", "result_of", "same_as", "about", "award", "certainty", "modality", "label", "status",
               "confidence", "note"],
    "relations": ["id", "property", "subject", "object", "quote", "date", "certainty", "status", "confidence", "note"],
    "claims": ["id", "speaker", "stance", "certainty", "about", "attacker", "victim", "disjunctive", "date", "quote",
               "status", "confidence", "note"],
    "observations": ["id", "type", "subject", "count", "date", "place", "outcome", "according_to", "quote", "status",
                     "confidence", "note"],
}


def _ordered(item: dict[str, Any], kind: str) -> dict[str, Any]:
    order = KEY_ORDER[kind]
    return dict(sorted(item.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))


def class_groups(ontology: Any) -> dict[str, list[str]]:
    """The ontology's annotatable classes by local name: 'entity' (agents, places, equipment, positions,
    ranks, decorations), 'event' and 'observation'."""
    names = [c[len(SK.base):] for c in ontology.classes if c.startswith(SK.base)]

    def under(root: str) -> list[str]:
        return sorted(n for n in names if SK.term(root) in ontology.superclasses(SK.base + n))

    entities = sorted(set(under("Agent")) | set(under("Place")) | set(under("Equipment"))
                      | {n for n in ("Position", "MilitaryRank", "Decoration", "Specialty") if n in names})
    return {"entity": entities, "event": under("Event"), "observation": under("Observation")}


def from_doc(doc: Doc, article_id: str, registry: Registry, ontology: Any,
             base: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list[ImportProblem], Report]:
    """The annotation file's data for ``doc``, the errors that stop the import, and the report.

    :param base: the data of the article's current annotation file, if there is one: its article block
        and the fields the format cannot hold are kept for the items whose id comes back.
    """
    groups = class_groups(ontology)
    imp = _Importer(doc, article_id, registry, frozenset(groups["entity"]), frozenset(groups["event"]),
                    frozenset(groups["observation"]), base)
    data = imp.run()
    if imp.errors:
        return None, imp.errors, imp.report
    if not doc.language and not (base and base.get("article")):
        return None, [ImportProblem("", "the document states no language and the article has no annotation file "
                                        "yet: give the language (--language en|fr)")], imp.report
    return data, [], imp.report


def _member_id(member: object) -> str:
    """The entity id of an event participant: an id, or ``{entity: id, certainty: ...}`` (a hedged one)."""
    return str(member["entity"]) if isinstance(member, dict) else str(member)
