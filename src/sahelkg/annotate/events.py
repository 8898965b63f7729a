"""Assemble events from the triggers of a sentence and the mentions, dates and counts inside it.

One event per trigger (two triggers of the same class in one sentence make one event); the
sentence is its quote and the trigger its anchor inside. Role fillers are chosen by entity type
and by position relative to the trigger and the voice of the verb:

- an attack (battle, strike, explosion, raid, military action): active "X attacked Y" / FR "X a
  attaqué Y": attacker X (the nearest agent before), target Y (the first after); passive "Y was
  attacked by X" / "Y a été attaqué par X": target Y, attacker X (after "by"/"par");
- an outcome (death, injury, neutralization, capture) and violence against civilians: the
  affected party is the victim; "X killed Y": attacker X, victim Y; "Y was killed (by X)", "Y
  died", "Y a été tué (par X)": victim Y (attacker X); a noun ("the death of Y"): victim after;
- an operational event (deployment, withdrawal, announcement, launch, handover...): the agent
  before the trigger (after "by"/"par" in the passive; after "of"/"de" for a noun); an award:
  the recipient; a summit or an agreement: every agent of the sentence is a participant.

The place is the most specific Place mention of the sentence, with a precision from its type
and "near"/"N km north of" phrases; the date is the date expression nearest the trigger in the
sentence (the publication date is never assumed); the count the nearest count; instruments
the Equipment mentions; the operation a MilitaryOperation mention of the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sahelkg.annotate.model import CountMention, DateMention, Mention, Trigger
from sahelkg.annotate.text import title_case
from sahelkg.vocab import SK

ATTACK_ROOTS = ("Battle", "ExplosionRemoteViolence", "MilitaryAction", "Raid", "Riot")
OUTCOME_ROOTS = ("OutcomeEvent", "ViolenceAgainstCivilians", "Arrest")
GATHERING = ("Summit", "Agreement")
# The events that bring something into being: what they create is a participant, not a target.
CREATED = ("Establishment", "OperationLaunch", "HeadquartersOrBaseEstablished")
_RECEIVE_RE = re.compile(r"(?:receiv|re[çc]u|re[çc]oi)", re.IGNORECASE)
# The events whose count is the number of people they affect or involve ("three soldiers were killed",
# "500 soldiers deployed"); an attack's count would be that of its victims, which the outcome event carries.
COUNTED = ("OutcomeEvent", "ViolenceAgainstCivilians", "Arrest", "Deployment", "Reinforcement", "Withdrawal",
           "Redeployment")

# Place specificity (lower is more specific) and the ACLED-style precision it gives.
_PLACE_RANK = {
    "MilitaryBase": (0, "exact"), "Settlement": (0, "exact"), "Forest": (1, "near"), "MountainRange": (2, "region"),
    "NaturalFeature": (1, "near"), "Place": (2, "near"), "AdministrativeRegion": (3, "region"),
    "Desert": (4, "region"), "GeographicRegion": (4, "region"), "Country": (5, "country"),
}
_BEARINGS = {
    "nord": "north", "sud": "south", "est": "east", "ouest": "west", "nord-est": "north-east",
    "nord-ouest": "north-west", "sud-est": "south-east", "sud-ouest": "south-west",
    "north": "north", "south": "south", "east": "east", "west": "west", "northeast": "north-east",
    "north-east": "north-east", "northwest": "north-west", "north-west": "north-west",
    "southeast": "south-east", "south-east": "south-east", "southwest": "south-west", "south-west": "south-west",
}
_RELATIVE_RE = re.compile(
    r"(?:(?P<dist>\d+(?:[.,]\d+)?)\s*(?:km|kilom[eè]t(?:er|re)s?|kilom[eè]tres?)\s+)?"
    r"(?:(?:to the|au|à l['’]|a l['’])\s*)?(?P<bearing>north-?east|north-?west|south-?east|south-?west|north|south|east|west|"
    r"nord-est|nord-ouest|sud-est|sud-ouest|nord|sud|est|ouest)\s+(?:of|de|du|d['’])\s*$",
    re.IGNORECASE)
_NEAR_RE = re.compile(r"(?:\bnear|\boutside|\bclose to|\baround|près\s+d[e'’]|non loin\s+d[e'’]|aux environs\s+d[e'’]|dans les environs\s+d[e'’])\s*(?:the\s+)?$", re.IGNORECASE)
_BY_RE = re.compile(r"\b(?:by|par|de la part d[e'’])\b", re.IGNORECASE)
_OF_RE = re.compile(r"^\s*(?:of|de|du|des|d['’])\s*(?:the\s+|la\s+|l['’]\s*|les\s+)?", re.IGNORECASE)
_PASSIVE_EN = re.compile(r"\b(?:was|were|been|being|is|are|be|got)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_PASSIVE_FR = re.compile(r"\b(?:été|est|sont|était|étaient|fut|furent)\s+(?:\w+\s+)?$", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:]|\b(?:while|whereas|but|alors que|tandis que|mais)\b", re.IGNORECASE)
_NOT_COUNT_UNITS = re.compile(r"^(?:km|kilom|kilomet|mile|year|an|ans|année|month|mois|day|jour|hour|heure|minute|%|percent|pour)", re.IGNORECASE)


@dataclass
class EventDraft:
    """An event being assembled (offsets in the article body)."""

    id: str
    type: str
    start: int
    end: int
    trigger: Trigger  # offsets in the article body
    confidence: float
    participants: dict[str, list[str]] = field(default_factory=dict)
    date: DateMention | None = None
    place: dict[str, Any] | None = None
    count: CountMention | None = None
    instruments: list[str] = field(default_factory=list)
    operation: str | None = None
    result_of: str | None = None
    modality: str | None = None


class Types:
    """Ontology look-ups by class local name."""

    def __init__(self, ontology: Any) -> None:
        self.ontology = ontology
        self._cache: dict[tuple[str, str], bool] = {}

    def isa(self, cls: str, ancestor: str) -> bool:
        key = (cls, ancestor)
        if key not in self._cache:
            self._cache[key] = cls in SK and ancestor in SK and SK.term(ancestor) in self.ontology.superclasses(SK.term(cls))
        return self._cache[key]

    def any_isa(self, cls: str, ancestors: tuple[str, ...]) -> bool:
        return any(self.isa(cls, a) for a in ancestors)

    def compatible(self, a: str, b: str) -> bool:
        """Same class, or one a subclass of the other."""
        return a == b or self.isa(a, b) or self.isa(b, a)


def _passive(sentence: str, trig: Trigger, lang: str) -> bool:
    """True when the trigger is in the passive: an auxiliary right before it ("was killed", "a été tué"),
    or the trigger finder says so and an agent phrase ("by", "par") follows. A participle alone
    ("Macron announced on Thursday") is not enough."""
    before = sentence[max(0, trig.start - 40):trig.start]
    rx = _PASSIVE_FR if lang == "fr" else _PASSIVE_EN
    aux = bool(rx.search(before))
    if trig.voice == "active":
        return False
    if trig.voice == "passive":
        return aux or bool(_BY_RE.search(sentence, trig.end))
    return aux


def _agents_side(agents: list[Mention], trig: Trigger, sentence: str) -> tuple[list[Mention], list[Mention], list[Mention], list[Mention]]:
    """(before nearest-first, after in order, after 'by'/'par', right after 'of'/'de') relative to the trigger,
    each within the clause of the trigger."""
    start_clause = 0
    for m in _CLAUSE_BREAK.finditer(sentence[:trig.start]):
        start_clause = m.end()
    end_clause = len(sentence)
    m = _CLAUSE_BREAK.search(sentence, trig.end)
    if m:
        end_clause = m.start()
    before = sorted((a for a in agents if start_clause <= a.start and a.end <= trig.start), key=lambda a: -a.end)
    after = sorted((a for a in agents if a.start >= trig.end and a.end <= end_clause), key=lambda a: a.start)
    by = []
    bym = _BY_RE.search(sentence, trig.end, end_clause)
    if bym:
        by = [a for a in after if a.start >= bym.end()]
        after_obj = [a for a in after if a.start < bym.start()]
    else:
        after_obj = after
    of = [a for a in after if _OF_RE.fullmatch(sentence[trig.end:a.start]) is not None]
    return before, after_obj, by, of


def _coordinated(first: Mention, pool: list[Mention], sentence: str) -> list[Mention]:
    """``first`` and the mentions joined to it by "and"/"et"/"," (an enumeration of actors)."""
    out = [first]
    for other in sorted(pool, key=lambda a: a.start):
        if other in out:
            continue
        last = out[-1] if other.start > out[-1].end else None
        first_ = out[0] if other.end < out[0].start else None
        if last is not None and re.fullmatch(r"\s*(?:,|and|et|as well as|ainsi que|,\s*and|,\s*et)\s*(?:the\s+|la\s+|le\s+|les\s+|l['’])?", sentence[last.end:other.start], re.IGNORECASE):
            out.append(other)
        elif first_ is not None and re.fullmatch(r"\s*(?:,|and|et|ainsi que)\s*(?:the\s+|la\s+|le\s+|les\s+|l['’])?", sentence[other.end:first_.start], re.IGNORECASE):
            out.insert(0, other)
    return out


def _ids(ms: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.entity for m in ms))


def fill_roles(ev_type: str, sentence: str, trig: Trigger, agents: list[Mention], lang: str, types: Types,
               weapons: list[Mention] = ()) -> dict[str, list[str]]:  # type: ignore[assignment]
    """Role -> entity ids for one trigger (sentence-relative offsets)."""
    # operations act through their forces: an operation fills a role only when no other agent can
    people = [a for a in agents if not types.isa(a.type, "MilitaryOperation")]
    before, after, by, of = _agents_side(people, trig, sentence)
    ob, oa, oby, oof = _agents_side(agents, trig, sentence)
    before, after, by, of = before or ob, after or oa, by or oby, of or oof
    passive = _passive(sentence, trig, lang)
    roles: dict[str, list[str]] = {}

    def put(role: str, ms: list[Mention]) -> None:
        ids = [i for i in _ids(ms) if all(i not in v for v in roles.values())]
        if ids:
            roles.setdefault(role, []).extend(ids)

    if types.any_isa(ev_type, GATHERING):
        put("participant", sorted(agents, key=lambda a: a.start))
        return roles
    if types.isa(ev_type, "Award"):
        if _RECEIVE_RE.match(trig.text):
            # "X received the medal", "X a reçu la médaille": the subject is the one honoured
            persons = [m for m in before if types.isa(m.type, "Person")]  # "Corporal X of the 7th battalion received"
            put("recipient", persons[:1] or before[:1])
            return roles
        if passive:
            put("recipient", _coordinated(before[0], before, sentence) if before else [])
            put("agent", by[:1])
        else:
            put("agent", before[:1])
            put("recipient", [a for a in after if types.isa(a.type, "Person")][:1] or after[:1])
        return roles
    if types.any_isa(ev_type, CREATED):
        # what is founded or launched takes part in it: "the UN established MINUSMA" (agent, participant),
        # "a group created in 2014", "Operation X was launched" (the subject is what was created)
        if passive or trig.voice == "passive" or not after:
            put("participant", before[:1])
            put("agent", by[:1])
        else:
            put("agent", before[:1])
            put("participant", after[:1])
        return roles
    if types.isa(ev_type, "ArmedClash") and _SYMMETRIC_RE.fullmatch(trig.text):
        # a clash has sides, not an attacker and a target: "X was killed in a clash with Y", "les combats entre X et Y"
        sides = before[:1] and _coordinated(before[0], before, sentence)
        put("participant", sides + [a for a in after if a not in sides])
        return roles
    affected = "victim" if types.any_isa(ev_type, OUTCOME_ROOTS) else "target"
    actor = "attacker" if types.any_isa(ev_type, ATTACK_ROOTS + OUTCOME_ROOTS) else "agent"
    if types.isa(ev_type, "MilitaryAction") and not types.isa(ev_type, "Raid"):
        actor = "agent"  # forces conduct an operation against a target: agent and target, as for an attack
    if types.isa(ev_type, "GovernmentRegainsTerritory"):
        actor = "agent"  # a government takes back ground: it acts, the ground is the event's place
    if affected == "victim" and trig.voice == "passive":
        # a participle as an adjective is passive: "les terroristes neutralisés, dont le chef", "two soldiers killed"
        passive = True
    if not types.any_isa(ev_type, ATTACK_ROOTS + OUTCOME_ROOTS):
        if passive:
            put("agent", by[:1])
        elif before:
            put("agent", _coordinated(before[0], before, sentence))
        elif of:
            put("agent", _coordinated(of[0], of, sentence))
        return roles
    if types.any_isa(ev_type, ("Death", "Injury")):
        # people die and are wounded, organisations do not: "Corporal X, of the 7th battalion, was killed"
        def persons_first(ms: list[Mention]) -> list[Mention]:
            return [m for m in ms if types.any_isa(m.type, ("Person", "PersonGroup"))] + \
                [m for m in ms if not types.any_isa(m.type, ("Person", "PersonGroup"))]
        before, after, of = persons_first(before), persons_first(after), persons_first(of)
    if (trig.voice is None and any(types.isa(m.type, "Equipment") for m in weapons if m.start < trig.end and trig.start < m.end)) \
            or _STRUCK_RE.match(trig.text):
        # the trigger names the weapon ("an IED", "une mine"): who hit it is its target, who laid it comes after by/par
        put(affected, _coordinated(before[0], before, sentence) if before else [])
        put(actor, by[:1])
        return roles
    against = _introduced(after, sentence, trig, _AGAINST_RE)
    opponent = _introduced(after, sentence, trig, _WITH_RE)
    objects = [a for a in after if a not in against and a not in opponent]
    if passive:
        if before:
            put(affected, _coordinated(before[0], before, sentence))
        put(actor, by[:1] and _coordinated(by[0], by, sentence))
    elif trig.voice is None and (against or of or by):
        # a noun: "the attack on X by Y", "la mort de X", "l'attaque des jihadistes contre X"
        put(affected, against[:1] and _coordinated(against[0], against, sentence))
        if of:
            put(affected if affected == "victim" else actor, _coordinated(of[0], of, sentence))
        put(actor, by[:1] and _coordinated(by[0], by, sentence))
    elif affected == "victim" and not objects:
        # "X died", "X succumbed", "X, killed on Friday", "X est mort": the subject is the victim
        if before:
            put(affected, _coordinated(before[0], before, sentence))
        put(actor, (by or opponent)[:1])
    else:
        if before:
            put(actor, _coordinated(before[0], before, sentence))
        if objects:
            put(affected, _coordinated(objects[0], objects, sentence))
        put(affected, against[:1])
        put(actor, by[:1])
    if affected == "victim" and actor not in roles and opponent:
        put(actor, opponent[:1])  # "killed in a clash with X", "tué lors d'un accrochage avec X"
    return roles


# "their vehicle hit a mine", "a sauté sur une mine": the subject is what the device struck, not who laid it.
_STRUCK_RE = re.compile(r"(?:hit|struck|ran over|drove over|drove onto|triggered|jumped on|stepped on|detonated|saut[ée] sur|heurt[ée])\s",
                        re.IGNORECASE)
# The clash words that name a fight between sides (not "attack", "ambush", which have an attacker and a target).
_SYMMETRIC_RE = re.compile(
    r"(?:clash(?:es)?|fighting|firefights?|gunfights?|gun battles?|exchanges? of fire|skirmish(?:es)?|battles?|combats?"
    r"|affrontements?|accrochages?|[ée]changes? de tirs|batailles?|heurts)", re.IGNORECASE)
_AGAINST_RE = re.compile(r"\b(?:against|on|targeting|contre|visant|sur)\s+(?:the\s+|la\s+|le\s+|les\s+|l['’]\s*|des\s+|du\s+)?$", re.IGNORECASE)
_WITH_RE = re.compile(r"\b(?:with|avec)\s+(?:the\s+|la\s+|le\s+|les\s+|l['’]\s*|des\s+|du\s+)?$", re.IGNORECASE)


def _introduced(after: list[Mention], sentence: str, trig: Trigger, rx: re.Pattern[str]) -> list[Mention]:
    """The agents after the trigger introduced by a preposition matching ``rx`` (a few words before them)."""
    return [a for a in after if rx.search(sentence[max(trig.end, a.start - 40):a.start])]


def place_of(sentence: str, trig: Trigger, places: list[Mention]) -> dict[str, Any] | None:
    """The most specific Place mention of the sentence, with precision and relative position."""
    if not places:
        return None
    def rank(p: Mention) -> tuple[int, int]:
        return (_PLACE_RANK.get(p.type, (2, "near"))[0], abs(p.start - trig.start))
    best = min(places, key=rank)
    precision = _PLACE_RANK.get(best.type, (2, "near"))[1]
    out: dict[str, Any] = {"entity": best.entity}
    before = sentence[max(0, best.start - 60):best.start]
    rel = _RELATIVE_RE.search(before)
    if rel:
        out["bearing"] = _BEARINGS[rel.group("bearing").lower()]
        if rel.group("dist"):
            out["distance_km"] = float(rel.group("dist").replace(",", "."))
        out["reference"] = best.entity
        out["text"] = sentence[best.start - (len(before) - rel.start()):best.end]
        precision = "near" if precision == "exact" else precision
    elif _NEAR_RE.search(before) and precision == "exact":
        precision = "near"
    out["precision"] = precision
    return out


def nearest(items: list[Any], trig: Trigger) -> Any:
    if not items:
        return None
    return min(items, key=lambda x: (abs((x.start + x.end) / 2 - (trig.start + trig.end) / 2), x.start))


def assemble(
    body: str, spans: list[tuple[int, int]], mentions: list[Mention], dates: list[DateMention],
    counts: list[CountMention], find_triggers: Callable[[str, str], list[Trigger]] | None, lang: str, types: Types,
) -> list[EventDraft]:
    """Events of every sentence of ``body`` (``spans`` are the sentences)."""
    if find_triggers is None:
        return []
    events: list[EventDraft] = []
    for s, e in spans:
        sentence = body[s:e]
        if _headline(sentence):
            continue  # a title repeats the story the body tells: the body's sentences carry the events
        triggers = find_triggers(sentence, lang)
        if not triggers:
            continue
        local = [_shift(m, -s) for m in mentions if s <= m.start and m.end <= e]
        agents = [m for m in local if types.isa(m.type, "Agent")]
        places = [m for m in local if types.isa(m.type, "Place")]
        equipment = [m for m in local if types.isa(m.type, "Equipment")]
        operations = [m for m in local if types.isa(m.type, "MilitaryOperation")]
        sdates = [_shift(d, -s) for d in dates if s <= d.start and d.end <= e]
        scounts = [_shift(c, -s) for c in counts if s <= c.start and c.end <= e
                   and not any(c.start < d.end and d.start < c.end for d in dates)
                   and not _NOT_COUNT_UNITS.match(str(c.block.get("unit", "")))]
        by_type: dict[str, EventDraft] = {}
        for trig in sorted(triggers, key=lambda t: (-t.confidence, t.start)):
            if trig.event_type not in SK or not types.isa(trig.event_type, "Event"):
                continue
            if any(t.start < trig.end and trig.start < t.end for t in (x.trigger for x in by_type.values())):
                continue  # a shorter trigger inside one already taken
            if trig.event_type in by_type:
                continue
            if _generic(sentence, trig, lang, find_triggers, types):
                continue
            if trig.voice is None and _ANAPHORA_RE.search(sentence[:trig.start]) and any(
                    types.compatible(x.type, trig.event_type) for x in events):
                continue  # "this operation", "cette nouvelle attaque": the event told before, not a new one
            if lang == "en" and trig.voice is None and _INFINITIVE_RE.search(sentence[:trig.start]):
                continue  # "able to strike", "to combat trafficking": a noun of the lexicon used as a verb's infinitive
            roles = fill_roles(trig.event_type, sentence, trig, [a for a in agents if not (a.start < trig.end and trig.start < a.end)],
                               lang, types, equipment)
            ev = EventDraft(
                id="", type=trig.event_type, start=s, end=e, trigger=_shift(trig, s),
                confidence=round(min(0.95, trig.confidence * (0.75 + 0.25 * bool(roles))), 2),
                participants=roles, modality=trig.modality,
            )
            d = nearest(sdates, trig)
            ev.date = _shift(d, s) if d else None
            ev.place = place_of(sentence, trig, places)
            if types.any_isa(trig.event_type, COUNTED):
                c = nearest(scounts, trig)
                ev.count = _shift(c, s) if c else None
            ev.instruments = _ids(equipment)
            op = nearest(operations, trig)
            ev.operation = op.entity if op else None
            by_type[trig.event_type] = ev
        sentence_events = sorted(by_type.values(), key=lambda x: x.trigger.start)
        causes = [x for x in sentence_events if types.any_isa(x.type, ATTACK_ROOTS)]
        for x in sentence_events:
            x.id = f"e{len(events) + 1}"
            events.append(x)
        for x in sentence_events:
            if types.any_isa(x.type, ("Death", "Injury")) and causes:
                x.result_of = causes[0].id
    return _first_reports(events, types)


_ANAPHORA_RE = re.compile(
    r"\b(?:this|that|these|those|ce|cet|cette|ces)(?:\s+(?:new|same|latest|last|nouvelle|nouvel|nouveau|derni[eè]re?|m[eê]me))?\s+$",
    re.IGNORECASE)
_INFINITIVE_RE = re.compile(
    r"(?<!\bled )(?<!\blead )(?<!\bdue )(?<!\bowing )(?<!\bprior )(?<!\bresponse )(?<!\bsubjected )(?<!\bexposed )"
    r"\bto\s+$", re.IGNORECASE)
_CUMULATIVE_RE = re.compile(
    r"\b(?:since|depuis|so far|to date|in total|altogether|au total|en tout|jusqu['’]ici|à ce jour|a ce jour)\b", re.IGNORECASE)


def _generic(sentence: str, trig: Trigger, lang: str, find_triggers: Callable[[str, str], list[Trigger]], types: Types) -> bool:
    """True for a trigger that names a kind or a tally of events, not one event: a plural noun whose
    singular is a trigger of the same class ("attacks", "attaques"), or an outcome counted over a
    period ("X soldiers have died since 2013", "au total"), which is an observation, not an event."""
    word = trig.text
    if trig.voice is None and len(word) > 4 and word.endswith("s") and not _COUNTED_RE.search(sentence[:trig.start]):
        # "attacks", "suicide bombings", "land mines": a kind; "two attacks", "trois frappes": counted, so events
        singular = [t for t in find_triggers(word[:-1], lang) if t.event_type == trig.event_type and t.text == word[:-1]]
        if singular:
            return True
    return types.any_isa(trig.event_type, ("OutcomeEvent",)) and bool(_CUMULATIVE_RE.search(sentence))


# "two attacks", "trois frappes": counted, so events; "these two deaths", "both attacks", "les deux attaques"
# recall events already told, and stay out like any plural
_COUNTED_RE = re.compile(
    r"(?<!these )(?<!those )(?<!the )(?<!ces )(?<!les )(?<!des )"
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|deux|trois|quatre|cinq|six|sept|huit|neuf|dix"
    r"|plusieurs)(?:\s+[\w-]+)?\s+$", re.IGNORECASE)
def _headline(sentence: str) -> bool:
    """True for a line in title case, which repeats a story the body tells (see :func:`text.title_case`)."""
    return title_case(sentence)


def _first_reports(events: list[EventDraft], types: Types) -> list[EventDraft]:
    """Leave out an event that repeats an earlier one of the same class with the same affected party
    (a later sentence recalling "the soldier's death"): the first, fuller report is the one to review.
    Ids are renumbered, and a ``result_of`` that pointed at a repeat points at its first report."""
    kept: list[EventDraft] = []
    alias: dict[str, str] = {}
    for ev in events:
        who = {e for role in ("victim", "target", "recipient") for e in ev.participants.get(role, [])}
        first = next((k for k in kept if k.type == ev.type and who
                      and who & {e for role in ("victim", "target", "recipient") for e in k.participants.get(role, [])}), None)
        if first is not None:
            if first.trigger.voice is None and ev.trigger.voice is not None:
                # "after the death of X ... X succumbed to his injuries": a noun recalls, the verb reports
                kept[kept.index(first)] = ev
                alias[first.id] = ev.id
                for old, to in alias.items():
                    if to == first.id:
                        alias[old] = ev.id
            else:
                alias[ev.id] = first.id
            continue
        kept.append(ev)
    renumber = {ev.id: f"e{i + 1}" for i, ev in enumerate(kept)}
    for old, first in alias.items():
        renumber[old] = renumber[first]
    for ev in kept:
        ev.id = renumber[ev.id]
        if ev.result_of is not None:
            ev.result_of = renumber.get(ev.result_of)
            if ev.result_of == ev.id:
                ev.result_of = None
    return kept


def _shift(x: Any, by: int) -> Any:
    from dataclasses import replace
    return replace(x, start=x.start + by, end=x.end + by)


def without(events: list[EventDraft], leave_out: Callable[[EventDraft], bool]) -> list[EventDraft]:
    """``events`` less those ``leave_out`` selects, renumbered e1, e2...; a ``result_of`` that pointed at a
    left-out event is dropped."""
    kept = [ev for ev in events if not leave_out(ev)]
    renumber = {ev.id: f"e{i + 1}" for i, ev in enumerate(kept)}
    for ev in kept:
        ev.id = renumber[ev.id]
        ev.result_of = renumber.get(ev.result_of) if ev.result_of else None
    return kept

