"""Find entities by name: registry and article-local entities by any label or alias, fuzzily.

An annotator meets a name spelt differently from the registry ("Abou Walid al-Sahraoui",
"N'Daki", "GSIM", "Barkane"); :func:`search` ranks every entity by its best-matching name, with
case, accents, apostrophes and punctuation folded away (:func:`sahelkg.corpus.names.fold`), misspellings
scored by rapidfuzz's WRatio, and acronyms matched against the initials of longer names.

Search reads the built store, not the corpus files: the labels are in the graph (``rdfs:label``,
``skos:prefLabel``, ``skos:altLabel`` of every registry and local entity), so the same search serves
the CLI, the endpoint's ``/api/search`` and a remote store, and it answers for what was built, which
is what an entity link from another tool will point at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from sahelkg.corpus.names import fold
from sahelkg.vocab import SK

CUTOFF = 70.0  # below this WRatio a name is not shown as a match (60-70: noise such as "VBL" for "Blasko")
INITIALS_SCORE = 95.0  # "JNIM" for "Jama'at Nusrat al-Islam wal-Muslimin" ranks just below an exact name
MINOR_WORDS = frozenset("of the for and in al el wal de du des la le les l et pour".split())

NAMES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sk: <https://w3id.org/sahelkg/ontology#>
SELECT ?e ?name ?pref WHERE {
  { ?e rdfs:label ?name BIND(false AS ?pref) } UNION { ?e skos:prefLabel ?name BIND(true AS ?pref) }
  UNION { ?e skos:altLabel ?name BIND(false AS ?pref) }
  FILTER(STRSTARTS(STR(?e), ?base))
  FILTER NOT EXISTS { ?e sk:annotationId ?fact }
  FILTER NOT EXISTS { ?e a sk:Article }
}
"""
TYPES_QUERY = """
SELECT ?e ?type ?g WHERE {
  GRAPH ?g { ?e a ?type }
  FILTER(STRSTARTS(STR(?e), ?base) && STRSTARTS(STR(?type), "https://w3id.org/sahelkg/ontology#"))
}
"""
def index_queries(id_base: str) -> tuple[str, str, str]:
    """The three SELECTs an index is read with, ``?base`` bound to ``id_base`` (a VALUES clause)."""
    import pyoxigraph

    from sahelkg.sparql import inject_values

    base = {"base": str(pyoxigraph.Literal(id_base))}
    return inject_values(NAMES_QUERY, base), inject_values(TYPES_QUERY, base), MENTIONS_QUERY


MENTIONS_QUERY = """
PREFIX sk: <https://w3id.org/sahelkg/ontology#>
SELECT ?e ?article WHERE { ?a sk:mentions ?e ; sk:articleId ?article }
"""


@dataclass(frozen=True)
class Hit:
    """One entity found: its id, types, labels, the name that matched and where it is mentioned."""

    id: str
    iri: str
    types: tuple[str, ...]
    labels: dict[str, str]
    matched: str
    score: float
    articles: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "iri": self.iri, "types": list(self.types), "labels": self.labels,
                "matched": self.matched, "score": round(self.score, 1), "articles": list(self.articles)}


@dataclass
class _Entity:
    iri: str
    names: dict[str, set[str]] = field(default_factory=dict)  # language ("" if none) -> names
    labels: dict[str, str] = field(default_factory=dict)  # language -> preferred label
    types: set[str] = field(default_factory=set)  # every type, inferred ones included (for --type)
    asserted: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)


def initials(name: str) -> str:
    """The initials of a name's significant words: "Group for the Support of Islam and Muslims" -> "gsim"."""
    return "".join(w[0] for w in fold(name).split() if w not in MINOR_WORDS)


def score(query: str, name: str) -> float:
    """How well ``query`` matches ``name`` (0-100), both folded."""
    if not query or not name:
        return 0.0
    if query == name:
        return 100.0
    best = fuzz.WRatio(query, name)
    if " " not in query and len(query) >= 2 and query == initials(name):
        best = max(best, INITIALS_SCORE)
    if name.startswith(query):  # completion: what is typed so far begins the name
        best = max(best, 90.0 + 10.0 * len(query) / len(name) * 0.9)
    return float(best)


