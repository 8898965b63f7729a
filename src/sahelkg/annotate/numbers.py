"""Counts in running text (EN/FR): "5,100 soldiers", "sept personnes", "about thirty", "at least 12".

:func:`find_counts` returns :class:`~sahelkg.annotate.model.CountMention` records whose ``block`` is the
corpus count block (``corpus/README.md``): ``value``, or ``low``/``high``; ``approximate: true`` when the
text hedges; ``text`` as written (modifier included: "au moins 12"); ``unit`` when a noun follows, lower
case and singular ("soldiers" -> "soldier", "militaires" -> "militaire").

Conventions (the format has no "more than" or "dozens", so these are the documented choices):

===========================================  ============================================
"12", "douze", "twelve"                      ``value: 12``
"about / some / around / nearly / almost 50", ``value: 50, approximate: true``
"environ / quelque / près de / presque 50",
"une cinquantaine", "a dozen"
"at least / au moins / no fewer than 12"     ``low: 12`` (a stated floor: exact)
"up to / at most / jusqu'à / au plus 12"     ``high: 12``
"more than / over / plus de 100"             ``low: 100, approximate: true`` (the floor is 100
                                             exclusive; written as the number the text gives)
"fewer than / less than / moins de 10"       ``high: 10, approximate: true``
"between 10 and 15 / entre 10 et 15 /        ``low: 10, high: 15``
10 to 15 / 10 à 15"
"dozens / des dizaines / plusieurs dizaines" ``low: 24`` (EN, two dozen) / ``low: 20`` (FR, two
                                             tens), ``approximate: true``
"hundreds / des centaines"                   ``low: 200, approximate: true``
"thousands / des milliers"                   ``low: 2000, approximate: true``
===========================================  ============================================

Not counted: years ("in 2013"; a bare 1900-2099 counts only when a noun follows: "2000 soldats"),
days of a date ("12 November", "12/11/2018"), times ("10h30", "10:30"), percentages, money, measures
and durations ("30 km", "three days", "12 ans"), ordinals ("10th", "10e", "1er", "the tenth"),
numbers inside names ("MQ-9", "G5", "Mi-24", "Resolution 2100", "n° 3"), decimals that are not
millions ("4,5"), and a lone "one / un / une" unless a person or materiel noun follows ("un soldat").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from sahelkg.annotate.model import CountMention

__all__ = ["find_counts", "fold", "parse_number_words", "NUMBER_WORDS"]


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, one character for one, so offsets stay valid.

    >>> fold("Près de DÉCÈS à Ménaka")
    'pres de deces a menaka'
    """
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0] if ord(ch) > 127 else ch
        # keep one char per char: ligatures (œ) and letters without a base stay as they are
        out.append(base.lower() if len(base.lower()) == 1 else ch)
    return "".join(out).replace("\u2019", "'").replace("\u02bc", "'")


NUMBER_WORDS: dict[str, dict[str, int]] = {
    "en": {
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
        "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
        "hundred": 100, "thousand": 1000, "million": 1_000_000,
    },
    "fr": {
        "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
        "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
        "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
        "soixante": 60, "septante": 70, "huitante": 80, "octante": 80, "nonante": 90,
        "cent": 100, "cents": 100, "mille": 1000, "million": 1_000_000, "millions": 1_000_000,
    },
}
_JOINERS = {"en": "and", "fr": "et"}
_MULTIPLIERS = {1000, 1_000_000}


