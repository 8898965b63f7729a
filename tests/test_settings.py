"""The declarative settings: one list from which the options, the docs' table and the values come."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sahelkg.app import App
from sahelkg.cli import main
from sahelkg.errors import StoreError, UsageError
from sahelkg.settings import PACKAGE_ROOT, SETTINGS, EndpointLimits, RemoteOptions, Settings, settings_table


def test_docs_settings_table_is_current() -> None:
    committed = (PACKAGE_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert committed == settings_table() + "\n", "run: python -m sahelkg.settings > docs/settings.md"


def test_option_then_environment_then_default() -> None:
    env = {"SAHELKG_STORE": "/from/env", "SAHELKG_HOME": "/home/project"}
    assert Settings.from_env(env, store="/from/option").store == "/from/option"
    assert Settings.from_env(env, store=None).store == "/from/env"
    derived = Settings.from_env({"SAHELKG_HOME": "/home/project"})
    assert derived.store == "/home/project/build/store"
    assert derived.queries_dir == Path("/home/project/queries")
    assert Settings.from_env({}).root == PACKAGE_ROOT
    assert Settings.from_env({}, corpus_dir="/c/../corpus").corpus_dir == Path("/corpus")


def test_a_bad_number_names_its_variable() -> None:
    with pytest.raises(UsageError) as e:
        App.from_options({"SAHELKG_JOBS": "many"})
    assert str(e.value) == "SAHELKG_JOBS='many': give a whole number"
    with pytest.raises(UsageError) as e:
        App.from_options({"SAHELKG_JOBS": "0"})
    assert str(e.value) == "SAHELKG_JOBS='0': give a whole number, at least 1"
    assert App.from_options({"SAHELKG_JOBS": "3"}).settings.jobs == 3


def test_remote_options_from_the_environment() -> None:
    options = RemoteOptions.from_env({"SAHELKG_STORE_USER": "ann", "SAHELKG_STORE_AUTH": "Digest",
                                      "SAHELKG_STORE_TIMEOUT": "5"})
    assert (options.user, options.password, options.auth, options.timeout, options.batch_bytes) == \
        ("ann", "", "digest", 5.0, 4_000_000)
    with pytest.raises(StoreError) as e:
        RemoteOptions.from_env({"SAHELKG_STORE_AUTH": "ntlm"})
    assert str(e.value) == "SAHELKG_STORE_AUTH='ntlm': use basic or digest"
    with pytest.raises(StoreError) as e:
        RemoteOptions.from_env({"SAHELKG_STORE_TIMEOUT": "soon"})
    assert str(e.value) == "SAHELKG_STORE_TIMEOUT='soon': give a number of seconds"


def test_every_command_takes_the_options_of_its_settings() -> None:
    flags = {name: {opt for p in cmd.params if isinstance(p, click.Option) for opt in p.opts}
             for name, cmd in main.commands.items()}
    for name, taken in flags.items():
        assert "--store" in taken, name  # the CLI's contract: every command takes --store
        for s in SETTINGS:
            assert (s.option in taken) == s.takes(name), (name, s.name)
    assert {"--timeout", "--workers", "--host", "--port", "--max-long-queries",
            "--max-long-queries-per-client", "--get", "--header"} <= flags["serve"]
    assert {"-j", "--jobs"} <= flags["build"] and "--corpus" in flags["export"] and "--corpus" in flags["import"]


def test_the_endpoints_defaults_are_the_settings() -> None:
    from sahelkg.serving.endpoint import create_app

    config = create_app("/nonexistent/store").state.sparql.config
    limits = EndpointLimits.from_options({})
    for name, value in limits.endpoint_kwargs().items():
        assert getattr(config, name) == value, name


def test_serve_passes_its_flags_to_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sahelkg.serving.app as serving_app

    served = []
    monkeypatch.setattr(serving_app, "run", lambda app, host, port: served.append((app, host, port)))
    (tmp_path / "queries").mkdir()
    result = CliRunner().invoke(main, ["serve", "--store", "http://127.0.0.1:9/sparql", "--port", "8123",
                                       "--workers", "3", "--timeout", "2.5", "--max-long-queries", "2",
                                       "--max-long-queries-per-client", "1"],
                                env={"SAHELKG_QUERIES": str(tmp_path / "queries")})
    assert result.exit_code == 0, result.output
    app, host, port = served[0]
    config = app.state.sparql.config
    assert (host, port) == ("127.0.0.1", 8123)
    assert (config.store_path, config.workers, config.timeout_s, config.max_long_queries,
            config.max_long_queries_per_client) == ("http://127.0.0.1:9/sparql", 3, 2.5, 2, 1)
