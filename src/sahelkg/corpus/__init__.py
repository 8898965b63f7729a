"""Read and validate the corpus: articles, annotation files and the entity registry.

The corpus is data edited by hand (see ``corpus/README.md``). This module turns it
into typed, validated records, or reports *every* problem at once, each with the
file, the line and what to do. Nothing here knows about RDF; :mod:`sahelkg.graph.rdf`
maps the records to triples.

>>> normalise_text("cafe\\u0301\\r\\nx")
'café\\nx'
>>> parse_date_value("2014-08")
('2014-08', 'month', datetime.date(2014, 8, 1), datetime.date(2014, 8, 31))
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import Any

import jsonschema
import yaml

from sahelkg.errors import CorpusError, Problem
from sahelkg.corpus.names import did_you_mean
from sahelkg.vocab import (
    CERTAINTIES, DATE_BASES, GEO_PRECISIONS, MODALITIES, OUTCOMES, PRECISIONS, RELATION_PROPERTIES,
    ROLE_PROPERTIES, SK, STANCES,
)

SCHEMA_DIR = "schema"
ARTICLE_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
CONTEXT_CHARS = 32  # prefix/suffix length stored in the TextQuoteSelector


# --------------------------------------------------------------------------- YAML with lines

class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):  # type: ignore[type-arg]
    """A sequence that remembers the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, records lines, and flags duplicate keys."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []


# Dates stay text: "2021-09-24" is validated by us, not turned into a datetime by YAML.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    d = LineDict()
    d.line = node.start_mark.line + 1
    d.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in d:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        d[key] = loader.construct_object(value_node, deep=True)
        d.key_lines[key] = key_node.start_mark.line + 1
    return d


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    seq = LineList(loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1
    seq.item_lines = [child.start_mark.line + 1 for child in node.value]
    return seq


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)

# The same loader on libyaml's C parser when PyYAML has it: about ten times faster, and parsing is
# most of the time spent reading a large corpus. Its error messages are worded differently, so a
# file it rejects is read again by the pure-Python _Loader, whose error is the one reported.
def _fast_loader() -> type | None:
    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class FastLoader(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self.duplicate_keys: list[tuple[int, str]] = []

    FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    return FastLoader


_FastLoader = _fast_loader()


def _fast_load(text: str) -> Any:
    """``text`` parsed by the C loader, with its duplicate keys; None if it fails (or is absent)."""
    if _FastLoader is None:
        return None
    loader = _FastLoader(text)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def load_yaml(path: Path, problems: list[Problem]) -> Any:
    """Parse a YAML file keeping line numbers; a syntax error becomes a Problem (returns None)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(Problem(str(path), None, f"cannot read the file: {e}"))
        return None
    fast = _fast_load(text)
    if fast is not None:
        data, duplicates = fast
        for line, key in duplicates:
            problems.append(Problem(str(path), line, f"duplicate key {key!r}: each key may appear once in a mapping"))
        return data
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(e, "problem", None) or str(e)
        problems.append(Problem(str(path), line, f"malformed YAML: {what}; fix the syntax (indentation, quoting, colons)"))
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicate_keys:
        problems.append(Problem(str(path), line, f"duplicate key {key!r}: each key may appear once in a mapping"))
    return data


def line_of(data: Any, path: Iterable[Any]) -> int | None:
    """The line of the value at ``path`` (keys and indexes) inside loaded YAML."""
    line = getattr(data, "line", None)
    node = data
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


_VOUCHED: set[str] = set()  # hashes of schema texts already checked against their metaschema


@lru_cache(maxsize=None)
def _validator(schema_path: str) -> jsonschema.protocols.Validator:
    text = Path(schema_path).read_bytes()
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    if sha256_bytes(text) not in _VOUCHED:
        cls.check_schema(schema)
    return cls(schema)


def checked_schemas(schema_dir: Path) -> list[str]:
    """Check every schema of ``schema_dir`` against its metaschema; returns their hashes, which
    :func:`vouch_for_schemas` takes in a later process (a build's cache keeps them)."""
    paths = sorted(schema_dir.glob("*.json"))
    for p in paths:
        _validator(str(p))
    return [sha256_bytes(p.read_bytes()) for p in paths]


def vouch_for_schemas(hashes: Iterable[str]) -> None:
    """Schemas with these text hashes were checked (:func:`checked_schemas`): not again (0.1-0.16 s
    of jsonschema's own validation, a tenth of an incremental build of one article)."""
    _VOUCHED.update(hashes)


@lru_cache(maxsize=None)
def _validator_for_schema(schema_json: str) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema)


_ANNOTATION_KEYWORDS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "format"})
_TYPES = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer()),
}


@lru_cache(maxsize=None)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _conforms(x: Any, schema: Any, root: dict[str, Any]) -> bool | None:
    """A fast JSON Schema check of the keywords the corpus schemas use: True (valid), False
    (invalid) or None (a keyword it does not know). Only speeds up the common case: when it does
    not answer True, jsonschema validates and reports as before ("format" is an annotation in
    draft 2020-12, as jsonschema treats it without a format checker)."""
    if schema is True or schema is False:
        return schema
    ok = True
    for key, arg in schema.items():
        if key in _ANNOTATION_KEYWORDS:
            continue
        if key == "$ref":
            if not (isinstance(arg, str) and arg.startswith("#/")):
                return None
            target: Any = root
            for part in arg[2:].split("/"):
                target = target.get(part) if isinstance(target, dict) else None
            if target is None:
                return None
            r = _conforms(x, target, root)
        elif key == "type":
            types = arg if isinstance(arg, list) else [arg]
            if not all(t in _TYPES for t in types):
                return None
            r = any(_TYPES[t](x) for t in types)
        elif key == "properties":
            r = True
            if isinstance(x, dict):
                for k, sub in arg.items():
                    if k in x:
                        r = _conforms(x[k], sub, root)
                        if r is not True:
                            break
        elif key == "additionalProperties":
            r = True
            if "patternProperties" in schema:
                return None
            if isinstance(x, dict):
                props = schema.get("properties", {})
                for k in x:
                    if k not in props:
                        r = _conforms(x[k], arg, root)
                        if r is not True:
                            break
        elif key == "required":
            r = not isinstance(x, dict) or all(k in x for k in arg)
        elif key == "dependentRequired":
            r = not isinstance(x, dict) or all(d in x for k, deps in arg.items() if k in x for d in deps)
        elif key == "propertyNames":
            r = True
            if isinstance(x, dict):
                for k in x:
                    r = _conforms(k, arg, root)
                    if r is not True:
                        break
        elif key == "items":
            r = True
            if isinstance(x, list):
                for item in x:
                    r = _conforms(item, arg, root)
                    if r is not True:
                        break
        elif key == "oneOf":
            answers = [_conforms(x, sub, root) for sub in arg]
            r = None if None in answers else answers.count(True) == 1
        elif key == "enum":
            if not (isinstance(x, str) and all(isinstance(e, str) for e in arg)):
                return None
            r = x in arg
        elif key == "pattern":
            r = not isinstance(x, str) or _regex(arg).search(x) is not None
        elif key in ("minLength", "maxLength"):
            r = not isinstance(x, str) or (len(x) >= arg if key == "minLength" else len(x) <= arg)
        elif key in ("minItems", "maxItems"):
            r = not isinstance(x, list) or (len(x) >= arg if key == "minItems" else len(x) <= arg)
        elif key in ("minimum", "maximum"):
            r = not _TYPES["number"](x) or (x >= arg if key == "minimum" else x <= arg)
        else:
            return None
        if r is None:
            return None
        ok = ok and r
    return ok


