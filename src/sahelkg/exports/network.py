"""The graph as a network of actors, places and events, for Gephi (GEXF) and GraphML.

Nodes
    *actors*: every individual of ``sk:Agent`` (persons, groups of persons, armed forces and units,
    armed groups, governments, organizations, military operations and missions), registry
    entities and article-local ones (“an armed terrorist group”); *places* (``sk:Place``);
    *events* (``sk:Event``, one node per article's report). Attributes: ``label`` in the chosen
    language (else English, else French), ``type`` (a partition: person, armed group, armed
    force, military operation, place, event...), ``class`` (the most specific class),
    ``degree``, ``events`` (events an actor took part in, or that occurred at a place),
    ``fatalities`` (see below), ``latitude``/``longitude`` (a place's own coordinates; an event's
    are those of its place; an actor's those of the place where most of its located events
    occurred, named in ``location``), ``date`` (an event's date as resolved, ISO 8601),
    ``acled_event_type``.

Edges
    *relations* between actors and places asserted in the registry or an article
    (``sk:memberOf``, ``sk:affiliatedWith``, ``sk:partOf``, ``sk:locatedIn``, ``sk:leads``...),
    kind = the property's local name, weight = the number of sources (registry, articles) that
    assert it, time = the intervals of its relation statements when every statement is dated;
    inverse properties are written one way (``sk:contains`` as ``sk:locatedIn``...);
    *participation* event -> actor, kind = the role (attacker, target, victim, agent,
    supporting_force, recipient, participant), also in ``roles``, weight 1, time = the event's;
    event -> place (``occurredAt``), event -> operation (``partOfOperation``), event -> event
    (``subEventOf``, ``resultOf``, ``sameEventAs``).

Fatalities (deaths as reported, see :mod:`sahelkg.exports.events`): an event's are the deaths its
own report and its sub-events and results report; an actor's or a place's are the deaths of the
incidents it took part in or that occurred there, each incident once. Unknown stays absent
(never 0); a sum over several incidents counts the known ones.

Projections: ``full`` (all of the above; ``events=False`` hides event nodes and their edges),
``actors`` (actors linked when they take part in the same event, in any roles, listed in the
edge's ``roles``; weight = number of distinct incidents shared; first and last day of those
events as the edge's interval and its ``first_date``/``last_date``), ``event-place``
(events, the places where they occurred and those places' containing places).

Time: closed intervals of days (``start``/``end`` or ``<spells>``), from ``sk:beginDate`` and
``sk:endDate``; elements without a known date are present all the time. Every dated edge also
carries its first and last day as ``first_date``/``last_date`` (columns that filter in Gephi's
data laboratory without the timeline).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import pyoxigraph as ox

from sahelkg.errors import UsageError
from sahelkg.exports.common import (
    text,
    LABEL,
    TYPE,
    Graphs,
    Ontology,
    Progress,
    asserted_quads,
    local_name,
    nn,
    no_progress,
    number,
    pick_label,
    sk,
)
from sahelkg.exports.events import UnionFind, count_of, time_span
from sahelkg.vocab import DEFAULT_BASE, OWL, RELATION_PROPERTIES, ROLE_PROPERTIES, SK

PROJECTIONS = ("full", "actors", "event-place")

# Partition of the nodes: the first class an individual belongs to names its ``type``.
CATEGORIES = [
    "ArmedGroup", "PrivateMilitaryCompany", "ArmedForce", "MilitaryUnit", "MilitaryOperation",
    "PeacekeepingMission", "Government", "GovernmentBody", "InternationalOrganization", "Organization",
    "Person", "PersonGroup", "Agent", "Place", "Event",
]
# viz colours per category (Gephi shows them before any partition is applied)
COLOURS = {
    "ArmedGroup": (214, 39, 40), "PrivateMilitaryCompany": (140, 86, 75), "ArmedForce": (31, 119, 180),
    "MilitaryUnit": (23, 190, 207), "MilitaryOperation": (44, 160, 44), "PeacekeepingMission": (188, 189, 34),
    "Government": (148, 103, 189), "GovernmentBody": (197, 176, 213), "InternationalOrganization": (255, 187, 120),
    "Organization": (199, 199, 199), "Person": (255, 127, 14), "PersonGroup": (247, 182, 210),
    "Agent": (127, 127, 127), "Place": (152, 223, 138), "Event": (227, 119, 194),
}
ROLES = {prop: role for role, prop in ROLE_PROPERTIES.items() if prop != "hasInstrument"}
EVENT_LINKS = ("subEventOf", "resultOf", "sameEventAs")
# Inverse pairs are written in one direction: the key is rewritten as the value, reversed.
CANONICAL = {"contains": "locatedIn", "ledBy": "leads", "succeeds": "succeededBy",
             "hasParticipatingForce": "participatesIn"}


@dataclass(slots=True)
class Node:
    """One node; ``kind`` is actor, place or event; ``category`` a key of :data:`CATEGORIES`."""

    id: str
    label: str
    kind: str
    category: str
    type: str
    cls: str
    attrs: dict[str, object] = field(default_factory=dict)
    spells: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Edge:
    """One edge; ``spells`` are closed day intervals (empty: present all the time)."""

    source: str
    target: str
    kind: str
    label: str
    weight: float = 1.0
    spells: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict[str, object] = field(default_factory=dict)


@dataclass
class Network:
    """Nodes and edges of one projection, with the graph's metadata."""

    projection: str
    lang: str
    nodes: dict[str, Node]
    edges: list[Edge]
    directed: bool = True

    def degrees(self) -> dict[str, int]:
        deg: dict[str, int] = defaultdict(int)
        for e in self.edges:
            deg[e.source] += 1
            deg[e.target] += 1
        return deg


