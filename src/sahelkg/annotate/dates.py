"""Dates in running text (EN/FR), resolved into corpus date blocks without inventing anything.

:func:`find_dates` returns :class:`~sahelkg.annotate.model.DateMention` records whose ``block`` is the
corpus date block (``corpus/README.md``): ``text``; ``value`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) or
``begin``/``end``; ``precision``; ``basis``; ``derivation`` whenever the basis is not ``stated``.

What is resolved and how:

- absolute dates ("12 November 2018", "November 12, 2018", "le 1er août 2014", "12/11/2018", "2018-11-12"):
  parsed by dateparser with every part required (so it never fills a missing day or year from today);
  basis stated. A numeric EN date whose day and month could be swapped ("11/12/2018") is left unresolved.
- spans ("dans la nuit du 11 au 12 novembre 2018", "between 11 and 12 November", "du 30 novembre au
  2 décembre", "from 2013 to 2015"): ``begin``/``end``.
- month and year ("November 2018", "début novembre 2018"): precision month; years with a preposition
  ("in 2013", "en 2013", "depuis 2013"): precision year.
- "since / depuis ...": ``begin`` only (the end is open).
- a day and month without a year ("on 12 November"): the year of the publication date (the previous year
  when that would put the day more than 60 days after publication), basis relative.
- a month without a year ("in March", "en mars"): the publication year, basis context; "last December",
  "en décembre dernier": the most recent December before the publication month, basis relative.
- weekdays ("Monday", "vendredi soir"): the most recent such day on or before the publication date
  ("last Monday", "lundi dernier": strictly before; "next Monday": strictly after); basis relative.
- "yesterday/hier", "today/aujourd'hui", "last night/cette nuit", "two days ago/il y a deux jours",
  "last month/le mois dernier", "last year/l'an dernier": from the publication date, basis relative.
- "last week/la semaine dernière": the month when that whole week (Monday to Sunday) falls in one month,
  otherwise unresolved (basis unknown); the derivation gives the week either way.
- "N days earlier/later", "trois jours plus tôt/après", "le lendemain", "la veille": from the nearest
  preceding date in the text resolved to the day (the end of a span); unresolved when there is none.

Without a publication date, everything relative is returned with ``basis: unknown`` and the reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import Any, Callable

import dateparser

from sahelkg.annotate.model import DateMention
from sahelkg.annotate.numbers import fold, parse_number_words

__all__ = ["find_dates", "find_publication_date"]

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}
_WD_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _alt(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_FULL_MONTHS = [k for k in MONTHS if len(k) > 4 or k in ("may", "june", "july", "mars", "mai", "juin", "aout")]
_M = rf"(?:{_alt(_FULL_MONTHS)}|(?:{_alt([k for k in MONTHS if k not in _FULL_MONTHS])})\.?)"
_WD = rf"(?:{_alt(list(WEEKDAYS))})"
_D = r"(?:[12]\d|3[01]|0?[1-9])(?:er|st|nd|rd|th|e)?"
_Y = r"(?:1[89]\d\d|20\d\d)"
_PART = (r"(?:\s+(?:morning|afternoon|evening|night|matin|soir|soiree|apres-midi|nuit|"
         r"in the (?:morning|afternoon|evening)|at dawn|a l'aube|en fin de journee|en debut de soiree))?")
_NUMW = (r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
         r"un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|"
         r"quelques|a few|several)")
_UNIT = r"(?P<unit>days?|weeks?|months?|years?|jours?|semaines?|mois|ans|annees?)"
_SINCE = r"(?:(?P<since>since|depuis|starting|from|a partir d[eu]|a compter d[eu])\s+)?(?:le\s+|la\s+|l'|the\s+)?"
_SINCE_REQ = r"(?P<since>since|depuis|starting|a partir d[eu]|a compter d[eu])\s+(?:le\s+|la\s+|l'|the\s+)?"


def _iso(d: dt.date) -> str:
    return d.isoformat()


def _pub_words(pub: dt.date) -> str:
    return f"{_WD_EN[pub.weekday()]} {pub.isoformat()}"


def _month_iso(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _month(name: str) -> int:
    return MONTHS[name.rstrip(".")]


def _day(s: str) -> int:
    return int(re.match(r"\d+", s).group(0))  # type: ignore[union-attr]


@lru_cache(maxsize=4096)
def _parse_full(text: str, lang: str) -> dt.date | None:
    """A complete day-month-year expression parsed by dateparser, every part required."""
    settings = {
        "REQUIRE_PARTS": ["day", "month", "year"],
        "DATE_ORDER": "DMY" if lang == "fr" else "MDY",
        "RELATIVE_BASE": dt.datetime(1900, 1, 1),  # never today: a missing part is an error, not a guess
        "PREFER_DATES_FROM": "past",
        "STRICT_PARSING": True,
    }
    got = dateparser.parse(text, languages=[lang] if lang in ("en", "fr") else None, settings=settings)  # type: ignore[arg-type]
    return got.date() if got else None


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


_CLAIM: Any = ("claim",)  # a handler's answer: the span is a (broken) date, report nothing for it


class _Ctx:
    """What a rule needs: the text, its folded copy, the language and the publication date."""

    def __init__(self, text: str, lang: str, published: dt.date | None) -> None:
        self.text, self.lang, self.pub = text, lang, published
        self.folded = fold(text)

    def no_pub(self, what: str) -> dict[str, Any]:
        return {"basis": "unknown", "derivation": f"{what} relative to the publication date, which the article does not give"}


# A rule returns (block, confidence) for a match, a callable that resolves against an anchor date
# (relative offsets), or None to reject the match.
Resolved = tuple[dict[str, Any], float]
Deferred = Callable[[tuple[dt.date, str] | None], Resolved]
Rule = tuple[re.Pattern[str], Callable[[re.Match[str], _Ctx], "Resolved | Deferred | None"]]


def _since(block: dict[str, Any], m: re.Match[str]) -> dict[str, Any]:
    """"since 2013" / "depuis janvier": the value becomes an open span's begin."""
    if m.groupdict().get("since") and m.group("since") not in ("from",) and "value" in block:
        block = dict(block)
        block["begin"] = block.pop("value")
    return block