def parse_number_words(words: str, lang: str) -> int | None:
    """The value of a cardinal written in words, or None when a word is not a number.

    >>> parse_number_words("vingt-trois", "fr"), parse_number_words("quatre-vingt-dix-sept", "fr")
    (23, 97)
    >>> parse_number_words("one hundred and twenty", "en"), parse_number_words("a hundred", "en")
    (120, 100)
    >>> parse_number_words("deux mille cinq cents", "fr")
    2500
    """
    vocab = NUMBER_WORDS[lang]
    tokens = [t for t in re.split(r"[\s\-\u00a0]+", fold(words)) if t]
    if tokens and tokens[0] in ("a", "an") and len(tokens) > 1:
        tokens[0] = "one"
    total = current = 0
    i = 0
    seen = False
    while i < len(tokens):
        t = tokens[i]
        if t == _JOINERS.get(lang):
            i += 1
            continue
        if lang == "fr" and t == "quatre" and i + 1 < len(tokens) and tokens[i + 1] in ("vingt", "vingts"):
            current += 80
            i += 2
            seen = True
            continue
        if t not in vocab:
            return None
        v = vocab[t]
        seen = True
        if v == 100:
            current = max(current, 1) * 100
        elif v in _MULTIPLIERS:
            total += max(current, 1) * v
            current = 0
        else:
            current += v
        i += 1
    return total + current if seen else None


def _alt(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


# Approximate collective nouns: "une vingtaine" (about 20), "des dizaines" (at least 20).
_APPROX_NOUNS_FR = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
    "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000,
}
_PLURAL_FLOOR_FR = {"dizaines": 20, "douzaines": 24, "centaines": 200, "milliers": 2000}
_PLURAL_FLOOR_EN = {"dozens": 24, "hundreds": 200, "thousands": 2000}

# Modifiers before a number (folded text), one row per meaning in both languages: how the block is
# written (the key the number goes to, and whether it is approximate), the English and the French words.
_PREFIX_ROWS: tuple[tuple[str, bool, str, str], ...] = (
    ("low", False, r"at least|no fewer than|no less than|not less than|a minimum of|at minimum",
     r"au moins|pas moins de|pas moins d'|au minimum|un minimum de"),
    ("low", True, r"more than|over|upwards of|in excess of|well over",
     r"plus de|plus d'|au-dela de|au dela de|bien plus de"),
    ("high", False, r"at most|no more than|up to|a maximum of|not more than",
     r"au plus|au maximum|jusqu'a|pas plus de|un maximum de"),
    ("high", True, r"fewer than|less than|under|just under", r"moins de|moins d'"),
    ("value", True, r"about|around|approximately|roughly|some|nearly|almost|close to|an estimated|estimated|"
     r"circa|approx\.|around some",
     r"environ|pres de|pres d'|presque|quelque|autour de|approximativement|a peu pres|"
     r"une estimation de|un total d'environ"),
)
_PREFIX = {lang: [(row[2 + i], row[0], row[1]) for row in _PREFIX_ROWS] for i, lang in enumerate(("en", "fr"))}

