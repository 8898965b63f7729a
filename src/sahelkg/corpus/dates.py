"""Dates as the annotation files write them: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, seasons, days
without a year, each resolved to its first and last day (:func:`parse_date_value`), and a whole
``date`` mapping with its basis and derivation checked (:func:`read_date`).

>>> parse_date_value("2014-08")
('2014-08', 'month', datetime.date(2014, 8, 1), datetime.date(2014, 8, 31))
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from sahelkg.corpus.records import DateSpec
from sahelkg.corpus.yaml_lines import FileProblems

SEASONS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 2)}  # ISO 8601-2 season -> first and last month


def parse_date_value(value: str) -> tuple[str, str, dt.date | None, dt.date | None]:
    """``(iso, precision, first day, last day)`` of ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, a season
    ``YYYY-21``..``YYYY-24`` (ISO 8601-2: spring, summer, autumn, winter, meteorological, northern
    hemisphere; a winter runs into the next year), or a day without a year ``--MM-DD`` (no first and
    last day: the year is unknown).

    >>> parse_date_value("2014-22")
    ('2014-22', 'season', datetime.date(2014, 6, 1), datetime.date(2014, 8, 31))
    >>> parse_date_value("--04-25")
    ('--04-25', 'day', None, None)

    :raises ValueError: for anything else, or an impossible calendar date.
    """
    if value.startswith("--"):
        m = re.fullmatch(r"--(\d{2})-(\d{2})", value)
        try:
            dt.date(2000, int(m.group(1)), int(m.group(2))) if m else None  # 2000: a leap year, 29 Feb exists
        except ValueError as e:
            raise ValueError(f"{value!r} is not a day of the year ({e})") from e
        if not m:
            raise ValueError(f"{value!r} is not a day without a year: write --MM-DD")
        return value, "day", None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        raise ValueError(f"{value!r} is not a date: write YYYY, YYYY-MM, YYYY-MM-DD, YYYY-21..24 (a season) or --MM-DD")
    year, month, day = m.group(1), m.group(2), m.group(3)
    y = int(year)
    if month and not day and int(month) in SEASONS:
        first, last = SEASONS[int(month)]
        end_year = y + 1 if last < first else y
        return value, "season", dt.date(y, first, 1), dt.date(end_year, last, calendar.monthrange(end_year, last)[1])
    if day:
        try:
            d = dt.date(y, int(month), int(day))
        except ValueError as e:
            raise ValueError(f"{value!r} is not a calendar date ({e})") from e
        return value, "day", d, d
    if month:
        mo = int(month)
        if not 1 <= mo <= 12:
            raise ValueError(f"{value!r}: month {mo} does not exist")
        return value, "month", dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])
    return value, "year", dt.date(y, 1, 1), dt.date(y, 12, 31)


def day_of_year(month_day: str) -> int:
    """The sort key of ``--MM-DD``: its day in a leap year, so that every day of any year has one.

    >>> day_of_year("--04-25"), day_of_year("--12-31")
    (116, 366)
    """
    return dt.date(2000, int(month_day[2:4]), int(month_day[5:7])).timetuple().tm_yday


def read_date(ctx: FileProblems, path: list[Any], d: Any, what: str) -> DateSpec | None:
    """The :class:`DateSpec` of a ``date`` mapping of an annotation file (``value``, or ``begin``
    and ``end``, with ``basis``, ``derivation``...); None, with the problem reported, if it is invalid."""
    basis = d["basis"]
    if basis != "stated" and not d.get("derivation"):
        ctx.error(path, f"{what} date: basis {basis} needs a derivation saying how the date was obtained")
    has_value = "value" in d
    has_span = "begin" in d or "end" in d
    text, derivation = d.get("text"), d.get("derivation")
    time_of_day, conflicts_with = d.get("time_of_day"), tuple(d.get("conflicts_with", ()))
    if basis == "unknown":
        if has_value or has_span:
            ctx.error(path, f"{what} date: basis unknown cannot have a value")
        return DateSpec(
            text=text, iso=None, precision=None, basis="unknown", derivation=derivation, begin=None, end=None,
            time_of_day=time_of_day, conflicts_with=conflicts_with,
        )
    if has_value and has_span:
        ctx.error(path, f"{what} date: give value, or begin and end, not both")
        return None
    month_day = None
    try:
        if has_value:
            iso, precision, begin, end = parse_date_value(d["value"])
            if iso.startswith("--"):
                month_day = iso
        elif has_span:
            parts = {k: parse_date_value(d[k]) for k in ("begin", "end") if k in d}
            if any(p[2] is None for p in parts.values()):
                ctx.error(path, f"{what} date: a span's begin and end need a year")
                return None
            b_iso, b_prec, begin, _ = parts["begin"] if "begin" in parts else ("..", None, None, None)
            e_iso, e_prec, _, end = parts["end"] if "end" in parts else ("..", None, None, None)
            if begin and end and begin > end:
                ctx.error(path + ["begin"], f"{what} date: begin {b_iso} is after end {e_iso}")
                return None
            # An open span ("since 2013": begin without end) keeps the precision of its one end.
            precs = {p for p in (b_prec, e_prec) if p}
            iso, precision = f"{b_iso}/{e_iso}", (precs.pop() if len(precs) == 1 else "year")
        else:
            ctx.error(path, f"{what} date: give a value (or begin and end), or basis: unknown")
            return None
    except ValueError as e:
        ctx.error(path, f"{what} date: {e}")
        return None
    if "precision" in d and d["precision"] != precision:
        ctx.error(path + ["precision"], f"{what} date: precision {d['precision']} does not match the value {iso} ({precision})")
    return DateSpec(
        text=text, iso=iso, precision=precision, basis=basis, derivation=derivation, begin=begin, end=end,
        month_day=month_day, day_of_year=day_of_year(month_day) if month_day else None,
        time_of_day=time_of_day, conflicts_with=conflicts_with,
    )