@dataclass(slots=True)
class _Pair:
    """Two actors of the actor network: the incidents and days they share, their role pairs."""

    incidents: set[str] = field(default_factory=set)
    days: list[str] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)


def _iri(term: object) -> str:
    """The IRI of ``term`` as one shared string: pyoxigraph makes a new string at every read, and the
    network keeps an IRI in several tables (types, categories, nodes, both ends of its edges)."""
    return sys.intern(text(term))


def _merge_spells(spells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Sorted, overlapping or touching intervals merged (Gephi rejects overlapping spells).

    >>> _merge_spells([("2014-01-01", "2014-12-31"), ("2014-10-27", "2014-10-27"), ("2021-09-24", "2021-09-24")])
    [('2014-01-01', '2014-12-31'), ('2021-09-24', '2021-09-24')]
    """
    out: list[tuple[str, str]] = []
    for b, e in sorted(set(spells)):
        if out and b <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((b, e))
    return out


class _Reader:
    """Reads what the projections need from the store, once, into plain dicts."""

    def __init__(self, store: ox.Store, lang: str, base_iri: str, progress: Progress) -> None:
        self.store, self.lang, self.progress = store, lang, progress
        self.graphs = Graphs(base_iri)
        self.onto = Ontology(store, self.graphs)
        self.category_of_class: dict[str, str | None] = {}
        self.types: dict[str, AbstractSet[str]] = defaultdict(set)
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.coords: dict[str, dict[str, float]] = defaultdict(dict)
        self.times: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.released = False

    def quads(self, prop: str) -> Iterator[ox.Quad]:
        return asserted_quads(self.store, self.graphs, None, sk(prop), None)

    def category(self, types: AbstractSet[str]) -> str | None:
        best = None
        for t in types:
            if t not in self.category_of_class:
                anc = self.onto.ancestors(t)
                self.category_of_class[t] = next((c for c in CATEGORIES if SK.term(c) in anc), None)
            c = self.category_of_class[t]
            if c is not None and (best is None or CATEGORIES.index(c) < CATEGORIES.index(best)):
                best = c
        return best

    def read(self) -> None:
        p = self.progress
        p("reading types", 0, 5)
        relevant: dict[str, bool] = {}
        for q in asserted_quads(self.store, self.graphs, None, TYPE, None):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                cls = q.object.value
                if cls not in relevant:
                    relevant[cls] = self.category({cls}) is not None
                if relevant[cls]:  # annotations, selectors, time nodes... are not kept
                    self.types[_iri(q.subject)].add(cls)
        # most nodes share their set of types with many others: one frozenset per distinct set
        shared: dict[frozenset[str], frozenset[str]] = {}
        for s, ts in self.types.items():
            self.types[s] = shared.setdefault(frozenset(ts), frozenset(ts))  # type: ignore[assignment]
        self.cats = {s: c for s, ts in self.types.items() if (c := self.category(ts)) is not None}
        p("reading types", 1, 5)
        for q in asserted_quads(self.store, self.graphs, None, LABEL, None):
            s = _iri(q.subject)
            if s in self.cats and isinstance(q.object, ox.Literal):
                self.labels[s].setdefault(q.object.language or "", text(q.object))
        p("reading types", 2, 5)
        for prop in ("latitude", "longitude"):
            for q in self.quads(prop):
                v = number(q.object)
                if v is not None:
                    self.coords[_iri(q.subject)][prop] = v
        p("reading types", 3, 5)
        for q in self.quads("hasTime"):
            s = _iri(q.subject)
            if self.cats.get(s) == "Event" and isinstance(q.subject, ox.NamedNode):
                span = time_span(self.store, q.subject)
                if span:
                    self.times[s] = (span.begin, span.end, span.iso)
        p("reading types", 4, 5)
        self.acled: dict[str, str] = {}
        for s, c in self.cats.items():
            if c == "Event":
                specific = self.onto.most_specific(self.types[s])
                a = self.onto.acled_type(specific) if specific else None
                if a:
                    self.acled[s] = a["event_type"]
        p("reading types", 5, 5)

    def release(self) -> None:
        """Drop what only :meth:`node` needs, once every node is made: types, ACLED types, labels but places'.

        The network's peak memory is reached after the nodes are made (relations, statistics, the
        sort of the edges); the nodes hold their own copy of all this.
        """
        self.released = True
        self.types.clear()
        self.acled.clear()
        for iri in [i for i in self.labels if self.cats.get(i) != "Place"]:
            del self.labels[iri]  # a place's label names an actor's location

    def label(self, iri: str) -> str:
        found = pick_label(self.labels.get(iri, {}), self.lang)
        if found:
            return " ".join(found.split())
        # no label: the IRI's path after the id base, so it is readable and never equal to the id
        return iri.split("/id/", 1)[-1] if "/id/" in iri else local_name(iri)

    def node(self, iri: str) -> Node:
        assert not self.released, "a node made after release()"
        cat = self.cats[iri]
        kind = "event" if cat == "Event" else "place" if cat == "Place" else "actor"
        cls = self.onto.most_specific(self.types[iri]) or SK.term(cat)
        node = Node(iri, self.label(iri), kind, cat, self.onto.label(SK.term(cat), self.lang),
                    self.onto.label(cls, self.lang), {"iri": iri})
        if kind == "event":
            begin, end, iso = self.times.get(iri, (None, None, None))
            if begin and end:
                node.spells = [(begin, end)]
            if iso:
                node.attrs["date"] = iso
            if iri in self.acled:
                node.attrs["acled_event_type"] = self.acled[iri]
        c = self.coords.get(iri, {})
        if "latitude" in c and "longitude" in c:
            node.attrs["latitude"], node.attrs["longitude"] = c["latitude"], c["longitude"]
        return node


def _event_structure(r: _Reader) -> tuple[dict[str, list[str]], UnionFind, dict[str, int | None]]:
    """Children (sub-events and results) per event, incidents, and the deaths each Death reports."""
    children: dict[str, list[str]] = defaultdict(list)
    incidents = UnionFind()
    for prop in EVENT_LINKS:
        for q in r.quads(prop):
            a, b = _iri(q.subject), _iri(q.object)
            if r.cats.get(a) == "Event" and r.cats.get(b) == "Event":
                incidents.union(a, b)
                if prop != "sameEventAs":
                    children[b].append(a)
    deaths: dict[str, int | None] = {}
    for iri, ts in r.types.items():
        if r.cats.get(iri) == "Event" and r.onto.is_a(ts, SK.Death):
            n = count_of(r.store, nn(iri))
            if n is None:
                victims = [_iri(q.object) for q in asserted_quads(r.store, r.graphs, nn(iri), sk("hasVictim"), None)]
                if victims and all(r.onto.is_a(r.types.get(v, set()), SK.Person) for v in victims):
                    n = len(set(victims))
            deaths[iri] = n
    # a death that is a sub-event of another death is one of the persons that one counts
    for q in r.quads("subEventOf"):
        if _iri(q.subject) in deaths and _iri(q.object) in deaths:
            deaths[_iri(q.subject)] = 0
    return children, incidents, deaths


def _sum_deaths(death_events: set[str], deaths: dict[str, int | None], same: UnionFind) -> int | None:
    """Known deaths of ``death_events``; reports of one death in several articles count once (lowest)."""
    per_report: dict[str, int] = {}
    for d in death_events:
        n = deaths.get(d)
        if n is not None:
            key = same.find(d)
            per_report[key] = min(per_report.get(key, n), n)
    return sum(per_report.values()) if per_report else None


def read_network(store: ox.Store, *, projection: str = "full", lang: str = "en", events: bool = True,
                 base_iri: str = DEFAULT_BASE, progress: Progress = no_progress) -> Network:
    """Read the network of ``projection`` from ``store``.

    :param projection: ``full``, ``actors`` or ``event-place`` (see the module docstring).
    :param lang: language of labels and of the ``type``/``class`` values.
    :param events: ``full`` only: False hides event nodes and their edges.
    :raises UsageError: an unknown projection.
    """
    if projection not in PROJECTIONS:
        raise UsageError(f"--projection {projection!r}: use one of {', '.join(PROJECTIONS)}")
    r = _Reader(store, lang, base_iri, progress)
    r.read()
    children, incidents, deaths = _event_structure(r)
    same = UnionFind()
    for q in r.quads("sameEventAs"):
        same.union(_iri(q.subject), _iri(q.object))

    def descendants(e: str) -> set[str]:
        seen, todo = {e}, [e]
        while todo:
            for c in children.get(todo.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        return seen

    event_ids = sorted(i for i, c in r.cats.items() if c == "Event")
    incident_deaths: dict[str, set[str]] = defaultdict(set)
    for e in event_ids:
        if e in deaths:
            incident_deaths[incidents.find(e)].add(e)

    # participation, per event
    participation: list[tuple[str, str, str]] = []  # (event, role, actor)
    for prop, role in sorted(ROLES.items()):
        for q in r.quads(prop):
            e, a = _iri(q.subject), _iri(q.object)
            if r.cats.get(e) == "Event" and a in r.cats and r.cats[a] not in ("Event", "Place"):
                participation.append((e, role, a))
    participation = sorted(set(participation))
    progress("reading relations", 0, 1)

    nodes: dict[str, Node] = {}
    edges: list[Edge] = []

    def add(iri: str) -> Node:
        if iri not in nodes:
            nodes[iri] = r.node(iri)
        return nodes[iri]

    spells_of: dict[str, list[tuple[str, str]]] = {}

    def event_spells(e: str) -> list[tuple[str, str]]:
        """The event's interval, one list for all its edges (never changed in place: merging makes a new one)."""
        found = spells_of.get(e)
        if found is None:
            b, en, _ = r.times.get(e, (None, None, None))
            found = spells_of[e] = [(b, en)] if b and en else []
        return found

    if projection == "actors":
        pairs: dict[tuple[str, str], _Pair] = {}
        by_event: dict[str, list[str]] = defaultdict(list)
        roles: dict[tuple[str, str], set[str]] = defaultdict(set)
        for e, role, a in participation:
            by_event[e].append(a)
            roles[(e, a)].add(role)
        for e, actors in sorted(by_event.items()):
            actors = sorted(set(actors))
            for i, a in enumerate(actors):
                for b in actors[i + 1:]:
                    d = pairs.setdefault((a, b), _Pair())
                    d.incidents.add(incidents.find(e))
                    d.roles.update(f"{ra}/{rb}" for ra in roles[(e, a)] for rb in roles[(e, b)])
                    d.days.extend(x for span in event_spells(e) for x in span)
        for (a, b), d in sorted(pairs.items()):
            add(a), add(b)
            days = sorted(d.days)
            edge = Edge(a, b, "co-participation", r.onto.label(SK.participatedIn, lang), float(len(d.incidents)))
            edge.attrs["roles"] = "; ".join(sorted(d.roles))
            if days:
                edge.spells = [(days[0], days[-1])]
                edge.attrs.update(first_date=days[0], last_date=days[-1])
            edges.append(edge)
        r.release()
        _actor_stats(r, nodes, participation, incidents, incident_deaths, deaths, same)
        return _finish(Network(projection, lang, nodes, edges, directed=False))

    with_events = projection == "event-place" or events
    if projection == "full":
        for iri in sorted(r.cats):
            if r.cats[iri] != "Event" or with_events:
                add(iri)
        r.release()  # every node is made: the event and place nodes below are among these
        edges.extend(_relations(r, set(nodes)))
    if with_events:
        for e in event_ids:
            add(e)
            roll = _sum_deaths({d for d in descendants(e) if d in deaths}, deaths, same)
            if roll is not None:
                nodes[e].attrs["fatalities"] = roll
        for q in r.quads("occurredAt"):
            e, pl = _iri(q.subject), _iri(q.object)
            if e in nodes and r.cats.get(pl) == "Place":
                add(pl)
                edges.append(Edge(e, pl, "occurredAt", r.onto.label(SK.occurredAt, lang), 1.0, event_spells(e)))
                c = r.coords.get(pl, {})
                if "latitude" in c and "longitude" in c and "latitude" not in nodes[e].attrs:
                    nodes[e].attrs["latitude"], nodes[e].attrs["longitude"] = c["latitude"], c["longitude"]
    if projection == "event-place":
        # the containing places, so that the hierarchy shows
        located = defaultdict(set)
        for q in r.quads("locatedIn"):
            located[_iri(q.subject)].add(_iri(q.object))
        for q in r.quads("contains"):
            located[_iri(q.object)].add(_iri(q.subject))
        todo = [i for i, n in nodes.items() if n.kind == "place"]
        while todo:
            for up in located.get(todo.pop(), ()):
                if r.cats.get(up) == "Place" and up not in nodes:
                    add(up)
                    todo.append(up)
        edges.extend(e for e in _relations(r, set(nodes)) if e.kind == "locatedIn")
    r.release()
    if projection == "full" and with_events:
        for e, role, a in participation:
            edge = Edge(e, a, role, r.onto.label(SK.term(_role_prop(role)), lang), 1.0, event_spells(e))
            edge.attrs["roles"] = role
            edges.append(edge)
        for prop in ("partOfOperation", *EVENT_LINKS):
            for q in r.quads(prop):
                s, o = _iri(q.subject), _iri(q.object)
                if s in nodes and o in nodes and s != o:
                    edges.append(Edge(s, o, prop, r.onto.label(SK.term(prop), lang), 1.0, event_spells(s)))
    _actor_stats(r, nodes, participation, incidents, incident_deaths, deaths, same)
    return _finish(Network(projection, lang, nodes, _dedupe(edges)))