# Nouns after which a number is a measure, a duration, a percentage or money: not a count.
_NOT_UNITS = {
    "en": {"year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours", "minute",
           "minutes", "second", "seconds", "km", "kilometres", "kilometers", "kilometre", "kilometer",
           "mile", "miles", "metres", "meters", "metre", "meter", "m", "kg", "kilograms", "tons", "tonnes",
           "percent", "per", "%", "dollars", "dollar", "euros", "euro", "cfa", "francs", "times",
           "a.m.", "p.m.", "am", "pm", "o'clock", "gmt", "utc", "sq", "square", "km2", "hectares", "degrees",
           "billion", "decades", "centuries", "pounds"},
    "fr": {"an", "ans", "annee", "annees", "mois", "semaine", "semaines", "jour", "jours", "heure", "heures",
           "h", "minute", "minutes", "seconde", "secondes", "km", "kilometres", "kilometre", "metres", "metre",
           "m", "kg", "kilos", "tonnes", "pour", "%", "euros", "euro", "dollars", "dollar", "francs", "fcfa",
           "cfa", "fois", "km2", "hectares", "degres", "milliards", "decennies", "siecles", "livres"},
}
_MONTHS_FOLDED = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
    "janv|fevr|avr|juil"
)
# Words before a number that make it a name or a reference: "Resolution 2100", "route 16", "n° 3".
_NAME_BEFORE = re.compile(
    r"(?:\b(?:resolution|article|chapter|chapitre|route|rn|page|tome|no\.?|n°|numero|number|point|"
    r"section|alinea|paragraph|paragraphe|loi|law|decree|decret|vol\.?|flight|vol|mirage|rafale|"
    r"su|mi|mig|mq|km|kilometre|kilometer|\$|€|£|us\$|usd|eur)\s*[-.]?\s*|[#$€£]\s*)$"
)
_YEAR_PREP = re.compile(
    r"\b(?:in|en|since|depuis|until|till|jusqu'en|by|from|de|to|a|and|et|of|year|annee|l'an|"
    r"early|late|mid|debut|fin|mi|spring|summer|autumn|fall|winter|printemps|ete|automne|hiver|"
    r"" + _MONTHS_FOLDED + r")[\s,-]*$"
)
# Nouns that make a lone "one / un / une" a count ("un soldat a été tué"), not an article.
_ONE_NOUNS = (
    r"soldier|soldiers|troop|civilian|person|man|woman|child|boy|girl|militant|jihadist|fighter|attacker|"
    r"terrorist|gendarme|policeman|police officer|officer|peacekeeper|villager|hostage|member|suspect|"
    r"corporal|sergeant|pilot|legionnaire|commando|helicopter|drone|vehicle|aircraft|"
    r"soldat|militaire|civil|personne|homme|femme|enfant|djihadiste|jihadiste|combattant|assaillant|"
    r"terroriste|policier|officier|casque bleu|villageois|otage|membre|suspect|caporal|sergent|pilote|"
    r"legionnaire|helicoptere|vehicule|avion|chef"
)
_SKIP_ADJ = {
    "en": {"other", "more", "additional", "new", "armed", "suspected", "alleged", "young", "further",
           "unidentified", "presumed", "foreign", "local", "heavily", "unarmed", "fellow", "elite", "extra"},
    "fr": {"autres", "autre", "nouveaux", "nouvelles", "nouveau", "nouvelle", "jeunes", "presumes",
           "supposes", "de", "d'", "nos", "leurs", "ses"},
}
_STOP = {
    "en": {"were", "was", "are", "is", "be", "been", "have", "has", "had", "of", "the", "and", "or", "to", "in",
           "on", "at", "by", "for", "from", "with", "who", "which", "that", "will", "would", "could", "also",
           "a", "an", "as", "it", "its", "their", "they", "but", "this", "these", "those", "than", "out", "per",
           "between", "among", "into", "during", "after", "before", "since", "while", "each", "all", "others"},
    "fr": {"ont", "sont", "a", "avait", "avaient", "etaient", "etait", "sera", "seront", "de", "des", "du",
           "la", "le", "les", "et", "ou", "en", "dans", "sur", "par", "pour", "qui", "que", "avec", "au", "aux",
           "ete", "se", "ne", "n'", "y", "l'", "d'", "un", "une", "est", "entre", "parmi", "apres", "avant",
           "depuis", "pendant", "lors", "selon", "sans", "chacun", "tous", "autres", "contre"},
}


