"""Records to RDF: the triples of an article, of the registry and of the ontology.

Terms are N-Triples strings (``<iri>``, ``"text"@en``, ``"7"^^<xsd:integer>``) so that
the build can stream N-Quads straight into pyoxigraph's bulk loader without building
an object per term. See ``docs/graph-model.md`` for the shape of the graph.

The IRIs come from :class:`sahelkg.iris.Iris`; :func:`nquads` writes a graph's lines.

>>> literal('say "hi"\\n', lang="en")
'"say \\\\"hi\\\\"\\\\n"@en'
>>> list(nquads([("<a>", "<b>", '"c"')], "https://w3id.org/sahelkg/graph/registry"))
['<a> <b> "c" <https://w3id.org/sahelkg/graph/registry> .\\n']
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterator
from typing import Any

import rdflib

from sahelkg.corpus import (
    Anchor, Article, Claim, Count, DateSpec, Entity, Event, Observation, Registry, Relation,
)
from sahelkg.iris import Iris, Triple, iri
from sahelkg.vocab import (
    CERTAINTIES, DATE_BASES, DCTERMS, GEO, GEO_PRECISIONS, MODALITIES, OA, OUTCOMES, PRECISIONS, RDF, RDFS,
    REVIEW_STATUSES, ROLE_PROPERTIES, SK, SKOS, STANCES, XSD,
)

_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}


def literal(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal."""
    body = '"' + value.translate(_ESCAPES) + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype and datatype != XSD.string:
        return f"{body}^^<{datatype}>"
    return body


def number(value: float | int) -> str:
    if isinstance(value, bool):
        return boolean(value)
    if float(value).is_integer():
        return literal(str(int(value)), datatype=XSD.integer)
    return literal(repr(float(value)), datatype=XSD.decimal)


def decimal(value: float) -> str:
    return literal(format(value, "f").rstrip("0").rstrip(".") if "." in format(value, "f") else str(value), datatype=XSD.decimal)


def boolean(value: bool) -> str:
    return literal("true" if value else "false", datatype=XSD.boolean)


def date_time(d: dt.date) -> str:
    return literal(d.isoformat() + "T00:00:00", datatype=XSD.dateTime)


TYPE = iri(RDF.type)
RDFS_LABEL = rdflib.URIRef(RDFS.label)
LABEL = iri(RDFS.label)
PREF = iri(SKOS.prefLabel)
ALT = iri(SKOS.altLabel)


def sk(name: str) -> str:
    return iri(SK.term(name))


def time_node(owner: str, node_suffix: str = "time") -> str:
    """The IRI of ``owner``'s time node (``<owner>/time``)."""
    return owner[:-1] + "/" + node_suffix + ">"


def date_triples(node: str, d: DateSpec) -> Iterator[Triple]:
    """The triples of one sk:TimeSpec node (an article's facts, the registry's facts)."""
    yield node, TYPE, sk("TimeSpec")
    if d.text:
        yield node, sk("dateAsWritten"), literal(d.text)
    if d.iso:
        yield node, sk("isoDate"), literal(d.iso)
    if d.begin:
        yield node, sk("beginDate"), date_time(d.begin)
    if d.end:
        yield node, sk("endDate"), date_time(d.end)
    if d.month_day:  # a day without a year: no begin or end, a sort key instead
        yield node, sk("monthDay"), literal(d.month_day)
        yield node, sk("dayOfYear"), number(d.day_of_year or 0)
    if d.time_of_day:
        yield node, sk("timeOfDay"), literal(d.time_of_day)
    if d.precision:
        yield node, sk("datePrecision"), sk(PRECISIONS[d.precision])
    yield node, sk("dateBasis"), sk(DATE_BASES[d.basis])
    if d.derivation:
        yield node, sk("dateDerivation"), literal(d.derivation)


