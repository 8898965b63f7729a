"""Event triggers in a sentence (EN/FR) from the lexicon in ``lexicon.yaml``, with voice and modality.

:func:`find_triggers` matches the lexicon's patterns on the folded sentence (lower case, no accents),
keeps the longest match where entries overlap, and for each trigger says:

- ``event_type``: the ontology event class of the entry (checked against the ontology by a test);
- ``voice``: ``passive`` for "was/were killed", "a été tué", a participle followed by "by/par" or used
  as an adjective ("two soldiers killed in"); ``active`` for other verb forms and for intransitive verbs
  ("died", "est mort", "se retirer"); None for nouns ("the withdrawal");
- negated triggers are left out ("no one was hurt", "personne n'a été tué", "sans faire de victimes");
- ``modality``: the marker nearest before the trigger, within its word gap and without crossing
  "that/que/who/was..." or punctuation: "will withdraw" (planned), "plans to", "prévoit de", "doit",
  "va se retirer" (planned), "were sent to neutralize", "pour neutraliser" (intended), "announced the
  withdrawal", "a annoncé le retrait" (announced), "is considering", "envisage de", "must decide"
  (considered), "is expected to", "devrait" (expected), "could", "pourrait", "if" (hypothetical).

The lexicon is loaded once per process (:func:`lexicon`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from sahelkg.annotate.model import Trigger
from sahelkg.annotate.numbers import fold
from sahelkg.errors import SahelKGError

__all__ = ["find_triggers", "lexicon", "Entry", "LexiconError"]


class LexiconError(SahelKGError):
    """The trigger lexicon (``lexicon.yaml``) is malformed."""


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: a pattern on folded text and the event class it expresses."""

    event_type: str
    pos: str  # verb | noun | phrase
    pattern: re.Pattern[str]
    confidence: float
    intransitive: bool = False
    lowercase: bool = False
    voice: str | None = None  # a fixed voice ("was launched"), else worked out from the context


@dataclass(frozen=True)
class Marker:
    """A modality marker: a pattern that must end at most ``gap`` words before the trigger."""

    pattern: re.Pattern[str]
    modality: str
    gap: int
    only: str | None = None


@dataclass(frozen=True)
class Lexicon:
    """Entries and modality markers per language."""

    entries: dict[str, tuple[Entry, ...]]
    markers: dict[str, tuple[Marker, ...]]


MODALITIES = ("planned", "intended", "announced", "considered", "expected", "hypothetical")
POS = ("verb", "noun", "phrase")


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])")  # "l'attaque": the elided article is no word
    except re.error as e:
        raise LexiconError(f"{where}: pattern {pattern!r} is not a valid regular expression: {e}") from None