@lru_cache(maxsize=2)
def _patterns(lang: str) -> dict[str, re.Pattern[str]]:
    if lang not in NUMBER_WORDS:
        raise ValueError(f"language {lang!r}: write en or fr")
    vocab = list(NUMBER_WORDS[lang])
    if lang == "en":
        digits = r"\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:\.\d{3})+(?![\d,])|\d+(?:\.\d+)?(?=\s*million)|\d+"
    else:
        digits = (r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?![\d,])|\d+(?:,\d+)?(?=\s*millions?)|\d+")
    word = rf"(?:{_alt(vocab)})"
    join = rf"(?:[\s\-]+(?:{_JOINERS[lang]}[\s\-]+)?)"
    lead = r"(?:(?:a|an)\s+(?=hundred|thousand|million))?" if lang == "en" else ""
    words = rf"{lead}{word}(?:{join}{word})*"
    num = rf"(?:{digits}|\b{words}\b)(?:\s+millions?(?=\s))?"
    floors = _PLURAL_FLOOR_EN if lang == "en" else _PLURAL_FLOOR_FR
    if lang == "en":
        approx = (r"\b(?:(?:tens|hundreds) of thousands|dozens|hundreds|thousands|a dozen|about a dozen|"
                  r"some a dozen|half a dozen|a few dozen|several dozen|several hundred|a few hundred|"
                  r"several thousand|a couple of dozen)\b")
    else:
        approx = (rf"\b(?:(?:des|plusieurs|quelques|de nombreuses|les)\s+)?(?:dizaines|centaines)\s+de\s+milliers\b|"
                  rf"\b(?:(?:une|la|quelque|plus d'une|pres d'une|environ une|d'une)\s+)(?:{_alt(list(_APPROX_NOUNS_FR))})\b|"
                  rf"\b(?:(?:un|le|plus d'un|pres d'un|environ un|d'un)\s+)millier\b|"
                  rf"\b(?:des|plusieurs|quelques|de nombreuses|de nombreux|les)\s+(?:{_alt(list(floors))})\b")
    prefixes = "|".join(f"(?P<p{i}>{p})" for i, (p, _, _) in enumerate(_PREFIX[lang]))
    range_ = (rf"\b(?:between|entre)\s+(?:les\s+)?(?P<r1>{num})\s+(?:and|et)\s+(?P<r2>{num})|"
              rf"(?P<r3>{num})\s*(?:to|a|-|–|or|ou)\s*(?P<r4>{num})(?=\s+[^\W\d])")
    return {
        "range": re.compile(range_),
        "approx": re.compile(approx),
        "num": re.compile(rf"(?:\b(?:{prefixes})\s+)?(?P<n>{num})(?:\s+(?P<post>environ|or so|odd)\b)?"),
        "one": re.compile(rf"(?:one|un|une|a single|un seul|une seule)\s+(?:[a-z]+\s+)?(?:{_ONE_NOUNS})", re.I),
    }


def _number_value(text: str, lang: str) -> float | None:
    """The value of digits ("5,100", "5 100", "5.100", "1,5 million") or words ("vingt-trois")."""
    t = fold(text).strip()
    mult = 1
    m = re.search(r"\s+millions?$", t)
    if m:
        mult, t = 1_000_000, t[: m.start()]
    if re.fullmatch(r"[\d\s\u00a0\u202f.,]+", t):
        if lang == "en":
            if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3})+", t):
                v = float(re.sub(r"[.,]", "", t))
            else:
                v = float(t.replace(",", ""))
        else:
            if re.fullmatch(r"\d{1,3}(?:[\s\u00a0\u202f.]\d{3})+", t):
                v = float(re.sub(r"[\s\u00a0\u202f.]", "", t))
            else:
                v = float(t.replace(",", "."))
        v *= mult
        return int(v) if v == int(v) else None
    w = parse_number_words(t, lang)
    return None if w is None else w * mult


def _singular(word: str, lang: str) -> str:
    w = word.lower()
    if lang == "en":
        if w in ("people", "police", "personnel", "troops", "forces", "men", "women", "children"):
            return {"men": "man", "women": "woman", "children": "child", "troops": "troop",
                    "forces": "force"}.get(w, w)
        if w.endswith("ies") and len(w) > 4:
            return w[:-3] + "y"
        if w.endswith(("sses", "shes", "ches", "xes")):
            return w[:-2]
        if w.endswith("s") and not w.endswith("ss"):
            return w[:-1]
        return w
    if w.endswith(("ois", "ais", "ays", "orps")):
        return w  # "villageois", "Maliens" aside: words whose singular ends in s
    if w.endswith("aux") and len(w) > 4:
        return w[:-3] + "al"
    if w.endswith(("s", "x")) and len(w) > 3:
        return w[:-1]
    return w


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _unit(text: str, folded: str, pos: int, lang: str) -> tuple[str | None, bool]:
    """The noun after a number (singular, lower case) and whether that noun makes it a non-count."""
    i = pos
    skipped = 0
    while i < len(text) and skipped < 4:
        m = re.match(r"[\s\u00a0\u202f]*", text[i:])
        j = i + (m.end() if m else 0)
        if lang == "en" and folded.startswith("of ", j) and skipped == 0:
            i, skipped = j + 2, skipped + 1
            continue
        if lang == "fr" and (folded.startswith("de ", j) or folded.startswith("d'", j)) and skipped == 0:
            i, skipped = j + (2 if folded.startswith("d'", j) else 3), skipped + 1
            continue
        if j < len(text) and text[j] in "%$€£":
            return None, True
        w = _WORD.match(text, j)
        if not w:
            return None, False
        raw, low = w.group(0), fold(w.group(0))
        if low in _NOT_UNITS[lang] or (lang == "fr" and low == "pour" and folded.startswith("pour cent", j)):
            return None, True
        if re.fullmatch(_MONTHS_FOLDED, low):
            return None, True
        if low in _SKIP_ADJ[lang] or (lang == "en" and raw[:1].isupper() and skipped < 3):
            i, skipped = w.end(), skipped + 1
            continue
        if low in _STOP[lang]:
            return None, False
        if lang == "en" and (low.endswith("ed") or low.endswith("ing")) and low not in ("armed",):
            return None, False
        return _singular(raw, lang), False
    return None, False