def _stated_day(d: dt.date) -> dict[str, Any]:
    return {"value": _iso(d), "precision": "day", "basis": "stated"}


# -- absolute ------------------------------------------------------------------------------------------

def _r_span_days(m: re.Match[str], c: _Ctx) -> Resolved | None:
    d1, d2 = _day(m.group("d1")), _day(m.group("d2"))
    m2 = _month(m.group("m2"))
    m1 = _month(m.group("m1")) if m.group("m1") else m2
    if m.group("y"):
        y2 = int(m.group("y"))
        y1 = y2 - 1 if m1 > m2 else y2
        b, e = _safe_date(y1, m1, d1), _safe_date(y2, m2, d2)
        if not b or not e or b > e:
            return None
        return {"begin": _iso(b), "end": _iso(e), "precision": "day", "basis": "stated"}, 0.9
    if not c.pub:
        return c.no_pub("a day and month without a year"), 0.6
    y2 = _year_for(c.pub, m2, d2)
    y1 = y2 - 1 if m1 > m2 else y2
    b, e = _safe_date(y1, m1, d1), _safe_date(y2, m2, d2)
    if not b or not e or b > e:
        return None
    return ({"begin": _iso(b), "end": _iso(e), "precision": "day", "basis": "relative",
             "derivation": _year_why(c.pub, y2, e)}, 0.75)


def _r_full(m: re.Match[str], c: _Ctx) -> Resolved | None:
    core = c.text[m.start("core"):m.end("core")]
    if m.groupdict().get("num"):
        a, b = int(m.group("a")), int(m.group("b"))
        if c.lang == "en" and a <= 12 and b <= 12 and a != b:
            return ({"basis": "unknown", "derivation": f"'{core}' can be read day/month or month/day"}, 0.4)
        if c.lang == "en" and a > 12:
            got = _safe_date(int(m.group("yy")), b, a)
        else:
            got = _parse_full(core.replace(".", "/"), c.lang) if c.lang == "fr" else _parse_full(core, c.lang)
    elif m.groupdict().get("iso"):
        got = _safe_date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
    else:
        got = _parse_full(re.sub(r"(\d)(?:er|st|nd|rd|th|e)\b(?:\s+of\b)?", r"\1", core), c.lang)
    if got is None:
        return _CLAIM  # "31 février 2018": no date, and no month-year read out of it either
    return _since(_stated_day(got), m), 0.95


