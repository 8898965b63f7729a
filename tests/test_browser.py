"""The web page in a real headless browser: Debian's chromium driven by playwright.

The server runs on a free loopback port over the fixture store of test_web.py. The page loads with
no request leaving the server, a named query runs from its button, the results table shows the labels,
an IRI opens its entity page with the quote, and the timeline and the map draw the event.

Needs `apt-get install chromium` and `pip install playwright` (never `playwright install`: the browser
is Debian's, at /usr/bin/chromium or $SAHELKG_CHROMIUM). Screenshots go to $SAHELKG_SCREENSHOTS if set.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import missing

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SAHELKG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTICLE = "001_af0646745c3fb3a7"


def _load_test_web():
    # The fixture store and the server helper live in test_web.py, beside this file.
    spec = importlib.util.spec_from_file_location("sahelkg_test_web", Path(__file__).with_name("test_web.py"))
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


tw = _load_test_web()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    app = tw.make_app(tw.build_fixture_store(root), tw.build_fixture_queries(root))
    with tw.serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright import sync_api
    except ImportError:
        missing("pip install playwright")
    if not Path(CHROMIUM).exists():
        missing(f"no chromium at {CHROMIUM}: apt-get install chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page that records console errors and every request it makes."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.requests = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def _screenshot(pg, name: str) -> None:
    folder = os.environ.get("SAHELKG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(folder) / name), full_page=True)


def test_named_query_results_and_entity_page(page, server):
    page.goto(server + "/")
    button = page.locator("#query-list button[data-query=deaths]")
    button.wait_for()
    assert "Deaths, with the victim, date and place" in button.inner_text()
    # The editor is CodeMirror with SPARQL highlighting.
    assert page.locator(".CodeMirror .cm-keyword").first.inner_text().upper() in ("PREFIX", "SELECT")

    button.click()
    rows = page.locator("table.results tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    cells = rows.first.locator("td")
    assert cells.nth(0).locator("a").inner_text() == "Death: Maxime Blasco (2021-09-24)"  # label, from /api/labels
    assert cells.nth(1).locator("a").inner_text() == "Maxime Blasco"
    assert cells.nth(2).locator(".literal").inner_text() == "Maxime Blasco"
    assert cells.nth(2).locator(".tag").inner_text().strip() == "@en"
    assert cells.nth(3).inner_text() == "2021-09-24"
    assert "VALUES (?lang ?place)" in page.evaluate("window.sahelkg.cm.getValue()")
    assert page.locator("#status").inner_text().startswith("1 row")
    assert [b.inner_text() for b in page.locator("#downloads button").all()] == ["JSON", "XML", "CSV", "TSV"]
    _screenshot(page, "query-page.png")

    cells.nth(0).locator("a").click()
    page.wait_for_url(f"{server}/id/{ARTICLE}/e1")
    assert page.locator("h1").inner_text() == "Death: Maxime Blasco (2021-09-24)"
    assert page.locator("blockquote.quote mark").first.inner_text() == "Corporal Maxime Blasco was killed by a sniper"
    assert page.locator("blockquote.quote .source a").first.inner_text() == "French soldier killed in Mali"
    _screenshot(page, "entity-page.png")

    page.go_back()
    page.locator("table.results tbody tr").first.wait_for()  # the URL kept the query: it runs again
    assert page.locator("table.results tbody tr").count() == 1

    assert page.errors == []
    assert all(url.startswith((server, "data:", "blob:")) for url in page.requests), page.requests


def test_french_labels_and_editor_query(page, server):
    page.goto(server + "/")
    page.locator("#query-list button").first.wait_for()
    page.select_option("#lang", "fr")
    page.evaluate("""window.sahelkg.cm.setValue(
      'PREFIX sk: <https://w3id.org/sahelkg/ontology#>\\nSELECT ?who WHERE { ?who sk:memberOf ?force }')""")
    page.click("#run")
    link = page.locator("table.results tbody tr td a").first
    link.wait_for()
    assert link.inner_text() == "Maxime Blasco"
    assert link.get_attribute("href") == "/id/maxime-blasco?lang=fr"
    link.click()
    page.wait_for_url(f"{server}/id/maxime-blasco?lang=fr")
    assert "a pour victime" in page.locator("table.facts").first.inner_text()
    assert page.errors == []


def test_prefix_completion_declares_the_prefix(page, server):
    page.goto(server + "/")
    page.locator("#query-list button").first.wait_for()
    page.evaluate("window.sahelkg.cm.setValue('SELECT * WHERE { ?s a  }'); window.sahelkg.cm.setCursor({line: 0, ch: 22})")
    page.locator(".CodeMirror textarea").focus()
    page.keyboard.type("skos:")
    text = page.evaluate("window.sahelkg.cm.getValue()")
    assert text.startswith("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
    page.keyboard.type("prefL")
    hint = page.locator(".CodeMirror-hints li").first
    hint.wait_for()
    assert hint.inner_text() == "prefLabel"
    page.keyboard.press("Enter")
    assert "?s a skos:prefLabel" in page.evaluate("window.sahelkg.cm.getValue()")


def test_timeline_and_map_of_the_events(page, server):
    page.goto(server + "/")
    page.locator("#query-list button").first.wait_for()
    page.click("#events-button")
    page.locator("svg.timeline circle").first.wait_for()
    assert page.locator("svg.timeline circle").count() == 1
    assert "2021" in page.locator("svg.timeline").text_content()  # an axis tick
    page.click(".tabs button[data-view=map]")
    page.locator("svg.map circle.point").first.wait_for()
    assert page.locator("svg.map circle.point").count() == 1
    assert page.locator("svg.map text.point-label").text_content() == "Gossi"
    assert "Mali" in page.locator("svg.map text.country-label").all_text_contents()
    _screenshot(page, "map.png")
    assert page.errors == []


# --------------------------------------------------------------------------- the real corpus on the page


@pytest.fixture(scope="module")
def real_server(real_settings, real_store) -> Iterator[str]:
    """The page over the store built from the real corpus/ and queries/."""
    with tw.serve(tw.make_app(Path(real_settings.store), real_settings.queries_dir)) as url:
        yield url


def _legend(page) -> list[dict[str, str]]:
    return page.evaluate("""[...document.querySelectorAll('#view-timeline .legend span')].map((s) => ({
        type: s.dataset.type, text: s.textContent, colour: s.style.getPropertyValue('--c'),
        hollow: s.classList.contains('hollow') }))""")


def test_timeline_gives_every_event_type_a_marker_of_its_own(page, real_server):
    page.goto(real_server + "/")
    page.locator("#query-list button").first.wait_for()
    page.click("#events-button")
    page.locator("svg.timeline circle").first.wait_for()
    legend = _legend(page)
    drawn = set(page.evaluate("[...document.querySelectorAll('svg.timeline circle')].map((c) => c.dataset.type)"))
    assert {entry["type"] for entry in legend} == drawn
    assert len(legend) > 12  # more types than the old palette had colours: the case that repeated them
    markers = [(entry["colour"], entry["hollow"]) for entry in legend]
    assert len(set(markers)) == len(markers), markers
    assert "death" in {entry["text"] for entry in legend}  # the class label, lower case as in the ontology
    _screenshot(page, "timeline-event-types.png")
    assert page.errors == []


def test_named_timeline_is_coloured_by_its_category_with_a_legend(page, real_server):
    page.goto(real_server + "/?named=timeline")
    page.locator("table.results tbody tr").first.wait_for()
    column = page.evaluate("[...document.querySelectorAll('table.results thead th')].map((th) => th.textContent)")
    i = column.index("categoryLabel")
    categories = set(page.evaluate(
        f"[...document.querySelectorAll('table.results tbody tr')].map((tr) => tr.cells[{i}].querySelector('.literal').textContent)"))
    page.click(".tabs button[data-view=timeline]")
    page.locator("svg.timeline circle").first.wait_for()
    legend = _legend(page)
    assert {entry["text"] for entry in legend} == categories
    assert len(categories) > 1 and len({entry["colour"] for entry in legend}) == len(categories)
    _screenshot(page, "timeline-named-categories.png")
    assert page.errors == []


def test_events_map_frames_the_sahel_and_names_the_far_places(page, real_server):
    page.goto(real_server + "/")
    page.locator("#query-list button").first.wait_for()
    page.click("#events-button")
    page.locator("svg.timeline circle").first.wait_for()
    page.click(".tabs button[data-view=map]")
    page.locator("svg.map circle.point").first.wait_for()
    names = page.locator("svg.map circle.point title").all_text_contents()
    assert not any(n.startswith("Pau") for n in names) and any(n.startswith("Gossi") for n in names)
    assert "Mali" in page.locator("svg.map text.country-label").all_text_contents()
    outside = page.locator("#view-map p.outside")
    assert "Pau" in outside.inner_text()
    _screenshot(page, "map-sahel.png")
    outside.locator("button").click()
    page.locator("svg.map circle.point title", has_text="Pau").wait_for(state="attached")
    assert page.locator("#view-map p.outside").count() == 0
    assert page.errors == []


def test_map_without_coordinates_is_a_message_not_an_empty_map(page, real_server):
    page.goto(real_server + "/")
    page.locator("#query-list button").first.wait_for()
    page.evaluate("window.sahelkg.cm.setValue('SELECT ?s WHERE { ?s a <https://w3id.org/sahelkg/ontology#Death> }')")
    page.click("#run")
    page.locator("table.results tbody tr").first.wait_for()
    page.click(".tabs button[data-view=map]")
    message = page.locator("#view-map p.empty")
    message.wait_for()
    assert message.inner_text().startswith("No coordinates in these results")
    assert page.locator("#view-map svg").count() == 0
    _screenshot(page, "map-no-coordinates.png")


def test_an_error_takes_the_previous_downloads_away(page, real_server):
    page.goto(real_server + "/")
    page.locator("#query-list button").first.wait_for()
    page.evaluate("window.sahelkg.cm.setValue('SELECT ?s WHERE { ?s ?p ?o } LIMIT 1')")
    page.click("#run")
    page.locator("#downloads button").first.wait_for()
    page.evaluate("window.sahelkg.cm.setValue('SELECT ?s WHERE { ?s ?p ?o ')")
    page.click("#run")
    error = page.locator("#view-table pre.error")
    error.wait_for()
    assert "a closing '}' is missing" in error.inner_text()
    assert page.locator("#downloads button").count() == 0
    _screenshot(page, "error-no-downloads.png")


def test_a_pasted_query_gets_the_well_known_prefixes(page, real_server):
    page.goto(real_server + "/")
    page.locator("#query-list button").first.wait_for()
    page.evaluate("window.sahelkg.cm.setValue('SELECT ?label WHERE { <https://w3id.org/sahelkg/id/gossi> skos:prefLabel ?label }')")
    page.click("#run")
    page.locator("table.results tbody tr").first.wait_for()
    assert page.evaluate("window.sahelkg.cm.getValue()").startswith("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
    assert page.locator("#status").inner_text().endswith("· declared PREFIX skos: (not in the query)")
    assert page.locator("table.results tbody tr").count() == 2  # "Gossi"@en and "Gossi"@fr


def test_the_page_speaks_the_language_of_the_labels(page, real_server):
    page.goto(real_server + "/")
    page.locator("#query-list button").first.wait_for()
    page.select_option("#lang", "fr")
    assert page.locator("#run").inner_text() == "Exécuter"
    assert page.locator(".tabs button").all_inner_texts() == ["Tableau", "Frise", "Carte"]
    assert page.locator("#events-button").inner_text() == "Événements : frise et carte"
    assert page.evaluate("document.documentElement.lang") == "fr"
    page.click("#events-button")
    page.locator("svg.timeline circle").first.wait_for()
    assert "ligne" in page.locator("#status").inner_text()
    assert "Cliquer sur un point" in page.locator("#view-timeline .map-caption").inner_text()
    _screenshot(page, "page-in-french.png")
    assert page.errors == []


def test_entity_search_completes_a_misspelt_name(page, server):
    page.goto(server + "/")
    page.locator("#query-list button").first.wait_for()
    page.locator("#entity-search").fill("blasko")  # misspelt, lower case
    option = page.locator("#entity-search-results li[role=option]").first
    option.wait_for()
    assert option.locator(".label").inner_text() == "Maxime Blasco"
    assert option.locator(".type").inner_text() == "Person"
    assert option.get_attribute("aria-selected") == "true"
    _screenshot(page, "entity-search.png")
    page.locator("#entity-search").press("Enter")
    page.wait_for_url(f"{server}/id/maxime-blasco")
    assert page.locator("h1").inner_text() == "Maxime Blasco"
    assert page.errors == []
    assert all(url.startswith((server, "data:", "blob:")) for url in page.requests), page.requests
