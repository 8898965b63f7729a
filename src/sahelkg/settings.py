"""Where things are: every path and setting, derived from one place.

Defaults come from the project checkout (the folder holding ``ontology/``, ``corpus/``
and ``queries/``); each can be overridden by an environment variable or an option,
so nothing depends on the current directory.

| setting        | environment variable | default                         |
|----------------|----------------------|---------------------------------|
| project root   | SAHELKG_HOME         | the checkout this package is in |
| ontology dir   | SAHELKG_ONTOLOGY     | <root>/ontology                 |
| corpus dir     | SAHELKG_CORPUS       | <root>/corpus                   |
| queries dir    | SAHELKG_QUERIES      | <root>/queries                  |
| store          | SAHELKG_STORE        | <root>/build/store              |
| base IRI       | SAHELKG_BASE_IRI     | https://w3id.org/sahelkg/       |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from sahelkg.vocab import DEFAULT_BASE

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def is_remote(location: str) -> bool:
    """True if ``location`` names a SPARQL server rather than a directory.

    >>> is_remote("http://localhost:7878/query"), is_remote("build/store")
    (True, False)
    """
    return str(location).startswith(("http://", "https://"))


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """The paths and IRIs one run works with."""

    root: Path
    ontology_dir: Path
    corpus_dir: Path
    queries_dir: Path
    store: str
    base_iri: str = DEFAULT_BASE

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment, then ``overrides`` (options given on the command line).

        An override of ``None`` is ignored, so CLI options can be passed through as they are.
        """
        root = _env_path("SAHELKG_HOME", PACKAGE_ROOT)
        settings = cls(
            root=root,
            ontology_dir=_env_path("SAHELKG_ONTOLOGY", root / "ontology"),
            corpus_dir=_env_path("SAHELKG_CORPUS", root / "corpus"),
            queries_dir=_env_path("SAHELKG_QUERIES", root / "queries"),
            store=os.environ.get("SAHELKG_STORE") or str(root / "build" / "store"),
            base_iri=os.environ.get("SAHELKG_BASE_IRI") or DEFAULT_BASE,
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        for key in ("ontology_dir", "corpus_dir", "queries_dir", "root"):
            if key in given:
                given[key] = Path(str(given[key])).expanduser().resolve()
        if "store" in given:
            given["store"] = str(given["store"])
        return replace(settings, **given)  # type: ignore[arg-type]

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "sahelkg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def checks_dir(self) -> Path:
        return self.queries_dir / "checks"

    @property
    def store_is_remote(self) -> bool:
        return is_remote(self.store)

    @property
    def id_base(self) -> str:
        return self.base_iri + "id/"

    @property
    def graph_base(self) -> str:
        return self.base_iri + "graph/"