def _year_for(pub: dt.date, month: int, day: int = 1) -> int:
    """The year of a day-month without year: the publication year, unless that falls >60 days after it."""
    cand = _safe_date(pub.year, month, min(day, calendar.monthrange(pub.year, month)[1]))
    if cand and (cand - pub).days > 60:
        return pub.year - 1
    return pub.year


def _year_why(pub: dt.date, year: int, day: dt.date) -> str:
    """Why a day written without a year got ``year``."""
    if year == pub.year:
        return f"no year written: the year of the publication date {pub.isoformat()}"
    return (f"no year written: {year}, the year before the publication date {pub.isoformat()}, as"
            f" {day.day} {calendar.month_name[day.month]} {pub.year} would be more than 60 days after it")


def _r_day_month(m: re.Match[str], c: _Ctx) -> Resolved | None:
    if c.lang == "en" and not c.text[m.start("m")].isupper():
        return None
    d, mo = _day(m.group("d")), _month(m.group("m"))
    if not c.pub:
        return ({"basis": "unknown", "derivation": f"'{c.text[m.start():m.end()].strip()}' has no year, and the"
                 " article has no publication date to take it from"}, 0.5)
    y = _year_for(c.pub, mo, d)
    got = _safe_date(y, mo, d)
    if not got:
        return None
    block = {"value": _iso(got), "precision": "day", "basis": "relative", "derivation": _year_why(c.pub, y, got)}
    return _since(block, m), 0.8


def _r_month_year(m: re.Match[str], c: _Ctx) -> Resolved | None:
    if c.lang == "en" and not c.text[m.start("m")].isupper():
        return None
    block = {"value": _month_iso(int(m.group("y")), _month(m.group("m"))), "precision": "month", "basis": "stated"}
    return _since(block, m), 0.9


def _r_year_span(m: re.Match[str], c: _Ctx) -> Resolved | None:
    y1, y2 = int(m.group("y1")), int(m.group("y2"))
    if y1 >= y2:
        return None
    return {"begin": str(y1), "end": str(y2), "precision": "year", "basis": "stated"}, 0.85


def _r_decade(m: re.Match[str], c: _Ctx) -> Resolved | None:
    y = int(m.group("dec") or m.group("dec2"))
    return {"begin": str(y), "end": str(y + 9), "precision": "year", "basis": "stated"}, 0.8


def _r_year(m: re.Match[str], c: _Ctx) -> Resolved | None:
    block = {"value": m.group("y"), "precision": "year", "basis": "stated"}
    return _since(block, m), 0.85


def _r_month_alone(m: re.Match[str], c: _Ctx) -> Resolved | None:
    if c.lang == "en" and not c.text[m.start("m")].isupper():
        return None
    mo = _month(m.group("m"))
    last = bool(m.groupdict().get("last") or m.groupdict().get("dernier"))
    if not c.pub:
        return c.no_pub(f"'{c.text[m.start():m.end()].strip()}' has no year; it would be read"), 0.5
    if last:
        y = c.pub.year if mo < c.pub.month else c.pub.year - 1
        block = {"value": _month_iso(y, mo), "precision": "month", "basis": "relative",
                 "derivation": f"'{c.text[m.start():m.end()].strip()}' in an article published {c.pub.isoformat()}: the most recent"
                               f" such month before the publication month"}
        return block, 0.8
    block = {"value": _month_iso(c.pub.year, mo), "precision": "month", "basis": "context",
             "derivation": f"no year written: the year of the publication date {c.pub.isoformat()}"}
    return _since(block, m), 0.6


# -- relative to the publication date ---------------------------------------------------------------------

def _r_weekday(m: re.Match[str], c: _Ctx) -> Resolved | None:
    name = m.group("wd")
    if c.lang == "en" and not c.text[m.start("wd")].isupper():
        return None
    wd = WEEKDAYS[name]
    written = c.text[m.start("wd"):m.end()].strip()
    if not c.pub:
        return ({"basis": "unknown", "derivation": f"'{written}' is a weekday and the article has no publication date"}, 0.5)
    last = bool(m.groupdict().get("last") or m.groupdict().get("dernier"))
    nxt = bool(m.groupdict().get("next") or m.groupdict().get("prochain"))
    if nxt:
        got = c.pub + dt.timedelta(days=(wd - c.pub.weekday()) % 7 or 7)
        how = f"the first {_WD_EN[wd]} after it"
    else:
        back = (c.pub.weekday() - wd) % 7
        if last and back == 0:
            back = 7
        got = c.pub - dt.timedelta(days=back)
        how = f"the {_WD_EN[wd]} {'before' if last else 'on or before'} it"
    block = {"value": _iso(got), "precision": "day", "basis": "relative",
             "derivation": f"'{written}' in an article published {_pub_words(c.pub)}: {how}"}
    return block, 0.75


