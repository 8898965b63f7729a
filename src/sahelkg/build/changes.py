"""Change detection: what a build must redo, from content hashes recorded in the previous manifest.

A build is full when asked, when there is no previous manifest, or when a stamp changed (the
ontology and shapes, the registry, the base IRI, the graph format, sahelkg's version); otherwise
it redoes the articles whose content hash changed and removes the ones that are gone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sahelkg import __version__
from sahelkg.build.manifest import Manifest, Stat
from sahelkg.corpus import CorpusReader
from sahelkg.settings import Settings

GRAPH_FORMAT = "3"  # bump when the mapping or the manifest changes: it forces a full rebuild
RACY_NS = 2_000_000_000  # a file modified this close to the last build is hashed even if its stat matches
CHANGED_BEHIND = ("the store was changed after its build (written over HTTP, or opened for writing): "
                  "rebuilt from the corpus, without those changes")


@dataclass
class Changes:
    """What an incremental build redoes, from the corpus's files and the previous build's manifest."""

    total: int  # how many articles the corpus has
    changed: list[str] = field(default_factory=list)  # new or edited, in id order
    removed: list[str] = field(default_factory=list)
    new: dict[str, tuple[str, Stat]] = field(default_factory=dict)  # content hash and file stat of each changed one
    restat: dict[str, Stat] = field(default_factory=dict)  # unchanged content, but a file stat to record


def file_hash(*paths: Path) -> str:
    """The SHA-256 of the files' names and contents (a missing file counts as empty)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0")
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


def input_stamps(settings: Settings, reader: CorpusReader) -> dict[str, str]:
    """What makes a build full when it changes: the graph format, the version, the base IRI, the
    ontology and shapes, the registry."""
    return {
        "format": GRAPH_FORMAT,
        "version": __version__,
        "base_iri": settings.base_iri,
        "ontology": file_hash(settings.ontology_file, settings.shapes_file),
        "registry": reader.registry_hash(),
    }


def full_reason(full: bool, previous: Manifest | None, stamps: dict[str, str], exists: bool) -> str:
    """Why the build must be full ("" if an incremental build will do)."""
    if full:
        return "--full asked"
    if previous is None:
        return "no previous build" if not exists else "the store has no build manifest"
    recorded = previous.stamps
    changed = [k for k, v in stamps.items() if recorded.get(k) != v]
    return f"changed: {', '.join(changed)}" if changed else ""


def changed_articles(reader: CorpusReader, previous: Manifest, watched: set[str] | None = None) -> Changes:
    """What changed since the build that wrote ``previous``.

    ``watched``: the ids of the only articles whose files changed since (the corpus watcher's
    journal, sahelkg.build.watch), each stat-ed and hashed. None: every file is stat-ed, and one whose
    (mtime, size) is the one the manifest recorded, and older than that build by more than the
    clock's slack, keeps its recorded hash without being read (as git's index does); the others
    are hashed."""
    if watched is not None:
        files = reader.article_stats(watched)
        recorded = previous.hashes(watched)
        removed = sorted(recorded.keys() - files.keys())
        changes = Changes(previous.count() + len(files.keys() - recorded.keys()) - len(removed), removed=removed)
        suspect = list(files)
    else:
        files = reader.article_files()
        before = previous.index()
        cutoff = previous.built_ns - RACY_NS
        changes = Changes(len(files), removed=sorted(before.keys() - files.keys()))
        suspect = [aid for aid, stat in files.items()
                   if before.get(aid) != stat or stat[0] >= cutoff or stat[2] >= cutoff]
        recorded = previous.hashes(suspect)
    for aid in sorted(suspect):
        content_hash, stat = reader.article_hash(aid), files[aid]
        if content_hash == recorded.get(aid):
            changes.restat[aid] = stat
        else:
            changes.changed.append(aid)
            changes.new[aid] = (content_hash, stat)
    return changes
