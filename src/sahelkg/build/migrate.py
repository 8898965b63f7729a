"""The one legacy migration: a generation's JSON manifest (sahelkg 0.x) becomes the SQLite one."""

from __future__ import annotations

from pathlib import Path

from sahelkg.build.manifest import Manifest


def migrate_json_manifest(path: Path) -> bool:
    """Convert the JSON manifest beside ``path`` (``gen-N.manifest.json`` for ``gen-N.manifest.sqlite``)
    into ``path`` once, so that the next build stays incremental. False if it cannot be read
    (the build is then full); True otherwise, or when there is nothing to convert."""
    legacy = path.with_suffix(".json")
    if path.exists() or not legacy.exists():
        return True
    try:
        converted = Manifest.from_json(legacy.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    Manifest.copy(converted, path.with_suffix(".tmp")).commit_as(path)
    legacy.unlink()
    return True