def _excluded(text: str, folded: str, start: int, end: int, value: float, is_digits: bool) -> bool:
    """Whether the number at ``start:end`` is part of a name, a date, a time or an ordinal."""
    before = text[max(0, start - 1):start]
    after = text[end:end + 1]
    if before and (before.isalpha() or before in "-/:_.,'’" and start >= 2 and text[start - 2].isalnum()):
        return True
    if after and after.isalpha():
        return True  # "10th", "10e", "1er", "3G"
    if is_digits:
        if re.match(r"[.,]\d", text[end:end + 2]):
            return True  # a decimal ("4,5", "2.5") that is not a number of millions
        if re.match(r"\s?(?:[/:]\d|h\d|h\b|\.\d\d?\b(?!\d)|a\.m\b|p\.m\b|am\b|pm\b|gmt\b|utc\b)", folded[end:end + 5]):
            return True  # "12/11", "10:30", "10h30", "10 h"
        if re.match(r"\s?%|\s*pour\s*cent|\s*per\s*cent|\s*percent", folded[end:end + 10]):
            return True
        if _NAME_BEFORE.search(folded[max(0, start - 14):start]):
            return True
        if re.search(rf"\b(?:{_MONTHS_FOLDED})\.?\s*$", folded[max(0, start - 12):start]):
            return True  # "November 12"
        if re.match(rf"\s*(?:{_MONTHS_FOLDED})\b", folded[end:end + 12]):
            return True  # "12 novembre"
        if re.match(rf"(?:er|st|nd|rd|th)?\s*(?:et|and|au|to|-|–)\s*(?:le\s+|the\s+)?\d{{1,2}}(?:er|st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS_FOLDED})\b",
                    folded[end:end + 30]):
            return True  # "entre le 27 et le 30 septembre": the first day of a span of dates
    return False