def schema_problems(data: Any, schema_path: Path, file: str) -> list[Problem]:
    """JSON Schema errors of ``data``, each located at its line."""
    validator = _validator(str(schema_path))
    if _conforms(data, validator.schema, validator.schema) is True:
        return []  # the common case, about 20 times faster than jsonschema's validation
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        path = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            # Point at the first unexpected key rather than at the mapping that holds it.
            allowed = set(err.schema.get("properties", {}))
            extra = [k for k in err.instance if k not in allowed]
            if extra:
                path.append(extra[0])
                out.append(Problem(file, line_of(data, path), f"{where}: {err.message}{did_you_mean(str(extra[0]), allowed)}"))
                continue
        out.append(Problem(file, line_of(data, path), f"{where}: {err.message}"))
    return out


# --------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Anchor:
    """A quote located in the normalised article text."""

    exact: str
    start: int
    end: int
    prefix: str
    suffix: str


@dataclass(frozen=True)
class DateSpec:
    """A date as written, resolved (or not), with precision and how it was derived."""

    text: str | None
    iso: str | None  # "2021-09-24", "2014-08", "2013", "2018-11-11/2018-11-12"; None when unknown
    precision: str | None  # day | month | year
    basis: str  # stated | relative | context | unknown
    derivation: str | None
    begin: dt.date | None
    end: dt.date | None
    # A date without a year ("April 25"): its --MM-DD form and its sort key (day of a leap year).
    month_day: str | None = None
    day_of_year: int | None = None
    time_of_day: str | None = None  # "16:23", or morning | afternoon | evening | night
    conflicts_with: tuple[str, ...] = ()  # ids of facts of this file (or "published") whose date conflicts


@dataclass(frozen=True)
class Count:
    """A number as reported: best value, range, approximation."""

    best: float | None
    low: float | None
    high: float | None
    approximate: bool
    text: str | None
    unit: str | None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class LocalEntity:
    id: str
    types: tuple[str, ...]
    label: str
    anchor: Anchor | None
    note: str | None
    status: str | None = None  # "draft" (written by sahelkg annotate, unchecked), "reviewed" or None
    confidence: float | None = None  # the annotator's confidence in a draft, in [0, 1]


@dataclass(frozen=True)
class Mention:
    entity: str
    anchor: Anchor
    status: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    anchor: Anchor
    trigger: Anchor | None
    date: DateSpec | None
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
    note: str | None
    label: str | None
    modality: str | None = None
    date_from: str | None = None  # the fact of this file whose time node this event shares (date_of)
    after: tuple[str, ...] = ()  # events ("e5" or "<article id>/e5") this one happened after
    hedged: tuple[tuple[str, str, str], ...] = ()  # (role, entity id, certainty) of a hedged participant
    status: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Relation:
    id: str
    property: str
    subject: str
    object: str
    anchor: Anchor
    date: DateSpec | None
    certainty: str | None
    note: str | None
    date_from: str | None = None
    status: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Claim:
    id: str
    speaker: str
    stance: str
    certainty: str | None
    about: tuple[str, ...]
    attackers: tuple[str, ...]
    victims: tuple[str, ...]
    disjunctive: bool
    date: DateSpec | None
    anchor: Anchor
    note: str | None
    date_from: str | None = None
    status: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Observation:
    id: str
    type: str
    subject: str
    count: Count
    date: DateSpec | None
    place: str | None
    outcome: str | None
    according_to: str | None
    anchor: Anchor
    note: str | None
    modality: str | None = None
    date_from: str | None = None
    status: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class ArticleMeta:
    id: str
    title: str | None
    language: str
    publisher: str | None
    url: str | None
    published: DateSpec | None
    published_anchor: Anchor | None
    text_sha256: str


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Coordinates:
    lat: float
    lon: float
    precision: str
    source: str


@dataclass(frozen=True)
class Fact:
    property: str
    object: str
    source: str
    # When the fact holds and how sure its source is: copied from the article statement it comes from, so
    # that two offices a person held at different times stay two dated facts.
    date: DateSpec | None = None
    certainty: str | None = None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Registry:
    entities: dict[str, Entity]

    def types_of(self, entity_id: str) -> tuple[str, ...]:
        e = self.entities.get(entity_id)
        return e.types if e else ()


# --------------------------------------------------------------------------- text and dates