def _role_prop(role: str) -> str:
    return ROLE_PROPERTIES[role]


def _dedupe(edges: list[Edge]) -> list[Edge]:
    seen: dict[tuple[str, str, str], Edge] = {}
    for e in edges:
        key = (e.source, e.target, e.kind)
        if key in seen:
            seen[key].spells = _merge_spells(seen[key].spells + e.spells) if seen[key].spells and e.spells else []
        else:
            seen[key] = e
    return list(seen.values())


def _relations(r: _Reader, keep: set[str]) -> list[Edge]:
    """Asserted relations between ``keep`` nodes, one edge per (subject, property, object)."""
    symmetric = {p for p, kinds in r.onto.kinds.items() if OWL.SymmetricProperty in kinds}
    sources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for prop in RELATION_PROPERTIES:
        for q in r.quads(prop):
            s, o = _iri(q.subject), _iri(q.object)
            if s not in keep or o not in keep or s == o:
                continue
            name = prop
            if prop in CANONICAL:
                name, s, o = CANONICAL[prop], o, s
            if SK.term(name) in symmetric and o < s:
                s, o = o, s
            sources[(s, name, o)].add(_iri(q.graph_name))  # type: ignore[union-attr]
    # dated statements: sk:statementSubject/Predicate/Object + sk:hasTime
    spells: dict[tuple[str, str, str], list[tuple[str, str] | None]] = defaultdict(list)
    parts: dict[str, dict[str, str]] = defaultdict(dict)
    for key in ("statementSubject", "statementPredicate", "statementObject"):
        for q in r.quads(key):
            parts[_iri(q.subject)][key] = _iri(q.object)
    for st, d in parts.items():
        if len(d) < 3:
            continue
        s, name, o = d["statementSubject"], local_name(d["statementPredicate"]), d["statementObject"]
        if name in CANONICAL:
            name, s, o = CANONICAL[name], o, s
        if SK.term(name) in symmetric and o < s:
            s, o = o, s
        if (s, name, o) in sources:
            span = time_span(r.store, nn(st))
            spells[(s, name, o)].append((span.begin, span.end) if span and span.begin and span.end else None)
    out = []
    for (s, name, o), graphs in sorted(sources.items()):
        got = spells.get((s, name, o), [])
        dated = _merge_spells([x for x in got if x]) if got and all(got) else []
        out.append(Edge(s, o, name, r.onto.label(SK.term(name), r.lang), float(len(graphs)), dated))
    return out