def parse_lexicon(data: Any, source: str = "lexicon.yaml") -> Lexicon:
    """Validate and compile a lexicon document; raise :class:`LexiconError` naming the bad entry."""
    if not isinstance(data, dict):
        raise LexiconError(f"{source}: expected a mapping with en, fr and modality")
    entries: dict[str, tuple[Entry, ...]] = {}
    for lang in ("en", "fr"):
        items = []
        for i, e in enumerate(data.get(lang) or []):
            where = f"{source}: {lang}[{i}]"
            if not isinstance(e, dict) or not {"class", "pos", "pattern", "confidence"} <= set(e):
                raise LexiconError(f"{where}: an entry needs class, pos, pattern and confidence")
            if e["pos"] not in POS:
                raise LexiconError(f"{where}: pos {e['pos']!r} is not one of {', '.join(POS)}")
            if e.get("voice") not in (None, "active", "passive"):
                raise LexiconError(f"{where}: voice {e['voice']!r} is not active or passive")
            if not 0 < float(e["confidence"]) <= 1:
                raise LexiconError(f"{where}: confidence {e['confidence']} is not in (0, 1]")
            items.append(Entry(str(e["class"]), e["pos"], _compile(str(e["pattern"]), where), float(e["confidence"]),
                               bool(e.get("intransitive")), bool(e.get("lowercase")), e.get("voice")))
        entries[lang] = tuple(items)
    markers: dict[str, tuple[Marker, ...]] = {}
    for lang in ("en", "fr"):
        items2 = []
        for i, m in enumerate((data.get("modality") or {}).get(lang) or []):
            where = f"{source}: modality.{lang}[{i}]"
            if m.get("modality") not in MODALITIES:
                raise LexiconError(f"{where}: modality {m.get('modality')!r} is not one of {', '.join(MODALITIES)}")
            pat = _compile(str(m["marker"]), where)
            items2.append(Marker(pat, m["modality"], int(m.get("gap", 2)), m.get("only")))
        markers[lang] = tuple(items2)
    return Lexicon(entries, markers)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The packaged lexicon, read and compiled once."""
    text = resources.files("sahelkg.annotate").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    return parse_lexicon(yaml.safe_load(text), "src/sahelkg/annotate/lexicon.yaml")


# -- voice ------------------------------------------------------------------------------------------------
_EN_AUX = re.compile(r"\b(?:was|were|been|being|be|is|are|got|get|gets|getting)(?:\s+(?:\w+ly|all|also|not|later|then|just|reportedly|allegedly|both))*\s+$")
_EN_IRREGULAR = {"slain", "struck", "hit", "taken", "seized", "held", "sent", "withdrawn", "overrun", "fought",
                 "hurt", "shot dead", "gunned down", "stationed", "taken prisoner", "taken hostage", "held hostage",
                 "taken into custody", "beheaded", "forcibly disappeared", "wounded"}
# After a participle without auxiliary, these words mean a reduced relative ("two soldiers killed in the
# attack", "the hostages kidnapped last year"): passive. Anything else is an object: active.
_EN_REDUCED = re.compile(r"^\s*(?:$|[,.;:)!?\"]|(?:in|on|at|during|near|when|while|after|before|last|this|yesterday|today|"
                         r"overnight|and|or|as|since|from|with|outside|inside|across|between|earlier|later|so|because|"
                         r"along|around|into|over|under|for|to|amid|among|were|was|are|is|have|had|has)\b)")
_FR_OBJECT = re.compile(r"^\s+(?:le|la|les|l'|un|une|des|du|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|\d|plusieurs|"
                        r"au moins|pres de|quelque|son|sa|ses|leur|leurs|cet|ce|cette|ces|une vingtaine|une dizaine|"
                        r"une centaine|une trentaine|une quinzaine|une cinquantaine|des dizaines|[a-z]+aine)\b")
_FR_PASSIVE_AUX = re.compile(r"(?:\b(?:a|ont|avait|avaient|aurait|auraient|avoir|ayant|aura|auront)\s+(?:\w+ment\s+)?ete|"
                             r"\b(?:est|sont|etait|etaient|fut|furent|sera|seront|etre|soit|soient)(?:\s+\w+ment)?)\s+"
                             r"(?:\w+ment\s+)?$")
_FR_ACTIVE_AUX = re.compile(r"\b(?:a|ont|avait|avaient|aurait|auraient|avoir|ayant|aura|auront)(?:\s+\w+ment)?\s+$")
_BY = {"en": re.compile(r"^\s+by\b"), "fr": re.compile(r"^\s+(?:par|de la part)\b")}


def _is_participle(form: str, lang: str) -> bool:
    if lang == "en":
        return form.endswith("ed") or form in _EN_IRREGULAR or form.split()[0] in _EN_IRREGULAR
    head = form.split()[0]
    return bool(re.search(r"(?:e|es|ee|ees|u|us|ue|ues|is)$", head)) and not head.endswith(("er", "ent", "ant"))


def _voice(entry: Entry, sentence: str, folded: str, s: int, e: int, lang: str) -> str | None:
    if entry.voice:
        return entry.voice
    if entry.pos == "noun":
        return None
    form = folded[s:e]
    if entry.intransitive:
        return "active"
    left, right = folded[:s], folded[e:]
    if lang == "en":
        if not _is_participle(form, lang):
            return "active"
        if _EN_AUX.search(left) or _BY["en"].match(right):
            return "passive"
        if re.search(r"\b(?:has|have|had|having)\s+(?:\w+ly\s+)?$", left):
            return "active"
        return "passive" if _EN_REDUCED.match(right) else "active"
    if not _is_participle(form, lang):
        return "active"
    if _FR_PASSIVE_AUX.search(left) or _BY["fr"].match(right):
        return "passive"
    if _FR_ACTIVE_AUX.search(left) or _FR_OBJECT.match(right):
        return "active"  # "a tué ...", "a tué deux jihadistes et neutralisé sept terroristes"
    return "passive"  # a participle as an adjective: "trois soldats tués lors de l'attaque"


# -- modality ---------------------------------------------------------------------------------------------
_GAP_STOP = re.compile(
    r"\b(?:that|which|who|whom|whose|was|were|had|has|have|said|says|when|while|after|before|but|"
    r"que|qu|qui|dont|ont|avait|avaient|ete|dit|lorsque|quand|apres|avant|mais|puis)\b")


def _modality(entry: Entry, folded: str, s: int, lang: str) -> str | None:
    left = folded[:s]
    cut = max(left.rfind(ch) for ch in ".;:!?,()\"«»")
    clause = left[cut + 1:]
    best: tuple[int, str] | None = None
    for marker in lexicon().markers.get(lang, ()):
        if marker.only and marker.only != entry.pos:
            continue
        for m in marker.pattern.finditer(clause):
            gap = clause[m.end():]
            words = re.findall(r"[\w'-]+", gap)
            if len(words) > marker.gap or _GAP_STOP.search(gap):
                continue
            if best is None or m.end() > best[0]:
                best = (m.end(), marker.modality)
    return best[1] if best else None


_NEGATION = {
    "en": re.compile(r"(?:\b(?:no one|nobody|not|never|no|without|neither|nor)|n't)(?:\s+[\w'-]+){0,2}\s+$"),
    "fr": re.compile(r"(?:\b(?:aucun|aucune|sans|ni|jamais|pas)|\bn'|\bne)(?:\s*[\w'-]+){0,3}\s+$"),
}


def _negated(folded: str, s: int, lang: str) -> bool:
    """Whether a negation governs the trigger: "no one was hurt", "personne n'a été tué", "sans faire de victimes"."""
    left = folded[:s]
    cut = max(left.rfind(ch) for ch in ".;:!?,()\"«»")
    return bool(_NEGATION[lang].search(left[cut + 1:]))


def find_triggers(sentence: str, lang: str) -> list[Trigger]:
    """Event triggers in ``sentence`` (``lang`` en or fr), in text order, without overlaps.

    >>> [(t.text, t.event_type, t.voice, t.modality) for t in find_triggers("Two soldiers were killed by an IED.", "en")]
    [('killed', 'Death', 'passive', None), ('IED', 'RemoteExplosiveLandmineIED', None, None)]
    >>> [(t.text, t.event_type, t.modality) for t in find_triggers("La France va se retirer du Mali.", "fr")]
    [('se retirer', 'Withdrawal', 'planned')]
    """
    lex = lexicon()
    if lang not in lex.entries:
        raise ValueError(f"language {lang!r}: write en or fr")
    folded = fold(sentence)
    candidates: list[tuple[int, int, Entry]] = []
    for entry in lex.entries[lang]:
        for m in entry.pattern.finditer(folded):
            if entry.lowercase and any(ch.isupper() for ch in sentence[m.start():m.end()]):
                continue
            candidates.append((m.start(), m.end(), entry))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), -c[2].confidence, c[0]))
    chosen: list[tuple[int, int, Entry]] = []
    for s, e, entry in candidates:
        if any(s < ce and cs < e for cs, ce, _ in chosen):
            continue
        chosen.append((s, e, entry))
    out = []
    for s, e, entry in sorted(chosen, key=lambda c: c[0]):
        if _negated(folded, s, lang):
            continue  # what did not happen is no event
        out.append(Trigger(s, e, sentence[s:e], entry.event_type, entry.confidence,
                           _voice(entry, sentence, folded, s, e, lang), _modality(entry, folded, s, lang)))
    return out