def normalise_text(text: str) -> str:
    """The text offsets count in: Unicode NFC with ``\\n`` line ends."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


_HEADER_LINE = re.compile(r"# ([A-Za-z][A-Za-z0-9_-]*):[ \t]*(.*)")


def split_header(text: str) -> tuple[dict[str, str], str]:
    """``(header, body)`` of a normalised article text: its leading ``# key: value`` lines are metadata.

    The header is the run of ``# key: value`` lines at the very start, ending at the first line
    of another form; one blank line right after it belongs to it. Keys are lowercased; a key given
    twice keeps its first value. Quotes and offsets count in the body only (check, build and
    annotate all read articles through this function). A text without such lines is all body.

    >>> split_header("# source: https://x.org/a\\n# Date: 2021-09-24\\n\\nParis (AFP) - ...")
    ({'source': 'https://x.org/a', 'date': '2021-09-24'}, 'Paris (AFP) - ...')
    >>> split_header("# not a header line\\ntext")
    ({}, '# not a header line\\ntext')
    """
    header: dict[str, str] = {}
    pos = 1 if text.startswith("\ufeff#") else 0  # a byte-order mark before the header is part of it
    while True:
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        m = _HEADER_LINE.fullmatch(line)
        if not m:
            break
        header.setdefault(m.group(1).lower(), m.group(2).strip())
        pos = len(text) if nl < 0 else nl + 1
    if header and text.startswith("\n", pos):
        pos += 1
    return header, text[pos:]


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


def sha256_bytes(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


def _review(item: dict[str, Any]) -> tuple[str | None, float | None]:
    """``(status, confidence)`` of an annotation item (drafts carry ``status: draft``, COMMON.md item 1)."""
    c = item.get("confidence")
    return item.get("status"), (float(c) if c is not None else None)


# --------------------------------------------------------------------------- validation context

class _Ctx:
    """Collects problems for one file and locates them by YAML path."""

    def __init__(self, file: str, data: Any, problems: list[Problem]) -> None:
        self.file, self.data, self.problems = file, data, problems

    def error(self, path: Iterable[Any], message: str) -> None:
        self.problems.append(Problem(self.file, line_of(self.data, list(path)), message))

    def warning(self, path: Iterable[Any], message: str) -> None:
        self.problems.append(Problem(self.file, line_of(self.data, list(path)), message, "warning"))


class Quotes:
    """Finds quotes in one normalised text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _positions(self, s: str) -> list[int]:
        out, i = [], self.text.find(s)
        while i >= 0 and s:
            out.append(i)
            i = self.text.find(s, i + 1)
        return out

    def anchor(self, spec: Any, ctx: _Ctx, path: list[Any], what: str, within: Anchor | None = None) -> Anchor | None:
        """Locate ``spec`` (a string, or {text, prefix, suffix, occurrence}); report problems."""
        if isinstance(spec, dict):
            exact = spec.get("text")
            prefix, suffix, occurrence = spec.get("prefix"), spec.get("suffix"), spec.get("occurrence")
        else:
            exact, prefix, suffix, occurrence = spec, None, None, None
        if not isinstance(exact, str) or not exact:
            ctx.error(path, f"{what}: the quote must be a non-empty string")
            return None
        exact = normalise_text(exact)
        starts = self._positions(exact)
        if within is not None:
            starts = [s for s in starts if within.start <= s and s + len(exact) <= within.end]
        shown = exact if len(exact) <= 80 else exact[:77] + "..."
        where = " inside its quote" if within is not None else " in the article text"
        found = f'{what}: quote "{shown}" occurs {len(starts)} time(s){where}'
        for part, given, before in (("prefix", prefix, True), ("suffix", suffix, False)):
            if starts and given:
                ctx_text = normalise_text(given)
                kept = [s for s in starts if self._beside(s, len(exact), len(ctx_text), before) == ctx_text]
                if not kept:
                    ctx.error(path, f'{found}, but never {"after" if before else "before"} the {part} '
                                    f'"{ctx_text}"{self._nearest_context(starts, len(exact), ctx_text, before)}; '
                                    f"fix the {part}, or drop it and give occurrence: N")
                    return None
                starts = kept
        if not starts:
            if within is not None and self._positions(exact):
                hint = "; it occurs in the text, but outside the quote it must be part of"
            else:
                hint = self._hint(exact)
            ctx.error(path, f'{what}: quote "{shown}" not found{where}{hint}')
            return None
        if occurrence is not None:
            if not isinstance(occurrence, int) or not 1 <= occurrence <= len(starts):
                ctx.error(path, f'{what}: quote "{shown}" has {len(starts)} occurrence(s); occurrence {occurrence} does not exist')
                return None
            start = starts[occurrence - 1]
        elif len(starts) > 1:
            ctx.error(
                path,
                f'{what}: quote "{shown}" is ambiguous: it occurs {len(starts)} times{where}; '
                f"add occurrence: N, or a prefix or suffix",
            )
            return None
        else:
            start = starts[0]
        end = start + len(exact)
        return Anchor(
            exact, start, end,
            self.text[max(0, start - CONTEXT_CHARS):start], self.text[end:end + CONTEXT_CHARS],
        )

    def _beside(self, start: int, length: int, n: int, before: bool) -> str:
        """The ``n`` characters before (or after) the quote at ``start``."""
        return self.text[max(0, start - n):start] if before else self.text[start + length:start + length + n]

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def _nearest_context(self, starts: list[int], length: int, given: str, before: bool) -> str:
        """Where the text beside an occurrence is most like the prefix (or suffix) that failed."""
        from rapidfuzz import fuzz

        best = max(range(len(starts)), key=lambda i: fuzz.ratio(given, self._beside(starts[i], length, len(given), before)))
        seen = self._beside(starts[best], length, len(given), before)
        return (f' (the nearest: "{seen}" {"before" if before else "after"} occurrence {best + 1}, '
                f"line {self._line(starts[best])})")

    def _hint(self, exact: str) -> str:
        """Why a quote is not in the text, and the passage of the text nearest to it."""
        from rapidfuzz import fuzz

        def fold(s: str) -> str:
            s = re.sub(r"[\u2018\u2019\u02bc`]", "'", s)
            s = re.sub(r"[\u201c\u201d\u00ab\u00bb]", '"', s)
            return re.sub(r"\s+", " ", s).lower()
        near = fuzz.partial_ratio_alignment(exact, self.text, score_cutoff=60)
        nearest = ""
        if near is not None:
            # the aligned window is as long as the quote: stretch it to the length most like the quote,
            # then to whole words ("killed" found as "neutralized" is longer)
            spans = [(b, e) for b in range(max(0, near.dest_start - 8), near.dest_start + 9)
                     for e in range(near.dest_end - 10, min(len(self.text), near.dest_end + 25) + 1) if e > b]
            begin, end = max(spans, key=lambda span: fuzz.ratio(exact, self.text[span[0]:span[1]].strip()))
            while begin < end and self.text[begin].isspace():
                begin += 1
            while end > begin and self.text[end - 1].isspace():
                end -= 1
            while begin > 0 and self.text[begin - 1].isalnum() and self.text[begin].isalnum():
                begin -= 1
            while end < len(self.text) and self.text[end - 1].isalnum() and self.text[end].isalnum():
                end += 1
            passage = self.text[begin:end]
            passage = passage if len(passage) <= 80 else passage[:77] + "..."
            nearest = f'; the nearest text is "{passage}" (line {self._line(near.dest_start)})'
        if fold(exact) in fold(self.text):
            return f" (a near match exists: copy quotes, apostrophes, spaces and case exactly as in the text){nearest}"
        return f"; copy the quote exactly from the article text{nearest}"


