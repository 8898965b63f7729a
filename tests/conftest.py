"""Shared fixtures: the real project built once per test session, and small corpora to break.

Conventions for new tests (README.md, "Running the tests"):

- Build the real corpus through ``real_settings``/``real_store`` (once per session and per xdist
  worker), edit a corpus through ``corpus_copy``/``min_corpus``, never the checkout's own files.
- Reach a SPARQL server through ``any_store`` (a query's answer on every kind of store) or
  ``remote_urls(kind)``: each server starts once per session; the tests are then marked ``remote`` and
  kept on one xdist worker per server kind (below), so a server is never started twice.
- A tool that may be absent (Java, chromium, a server, an outside checker in ../shared) is asked for
  with ``missing(reason)``: a skip with the reason on a developer's machine, a failure in CI.
- Mark with ``java``, ``browser`` or ``slow`` (``make test-fast`` leaves those and ``remote`` out).
- No sleeps or time bounds: wait for an event or a state, with a deadline only to end a hang.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest

from sahelkg.settings import PACKAGE_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the real ontology/, corpus/ and queries/, with a store of the session's own."""
    store = tmp_path_factory.mktemp("real") / "store"
    return Settings.from_env(store=str(store), root=PACKAGE_ROOT, ontology_dir=PACKAGE_ROOT / "ontology",
                             corpus_dir=PACKAGE_ROOT / "corpus", queries_dir=PACKAGE_ROOT / "queries")


@pytest.fixture(scope="session")
def real_store(real_settings: Settings) -> pyoxigraph.Store:
    """The real corpus built once (full build) and opened read-only."""
    from sahelkg.build import build
    from sahelkg.store import open_read_only

    build(real_settings, full=True)
    return open_read_only(real_settings.store)


def copy_corpus(src: Path, dest: Path) -> Path:
    """A copy of a corpus folder (with the schemas) to modify in a test."""
    shutil.copytree(src, dest)
    if not (dest / "schema").exists():
        shutil.copytree(PACKAGE_ROOT / "corpus" / "schema", dest / "schema")
    return dest


@pytest.fixture
def min_corpus(tmp_path: Path) -> Path:
    """The one-article fixture corpus, copied so the test may break it."""
    return copy_corpus(FIXTURES / "corpus_min", tmp_path / "corpus")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A copy of the real corpus, for tests that edit it."""
    return copy_corpus(PACKAGE_ROOT / "corpus", tmp_path / "corpus")


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union graph, as {variable: lexical value}."""
    from sahelkg.vocab import sparql_prefixes

    result = store.query(sparql_prefixes() + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in result]


def run_query(store: pyoxigraph.Store, name: str, lang: str = "en", **params: str) -> list[dict[str, str]]:
    """Rows of the named query ``name`` (queries/) as {column: plain value} ('' for unbound), its
    parameters bound as the CLI binds them."""
    from sahelkg import queries as q

    named = q.find_query(PACKAGE_ROOT / "queries", name)
    table = q.run_select(store, named.text, q.bind_params(named, params, lang), name)
    return [dict(zip(table.variables, map(q.term_value, row))) for row in table.rows]


def missing(reason: str) -> None:
    """A tool the test needs is absent: skip on a developer's machine, fail in CI (CI=true),
    where .ci/run installs everything, so a broken install step can never pass as skipped tests."""
    import os

    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI runs every test, and this one cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- remote SPARQL servers

REMOTE_KINDS = ("oxigraph", "virtuoso")


def remote_env(kind: str) -> dict[str, str]:
    """The environment a build into a server of ``kind`` needs (Virtuoso takes writes with digest auth)."""
    import os

    from remote_servers import VIRTUOSO_PASSWORD, VIRTUOSO_USER

    env = {k: v for k, v in os.environ.items() if not k.startswith("SAHELKG_STORE_")}
    if kind == "virtuoso":
        env.update(SAHELKG_STORE_USER=VIRTUOSO_USER, SAHELKG_STORE_PASSWORD=VIRTUOSO_PASSWORD)
    return env


def start_server(kind: str, folder: Path):  # -> remote_servers.Server
    """A fresh server of ``kind`` in ``folder``, started (skips, or fails in CI, when not installed)."""
    import remote_servers

    server = remote_servers.oxigraph_server(folder) if kind == "oxigraph" else remote_servers.virtuoso_server(folder)
    if server is None:
        missing(f"{kind} is not installed ({'pip install oxigraph' if kind == 'oxigraph' else 'apt install virtuoso-opensource-7-bin'})")
    return server.start()


@pytest.fixture(scope="session")
def remote_urls(tmp_path_factory: pytest.TempPathFactory):
    """Started servers by kind, each holding the real corpus built into it (started on first use, once per
    session and xdist worker). test_remote.py writes into them and leaves the real corpus on them again."""
    from sahelkg.build import Builder

    servers: dict[str, object] = {}

    def url(kind: str) -> str:
        if kind not in servers:
            server = start_server(kind, tmp_path_factory.mktemp(kind))
            servers[kind] = server
            with pytest.MonkeyPatch.context() as mp:
                for k, v in remote_env(kind).items():
                    mp.setenv(k, v)
                settings = Settings.from_env(store=server.url, root=PACKAGE_ROOT, ontology_dir=PACKAGE_ROOT / "ontology",
                                             corpus_dir=PACKAGE_ROOT / "corpus", queries_dir=PACKAGE_ROOT / "queries")
                Builder(settings).run(full=True)
        return servers[kind].url  # type: ignore[attr-defined]

    yield url
    for server in servers.values():
        server.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session", params=("embedded",) + REMOTE_KINDS)
def any_store(request: pytest.FixtureRequest, remote_urls):
    """The real corpus built into each kind of store: embedded, Oxigraph's server, Virtuoso."""
    if request.param == "embedded":
        return request.getfixturevalue("real_store")
    from sahelkg.store.remote import RemoteStore

    return RemoteStore(remote_urls(request.param), remote_env(request.param))


# --------------------------------------------------------------------------- markers and xdist groups


def _server_kinds(item: pytest.Item) -> set[str]:
    """The kinds of SPARQL server a test uses (through ``any_store``, ``remote_urls`` or test_remote's ``server``)."""
    callspec = getattr(item, "callspec", None)
    params = list(callspec.params.values()) if callspec is not None else []
    kinds = {k for k in REMOTE_KINDS if any(isinstance(v, str) and v == k for v in params)}
    if not kinds and "remote_urls" in getattr(item, "fixturenames", ()) and "any_store" not in item.fixturenames:
        kinds = set(REMOTE_KINDS)  # asks for any kind itself
    return kinds


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that use a SPARQL server ``remote``, and group them per server kind for xdist
    (``--dist loadgroup``): one worker starts each server once and runs all the tests that use it."""
    xdist = config.pluginmanager.hasplugin("xdist")
    for item in items:
        kinds = _server_kinds(item)
        if kinds:
            item.add_marker(pytest.mark.remote)
            if xdist:
                item.add_marker(pytest.mark.xdist_group("+".join(sorted(kinds))))
