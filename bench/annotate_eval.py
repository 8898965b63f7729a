"""Score `sahelkg annotate` against the hand annotations of the corpus, leave-one-out.

    python bench/annotate_eval.py [--corpus corpus] [--no-model] [--json OUT] [--articles ID,ID] [--errors]

For each article of the corpus, the annotator runs with a *leave-one-out registry*: the registry
without the entries whose only source is that article, so that the article is as new as a real
one. An entry's sources are the articles whose annotation file refers to it (a mention, a role, a
place, an instrument, an operation, a relation, a claim, an observation) and the articles named by
its facts' ``source`` ("<article id>/<annotation id>" or "... stated in article <id> ..."). Facts
that point at a dropped entry are dropped with it.

The draft is scored against the hand annotation:

- mentions: a drafted mention matches a hand mention whose quote overlaps it, of the same registry
  entity, or (for an entity the registry does not hold here) of a new entity the draft proposes;
- entities: the distinct entities mentioned, matched by id, or a new entity by an overlapping mention;
- events: type compatible (the same class, or one a subclass of the other) and quotes overlapping,
  matched one to one, largest overlap first;
- roles: (role, entity) pairs of the matched events, entities mapped through the entity matching;
- dates: over matched events that both give a date, the share resolved right (same value or
  begin/end, and precision); counts: over matched events that both give a count, the share with the
  same value, low and high;
- precision, recall and F1 per article and in total (micro-averaged), and seconds per article
  after start-up (the registry index, the ontology and spaCy loaded once before timing).

Targets (issue 19): entities F1 >= 0.85, events F1 >= 0.60, date resolution >= 0.80, < 2 s per article.
This is a benchmark, not a test: it reads the five articles only to score them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sahelkg.annotate.events import Types  # noqa: E402
from sahelkg.annotate.pipeline import Annotator  # noqa: E402
from sahelkg.corpus import (  # noqa: E402
    Article, CorpusReader, Entity, FileProblems, Quotes, Registry, fact_index, normalise_text, split_header,
)
from sahelkg.errors import Problem  # noqa: E402
from sahelkg.graph.ontology import load_ontology  # noqa: E402


@dataclass
class PRF:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold

    @property
    def p(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def r(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


@dataclass
class Score:
    mentions: PRF = field(default_factory=PRF)
    entities: PRF = field(default_factory=PRF)
    events: PRF = field(default_factory=PRF)
    roles: PRF = field(default_factory=PRF)
    dates_right: int = 0
    dates_both: int = 0
    dates_gold: int = 0
    counts_right: int = 0
    counts_both: int = 0
    seconds: float = 0.0

    def add(self, o: Score) -> None:
        for k in ("mentions", "entities", "events", "roles"):
            getattr(self, k).add(getattr(o, k))
        for k in ("dates_right", "dates_both", "dates_gold", "counts_right", "counts_both", "seconds"):
            setattr(self, k, getattr(self, k) + getattr(o, k))


# ---------------------------------------------------------------------------- leave-one-out registry

def references(a: Article) -> set[str]:
    """Every entity id an article's annotation refers to."""
    out = {m.entity for m in a.mentions}
    for e in a.events:
        out.update(eid for _role, eid in e.participants)
        out.update(e.instruments)
        if e.place:
            out.add(e.place.entity)
            if e.place.reference:
                out.add(e.place.reference)
        out.update(x for x in (e.operation, e.award) if x)
    for r in a.relations:
        out.update((r.subject, r.object))
    for c in a.claims:
        out.update((c.speaker, *c.attackers, *c.victims))
    for o in a.observations:
        out.update(x for x in (o.subject, o.place, o.according_to) if x)
    return out


def sources(registry: Registry, articles: list[Article]) -> dict[str, set[str]]:
    ids = [a.id for a in articles]
    out: dict[str, set[str]] = {eid: set() for eid in registry.entities}
    for a in articles:
        for eid in references(a):
            if eid in out:
                out[eid].add(a.id)
    for eid, ent in registry.entities.items():
        for f in ent.facts:
            for aid in ids:
                if re.search(rf"(?<![\w-]){re.escape(aid)}(?![\w-])", f.source):
                    out[eid].add(aid)
    return out


def leave_one_out(registry: Registry, srcs: dict[str, set[str]], aid: str) -> Registry:
    keep = {eid for eid, s in srcs.items() if s != {aid}}
    out: dict[str, Entity] = {}
    for eid in keep:
        e = registry.entities[eid]
        out[eid] = replace(e, facts=tuple(f for f in e.facts if f.object in keep))
    return Registry(entities=out)


# ---------------------------------------------------------------------------- reading a draft

def anchor(q: Quotes, spec: Any, within: Any = None) -> Any:
    problems: list[Problem] = []
    return q.anchor(spec, FileProblems("draft", {}, problems), [], "draft", within)


