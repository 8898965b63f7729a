"""The HTML pages: an entity's page and the not-found page, rendered from the Jinja2 templates in ``templates/``.

The templates do the markup; this module computes what they show (the order of statements, what is
folded, grouped or left out) and the :class:`Presenter` they ask for labels, links and compact names.
Every value is escaped on output (``html.escape``, as the pages always were: ``'`` is ``&#x27;``),
and only the templates' own markup and the macros' output are trusted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup
from starlette.responses import HTMLResponse

import sahelkg.vocab as vocab
from sahelkg import __version__
from sahelkg.serving.web.entity_data import (
    RELATION_IRIS, Description, Fact, Quote, Relation, Sparql, bindings, fetch_labels, lit, nt, pick_label,
)
from sahelkg.serving.web.negotiation import DEFAULT_LANGUAGE, LANGUAGES, RDF_FORMATS
from sahelkg.vocab import DCTERMS, DEFAULT_BASE, OA, PREFIXES, RDF, RDFS, SK, SKOS

# The order of an entity page's table of statements: who, where, when, how many, then the rest by label.
STATEMENT_ORDER = {iri: i for i, iri in enumerate(
    [SK.term(p) for p in vocab.ROLE_PROPERTIES.values()]
    + [SK.occurredAt, SK.hasRelativeLocation, SK.hasTime, SK.hasCount, SK.claimant, SK.stance, SK.claimAbout,
       SK.claimedAttacker, SK.claimedVictim, SK.observedEntity, SK.observedPlace, SK.countedOutcome,
       SK.accordingTo, SK.partOfOperation, SK.subEventOf, SK.resultOf, SK.about, SK.certainty])}
# Shown in the page header, so left out of the table of other statements.
HEADER_PROPERTIES = frozenset({
    RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SK.latitude, SK.longitude,
    DCTERMS.description, SKOS.note, SK.text,  # an article's text: shown by its view, /article/ID
})
DOWNLOADS = (("turtle", "Turtle", "text/turtle"), ("jsonld", "JSON-LD", "application/ld+json"),
             ("ntriples", "N-Triples", "application/n-triples"), ("rdfxml", "RDF/XML", "application/rdf+xml"))


def _escape(value: Any) -> Markup:
    # Jinja2's finalize: every value printed goes through html.escape (what the pages have always
    # used), so the output is the same as before the templates; a macro's output is already Markup.
    return value if isinstance(value, Markup) else Markup(escape(str(value), quote=True))


TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("sahelkg.serving.web", "templates"),
    autoescape=True, finalize=_escape, undefined=jinja2.StrictUndefined,
)
TEMPLATES.globals.update(sorted=sorted, languages=LANGUAGES, version=__version__)


@dataclass
class Site:
    """What the pages need to know: the base IRI and the prefixes for compact names."""

    base_iri: str = DEFAULT_BASE

    @property
    def id_base(self) -> str:
        return self.base_iri + "id/"

    @property
    def prefixes(self) -> dict[str, str]:
        return {"id": self.id_base, "graph": self.base_iri + "graph/", **PREFIXES}

    def local_path(self, iri: str) -> str | None:
        """The path of our own page for ``iri`` (``/id/...``), or None if it is not one of ours."""
        if iri.startswith(self.id_base) and len(iri) > len(self.id_base):
            return "/id/" + quote(iri[len(self.id_base):], safe="/:@!$&'()*+,;=-._~")
        return None

    def compact(self, iri: str) -> str:
        """``iri`` as ``prefix:name`` with the longest known namespace, else as it is."""
        best = ""
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(best):
                best, name = ns, prefix
        return f"{name}:{iri[len(best):]}" if best else iri


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1] or iri


class Presenter:
    """What the templates ask about IRIs on one page: labels in its language, hrefs, grouping."""

    def __init__(self, site: Site, labels: dict[str, str], lang: str) -> None:
        self.site, self.labels, self.lang = site, labels, lang

    def label(self, iri: str) -> str:
        """The label of ``iri`` in the page's language, else its local name."""
        return self.labels.get(iri) or _local_name(iri)

    def labels_of(self, iris: Iterable[str]) -> list[str]:
        """The labels of ``iris``, in their order."""
        return [self.label(i) for i in iris]

    def href(self, path: str) -> str:
        """``path`` keeping the page's language."""
        return path + ("?lang=" + self.lang if self.lang != DEFAULT_LANGUAGE else "")

    def by_label(self, terms: list[dict]) -> list[str]:
        """The IRIs of ``terms`` sorted by label, case folded."""
        return [t["value"] for t in sorted(terms, key=lambda t: self.label(t["value"]).lower())]

    @staticmethod
    def group(pairs: list[tuple[str, dict]]) -> list[tuple[str, list[dict]]]:
        """(property, terms) in the order the properties first appear."""
        groups: dict[str, list[dict]] = {}
        for prop, term in pairs:
            groups.setdefault(prop, []).append(term)
        return list(groups.items())

    @staticmethod
    def on_one_line(terms: list[dict], children: dict[str, Any] | None) -> bool:
        """Many links (an article's mentions): shown on one line, by label."""
        return len(terms) > 3 and all(t["type"] == "uri" and not (children and t["value"] in children) for t in terms)

    @staticmethod
    def child_pairs(pairs: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
        # A child node's types (sk:TimeSpec...) are implied by the property that leads to it.
        return [(p, o) for p, o in pairs if p != RDF.type]


def render_page(template: str, *, title: str, lang: str, path: str, r: Presenter, status: int = 200,
                **context: Any) -> HTMLResponse:
    """A page from ``template`` (which extends ``base.html``) as an HTML response."""
    html = TEMPLATES.get_template(template).render(title=title, lang=lang, path=path, r=r, **context)
    return HTMLResponse(html, status_code=status, headers={"Vary": "Accept, Accept-Language"})


def not_found_page(site: Site, lang: str, path: str, before: str, code: str, after: str) -> HTMLResponse:
    """A 404 page saying ``before <code>code</code> after``."""
    return render_page("not_found.html", title="Not found", lang=lang, path=path, r=Presenter(site, {}, lang),
                       status=404, message=(before, code, after))


@dataclass
class EntityView:
    """What an entity page shows beyond its :class:`Description`, in the order it shows it."""

    description: str | None = None
    labels: list[tuple[str, list[str]]] = field(default_factory=list)   # (language tag, labels)
    aliases: list[tuple[str, list[str]]] = field(default_factory=list)
    coords_text: tuple[str, str] | None = None
    coords: tuple[float, float] | None = None
    points_json: str = ""
    describing: list[Quote] = field(default_factory=list)
    triggers: list[Quote] = field(default_factory=list)
    events: list[Fact] = field(default_factory=list)
    sourced: list[Relation] = field(default_factory=list)
    entailed: list[tuple[bool, str, list[str]]] = field(default_factory=list)  # (outward, predicate, others)
    others: list[Fact] = field(default_factory=list)
    article_view: str | None = None
    stated: list[Fact] = field(default_factory=list)
    rest: list[tuple[str, dict]] = field(default_factory=list)
    mentioned_in: list[tuple[str, list[Quote]]] | None = None  # None: no section
    referrers: list[tuple[str, str]] = field(default_factory=list)
    alternates: list[tuple[str, str]] = field(default_factory=list)
    downloads: tuple[tuple[str, str, str], ...] = DOWNLOADS

    @staticmethod
    def relation_date(rel: Relation) -> str:
        """The dates of the facts that state ``rel``."""
        return " / ".join(sorted({x for _, fact, _ in rel.statements if fact for x in fact.dates}))


def entity_view(site: Site, d: Description, lang: str, r: Presenter, title: str) -> EntityView:
    """Compute what the page of ``d`` shows: labels by language, folded relations, leftover statements."""
    v = EntityView(alternates=[(name, media) for name, (media, _, _) in RDF_FORMATS.items()])
    descriptions = d.literals(DCTERMS.description) + d.literals(SKOS.note)
    if descriptions:
        v.description = pick_label([(o["value"], o.get("xml:lang", "")) for o in descriptions], lang)
    by_lang: dict[str, list[str]] = {}
    for o in d.literals(RDFS.label) + d.literals(SKOS.prefLabel):
        values = by_lang.setdefault(o.get("xml:lang", ""), [])
        if o["value"] not in values:
            values.append(o["value"])
    v.labels = sorted(by_lang.items())
    aliases: dict[str, list[str]] = {}
    for o in d.literals(SKOS.altLabel):
        aliases.setdefault(o.get("xml:lang", ""), []).append(o["value"])
    v.aliases = [(t, sorted(names)) for t, names in sorted(aliases.items(), key=lambda kv: (kv[0] != lang, kv[0]))]
    lat, lon = d.literals(SK.latitude), d.literals(SK.longitude)
    if lat and lon:
        try:
            v.coords = (float(lat[0]["value"]), float(lon[0]["value"]))
        except ValueError:
            v.coords = None
        v.coords_text = (lat[0]["value"], lon[0]["value"])
    if v.coords:
        v.points_json = json.dumps([{"lat": v.coords[0], "long": v.coords[1], "label": title, "count": 1}])

    v.describing = [q for q in d.own_quotes if q.motivation != OA.identifying]
    v.triggers = [q for q in d.own_quotes if q.motivation == OA.identifying]
    v.events = [f for f in d.facts if f.is_event and SK.sourceArticle not in f.roles]
    v.stated = [f for f in d.facts if SK.sourceArticle in f.roles]
    v.others = [f for f in d.facts if not f.is_event and SK.sourceArticle not in f.roles]
    v.sourced = [rel for rel in d.relations if rel.statements]
    groups: dict[tuple[bool, str], list[str]] = {}
    for rel in d.relations:
        if not rel.statements:
            outward = rel.subject == d.iri
            groups.setdefault((outward, rel.predicate), []).append(rel.object if outward else rel.subject)
    v.entailed = [(outward, pred, sorted(others, key=r.label))
                  for (outward, pred), others in sorted(groups.items(), key=lambda kv: (not kv[0][0], r.label(kv[0][1])))]
    if d.literals(SK.text) and d.iri.startswith(site.id_base + "article/"):
        v.article_view = "/article/" + quote(d.iri[len(site.id_base + "article/"):], safe="")

    listed = {f.iri for f in d.facts} | {n for rel in d.relations for n, _, _ in rel.statements}
    shown = {(rel.predicate, rel.object) for rel in d.relations if rel.subject == d.iri}
    v.rest = [(p, o) for p, o in d.outgoing
              if p not in HEADER_PROPERTIES and (p, o["value"]) not in shown and o["value"] not in listed
              and p not in RELATION_IRIS]
    v.rest.sort(key=lambda po: (STATEMENT_ORDER.get(po[0], len(STATEMENT_ORDER)), r.label(po[0]).lower()))
    referrers = [(x, p) for x, p in d.incoming
                 if x not in listed and x.rsplit("/", 1)[0] not in listed and p not in (OA.hasBody, OA.hasSource)
                 and p not in RELATION_IRIS and p not in (SK.statementSubject, SK.statementObject)
                 and not any((p, q) in d.inverses for q, o in d.pointed if o == x)]
    mentioned_in = sorted({x for x, p in referrers if p == SK.mentions})
    v.referrers = [(x, p) for x, p in referrers if p != SK.mentions][:500]
    if mentioned_in or d.mentions:
        by_article: dict[str, list[Quote]] = {}
        for q in d.mentions:
            by_article.setdefault(q.article or "", []).append(q)
        v.mentioned_in = [(art, by_article.get(art, [])[:20])
                          for art in sorted(set(mentioned_in) | set(by_article) - {""})]
    return v


def render_entity(site: Site, d: Description, lang: str, path: str) -> HTMLResponse:
    """The HTML page of one resource."""
    r = Presenter(site, d.labels, lang)
    title = r.label(d.iri)
    return render_page("entity.html", title=title, lang=lang, path=path, r=r, d=d,
                       v=entity_view(site, d, lang, r, title))


async def render_not_found(sparql: Sparql, site: Site, iri: str, lang: str, path: str) -> HTMLResponse:
    """A 404 page that says what was asked and suggests resources with a similar name."""
    tail = iri[len(site.id_base):].rsplit("/", 1)[-1].lower()
    suggestions: list[str] = []
    if tail:
        result = await sparql.select_json(
            f"SELECT DISTINCT ?s WHERE {{ ?s {nt(RDFS.label)} ?l . "
            f"FILTER(STRSTARTS(STR(?s), {lit(site.id_base)}) && CONTAINS(LCASE(STR(?s)), {lit(tail[:40])})) }} "
            "ORDER BY ?s LIMIT 10")
        suggestions = [row["s"]["value"] for row in bindings(result)]
    labels = await fetch_labels(sparql, suggestions, lang)
    return render_page("not_found.html", title="Not found", lang=lang, path=path, r=Presenter(site, labels, lang),
                       status=404, iri=iri, suggestions=suggestions)