class TermLabels:
    """rdfs:label of ontology terms by language, read once from the ontology graph."""

    def __init__(self, ontology: Any) -> None:
        self.labels: dict[tuple[str, str], str] = {}
        for s, o in ontology.graph.subject_objects(RDFS_LABEL):
            lang = getattr(o, "language", None)
            if lang:
                self.labels.setdefault((str(s), lang), str(o))

    def label(self, term: str, lang: str) -> str | None:
        return self.labels.get((term, lang)) or self.labels.get((term, "en"))


_TERM_LABELS: weakref.WeakKeyDictionary[Any, TermLabels] = weakref.WeakKeyDictionary()


def term_labels(ontology: Any) -> TermLabels:
    """The (cached) :class:`TermLabels` of ``ontology``."""
    if ontology not in _TERM_LABELS:
        _TERM_LABELS[ontology] = TermLabels(ontology)
    return _TERM_LABELS[ontology]


class ArticleMapper:
    """Maps one validated article to triples."""

    def __init__(self, article: Article, registry: Registry, ontology: Any, minter: Iris) -> None:
        self.a = article
        self.registry = registry
        self.ontology = term_labels(ontology)
        self.m = minter
        self.aid = article.id
        self.local_ids = article.local_ids
        self.local_labels = {e.id: e.label for e in article.entities}
        self.out: list[Triple] = []

    def ref(self, eid: str) -> str:
        return iri(self.m.local(self.aid, eid) if eid in self.local_ids else self.m.entity(eid))

    def fact(self, fid: str) -> str:
        return iri(self.m.local(self.aid, fid))

    def add(self, s: str, p: str, o: str) -> None:
        self.out.append((s, p, o))

    def label_of(self, eid: str, lang: str) -> str:
        if eid in self.local_labels:
            return self.local_labels[eid]
        ent = self.registry.entities.get(eid)
        return (ent.labels.get(lang) or ent.labels.get("en") or eid) if ent else eid

    # ---- pieces
    def anchor(self, node: str, anchor: Anchor, suffix: str = "annotation", motivation: str = OA.describing,
               ann: str | None = None) -> None:
        """An oa:Annotation (``ann``, default ``<node>/<suffix>``) anchoring ``node`` to its quote."""
        ann = ann or node[:-1] + "/" + suffix + ">"
        target = ann[:-1] + "/target>"
        quote = ann[:-1] + "/quote>"
        position = ann[:-1] + "/position>"
        add = self.add
        add(ann, TYPE, iri(OA.Annotation))
        add(ann, iri(OA.hasBody), node)
        add(ann, iri(OA.motivatedBy), iri(motivation))
        add(ann, iri(OA.hasTarget), target)
        add(target, TYPE, iri(OA.SpecificResource))
        add(target, iri(OA.hasSource), iri(self.m.article(self.aid)))
        add(target, iri(OA.hasSelector), quote)
        add(target, iri(OA.hasSelector), position)
        add(quote, TYPE, iri(OA.TextQuoteSelector))
        add(quote, iri(OA.exact), literal(anchor.exact))
        add(quote, iri(OA.prefix), literal(anchor.prefix))
        add(quote, iri(OA.suffix), literal(anchor.suffix))
        add(position, TYPE, iri(OA.TextPositionSelector))
        add(position, iri(OA.start), literal(str(anchor.start), datatype=XSD.nonNegativeInteger))
        add(position, iri(OA.end), literal(str(anchor.end), datatype=XSD.nonNegativeInteger))

    def date(self, owner: str, d: DateSpec, prop: str = "hasTime", node_suffix: str = "time",
             shared_with: str | None = None) -> None:
        """``owner``'s date: its own time node, or (``shared_with``) the node of that fact of this article."""
        if shared_with is not None:  # date_of: one time node for the events of one sentence
            self.add(owner, sk(prop), time_node(self.fact(shared_with)))
            return
        node = time_node(owner, node_suffix)
        self.add(owner, sk(prop), node)
        self.out.extend(date_triples(node, d))
        for other in d.conflicts_with:
            other_node = time_node(iri(self.m.article(self.aid)), "published") if other == "published" else time_node(self.fact(other))
            self.add(node, sk("conflictsWith"), other_node)

    def event_ref(self, ref: str) -> str:
        """An event of this article (``e3``) or of another one (``<article id>/e3``)."""
        if "/" in ref:
            other_article, other_id = ref.split("/", 1)
            return iri(self.m.local(other_article, other_id))
        return self.fact(ref)

    def modality(self, node: str, modality: str | None) -> None:
        if modality:
            self.add(node, sk("modality"), sk(MODALITIES[modality]))

    def count(self, owner: str, c: Count) -> None:
        node = owner[:-1] + "/count>"
        add = self.add
        add(owner, sk("hasCount"), node)
        add(node, TYPE, sk("Quantity"))
        for prop, v in (("bestValue", c.best), ("lowValue", c.low), ("highValue", c.high)):
            if v is not None:
                add(node, sk(prop), number(v))
        add(node, sk("isApproximate"), boolean(c.approximate))
        if c.text:
            add(node, sk("quantityAsWritten"), literal(c.text))
        if c.unit:
            add(node, sk("unit"), literal(c.unit))

    def provenance(self, node: str, fid: str, anchor: Anchor, item: Any = None) -> None:
        self.add(node, sk("sourceArticle"), iri(self.m.article(self.aid)))
        self.add(node, sk("annotationId"), literal(fid))
        self.anchor(node, anchor)
        # Shortcuts to what the annotation's selectors hold, so that a query reads a fact's quote (and
        # orders facts in text order) with one lookup instead of annotation -> target -> selector.
        self.add(node, sk("quote"), literal(anchor.exact))
        self.add(node, sk("quoteStart"), literal(str(anchor.start), datatype=XSD.nonNegativeInteger))
        if item is not None:
            self.review(node, node[:-1] + "/annotation>", item)

    def review(self, node: str | None, ann: str | None, item: Any) -> None:
        """A draft's ``sk:reviewStatus`` on its fact ``node`` (None: a registry entity, left alone) and
        its annotation ``ann``, and the drafting program's ``sk:confidence`` on the annotation."""
        status = getattr(item, "status", None)
        if status:
            for subject in (node, ann):
                if subject is not None:
                    self.add(subject, sk("reviewStatus"), sk(REVIEW_STATUSES[status]))
        confidence = getattr(item, "confidence", None)
        if confidence is not None and ann is not None:
            self.add(ann, sk("confidence"), decimal(round(float(confidence), 3)))

    def labels(self, node: str, text: str, *, pref: bool = True) -> None:
        """``text`` as the label of ``node`` in the article's language and, marked untranslated, in the other one.

        A label written by the annotator (a local entity's "a sniper", an event's own label) exists in
        the article's language only, and the build has no dictionary: the other language gets the same
        string, also stated as ``sk:untranslatedLabel`` so that a client can tell it from a translation.
        For a person's name the copy is simply right; for a common noun it is the as-written text.
        """
        lang = self.a.meta.language
        for lg in (lang, *(x for x in ("en", "fr") if x != lang)):
            self.add(node, LABEL, literal(text, lang=lg))
            if pref:
                self.add(node, PREF, literal(text, lang=lg))
            if lg != lang:
                self.add(node, sk("untranslatedLabel"), literal(text, lang=lg))

    def certainty(self, node: str, certainty: str | None) -> None:
        if certainty:
            self.add(node, sk("certainty"), sk(CERTAINTIES[certainty]))

    def note(self, node: str, note: str | None) -> None:
        if note:
            self.add(node, iri(SKOS.note), literal(note, lang=self.a.meta.language))

    # ---- the article
    def triples(self) -> list[Triple]:
        a, meta, add = self.a, self.a.meta, self.add
        art = iri(self.m.article(self.aid))
        add(art, TYPE, sk("Article"))
        add(art, sk("articleId"), literal(self.aid))
        add(art, sk("textSha256"), literal(meta.text_sha256))
        # The text the oa:TextPositionSelector offsets count in: the article view reads it from the store.
        add(art, sk("text"), literal(a.text))
        add(art, iri(DCTERMS.language), literal(meta.language))
        title = meta.title or f"Article {self.aid}"
        add(art, LABEL, literal(title, lang=meta.language))
        if meta.title:
            add(art, iri(DCTERMS.title), literal(meta.title, lang=meta.language))
        if meta.publisher:
            add(art, iri(DCTERMS.publisher), literal(meta.publisher))
        if meta.url:
            add(art, sk("url"), literal(meta.url, datatype=XSD.anyURI))
        if meta.published:
            self.date(art, meta.published, "publishedOn", "published")
        if meta.published_anchor:
            self.anchor(art[:-1] + "/published>", meta.published_anchor, "published-annotation")

        for e in a.entities:
            node = self.ref(e.id)
            for t in e.types:
                add(node, TYPE, sk(t))
            self.labels(node, e.label)
            add(node, sk("sourceArticle"), art)
            self.note(node, e.note)
            if e.anchor:
                self.anchor(node, e.anchor, "annotation", OA.identifying)
            self.review(node, node[:-1] + "/annotation>" if e.anchor else None, e)

        mentioned = set()
        for mention in a.mentions:
            target = self.ref(mention.entity)
            if target not in mentioned:
                add(art, sk("mentions"), target)
                mentioned.add(target)
            ann = iri(self.m.mention(self.aid, mention.anchor.start, mention.anchor.end))
            self.anchor(target, mention.anchor, motivation=OA.identifying, ann=ann)
            self.review(None, ann, mention)

        for e in a.events:
            self.event(e)
        for r in a.relations:
            self.relation(r)
        for c in a.claims:
            self.claim(c)
        for o in a.observations:
            self.observation(o)
        return self.out

    def event_label(self, e: Event, lang: str) -> str:
        """``Type: victims or targets (else agents) (date)`` in ``lang``."""
        type_label = self.ontology.label(SK.term(e.type), lang) or e.type
        who = [self.label_of(eid, lang) for role, eid in e.participants if role in ("victim", "target")]
        who = who or [self.label_of(eid, lang) for role, eid in e.participants if role in ("agent", "attacker", "recipient")]
        text = type_label
        if who:
            text += ": " + ", ".join(dict.fromkeys(who))
        if e.date and e.date.iso:
            text += f" ({e.date.iso})"
        return text

    def event(self, e: Event) -> None:
        node, add = self.fact(e.id), self.add
        add(node, TYPE, sk(e.type))
        if e.label:  # written by the annotator, in the article's language
            self.labels(node, e.label, pref=False)
        else:
            for lang in ("en", "fr"):
                add(node, LABEL, literal(self.event_label(e, lang), lang=lang))
        self.provenance(node, e.id, e.anchor, e)
        if e.trigger:
            self.anchor(node, e.trigger, "trigger", OA.identifying)
        for role, eid in e.participants:
            add(node, sk(ROLE_PROPERTIES[role]), self.ref(eid))
        for eid in e.instruments:
            add(node, sk("hasInstrument"), self.ref(eid))
        if e.place:
            p = e.place
            if p.entity:  # a place given only relative to another is not located at that other place
                add(node, sk("occurredAt"), self.ref(p.entity))
            if p.precision:
                add(node, sk("geoPrecision"), sk(GEO_PRECISIONS[p.precision]))
            if p.reference or p.bearing or p.distance_km is not None or p.between:
                loc = node[:-1] + "/location>"
                add(node, sk("hasRelativeLocation"), loc)
                add(loc, TYPE, sk("RelativeLocation"))
                if p.reference:
                    add(loc, sk("referencePlace"), self.ref(p.reference))
                if p.between:  # "between A and B": both are reference places, the bearing says how
                    add(loc, sk("bearing"), literal("between"))
                    for other in p.between:
                        add(loc, sk("referencePlace"), self.ref(other))
                if p.bearing:
                    add(loc, sk("bearing"), literal(p.bearing))
                if p.distance_km is not None:
                    add(loc, sk("distanceKm"), decimal(float(p.distance_km)))
                if p.text:
                    add(loc, sk("placeAsWritten"), literal(p.text))
        if e.date:
            self.date(node, e.date, shared_with=e.date_from)
        if e.count:
            self.count(node, e.count)
        if e.operation:
            add(node, sk("partOfOperation"), self.ref(e.operation))
        if e.sub_event_of:
            add(node, sk("subEventOf"), self.fact(e.sub_event_of))
        if e.result_of:
            add(node, sk("resultOf"), self.event_ref(e.result_of))
        for other in e.after:
            add(node, sk("after"), self.event_ref(other))
        for other in e.same_as:
            add(node, sk("sameEventAs"), self.event_ref(other))
        for role, eid, certainty in e.hedged:
            # the participant is asserted (above) and described once more with the text's hedge on it alone
            st = node[:-1] + f"/participant/{role}/{eid}>"
            add(node, sk("hasParticipantStatement"), st)
            add(st, TYPE, sk("ParticipantStatement"))
            add(st, sk("participantEvent"), node)
            add(st, sk("participantRole"), literal(SK.term(ROLE_PROPERTIES[role]), datatype=XSD.anyURI))
            add(st, sk("participantAgent"), self.ref(eid))
            add(st, sk("certainty"), sk(CERTAINTIES[certainty]))
        self.modality(node, e.modality)
        for x in e.about:
            add(node, sk("about"), self.fact(x) if x in self.a.fact_ids else self.ref(x))
        if e.award:
            add(node, sk("awarded"), self.ref(e.award))
        self.certainty(node, e.certainty)
        self.note(node, e.note)

    def relation(self, r: Relation) -> None:
        node, add = self.fact(r.id), self.add
        s, o = self.ref(r.subject), self.ref(r.object)
        add(s, sk(r.property), o)
        add(node, TYPE, sk("RelationStatement"))
        add(node, sk("statementSubject"), s)
        add(node, sk("statementPredicate"), sk(r.property))
        add(node, sk("statementObject"), o)
        for lang in ("en", "fr"):
            prop_label = self.ontology.label(SK.term(r.property), lang) or r.property
            add(node, LABEL, literal(f"{self.label_of(r.subject, lang)} {prop_label} {self.label_of(r.object, lang)}", lang=lang))
        self.provenance(node, r.id, r.anchor, r)
        if r.date:
            self.date(node, r.date, shared_with=r.date_from)
        self.certainty(node, r.certainty)
        self.note(node, r.note)

    def claim(self, c: Claim) -> None:
        node, add = self.fact(c.id), self.add
        add(node, TYPE, sk("Claim"))
        add(node, sk("claimant"), self.ref(c.speaker))
        add(node, sk("stance"), sk(STANCES[c.stance]))
        for lang in ("en", "fr"):
            stance_label = self.ontology.label(SK.term(STANCES[c.stance]), lang) or c.stance
            add(node, LABEL, literal(f"{self.label_of(c.speaker, lang)}: {stance_label}", lang=lang))
        self.provenance(node, c.id, c.anchor, c)
        for x in c.about:
            add(node, sk("claimAbout"), self.fact(x))
        for eid in c.attackers:
            add(node, sk("claimedAttacker"), self.ref(eid))
        for eid in c.victims:
            add(node, sk("claimedVictim"), self.ref(eid))
        if c.disjunctive:
            add(node, sk("isDisjunctive"), boolean(True))
        if c.date:
            self.date(node, c.date, shared_with=c.date_from)
        self.certainty(node, c.certainty)
        self.note(node, c.note)

    def observation(self, o: Observation) -> None:
        node, add = self.fact(o.id), self.add
        add(node, TYPE, sk(o.type))
        for lang in ("en", "fr"):
            type_label = self.ontology.label(SK.term(o.type), lang) or o.type
            value = o.count.best if o.count.best is not None else o.count.high
            shown = f"{value:g}" if value is not None else "?"
            add(node, LABEL, literal(f"{type_label}: {self.label_of(o.subject, lang)} {shown}", lang=lang))
        self.provenance(node, o.id, o.anchor, o)
        add(node, sk("observedEntity"), self.ref(o.subject))
        self.count(node, o.count)
        if o.date:
            self.date(node, o.date, shared_with=o.date_from)
        if o.place:
            add(node, sk("observedPlace"), self.ref(o.place))
        if o.outcome:
            add(node, sk("countedOutcome"), sk(OUTCOMES[o.outcome]))
        if o.according_to:
            add(node, sk("accordingTo"), self.ref(o.according_to))
        self.modality(node, o.modality)
        self.note(node, o.note)