def draft_items(doc: dict[str, Any], body: str) -> tuple[list[tuple[str, int, int]], list[dict[str, Any]]]:
    """(mentions as (entity, start, end), events with their anchor spans) of a draft document."""
    q = Quotes(body)
    mentions = []
    for m in doc.get("mentions", []):
        spec = {"text": m["quote"], **{k: m[k] for k in ("occurrence", "prefix", "suffix") if k in m}}
        a = anchor(q, spec)
        if a:
            mentions.append((m["entity"], a.start, a.end))
    events = []
    for e in doc.get("events", []):
        a = anchor(q, e["quote"])
        if a:
            events.append({**e, "_span": (a.start, a.end)})
    return mentions, events


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


# ---------------------------------------------------------------------------- scoring

def score(gold: Article, doc: dict[str, Any], body: str, loo: Registry, types: Types,
          errors: list[str] | None = None) -> Score:
    """The figures of one draft against its hand annotation (and, into ``errors``, what went wrong)."""
    s = Score()
    gm = [(m.entity, m.anchor.start, m.anchor.end) for m in gold.mentions]
    gm += [(e.id, e.anchor.start, e.anchor.end) for e in gold.entities if e.anchor]
    gm = list(dict.fromkeys(gm))
    pm, pev = draft_items(doc, body)
    new_pred = {e["id"] for e in doc.get("entities", [])}

    def same(g: str, p: str) -> bool:
        return g == p if g in loo.entities else p in new_pred

    # mentions, one to one
    used: set[int] = set()
    pairs: dict[str, dict[str, int]] = {}
    for g, gs, ge in gm:
        for i, (p, ps, pe) in enumerate(pm):
            if i not in used and same(g, p) and overlap((gs, ge), (ps, pe)):
                used.add(i)
                s.mentions.tp += 1
                pairs.setdefault(g, {}).setdefault(p, 0)
                pairs[g][p] += 1
                break
    s.mentions.pred, s.mentions.gold = len(pm), len(gm)

    # entities: a gold entity to the predicted entity sharing most matched mentions
    gold_ents = {g for g, _, _ in gm}
    pred_ents = {p for p, _, _ in pm}
    mapping: dict[str, str] = {}  # predicted -> gold
    for g, cands in sorted(pairs.items(), key=lambda kv: -max(kv[1].values())):
        for p, _n in sorted(cands.items(), key=lambda kv: -kv[1]):
            if p not in mapping:
                mapping[p] = g
                break
    s.entities = PRF(len(mapping), len(pred_ents), len(gold_ents))
    if errors is not None:
        errors.extend(entity_errors(gm, pm, used, mapping, doc, body, loo))

    # events, one to one, largest overlap first
    cands = []
    for gi, ge in enumerate(gold.events):
        gspan = (ge.anchor.start, ge.anchor.end)
        for pi, pe in enumerate(pev):
            ov = overlap(gspan, pe["_span"])
            if ov and types.compatible(ge.type, pe["type"]):
                cands.append((ov, gi, pi))
    gu: set[int] = set()
    pu: set[int] = set()
    matched = []
    for _ov, gi, pi in sorted(cands, reverse=True):
        if gi not in gu and pi not in pu:
            gu.add(gi)
            pu.add(pi)
            matched.append((gold.events[gi], pev[pi]))
    s.events = PRF(len(matched), len(pev), len(gold.events))

    # roles, over matched events (and the unmatched ones count as misses / false alarms)
    gold_roles = sum(len(e.participants) for e in gold.events)
    pred_roles = sum(len(ids) for e in pev for ids in e.get("participants", {}).values())
    tp = 0
    for ge, pe in matched:
        gp = set(ge.participants)
        pp = {(role, mapping.get(eid, eid)) for role, ids in pe.get("participants", {}).items() for eid in ids}
        tp += len(gp & pp)
        gd, pd = ge.date, pe.get("date")
        if gd and gd.iso:
            s.dates_gold += 1
            if pd and (pd.get("value") or pd.get("begin")):
                s.dates_both += 1
                piso = pd.get("value") or f"{pd.get('begin')}/{pd.get('end')}"
                if piso == gd.iso and pd.get("precision") == gd.precision:
                    s.dates_right += 1
        gc, pc = ge.count, pe.get("count")
        if gc and pc:
            s.counts_both += 1
            if (gc.best, gc.low, gc.high) == (pc.get("value"), pc.get("low"), pc.get("high")):
                s.counts_right += 1
    s.roles = PRF(tp, pred_roles, gold_roles)
    return s