def find_counts(text: str, lang: str) -> list[CountMention]:
    """Counts in ``text`` (``lang`` ``en`` or ``fr``), in text order, without overlaps.

    >>> [(c.text, c.block) for c in find_counts("Au moins 12 soldats et une vingtaine de civils.", "fr")]
    [('Au moins 12', {'low': 12, 'text': 'Au moins 12', 'unit': 'soldat'}), ('une vingtaine', {'value': 20, 'approximate': True, 'text': 'une vingtaine', 'unit': 'civil'})]
    """
    pats = _patterns(lang)
    folded = fold(text)
    taken: list[tuple[int, int]] = []
    found: list[CountMention] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(s: int, e: int, block: dict[str, Any], conf: float, unit_pos: int | None = None) -> None:
        unit, not_count = _unit(text, folded, e if unit_pos is None else unit_pos, lang)
        if not_count:
            taken.append((s, e))  # a duration or a measure: claim the span so no piece of it is counted
            return
        block["text"] = text[s:e]
        if unit:
            block["unit"] = unit
        taken.append((s, e))
        found.append(CountMention(s, e, text[s:e], block, round(conf + (0.1 if unit else 0.0), 2)))

    # 1. ranges: "between 10 and 15", "entre 10 et 15", "10 to 15 soldiers"
    for m in pats["range"].finditer(folded):
        g1, g2 = ("r1", "r2") if m.group("r1") else ("r3", "r4")
        if _excluded(text, folded, m.start(g1), m.end(g1), 0, True) or _excluded(
                text, folded, m.start(g2), m.end(g2), 0, True):
            continue
        lo, hi = _number_value(text[m.start(g1):m.end(g1)], lang), _number_value(text[m.start(g2):m.end(g2)], lang)
        if lo is None or hi is None or not lo < hi or (re.fullmatch(r"(?:19|20)\d\d", m.group(g2))):
            continue
        if m.group("r3") and fold(m.group(g1)) in ("un", "une", "one"):
            continue
        if m.group("r3") and re.search(r"\b(?:from|de|d'|du)\s*$", folded[max(0, m.start() - 6):m.start()]):
            continue  # "grew from 4,500 to 5,100": two figures over time, not a range
        add(m.start(), m.end(), {"low": lo, "high": hi}, 0.75)

    # 2. collective and approximate nouns: "une vingtaine", "des dizaines", "dozens", "a dozen"
    for m in pats["approx"].finditer(folded):
        if not free(m.start(), m.end()):
            continue
        w = m.group(0)
        block: dict[str, Any]
        if "milliers" in w or "thousands" in w:
            block = {"low": 20_000 if ("dizaines" in w or "tens" in w) else 200_000, "approximate": True}
        elif lang == "en":
            if w.endswith("dozen") and ("few" in w or "several" in w or "couple" in w):
                block = {"low": 24, "approximate": True}
            elif w.endswith("dozen"):
                block = {"value": 6 if w.startswith("half") else 12, "approximate": True}
            elif "hundred" in w and w.split()[0] in ("several", "a"):
                block = {"low": 200, "approximate": True}
            elif "thousand" in w and w.split()[0] == "several":
                block = {"low": 2000, "approximate": True}
            else:
                block = {"low": _PLURAL_FLOOR_EN[w.split()[-1]], "approximate": True}
        else:
            last = w.split()[-1]
            if last in _PLURAL_FLOOR_FR:
                block = {"low": _PLURAL_FLOOR_FR[last], "approximate": True}
            elif last == "millier":
                block = {"value": 1000, "approximate": True}
            else:
                block = {"value": _APPROX_NOUNS_FR[last], "approximate": True}
            if w.startswith(("plus d'", "d'une", "d'un")) and w.startswith("plus"):
                block = {"low": block["value"], "approximate": True}
        add(m.start(), m.end(), block, 0.7)

    # 3. single numbers with an optional modifier
    for m in pats["num"].finditer(folded):
        s, e = m.start(), m.end()
        ns, ne = m.start("n"), m.end("n")
        if not free(s, e):
            continue
        raw = text[ns:ne]
        is_digits = raw[:1].isdigit()
        if _excluded(text, folded, ns, ne, 0, is_digits):
            continue
        value = _number_value(raw, lang)
        if value is None:
            continue
        fw = fold(raw).split()
        if fw[0] in ("million", "millions"):
            continue  # "$5 million": the number was money; a bare "million" is not a count
        if not is_digits and fw[0] in ("one", "un", "une") and len(fw) == 1:
            if not pats["one"].match(folded, ns):
                continue
        if is_digits and re.fullmatch(r"(?:19|20)\d\d", raw):
            unit, not_count = _unit(text, folded, e, lang)
            if not unit or _YEAR_PREP.search(folded[max(0, ns - 14):ns]):
                taken.append((ns, ne))
                continue
        kind, approx = "value", False
        for i, (_, k, a) in enumerate(_PREFIX[lang]):
            if m.group(f"p{i}"):
                kind, approx = k, a
        if m.group("post"):
            approx = True
        block = {kind: value}
        if approx:
            block["approximate"] = True
        add(s, e, block, 0.75 if is_digits else 0.7)

    found.sort(key=lambda c: c.start)
    return found
