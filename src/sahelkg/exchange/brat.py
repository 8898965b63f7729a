"""brat standoff: ``.ann`` files to and from the standoff model, and the project's brat configuration.

An ``.ann`` file annotates the ``.txt`` beside it (the article's normalised text: offsets count in
it, in characters), one annotation a line, fields separated by tabs:

```
T1	Person 120 133	Maxime Blasco           text-bound: type, start end (';'-separated fragments), text
E1	Death:T5 Victim:T1 Attacker:T7 Quote:T6  event: type:trigger, then role:argument...
R1	memberOf Arg1:T1 Arg2:T3                 relation
A1	Certainty E1 probable                    attribute (binary without a value)
N1	Reference T1 sahelkg:maxime-blasco	Maxime Blasco   normalisation
#1	AnnotatorNotes E1	text                  note
```

:func:`annotation_conf` and :func:`visual_conf` write the configuration brat needs to edit them: the
ontology's entity and event classes, the roles, the relation properties and the attributes.

>>> parse_ann("T1\\tPerson 0 3\\tAda\\n", "Ada", "a.ann").spans[0].end
3
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sahelkg.errors import Problem
from sahelkg.exchange.standoff import (
    ARG_ROLES, ATTRIBUTES, CLAIM, CLAIM_ARGS, EVENT_LINKS, KB, OBSERVATION_ARGS, QUOTE, Doc, Frame, Link, Span,
    class_groups,
)
from sahelkg.vocab import RELATION_PROPERTIES, SK

ID_RE = re.compile(r"^([TERAMN#])(\d+)$")


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def write_ann(doc: Doc) -> str:
    """The ``.ann`` text of ``doc``: spans, events, relations, attributes, normalisations, notes."""
    lines = []
    for s in doc.spans:
        lines.append(f"{s.id}\t{s.type} {s.start} {s.end}\t{_one_line(doc.text[s.start:s.end])}")
    for f in doc.frames:
        seen: dict[str, int] = {}
        args = []
        for name, target in f.args:
            seen[name] = seen.get(name, 0) + 1
            # brat numbers a repeated role: Victim:T1 Victim2:T2
            args.append(f"{name}{seen[name] if seen[name] > 1 else ''}:{target}")
        lines.append(f"{f.id}\t{f.type}:{f.trigger}" + "".join(" " + a for a in args))
    for lk in doc.links:
        lines.append(f"{lk.id}\t{lk.type} Arg1:{lk.arg1} Arg2:{lk.arg2}")
    n = 0
    for target, attrs in doc.attributes.items():
        for name, value in attrs.items():
            n += 1
            lines.append(f"A{n}\t{name} {target}" + ("" if value is True else f" {value}"))
    for i, (target, (ref, text)) in enumerate(doc.norms.items(), 1):
        lines.append(f"N{i}\tReference {target} {ref}\t{_one_line(text)}")
    for i, (target, note) in enumerate(doc.notes.items(), 1):
        lines.append(f"#{i}\tAnnotatorNotes {target}\t{_one_line(note)}")
    return "\n".join(lines) + "\n"


def parse_ann(ann: str, text: str, file: str) -> Doc:
    """Read an ``.ann`` over ``text`` (its ``.txt``, normalised).

    :raises ExchangeError: listing every malformed line as ``file:line: problem``.
    """
    from sahelkg.exchange import ExchangeError

    doc = Doc(text)
    problems: list[Problem] = []
    ids: dict[str, int] = {}

    def bad(line: int, message: str) -> None:
        problems.append(Problem(file, line, message))

    for no, raw in enumerate(ann.splitlines(), 1):
        if not raw.strip():
            continue
        where = f"line {no}"
        fields = raw.split("\t")
        ann_id = fields[0]
        m = ID_RE.match(ann_id)
        if not m:
            bad(no, f"{ann_id!r} is not an annotation id (T1, E1, R1, A1, N1, #1...)")
            continue
        if ann_id in ids:
            bad(no, f"{ann_id} is defined twice (first on line {ids[ann_id]})")
            continue
        ids[ann_id] = no
        kind = m.group(1)
        if len(fields) < 2 or not fields[1].strip():
            bad(no, f"{ann_id}: the line has no annotation after the id")
            continue
        body = fields[1].split()
        if kind == "T":
            if len(fields) != 3:
                bad(no, f"{ann_id}: a text-bound annotation has three tab-separated fields: id, type and offsets, text")
                continue
            type_, offsets = body[0], " ".join(body[1:])
            frags = []
            for frag in offsets.split(";"):
                parts = frag.split()
                if len(parts) != 2 or not all(p.isdigit() for p in parts):
                    bad(no, f"{ann_id}: offsets {offsets!r} are not 'start end' (or fragments 'start end;start end')")
                    frags = []
                    break
                frags.append((int(parts[0]), int(parts[1])))
            if not frags:
                continue
            start, end = min(s for s, _ in frags), max(e for _, e in frags)
            if any(s > e for s, e in frags) or end > len(text):
                bad(no, f"{ann_id}: offsets {offsets} do not fit the text ({len(text)} characters)")
                continue
            shown = " ".join(_one_line(text[s:e]) for s, e in frags)
            if _one_line(fields[2]) != shown:
                bad(no, f"{ann_id}: the text \"{fields[2]}\" is not the text at {offsets} (\"{shown}\"); "
                        "the .txt must be the one sahelkg exported")
                continue
            doc.spans.append(Span(ann_id, type_, start, end, where))
        elif kind == "E":
            head, *args = body
            if ":" not in head:
                bad(no, f"{ann_id}: an event starts with Type:Trigger, not {head!r}")
                continue
            type_, trigger = head.split(":", 1)
            frame = Frame(ann_id, type_, trigger, where=where)
            for a in args:
                if a.count(":") != 1 or not all(a.split(":")):
                    bad(no, f"{ann_id}: argument {a!r} is not Role:Id")
                    break
                role, target = a.split(":")
                frame.args.append((role, target))
            else:
                doc.frames.append(frame)
        elif kind == "R":
            if len(body) != 3 or not body[1].startswith("Arg1:") or not body[2].startswith("Arg2:"):
                bad(no, f"{ann_id}: a relation is 'Type Arg1:Id Arg2:Id'")
                continue
            doc.links.append(Link(ann_id, body[0], body[1][5:], body[2][5:], where))
        elif kind in ("A", "M"):
            if len(body) not in (2, 3):
                bad(no, f"{ann_id}: an attribute is 'Name Id' or 'Name Id Value'")
                continue
            name, target = body[0], body[1]
            if name not in ATTRIBUTES:
                bad(no, f"{ann_id}: unknown attribute {name!r}; use one of {', '.join(ATTRIBUTES)}")
                continue
            allowed = ATTRIBUTES[name]
            value: str | bool = body[2] if len(body) == 3 else True
            if allowed is None and value is not True:
                bad(no, f"{ann_id}: {name} takes no value")
                continue
            if allowed is not None and value not in allowed:
                bad(no, f"{ann_id}: {name} {value!r}: use one of {', '.join(allowed)}")
                continue
            doc.attributes.setdefault(target, {})[name] = value
            doc.where.setdefault(target, where)
        elif kind == "N":
            if len(body) != 3 or body[0] != "Reference" or ":" not in body[2]:
                bad(no, f"{ann_id}: a normalisation is 'Reference Id {KB}:ID<TAB>text'")
                continue
            doc.norms[body[1]] = (body[2], fields[2] if len(fields) > 2 else "")
            doc.where.setdefault(body[1], where)
            doc.norm_where[body[1]] = where
        else:  # "#"
            if len(body) != 2 or len(fields) < 3:
                bad(no, f"{ann_id}: a note is 'AnnotatorNotes Id<TAB>text'")
                continue
            doc.notes[body[1]] = "\t".join(fields[2:])
    known = set(ids)
    for target in [*doc.attributes, *doc.norms, *doc.notes]:
        if target not in known:
            bad(ids.get(target, 0) or _line_of(doc.where.get(target)), f"{target}: no annotation {target} in the file")
    if problems:
        raise ExchangeError(problems)
    return doc


def _line_of(where: str | None) -> int | None:
    return int(where.split()[1]) if where and where.startswith("line ") else None


# --------------------------------------------------------------------------- configuration

def _tree(ontology: Any, classes: Iterable[str]) -> list[tuple[int, str]]:
    """(depth, local name) of ``classes`` as a tree under their nearest listed superclass."""
    names = sorted(set(classes))
    iris = {n: SK.term(n) if n in SK else SK.base + n for n in names}
    parent: dict[str, str | None] = {}
    for n in names:
        supers = [m for m in names if m != n and iris[m] in ontology.superclasses(iris[n])]
        # the nearest: the superclass that has the others as superclasses
        nearest = [m for m in supers if not any(o != m and iris[m] in ontology.superclasses(iris[o]) for o in supers)]
        parent[n] = sorted(nearest)[0] if nearest else None
    out: list[tuple[int, str]] = []

    def walk(p: str | None, depth: int) -> None:
        for n in names:
            if parent[n] == p:
                out.append((depth, n))
                walk(n, depth + 1)
    walk(None, 0)
    return out


def annotation_conf(ontology: Any) -> str:
    """brat's ``annotation.conf`` for the project, generated from the ontology."""
    groups = class_groups(ontology)
    entity_list = "|".join(groups["entity"])
    places = "|".join(n for n in groups["entity"] if SK.term("Place") in ontology.superclasses(SK.base + n))
    equipment = "|".join(n for n in groups["entity"] if SK.term("Equipment") in ontology.superclasses(SK.base + n))
    # brat's macros are section-specific: each section that uses one defines it.
    thing, place, equip = f"<THING>={entity_list}", f"<PLACE>={places}", f"<EQUIPMENT>={equipment}"
    fact = f"<FACT>={'|'.join(groups['event'] + groups['observation'] + [CLAIM])}"
    out = ["# brat configuration of sahelkg, generated from ontology/sahelkg.ttl by `sahelkg export brat`.",
           "# Entity spans are normalised to the registry (N lines: sahelkg:<id>); see docs/annotating.md.",
           "", "[entities]", ""]
    out += ["\t" * d + n for d, n in _tree(ontology, groups["entity"])]
    out.append(QUOTE)
    roles = [f"{arg}*:<THING>" for arg in ARG_ROLES if arg != "Instrument"] + ["Instrument*:<EQUIPMENT>"]
    links = ["Place?:<PLACE>", "PlaceReference?:<PLACE>", "Operation?:<THING>", "Award?:<THING>",
             "SubEventOf?:<FACT>", "ResultOf?:<FACT>", "About*:<FACT>|<THING>", f"Quote?:{QUOTE}"]
    assert {a.split("?")[0] for a in links[:6]} == set(EVENT_LINKS)
    event_args = ", ".join(roles + links)
    out += ["", "[events]", "", thing, place, equip, fact]
    out += ["\t" * d + n + ("\t" + event_args) for d, n in _tree(ontology, groups["event"])]
    out.append(f"{CLAIM}\tSpeaker:<THING>, About*:<FACT>, Attacker*:<THING>, Victim*:<THING>")
    observation_args = ", ".join(f"{a}{'' if a == 'Subject' else '?'}:{'<PLACE>' if a == 'Place' else '<THING>'}"
                                 for a in OBSERVATION_ARGS)
    out += [n + "\t" + observation_args for n in groups["observation"] if n != "Observation"]
    assert set(CLAIM_ARGS) == {"Speaker", "Attacker", "Victim"}
    out += ["", "[relations]", "", thing]
    out += [f"{p}\tArg1:<THING>, Arg2:<THING>" for p in RELATION_PROPERTIES]
    out += ["", "[attributes]", ""]
    targets = {"Certainty": "<EVENT>|<RELATION>", "GeoPrecision": "<EVENT>", "Modality": "<EVENT>", "Stance": CLAIM,
               "Disjunctive": CLAIM, "Outcome": "|".join(groups["observation"]),
               "Draft": "<ENTITY>|<EVENT>|<RELATION>", "Introduction": "<ENTITY>"}
    for name, values in ATTRIBUTES.items():
        out.append(f"{name}\tArg:{targets[name]}" + (f", Value:{'|'.join(values)}" if values else ""))
    return "\n".join(out) + "\n"