def article_triples(article: Article, registry: Registry, ontology: Any, minter: Iris) -> list[Triple]:
    """Every triple article ``article`` states (its named graph)."""
    return ArticleMapper(article, registry, ontology, minter).triples()


def entity_triples(entity: Entity, minter: Iris) -> Iterator[Triple]:
    """The registry triples of one canonical entity."""
    node = iri(minter.entity(entity.id))
    for t in entity.types:
        yield node, TYPE, sk(t)
    for lang, text in sorted(entity.labels.items()):
        yield node, LABEL, literal(text, lang=lang)
        yield node, PREF, literal(text, lang=lang)
    for lang, names in sorted(entity.aliases.items()):
        for name in names:
            yield node, ALT, literal(name, lang=lang)
    for lang, text in sorted(entity.description.items()):
        yield node, iri(DCTERMS.description), literal(text, lang=lang)
    c = entity.coordinates
    if c is not None:
        yield node, sk("latitude"), decimal(c.lat)
        yield node, sk("longitude"), decimal(c.lon)
        yield node, sk("coordinatePrecision"), sk(GEO_PRECISIONS[c.precision])
        yield node, sk("coordinateSource"), literal(c.source)
        if c.source.startswith("geonames:"):
            yield node, sk("gazetteerId"), literal(c.source)
        geom = node[:-1] + "/geometry>"
        yield node, iri(GEO.hasGeometry), geom
        yield geom, TYPE, iri(GEO.Geometry)
        yield geom, iri(GEO.asWKT), literal(f"POINT({c.lon} {c.lat})", datatype=GEO.wktLiteral)
    for i, f in enumerate(entity.facts, 1):
        obj = iri(minter.entity(f.object))
        yield node, sk(f.property), obj
        st = iri(minter.registry_fact(entity.id, i))
        yield st, TYPE, sk("RelationStatement")
        yield st, sk("statementSubject"), node
        yield st, sk("statementPredicate"), sk(f.property)
        yield st, sk("statementObject"), obj
        yield st, iri(DCTERMS.source), literal(f.source)
        if f.date:  # when the fact holds, as the article it was copied from says
            yield st, sk("hasTime"), time_node(st)
            yield from date_triples(time_node(st), f.date)
        if f.certainty:
            yield st, sk("certainty"), sk(CERTAINTIES[f.certainty])
        if "/" in f.source and not f.source.startswith(("annotator:", "geonames:")):
            article_id, ann_id = f.source.split("/", 1)
            yield st, sk("sourceArticle"), iri(minter.article(article_id))
            yield st, iri(RDFS.seeAlso), iri(minter.local(article_id, ann_id))


def registry_triples(registry: Registry, minter: Iris) -> Iterator[Triple]:
    """Every triple of the registry graph, in a stable order."""
    for eid in sorted(registry.entities):
        yield from entity_triples(registry.entities[eid], minter)


def nquads(triples: Iterator[Triple] | list[Triple], graph: str) -> Iterator[str]:
    """N-Quads lines for ``triples`` in the graph named ``graph`` (an IRI)."""
    name = iri(graph)
    for s, p, o in triples:
        yield f"{s} {p} {o} {name} .\n"
