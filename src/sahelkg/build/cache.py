"""The build's caches: the parsed ontology and the validated registry, kept as pickles between builds.

A cache is keyed by the hashes of what it was made from (the files, the schemas, the code's
version); a different key replaces it. A cache that cannot be read or written is only a cache:
the build parses again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from sahelkg import __version__
from sahelkg.build.changes import GRAPH_FORMAT, file_hash
from sahelkg.corpus import CorpusReader, Registry
from sahelkg.errors import Problem
from sahelkg.graph.ontology import Ontology, load_ontology


def cache_path(folder: Path, kind: str, *key: str) -> Path:
    """Where a cache of ``kind`` for ``key`` is: one file per kind in ``folder``, named by the key's hash."""
    return folder / f"{kind}-{hashlib.sha256(chr(0).join(key).encode()).hexdigest()[:32]}.pickle"


def replace_cache(path: Path, value: object) -> None:
    """Write a cache file (``<kind>-<key>.pickle``), removing the other keys' files of its kind.

    Two builds may write the same one at once (the ontology's is read before the build lock):
    each writes its own temporary file and renames it.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(path.name.split("-", 1)[0] + "-*.pickle"):
            old.unlink(missing_ok=True)
    except OSError:
        return
    replace_file(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file of this process, renamed into place; a file that
    cannot be written is left as it was (what is written this way is only ever a shortcut)."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def read_pickle(path: Path) -> object | None:
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def cached_ontology(folder: Path, file: Path) -> Ontology:
    """The parsed ontology: from the cache when the same file was parsed by the same code (keyed
    by the hashes of both), else parsed and cached. Parsing it takes 0.2 s, a fifth of what
    an incremental build of one article may take; unpickling, 0.02 s."""
    from sahelkg.graph import ontology as module

    path = cache_path(folder, "ontology", str(file), file_hash(file, Path(module.__file__)), __version__)
    cached = read_pickle(path)
    if isinstance(cached, Ontology):
        return cached
    ontology = load_ontology(file)
    replace_cache(path, ontology)
    return ontology


def cached_registry(folder: Path, reader: CorpusReader, stamps: dict[str, str], problems: list[Problem]) -> Registry:
    """The validated registry: from the cache when a build already validated the same registry
    files with the same ontology, schemas and code (keyed by their hashes), else read, validated
    and cached (a registry with errors is not cached)."""
    schemas = file_hash(*sorted(reader.schema_dir.glob("*.json")))
    path = cache_path(folder, "registry", stamps["registry"], stamps["ontology"], schemas, GRAPH_FORMAT, __version__)
    cached = read_pickle(path)
    if isinstance(cached, tuple) and len(cached) == 3 and isinstance(cached[0], Registry):
        problems.extend(cached[1])
        reader.schemas.vouch(cached[2])  # type: ignore[arg-type]  # the same schema files, checked by the build that cached this
        return cached[0]
    found: list[Problem] = []
    registry = reader.read_registry(found)
    problems.extend(found)
    if not [p for p in found if p.severity == "error"]:
        replace_cache(path, (registry, found, reader.schemas.checked()))
    return registry
