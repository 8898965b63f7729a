"""INCEpTION: UIMA CAS XMI to and from the standoff model, with its type system (through dkpro-cassis).

The layers are INCEpTION custom layers (``webanno.custom.*``), so that INCEpTION imports the type
system as layers and shows the features:

| type | layer | features |
|---|---|---|
| ``webanno.custom.SahelEntity`` | span | ``entityType``, ``identifier`` (a concept feature: the entity's IRI), ``label``, ``introduction``, ``draft``, ``note`` |
| ``webanno.custom.SahelEvent`` | span (the trigger) | ``eventType``, ``identifier`` (the fact's IRI), ``certainty``, ``geoPrecision``, ``modality``, ``stance``, ``outcome``, ``disjunctive``, ``draft``, ``note``, ``arguments`` (link feature: ``role`` and ``target``) |
| ``webanno.custom.SahelQuote`` | span | the quote of an event that has a trigger (its ``Quote`` argument) |
| ``webanno.custom.SahelRelation`` | relation over ``SahelEntity`` | ``Governor`` (subject), ``Dependent`` (object), ``relationType``, ``identifier``, ``certainty``, ``draft``, ``note`` |

Offsets: UIMA counts UTF-16 code units, Python code points; cassis converts between them.
"""

from __future__ import annotations

import io
from typing import Any

from sahelkg.errors import Problem
from sahelkg.exchange.standoff import ATTRIBUTES, KB, QUOTE, Doc, Frame, Link, Span

ENTITY = "webanno.custom.SahelEntity"
EVENT = "webanno.custom.SahelEvent"
LINK = "webanno.custom.SahelEventArgumentsLink"
QUOTE_TYPE = "webanno.custom.SahelQuote"
RELATION = "webanno.custom.SahelRelation"
STRING, BOOLEAN = "uima.cas.String", "uima.cas.Boolean"
# Attribute name -> feature name.
FEATURES = {name: name[0].lower() + name[1:] for name in ATTRIBUTES}


def type_system() -> Any:
    """The project's UIMA type system (a :class:`cassis.TypeSystem`)."""
    from cassis import TypeSystem

    ts = TypeSystem()
    entity = ts.create_type(ENTITY, "uima.tcas.Annotation", "An entity mention (normalised to the registry).")
    for name, rng in (("entityType", STRING), ("identifier", STRING), ("label", STRING),
                      ("introduction", BOOLEAN), ("draft", BOOLEAN), ("note", STRING)):
        ts.create_feature(entity, name, rng)
    ts.create_type(QUOTE_TYPE, "uima.tcas.Annotation", "The quote of an event that has a trigger.")
    link = ts.create_type(LINK, "uima.cas.TOP", "A role argument of an event.")
    ts.create_feature(link, "role", STRING)
    ts.create_feature(link, "target", "uima.tcas.Annotation")
    event = ts.create_type(EVENT, "uima.tcas.Annotation", "An event, claim or observation, on its trigger.")
    for name, rng in (("eventType", STRING), ("identifier", STRING), ("certainty", STRING), ("geoPrecision", STRING),
                      ("modality", STRING), ("stance", STRING), ("outcome", STRING), ("disjunctive", BOOLEAN),
                      ("draft", BOOLEAN), ("note", STRING)):
        ts.create_feature(event, name, rng)
    ts.create_feature(event, "arguments", "uima.cas.FSArray", elementType=LINK, multipleReferencesAllowed=True)
    relation = ts.create_type(RELATION, "uima.tcas.Annotation", "A relation between two entities.")
    for name, rng in (("relationType", STRING), ("identifier", STRING), ("certainty", STRING), ("draft", BOOLEAN),
                      ("note", STRING), ("Governor", ENTITY), ("Dependent", ENTITY)):
        ts.create_feature(relation, name, rng)
    return ts


def _iri(ref: str, id_base: str) -> str:
    return id_base + ref[len(KB) + 1:] if ref.startswith(KB + ":") else ref


