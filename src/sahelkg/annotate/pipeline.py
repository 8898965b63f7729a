"""The annotator: an article's text in, a draft annotation (corpus format) out.

Steps, each in its own module: the header lines are split off by the corpus reader
(:func:`sahelkg.corpus.split_header`, so offsets match what check and build count); the language
is detected (:mod:`.language`) unless the header states it; registry entities are found through
their names (:mod:`.gazetteer`); new names are proposed by rules and, when installed, spaCy
(:mod:`.entities`); dates and counts come from :mod:`.dates` and :mod:`.numbers`; events are
assembled per sentence from the triggers of :mod:`.triggers` (:mod:`.events`); relations and
claims come from :mod:`.patterns`. Every item is written ``status: draft`` with a confidence.
A finder module that is not there yet leaves its part of the draft empty.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sahelkg import __version__
from sahelkg.annotate import coref
from sahelkg.annotate import entities as ner
from sahelkg.annotate.events import EventDraft, Types, assemble, without
from sahelkg.annotate.gazetteer import Gazetteer
from sahelkg.annotate.language import detect_language
from sahelkg.annotate.model import DateMention, Mention
from sahelkg.annotate.text import sentences
from sahelkg.annotate.writer import dump, quote
from sahelkg.corpus import ARTICLE_ID_RE, normalise_text, parse_date_value, split_header
from sahelkg.corpus.scan import CorpusFiles
from sahelkg.corpus.lint import quote_names
from sahelkg.errors import SahelKGError
from sahelkg.vocab import RELATION_PROPERTIES, SK, STANCES

DRAFTED_BY = f"sahelkg annotate {__version__}"


class AnnotateError(SahelKGError):
    """An article cannot be annotated (unreadable, empty, or its draft would overwrite a file)."""


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """``sahelkg.annotate.<module>.<name>`` when that module exists (written beside this one), else None."""
    try:
        mod = importlib.import_module(f"sahelkg.annotate.{module}")
    except ModuleNotFoundError as e:
        if e.name != f"sahelkg.annotate.{module}":
            raise
        return None
    return getattr(mod, name, None)


@dataclass
class Draft:
    """A drafted annotation: the document (corpus format) and what went into it."""

    article_id: str
    doc: dict[str, Any]
    language: str
    seconds: float
    used: list[str] = field(default_factory=list)  # the finders that ran ("spacy", "dates", ...)

    def yaml(self, source: str = "") -> str:
        today = dt.date.today().isoformat()
        header = (
            f"Draft annotation of article {self.article_id}{' (' + source + ')' if source else ''}, written by "
            f"{DRAFTED_BY} on {today} with: {', '.join(self.used) or 'registry names only'}.\n"
            "Every item marked 'status: draft' is a machine's guess: check it against the text, correct it,\n"
            "then delete its 'status: draft' line (or write 'status: reviewed'). Until then the graph keeps it\n"
            "apart (sk:reviewStatus sk:Draft), and `sahelkg query draft-facts` lists it."
        )
        return dump(self.doc, header)


class Annotator:
    """Drafts annotations against one registry and ontology (build it once, annotate many)."""

    def __init__(self, registry: Any, ontology: Any, *, use_model: bool = True, schema: Path | None = None) -> None:
        self.registry = registry
        self.ontology = ontology
        self.types = Types(ontology)
        self._gov_names: dict[str, str] | None = None
        self.use_model = use_model
        self._gazetteers: dict[str, Gazetteer] = {}
        self.find_dates = _optional("dates", "find_dates")
        self.find_publication_date = _optional("dates", "find_publication_date")
        self.find_counts = _optional("numbers", "find_counts")
        self.find_triggers = _optional("triggers", "find_triggers")
        self.find_relations = _optional("patterns", "find_relations")
        self.find_claims = _optional("patterns", "find_claims")
        self.event_keys = self._schema_keys(schema)

    @staticmethod
    def _schema_keys(path: Path | None) -> frozenset[str]:
        """Keys the annotation schema allows on an event (``modality`` only once the schema has it)."""
        import json

        if path is None:
            return frozenset()
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
            return frozenset(schema["properties"]["events"]["items"]["properties"])
        except (OSError, KeyError, ValueError):
            return frozenset()

    def gazetteer(self, lang: str) -> Gazetteer:
        if lang not in self._gazetteers:
            self._gazetteers[lang] = Gazetteer(self.registry, self.ontology, lang)
        return self._gazetteers[lang]

    # ------------------------------------------------------------------ the whole article
    def annotate(self, raw: str, article_id: str) -> Draft:
        """The draft of one article's text (as read from its file, header lines included)."""
        t0 = time.perf_counter()
        header, body = split_header(normalise_text(raw))
        if not body.strip():
            raise AnnotateError(f"article {article_id}: the text is empty (after its header lines): nothing to annotate")
        lang = header.get("lang") or header.get("language") or ""
        lang = lang.lower()[:2] if lang.lower()[:2] in ("en", "fr") else detect_language(body)
        used: list[str] = []
        article: dict[str, Any] = {"id": article_id}
        title = header.get("title") or _title(body)
        if title:
            article["title"] = title
        article["language"] = lang
        if header.get("publisher"):
            article["publisher"] = header["publisher"]
        url = header.get("source") or header.get("url")
        if url and re.match(r"https?://\S+$", url):
            article["url"] = url
        published, published_quote = self._published(header, body, lang)
        if published:
            article["published"] = published
            if published_quote:
                article["published_quote"] = published_quote
        else:  # every article has a publication date node, unknown when the text does not give one
            article["published"] = {"basis": "unknown", "derivation": "the text states no publication date: add it if known"}
        article["drafted_by"] = DRAFTED_BY
        pub_date = _as_date(published)

        # mentions: registry names, then new names where no registry name is
        known = self.gazetteer(lang).find(body)
        proposals = ner.rule_proposals(body, lang)
        if self.use_model and ner.spacy_available(lang):
            proposals += ner.spacy_proposals(body, lang)
            used.append("spacy")
        known = self._yield_surnames(known, proposals)
        # a registry name inside a longer name proposed by a naming rule ("katiba du Gourma", "G5 Sahel") is
        # part of that name, not a mention of the place
        # a region named after a registry town ("the Gao region") is another place than the town; after a registry
        # region ("la région du Gourma") it is that region, and the proposal goes
        towns = [m for m in known if self.types.isa(m.type, "Settlement")]
        proposals = [p for p in proposals if p.source != "rule:region"
                     or any(p.start <= m.start and m.end <= p.end for m in towns)]
        naming = [p for p in proposals if p.source in ("rule:katiba", "rule:coded", "rule:region")]
        known = [m for m in known if not any(p.start <= m.start and m.end <= p.end and (p.end - p.start) > (m.end - m.start)
                                             for p in naming)]
        # a longer name proposed by a rule around registry names keeps them: "Niger's security forces" (an army,
        # and Niger), "the border between Mali and Niger" (a border, and both countries); a more specific kind
        # around a registry kind ("attack helicopters" around "helicopters") replaces it
        def inside(m: Mention, p: ner.Proposal) -> bool:
            return p.start <= m.start and m.end <= p.end and (p.end - p.start) > (m.end - m.start)

        # a rule's longer name around a registry name of the same kind: a more specific kind ("attack helicopters"
        # around "helicopters") or a nationality ("the Nigerien army" around the registry's "army") says more and
        # replaces it; a border around a registry region of its kind ("the three borders area" around "three
        # borders") is that region, and the proposal goes
        proposals = [p for p in proposals if not (p.source == "rule:border" and any(
            inside(m, p) and self.types.compatible(m.type, p.type) for m in known))]
        known = [m for m in known if not any(
            inside(m, p) and (p.source == "rule:army" and self.types.compatible(p.type, m.type)
                              or p.source == "rule:equipment" and p.type != m.type and self.types.isa(p.type, m.type))
            for p in proposals)]
        around = [p for p in proposals if p.source in ("rule:army", "rule:border", "rule:position")]
        free = [(m.start, m.end) for m in known if not any(inside(m, p) for p in around)]
        # borders and positions are chosen on their own: the names inside them stay mentions ("the spokesman for
        # the Chief of Staff of the French Armed Forces" holds the staff and the army)
        nesting = ner.choose([p for p in proposals if p.source in ("rule:border", "rule:position")], free)
        rest = ner.choose([p for p in proposals if p.source not in ("rule:border", "rule:position")], free)
        chosen = sorted(nesting + [p for p in rest if not any(
            p.start < n.end and n.start < p.end and not (p.source.startswith("rule") and n.start <= p.start and p.end <= n.end)
            for n in nesting)], key=lambda p: p.start)
        national = self._national_bodies(chosen)
        chosen = [p for p in chosen if (p.start, p.end) not in national]
        known += national.values()
        # a name the registry holds is not proposed again
        chosen = [p for p in chosen if not self._known_name(p.label)]
        local_mentions, local_first = ner.to_mentions(chosen, body, set(self.registry.entities), _headline_end(body))
        local_mentions += self._repeats(body, local_first, [(m.start, m.end) for m in known + local_mentions])
        mentions = sorted(known + local_mentions, key=lambda m: m.start)
        mentions = self._governments_that_act(body, mentions)
        mentions += self._demonyms(body, mentions, chosen)
        spans = sentences(body)
        # descriptions that take up an entity named before ("the group", "la victime", "A French soldier ... Sergeant X")
        descriptive = {eid for eid, p in local_first.items() if p.source in coref.DESCRIPTIVE_SOURCES}
        rank_ends = {m.end for m in mentions if self.types.isa(m.type, "MilitaryRank")}
        rank_ends |= {p.end for p in chosen if p.type == "MilitaryRank"}
        mentions, gone = coref.resolve(
            body, spans, mentions, descriptive, self.types.isa,
            lambda m: self.types.isa(m.type, "Person") and m.entity not in descriptive and not m.coref,
            lambda m: any(0 < m.start - e <= 2 for e in rank_ends) or ner.starts_with_rank(m.text))
        local_first = {eid: p for eid, p in local_first.items() if eid not in gone}

        dates: list[DateMention] = []
        if self.find_dates is not None:
            dates = [d for d in self.find_dates(body, lang, pub_date) if _date_block(d) is not None]
            used.append("dates")
        counts = []
        if self.find_counts is not None:
            counts = [c for c in self.find_counts(body, lang) if _count_ok(c.block)]
            used.append("counts")
        # a headline restates what the body tells with its details: its events are the body's
        event_spans = spans[1:] if spans and _title(body) and body[spans[0][0]:spans[0][1]] == _title(body) else spans
        events = assemble(body, event_spans, mentions, dates, counts, self.find_triggers, lang, self.types)
        if self.find_triggers is not None:
            used.append("triggers")
        if "modality" not in self.event_keys:
            # a planned or hypothetical event written without its modality would say it happened
            events = without(events, lambda ev: ev.modality is not None)
        # an unnamed person or group ("a sniper", "des hommes armés") is an entity only as an event's participant
        in_roles = {eid for ev in events for ids in ev.participants.values() for eid in ids}
        unnamed = {eid for eid, p in local_first.items() if p.source in ("rule:group", "rule:someone") and eid not in in_roles
                   and not _NUMBERED.match(p.label)}
        local_first = {eid: p for eid, p in local_first.items() if eid not in unnamed}
        mentions = [m for m in mentions if m.entity not in unnamed]

        doc: dict[str, Any] = {"article": article}
        doc["entities"] = [self._entity(body, eid, p) for eid, p in local_first.items()]
        doc["mentions"] = [self._mention(body, m) for m in mentions]
        doc["events"] = [self._event(body, ev) for ev in events]
        relations, claims = self._relations_claims(body, spans, mentions, lang, events, used)
        doc["relations"] = relations
        doc["claims"] = claims
        doc = {k: v for k, v in doc.items() if v or k == "article"}
        return Draft(article_id, doc, lang, time.perf_counter() - t0, used)

    # ------------------------------------------------------------------ pieces
    def _known_name(self, label: str) -> bool:
        """True when ``label`` is a registry name (a rule matched it in a form the gazetteer refused)."""
        from sahelkg.annotate.gazetteer import name_keys
        from sahelkg.annotate.text import tokens

        if not hasattr(self, "_names"):
            self._names = name_keys(self.registry)
        return " ".join(t.key for t in tokens(label)) in self._names

    def _published(self, header: dict[str, str], body: str, lang: str) -> tuple[dict[str, Any] | None, Any]:
        """The publication date block (and its quote when the body states it)."""
        value = header.get("date") or header.get("published")
        if value:
            m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][\d:.+\-Z]*)?", value.strip())
            if m:
                iso = "-".join(g for g in m.groups() if g)
                try:
                    iso, precision, _, _ = parse_date_value(iso)
                    return {"text": value, "value": iso, "precision": precision, "basis": "stated"}, None
                except ValueError:
                    pass
            if self.find_dates is not None:
                found = [d for d in self.find_dates(value, lang, None) if d.block.get("basis") == "stated"]
                block = _date_block(found[0]) if found else None
                if block:
                    return {**block, "text": value}, None
        if self.find_publication_date is not None:
            dm = self.find_publication_date(body, lang)
            block = _date_block(dm) if dm else None
            if block:
                return block, quote(body, dm.start, dm.end)
        return None, None

    def _governments_that_act(self, body: str, mentions: list[Mention]) -> list[Mention]:
        """A country or capital named as the subject of a statement or a decision ("France announced", "Paris
        a décidé", "Paris is considering"), or set against another in a diplomatic relation ("tensions between
        Paris and Bamako") is its government, when a registry government bears that name: metonymy, as news
        writes it."""
        if self._gov_names is None:
            from sahelkg.annotate.text import fold_str

            self._gov_names = {}
            for ent in self.registry.entities.values():
                if any(self.types.isa(t, "Government") for t in ent.types):
                    for name in [*ent.labels.values(), *(a for al in ent.aliases.values() for a in al)]:
                        self._gov_names.setdefault(fold_str(name), ent.id)
        from sahelkg.annotate.text import fold_str

        out = []
        for m in mentions:
            gov = self._gov_names.get(fold_str(m.text))
            if gov and gov != m.entity and self.types.isa(m.type, "Place") and (
                    _ACTS_RE.match(body, m.end) or _RELATION_BETWEEN_RE.search(body, max(0, m.start - 90), m.start)):
                m = replace(m, entity=gov, type=self.gazetteer("en").types.get(gov, "Government"))
            out.append(m)
        return out

    def _country_forms(self) -> dict[str, tuple[str, str]]:
        """Each nationality adjective of :data:`entities.DEMONYMS` -> (registry country id, its type), for the
        countries the registry holds."""
        if not hasattr(self, "_countries"):
            self._countries: dict[str, tuple[str, str]] = {}
            gaz = self.gazetteer("en")
            for country, forms in ner.DEMONYMS.items():
                hits = [m for m in gaz.find(country) if m.text == country and self.types.isa(m.type, "Country")]
                if hits:
                    for form in forms:
                        self._countries[form] = (hits[0].entity, hits[0].type)
        return self._countries

    def _national_bodies(self, chosen: list[ner.Proposal]) -> dict[tuple[int, int], Mention]:
        """A national army or government proposed by its nationality ("the Nigerien army", "la junte malienne")
        that the registry holds, found through its ``country`` fact: a mention of that entity, not a new one.
        Security forces in general ("forces de sécurité maliennes") are broader than the army and stay new."""
        out: dict[tuple[int, int], Mention] = {}
        forms = self._country_forms()
        for p in chosen:
            if p.source != "rule:army" or (p.type == "ArmedForce" and not _ARMY_PROPER_RE.search(p.label)):
                continue
            nat = ner.DEMONYM_RE.search(p.label) or ner.DEMONYM_RE.search(p.label.title())
            country = forms.get(nat.group()) if nat else None
            if country is None:
                continue
            owners = [e for e in self.registry.entities.values()
                      if any(f.property == "country" and f.object == country[0] for f in e.facts)
                      and any(self.types.isa(t, p.type) for t in e.types)]
            if len(owners) == 1:
                owner = owners[0]
                etype = self.gazetteer("en").types.get(owner.id, p.type)
                names = [*owner.labels.values(), *(a for al in owner.aliases.values() for a in al)]
                # "the Nigerien army" for the registry's "Nigerien Defence and Security Forces" refers without
                # naming: a coreference, as the checker reads it
                out[(p.start, p.end)] = Mention(p.start, p.end, p.label, owner.id, etype, False, 0.7,
                                                coref=not quote_names(p.label, names))
        return out

    def _demonyms(self, body: str, mentions: list[Mention], chosen: list[ner.Proposal]) -> list[Mention]:
        """A nationality adjective on its own ("Russian mercenaries", "la diplomatie française") mentions its
        country, when the registry holds that country and no longer name around it says more."""
        countries = self._country_forms()  # the table's forms as written: English capitalised, French lower case
        if not countries:
            return []
        spans = [(m.start, m.end) for m in mentions] + [(p.start, p.end) for p in chosen]
        out = []
        for m in ner.DEMONYM_RE.finditer(body):
            hit = countries.get(m.group())
            if hit is None or any(s < m.end() and m.start() < e for s, e in spans):
                continue
            out.append(Mention(m.start(), m.end(), m.group(), hit[0], hit[1], False, 0.6))
        return out

    def _yield_surnames(self, known: list[Mention], proposals: list[ner.Proposal]) -> list[Mention]:
        """Drop one-word registry person mentions (a surname alias) that lie inside a longer person name
        proposed here, or that are the surname of such a name while the registry person's full name is
        absent from the text: "Jean Dupont" is not the registry's "Ghislaine Dupont"."""
        from sahelkg.annotate.text import fold_str

        names = [p for p in proposals if p.type == "Person" and len(p.label.split()) > 1 and p.source not in ("rule:someone", "rule:someone-again")]
        surnames = {fold_str(p.label.split()[-1]) for p in names}
        full = {m.entity for m in known if len(m.text.split()) > 1}
        out = []
        for m in known:
            if m.type == "Person" and len(m.text.split()) == 1 and (
                    any(p.start <= m.start and m.end <= p.end for p in names)
                    or (fold_str(m.text) in surnames and m.entity not in full)):
                continue
            out.append(m)
        return out

    def _repeats(self, body: str, local_first: dict[str, ner.Proposal], taken: list[tuple[int, int]]) -> list[Mention]:
        """Later mentions of a new entity by its full label, or a person by the last word of the name."""
        out = []
        for eid, p in local_first.items():
            if p.source in ("rule:group", "rule:someone", "rule:armed-group"):
                continue  # an indefinite description written again ("un groupe armé") is another one, or a predicate
            forms = [p.label]
            if p.type == "Person" and len(p.label.split()) > 1 and len(p.label.split()[-1]) > 3:
                forms.append(p.label.split()[-1])
            for form in forms:
                for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", body):
                    if any(m.start() < e and s < m.end() for s, e in taken):
                        continue
                    taken.append((m.start(), m.end()))
                    out.append(Mention(m.start(), m.end(), m.group(), eid, p.type, True, round(p.confidence * 0.9, 2)))
        return out

    def _entity(self, body: str, eid: str, p: ner.Proposal) -> dict[str, Any]:
        how = {"rule:title": "a name after a rank or title", "rule:katiba": "a katiba name",
               "rule:unit": "a numbered unit", "rule:acronym": "a name with its acronym",
               "rule:place": "a name after a place word or locative preposition",
               "rule:group": "an unnamed group of people", "rule:someone": "an unnamed person",
               "rule:rank": "a rank or title before a name", "rule:army": "an army and its nationality",
               "rule:armed-group": "an armed group named by its kind", "rule:equipment": "a kind of weapon or materiel",
               "rule:position": "a position and what it heads", "rule:coded": "a name made of a code and a word (G5 Sahel)",
               "rule:region": "a region named after its town",
               "rule:border": "a border named by its countries",
               "rule:person": "a name as a speaker or with a description"}.get(p.source, f"spaCy entity {p.source[6:]}")
        out: dict[str, Any] = {"id": eid, "type": p.type, "label": p.label,
                               "quote": quote(body, p.start, p.end)}
        if p.source in ("rule:group", "rule:someone", "rule:armed-group"):
            out["note"] = f"unnamed, of this article only; proposed from {how}"
        else:
            out["note"] = f"not in the registry; proposed from {how}: add it to the registry if it recurs"
        out["status"] = "draft"
        out["confidence"] = round(p.confidence, 2)
        return out

    def _mention(self, body: str, m: Mention) -> dict[str, Any]:
        q = quote(body, m.start, m.end)
        out: dict[str, Any] = {"entity": m.entity}
        if isinstance(q, dict):
            out["quote"] = q["text"]
            out["occurrence"] = q["occurrence"]
        else:
            out["quote"] = q
        if m.coref:
            out["coref"] = True
        out["status"] = "draft"
        out["confidence"] = round(m.confidence, 2)
        return out

    def _event(self, body: str, ev: EventDraft) -> dict[str, Any]:
        out: dict[str, Any] = {"id": ev.id, "type": ev.type, "quote": quote(body, ev.start, ev.end)}
        out["trigger"] = quote(body, ev.trigger.start, ev.trigger.end, within=(ev.start, ev.end))
        if ev.date is not None:
            block = _date_block(ev.date)
            if block:
                out["date"] = block
        if ev.place:
            out["place"] = ev.place
        if ev.participants:
            out["participants"] = ev.participants
        if ev.instruments:
            out["instruments"] = ev.instruments
        if ev.count is not None:
            out["count"] = {k: v for k, v in ev.count.block.items() if v is not None}
        if ev.operation:
            out["operation"] = ev.operation
        if ev.result_of:
            out["result_of"] = ev.result_of
        if ev.modality and "modality" in self.event_keys:
            out["modality"] = ev.modality
        out["status"] = "draft"
        out["confidence"] = ev.confidence
        return out

    def _fits(self, eid: str, mentions_types: dict[str, str], expected: frozenset[str]) -> bool:
        t = mentions_types.get(eid)
        return t is not None and t in SK and self.ontology.fits([SK.term(t)], expected)

    def _relations_claims(
        self, body: str, spans: list[tuple[int, int]], mentions: list[Mention], lang: str,
        events: list[EventDraft], used: list[str],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        relations: list[dict[str, Any]] = []
        claims: list[dict[str, Any]] = []
        if self.find_relations is None and self.find_claims is None:
            return relations, claims
        used.append("patterns")
        types = {m.entity: m.type for m in mentions}
        seen: set[tuple[str, str, str]] = set()
        for s, e in spans:
            local = [replace(m, start=m.start - s, end=m.end - s) for m in mentions if s <= m.start and m.end <= e]
            if not local:
                continue
            sentence = body[s:e]
            for r in (self.find_relations(sentence, lang, local) if self.find_relations else []):
                key = (r.subject, r.property, r.object)
                if key in seen or r.property not in RELATION_PROPERTIES or r.subject == r.object:
                    continue
                prop = SK.term(r.property)
                if not (self._fits(r.subject, types, self.ontology.domain(prop)) and self._fits(r.object, types, self.ontology.range(prop))):
                    continue  # the checker would refuse it: a wrong guess, not a draft
                seen.add(key)
                relations.append({
                    "id": f"r{len(relations) + 1}", "property": r.property, "subject": r.subject, "object": r.object,
                    "quote": quote(body, s + r.start, s + r.end), "status": "draft", "confidence": round(r.confidence, 2),
                })
            for c in (self.find_claims(sentence, lang, local) if self.find_claims else []):
                if c.stance not in STANCES or not self._fits(c.speaker, types, frozenset([SK.Agent])):
                    continue
                item: dict[str, Any] = {"id": f"c{len(claims) + 1}", "speaker": c.speaker, "stance": c.stance}
                if c.about_start is not None and c.about_end is not None:
                    a0, a1 = s + c.about_start, s + c.about_end
                    about = [ev.id for ev in events if ev.start == s and a0 <= ev.trigger.start < a1]
                    if about:
                        item["about"] = about
                item["quote"] = quote(body, s + c.start, s + c.end)
                item["status"] = "draft"
                item["confidence"] = round(c.confidence, 2)
                claims.append(item)
        return relations, claims


# What a government does and a country cannot: state, decide, claim, send ("France announced", "Paris a décidé").
_ACTS_RE = re.compile(
    # a short time phrase may come between ("Paris in August claimed", "Bamako, lundi, a annoncé")
    r"\s*,?\s+(?:(?:in|on|last|this|en|ce|le)\s+[A-Za-zéû]+\s*,?\s+|(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s*,?\s+)?"
    r"(?:(?:has|have|had|is|are|was|were|also|then|now|officially|a|avait|est|était|aussi|alors|officiellement)\s+)*"
    r"(?:announc|declar|said|says|stated|reaffirm|affirm|claim|decid|want|wish|intend|plan|consider|warn|"
    r"annonc|d[ée]cid|r[ée]affirm|revendiqu|envisag|souhait|veut|voulait|entend|pr[ée]voit|averti|d[ée]clar)",
    re.IGNORECASE)
# The army proper (not security forces in general), EN and FR.
_ARMY_PROPER_RE = re.compile(r"\b(?:army|armed forces|military|armée|armées|forces armées)\b", re.IGNORECASE)
# Two capitals set against each other in a diplomatic relation: "a tense context between Paris and Bamako",
# "les tensions entre Paris et Bamako" name the two governments (not a border between two places).
_RELATION_BETWEEN_RE = re.compile(
    r"\b(?:tense|tensions?|relations?|relationship|rift|dispute|crisis|standoff|talks|context|dialogue|row"
    r"|crise|brouille|bras de fer|contentieux|rupture|différend|climat|contexte)\b[^.;:]{0,30}?\b(?:between|entre)\s+"
    r"(?:[A-ZÀ-Ö][\w\-]+\s+(?:and|et)\s+(?:the\s+|la\s+|le\s+)?(?:[a-zé]+\s+){0,3})?$")
# "deux soldats", "three peacekeepers", "12 civilians": a counted group is an entity even outside an event
_NUMBERED = re.compile(r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|deux|trois|quatre|cinq|six|sept"
                       r"|huit|neuf|dix|onze|douze)\s", re.IGNORECASE)


def _title(body: str) -> str | None:
    """The first line when it reads as a headline: short, followed by a line break, no final full stop."""
    first, nl, _rest = body.partition("\n")
    first = first.strip()
    if nl and 10 <= len(first) <= 200 and not first.endswith((".", ":", ",")) and len(first.split()) >= 3:
        return first
    return None


def _headline_end(body: str) -> int:
    """Where the headline ends: a short first line set apart by a blank line, whatever its final punctuation
    ("BARKHANE : la force Barkhane met hors de combat un groupe terroriste au Mali."); 0 without one."""
    m = re.match(r"[ \t]*([^\n]{10,200})\n[ \t\u00a0]*\n", body)
    return m.end(1) if m else 0


def _date_block(d: DateMention) -> dict[str, Any] | None:
    """The corpus date block of ``d`` with its text, or None when it would not validate."""
    block = {k: v for k, v in d.block.items() if v is not None}
    basis = block.get("basis")
    if basis not in ("stated", "relative", "context", "unknown"):
        return None
    if basis != "stated" and not block.get("derivation"):
        return None
    try:
        if basis == "unknown":
            if "value" in block or "begin" in block or "end" in block:
                return None
        elif "value" in block:
            _iso, precision, _, _ = parse_date_value(str(block["value"]))
            if block.get("precision", precision) != precision:
                return None
        elif "begin" in block and "end" in block:
            _, bp, b, _ = parse_date_value(str(block["begin"]))
            _, ep, _, e = parse_date_value(str(block["end"]))
            if b is None or e is None or b > e or block.get("precision", bp if bp == ep else "year") != (bp if bp == ep else "year"):
                return None
        elif "begin" in block:  # an open period, "since January": begin without end
            parse_date_value(str(block["begin"]))
        else:
            return None
    except ValueError:
        return None
    out = {"text": d.text}
    out.update({k: v for k, v in block.items() if k != "text"})
    return out


def _as_date(block: dict[str, Any] | None) -> dt.date | None:
    if block and block.get("precision") == "day" and "value" in block:
        return dt.date.fromisoformat(block["value"])
    return None


def _count_ok(block: dict[str, Any]) -> bool:
    vals = [v for k in ("low", "value", "high") if (v := block.get(k)) is not None]
    numbers = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return bool(vals) and numbers == vals and numbers == sorted(numbers)


# ---------------------------------------------------------------------- files and folders

def read_article_text(path: Path) -> str:
    """The text of an article file; a clear error naming the file when it is not UTF-8 or unreadable."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise AnnotateError(f"{path}: cannot read the file: {e.strerror or e}") from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AnnotateError(
            f"{path}: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "convert it to UTF-8 first, e.g. iconv -f latin1 -t utf-8"
        ) from e


def default_output(path: Path, article_id: str) -> Path:
    """Where a draft goes: ``annotations/<id>.yaml`` beside an ``articles/`` folder, else ``<id>.yaml`` beside the text."""
    if path.parent.name == "articles":
        return CorpusFiles(path.parent.parent).annotation_file(article_id)
    return path.parent / f"{article_id}.yaml"


def annotate_file(annotator: Annotator, path: Path, *, article_id: str | None = None, output: Path | None = None,
                  force: bool = False) -> tuple[Path, Draft]:
    """Draft ``path``'s annotation into ``output`` (default :func:`default_output`); never overwrites
    an existing file unless ``force``."""
    aid = article_id or path.stem
    if not ARTICLE_ID_RE.match(aid):
        raise AnnotateError(f"{path}: article id {aid!r}: use only letters, digits, '_' and '-' (rename the file or pass --id)")
    out = output or default_output(path, aid)
    if out.exists() and not force:
        raise AnnotateError(f"{out} exists: sahelkg annotate never overwrites an annotation; pass --force to replace it")
    draft = annotator.annotate(read_article_text(path), aid)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(draft.yaml(path.name), encoding="utf-8")
    tmp.replace(out)  # atomic: a reader never sees half a file
    return out, draft


def annotate_folder(annotator: Annotator, folder: Path, *, output_dir: Path | None = None, force: bool = False,
                    progress: Callable[[str, int, int], None] | None = None,
                    ) -> tuple[list[tuple[Path, Draft]], list[Path], list[AnnotateError]]:
    """Draft every ``*.txt`` of ``folder`` that has no annotation yet (all of them with ``force``).

    Returns the drafts written, the articles skipped because their annotation exists, and the errors of
    the articles that could not be drafted (an unreadable or empty file does not stop the others)."""
    texts = sorted(p for p in folder.glob("*.txt") if not p.name.startswith("."))
    done, skipped, failed = [], [], []
    for i, path in enumerate(texts):
        out = (output_dir / f"{path.stem}.yaml") if output_dir else default_output(path, path.stem)
        if out.exists() and not force:
            skipped.append(path)
        else:
            try:
                done.append(annotate_file(annotator, path, output=out, force=force))
            except AnnotateError as e:
                failed.append(e)
        if progress:
            progress("annotate", i + 1, len(texts))
    return done, skipped, failed


def load_annotator(corpus_dir: Path, ontology_file: Path, *, use_model: bool = True) -> Annotator:
    """An annotator on the corpus's registry and the ontology (registry problems do not stop it)."""
    from sahelkg.corpus import CorpusReader
    from sahelkg.errors import Problem
    from sahelkg.graph.ontology import load_ontology

    ontology = load_ontology(ontology_file)
    problems: list[Problem] = []
    registry = CorpusReader(corpus_dir, ontology).read_registry(problems)
    return Annotator(registry, ontology, use_model=use_model, schema=corpus_dir / "schema" / "annotation.schema.json")
