"""The validated corpus as typed records: articles, their facts, and the entity registry.

:class:`sahelkg.corpus.reader.CorpusReader` makes them from the files; :mod:`sahelkg.graph.rdf` maps
them to triples. They are frozen, and built with keywords only (``Count(best=2, ...)``): a record of
eighteen fields written positionally is a swap waiting to happen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field



@dataclass(frozen=True, kw_only=True)
class Anchor:
    """A quote located in the normalised article text: ``text[start:end] == exact``, with up to
    :data:`sahelkg.corpus.anchors.CONTEXT_CHARS` characters before (``prefix``) and after (``suffix``)."""

    exact: str
    start: int
    end: int
    prefix: str
    suffix: str


@dataclass(frozen=True, kw_only=True)
class DateSpec:
    """A date as written, resolved (or not), with precision and how it was derived."""

    text: str | None
    iso: str | None  # "2021-09-24", "2014-08", "2013", "2018-11-11/2018-11-12"; None when unknown
    precision: str | None  # day | month | year | season
    basis: str  # stated | relative | context | unknown
    derivation: str | None
    begin: dt.date | None
    end: dt.date | None
    # A date without a year ("April 25"): its --MM-DD form and its sort key (day of a leap year).
    month_day: str | None = None
    day_of_year: int | None = None
    time_of_day: str | None = None  # "16:23", or morning | afternoon | evening | night
    conflicts_with: tuple[str, ...] = ()  # ids of facts of this file (or "published") whose date conflicts


@dataclass(frozen=True, kw_only=True)
class Count:
    """A number as reported: best value, range, approximation."""

    best: float | None
    low: float | None
    high: float | None
    approximate: bool
    text: str | None
    unit: str | None


@dataclass(frozen=True, kw_only=True)
class PlaceRef:
    """Where an event happened, with precision and an optional relative position.

    ``entity`` is the place the event is located in; a place given only relative to another ("30 kilometers
    north of Gossi") has no ``entity`` unless the text also names one, so it is never counted as being at
    its reference place."""

    entity: str | None
    precision: str | None
    bearing: str | None
    distance_km: float | None
    reference: str | None
    text: str | None
    between: tuple[str, ...] = ()  # "between Gao and Ansongo": the places it lies between (no entity, no bearing)


@dataclass(frozen=True, kw_only=True)
class Reviewed:
    """What every annotation item carries about its review: ``status`` is "draft" (written by
    ``sahelkg annotate``, unchecked), "reviewed" or None; ``confidence`` is a draft's, in [0, 1]."""

    status: str | None = None
    confidence: float | None = None


@dataclass(frozen=True, kw_only=True)
class LocalEntity(Reviewed):
    """An entity declared in one annotation file only (not in the registry)."""

    id: str
    types: tuple[str, ...]
    label: str
    anchor: Anchor | None
    note: str | None


@dataclass(frozen=True, kw_only=True)
class Mention(Reviewed):
    """A quote of the article that names an entity (of the registry or of the file)."""

    entity: str
    anchor: Anchor


@dataclass(frozen=True, kw_only=True)
class ArticleFact(Reviewed):
    """What an article states (an event, relation, claim or observation): its id in the annotation
    file, the quote that states it, when it holds, and the annotator's note.

    ``date_from`` is the id of the fact of the same file whose date this one shares (``date_of``)."""

    id: str
    anchor: Anchor
    date: DateSpec | None
    note: str | None
    date_from: str | None = None


@dataclass(frozen=True, kw_only=True)
class Event(ArticleFact):
    """Something that happened, as one article tells it: its type, quote, date, place and participants."""

    type: str
    trigger: Anchor | None
    place: PlaceRef | None
    participants: tuple[tuple[str, str], ...]  # (role, entity id)
    instruments: tuple[str, ...]
    count: Count | None
    operation: str | None
    sub_event_of: str | None
    result_of: str | None
    same_as: tuple[str, ...]  # "<article id>/<event id>"
    about: tuple[str, ...]
    award: str | None
    certainty: str | None
    label: str | None
    modality: str | None = None
    after: tuple[str, ...] = ()  # events ("e5" or "<article id>/e5") this one happened after
    hedged: tuple[tuple[str, str, str], ...] = ()  # (role, entity id, certainty) of a hedged participant


@dataclass(frozen=True, kw_only=True)
class Relation(ArticleFact):
    """A statement ``subject property object`` that an article makes, possibly dated and hedged."""

    property: str
    subject: str
    object: str
    certainty: str | None


@dataclass(frozen=True, kw_only=True)
class Claim(ArticleFact):
    """What a speaker says (claims, denies...) about facts of the article or who attacked whom."""

    speaker: str
    stance: str
    certainty: str | None
    about: tuple[str, ...]
    attackers: tuple[str, ...]
    victims: tuple[str, ...]
    disjunctive: bool


@dataclass(frozen=True, kw_only=True)
class Observation(ArticleFact):
    """A measured state of a subject (a number of troops, of displaced people...), with its source."""

    type: str
    subject: str
    count: Count
    place: str | None
    outcome: str | None
    according_to: str | None
    modality: str | None = None


@dataclass(frozen=True, kw_only=True)
class ArticleMeta:
    """An article's own description: id, title, language, publisher, URL, publication date, text hash."""

    id: str
    title: str | None
    language: str
    publisher: str | None
    url: str | None
    published: DateSpec | None
    published_anchor: Anchor | None
    text_sha256: str


@dataclass(frozen=True, kw_only=True)
class Article:
    """One article with its validated annotations."""

    meta: ArticleMeta
    text: str
    mentions: tuple[Mention, ...]
    entities: tuple[LocalEntity, ...]
    events: tuple[Event, ...]
    relations: tuple[Relation, ...]
    claims: tuple[Claim, ...]
    observations: tuple[Observation, ...]

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def local_ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.entities)

    @property
    def fact_ids(self) -> frozenset[str]:
        return frozenset(
            x.id for group in (self.events, self.relations, self.claims, self.observations) for x in group
        )


@dataclass(frozen=True, kw_only=True)
class Coordinates:
    """A registry place's position (WGS 84 degrees), how precise it is and where it comes from."""

    lat: float
    lon: float
    precision: str
    source: str


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A statement the registry makes about an entity, with the article relation it comes from."""

    property: str
    object: str
    source: str
    # When the fact holds and how sure its source is: copied from the article statement it comes from, so
    # that two offices a person held at different times stay two dated facts.
    date: DateSpec | None = None
    certainty: str | None = None


@dataclass(frozen=True, kw_only=True)
class Entity:
    """A canonical entity of the registry."""

    id: str
    types: tuple[str, ...]
    labels: dict[str, str]
    aliases: dict[str, tuple[str, ...]]
    description: dict[str, str]
    coordinates: Coordinates | None
    facts: tuple[Fact, ...]
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, kw_only=True)
class Registry:
    """Every canonical entity of the corpus, by id."""

    entities: dict[str, Entity]

    def types_of(self, entity_id: str) -> tuple[str, ...]:
        e = self.entities.get(entity_id)
        return e.types if e else ()
