"""Warnings about annotations that validate but are probably wrong (the silent mistakes).

An annotation file can be valid and still say something the annotator did not mean. These
checks look at one validated article beside the registry and report, as warnings located at a
line of the annotation file:

- a mention whose quote matches none of its entity's names ("Niger" linked to ``chad``), unless
  the mention is marked ``coref: true`` ("the force", "le soldat", "he");
- a registry entity whose name occurs in the text but which no mention links;
- a weekday in a date's text that contradicts the resolved date ("Friday" resolved to a Saturday);
- a death, injury or neutralization whose victim or target has no affiliation at all (no
  ``memberOf``, ``affiliatedWith``, ``partOf``, ``leads``, ``commands``... in the file or the registry): questions asked by
  force, such as ``soldiers-killed``, silently leave it out.

They run when :class:`sahelkg.corpus.reader.CorpusReader` has validated an article without error, so
``check corpus`` and ``build`` both show them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sahelkg.corpus.names import fold
from sahelkg.corpus.records import Article, ArticleFact, DateSpec, Registry
from sahelkg.corpus.scan import annotation_line
from sahelkg.corpus.yaml_lines import line_of
from sahelkg.errors import Problem
from sahelkg.vocab import SK

WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_RE = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
# the ties of a person or group to a force: membership, and leading, commanding or speaking for it
AFFILIATIONS = ("memberOf", "affiliatedWith", "partOf", "leads", "commands", "spokespersonFor", "holdsPosition")
HARM = ("Death", "Injury", "Neutralization")  # the outcome events counted by force
HARMED_ROLES = ("victim", "target")
MIN_NAME = 3  # shorter names ("EI", "UN") are too often letters of other words to report


def article_warnings(article: Article, registry: Registry, ontology: Any, data: Any, file: str) -> list[Problem]:
    """Every warning about one validated article; ``data`` is its loaded annotation file (with lines)."""
    out: list[Problem] = []

    def warn(path: list[Any], message: str) -> None:
        out.append(Problem(file, line_of(data, path), message, "warning"))

    for path, message in _mention_mismatches(article, registry, data):
        warn(path, message)
    for path, message in _unmentioned_names(article, registry, data):
        warn(path, message)
    for path, message in _weekday_contradictions(article, data):
        warn(path, message)
    for path, message in _unaffiliated_victims(article, registry, ontology):
        warn(path, message)
    return out


# --------------------------------------------------------------------------- mentions

def names_of(entity_id: str, article: Article, registry: Registry) -> list[str]:
    """Every name of an entity: its registry labels and aliases (all languages), or its local label."""
    ent = registry.entities.get(entity_id)
    if ent is not None:
        return [*ent.labels.values(), *(a for aliases in ent.aliases.values() for a in aliases)]
    return [e.label for e in article.entities if e.id == entity_id]


DETERMINERS = frozenset("a an the this that these those his her its their "
                        "un une le la les l des du de d ce cet cette ces son sa ses leur leurs".split())


@lru_cache(maxsize=1 << 16)
def _bare(name: str) -> str:
    """A folded name without its leading determiners ("the armed group", "l’opération" -> "operation")."""
    words = fold(name).split()
    while len(words) > 1 and words[0] in DETERMINERS:
        words.pop(0)
    return " ".join(words)


def quote_names(quote: str, names: Iterable[str]) -> bool:
    """True when the quote and one of the names agree, folded and without leading determiners: the
    quote holds the name as whole words ("the French paratrooper" and "A French paratrooper"), or is a
    capitalised part of it ("Blasco" of "Maxime Blasco"; "mountains" of "Ifoghas mountains" is a
    coreference), or a word of the quote is derived from a one-word name ("Malian", "Nigérien").

    >>> quote_names("the French paratrooper", ["A French paratrooper"]), quote_names("Niger", ["Chad", "Tchad"])
    (True, False)
    >>> quote_names("Blasco", ["Maxime Blasco"]), quote_names("These mountains", ["Ifoghas mountains"])
    (True, False)
    """
    q = _bare(quote)
    padded = f" {q} "
    # a part of a name must be a proper name ("Blasco"), not a common noun ("mountains", "the force")
    proper = any(w[:1].isupper() for w in quote.split()[len(fold(quote).split()) - len(q.split()):])
    for name in names:
        n = _bare(name)
        if not n:
            continue
        if f" {n} " in padded or (proper and padded in f" {n} "):
            return True
        if " " not in n and len(n) >= 4 and any(w.startswith(n) for w in q.split()):
            return True
    return False


def _mention_mismatches(article: Article, registry: Registry, data: Any) -> Iterator[tuple[list[Any], str]]:
    raw = data.get("mentions") or []
    for i, (m, item) in enumerate(zip(article.mentions, raw)):
        if isinstance(item, dict) and item.get("coref") is True:
            continue
        names = names_of(m.entity, article, registry)
        if names and not quote_names(m.anchor.exact, names):
            shown = ", ".join(f'"{n}"' for n in list(dict.fromkeys(names))[:4])
            yield (["mentions", i, "quote"],
                   f'mention of {m.entity}: the quote "{m.anchor.exact}" matches none of its names ({shown}); '
                   "link the right entity, add the name to the registry's aliases, or mark a coreference "
                   "(\"the force\", \"he\") with coref: true")


_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class NameTable:
    """Every registry name of :data:`MIN_NAME` characters or more, keyed by its words, for finding
    them in a text word by word: a dictionary lookup per word (a regular expression alternating
    thousands of names took 4 s to compile and 25 ms per article)."""

    by_words: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]]  # words -> [(name, entity ids)]
    lengths: dict[str, tuple[int, ...]]  # first word -> the word counts of the names it begins

    def find(self, text: str) -> Iterator[tuple[int, int, str, tuple[str, ...]]]:
        """``(start, end, name, entity ids)`` of the names in ``text``, whole words only, case as
        written; leftmost and longest first, without overlaps ("Forces armées (Mali)" is the armed
        forces, not also the country)."""
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        resume = 0
        for i, (start, _, first) in enumerate(words):
            if start < resume:
                continue
            best: tuple[int, str, tuple[str, ...]] | None = None
            for n in reversed(self.lengths.get(first, ())):
                if i + n > len(words):
                    continue
                for name, owners in self.by_words.get(tuple(w for _, _, w in words[i:i + n]), ()):
                    end = start + len(name)
                    if text[start:end] == name and (end == len(text) or not (text[end].isalnum() or text[end] == "_")):
                        if best is None or end > best[0]:
                            best = (end, name, owners)
            if best is not None:
                resume = best[0]
                yield start, best[0], best[1], best[2]


_TABLES: dict[int, tuple[Registry, NameTable]] = {}


def name_table(registry: Registry) -> NameTable:
    """The :class:`NameTable` of a registry, made once per registry (a build reads every article
    against the same one)."""
    cached = _TABLES.get(id(registry))
    if cached is not None and cached[0] is registry:
        return cached[1]
    owners: dict[str, list[str]] = {}
    for ent in registry.entities.values():
        for name in dict.fromkeys([*ent.labels.values(), *(a for v in ent.aliases.values() for a in v)]):
            if len(name) >= MIN_NAME and name[0].isalnum():
                owners.setdefault(name, []).append(ent.id)
    by_words: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = {}
    lengths: dict[str, set[int]] = {}
    for name, ids in owners.items():
        words = tuple(_WORD.findall(name))
        if words:
            by_words.setdefault(words, []).append((name, tuple(ids)))
            lengths.setdefault(words[0], set()).add(len(words))
    table = NameTable(by_words, {w: tuple(sorted(n)) for w, n in lengths.items()})
    _TABLES.clear()
    _TABLES[id(registry)] = (registry, table)
    return table


def _unmentioned_names(article: Article, registry: Registry, data: Any) -> Iterator[tuple[list[Any], str]]:
    mentioned = {m.entity for m in article.mentions}
    covered = [(m.anchor.start, m.anchor.end) for m in article.mentions]
    reported: set[str] = set()
    for start, end, name, owners in name_table(registry).find(article.text):
        if any(s <= start and end <= e for s, e in covered):
            continue  # inside a mention of something (a longer name, or a coreference)
        if not mentioned.isdisjoint(owners):
            continue  # a name several entities share ("Mali", a country and a surname): one is mentioned
        for eid in owners:
            if eid in reported:
                continue
            reported.add(eid)
            line = article.text.count("\n", 0, start) + 1
            yield (["mentions"] if "mentions" in data else ["article"],
                   f'"{name}" (a name of registry entity {eid}) occurs in the text (line {line}) but no '
                   f"mention links {eid}: add a mention, e.g. {{entity: {eid}, quote: \"{name}\"}}")


# --------------------------------------------------------------------------- dates

def _dated(article: Article, data: Any) -> Iterator[tuple[list[Any], str, DateSpec]]:
    if article.meta.published is not None:
        yield ["article", "published"], "article published", article.meta.published
    groups: tuple[tuple[str, tuple[ArticleFact, ...]], ...] = (
        ("events", article.events), ("relations", article.relations),
        ("claims", article.claims), ("observations", article.observations),
    )
    for kind, items in groups:
        for i, x in enumerate(items):
            if x.date is not None:
                yield [kind, i, "date"], f"{kind[:-1]} {x.id}", x.date


def weekday_conflict(date: DateSpec) -> str | None:
    """What is wrong when the weekday written in a one-day date's text is not the resolved day's."""
    if not date.text or date.begin is None or date.begin != date.end:
        return None
    for match in _WEEKDAY_RE.finditer(date.text):
        written = WEEKDAYS[match.group().lower()]
        actual = date.begin.weekday()
        if written != actual:
            return (f'"{match.group()}" in "{date.text}", but {date.begin.isoformat()} is a '
                    f"{WEEKDAY_NAMES[actual]}; check the value or the derivation")
    return None


def _weekday_contradictions(article: Article, data: Any) -> Iterator[tuple[list[Any], str]]:
    for path, what, date in _dated(article, data):
        conflict = weekday_conflict(date)
        if conflict:
            yield path, f"{what} date: {conflict}"


# --------------------------------------------------------------------------- victims

def _unaffiliated_victims(article: Article, registry: Registry, ontology: Any) -> Iterator[tuple[list[Any], str]]:
    harm = frozenset(SK.term(c) for c in HARM)
    tied = {r.subject for r in article.relations if r.property in AFFILIATIONS}
    local_types = {e.id: e.types for e in article.entities}
    organization = frozenset([SK.Organization])
    for i, e in enumerate(article.events):
        if harm.isdisjoint(ontology.superclasses(SK.term(e.type))):
            continue
        for role, eid in e.participants:
            if role not in HARMED_ROLES or eid in tied:
                continue
            ent = registry.entities.get(eid)
            types = ent.types if ent is not None else local_types.get(eid, ())
            if ontology.fits([SK.term(t) for t in types if t in SK], organization):
                continue  # a force or group counted as a whole is its own affiliation
            if ent is not None and any(f.property in AFFILIATIONS for f in ent.facts):
                continue
            members = e.participants
            k = [m for r, m in members if r == role].index(eid)
            yield (["events", i, "participants", role, k],
                   f"event {e.id} {role}: {eid} has no affiliation (no {', '.join(AFFILIATIONS)} in this "
                   "file or the registry), so the questions asked by force (soldiers-killed, neutralized-persons) "
                   "leave it out; add the relation the text states")


# --------------------------------------------------------------------------- locating graph problems

def fact_line(file: str, where: str) -> int | None:
    """The line of the annotation file ``file`` where the fact that ``where`` names begins
    (``"e3 (quote ...)"``, ``"article 001"``), for the graph's problems (SHACL, health checks)."""
    if not file.endswith(".yaml"):
        return None
    head = where.split(" ", 1)[0]
    return annotation_line(file, None if head == "article" else head)