FAMILY_COLOURS = {"Agent": "#8fb2ff", "Place": "#a4de8f", "Equipment": "#ffd27f", "Position": "#d8c3ff",
                  "MilitaryRank": "#d8c3ff", "Decoration": "#d8c3ff"}


def visual_conf(ontology: Any) -> str:
    """brat's ``visual.conf``: entity families and events in their colours, drafts dashed."""
    groups = class_groups(ontology)
    out = ["# brat display settings of sahelkg, generated by `sahelkg export brat`.", "", "[labels]", "",
           f"{QUOTE} | Quote | Q", "", "[drawing]", "",
           "SPAN_DEFAULT\tfgColor:black, bgColor:lightgray, borderColor:darken",
           "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5", f"{QUOTE}\tbgColor:#f3f3f3"]
    for n in groups["entity"]:
        family = next((f for f in FAMILY_COLOURS if SK.term(f) in ontology.superclasses(SK.base + n) or f == n), None)
        if family:
            out.append(f"{n}\tbgColor:{FAMILY_COLOURS[family]}")
    out += [f"{n}\tbgColor:#ff9c8f" for n in groups["event"]]
    out += [f"{CLAIM}\tbgColor:#f0b8e6"] + [f"{n}\tbgColor:#ffe0a0" for n in groups["observation"]]
    out += ["Draft\tdashArray:3-3, glyph:draft", "Introduction\tglyph:*",
            "Certainty\tglyph:?|??|???|????", "Stance\tglyph:<NONE>"]
    return "\n".join(out) + "\n"