def entity_errors(gm: list[tuple[str, int, int]], pm: list[tuple[str, int, int]], used: set[int],
                  mapping: dict[str, str], doc: dict[str, Any], body: str, loo: Registry) -> list[str]:
    """Missed gold entities and drafted entities that match none, each with its mentions' quotes."""
    new = {e["id"]: e for e in doc.get("entities", [])}
    mapped_gold = set(mapping.values())
    out = []

    def quotes(items: Iterable[tuple[str, int, int]], eid: str) -> str:
        return " | ".join(dict.fromkeys(body[s:e].replace("\n", " ") for x, s, e in items if x == eid))

    for g in dict.fromkeys(x for x, _, _ in gm):
        if g not in mapped_gold:
            where = "registry" if g in loo.entities else "new"
            out.append(f"  MISS  {g} ({where}): {quotes(gm, g)}")
    for p in dict.fromkeys(x for x, _, _ in pm):
        if p not in mapping:
            e = new.get(p)
            how = f"{e['type']}, {e.get('note', '')[-60:]}" if e else "registry"
            out.append(f"  FALSE {p} ({how}): {quotes(pm, p)}")
    for i, (p, s, e) in enumerate(pm):
        if i not in used and p in mapping:
            out.append(f"  extra mention of {p}: {body[s:e]!r}")
    return out


def run(corpus: Path, use_model: bool, only: Iterable[str] | None,
        errors: dict[str, list[str]] | None = None) -> tuple[dict[str, Score], Score]:
    ontology = load_ontology(ROOT / "ontology" / "sahelkg.ttl")
    reader = CorpusReader(corpus, ontology)
    problems: list[Problem] = []
    registry = reader.read_registry(problems)
    ids = reader.article_ids()
    known = fact_index(reader, ids)
    articles = [a for aid in ids if (a := reader.read_article(aid, registry, problems, known)) is not None]
    srcs = sources(registry, articles)
    types = Types(ontology)
    schema = corpus / "schema" / "annotation.schema.json"
    # start-up: the model and the finders load once, as in `sahelkg annotate FOLDER`
    warm = Annotator(registry, ontology, use_model=use_model, schema=schema)
    warm.annotate("Le soldat a été tué à Gao le 3 mai 2021.", "warmup")
    warm.annotate("The soldier was killed in Gao on May 3, 2021.", "warmup")
    per: dict[str, Score] = {}
    total = Score()
    for a in articles:
        if only and a.id not in only:
            continue
        loo = leave_one_out(registry, srcs, a.id)
        annotator = Annotator(loo, ontology, use_model=use_model, schema=schema)
        annotator.gazetteer(a.meta.language)  # the registry index is start-up too
        raw = (reader.articles_dir / f"{a.id}.txt").read_text(encoding="utf-8")
        t0 = time.perf_counter()
        draft = annotator.annotate(raw, a.id)
        seconds = time.perf_counter() - t0
        _header, body = split_header(normalise_text(raw))
        errs: list[str] | None = [] if errors is not None else None
        sc = score(a, draft.doc, body, loo, types, errs)
        if errors is not None and errs is not None:
            errors[a.id] = errs
        sc.seconds = seconds
        per[a.id] = sc
        total.add(sc)
    return per, total


def table(per: dict[str, Score], total: Score) -> str:
    head = ("article", "mentions P/R/F1", "entities P/R/F1", "events P/R/F1", "roles P/R/F1",
            "dates right/both/gold", "counts right/both", "s")
    rows = [head]

    def fmt(p: PRF) -> str:
        return f"{p.p:.2f}/{p.r:.2f}/{p.f1:.2f}"

    for name, sc in [*per.items(), ("TOTAL", total)]:
        n = len(per) if name == "TOTAL" else 1
        rows.append((name, fmt(sc.mentions), fmt(sc.entities), fmt(sc.events), fmt(sc.roles),
                     f"{sc.dates_right}/{sc.dates_both}/{sc.dates_gold}", f"{sc.counts_right}/{sc.counts_both}",
                     f"{sc.seconds / n:.2f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    date_share = total.dates_right / total.dates_both if total.dates_both else 0.0
    lines.append(f"\nentities F1 {total.entities.f1:.2f} (target 0.85), events F1 {total.events.f1:.2f} (0.60), "
                 f"date resolution {date_share:.2f} (0.80), {total.seconds / max(1, len(per)):.2f} s/article (< 2)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--no-model", action="store_true", help="rules only (no spaCy)")
    ap.add_argument("--articles", default=None, help="comma-separated article ids (default: all)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument("--errors", action="store_true",
                    help="also list, per article, the missed and the false entities and the unmatched mentions")
    args = ap.parse_args()
    errors: dict[str, list[str]] | None = {} if args.errors else None
    per, total = run(args.corpus, not args.no_model, args.articles.split(",") if args.articles else None, errors)
    for aid, lines in (errors or {}).items():
        print(f"{aid}:", *lines, sep="\n")
    print(table(per, total))
    if args.json:
        def d(sc: Score) -> dict[str, Any]:
            return {k: (vars(v) | {"p": v.p, "r": v.r, "f1": v.f1}) if isinstance(v, PRF) else v for k, v in vars(sc).items()}
        args.json.write_text(json.dumps({"articles": {k: d(v) for k, v in per.items()}, "total": d(total)}, indent=2))


if __name__ == "__main__":
    main()
