"""The article view /article/ID in a real browser (Debian's chromium driven by playwright).

The store holds the ontology, the registry and article 001 as the build maps them, plus one triple
the test inserts: e7 marked ``sk:reviewStatus sk:Draft`` (the draft marking of the annotation format).
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pyoxigraph
import pytest
from test_browser import browser, tw  # noqa: F401 - the module's browser fixture: one chromium, one way

from sahelkg.corpus import CorpusReader
from sahelkg.graph.ontology import load_ontology
from sahelkg.graph.rdf import ArticleMapper, nquads, registry_triples
from sahelkg.iris import Iris
from sahelkg.settings import PACKAGE_ROOT
from sahelkg.store import StoreLayout
from sahelkg.vocab import DEFAULT_BASE, SK

pytestmark = pytest.mark.browser
ARTICLE = "001_af0646745c3fb3a7"


def build_article_store(root: Path) -> Path:
    ontology = load_ontology(PACKAGE_ROOT / "ontology" / "sahelkg.ttl")
    reader = CorpusReader(PACKAGE_ROOT / "corpus", ontology)
    problems: list = []
    registry = reader.read_registry(problems)
    article = reader.read_article(ARTICLE, registry, problems)
    assert article is not None, problems
    minter = Iris(DEFAULT_BASE)
    lines = list(nquads(ArticleMapper(article, registry, ontology, minter).triples(), minter.article_graph(ARTICLE)))
    lines += nquads(registry_triples(registry, minter), minter.registry_graph)
    lines.append(f"<{DEFAULT_BASE}id/{ARTICLE}/e7> <{SK.base}reviewStatus> <{SK.base}Draft> <{minter.article_graph(ARTICLE)}> .\n")
    layout = StoreLayout(root / "store")
    new = layout.begin(incremental=False)
    store = pyoxigraph.Store(str(new))
    store.load("".join(lines).encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    store.load((PACKAGE_ROOT / "ontology" / "sahelkg.ttl").read_bytes(), format=pyoxigraph.RdfFormat.TURTLE,
               to_graph=pyoxigraph.NamedNode(DEFAULT_BASE + "graph/ontology"))
    store.flush()
    del store
    layout.commit(new)
    return layout.path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("article")
    app = tw.make_app(build_article_store(root), tw.build_fixture_queries(root))
    with tw.serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def page(server, browser):
    pg = browser.new_page(viewport={"width": 1300, "height": 900})
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(f"{server}/article/{ARTICLE}")
    pg.wait_for_selector(".article-text a")
    if os.environ.get("SAHELKG_SCREENSHOTS"):
        pg.screenshot(path=str(Path(os.environ["SAHELKG_SCREENSHOTS"]) / "article-view.png"), full_page=True)
    yield pg
    pg.close()


def test_text_comes_whole_from_the_store(page):
    text = (PACKAGE_ROOT / "corpus" / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    assert page.inner_text(".article-text").strip() == text.strip()
    assert page.errors == []


def test_mentions_link_to_their_entity_with_a_hover_naming_it(page):
    blasco = page.locator('.article-text a.mention[data-iri$="/id/maxime-blasco"]')
    assert blasco.count() == 5  # the annotation's mentions: "A French soldier", "Maxime Blasco" x3, "the victim"
    first = blasco.nth(0)
    assert first.inner_text() == "A French soldier"
    assert first.get_attribute("href") == "/id/maxime-blasco"
    assert first.get_attribute("title") == "Maxime Blasco (person)"
    assert "f-Agent" in first.get_attribute("class")
    mali = page.locator('.article-text a.mention[data-iri$="/id/mali"]').nth(0)
    assert "f-Place" in mali.get_attribute("class")


def test_event_triggers_and_quotes_are_highlighted(page):
    trigger = page.locator(f'.article-text a.trigger[data-iri$="/id/{ARTICLE}/e1"]')
    assert trigger.inner_text() == "killed in action"
    assert trigger.get_attribute("href") == f"/id/{ARTICLE}/e1"
    assert trigger.get_attribute("title") == "death: Maxime Blasco (2021-09-24) (death)"
    quote = page.locator(f'.article-text span.quote[data-fact$="/id/{ARTICLE}/e1"]')
    assert "".join(quote.all_inner_texts()) == "A French soldier was killed in action in Mali on Friday morning"
    # a trigger is drawn in the event colour, a relation's quote in its own
    assert page.locator(f'span.quote.f-RelationStatement[data-fact$="/id/{ARTICLE}/r1"]').count() >= 1


def test_drafts_are_shown_apart(page):
    draft = page.locator(f'section.drafts li.draft[data-iri$="/id/{ARTICLE}/e7"]')
    assert draft.count() == 1
    assert page.inner_text("section.drafts h2") == "Drafts, not yet reviewed (1)"
    assert draft.locator(".draft-badge").inner_text() == "draft"
    assert page.locator(".article-facts li.draft").count() == 1  # e7 only
    assert page.locator(f'.article-text a.trigger.draft[data-iri$="/id/{ARTICLE}/e7"]').inner_text() == "hit"
    style = page.eval_on_selector(f'.article-text a.trigger.draft[data-iri$="/id/{ARTICLE}/e7"]',
                                  "e => getComputedStyle(e).outlineStyle")
    assert style == "dashed"
    reviewed = page.locator(f'.article-facts li[data-iri$="/id/{ARTICLE}/e1"]')
    assert "draft" not in reviewed.get_attribute("class")


def test_an_article_without_text_is_404(server):
    import httpx

    r = httpx.get(f"{server}/article/no-such-article")
    assert r.status_code == 404
    assert "holds no text for the article" in r.text


def test_the_article_page_links_to_its_view_without_the_text(server):
    import httpx

    r = httpx.get(f"{server}/id/article/{ARTICLE}", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert f'<a href="/article/{ARTICLE}">Read the text with its annotations highlighted</a>' in r.text
    text = (PACKAGE_ROOT / "corpus" / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    assert html.escape(text[:300]) not in r.text  # the text is the view's, not a statement in the table
