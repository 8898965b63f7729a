"""The one SPARQL-text module (sahelkg.sparql) and the endpoint's typed worker jobs."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pyoxigraph
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from server_support import build_store  # noqa: E402

from sahelkg.errors import QueryError, UsageError  # noqa: E402
from sahelkg.serving.endpoint.workers import (  # noqa: E402
    GraphGet,
    GraphWrite,
    QueryJob,
    Reply,
    UpdateJob,
    _WorkerState,
)
from sahelkg.sparql import (  # noqa: E402
    add_using,
    describe_syntax_error,
    first_group,
    map_strings,
    tokens,
    undeclared_prefixes,
    with_base,
)

EX = "http://example.org/"


def test_tokens_keep_strings_iris_names_and_blank_nodes_whole() -> None:
    text = 'SELECT ?s { _:b ex:p "a { b" ; <http://x/#y> \'\'\'c\n"d\'\'\' } # } WHERE'
    assert [(t.kind, t.text) for t in tokens(text)] == [
        ("word", "SELECT"), ("var", "?s"), ("punct", "{"), ("bnode", "_:b"), ("pname", "ex:p"),
        ("string", '"a { b"'), ("other", ";"), ("iri", "<http://x/#y>"), ("string", "'''c\n\"d'''"), ("punct", "}"),
    ]


def test_a_blank_node_label_is_not_an_undeclared_prefix() -> None:
    assert undeclared_prefixes("SELECT * { _:b <http://x/p> ?o . ?o ex:q 1 }") == [("ex", 36)]


def test_describe_syntax_error_names_the_misspelt_keyword() -> None:
    text = "SELECT * WHERE { ?s ?p ?o }\nLIMT 3"
    with pytest.raises(SyntaxError) as e:
        pyoxigraph.Store().query(text)
    assert describe_syntax_error(e.value, text) == (2, 1, "'LIMT' is not a SPARQL keyword: did you mean LIMIT?")


def test_with_base_keeps_a_declared_base() -> None:
    assert with_base("SELECT * { <a> ?p ?o }", "http://x/") == "BASE <http://x/>\nSELECT * { <a> ?p ?o }"
    assert with_base("SELECT * { <a> ?p 'BASE' }", None) == "SELECT * { <a> ?p 'BASE' }"
    assert with_base("# BASE <http://y/>\nSELECT * { <a> ?p ?o }", "http://x/") == (
        "BASE <http://x/>\n# BASE <http://y/>\nSELECT * { <a> ?p ?o }")
    assert with_base("PREFIX a: <x#>\nBASE <http://y/> ASK {}", "http://x/") == "PREFIX a: <x#>\nBASE <http://y/> ASK {}"


def test_first_group_and_map_strings_skip_strings_and_comments() -> None:
    text = 'SELECT ?s # {\nWHERE { ?s ?p "}" . FILTER(REGEX(?s, "$1a")) }'
    start, end = first_group(text) or (0, 0)
    assert (text[start], text[end], text[end + 1:]) == ("{", "}", "")
    assert first_group("SELECT * WHERE { ?s ?p ?o") is None
    assert map_strings(text, lambda s: s.replace("$1", "${1}")) == text.replace('"$1a"', '"${1}a"')


def test_add_using_refuses_an_update_with_its_own_dataset() -> None:
    with pytest.raises(QueryError, match="^the update has a USING or WITH clause"):
        add_using("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }", [], ["http://g2"])
    with pytest.raises(UsageError, match="unbalanced"):
        from sahelkg.sparql import inject_values

        inject_values("CONSTRUCT { ?s ?p ?o WHERE { ?s ?p ?o }", {"s": "<http://x>"})


@pytest.fixture
def worker(tmp_path: Path) -> _WorkerState:
    quads = [pyoxigraph.Quad(pyoxigraph.NamedNode(EX + f"s{i}"), pyoxigraph.NamedNode(EX + "p"), pyoxigraph.Literal(f"v{i}"),
                             pyoxigraph.NamedNode(EX + "g")) for i in range(3)]
    return _WorkerState(str(build_store(tmp_path / "store", quads)), read_write=False)


def test_a_query_job_answers_a_reply_and_the_serialized_result(worker: _WorkerState) -> None:
    job = QueryJob(f"SELECT ?o WHERE {{ <{EX}s1> ?p ?o }}", None, "csv", "turtle", max_bytes=1000, union=True)
    job = pickle.loads(pickle.dumps(job))  # as it crosses the socket
    assert worker.run(job, b"") == (Reply(media_type="text/csv"), b"o\r\nv1\r\n")


def test_a_job_past_its_byte_limit_or_refused_answers_an_error_reply(worker: _WorkerState) -> None:
    big = QueryJob("SELECT * WHERE { ?s ?p ?o }", None, "json", None, max_bytes=50, union=True)
    assert worker.run(big, b"") == (
        Reply.error(500, "result larger than 50 bytes: ask for less (LIMIT, fewer variables)"), b"")
    construct = QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", None, "json", None, max_bytes=1000, union=True)
    assert worker.run(construct, b"")[0].status == 406
    assert worker.run(UpdateJob("CLEAR ALL", None), b"") == (Reply.error(403, "this worker holds the store read-only"), b"")
    assert worker.run(GraphWrite(EX + "g", "turtle", None, replace=True), b"") == (
        Reply.error(403, "this worker holds the store read-only"), b"")
    assert worker.run(GraphGet(EX + "nothing", "ntriples", 1000), b"") == (
        Reply.error(404, f"no graph <{EX}nothing> in the store"), b"")
    malformed = worker.run(QueryJob("SELECT * WHERE { ?s ?p }", None, "json", None, 1000), b"")[0]
    assert (malformed.status, malformed.message.splitlines()[0]) == (
        400, "malformed query at line 1, column 25: expected LATERAL or SERVICE")