def _actor_stats(r: _Reader, nodes: dict[str, Node], participation: list[tuple[str, str, str]],
                 incidents: UnionFind, incident_deaths: dict[str, set[str]], deaths: dict[str, int | None],
                 same: UnionFind) -> None:
    """``events`` and ``fatalities`` of actor and place nodes."""
    events_of: dict[str, set[str]] = defaultdict(set)
    for e, _, a in participation:
        events_of[a].add(e)
    for q in r.quads("occurredAt"):
        if r.cats.get(_iri(q.subject)) == "Event":
            events_of[_iri(q.object)].add(_iri(q.subject))
    places_of: dict[str, list[str]] = defaultdict(list)
    for q in r.quads("occurredAt"):
        c = r.coords.get(_iri(q.object), {})
        if "latitude" in c and "longitude" in c:
            places_of[_iri(q.subject)].append(_iri(q.object))
    for iri, node in nodes.items():
        if node.kind == "event":
            continue
        evs = events_of.get(iri, set())
        if node.kind == "actor":
            # where the actor is most often reported: the commonest located place of its events
            counts: dict[str, int] = defaultdict(int)
            for e in evs:
                for pl in places_of.get(e, ()):
                    counts[pl] += 1
            if counts:
                main = min(counts, key=lambda pl: (-counts[pl], pl))
                c = r.coords[main]
                node.attrs.update(latitude=c["latitude"], longitude=c["longitude"], location=r.label(main))
        node.attrs["events"] = len(evs)
        dead: set[str] = set()
        for e in evs:
            dead |= incident_deaths.get(incidents.find(e), set())
        n = _sum_deaths(dead, deaths, same)
        if n is not None:
            node.attrs["fatalities"] = n


def _finish(net: Network) -> Network:
    for edge in net.edges:
        if edge.spells and "first_date" not in edge.attrs:
            edge.attrs["first_date"] = min(b for b, _ in edge.spells)
            edge.attrs["last_date"] = max(e for _, e in edge.spells)
    for iri, d in net.degrees().items():
        if iri in net.nodes:
            net.nodes[iri].attrs["degree"] = d
    for n in net.nodes.values():
        n.attrs.setdefault("degree", 0)
    net.edges.sort(key=lambda e: (e.source, e.target, e.kind))
    return net