# --------------------------------------------------------------------------- the validator

NO_FILE = (0, 0)  # (mtime_ns, size) of a file that is not there


def _scan(folder: Path, suffix: str, stat: bool) -> dict[str, tuple[int, int]]:
    """``{stem: (mtime_ns, size)}`` of the visible files of ``folder`` named ``*suffix`` (zeros without ``stat``).

    With ``stat``, the names are listed and each one stat-ed relative to the open folder
    (``dir_fd``): 0.93 s against 1.05 s for ``os.scandir``'s entries over 200,000 files, which is
    what an incremental build of a large corpus waits for.
    """
    n = len(suffix)
    try:
        if not stat:
            with os.scandir(folder) as entries:
                return {e.name[:-n]: (0, 0) for e in entries if e.name.endswith(suffix) and e.name[0] != "." and e.is_file()}
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    try:
        out = {}
        for name in os.listdir(fd):
            if name.endswith(suffix) and name[0] != "." and (found := _stat(name, fd)) != NO_FILE:
                out[name[:-n]] = found  # (a file removed since the listing is left out)
        return out
    finally:
        os.close(fd)


def _stat(path: Path | str, dir_fd: int | None = None) -> tuple[int, int]:
    """``(mtime_ns, size)`` of a regular file (``path`` relative to ``dir_fd`` if given), NO_FILE if there is none."""
    try:
        st = os.stat(path, dir_fd=dir_fd)
    except (FileNotFoundError, NotADirectoryError):
        return NO_FILE
    return (st.st_mtime_ns, st.st_size) if S_ISREG(st.st_mode) else NO_FILE


