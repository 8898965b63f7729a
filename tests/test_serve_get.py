"""``sahelkg serve --get PATH``: the README's example requests, answered through the app without a port."""

from __future__ import annotations

import json
import multiprocessing
import re
import shlex

import pyoxigraph
import pytest
from click.testing import CliRunner

from sahelkg.cli import main
from sahelkg.settings import PACKAGE_ROOT, Settings

README = PACKAGE_ROOT / "README.md"
ID = "https://w3id.org/sahelkg/id/"


def readme_examples() -> list[tuple[list[str], str]]:
    """The ``sahelkg serve --get`` lines of the README: (arguments, the comment after them)."""
    examples = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("sahelkg serve --get "):
            words = shlex.split(line, comments=True)
            comment = line.split("  #", 1)[1].strip() if "  #" in line else ""
            examples.append((words[1:], comment))
    return examples


def get(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--store", settings.store, "--workers", "1"],
                                env={"SAHELKG_QUERIES": str(settings.queries_dir)})
    return result.exit_code, result.stdout, result.stderr


def test_the_readme_examples(real_settings: Settings, real_store: pyoxigraph.Store) -> None:
    examples = readme_examples()
    assert [args[2] for args, _ in examples] == [
        "/api/search?q=Blasko&limit=1", "/id/maxime-blasco",
        "/api/queries/events-by-place?place=https://w3id.org/sahelkg/id/gossi&format=csv",
        "/sparql?query=ASK{<https://w3id.org/sahelkg/id/gossi> ?p ?o}"]
    answers = []
    for args, comment in examples:
        code, out, err = get(real_settings, *args)
        assert code == 0, (args, err)
        answers.append((out, comment))

    # The search example is the answer docs/endpoint.md shows.
    docs = (PACKAGE_ROOT / "docs" / "endpoint.md").read_text(encoding="utf-8")
    shown = re.search(r"serve --get '/api/search\?q=Blasko&limit=1'` prints.*?```json\n(.*?)```", docs, re.S)
    assert shown is not None
    assert json.loads(answers[0][0]) == json.loads(shown.group(1))

    turtle = pyoxigraph.Store()
    turtle.load(answers[1][0].encode(), pyoxigraph.RdfFormat.TURTLE)
    label = pyoxigraph.Quad(pyoxigraph.NamedNode(ID + "maxime-blasco"),
                            pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                            pyoxigraph.Literal("Maxime Blasco", language="en"))
    assert label in turtle

    rows = answers[2][0].splitlines()
    assert rows[0].startswith("date,eventTypeLabel,eventLabel,whereLabel")
    assert rows[1:] == ["2021-09-24,military action,military action: an armed terrorist group (2021-09-24),Gossi,"
                        f"near the location,,,,false,001_af0646745c3fb3a7,e2,{ID}001_af0646745c3fb3a7/e2"]

    out, comment = answers[3]
    assert out == comment == '{"head":{},"boolean":true}'
    assert multiprocessing.active_children() == []  # the query workers were stopped


def test_an_error_status_exits_1(real_settings: Settings, real_store: pyoxigraph.Store) -> None:
    code, out, err = get(real_settings, "serve", "--get", "/id/no-such-thing")
    assert code == 1
    assert "<h1>Not found</h1>" in out
    assert err.splitlines()[-1] == "HTTP 404 for GET /id/no-such-thing"
    code, out, err = get(real_settings, "serve", "--get", "/id/gossi", "-H", "Accept: image/png")
    assert code == 1 and err.splitlines()[-1] == "HTTP 406 for GET /id/gossi"


@pytest.mark.parametrize(("args", "message"), [
    (["--get", "api/search"], "error: --get 'api/search': give a path starting with /, e.g. /api/search?q=gao"),
    (["--get", "/", "-H", "Accept text/html"], "error: --header 'Accept text/html': write 'NAME: VALUE'"),
])
def test_usage_errors(real_settings: Settings, real_store: pyoxigraph.Store, args: list[str], message: str) -> None:
    code, out, err = get(real_settings, "serve", *args)
    assert (code, out, err.strip()) == (2, "", message)
