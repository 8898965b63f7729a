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
    iri: str
    text: str
    label: str
    language: str = ""
    highlights: list[Highlight] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # body -> most specific type label


async def read_article(sparql, iri: str, lang: str) -> ArticleView | None:  # type: ignore[no-untyped-def]
    """The article's text and every annotation over it, or None if the store has no text for it."""
    from sahelkg.serving.web import _most_specific_types, _nt, _rows, _val, fetch_labels

    art = _nt(iri)
    rows = _rows(await sparql.select_json(
        f"SELECT ?text ?lang WHERE {{ {art} {_nt(SK.text)} ?text OPTIONAL {{ {art} {_nt(DCTERMS.language)} ?lang }} }} LIMIT 1"))
    if not rows:
        return None
    view = ArticleView(iri, rows[0]["text"]["value"], iri, language=_val(rows[0], "lang") or "")
    result = await sparql.select_json(f"""
SELECT ?ann ?body ?motivation ?start ?end ?family ?draft ?annDraft WHERE {{
  ?target {_nt(OA.hasSource)} {art} ; {_nt(OA.hasSelector)} ?pos .
  ?pos {_nt(OA.start)} ?start ; {_nt(OA.end)} ?end .
  ?ann {_nt(OA.hasTarget)} ?target ; {_nt(OA.hasBody)} ?body .
  OPTIONAL {{ ?ann {_nt(OA.motivatedBy)} ?motivation }}
  OPTIONAL {{ VALUES ?family {{ {" ".join(_nt(SK.term(f)) for f in FAMILIES)} }}
             ?body {_nt(RDF.type)}/{_nt(RDFS.subClassOf)}* ?family }}
  OPTIONAL {{ ?body {_nt(REVIEW_STATUS)} ?draft FILTER(?draft = {_nt(DRAFT)}) }}
  OPTIONAL {{ ?ann {_nt(REVIEW_STATUS)} ?annDraft FILTER(?annDraft = {_nt(DRAFT)}) }}
}}""")  # (OPTIONAL rather than BIND(EXISTS ...): the same query runs on the remote stores)
    found: dict[tuple[int, int, str, str], Highlight] = {}
    for row in _rows(result):
        body = row["body"]["value"]
        if body.startswith(iri + "/"):  # the article's own publication-date anchor
            continue
        start, end = int(_val(row, "start") or 0), int(_val(row, "end") or 0)
        identifying = _val(row, "motivation") == OA.identifying
        family = (_val(row, "family") or SK.base + "Other")[len(SK.base):]
        is_fact = family in ("Event", "Claim", "Observation", "RelationStatement")
        kind = "trigger" if identifying and is_fact else "mention" if identifying else "quote"
        key = (start, end, body, kind)
        h = found.get(key)
        if h is None or (family != "Other" and h.family == "Other"):
            found[key] = Highlight(start, end, body, kind, family, bool(_val(row, "draft") or _val(row, "annDraft")))
    view.highlights = sorted(found.values(), key=lambda h: (h.start, -h.end, h.kind))
    bodies = {h.body for h in view.highlights}
    types = await _most_specific_types(sparql, bodies)
    view.labels = await fetch_labels(sparql, bodies | {iri} | {t for ts in types.values() for t in ts}, lang)
    view.types = {b: ", ".join(sorted(view.labels.get(t, t.rsplit("#", 1)[-1]) for t in ts)) for b, ts in types.items()}
    view.label = view.labels.get(iri, iri)
    return view


def render_text(view: ArticleView, link) -> str:  # type: ignore[no-untyped-def]
    """The text as HTML: cut at every annotation boundary; each piece nests the quotes over it, then one
    link for the mentions and triggers on it (links cannot nest)."""
    from sahelkg.serving.web import h

    text = view.text
    cuts = sorted({0, len(text), *(x.start for x in view.highlights), *(x.end for x in view.highlights)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = h(text[a:b])
        over = [x for x in view.highlights if x.start <= a and b <= x.end and x.start < x.end]
        marks = sorted((x for x in over if x.kind != "quote"), key=lambda x: x.kind != "trigger")  # an event first
        if marks:
            first = marks[0]
            names = "; ".join(f"{view.labels.get(x.body, x.body)} ({view.types.get(x.body, x.family)})"
                              + (" [draft]" if x.draft else "") for x in marks)
            classes = " ".join(sorted({f"{x.kind} f-{x.family}" + (" draft" if x.draft else "") for x in marks}))
            piece = link(first.body, piece, classes, names)
        for q in sorted((x for x in over if x.kind == "quote"), key=lambda x: x.end - x.start):
            piece = (f'<span class="quote f-{q.family}{" draft" if q.draft else ""}" data-fact="{h(q.body)}" '
                     f'title="{h(view.labels.get(q.body, q.body))}">{piece}</span>')
        out.append(piece)
    return "".join(out)


async def article_page(request: Request, site, article_id: str) -> Response:  # type: ignore[no-untyped-def]
    """``/article/ID``: the article's text with its annotations, and the list of its facts."""
    from sahelkg.serving.web import _page, choose_language, h

    lang = choose_language(request)
    iri = f"{site.id_base}article/{article_id}"
    view = await read_article(request.app.state.sparql, iri, lang)
    if view is None:
        return _page("Not found", f"<h1>Not found</h1><p>The store holds no text for the article <code>{h(article_id)}</code>.</p>",
                     lang=lang, path=request.url.path, status=404)

    def link(body: str, inner: str, classes: str, title: str) -> str:
        local = site.local_path(body)
        href = h(local + ("?lang=" + lang if lang != "en" else "")) if local else h(body)
        return f'<a class="{h(classes)}" href="{href}" title="{h(title)}" data-iri="{h(body)}">{inner}</a>'

    facts = sorted({(x.body, x.family, x.draft) for x in view.highlights if x.kind == "quote"},
                   key=lambda t: (t[1], t[0]))

    def fact_list(items: list[tuple[str, str, bool]]) -> str:
        return "".join(
            f'<li class="fact f-{h(fam)}{" draft" if draft else ""}" data-iri="{h(body)}">'
            + link(body, h(view.labels.get(body, body)), f"f-{fam}", view.types.get(body, fam))
            + (' <span class="badge draft-badge">draft</span>' if draft else "")
            + f' <span class="type">{h(view.types.get(body, ""))}</span></li>'
            for body, fam, draft in items)

    reviewed = [f for f in facts if not f[2]]
    drafts = [f for f in facts if f[2]]
    sections = f'<section><h2>Facts stated in this article ({len(reviewed)})</h2><ul class="article-facts">{fact_list(reviewed)}</ul></section>'
    if drafts:  # drafts apart: a machine's proposals, not yet checked by a reviewer
        sections += (f'<section class="drafts"><h2>Drafts, not yet reviewed ({len(drafts)})</h2>'
                     f'<ul class="article-facts">{fact_list(drafts)}</ul></section>')
    legend = " ".join(f'<span class="mention f-{f}">{f}</span>' for f in ("Agent", "Place", "Equipment")) + \
        ' <span class="trigger f-Event">event trigger</span> <span class="quote f-Event">quote of a fact</span>' \
        ' <span class="quote f-Event draft">draft</span>'
    body = (f'<h1>{h(view.label)}</h1><p class="iri">{link(iri, h(site.compact(iri)), "", "the article resource")}</p>'
            f'<p class="legend">{legend}</p>'
            f'<div class="article-text" lang="{h(view.language or lang)}">{render_text(view, link)}</div>{sections}')
    return _page(view.label, body, lang=lang, path=request.url.path,
                 extra_head='<link rel="stylesheet" href="/static/article.css">')