class NameIndex:
    """Every entity's names, types and mentions, read once from a store."""

    def __init__(self, entities: dict[str, _Entity], id_base: str) -> None:
        self.entities = entities
        self.id_base = id_base

    @classmethod
    def from_rows(cls, names: Iterable[tuple[str, str, str, bool]], types: Iterable[tuple[str, str, bool]],
                  mentions: Iterable[tuple[str, str]], id_base: str) -> NameIndex:
        """An index from plain rows: ``(entity, name, language, preferred)``, ``(entity, class name,
        asserted)`` and ``(entity, article id)``."""
        entities: dict[str, _Entity] = {}
        for e, name, lang, pref in names:
            ent = entities.setdefault(e, _Entity(e))
            ent.names.setdefault(lang, set()).add(name)
            if pref or lang not in ent.labels:
                ent.labels[lang] = name
        for e, t, asserted in types:
            if e in entities:
                entities[e].types.add(t)
                if asserted:
                    entities[e].asserted.add(t)
        for e, article in mentions:
            if e in entities:
                entities[e].articles.add(article)
        return cls(entities, id_base)

    @classmethod
    def from_store(cls, store: Any, id_base: str, graph_base: str) -> NameIndex:
        """Read the names from ``store`` (embedded or remote) under ``id_base``."""
        from sahelkg.queries import run_select

        names_q, types_q, mentions_q = index_queries(id_base)
        inferred = graph_base + "inferred"  # graph/inferred/... (and a bare graph/inferred)
        names = [(e.value, n.value, getattr(n, "language", None) or "", p.value == "true")
                 for e, n, p in (row[:3] for row in run_select(store, names_q, None, "search names").rows)]
        types = [(e.value, t.value[len(SK.base):], not g.value.startswith(inferred))
                 for e, t, g in (row[:3] for row in run_select(store, types_q, None, "search types").rows)]
        mentions = [(e.value, a.value) for e, a in run_select(store, mentions_q, None, "search mentions").rows]
        return cls.from_rows(names, types, mentions, id_base)

    @classmethod
    def from_json_results(cls, names: dict[str, Any], types: dict[str, Any], mentions: dict[str, Any],
                          id_base: str, graph_base: str) -> NameIndex:
        """An index from the SPARQL JSON results of :func:`index_queries` (the endpoint's workers)."""
        inferred = graph_base + "inferred"  # graph/inferred/... (and a bare graph/inferred)

        def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
            return result.get("results", {}).get("bindings", [])  # type: ignore[no-any-return]
        return cls.from_rows(
            [(b["e"]["value"], b["name"]["value"], b["name"].get("xml:lang", ""), b["pref"]["value"] == "true")
             for b in rows(names)],
            [(b["e"]["value"], b["type"]["value"][len(SK.base):], not b["g"]["value"].startswith(inferred))
             for b in rows(types)],
            [(b["e"]["value"], b["article"]["value"]) for b in rows(mentions)],
            id_base)

    def search(self, text: str, *, type_: str | None = None, lang: str | None = None, limit: int = 10) -> list[Hit]:
        """The entities whose names best match ``text``, best first (ties by id).

        ``type_``: only instances of that class (or a subclass); ``lang``: only names in that
        language (and those without one), labels shown in it.
        """
        query = fold(text)
        typed = text.strip()
        hits = []
        for ent in self.entities.values():
            if type_ and type_ not in ent.types:
                continue
            # the best name: by score, then the name exactly as typed, the shortest, the first in code order
            # (names fold alike, "N'Daki" and "N’Daki": the choice must not depend on set order)
            best: tuple[float, bool, int, str] | None = None
            for name_lang, names in ent.names.items():
                if lang and name_lang not in (lang, ""):
                    continue
                for name in names:
                    key = (score(query, fold(name)), name == typed, -len(name), name)
                    if best is None or key[:3] > best[:3] or (key[:3] == best[:3] and name < best[3]):
                        best = key
            if best is not None and best[0] >= CUTOFF:
                hits.append(self._hit(ent, best[3], best[0], lang))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:limit]

    def _hit(self, ent: _Entity, matched: str, best: float, lang: str | None) -> Hit:
        eid = ent.iri[len(self.id_base):]
        labels = {k: v for k, v in sorted(ent.labels.items()) if k and (lang is None or k == lang)}
        if not labels:
            labels = {k or "": v for k, v in sorted(ent.labels.items())}
        types = tuple(sorted(ent.asserted or ent.types))
        return Hit(eid, ent.iri, types, labels, matched, best, tuple(sorted(ent.articles)))


def search(store: Any, text: str, *, id_base: str, graph_base: str, type_: str | None = None,
           lang: str | None = None, limit: int = 10) -> list[Hit]:
    """:meth:`NameIndex.search` over a freshly read index of ``store``."""
    return NameIndex.from_store(store, id_base, graph_base).search(text, type_=type_, lang=lang, limit=limit)


def render(hits: Iterable[Hit]) -> str:
    """Hits as a tab-separated table: id, types, score, labels, matched name, articles."""
    lines = ["id\ttype\tscore\tlabels\tmatched\tmentioned in"]
    for h in hits:
        labels = "; ".join(f"{v}@{k}" for k, v in h.labels.items())
        lines.append(f"{h.id}\t{','.join(h.types)}\t{h.score:.0f}\t{labels}\t{h.matched}\t{','.join(h.articles) or '-'}")
    return "\n".join(lines) + "\n"
