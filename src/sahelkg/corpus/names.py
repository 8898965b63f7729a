"""Names as people type them: one folding for comparing labels, and "did you mean" suggestions.

The annotator's tools compare names written in different hands ("N’Daki", "N'Daki", "Ndaki";
"Mopti" and "MOPTI"; "Al-Mansour" and "Al Mansour"); :func:`fold` removes those differences once,
for :mod:`sahelkg.search` and :mod:`sahelkg.corpus.lint` alike.

>>> fold("  N’Daki-forêt ")
'ndaki foret'
>>> did_you_mean("operation-servall", ["operation-serval", "operation-barkhane", "mali"])
"; did you mean 'operation-serval'?"
>>> did_you_mean("xyz", ["operation-serval"])
''
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bc\u0060\u00b4]")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_./,;:()\"«»“”]+")


@lru_cache(maxsize=1 << 16)  # the registry's names are folded again for every mention of them
def fold(text: str) -> str:
    """``text`` without case, accents, apostrophes and punctuation runs (one space between words)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = _APOSTROPHES.sub("", bare)
    return _SEPARATORS.sub(" ", bare).strip()


def closest(word: str, choices: Iterable[str], *, limit: int = 3, cutoff: float = 60.0, spread: float = 10.0) -> list[str]:
    """The ``choices`` closest to ``word`` (best first), scored by rapidfuzz's WRatio (0-100) on
    lower-cased words (CamelCase split, so that "MortarAttack" meets "GrenadeAttack"); those under
    ``cutoff``, or more than ``spread`` below the best, are left out."""
    options = list(dict.fromkeys(choices))
    found = process.extract(_words(word), {o: _words(o) for o in options}, scorer=fuzz.WRatio,
                            processor=utils.default_process, limit=limit, score_cutoff=cutoff)
    if not found:
        return []
    best = found[0][1]
    return [key for _, score, key in found if score >= best - spread]


def _words(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` (or ``'x' or 'y'``) for the choices closest to ``word``, or ``""``."""
    found = closest(word, choices, limit=2)
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in found) + "?"
