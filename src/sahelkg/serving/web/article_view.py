"""The article view: ``/article/ID`` shows an article's text with its annotations highlighted.

Everything comes from the store, as for every page of the endpoint: the text is the article's
``sk:text`` (the normalised text the offsets count in), and each highlight is an ``oa:Annotation``
whose target has the article as source and an ``oa:TextPositionSelector`` (start, end). Mentions and
event triggers (``oa:identifying``) are links to the entity or event page, with a hover that names
it; the quotes of facts (``oa:describing``) are underlined. A fact (or an annotation) marked
``sk:reviewStatus sk:Draft`` is drawn dashed, with a "draft" badge in the list of facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from sahelkg.serving.web.entity_data import Sparql, bindings, cell, fetch_labels, most_specific_types, nt
from sahelkg.serving.web.negotiation import DEFAULT_LANGUAGE, choose_language
from sahelkg.serving.web.pages import Presenter, Site, not_found_page, render_page
from sahelkg.vocab import DCTERMS, OA, RDF, RDFS, SK

# sk:reviewStatus and sk:Draft are the draft marking of the annotation format (COMMON.md item 1);
# read by IRI so that the page shows drafts whichever build wrote them.
REVIEW_STATUS = SK.base + "reviewStatus"
DRAFT = SK.base + "Draft"
FAMILIES = ("Agent", "Place", "Equipment", "Event", "Claim", "Observation", "RelationStatement")


@dataclass
class Highlight:
    """One annotation over the text."""

    start: int
    end: int
    body: str
    kind: str  # "mention", "trigger" or "quote"
    family: str  # Agent, Place, Equipment, Event, Claim, Observation, RelationStatement, Other
    draft: bool = False


@dataclass
class ArticleView:
    """An article's text, the annotations over it, and the labels and types of what they annotate."""

    iri: str
    text: str
    label: str
    language: str = ""
    highlights: list[Highlight] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # body -> most specific type label


async def read_article(sparql: Sparql, iri: str, lang: str) -> ArticleView | None:
    """The article's text and every annotation over it, or None if the store has no text for it."""
    art = nt(iri)
    rows = bindings(await sparql.select_json(
        f"SELECT ?text ?lang WHERE {{ {art} {nt(SK.text)} ?text OPTIONAL {{ {art} {nt(DCTERMS.language)} ?lang }} }} LIMIT 1"))
    if not rows:
        return None
    view = ArticleView(iri, rows[0]["text"]["value"], iri, language=cell(rows[0], "lang") or "")
    result = await sparql.select_json(f"""
SELECT ?ann ?body ?motivation ?start ?end ?family ?draft ?annDraft WHERE {{
  ?target {nt(OA.hasSource)} {art} ; {nt(OA.hasSelector)} ?pos .
  ?pos {nt(OA.start)} ?start ; {nt(OA.end)} ?end .
  ?ann {nt(OA.hasTarget)} ?target ; {nt(OA.hasBody)} ?body .
  OPTIONAL {{ ?ann {nt(OA.motivatedBy)} ?motivation }}
  OPTIONAL {{ VALUES ?family {{ {" ".join(nt(SK.term(f)) for f in FAMILIES)} }}
             ?body {nt(RDF.type)}/{nt(RDFS.subClassOf)}* ?family }}
  OPTIONAL {{ ?body {nt(REVIEW_STATUS)} ?draft FILTER(?draft = {nt(DRAFT)}) }}
  OPTIONAL {{ ?ann {nt(REVIEW_STATUS)} ?annDraft FILTER(?annDraft = {nt(DRAFT)}) }}
}}""")  # (OPTIONAL rather than BIND(EXISTS ...): the same query runs on the remote stores)
    found: dict[tuple[int, int, str, str], Highlight] = {}
    for row in bindings(result):
        body = row["body"]["value"]
        if body.startswith(iri + "/"):  # the article's own publication-date anchor
            continue
        start, end = int(cell(row, "start") or 0), int(cell(row, "end") or 0)
        identifying = cell(row, "motivation") == OA.identifying
        family = (cell(row, "family") or SK.base + "Other")[len(SK.base):]
        is_fact = family in ("Event", "Claim", "Observation", "RelationStatement")
        kind = "trigger" if identifying and is_fact else "mention" if identifying else "quote"
        key = (start, end, body, kind)
        h = found.get(key)
        if h is None or (family != "Other" and h.family == "Other"):
            found[key] = Highlight(start, end, body, kind, family, bool(cell(row, "draft") or cell(row, "annDraft")))
    view.highlights = sorted(found.values(), key=lambda h: (h.start, -h.end, h.kind))
    bodies = {h.body for h in view.highlights}
    types = await most_specific_types(sparql, bodies)
    view.labels = await fetch_labels(sparql, bodies | {iri} | {t for ts in types.values() for t in ts}, lang)
    view.types = {b: ", ".join(sorted(view.labels.get(t, t.rsplit("#", 1)[-1]) for t in ts)) for b, ts in types.items()}
    view.label = view.labels.get(iri, iri)
    return view


@dataclass
class Piece:
    """A stretch of the text between two annotation boundaries, and what is over it."""

    text: str
    quotes: list[Highlight]  # the quotes over it, shortest (innermost) first
    link: Highlight | None = None  # the mention or trigger it links to (an event's trigger first)
    classes: str = ""
    title: str = ""


def text_pieces(view: ArticleView) -> list[Piece]:
    """The text cut at every annotation boundary; each piece with the quotes over it, then one link for
    the mentions and triggers on it (links cannot nest)."""
    text = view.text
    cuts = sorted({0, len(text), *(x.start for x in view.highlights), *(x.end for x in view.highlights)})
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        over = [x for x in view.highlights if x.start <= a and b <= x.end and x.start < x.end]
        quotes = sorted((x for x in over if x.kind == "quote"), key=lambda x: x.end - x.start)
        piece = Piece(text[a:b], quotes)
        marks = sorted((x for x in over if x.kind != "quote"), key=lambda x: x.kind != "trigger")  # an event first
        if marks:
            piece.link = marks[0]
            piece.title = "; ".join(f"{view.labels.get(x.body, x.body)} ({view.types.get(x.body, x.family)})"
                                    + (" [draft]" if x.draft else "") for x in marks)
            piece.classes = " ".join(sorted({f"{x.kind} f-{x.family}" + (" draft" if x.draft else "") for x in marks}))
        pieces.append(piece)
    return pieces


async def article_page(request: Request, site: Site, article_id: str) -> Response:
    """``/article/ID``: the article's text with its annotations, and the list of its facts."""
    lang = choose_language(request)
    iri = f"{site.id_base}article/{article_id}"
    view = await read_article(request.app.state.sparql, iri, lang)
    if view is None:
        return not_found_page(site, lang, request.url.path, "The store holds no text for the article ", article_id, ".")

    def href(body: str) -> str:
        local = site.local_path(body)
        return local + ("?lang=" + lang if lang != DEFAULT_LANGUAGE else "") if local else body

    facts = sorted({(x.body, x.family, x.draft) for x in view.highlights if x.kind == "quote"},
                   key=lambda t: (t[1], t[0]))
    # drafts apart: a machine's proposals, not yet checked by a reviewer
    return render_page("article.html", title=view.label, lang=lang, path=request.url.path,
                       r=Presenter(site, view.labels, lang), view=view, pieces=text_pieces(view), href=href,
                       reviewed=[f for f in facts if not f[2]], drafts=[f for f in facts if f[2]])
