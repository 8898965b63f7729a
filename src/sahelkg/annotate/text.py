"""Text folding with an offset map, word tokens, and sentence spans, for EN and FR news text.

Matching names must ignore case, accents and the kind of apostrophe ("l’opération" and
"l'Opération" are the same words) while every match is reported in offsets of the original
text. :func:`fold` folds character by character and keeps, for each folded character, the
offset of the original character it came from.

>>> f = fold("L’Opération É")
>>> f.text
"l'operation e"
>>> f.origin[2], f.origin[-1]
(2, 12)
>>> [t.text for t in tokens("l'opération Barkhane, au nord-est")]
['l', "'", 'opération', 'Barkhane', ',', 'au', 'nord', '-', 'est']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_WORD_RE = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the offset of the original character."""

    text: str
    origin: tuple[int, ...]


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in APOSTROPHES:
        return "'"
    if c in "\u2010\u2011\u2012\u2013\u2014":
        return "-"
    if c.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", c)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return base.casefold() if base else c.casefold()


def fold(text: str) -> Folded:
    """``text`` lowercased, accents removed, apostrophes, dashes and spaces made one kind each."""
    out: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        f = _fold_char(c)
        out.append(f)
        origin.extend([i] * len(f))
    return Folded("".join(out), tuple(origin))


def fold_str(text: str) -> str:
    """:func:`fold` without the map (for keys)."""
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True)
class Token:
    """A word or a punctuation mark with its offsets in the original text."""

    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return fold_str(self.text)

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def tokens(text: str, offset: int = 0) -> list[Token]:
    """Words (runs of letters and digits) and single punctuation marks of ``text``."""
    return [Token(m.start() + offset, m.end() + offset, m.group()) for m in _WORD_RE.finditer(text)]


# Abbreviations after which a full stop does not end a sentence (EN and FR, lowercase, no dot).
_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof gen col lt cpl sgt capt maj brig adm st no jr sr vs etc inc ltd co corp dept
m mm mme mmes mlle dr pr gal cdt cne adj lt-col av apr env p ex cf art
jan feb fév mar apr avr jun jul juil aug sep sept oct nov dec déc
""".split())
_SENT_END_RE = re.compile(r"[.!?…]+[\"'»”’)]*(?=\s)|\n\s*\n|\n(?=\s*[-•*#])")


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (stripped of surrounding spaces).

    A sentence ends at '.', '!', '?' or '…' followed by a space (not after a known abbreviation,
    a single capital initial or a number such as "3."), at a blank line, and at the end of a line
    that is short and has no final punctuation (a headline or a dateline).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        end = m.end()
        if m.group().startswith((".",)) and not m.group().startswith(".."):
            before = re.search(r"(\w[\w-]*)$", text[start:m.start()])
            word = before.group(1) if before else ""
            if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
            nxt = text[end:].lstrip()
            if nxt[:1].islower():  # "... Gen. de Villiers" / a lowercase continuation
                continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        # headlines and datelines: a line break inside a "sentence" after a line without final punctuation
        for piece_s, piece_e in _split_lines(text, s, e):
            while piece_s < piece_e and text[piece_s].isspace():
                piece_s += 1
            while piece_e > piece_s and text[piece_e - 1].isspace():
                piece_e -= 1
            if piece_e > piece_s:
                out.append((piece_s, piece_e))
    return out


def _split_lines(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split ``text[s:e]`` at line breaks that end a unit: after final punctuation, or before a line
    that starts with a capital or a digit when the line before does not end mid-phrase (a headline,
    a dateline, a list item). A hard-wrapped sentence (next line lowercase) stays whole."""
    out = []
    pos = s
    for m in re.finditer(r"\n", text[s:e]):
        nl = s + m.start()
        line = text[pos:nl].rstrip()
        nxt = text[nl + 1:e].lstrip()[:1]
        if line and (re.search(r"[.!?…»”\"]$", line) or (
                (nxt.isupper() or nxt.isdigit()) and not re.search(r"[,;:(\-–—]$", line))):
            out.append((pos, nl))
            pos = nl + 1
    out.append((pos, e))
    return out


_SMALL_WORDS = frozenset(
    "a an the of in on at to for by with and or from into as is are was were its his her their "
    "le la les l de du des d un une et ou au aux en par pour sur dans avec".split())


def title_case(line: str) -> bool:
    """True for a title in title case ("French Soldier Killed In Mali In Clash With Terrorists"): at least
    four words and every word but short function words capitalised. Running text has lower-case verbs and
    nouns, however many names it holds."""
    words = re.findall(r"[^\W\d_][\w'’-]*", line)
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    return len(content) >= 4 and all(w[0].isupper() for w in content)