class CorpusReader:
    """Validates corpus files against the schema, the texts, the registry and the ontology.

    ``ontology`` is a :class:`sahelkg.graph.ontology.Ontology` (types, domains and ranges).
    """

    def __init__(self, corpus_dir: Path, ontology: Any) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.ontology = ontology
        self.articles_dir = self.corpus_dir / "articles"
        self.annotations_dir = self.corpus_dir / "annotations"
        self.registry_dir = self.corpus_dir / "registry"
        self.schema_dir = self.corpus_dir / SCHEMA_DIR
        self.class_names = frozenset(c[len(SK.base):] for c in ontology.classes if c.startswith(SK.base))

    # ---- listing
    def article_ids(self) -> list[str]:
        """Ids of all articles that have a text or an annotation file."""
        return sorted(self.article_files(stat=False))

    def article_files(self, *, stat: bool = True) -> dict[str, tuple[int, int, int, int]]:
        """``{id: (text mtime_ns, text size, annotation mtime_ns, annotation size)}`` of every article
        that has a text or an annotation file (zeros for a missing file, and everywhere without
        ``stat``): one scan of each folder, which is what an incremental build compares with its
        manifest before reading anything."""
        texts, annotations = _scan(self.articles_dir, ".txt", stat), _scan(self.annotations_dir, ".yaml", stat)
        if texts.keys() == annotations.keys():  # every article has both files
            return {aid: t + annotations[aid] for aid, t in texts.items()}  # type: ignore[misc]
        return {aid: texts.get(aid, NO_FILE) + annotations.get(aid, NO_FILE) for aid in texts.keys() | annotations.keys()}  # type: ignore[misc]

    def article_stats(self, article_ids: Iterable[str]) -> dict[str, tuple[int, int, int, int]]:
        """:meth:`article_files` for the given articles only (those with neither file left out)."""
        out = {}
        for aid in article_ids:
            stat = _stat(self.articles_dir / f"{aid}.txt") + _stat(self.annotations_dir / f"{aid}.yaml")
            if stat != NO_FILE + NO_FILE:
                out[aid] = stat
        return out

    def article_hash(self, article_id: str) -> str:
        """Content hash of an article's text and annotation file (what decides a rebuild)."""
        parts = []
        for p in (self.articles_dir / f"{article_id}.txt", self.annotations_dir / f"{article_id}.yaml"):
            parts.append(p.read_bytes() if p.exists() else b"")
        return sha256_bytes(*parts)

    def registry_files(self) -> list[Path]:
        return sorted(self.registry_dir.glob("*.yaml"))

    def registry_hash(self) -> str:
        return sha256_bytes(*(p.name.encode() + b"\0" + p.read_bytes() for p in self.registry_files()))

    # ---- registry
    def read_registry(self, problems: list[Problem]) -> Registry:
        """Load and validate every registry file; problems are appended."""
        entities: dict[str, Entity] = {}
        raw: list[tuple[_Ctx, int, Any]] = []
        files = self.registry_files()
        if not files:
            problems.append(Problem(str(self.registry_dir), None, "no registry files (*.yaml) found"))
        for path in files:
            data = load_yaml(path, problems)
            if data is None:
                continue
            found = schema_problems(data, self.schema_dir / "registry.schema.json", str(path))
            problems.extend(found)
            if found and not isinstance(data, list):
                continue
            ctx = _Ctx(str(path), data, problems)
            for i, item in enumerate(data):
                if not self._registry_item_ok(item):
                    # Invalid (already reported): keep its id and types so references to it still resolve.
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        t = item.get("type")
                        types = tuple(t) if isinstance(t, list) else (t,) if isinstance(t, str) else ()
                        entities.setdefault(item["id"], Entity(item["id"], types, {}, {}, {}, None, (), str(path), line_of(data, [i]) or 0))
                    continue
                eid = item["id"]
                if eid in entities:
                    first = entities[eid]
                    ctx.error([i, "id"], f"duplicate entity id {eid!r} (first defined at {first.file}:{first.line})")
                    continue
                types = tuple(item["type"]) if isinstance(item["type"], list) else (item["type"],)
                for t in types:
                    if t not in self.class_names:
                        ctx.error([i, "type"], f"entity {eid}: unknown type {t!r}: not a class of the ontology{did_you_mean(t, self.class_names)}")
                coords = None
                if "coordinates" in item:
                    c = item["coordinates"]
                    coords = Coordinates(float(c["lat"]), float(c["lon"]), c["precision"], c["source"])
                facts = tuple(
                    Fact(
                        f["property"], f["object"], f["source"],
                        self._date(ctx, [i, "facts", j, "date"], f["date"], f"entity {item['id']}: fact {f['property']}") if "date" in f else None,
                        f.get("certainty"),
                    )
                    for j, f in enumerate(item.get("facts", []))
                )
                entities[eid] = Entity(
                    eid, types, dict(item["label"]),
                    {lang: tuple(v) for lang, v in item.get("aliases", {}).items()},
                    dict(item.get("description", {})), coords, facts, str(path), line_of(data, [i]) or 0,
                )
                raw.append((ctx, i, item))
        registry = Registry(entities)
        for ctx, i, item in raw:
            ent = entities[item["id"]]
            for j, fact in enumerate(ent.facts):
                fpath = [i, "facts", j]
                if fact.object not in entities:
                    ctx.error(fpath + ["object"], f"entity {ent.id}: fact {fact.property}: unknown entity {fact.object!r}{did_you_mean(fact.object, entities)}")
                    continue
                self._check_relation_types(
                    ctx, fpath, f"entity {ent.id}: fact {fact.property}", fact.property,
                    ent.types, entities[fact.object].types,
                )
            if ent.coordinates is not None and not self._fits(ent.types, SK.Place):
                ctx.error([i, "coordinates"], f"entity {ent.id}: only places have coordinates")
        return registry

    def _registry_item_ok(self, item: Any) -> bool:
        """True if one registry entry is valid on its own (the schema's ``items``)."""
        schema = _validator(str(self.schema_dir / "registry.schema.json")).schema
        # the item schema with the file's $defs, so that its "#/$defs/..." references resolve on their own
        item_schema = {**schema["items"], "$defs": schema.get("$defs", {})}
        if isinstance(item, dict) and _conforms(item, item_schema, item_schema) is True:
            return True  # the common case, without jsonschema's slower validation
        return isinstance(item, dict) and _validator_for_schema(json.dumps(item_schema, sort_keys=True)).is_valid(item)

    # ---- one article
    def read_article(
        self, article_id: str, registry: Registry, problems: list[Problem],
        known_facts: dict[str, frozenset[str]] | None = None,
    ) -> Article | None:
        """Load and validate one article; returns None if it has errors (they are appended)."""
        text_path = self.articles_dir / f"{article_id}.txt"
        ann_path = self.annotations_dir / f"{article_id}.yaml"
        before = len([p for p in problems if p.severity == "error"])
        if not ARTICLE_ID_RE.match(article_id):
            problems.append(Problem(str(ann_path), None, f"article id {article_id!r}: use only letters, digits, '_' and '-'"))
            return None
        if not text_path.exists():
            problems.append(Problem(str(ann_path), None, f"no article text {text_path.name} beside this annotation file"))
            return None
        if not ann_path.exists():
            problems.append(Problem(str(text_path), None, f"no annotation file {ann_path}; write one (see corpus/README.md)"))
            return None
        try:
            raw_text = text_path.read_bytes()
            _header, text = split_header(normalise_text(raw_text.decode("utf-8")))
        except UnicodeDecodeError as e:
            problems.append(Problem(str(text_path), None, f"not UTF-8 text: {e}"))
            return None
        data = load_yaml(ann_path, problems)
        if data is None:
            return None
        n = len(problems)
        problems.extend(schema_problems(data, self.schema_dir / "annotation.schema.json", str(ann_path)))
        if len(problems) > n:
            return None
        ctx = _Ctx(str(ann_path), data, problems)
        q = Quotes(text)
        a = data["article"]
        if a["id"] != article_id:
            ctx.error(["article", "id"], f"article id {a['id']!r} differs from the file name {article_id!r}")

        local: dict[str, LocalEntity] = {}
        for i, e in enumerate(data.get("entities", [])):
            path = ["entities", i]
            if e["id"] in local:
                ctx.error(path + ["id"], f"duplicate local entity id {e['id']!r}")
            if e["id"] in registry.entities:
                ctx.error(path + ["id"], f"local entity id {e['id']!r} is also a registry id: rename one")
            types = tuple(e["type"]) if isinstance(e["type"], list) else (e["type"],)
            for t in types:
                if t not in self.class_names:
                    ctx.error(path + ["type"], f"entity {e['id']}: unknown type {t!r}: not a class of the ontology{did_you_mean(t, self.class_names)}")
            anchor = q.anchor(e["quote"], ctx, path + ["quote"], f"entity {e['id']}") if "quote" in e else None
            local[e["id"]] = LocalEntity(e["id"], types, e["label"], anchor, e.get("note"), *_review(e))

        def types_of(eid: str) -> tuple[str, ...] | None:
            if eid in local:
                return local[eid].types
            if eid in registry.entities:
                return registry.entities[eid].types
            return None

        def ref(path: list[Any], eid: str, what: str, expected: str | None = None) -> None:
            types = types_of(eid)
            if types is None:
                known = [*local, *registry.entities]
                ctx.error(path, f"{what}: unknown entity {eid!r}: add it to the registry or to this file's entities{did_you_mean(eid, known)}")
            elif expected is not None and not self._fits(types, expected):
                ctx.error(path, f"{what}: {eid!r} is a {'/'.join(types)}, but {self._name(expected)} is expected")

        published = self._date(ctx, ["article", "published"], a.get("published"), "article published") if "published" in a else None
        published_anchor = q.anchor(a["published_quote"], ctx, ["article", "published_quote"], "article published_quote") if "published_quote" in a else None
        meta = ArticleMeta(
            article_id, a.get("title"), a["language"], a.get("publisher"), a.get("url"), published,
            published_anchor, hashlib.sha256(raw_text).hexdigest(),
        )

        mentions = []
        for i, m in enumerate(data.get("mentions", [])):
            path = ["mentions", i]
            ref(path + ["entity"], m["entity"], "mention")
            spec = {k: v for k, v in m.items() if k in ("prefix", "suffix", "occurrence")}
            spec["text"] = m["quote"] if isinstance(m["quote"], str) else m["quote"].get("text")
            if isinstance(m["quote"], dict):
                spec.update({k: v for k, v in m["quote"].items() if k != "text"})
            anchor = q.anchor(spec, ctx, path + ["quote"], f"mention of {m['entity']}")
            if anchor:
                mentions.append(Mention(m["entity"], anchor, *_review(m)))

        ids: dict[str, str] = {}

        def new_id(path: list[Any], fid: str, kind: str) -> None:
            if fid in ids:
                ctx.error(path, f"duplicate id {fid!r} (already used by a {ids[fid]})")
            ids[fid] = kind

        for kind in ("events", "relations", "claims", "observations"):
            for i, x in enumerate(data.get(kind, [])):
                new_id([kind, i, "id"], x["id"], kind[:-1])
        event_ids = {x["id"] for x in data.get("events", [])}

        # Dates are read first, so that a fact may share the date of another (date_of) and a date may be
        # flagged as conflicting with another (conflicts_with) wherever in the file they are.
        dates: dict[str, DateSpec | None] = {}
        for kind in ("events", "relations", "claims", "observations"):
            for i, x in enumerate(data.get(kind, [])):
                if "date" in x:
                    dates[x["id"]] = self._date(ctx, [kind, i, "date"], x["date"], f"{kind[:-1]} {x['id']}")

        def date_of(path: list[Any], x: Any, what: str) -> tuple[DateSpec | None, str | None]:
            """The item's date, or the date it shares with another fact of this file (and that fact's id)."""
            if "date_of" not in x:
                return dates.get(x["id"]), None
            root = x["date_of"]
            if "date" in x:
                ctx.error(path + ["date_of"], f"{what}: give date or date_of, not both")
            elif root == x["id"]:
                ctx.error(path + ["date_of"], f"{what} date_of: a fact cannot share its own date")
            elif root not in ids:
                ctx.error(path + ["date_of"], f"{what} date_of: no event, relation, claim or observation {root!r} in this file")
            elif root not in dates:
                ctx.error(path + ["date_of"], f"{what} date_of: {root} has no date of its own; point at the fact that carries the date")
            else:
                return dates[root], root
            return None, None

        def conflicts(path: list[Any], d: Any, what: str, own: str | None) -> None:
            for j, other in enumerate(d.get("conflicts_with", [])):
                if other == "published":
                    if "published" not in a or own == "published":
                        ctx.error(path + ["conflicts_with", j], f"{what} date conflicts_with: the article has no published date to conflict with")
                elif other == own or other not in dates:
                    ctx.error(path + ["conflicts_with", j], f"{what} date conflicts_with: {other!r} is not another fact of this file with a date of its own")

        for kind in ("events", "relations", "claims", "observations"):
            for i, x in enumerate(data.get(kind, [])):
                if "date" in x:
                    conflicts([kind, i, "date"], x["date"], f"{kind[:-1]} {x['id']}", x["id"])
        if "published" in a:
            conflicts(["article", "published"], a["published"], "article published", "published")

        def event_ref(path: list[Any], what: str, key: str, other: str, own: str) -> None:
            """``other`` is an event of this file, or ``<article id>/<event id>`` of another article."""
            if "/" in other:
                self._cross_ref(ctx, path, what, other, article_id, known_facts, key)
            elif other not in event_ids:
                ctx.error(path, f"{what} {key}: no event {other!r} in this file")
            elif other == own:
                ctx.error(path, f"{what} {key}: an event cannot refer to itself")

        events = []
        for i, e in enumerate(data.get("events", [])):
            path = ["events", i]
            what = f"event {e['id']}"
            etype = e["type"]
            if not self._is_class(etype, SK.Event):
                ctx.error(path + ["type"], f"{what}: {etype!r} is not an event class of the ontology{did_you_mean(etype, self._classes_under(SK.Event))}")
            anchor = q.anchor(e["quote"], ctx, path + ["quote"], what)
            trigger = q.anchor(e["trigger"], ctx, path + ["trigger"], f"{what} trigger", within=anchor) if "trigger" in e and anchor else None
            participants, hedged = [], []
            for role, members in e.get("participants", {}).items():
                prop = ROLE_PROPERTIES[role]
                rng = self.ontology.range(SK.term(prop))
                for j, member in enumerate(members):
                    # a participant is an id, or {entity, certainty} when the text hedges it alone
                    eid = member if isinstance(member, str) else member["entity"]
                    ref(path + ["participants", role, j], eid, f"{what} {role}", self._one(rng))
                    participants.append((role, eid))
                    if isinstance(member, dict):
                        hedged.append((role, eid, member["certainty"]))
            for j, eid in enumerate(e.get("instruments", [])):
                ref(path + ["instruments", j], eid, f"{what} instrument", SK.Equipment)
            place = None
            if "place" in e:
                p = e["place"]
                if "entity" in p:
                    ref(path + ["place", "entity"], p["entity"], f"{what} place", SK.Place)
                elif "reference" not in p and "between" not in p:
                    ctx.error(path + ["place"], f"{what} place: give entity (where it happened), or reference with bearing and distance_km for a place relative to another")
                if "reference" in p:
                    ref(path + ["place", "reference"], p["reference"], f"{what} place reference", SK.Place)
                if "between" in p and ("reference" in p or "bearing" in p or "distance_km" in p):
                    ctx.error(path + ["place", "between"], f"{what} place: between names the places it lies between; give it without reference, bearing or distance_km")
                for j, other in enumerate(p.get("between", [])):
                    ref(path + ["place", "between", j], other, f"{what} place between", SK.Place)
                place = PlaceRef(p.get("entity"), p.get("precision"), p.get("bearing"), p.get("distance_km"), p.get("reference"), p.get("text"), tuple(p.get("between", ())))
            if "operation" in e:
                ref(path + ["operation"], e["operation"], f"{what} operation", SK.MilitaryOperation)
            if "award" in e:
                ref(path + ["award"], e["award"], f"{what} award", SK.Decoration)
                if not self._is_class(etype, SK.Award):
                    ctx.error(path + ["award"], f"{what}: only an Award event has an award")
            if "sub_event_of" in e:
                if e["sub_event_of"] not in event_ids:
                    ctx.error(path + ["sub_event_of"], f"{what} sub_event_of: no event {e['sub_event_of']!r} in this file")
                elif e["sub_event_of"] == e["id"]:
                    ctx.error(path + ["sub_event_of"], f"{what} sub_event_of: an event cannot refer to itself")
            if "result_of" in e:  # a cause may be told in another article
                event_ref(path + ["result_of"], what, "result_of", e["result_of"], e["id"])
            for j, other in enumerate(e.get("after", [])):
                event_ref(path + ["after", j], what, "after", other, e["id"])
            for j, other in enumerate(e.get("about", [])):
                if other not in ids and types_of(other) is None:
                    ctx.error(path + ["about", j], f"{what} about: {other!r} is neither a fact of this file nor an entity")
            for j, other in enumerate(e.get("same_as", [])):
                # another account of the same real event: in another article, or in this one ("e1")
                event_ref(path + ["same_as", j], what, "same_as", other, e["id"])
            date, date_from = date_of(path, e, what)
            count = self._count(ctx, path + ["count"], e["count"], what) if "count" in e else None
            events.append(Event(
                e["id"], etype, anchor, trigger, date, place, tuple(participants),  # type: ignore[arg-type]
                tuple(e.get("instruments", [])), count, e.get("operation"), e.get("sub_event_of"),
                e.get("result_of"), tuple(e.get("same_as", [])), tuple(e.get("about", [])), e.get("award"),
                e.get("certainty"), e.get("note"), e.get("label"), e.get("modality"), date_from,
                tuple(e.get("after", [])), tuple(hedged), *_review(e),
            ))

        relations = []
        for i, r in enumerate(data.get("relations", [])):
            path = ["relations", i]
            what = f"relation {r['id']}"
            ok = True
            for key in ("subject", "object"):
                if types_of(r[key]) is None:
                    ref(path + [key], r[key], f"{what} {key}")
                    ok = False
            if ok:
                self._check_relation_types(ctx, path, what, r["property"], types_of(r["subject"]), types_of(r["object"]))  # type: ignore[arg-type]
            anchor = q.anchor(r["quote"], ctx, path + ["quote"], what)
            date, date_from = date_of(path, r, what)
            relations.append(Relation(r["id"], r["property"], r["subject"], r["object"], anchor, date, r.get("certainty"), r.get("note"), date_from, *_review(r)))  # type: ignore[arg-type]

        claims = []
        for i, c in enumerate(data.get("claims", [])):
            path = ["claims", i]
            what = f"claim {c['id']}"
            ref(path + ["speaker"], c["speaker"], f"{what} speaker", SK.Agent)
            for j, other in enumerate(c.get("about", [])):
                if other not in ids:
                    ctx.error(path + ["about", j], f"{what} about: no event, relation or observation {other!r} in this file")
            for key in ("attacker", "victim"):
                for j, eid in enumerate(c.get(key, [])):
                    ref(path + [key, j], eid, f"{what} {key}", SK.Agent)
            anchor = q.anchor(c["quote"], ctx, path + ["quote"], what)
            date, date_from = date_of(path, c, what)
            claims.append(Claim(
                c["id"], c["speaker"], c["stance"], c.get("certainty"), tuple(c.get("about", [])),
                tuple(c.get("attacker", [])), tuple(c.get("victim", [])), bool(c.get("disjunctive", False)),
                date, anchor, c.get("note"), date_from, *_review(c),  # type: ignore[arg-type]
            ))

        observations = []
        for i, o in enumerate(data.get("observations", [])):
            path = ["observations", i]
            what = f"observation {o['id']}"
            if not self._is_class(o["type"], SK.Observation):
                ctx.error(path + ["type"], f"{what}: {o['type']!r} is not an observation class of the ontology{did_you_mean(o['type'], self._classes_under(SK.Observation))}")
            ref(path + ["subject"], o["subject"], f"{what} subject", SK.Agent)
            if "place" in o:
                ref(path + ["place"], o["place"], f"{what} place", SK.Place)
            if "according_to" in o:
                ref(path + ["according_to"], o["according_to"], f"{what} according_to", SK.Agent)
            anchor = q.anchor(o["quote"], ctx, path + ["quote"], what)
            date, date_from = date_of(path, o, what)
            count = self._count(ctx, path + ["count"], o["count"], what)
            observations.append(Observation(
                o["id"], o["type"], o["subject"], count, date, o.get("place"), o.get("outcome"),  # type: ignore[arg-type]
                o.get("according_to"), anchor, o.get("note"), o.get("modality"), date_from, *_review(o),  # type: ignore[arg-type]
            ))

        if len([p for p in problems if p.severity == "error"]) > before:
            return None
        article = Article(meta, text, tuple(mentions), tuple(local.values()), tuple(events), tuple(relations), tuple(claims), tuple(observations))
        from sahelkg.corpus.lint import article_warnings  # (lint reads these records: imported here, not at the top)

        problems.extend(article_warnings(article, registry, self.ontology, data, str(ann_path)))
        return article

    # ---- helpers
    def _name(self, iri: str) -> str:
        return iri.rsplit("#", 1)[-1]

    def _one(self, classes: frozenset[str]) -> str | None:
        return next(iter(classes)) if len(classes) == 1 else None

    def _fits(self, type_names: Iterable[str], expected: str) -> bool:
        type_names = list(type_names)
        if any(t not in self.class_names for t in type_names):
            return True  # an unknown type is reported once where it is declared, not at every use
        return self.ontology.fits([SK.term(t) if t in SK else t for t in type_names], frozenset([expected]))

    def _classes_under(self, ancestor: str) -> list[str]:
        """The names of the ontology's classes under ``ancestor`` (the choices of a "did you mean")."""
        return sorted(c for c in self.class_names if self._is_class(c, ancestor))

    def _is_class(self, name: str, ancestor: str) -> bool:
        return name in self.class_names and ancestor in self.ontology.superclasses(SK.term(name))

    def _check_relation_types(
        self, ctx: _Ctx, path: list[Any], what: str, prop: str,
        subject_types: tuple[str, ...], object_types: tuple[str, ...],
    ) -> None:
        if prop not in RELATION_PROPERTIES:
            hint = did_you_mean(prop, RELATION_PROPERTIES) or f"; use one of {', '.join(RELATION_PROPERTIES)}"
            ctx.error(path + ["property"], f"{what}: unknown relation property {prop!r}{hint}")
            return
        if any(t not in self.class_names for t in (*subject_types, *object_types)):
            return  # an unknown type is reported where it is declared
        iri = SK.term(prop)
        subject_iris = [SK.term(t) for t in subject_types if t in SK]
        object_iris = [SK.term(t) for t in object_types if t in SK]
        dom, rng = self.ontology.domain(iri), self.ontology.range(iri)
        if not self.ontology.fits(subject_iris, dom):
            ctx.error(path + ["subject"], f"{what}: the subject is a {'/'.join(subject_types)}, but {prop} needs a {' or '.join(sorted(map(self._name, dom)))}")
        if not self.ontology.fits(object_iris, rng):
            ctx.error(path + ["object"], f"{what}: the object is a {'/'.join(object_types)}, but {prop} needs a {' or '.join(sorted(map(self._name, rng)))}")

    def _cross_ref(self, ctx: _Ctx, path: list[Any], what: str, other: str, article_id: str,
                   known_facts: dict[str, frozenset[str]] | None, key: str = "same_as") -> None:
        if "/" not in other:
            ctx.error(path, f"{what} {key}: write <article id>/<event id>, not {other!r}")
            return
        aid, fid = other.split("/", 1)
        if aid == article_id:
            ctx.error(path, f"{what} {key}: {other!r} is in the same article; write just {fid!r}")
        elif known_facts is not None and fid not in known_facts.get(aid, frozenset()):
            ctx.error(path, f"{what} {key}: no event {fid!r} in article {aid!r}")

    def _date(self, ctx: _Ctx, path: list[Any], d: Any, what: str) -> DateSpec | None:
        basis = d["basis"]
        if basis != "stated" and not d.get("derivation"):
            ctx.error(path, f"{what} date: basis {basis} needs a derivation saying how the date was obtained")
        has_value = "value" in d
        has_span = "begin" in d or "end" in d
        extra = {"time_of_day": d.get("time_of_day"), "conflicts_with": tuple(d.get("conflicts_with", ()))}
        if basis == "unknown":
            if has_value or has_span:
                ctx.error(path, f"{what} date: basis unknown cannot have a value")
            return DateSpec(d.get("text"), None, None, "unknown", d.get("derivation"), None, None, **extra)  # type: ignore[arg-type]
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
            d.get("text"), iso, precision, basis, d.get("derivation"), begin, end,
            month_day, day_of_year(month_day) if month_day else None, **extra,  # type: ignore[arg-type]
        )

    def _count(self, ctx: _Ctx, path: list[Any], c: Any, what: str) -> Count:
        best, low, high = c.get("value"), c.get("low"), c.get("high")
        if best is None and low is None and high is None:
            ctx.error(path, f"{what} count: give value, or low and/or high")
        vals = [v for v in (low, best, high) if v is not None]
        if vals != sorted(vals):
            ctx.error(path, f"{what} count: low <= value <= high does not hold ({low}, {best}, {high})")
        return Count(best, low, high, bool(c.get("approximate", False)), c.get("text"), c.get("unit"))


