"""The shared records of the annotator: what each finder returns, in offsets of one text.

Every finder (dates, counts, triggers, relations, claims, mentions) works on a string and returns
frozen records whose ``start``/``end`` are character offsets in *that* string (``text[start:end]
== record.text``). The pipeline (:mod:`sahelkg.annotate.pipeline`) shifts sentence-relative
offsets to article offsets itself. ``confidence`` is in [0, 1]: how sure the rule or model is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Mention:
    """A mention of an entity: a registry id (``local=False``) or a proposed article-local id."""

    start: int
    end: int
    text: str
    entity: str
    type: str  # the most specific ontology class local name ("JihadistGroup", "Settlement")
    local: bool = False
    confidence: float = 1.0
    coref: bool = False  # refers to the entity without naming it ("the group", "the victim")


@dataclass(frozen=True)
class BlockMention:
    """An expression found in a text and the corpus block it stands for (a date or a count block)."""

    start: int
    end: int
    text: str
    block: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    confidence: float = 1.0


@dataclass(frozen=True)
class DateMention(BlockMention):
    """A date expression and its corpus date block (``value`` or ``begin``/``end``, ``precision``,
    ``basis``, ``derivation`` when basis is not ``stated``; ``text`` is added by the writer)."""


@dataclass(frozen=True)
class CountMention(BlockMention):
    """A number or count range and its corpus count block (``value`` or ``low``/``high``,
    ``approximate``, ``text``, ``unit`` when a noun follows)."""


@dataclass(frozen=True)
class Trigger:
    """A word or phrase that expresses an event of ``event_type`` (an ontology class local name)."""

    start: int
    end: int
    text: str
    event_type: str
    confidence: float = 0.5
    voice: str | None = None  # 'active' | 'passive' | None
    modality: str | None = None  # planned | intended | announced | considered | expected | hypothetical


@dataclass(frozen=True)
class RelationDraft:
    """``subject property object`` between two mentioned entities (ids), supported by ``start:end``."""

    subject: str
    property: str
    object: str
    start: int
    end: int
    confidence: float = 0.5


@dataclass(frozen=True)
class ClaimDraft:
    """A statement by ``speaker`` (an entity id) with a ``stance``; ``start:end`` is the quote,
    ``about_start:about_end`` the reported content when it can be told apart (else None)."""

    speaker: str
    stance: str
    start: int
    end: int
    about_start: int | None = None
    about_end: int | None = None
    confidence: float = 0.5