def _r_night_weekdays(m: re.Match[str], c: _Ctx) -> Resolved | None:
    w1, w2 = WEEKDAYS[m.group("w1")], WEEKDAYS[m.group("w2")]
    if (w2 - w1) % 7 != 1:
        return None
    written = c.text[m.start():m.end()].strip()
    if not c.pub:
        return ({"basis": "unknown", "derivation": f"'{written}': weekdays, and the article has no publication date"}, 0.5)
    end = c.pub - dt.timedelta(days=(c.pub.weekday() - w2) % 7)
    return ({"begin": _iso(end - dt.timedelta(days=1)), "end": _iso(end), "precision": "day", "basis": "relative",
             "derivation": f"'{written}' in an article published {_pub_words(c.pub)}: the night ending on the"
                           f" {_WD_EN[w2]} on or before it"}, 0.7)


_DAY_WORDS = {
    "yesterday": -1, "hier": -1, "today": 0, "aujourd'hui": 0, "ce jour": 0, "this morning": 0, "ce matin": 0,
    "this afternoon": 0, "cet apres-midi": 0, "this evening": 0, "ce soir": 0, "tonight": 0,
    "the day before yesterday": -2, "avant-hier": -2, "tomorrow": 1, "demain": 1,
}


def _r_day_word(m: re.Match[str], c: _Ctx) -> Resolved | None:
    word = m.group("w")
    written = c.text[m.start():m.end()].strip()
    if not c.pub:
        return c.no_pub(f"'{written}' is"), 0.5
    off = _DAY_WORDS[word]
    got = c.pub + dt.timedelta(days=off)
    how = {0: "the same day", -1: "the day before", -2: "two days before", 1: "the day after"}[off]
    return ({"value": _iso(got), "precision": "day", "basis": "relative",
             "derivation": f"'{written}' in an article published {_pub_words(c.pub)}: {how}"}, 0.8)


def _r_last_night(m: re.Match[str], c: _Ctx) -> Resolved | None:
    written = c.text[m.start():m.end()].strip()
    if not c.pub:
        return c.no_pub(f"'{written}' is"), 0.5
    return ({"begin": _iso(c.pub - dt.timedelta(days=1)), "end": _iso(c.pub), "precision": "day",
             "basis": "relative",
             "derivation": f"'{written}' in an article published {_pub_words(c.pub)}: the night before it"}, 0.7)


def _r_week(m: re.Match[str], c: _Ctx) -> Resolved | None:
    written = c.text[m.start():m.end()].strip()
    if not c.pub:
        return c.no_pub(f"'{written}' is"), 0.5
    monday = c.pub - dt.timedelta(days=c.pub.weekday())
    if m.group("which") in ("last", "past", "derniere", "passee", "precedente"):
        monday -= dt.timedelta(days=7)
    sunday = monday + dt.timedelta(days=6)
    week = f"the week of Monday {monday.isoformat()} to Sunday {sunday.isoformat()}"
    head = f"'{written}' in an article published {_pub_words(c.pub)}: {week}"
    if monday.month == sunday.month:
        return ({"value": _month_iso(monday.year, monday.month), "precision": "month", "basis": "relative",
                 "derivation": f"{head}, all in one month (the format has no week precision)"}, 0.6)
    return ({"basis": "unknown", "derivation": f"{head}, across two months (the format has no week precision)"}, 0.5)


def _r_month_rel(m: re.Match[str], c: _Ctx) -> Resolved | None:
    written = c.text[m.start():m.end()].strip()
    if not c.pub:
        return c.no_pub(f"'{written}' is"), 0.5
    y, mo = c.pub.year, c.pub.month
    if m.group("which") in ("last", "dernier", "passe", "precedent"):
        y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
    return ({"value": _month_iso(y, mo), "precision": "month", "basis": "relative",
             "derivation": f"'{written}' in an article published {c.pub.isoformat()}"}, 0.7)