# --------------------------------------------------------------------------- the corpus as a whole

@dataclass
class CorpusReport:
    """The outcome of reading the whole corpus."""

    articles: list[Article]
    registry: Registry
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def fact_index(reader: CorpusReader, article_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """The ids of every article's facts, read cheaply (for cross-article references)."""
    out = {}
    for aid in article_ids:
        path = reader.annotations_dir / f"{aid}.yaml"
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (our SafeLoader)
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            out[aid] = frozenset(
                x["id"] for k in ("events", "relations", "claims", "observations")
                for x in data.get(k) or [] if isinstance(x, dict) and "id" in x
            )
    return out


def iter_articles(
    reader: CorpusReader, registry: Registry, article_ids: Iterable[str], problems: list[Problem],
    known_facts: dict[str, frozenset[str]] | None = None,
) -> Iterator[Article]:
    """Validated articles one at a time (the corpus is never held in memory as a whole)."""
    for aid in article_ids:
        art = reader.read_article(aid, registry, problems, known_facts)
        if art is not None:
            yield art


def check_corpus(corpus_dir: Path, ontology: Any) -> CorpusReport:
    """Validate the whole corpus; every problem is collected, none raised."""
    reader = CorpusReader(corpus_dir, ontology)
    problems: list[Problem] = []
    registry = reader.read_registry(problems)
    ids = reader.article_ids()
    known = fact_index(reader, ids)
    articles = list(iter_articles(reader, registry, ids, problems, known))
    problems.extend(copied_fact_problems(registry, articles))
    return CorpusReport(articles, registry, problems)


def copied_fact_problems(registry: Registry, articles: Iterable[Article]) -> list[Problem]:
    """Warnings for registry facts copied from an article relation without its date or certainty.

    A registry fact whose source is ``<article id>/<relation id>`` repeats what that article states; if the
    statement is dated or hedged and the copy is not, two offices held at different times would read as
    one undated fact, and a hedged one as certain.
    """
    relations = {f"{a.id}/{r.id}": r for a in articles for r in a.relations}
    out = []
    for ent in registry.entities.values():
        for fact in ent.facts:
            r = relations.get(fact.source)
            if r is None or (r.subject, r.property, r.object) != (ent.id, fact.property, fact.object):
                continue
            where = f"entity {ent.id}: fact {fact.property} {fact.object} (from {fact.source})"
            if r.date and r.date.iso and (fact.date is None or fact.date.iso != r.date.iso):
                out.append(Problem(ent.file, ent.line, f"{where}: the article dates it {r.date.iso}; copy its date", "warning"))
            if r.certainty and fact.certainty != r.certainty:
                out.append(Problem(ent.file, ent.line, f"{where}: the article hedges it ({r.certainty}); copy its certainty", "warning"))
    return out


def load_corpus(corpus_dir: Path, ontology: Any) -> CorpusReport:
    """Like :func:`check_corpus`, but raise :class:`CorpusError` if there is any error."""
    report = check_corpus(corpus_dir, ontology)
    if report.errors:
        raise CorpusError(report.problems)
    return report


# Controlled values, exported for the schema test (the schema's enums must equal these).
CONTROLLED = {
    "role": sorted(ROLE_PROPERTIES), "stance": sorted(STANCES), "certainty": sorted(CERTAINTIES),
    "precision": sorted(PRECISIONS), "basis": sorted(DATE_BASES), "geo_precision": sorted(GEO_PRECISIONS),
    "outcome": sorted(OUTCOMES), "modality": sorted(MODALITIES),
}