def _ref(iri: str, id_base: str) -> str:
    return KB + ":" + iri[len(id_base):] if iri.startswith(id_base) else iri


def write_xmi(doc: Doc, id_base: str) -> tuple[str, str]:
    """``(XMI, type system XML)`` of ``doc``; identifiers are IRIs under ``id_base``."""
    from cassis import Cas

    ts = type_system()
    cas = Cas(typesystem=ts)
    cas.sofa_string = doc.text
    cas.document_language = doc.language or "x-unspecified"
    Entity, Event, Link_, Quote_, Relation = (ts.get_type(t) for t in (ENTITY, EVENT, LINK, QUOTE_TYPE, RELATION))
    FSArray = ts.get_type("uima.cas.FSArray")
    triggers = {f.trigger: f for f in doc.frames}
    made: dict[str, Any] = {}

    def features(ann_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {FEATURES[k]: v for k, v in doc.attributes.get(ann_id, {}).items()}
        if ann_id in doc.norms:
            out["identifier"] = _iri(doc.norms[ann_id][0], id_base)
        if ann_id in doc.notes:
            out["note"] = doc.notes[ann_id]
        return out

    for s in doc.spans:
        if s.id in triggers:
            f = triggers[s.id]
            made[f.id] = Event(begin=s.start, end=s.end, eventType=f.type, **features(f.id))
            made[s.id] = made[f.id]
        elif s.type == QUOTE:
            made[s.id] = Quote_(begin=s.start, end=s.end)
        else:
            extra = features(s.id)
            if s.id in doc.norms and doc.norms[s.id][1]:
                extra["label"] = doc.norms[s.id][1]
            made[s.id] = Entity(begin=s.start, end=s.end, entityType=s.type, **extra)
    for f in doc.frames:
        links = [Link_(role=role, target=made[target]) for role, target in f.args]
        made[f.id].arguments = FSArray(elements=links)
    for lk in doc.links:
        dep = made[lk.arg2]
        made[lk.id] = Relation(begin=dep.begin, end=dep.end, relationType=lk.type, Governor=made[lk.arg1],
                               Dependent=dep, **features(lk.id))
    added: set[int] = set()
    for fs in made.values():  # a trigger and its event are one annotation: add it once (by identity:
        if id(fs) not in added:  # two annotations with equal features are still two)
            added.add(id(fs))
            cas.add(fs)
    return cas.to_xmi(pretty_print=True), ts.to_xml()


def parse_xmi(xmi: bytes, type_system_xml: bytes | None, file: str, id_base: str) -> Doc:
    """Read an INCEpTION XMI into the standoff model.

    :raises ExchangeError: for XML that does not parse (with its line) or an element that breaks the
        layers' rules (named by its type and xmi:id).
    """
    from cassis import load_cas_from_xmi, load_typesystem
    from lxml.etree import XMLSyntaxError

    from sahelkg.exchange import ExchangeError

    try:
        ts = load_typesystem(io.BytesIO(type_system_xml)) if type_system_xml else type_system()
        cas = load_cas_from_xmi(io.BytesIO(xmi), typesystem=ts, lenient=True)
    except XMLSyntaxError as e:
        raise ExchangeError([Problem(file, e.lineno, f"malformed XMI: {e.msg}")]) from e
    except Exception as e:  # cassis raises plain exceptions for a CAS that does not fit its type system
        raise ExchangeError([Problem(file, None, f"not a CAS this type system reads: {e}")]) from e
    doc = Doc(cas.sofa_string or "")
    lang = cas.document_language
    doc.language = lang if lang in ("en", "fr") else None
    problems: list[Problem] = []
    ids: dict[int, str] = {}
    counts = {"T": 0, "E": 0, "R": 0}

    def new_id(prefix: str) -> str:
        counts[prefix] += 1
        return f"{prefix}{counts[prefix]}"

    def where(fs: Any) -> str:
        return f"element {fs.type.name} xmi:id={fs.xmiID}"

    def carry(ann_id: str, fs: Any, names: tuple[str, ...]) -> None:
        for attr, feat in FEATURES.items():
            if feat in names:
                value = fs.get(feat)
                if value:
                    allowed = ATTRIBUTES[attr]
                    if allowed is not None and value not in allowed:
                        problems.append(Problem(file, None, f"{where(fs)}: {feat} {value!r}: use one of {', '.join(allowed)}"))
                    else:
                        doc.attributes.setdefault(ann_id, {})[attr] = True if allowed is None else value
        if fs.get("identifier"):
            doc.norms[ann_id] = (_ref(fs.get("identifier"), id_base), (fs.get("label") or "") if "label" in names else "")
            doc.norm_where[ann_id] = where(fs)
        if fs.get("note"):
            doc.notes[ann_id] = fs.get("note")

    def typ(fs: Any, feat: str) -> str | None:
        value = fs.get(feat)
        if not value:
            problems.append(Problem(file, None, f"{where(fs)}: {feat} is empty; give the class (e.g. Person, Death)"))
        return value or None

    def span_ok(fs: Any) -> bool:
        if not (0 <= fs.begin <= fs.end <= len(doc.text)):
            problems.append(Problem(file, None, f"{where(fs)}: offsets {fs.begin}-{fs.end} do not fit the text ({len(doc.text)} characters)"))
            return False
        return True

    entity_names = ("introduction", "draft", "label")
    for fs in sorted(cas.select(ENTITY), key=lambda a: (a.begin, a.end, a.xmiID)):
        t = typ(fs, "entityType")
        if t and span_ok(fs):
            sid = ids[fs.xmiID] = new_id("T")
            doc.spans.append(Span(sid, t, fs.begin, fs.end, where(fs)))
            carry(sid, fs, entity_names)
    for fs in sorted(cas.select(QUOTE_TYPE), key=lambda a: (a.begin, a.end, a.xmiID)):
        if span_ok(fs):
            sid = ids[fs.xmiID] = new_id("T")
            doc.spans.append(Span(sid, QUOTE, fs.begin, fs.end, where(fs)))
    events = sorted(cas.select(EVENT), key=lambda a: (a.begin, a.end, a.xmiID))
    for fs in events:
        t = typ(fs, "eventType")
        if t and span_ok(fs):
            sid = new_id("T")
            doc.spans.append(Span(sid, t, fs.begin, fs.end, where(fs)))
            eid = ids[fs.xmiID] = new_id("E")
            doc.frames.append(Frame(eid, t, sid, where=where(fs)))
            carry(eid, fs, ("certainty", "geoPrecision", "modality", "stance", "outcome", "disjunctive", "draft"))
    for fs in sorted(cas.select(RELATION), key=lambda a: (a.begin, a.end, a.xmiID)):
        t = typ(fs, "relationType")
        gov, dep = fs.get("Governor"), fs.get("Dependent")
        if gov is None or dep is None or gov.xmiID not in ids or dep.xmiID not in ids:
            problems.append(Problem(file, None, f"{where(fs)}: a relation needs a Governor and a Dependent, both SahelEntity"))
            continue
        if t:
            rid = ids[fs.xmiID] = new_id("R")
            doc.links.append(Link(rid, t, ids[gov.xmiID], ids[dep.xmiID], where(fs)))
            carry(rid, fs, ("certainty", "draft"))
    by_id = {f.id: f for f in doc.frames}
    for fs in events:
        if fs.xmiID not in ids:
            continue
        frame = by_id[ids[fs.xmiID]]
        for link in fs.get("arguments").elements if fs.get("arguments") else []:
            target = link.get("target")
            if not link.get("role") or target is None or target.xmiID not in ids:
                problems.append(Problem(file, None, f"{where(fs)}: argument {link.get('role') or '(no role)'} has no "
                                                    "target among the SahelEntity, SahelEvent and SahelQuote annotations"))
                continue
            frame.args.append((link.get("role"), ids[target.xmiID]))
    if problems:
        raise ExchangeError(problems)
    return doc