def _r_year_rel(m: re.Match[str], c: _Ctx) -> Resolved | None:
    written = c.text[m.start():m.end()].strip()
    if not c.pub:
        return c.no_pub(f"'{written}' is"), 0.5
    which = m.group("which")
    y = c.pub.year + {"last": -1, "dernier": -1, "derniere": -1, "passe": -1, "passee": -1,
                      "next": 1, "prochain": 1, "prochaine": 1}.get(which, 0)
    return ({"value": str(y), "precision": "year", "basis": "relative",
             "derivation": f"'{written}' in an article published {c.pub.isoformat()}"}, 0.75)


def _amount(s: str, lang: str) -> int | None:
    s = fold(s)
    if s.isdigit():
        return int(s)
    if s in ("a", "an"):
        return 1
    return parse_number_words(s, lang) or parse_number_words(s, "fr" if lang == "en" else "en")


def _shift(anchor: dt.date, n: int, unit: str) -> tuple[str, str] | None:
    """``anchor`` moved by ``n`` units: (value, precision); None for weeks across a month boundary."""
    u = unit.rstrip("s")
    if u in ("day", "jour"):
        return _iso(anchor + dt.timedelta(days=n)), "day"
    if u in ("week", "semaine"):
        got = anchor + dt.timedelta(days=7 * n)
        return _iso(got), "day"
    if u in ("month", "moi"):
        total = anchor.year * 12 + anchor.month - 1 + n
        return _month_iso(total // 12, total % 12 + 1), "month"
    return str(anchor.year + n), "year"


def _r_ago(m: re.Match[str], c: _Ctx) -> Resolved | None:
    n = _amount(m.group("n"), c.lang)
    written = c.text[m.start():m.end()].strip()
    if n is None:
        return None
    if not c.pub:
        return c.no_pub(f"'{written}' is"), 0.5
    value, prec = _shift(c.pub, -n, m.group("unit"))  # type: ignore[misc]
    if m.group("unit").rstrip("s") in ("week", "semaine"):
        return ({"basis": "unknown", "derivation": f"'{written}' in an article published {c.pub.isoformat()}: "
                 f"around {value}, a week is not a day"}, 0.4)
    return ({"value": value, "precision": prec, "basis": "relative",
             "derivation": f"'{written}' in an article published {c.pub.isoformat()}: {n} {m.group('unit')} before it"}, 0.7)


def _r_offset(m: re.Match[str], c: _Ctx) -> Deferred | None:
    written = c.text[m.start():m.end()].strip()
    if m.groupdict().get("fixed"):
        n = {"le lendemain": 1, "the next day": 1, "the following day": 1, "the day after": 1,
             "la veille": -1, "the day before": -1, "the previous day": -1, "the eve": -1}[m.group("fixed")]
        unit = "days"
    else:
        amount = _amount(m.group("n"), c.lang)
        if amount is None:
            return None
        later = m.group("dir") in ("later", "after", "afterwards", "plus tard", "apres", "after that", "on")
        n, unit = (amount if later else -amount), m.group("unit")

    def resolve(anchor: tuple[dt.date, str] | None) -> Resolved:
        if anchor is None:
            return ({"basis": "unknown",
                     "derivation": f"'{written}' counts from an earlier date, and no earlier date in the text is resolved to the day"}, 0.4)
        day, atext = anchor
        got = _shift(day, n, unit)
        value, prec = got  # type: ignore[misc]
        if unit.rstrip("s") in ("week", "semaine"):
            return ({"basis": "unknown", "derivation": f"'{written}' from '{atext}' ({day.isoformat()}): around"
                     f" {value}, a week is not a day"}, 0.4)
        return ({"value": value, "precision": prec, "basis": "relative",
                 "derivation": f"'{written}' counted from the nearest earlier date in the text, '{atext}' ({day.isoformat()})"}, 0.6)
    return resolve


@lru_cache(maxsize=1)
def _rules() -> list[Rule]:
    since = _SINCE
    f = re.IGNORECASE
    wdopt = rf"(?:{_WD},?\s+)?"
    rules: list[tuple[str, Callable[..., Any]]] = [
        # spans of days: "dans la nuit du 11 au 12 novembre 2018", "between 11 and 12 November", "du 30 novembre au 2 décembre"
        (rf"\b(?:(?:dans\s+)?la\s+nuit\s+du|du|entre\s+le|between(?:\s+the)?|from(?:\s+the)?|(?:on\s+)?the\s+night\s+of(?:\s+the)?)\s+"
         rf"{wdopt}(?P<d1>{_D})(?:\s+(?P<m1>{_M}))?\s*(?:au|et\s+le|and(?:\s+the)?|to(?:\s+the)?|-|–)\s*{wdopt}"
         rf"(?P<d2>{_D})\s+(?P<m2>{_M})(?:,?\s+(?P<y>{_Y}))?\b", _r_span_days),
        (rf"\b(?:between|from|(?:on\s+)?the\s+night\s+of)\s+(?P<m2>{_M})\s+(?P<d1>{_D})\s*(?:and|to|-|–)\s*(?P<d2>{_D})"
         rf"(?:,?\s+(?P<y>{_Y}))?\b(?P<m1>)?", _r_span_days),
        (rf"\b(?P<d1>{_D})\s*[-–]\s*(?P<d2>{_D})\s+(?P<m2>{_M})(?:\s+(?P<y>{_Y}))?\b(?P<m1>)?", _r_span_days),
        # "dans la nuit de lundi à mardi"
        (rf"\b(?:dans\s+)?la\s+nuit\s+de\s+(?P<w1>{_WD})\s+a\s+(?P<w2>{_WD})\b|\b(?:on\s+)?the\s+night\s+(?:of|from)\s+"
         rf"(?P<w1e>{_WD})\s+to\s+(?P<w2e>{_WD})\b", _r_night_weekdays),
        # full dates
        (rf"\b{since}(?P<core>{wdopt}(?P<d>{_D})\s+(?:of\s+)?(?P<m>{_M}),?\s+(?P<y>{_Y}))\b", _r_full),
        (rf"\b{since}(?P<core>{wdopt}(?P<m>{_M})\s+(?P<d>{_D}),?\s+(?P<y>{_Y}))\b", _r_full),
        (rf"(?<![\d/.-]){since}(?P<core>(?P<num>(?P<a>[0-3]?\d)[/.](?P<b>[01]?\d)[/.](?P<yy>{_Y})))(?![\d/.]\d)", _r_full),
        (rf"(?<![\d-]){since}(?P<core>(?P<iso>(?P<iy>{_Y})-(?P<im>[01]\d)-(?P<id>[0-3]\d)))(?![\d])", _r_full),
        # year spans
        (rf"\b(?:between|entre|from|de|du)\s+(?P<y1>{_Y})\s+(?:and|et|to|a|au|until|-)\s+(?P<y2>{_Y})\b|"
         rf"(?<![\d-])(?P<y1b>{_Y})\s*[-–]\s*(?P<y2b>{_Y})(?![\d-])", _r_year_span),
        # month + year
        (rf"\b{since}(?:(?:early|late|mid|debut|fin|mi|in|en|courant|au\s+mois\s+de|the\s+month\s+of)[\s-]+)?"
         rf"(?P<m>{_M})(?:\s+de\s+l'annee)?\s+(?P<y>{_Y})\b", _r_month_year),
        # day + month, no year
        (rf"\b{since}(?P<core>{wdopt}(?P<d>{_D})\s+(?:of\s+)?(?P<m>{_M}))(?![\w]|\s*,?\s*\d)", _r_day_month),
        (rf"\b{since}(?P<core>{wdopt}(?P<m>{_M})\s+(?P<d>{_D}))(?![\w]|\s*,?\s*\d)", _r_day_month),
        # relative to the publication date
        (rf"\b(?P<w>the day before yesterday|avant-hier|yesterday|hier|today|aujourd'hui|ce jour|this morning|"
         rf"ce matin|this afternoon|cet apres-midi|this evening|ce soir|tonight|tomorrow|demain)\b"
         rf"(?:\s+(?:morning|afternoon|evening|night|matin|soir|apres-midi))?", _r_day_word),
        (rf"\b(?:last night|overnight(?!\s+(?:on\s+|from\s+)?{_WD})|cette nuit|la nuit derniere)\b", _r_last_night),
        # decades: "in the 1990s", "les années 1990"
        (r"\b(?:the\s+|early\s+|late\s+|mid-)?(?P<dec>(?:19|20)\d0)'?s\b|\bannees\s+(?P<dec2>(?:19|20)\d0)\b", _r_decade),
        (r"\b(?:(?P<which>last|this|past)\s+week|la\s+semaine\s+(?P<which2>derniere|passee|precedente)|"
         r"cette\s+semaine)\b", _r_week),
        (r"\b(?:(?P<which>last|this)\s+month|le\s+mois\s+(?P<which2>dernier|passe|precedent)|ce\s+mois-ci)\b", _r_month_rel),
        (r"\b(?:(?P<which>last|this|next)\s+year|l'(?:an|annee)\s+(?P<which2>dernier|derniere|passe|passee|prochain|prochaine)|"
         r"cette\s+annee)\b", _r_year_rel),
        (rf"\b(?:(?P<n>{_NUMW})\s+{_UNIT}\s+ago|il\s+y\s+a\s+(?P<n2>{_NUMW})\s+(?P<unit2>jours?|semaines?|mois|ans|annees?))\b",
         _r_ago),
        (rf"\b(?:(?P<fixed>le lendemain|the next day|the following day|the day after|la veille|the day before|"
         rf"the previous day)\b(?!\s+yesterday)|(?P<n>{_NUMW})\s+{_UNIT}\s+(?P<dir>earlier|later|before|after|afterwards|"
         rf"plus\s+tot|plus\s+tard|auparavant|avant|apres)\b)", _r_offset),
        # months alone: "in March", "en mars", "last December", "en décembre dernier", "depuis janvier"
        (rf"\b(?:(?P<last>last)\s+(?P<m>{_M})|(?:{_SINCE_REQ}|(?:in|en|by|until|jusqu'en|au\s+mois\s+de|"
         rf"(?:early|late|mid|debut|fin|mi)[\s-]+|in\s+(?:early|late|mid)[\s-]+)\s*)(?P<m2>{_M})(?:\s+(?P<dernier>dernier))?)"
         rf"(?![\w]|\s*,?\s*\d)", _r_month_alone),
        # weekdays: "Monday", "on Friday morning", "vendredi soir", "lundi dernier", "next Monday"
        (rf"\b(?:(?:on|this|ce|le)\s+|(?P<last>last)\s+|(?P<next>next)\s+)?(?P<wd>{_WD}){_PART}"
         rf"(?:\s+(?P<dernier>dernier)|\s+(?P<prochain>prochain))?(?!\s*,?\s*\d)\b", _r_weekday),
        # years after a preposition: "in 2013", "en 2013", "depuis 2013", "début 2013"
        (rf"\b(?:{_SINCE_REQ}|(?:in|en|by|until|till|jusqu'en|during|durant|of|de|from|"
         rf"early|late|mid|debut|fin|mi|the\s+year|l'annee|l'an|in\s+early|in\s+late|spring|summer|autumn|winter|"
         rf"printemps|ete|automne|hiver)[\s-]+)(?P<y>{_Y})(?![\d-])", _r_year),
    ]
    return [(re.compile(p, f), h) for p, h in rules]


def find_dates(text: str, lang: str, published: dt.date | None) -> list[DateMention]:
    """Dates in ``text`` (``lang`` ``en``/``fr``), resolved against ``published``; in text order.

    >>> [d.block for d in find_dates("Le 1er août 2014, puis lundi.", "fr", dt.date(2014, 8, 6))]
    [{'value': '2014-08-01', 'precision': 'day', 'basis': 'stated', 'text': '1er août 2014'}, {'value': '2014-08-04', 'precision': 'day', 'basis': 'relative', 'derivation': "'lundi' in an article published Wednesday 2014-08-06: the Monday on or before it", 'text': 'lundi'}]
    """
    c = _Ctx(text, lang, published)
    taken: list[tuple[int, int]] = []
    hits: list[tuple[int, int, Any]] = []
    for pat, handler in _rules():
        for m in pat.finditer(c.folded):
            s, e = _trim(m, c)
            if s >= e or any(not (e <= a or s >= b) for a, b in taken):
                continue
            out = handler(_Groups(m), c)
            if out is None:
                continue
            taken.append((s, e))
            if out is _CLAIM:
                continue
            hits.append((s, e, out))
    hits.sort(key=lambda h: h[0])
    result: list[DateMention] = []
    anchor: tuple[dt.date, str] | None = None
    for s, e, out in hits:
        block, conf = out(anchor) if callable(out) else out
        block = dict(block)
        block["text"] = text[s:e]
        result.append(DateMention(s, e, text[s:e], block, conf))
        day = block.get("end") or block.get("value")
        if day and len(day) == 10 and block.get("basis") != "unknown":
            anchor = (dt.date.fromisoformat(day), text[s:e])
    return result


class _Groups:
    """A match whose alternative groups (``m2``/``which2``/``n2``...) answer under their main name."""

    _ALIASES = {"m": ("m", "m2"), "which": ("which", "which2"), "n": ("n", "n2"), "unit": ("unit", "unit2"),
                "w1": ("w1", "w1e"), "w2": ("w2", "w2e"), "y1": ("y1", "y1b"), "y2": ("y2", "y2b")}

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m
        self.string = m.string

    def _name(self, name: str) -> str:
        for alt in self._ALIASES.get(name, (name,)):
            if alt in self._m.re.groupindex and self._m.group(alt) is not None:
                return alt
        return name

    def group(self, name: Any = 0) -> Any:
        if name == 0:
            return self._m.group(0)
        if name not in self._m.re.groupindex and name not in self._ALIASES:
            return None
        n = self._name(name)
        return self._m.group(n) if n in self._m.re.groupindex else None

    def groupdict(self) -> dict[str, Any]:
        d = dict(self._m.groupdict())
        for k in self._ALIASES:
            d[k] = self.group(k)
        return d

    def start(self, name: Any = 0) -> int:
        return self._m.start(self._name(name)) if name != 0 else self._m.start()

    def end(self, name: Any = 0) -> int:
        return self._m.end(self._name(name)) if name != 0 else self._m.end()


def _trim(m: re.Match[str], c: _Ctx) -> tuple[int, int]:
    """The mention's span: the match without the leading prepositions that only introduce it."""
    s, e = m.start(), m.end()
    while s < e and c.text[s].isspace():
        s += 1
    lead = re.match(r"(?:on|in|en|by|during|durant)\s+(?:the\s+(?=\d))?|(?:le|the)\s+(?=\d)", c.folded[s:e])
    if lead:
        s += lead.end()
    while e > s and c.text[e - 1] in " ,.":
        e -= 1
    return s, e


_PUB_KEYS = re.compile(
    r"(?:posted|published|publie(?:e)?|mis\s+a\s+jour|updated|date\s+de\s+publication|last\s+updated|modifie)"
    r"\s*(?:on|le|:)?\s*", re.I)


def find_publication_date(text: str, lang: str) -> DateMention | None:
    """The publication date near the start of ``text``: "Posted on Sep 24, 2021", "Publié le 12/11/2018 à 10h".

    A line with a publication keyword wins ("published/publié" before "updated/mis à jour"); otherwise a
    short line near the top that is only a full date (a dateline). Basis stated; None when there is none.

    >>> d = find_publication_date("Title\\nPosted on Sep 24, 2021 by staff\\nText.", "en")
    >>> d.text, d.block["value"]
    ('Sep 24, 2021', '2021-09-24')
    """
    head = text[:800]
    folded = fold(head)
    found: list[tuple[int, DateMention]] = []
    for m in _PUB_KEYS.finditer(folded):
        rest = m.end()
        for d in find_dates(head[rest:rest + 60], lang, None):
            if d.start > 3 or d.block.get("basis") != "stated" or d.block.get("precision") != "day":
                break
            rank = 1 if re.match(r"mis|updated|last|modifie", folded[m.start():m.end()]) else 0
            block = dict(d.block)
            found.append((rank, DateMention(rest + d.start, rest + d.end, d.text, block, 0.95)))
            break
    if found:
        found.sort(key=lambda x: (x[0], x[1].start))
        return found[0][1]
    # a wire dateline: "NIAMEY, 5 oct. 2022 (AFP) -", "Ouagadougou, Nov 12, 2018 (Reuters) —"
    m = re.match(r"\s*(?:[^\W\d][\w'’ .-]{1,40},\s+){1,2}", head)
    if m:
        for d in find_dates(head[m.end():m.end() + 40], lang, None):
            rest = head[m.end() + d.end:m.end() + d.end + 4]
            if d.start == 0 and d.block.get("basis") == "stated" and d.block.get("precision") == "day" and re.match(r"\s*[(\-–—]", rest):
                return DateMention(m.end() + d.start, m.end() + d.end, d.text, dict(d.block), 0.9)
            break
    offset = 0
    for line in head.splitlines(keepends=True)[:8]:
        bare = line.strip()
        if 0 < len(bare) <= 60:
            for d in find_dates(line, lang, None):
                if d.block.get("basis") == "stated" and d.block.get("precision") == "day" and len(d.text) >= len(bare) - 12:
                    return DateMention(offset + d.start, offset + d.end, d.text, dict(d.block), 0.8)
        offset += len(line)
    return None
