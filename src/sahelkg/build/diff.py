"""What the last build changed, as facts: events, relations, claims and observations added,
removed and changed per article (``sahelkg diff``).

A build of an embedded store reads the facts of every article whose files changed (or that was
removed) twice: from the previous generation, before its graph is replaced, and from the new one,
once written. It keeps only the difference, in ``gen-N.diff.json`` beside the generation it
commits (pruned with it). ``sahelkg diff`` reads the current generation's file. Nothing else is kept:
the previous generation's facts of an article are in the previous generation's store, which the
build has open anyway (an incremental build starts from a copy of it; a full build opens it).

A fact is a node of the article's graph with an ``sk:annotationId``. Two versions of a fact are
the same when their own statements and those of their parts (date, count, relative location) are
the same and their quote is; where the quote sits in the text (offsets, prefix, suffix) does not
count, so an edit earlier in the text changes no fact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph

from sahelkg.errors import StoreError, UsageError
from sahelkg.store.protocol import Store
from sahelkg.vocab import OA, RDF, RDFS, SK

DIFF = "diff.json"  # beside each generation: gen-N.diff.json
ANNOTATION_ID = SK.base + "annotationId"
LABEL = str(RDFS.label)
TYPE = str(RDF.type)
EXACT = str(OA.exact)
PARTS = ("/time", "/count", "/location")  # a fact's own nodes, minted from its IRI by sahelkg.graph.rdf
KINDS = {SK.base + "RelationStatement": "relation", SK.base + "Claim": "claim"}


@dataclass(frozen=True)
class FactVersion:
    """One fact as one generation holds it."""

    id: str
    type: str  # the class name (``Death``), or the relation's property for a relation statement
    label: str  # English label, else any
    quote: str
    statements: tuple[tuple[str, str], ...]  # (property, value) of the fact and its parts, sorted


@dataclass
class ArticleDiff:
    """The facts of one article that a build added, removed or changed."""

    article: str
    status: str  # "changed", "new" or "removed"
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _short(term: str) -> str:
    return term[len(SK.base):] if term.startswith(SK.base) else term


def facts_in(quads: Iterable[Any]) -> dict[str, FactVersion]:
    """The facts of one article's graph, from its quads (or triples) as pyoxigraph terms."""
    by_subject: dict[str, list[tuple[str, Any]]] = {}
    for q in quads:
        by_subject.setdefault(q.subject.value, []).append((q.predicate.value, q.object))
    out = {}
    for node, props in by_subject.items():
        fid = next((o.value for p, o in props if p == ANNOTATION_ID), None)
        if fid is None:
            continue
        types = sorted(o.value for p, o in props if p == TYPE)
        labels = {getattr(o, "language", None): o.value for p, o in props if p == LABEL}
        statements = [(_short(p), _short(o.value)) for p, o in props if p not in (LABEL, ANNOTATION_ID)]
        for part in PARTS:
            for p, o in by_subject.get(node + part, []):
                statements.append((f"{part[1:]}.{_short(p)}", _short(o.value)))
        quote = next((o.value for p, o in by_subject.get(node + "/annotation/quote", []) if p == EXACT), "")
        kind = next((KINDS[t] for t in types if t in KINDS), None)
        if kind == "relation":
            shown_type = _short(next((o.value for p, o in props if p == SK.base + "statementPredicate"), "relation"))
        else:
            shown_type = next((_short(t) for t in types if t.startswith(SK.base)), "")
        out[fid] = FactVersion(fid, shown_type, labels.get("en") or next(iter(labels.values()), fid), quote,
                               tuple(sorted(set(statements))))
    return out


def graph_facts(store: Store, graph: str) -> dict[str, FactVersion]:
    """The facts of the named graph ``graph`` (an IRI) of an embedded store."""
    return facts_in(store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph)))


def compare(article: str, old: dict[str, FactVersion] | None, new: dict[str, FactVersion] | None) -> ArticleDiff:
    """What changed from ``old`` to ``new`` (None: the article was not there)."""
    status = "new" if old is None else "removed" if new is None else "changed"
    old, new = old or {}, new or {}
    d = ArticleDiff(article, status)
    for fid in sorted(new.keys() - old.keys(), key=_id_order):
        d.added.append(_shown(new[fid]))
    for fid in sorted(old.keys() - new.keys(), key=_id_order):
        d.removed.append(_shown(old[fid]))
    for fid in sorted(old.keys() & new.keys(), key=_id_order):
        a, b = old[fid], new[fid]
        if a.statements == b.statements and a.quote == b.quote:
            continue
        what = sorted({p for p, _ in set(a.statements) ^ set(b.statements)} | ({"quote"} if a.quote != b.quote else set()))
        entry = _shown(b)
        entry["what"] = what
        if a.label != b.label:
            entry["was"] = a.label
        d.changed.append(entry)
    return d


def _id_order(fid: str) -> tuple[str, int, str]:
    head = fid.rstrip("0123456789")
    tail = fid[len(head):]
    return (head, int(tail) if tail else -1, fid)


def _shown(f: FactVersion) -> dict[str, Any]:
    return {"id": f.id, "type": f.type, "label": f.label, "quote": f.quote}


# --------------------------------------------------------------------------- the file beside a generation

def write_diff(path: Path, diffs: list[ArticleDiff], *, full: bool, previous: str | None) -> None:
    """Write a build's diff (``gen-N.diff.json``); ``previous`` is the generation compared with."""
    data = {"full": full, "previous": previous, "articles": [asdict(d) for d in diffs]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def read_diff(store_path: Path | str, article: str | None = None) -> tuple[dict[str, Any], list[ArticleDiff]]:
    """The last build's diff of the store at ``store_path`` (only ``article``'s if given).

    :raises StoreError: no store, or its last build recorded no diff.
    :raises UsageError: ``article`` did not change in the last build.
    """
    from sahelkg.store.embedded import StoreLayout, sidecar

    layout = StoreLayout(store_path)
    current = layout.current()
    if current is None:
        raise StoreError(f"{layout.path}: no store here; run `sahelkg build --store {layout.path}` first")
    path = sidecar(layout, current, DIFF)
    if not path.is_file():
        raise StoreError(f"{layout.path}: the last build recorded no diff (it was built by an older sahelkg); "
                         "the next build will")
    data = json.loads(path.read_text(encoding="utf-8"))
    diffs = [ArticleDiff(**d) for d in data["articles"]]
    if article is not None:
        diffs = [d for d in diffs if d.article == article]
        if not diffs:
            raise UsageError(f"ARTICLE {article!r}: the last build did not change it")
    return data, diffs


def render(diffs: list[ArticleDiff]) -> str:
    """The diff as text, one block per article, one line per fact (``+`` added, ``-`` removed, ``~`` changed)."""
    lines = []
    for d in diffs:
        counts = f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed"
        lines.append(f"{d.article} ({d.status}): {counts}")
        for sign, entries in (("+", d.added), ("-", d.removed), ("~", d.changed)):
            for e in entries:
                line = f"  {sign} {e['id']} {e['type']}: {e['label']}"
                if "what" in e:
                    line += f" [{', '.join(e['what'])}]"
                if "was" in e:
                    line += f" (was: {e['was']})"
                lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")
