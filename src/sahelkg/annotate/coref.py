"""Coreference by rule: descriptions that take up an entity already named, in EN and FR news style.

News text names an entity once and then refers to it by what it is: "the group", "le groupe armé",
"the terrorists" for the last armed group; "the victim", "le militaire", "l'otage" for the last named
person; "the force", "la force" for the last named operation or force. It also opens on an unnamed
person and names them a sentence or two later ("A French soldier was killed ... Sergeant Jean Dupont,
24, ..."). These rules link such descriptions to the most recent entity of a compatible ontology class
within a few sentences, as ``coref`` mentions with a lower confidence (the corpus format marks a mention
that refers without naming with ``coref: true``). A description with no compatible antecedent in reach
is left alone: it stays an unnamed entity of its own, or no mention at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from sahelkg.annotate.model import Mention

# A definite description and the ontology class its antecedent must have, with the reach in sentences
# (0: the same sentence only). Plural fighters ("the terrorists") take up a group only close by: further
# away they are the article's generic adversary.
_DEF_EN = r"(?:the|this|that)"
_DEF_FR = r"(?:le|la|l['’]\s*|ce|cet|cette)"
_DESCRIPTIONS: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (re.compile(rf"\b(?:{_DEF_EN}\s+(?:(?:armed|terrorist|jihadist|islamist|militant)\s+){{0,2}}(?:group|movement|organi[sz]ation)"
                rf"|{_DEF_FR}\s*(?:groupe|mouvement|organisation)(?:\s+(?:armé|terroriste|jihadiste|djihadiste|islamiste)){{0,2}})\b(?!s)",
                re.IGNORECASE), "ArmedGroup", 5),
    (re.compile(r"\b(?:the\s+(?:terrorists|jihadists|militants|assailants|attackers|gunmen|insurgents)"
                r"|les\s+(?:terroristes|jihadistes|djihadistes|assaillants|islamistes))\b", re.IGNORECASE), "ArmedGroup", 2),
    (re.compile(rf"\b(?:{_DEF_EN}\s+(?:victim|soldier|serviceman|servicewoman|legionnaire|paratrooper|officer|non-commissioned officer"
                rf"|corporal|sergeant|lieutenant|captain|hostage|journalist|pilot)"
                rf"|{_DEF_FR}\s*(?:victime|soldat|militaire|légionnaire|parachutiste|officier|sous-officier|caporal|sergent"
                rf"|lieutenant|capitaine|otage|journaliste|pilote))\b(?!s)", re.IGNORECASE), "Person", 4),
    (re.compile(rf"\b(?:{_DEF_EN}\s+(?:force|operation|mission)|{_DEF_FR}\s*(?:force|mission))\b(?![\s\u00a0]+[A-Z])(?!s)",
                re.IGNORECASE), "MilitaryOperation|JointForce|PeacekeepingMission", 3),
)
# An unnamed person that the text names soon after: "a French soldier", "un militaire français".
_SOLDIER_WORDS = re.compile(
    r"\b(?:soldier|serviceman|legionnaire|paratrooper|commando|officer|pilot|gendarme|soldat|militaire|légionnaire"
    r"|parachutiste|officier|pilote)\b", re.IGNORECASE)
_INDEFINITE = re.compile(r"(?:an?|one|un|une|des|some|\d+|two|three|deux|trois)\s", re.IGNORECASE)
# Local entities that a description proposed on its own: they give way to the entity the description takes up.
DESCRIPTIVE_SOURCES = frozenset({"rule:armed-group", "rule:group", "rule:someone", "rule:someone-again"})


@dataclass(frozen=True)
class Antecedent:
    """What a coreference rule may point at: a mention, whether it names its entity, and its sentence."""

    mention: Mention
    named: bool
    sentence: int


def _sentence_of(spans: list[tuple[int, int]], pos: int) -> int:
    for i, (s, e) in enumerate(spans):
        if pos < e:
            return i
    return len(spans) - 1


def resolve(
    body: str, spans: list[tuple[int, int]], mentions: list[Mention], descriptive: set[str],
    isa: Callable[[str, str], bool], named_person: Callable[[Mention], bool],
    ranked: Callable[[Mention], bool] = lambda m: False,
) -> tuple[list[Mention], set[str]]:
    """The mentions with coreferent descriptions linked to their antecedents, and the local entity ids
    (among ``descriptive``: proposed from a description) that are now mentions of another entity.

    ``named_person(m)`` tells a mention that names a person ("Sergeant Jean Dupont") from one that
    describes one ("a sniper"); ``ranked(m)`` tells a name written after a military rank ("Sergeant Jean
    Dupont"); ``isa(cls, ancestor)`` is the ontology's subclass test."""
    mentions = sorted(mentions, key=lambda m: m.start)
    # an entity a description introduces ("an armed group", "un groupe terroriste") may be taken up later;
    # one a definite description proposed on its own ("the group") is itself what a rule may resolve
    first: dict[str, Mention] = {}
    for m in mentions:
        first.setdefault(m.entity, m)
    introduced = {eid for eid, m in first.items() if _INDEFINITE.match(m.text)}
    ants = [Antecedent(m, m.entity not in descriptive or m.entity in introduced, _sentence_of(spans, m.start))
            for m in mentions]
    removed: list[Mention] = []
    added: list[Mention] = []
    merged: dict[str, str] = {}
    for rx, classes, reach in _DESCRIPTIONS:
        wanted = classes.split("|")
        for d in rx.finditer(body):
            inside = [m for m in mentions if m.start < d.end() and d.start() < m.end]
            if any(m.entity not in descriptive for m in inside):
                continue  # part of a name ("the Support Group ...") or of another mention
            sent = _sentence_of(spans, d.start())
            target = _antecedent(ants, d.start(), sent, reach, wanted, isa, named_person)
            if target is None:
                continue
            removed.extend(inside)
            for m in inside:
                merged.setdefault(m.entity, target.entity)
            added.append(Mention(d.start(), d.end(), d.group(), target.entity, target.type, target.local,
                                 round(min(target.confidence, 0.9) * 0.6, 2), coref=True))
    out = [m for m in mentions if m not in removed] + added
    # an unnamed person named soon after ("A French soldier was killed ... Corporal Jean Dupont, 24, ...")
    out, named_later = _cataphora(spans, out, descriptive, named_person, ranked)
    merged.update(named_later)
    # an entity is gone only when none of its mentions is left
    left = {m.entity for m in out}
    gone = {eid for eid in merged if eid not in left}
    return sorted(out, key=lambda m: (m.start, m.end)), gone


def _antecedent(
    ants: list[Antecedent], pos: int, sent: int, reach: int, wanted: list[str],
    isa: Callable[[str, str], bool], named_person: Callable[[Mention], bool],
) -> Mention | None:
    """The most recent named mention before ``pos``, at most ``reach`` sentences back, of a wanted class."""
    for a in reversed(ants):
        m = a.mention
        if m.end > pos or m.coref:
            continue
        if sent - a.sentence > reach:
            return None
        if not a.named:
            continue
        if not any(isa(m.type, w) for w in wanted):
            continue
        if "Person" in wanted and not named_person(m):
            continue
        return m
    return None


def _cataphora(
    spans: list[tuple[int, int]], mentions: list[Mention], descriptive: set[str],
    named_person: Callable[[Mention], bool], ranked: Callable[[Mention], bool],
) -> tuple[list[Mention], dict[str, str]]:
    """An indefinite soldier description ("a French soldier") followed within three sentences by the first
    person the text names with a military rank, when no person was named before it: the same person."""
    merged: dict[str, str] = {}
    out = list(mentions)
    for m in mentions:
        if m.entity not in descriptive or m.type != "Person" or not re.match(r"(?:an?|one|un|une)\s", m.text, re.IGNORECASE):
            continue
        if not _SOLDIER_WORDS.search(m.text):
            continue
        if any(named_person(x) for x in mentions if x.end <= m.start):
            continue  # a person already named: "a soldier" may be another one
        sent = _sentence_of(spans, m.start)
        # "A French soldier ... Ansar Dine", "... President Emmanuel Macron": a name without a military rank is
        # not the soldier's
        later = [x for x in mentions if x.start >= m.end and named_person(x) and ranked(x)]
        if not later or _sentence_of(spans, later[0].start) - sent > 3:
            continue
        target = later[0]
        merged[m.entity] = target.entity
        out = [replace(x, entity=target.entity, type=target.type, local=target.local,
                       confidence=round(min(x.confidence, 0.9) * 0.6, 2), coref=True) if x.entity == m.entity else x
               for x in out]
    return out, merged
