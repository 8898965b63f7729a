"""Synthetic corpora with the shape of the real one, for the build benchmark.

    python bench/synth.py OUT_DIR --articles N [--entities M] [--seed S] [--jobs J]

writes ``OUT_DIR/articles/*.txt``, ``OUT_DIR/annotations/*.yaml``, ``OUT_DIR/registry/*.yaml`` and a
copy of ``corpus/schema``, so that ``SAHELKG_CORPUS=OUT_DIR sahelkg check corpus`` passes and
``sahelkg build`` works on it.

Every article is a few paragraphs of sentences built from templates (English or French); its
annotation file anchors ~10-20 mentions, ~5 events with roles (attacker, target, victim, agent),
dates (stated, relative, context, spans, unknown), places (some relative: "30 km north of X"),
counts (exact, approximate, low-high), instruments, ~2 relations, ~1 claim and sometimes an
observation, and, in a few percent of articles each, what only some real articles have: a disputed or
denied claim, an aggregate toll, a named person neutralized, a position held, a planned (modal) event,
another account of an earlier event (same_as), drafted relations; all anchored to a registry of
thousands of entities (persons, armed groups, units, forces, operations, places with coordinates and a
place hierarchy, equipment, ranks, positions) whose
types respect the ontology's domains and ranges. Quotes are computed from the generated text, so
they are exact, and made unambiguous with ``occurrence`` where a string repeats.

Deterministic: the registry depends on ``(seed, entities)`` only, article ``i`` on
``(seed, entities, i)`` only (so the first 1,000 articles of a 100k corpus are the 1k corpus).
Streamed: each article is generated, written and forgotten; ``--jobs`` spreads articles over
processes without changing a byte of the output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = PROJECT / "corpus" / "schema"
SOURCE = "annotator: synthetic"
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# --------------------------------------------------------------------------- names

SYLLABLES = [
    "ka", "ma", "dou", "ba", "ti", "sa", "ra", "ou", "mo", "di", "na", "ga", "ye", "li", "ko", "al",
    "ha", "se", "fa", "bo", "tin", "zou", "kel", "an", "ri", "gou", "dja", "ne", "hou", "me",
]
FIRST_NAMES = [
    "Amadou", "Moussa", "Ibrahim", "Oumar", "Hamadoun", "Abdoulaye", "Mohamed", "Ahmed", "Issa",
    "Boubacar", "Fatoumata", "Aminata", "Mariam", "Pierre", "Jean", "Thomas", "Nicolas", "Julien",
    "Camille", "Claire", "Sophie", "Youssouf", "Souleymane", "Ali", "Hassan", "Idrissa", "Adama",
]
# Real countries with a reference point (lat, lon); names en, fr; adjective en.
COUNTRIES = [
    ("mali", "Mali", "Mali", "Malian", 17.0, -4.0),
    ("niger", "Niger", "Niger", "Nigerien", 16.0, 8.0),
    ("burkina-faso", "Burkina Faso", "Burkina Faso", "Burkinabe", 13.0, -2.0),
    ("chad", "Chad", "Tchad", "Chadian", 15.0, 19.0),
    ("mauritania", "Mauritania", "Mauritanie", "Mauritanian", 20.0, -12.0),
    ("algeria", "Algeria", "Algérie", "Algerian", 28.0, 3.0),
    ("senegal", "Senegal", "Sénégal", "Senegalese", 14.0, -14.0),
    ("nigeria", "Nigeria", "Nigéria", "Nigerian", 10.0, 8.0),
    ("france", "France", "France", "French", 46.0, 2.0),
]
SAHEL = {"mali", "niger", "burkina-faso", "chad", "mauritania"}
RANKS = [
    ("private", "Private", "soldat"), ("corporal", "Corporal", "caporal"),
    ("sergeant", "Sergeant", "sergent"), ("lieutenant", "Lieutenant", "lieutenant"),
    ("captain", "Captain", "capitaine"), ("major", "Major", "commandant"),
    ("colonel", "Colonel", "colonel"), ("general", "General", "général"),
]
EQUIPMENT = [  # (type, en, fr)
    ("Drone", "armed drone", "drone armé"), ("Drone", "surveillance drone", "drone de surveillance"),
    ("Helicopter", "transport helicopter", "hélicoptère de transport"),
    ("AttackHelicopter", "attack helicopter", "hélicoptère d'attaque"),
    ("ArmouredVehicle", "armoured vehicle", "véhicule blindé"),
    ("ImprovisedExplosiveDevice", "improvised explosive device", "engin explosif improvisé"),
    ("Landmine", "landmine", "mine terrestre"), ("SmallArm", "assault rifle", "fusil d'assaut"),
    ("HeavyWeapon", "heavy machine gun", "mitrailleuse lourde"), ("Missile", "guided missile", "missile guidé"),
    ("Rocket", "rocket launcher", "lance-roquettes"), ("CommunicationEquipment", "radio set", "poste radio"),
]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]
NUMBER_WORDS_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                   "eleven", "twelve"]
NUMBER_WORDS_FR = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
                   "onze", "douze"]
ROUND_EN = {10: "ten", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 100: "a hundred"}
ROUND_FR = {10: "dizaine", 20: "vingtaine", 30: "trentaine", 40: "quarantaine", 50: "cinquantaine", 100: "centaine"}
# (modality, the words in English, in French) of a deployment that did not happen
MODAL_DEPLOYMENTS = [
    ("planned", "plans to deploy", "prévoit de déployer"),
    ("considered", "is considering deploying", "envisage de déployer"),
    ("announced", "announced it would deploy", "a annoncé qu'elle déploierait"),
    ("expected", "is expected to deploy", "devrait déployer"),
]
BEARINGS = [("north", "au nord"), ("south", "au sud"), ("east", "à l'est"), ("west", "à l'ouest"),
            ("north-east", "au nord-est"), ("south-west", "au sud-ouest")]
FILLER_EN = [
    "The situation remains tense in the area.", "Local sources confirmed the information.",
    "The region has been the scene of repeated attacks for several years.",
    "No further details were given.", "Reinforcements were sent to secure the area.",
    "Humanitarian organisations have warned of the consequences for civilians.",
]
FILLER_FR = [
    "La situation reste tendue dans la zone.", "Des sources locales ont confirmé l'information.",
    "La région est le théâtre d'attaques répétées depuis plusieurs années.",
    "Aucun autre détail n'a été donné.", "Des renforts ont été envoyés pour sécuriser la zone.",
]


def slugify(s: str) -> str:
    out = []
    for ch in s.lower():
        out.append(ch if ch.isascii() and ch.isalnum() else "-")
    return "-".join(p for p in "".join(out).split("-") if p)


def made_up_name(rng: random.Random, lo: int = 2, hi: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(lo, hi))).capitalize()


# --------------------------------------------------------------------------- the registry

@dataclass
class Ent:
    id: str
    type: str
    en: str
    fr: str
    kind: str  # country|region|settlement|forest|force|unit|operation|group|katiba|person|rank|position|decoration|equipment|sahel
    country: str | None = None
    parent: str | None = None  # place: the place it is located in; katiba: its group; unit: its force
    aliases: dict[str, list[str]] = field(default_factory=dict)
    coords: tuple[float, float, str] | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)

    def label(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    def record(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type, "label": {"en": self.en, "fr": self.fr}}
        if self.aliases:
            d["aliases"] = self.aliases
        d["description"] = {"en": f"Synthetic {self.kind} for the build benchmark."}
        if self.coords:
            lat, lon, precision = self.coords
            d["coordinates"] = {"lat": lat, "lon": lon, "precision": precision, "source": SOURCE}
        if self.facts:
            d["facts"] = [{"property": p, "object": o, "source": SOURCE} for p, o in self.facts]
        return d


class Registry:
    """Thousands of canonical entities, deterministic from (seed, size)."""

    def __init__(self, seed: int, size: int) -> None:
        rng = random.Random(f"registry-{seed}-{size}")
        self.seed = seed
        self.by_kind: dict[str, list[Ent]] = {}
        self.all: dict[str, Ent] = {}
        self.files: dict[str, list[Ent]] = {k: [] for k in ("places", "organizations", "operations", "persons", "equipment", "concepts")}

        def add(e: Ent, file: str) -> Ent:
            base, n = e.id, 2
            while e.id in self.all:
                e.id = f"{base}-{n}"
                n += 1
            self.all[e.id] = e
            self.by_kind.setdefault(e.kind, []).append(e)
            self.files[file].append(e)
            return e

        size = max(size, 300)
        sahel = add(Ent("sahel", "GeographicRegion", "Sahel", "Sahel", "sahel",
                        aliases={"en": ["the Sahel"], "fr": ["le Sahel", "bande sahélo-saharienne"]},
                        coords=(15.0, 0.0, "region")), "places")
        del sahel
        for cid, en, fr, adj, lat, lon in COUNTRIES:
            c = add(Ent(cid, "Country", en, fr, "country", country=cid, coords=(lat, lon, "country")), "places")
            if cid in SAHEL:
                c.facts.append(("locatedIn", "sahel"))
            force = add(Ent(f"{cid}-armed-forces", "ArmedForce", f"{adj} Armed Forces", f"Forces armées ({fr})", "force",
                            country=cid, aliases={"en": [f"{adj} army"], "fr": [f"armée ({fr})"]}), "organizations")
            force.facts.append(("country", cid))
        countries = self.by_kind["country"]
        sahel_countries = [c for c in countries if c.id in SAHEL]

        def jitter(c: Ent, spread: float) -> tuple[float, float]:
            lat, lon, _ = c.coords  # type: ignore[misc]
            return round(max(-89.0, min(89.0, lat + rng.uniform(-spread, spread))), 5), round(lon + rng.uniform(-spread, spread), 5)

        for _ in range(max(10, size // 40)):
            c = rng.choice(sahel_countries)
            name = made_up_name(rng)
            lat, lon = jitter(c, 4)
            r = add(Ent(f"{slugify(name)}-region", "AdministrativeRegion", f"{name} Region", f"région de {name}", "region",
                        country=c.id, parent=c.id, coords=(lat, lon, "region")), "places")
            r.facts.append(("locatedIn", c.id))
        regions = self.by_kind["region"]
        for _ in range(max(40, size // 4)):
            r = rng.choice(regions)
            name = made_up_name(rng)
            lat, lon = jitter(self.all[r.country], 4)  # type: ignore[index]
            s = add(Ent(slugify(name), "Settlement", name, name, "settlement", country=r.country, parent=r.id,
                        coords=(lat, lon, rng.choice(["exact", "exact", "near"]))), "places")
            s.facts.append(("locatedIn", r.id))
        for _ in range(max(5, size // 100)):
            r = rng.choice(regions)
            name = made_up_name(rng)
            f = add(Ent(f"{slugify(name)}-forest", "Forest", f"{name} forest", f"forêt de {name}", "forest",
                        country=r.country, parent=r.id), "places")
            f.facts.append(("locatedIn", r.id))
        settlements = self.by_kind["settlement"]

        forces = self.by_kind["force"]
        for i in range(max(10, size // 20)):
            force = rng.choice(forces)
            n = i % 40 + 1
            kind, kfr = rng.choice([("Regiment", "régiment"), ("Battalion", "bataillon"), ("Squadron", "escadron")])
            en_ord = f"{n}{'st' if n % 10 == 1 and n != 11 else 'nd' if n % 10 == 2 and n != 12 else 'rd' if n % 10 == 3 and n != 13 else 'th'}"
            adj = force.en.split(" Armed")[0]
            u = add(Ent(f"{en_ord}-{kind.lower()}-{force.country}", kind, f"{en_ord} {adj} {kind}",
                        f"{n}e {kfr} ({self.all[force.country].fr})", "unit", country=force.country, parent=force.id), "organizations")  # type: ignore[index]
            u.facts.append(("partOf", force.id))
            garrison = [s for s in settlements[:200] if s.country == force.country]
            if garrison:
                u.facts.append(("garrisonedAt", rng.choice(garrison).id))
        for _ in range(max(5, size // 50)):
            force = rng.choice(forces)
            name = made_up_name(rng)
            op = add(Ent(f"operation-{slugify(name)}", "MilitaryOperation", f"Operation {name}", f"opération {name}",
                         "operation", country=force.country, aliases={"en": [name], "fr": [name]}), "operations")
            op.facts.append(("country", force.country))  # type: ignore[arg-type]
            op.facts.append(("operatesIn", rng.choice(sahel_countries).id))
        groups = []
        for _ in range(max(4, size // 100)):
            name = made_up_name(rng)
            acr = "".join(rng.choice("ABCDEGIMNRS") for _ in range(4))
            g = add(Ent(f"{slugify(name)}-group", rng.choice(["JihadistGroup", "JihadistGroup", "RebelMovement", "ArmedGroup"]),
                        f"{name} Group ({acr})", f"groupe {name} ({acr})", "group", aliases={"en": [acr], "fr": [acr]}), "organizations")
            g.facts.append(("operatesIn", rng.choice(regions).id))
            groups.append(g)
        jihadist = [g for g in groups if g.type == "JihadistGroup"] or groups[:1]
        for _ in range(max(8, size // 30)):
            name = made_up_name(rng)
            parent = rng.choice(jihadist)
            k = add(Ent(f"katiba-{slugify(name)}", "Katiba", f"Katiba {name}", f"katiba {name}", "katiba", parent=parent.id), "organizations")
            k.facts.append(("affiliatedWith", parent.id))
            k.facts.append(("operatesIn", rng.choice(regions).id))
        for rid, en, fr in RANKS:
            add(Ent(rid, "MilitaryRank", en, fr, "rank"), "concepts")
        for c in countries:
            add(Ent(f"minister-of-defence-of-{c.id}", "Position", f"Minister of Defence of {c.en}", f"ministre de la Défense ({c.fr})",
                    "position"), "concepts")
        add(Ent("military-medal", "Decoration", "military medal", "médaille militaire", "decoration"), "concepts")
        for t, en, fr in EQUIPMENT:
            add(Ent(slugify(en), t, en, fr, "equipment"), "equipment")
        units = self.by_kind["unit"]
        armed = self.by_kind["group"] + self.by_kind["katiba"]
        remaining = size - len(self.all)
        for _ in range(max(50, remaining)):
            first = rng.choice(FIRST_NAMES)
            last = made_up_name(rng, 2, 3)
            name = f"{first} {last}"
            p = add(Ent(slugify(name), "Person", name, name, "person", aliases={"en": [last], "fr": [last]}), "persons")
            if rng.random() < 0.6:
                unit = rng.choice(units)
                p.country = unit.country
                p.facts.append(("memberOf", unit.id))
                p.facts.append(("hasRank", rng.choice(RANKS)[0]))
            else:
                p.facts.append(("memberOf", rng.choice(armed).id))
        self.persons = self.by_kind["person"]
        self.soldiers = [p for p in self.persons if p.country]
        self.fighters = [p for p in self.persons if not p.country]
        self.settlements = settlements
        self.regions = regions
        self.units, self.forces, self.operations = units, forces, self.by_kind["operation"]
        self.groups, self.katibas, self.armed = groups, self.by_kind["katiba"], armed

    def write(self, out: Path) -> None:
        d = out / "registry"
        d.mkdir(parents=True, exist_ok=True)
        for name, ents in self.files.items():
            with open(d / f"{name}.yaml", "w", encoding="utf-8") as f:
                f.write("# yaml-language-server: $schema=../schema/registry.schema.json\n")
                f.write(f"# Synthetic {name} for the build benchmark (bench/synth.py).\n")
                yaml.dump([e.record() for e in ents], f, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=200)


def pick(rng: random.Random, items: list[Ent]) -> Ent:
    """A skewed draw: a few entities are in the news much more than the rest."""
    return items[int(len(items) * rng.random() ** 2)]


# --------------------------------------------------------------------------- one article

class Text:
    """The article text, built left to right, remembering where each quoted piece starts."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.mentions: list[tuple[str, int, str]] = []
        self.mentioned: set[str] = set()

    def add(self, s: str) -> int:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start

    def ent(self, eid: str, label: str, *, mention: bool = True) -> int:
        # Only the first occurrence of an entity is annotated as a mention (~10-15 per article).
        start = self.add(label)
        if mention and eid not in self.mentioned:
            self.mentioned.add(eid)
            self.mentions.append((eid, start, label))
        return start

    def value(self) -> str:
        return "".join(self.parts)


def _positions(text: str, s: str) -> list[int]:
    # The same search as sahelkg.corpus.Quotes (overlapping occurrences count).
    out, i = [], text.find(s)
    while i >= 0:
        out.append(i)
        i = text.find(s, i + 1)
    return out


def quote_spec(text: str, s: str, start: int, within: tuple[int, int] | None = None) -> Any:
    pos = _positions(text, s)
    if within is not None:
        pos = [p for p in pos if within[0] <= p and p + len(s) <= within[1]]
    assert start in pos, (s, start)
    if len(pos) == 1:
        return s
    return {"text": s, "occurrence": pos.index(start) + 1}


class ArticleMaker:
    """Generates article ``index``: its text and its annotation record."""

    def __init__(self, reg: Registry, seed: int, index: int) -> None:
        self.reg = reg
        self.index = index
        self.rng = random.Random(f"article-{seed}-{len(reg.all)}-{index}")
        digest = hashlib.sha256(f"{seed}/{index}".encode()).hexdigest()[:16]
        self.id = f"{index:06d}_{digest}"
        self.seed = seed
        self.lang = "fr" if self.rng.random() < 0.25 else "en"
        self.t = Text()
        self.locals: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.relations: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        self.observations: list[dict[str, Any]] = []
        self.mentioning = True  # entities named in relation, claim and observation sentences are not mentions

    # ---- small pieces
    def say(self, en: str, fr: str) -> int:
        return self.t.add(fr if self.lang == "fr" else en)

    def name(self, e: Ent, mention: bool = True) -> str:
        self.t.ent(e.id, e.label(self.lang), mention=mention and self.mentioning)
        return e.id

    def number_text(self, n: int) -> str:
        words = NUMBER_WORDS_FR if self.lang == "fr" else NUMBER_WORDS_EN
        return words[n] if n < len(words) and self.rng.random() < 0.6 else str(n)

    def count(self, unit_en: str, unit_fr: str) -> dict[str, Any]:
        """Writes a count phrase; returns the count record."""
        r = self.rng.random()
        unit = unit_fr if self.lang == "fr" else unit_en
        if r < 0.6:
            n = self.rng.randint(1, 12) if self.rng.random() < 0.8 else self.rng.randint(13, 80)
            text = self.number_text(n)
            self.t.add(f"{text} {unit}")
            return {"value": n, "text": text, "unit": unit_en}
        if r < 0.8:
            n = self.rng.choice(list(ROUND_EN))
            text = f"une {ROUND_FR[n]}" if self.lang == "fr" else f"about {ROUND_EN[n]}"
            self.t.add(f"{text} {'de ' + unit if self.lang == 'fr' else unit}")
            return {"value": n, "approximate": True, "text": text, "unit": unit_en}
        lo = self.rng.randint(2, 20)
        hi = lo + self.rng.randint(1, 15)
        text = f"entre {lo} et {hi}" if self.lang == "fr" else f"between {lo} and {hi}"
        self.t.add(f"{text} {unit}")
        return {"low": lo, "high": hi, "text": text, "unit": unit_en}

    def date(self) -> dict[str, Any]:
        """Writes a date phrase (with its leading space) and returns the date record."""
        rng, fr = self.rng, self.lang == "fr"
        pub = self.published
        r = rng.random()
        if r < 0.35:
            d = pub - dt.timedelta(days=rng.randint(1, 40))
            text = f"{d.day} {MONTHS_FR[d.month - 1]} {d.year}" if fr else f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
            self.t.add(f" le {text}" if fr else f" on {text}")
            return {"text": text, "value": d.isoformat(), "precision": "day", "basis": "stated"}
        if r < 0.6:
            k = rng.randint(1, 6)
            d = pub - dt.timedelta(days=k)
            text = WEEKDAYS_FR[d.weekday()] if fr else WEEKDAYS_EN[d.weekday()]
            self.t.add(f" {text}" if fr else f" on {text}")
            return {"text": text, "value": d.isoformat(), "precision": "day", "basis": "relative",
                    "derivation": f"'{text}' in an article published on {pub.isoformat()} ({WEEKDAYS_EN[pub.weekday()]}): {k} day(s) earlier"}
        if r < 0.75:
            text = "plus tôt ce mois-ci" if fr else "earlier this month"
            self.t.add(f" {text}")
            return {"text": text, "value": f"{pub.year}-{pub.month:02d}", "precision": "month", "basis": "context",
                    "derivation": f"the month of publication ({pub.isoformat()})"}
        if r < 0.87:
            d = pub - dt.timedelta(days=rng.randint(2, 30))
            e = d + dt.timedelta(days=1)
            if fr:
                text = f"dans la nuit du {d.day} au {e.day} {MONTHS_FR[e.month - 1]} {e.year}"
            else:
                text = f"in the night of {d.day} to {e.day} {MONTHS_EN[e.month - 1]} {e.year}"
            self.t.add(f" {text}")
            return {"text": text, "begin": d.isoformat(), "end": e.isoformat(), "basis": "stated"}
        if r < 0.95:
            y = pub.year - rng.randint(0, 2)
            text = f"en {y}" if fr else f"in {y}"
            self.t.add(f" {text}")
            return {"text": text, "value": str(y), "precision": "year", "basis": "stated"}
        text = "récemment" if fr else "recently"
        self.t.add(f" {text}")
        return {"text": text, "basis": "unknown", "derivation": "the text gives no date for the event"}

    def place(self) -> dict[str, Any]:
        """Writes a place phrase and returns the place record (some relative to a reference)."""
        rng, fr = self.rng, self.lang == "fr"
        if rng.random() < 0.25:
            ref = pick(rng, self.reg.settlements)
            region = self.reg.all[ref.parent]  # type: ignore[index]
            km = rng.choice([5, 10, 15, 20, 30, 40, 50, 80])
            b_en, b_fr = rng.choice(BEARINGS)
            start = self.t.add(f" à {km} km {b_fr} de " if fr else f" {km} kilometers {b_en} of ")
            self.name(ref)
            written = self.t.value()[start + 1:]
            return {"entity": region.id, "precision": "near", "bearing": b_en, "distance_km": km,
                    "reference": ref.id, "text": written}
        if rng.random() < 0.1:
            forest = pick(rng, self.reg.by_kind["forest"])
            self.t.add(" dans la " if fr else " in the ")
            self.name(forest)
            return {"entity": forest.id, "precision": "region"}
        s = pick(rng, self.reg.settlements)
        self.t.add(" près de " if fr else " near ")
        self.name(s)
        return {"entity": s.id, "precision": rng.choice(["exact", "near"])}

    # ---- sentences
    def sentence(self, build: Any, mentions: bool = True) -> tuple[int, int]:
        """Runs ``build`` (which writes the sentence body) and closes the sentence; returns its span."""
        start = self.t.pos
        self.mentioning = mentions
        build()
        self.mentioning = True
        end = self.t.pos
        self.t.add(". ")
        return start, end

    def trigger(self, en: str, fr: str) -> int:
        return self.say(en, fr)

    def event(self, etype: str) -> dict[str, Any]:
        rng, reg, fr = self.rng, self.reg, self.lang == "fr"
        eid = f"e{len(self.events) + 1}"
        ev: dict[str, Any] = {"id": eid, "type": etype}
        parts: dict[str, list[str]] = {}
        trig: list[tuple[str, int]] = []
        neutralized_person = etype == "Neutralization" and rng.random() < 0.25

        def role(r: str, e: Ent) -> None:
            parts.setdefault(r, []).append(self.name(e))

        def trg(en: str, fr_: str) -> None:
            w = fr_ if fr else en
            trig.append((w, self.t.add(w)))

        def body() -> None:
            if etype == "ArmedClash":
                self.say("Fighters of ", "Des combattants du ")
                role("attacker", pick(rng, reg.armed))
                self.say(" ", " ")
                trg("clashed with", "ont affronté")
                self.say(" ", " ")
                role("target", pick(rng, reg.units + reg.forces))
                ev["place"] = self.place()
                ev["date"] = self.date()
                self.say(", leaving ", ", faisant ")
                ev["count"] = self.count("dead", "morts")
            elif etype == "AirOrDroneStrike":
                drone = reg.all["armed-drone"]
                self.say("An ", "Une frappe de ")
                self.name(drone)
                self.say(" strike by ", " menée par ")
                role("attacker", pick(rng, reg.operations + reg.forces))
                self.say(" ", " ")
                trg("hit", "a touché")
                self.say(" a position of ", " une position du ")
                role("target", pick(rng, reg.armed))
                ev["place"] = self.place()
                ev["date"] = self.date()
                ev["instruments"] = [drone.id]
            elif etype == "RemoteExplosiveLandmineIED":
                ied = reg.all["improvised-explosive-device"]
                self.say("A vehicle of ", "Un véhicule des ")
                role("target", pick(rng, reg.units + reg.forces))
                self.say(" ", " ")
                trg("struck", "a sauté sur")
                self.say(" an ", " un ")
                self.name(ied)
                ev["place"] = self.place()
                ev["date"] = self.date()
                ev["instruments"] = [ied.id]
            elif etype == "Death":
                victim = pick(rng, reg.soldiers)
                role("victim", victim)
                self.say(" was ", " a été ")
                trg("killed", "tué")
                if self.events and "place" in self.events[-1]:
                    self.say(" in the attack", " dans l'attaque")
                    ev["result_of"] = self.events[-1]["id"]
                else:
                    ev["place"] = self.place()
                ev["date"] = self.date()
            elif etype == "AttackOnCivilians":
                local = f"civilians-{eid}"
                self.say("Gunmen from ", "Des hommes armés du ")
                role("attacker", pick(rng, reg.armed))
                self.say(" ", " ")
                trg("attacked", "ont attaqué")
                label = "des villageois" if fr else "villagers"
                start = self.t.add(" " + label) + 1
                self.locals.append({"id": local, "type": "PersonGroup", "label": label, "_quote": (label, start),
                                    "note": "unnamed civilians"})
                self.t.mentions.append((local, start, label))
                parts.setdefault("victim", []).append(local)
                ev["place"] = self.place()
                ev["date"] = self.date()
                self.say(", killing ", ", tuant ")
                ev["count"] = self.count("civilians", "civils")
            elif etype == "AbductionForcedDisappearance":
                role("attacker", pick(rng, reg.armed))
                self.say(" ", " ")
                trg("kidnapped", "a enlevé")
                self.say(" ", " ")
                role("victim", pick(rng, reg.persons))
                ev["place"] = self.place()
                ev["date"] = self.date()
            elif etype == "Deployment":
                role("agent", pick(rng, reg.forces + reg.operations))
                self.say(" ", " ")
                trg("deployed", "a déployé")
                self.say(" ", " ")
                ev["count"] = self.count("soldiers", "soldats")
                ev["place"] = self.place()
                ev["date"] = self.date()
                if rng.random() < 0.5:
                    self.say(" with ", " avec des ")
                    eq = reg.all[rng.choice(["armoured-vehicle", "transport-helicopter", "attack-helicopter"])]
                    self.name(eq)
                    ev["instruments"] = [eq.id]
            elif etype == "Neutralization":
                op = pick(rng, reg.operations)
                # a named fighter neutralized, its victim (as real articles: killed or captured is not said),
                # or a number of fighters of a group, its target
                role("attacker" if neutralized_person else "agent", op)
                self.say(" said it had ", " a affirmé avoir ")
                trg("neutralized", "neutralisé")
                self.say(" ", " ")
                if neutralized_person:
                    role("victim", pick(rng, reg.fighters))
                else:
                    ev["count"] = self.count("fighters", "combattants")
                    self.say(" of ", " du ")
                    role("target", pick(rng, reg.armed))
                ev["place"] = self.place()
                ev["date"] = self.date()
                ev["operation"] = op.id
            elif etype == "Arrest":
                role("agent", pick(rng, reg.forces))
                self.say(" ", " ")
                trg("arrested", "a arrêté")
                self.say(" ", " ")
                role("target", pick(rng, reg.fighters))
                ev["place"] = self.place()
                ev["date"] = self.date()
            elif etype == "Planned":
                # a deployment the text states with a modality: it did not happen (yet), so no date
                ev["type"] = "Deployment"
                ev["modality"], en, fr_ = rng.choice(MODAL_DEPLOYMENTS)
                role("agent", pick(rng, reg.forces))
                self.say(" ", " ")
                trg(en, fr_)
                self.say(" ", " ")
                ev["count"] = self.count("soldiers", "soldats")
                ev["place"] = self.place()
            elif etype == "MilitaryAction":
                op = pick(rng, reg.operations)
                self.say("The operation ", "L'opération ")
                trg("conducted", "menée")
                self.say(" by ", " par ")
                role("agent", op)
                self.say(" in the ", " dans la ")
                region = pick(rng, reg.regions)
                self.name(region)
                ev["place"] = {"entity": region.id, "precision": "region"}
                self.say(" lasted several days", " a duré plusieurs jours")
                ev["operation"] = op.id
            else:
                raise ValueError(etype)

        span = self.sentence(body)
        ev["_span"] = span
        if trig:
            ev["_trigger"] = trig[0]
        if parts:
            ev["participants"] = parts
        if (self.events and self.events[0]["type"] == "MilitaryAction" and etype not in ("MilitaryAction", "Death", "Planned")
                and rng.random() < 0.7):
            ev["sub_event_of"] = "e1"
        if self.index > 0 and etype != "Planned" and rng.random() < 0.04:
            # another account of an earlier article's first event: skewed like pick (a few events are
            # reported again and again), so that article 0's e1 has accounts in every corpus of 50+ articles
            other = ArticleMaker(self.reg, self.seed, int(self.index * rng.random() ** 2))
            ev["same_as"] = [f"{other.id}/e1"]
        if etype != "Planned" and rng.random() < 0.1:
            ev["certainty"] = rng.choice(["very_probable", "probable", "possible"])
        self.events.append(ev)
        return ev

    def relation(self) -> None:
        rng, reg = self.rng, self.reg
        rid = f"r{len(self.relations) + 1}"
        kind = rng.random()
        holder: dict[str, Any] = {}

        def body() -> None:
            if kind < 0.06:
                p = pick(rng, reg.persons)
                country = reg.all[rng.choice(sorted(SAHEL))]
                position = reg.all[f"minister-of-defence-of-{country.id}"]
                holder.update(property="holdsPosition", subject=p.id, object=position.id)
                self.name(p)
                self.say(" is the ", " est ")
                self.name(position)
            elif kind < 0.35:
                p = pick(rng, reg.persons)
                prop, obj = p.facts[0]
                holder.update(property=prop, subject=p.id, object=obj)
                self.name(p)
                self.say(" is a member of ", " est membre du ")
                self.name(reg.all[obj])
            elif kind < 0.55:
                k = pick(rng, reg.katibas)
                holder.update(property="affiliatedWith", subject=k.id, object=k.parent)
                self.name(k)
                self.say(" is affiliated with ", " est affiliée au ")
                self.name(reg.all[k.parent])  # type: ignore[index]
            elif kind < 0.75:
                g = pick(rng, reg.armed)
                region = pick(rng, reg.regions)
                holder.update(property="operatesIn", subject=g.id, object=region.id)
                self.name(g)
                self.say(" operates in the ", " opère dans la ")
                self.name(region)
            elif kind < 0.9:
                u = pick(rng, reg.units)
                op = pick(rng, reg.operations)
                holder.update(property="participatesIn", subject=u.id, object=op.id)
                self.name(u)
                self.say(" takes part in ", " participe à ")
                self.name(op)
            else:
                s = pick(rng, reg.settlements)
                holder.update(property="locatedIn", subject=s.id, object=s.parent)
                self.name(s)
                self.say(" lies in the ", " se trouve dans la ")
                self.name(reg.all[s.parent])  # type: ignore[index]

        span = self.sentence(body, mentions=False)
        r = {"id": rid, **holder, "_span": span}
        if rng.random() < 0.3:
            r["date"] = {"value": str(self.published.year), "precision": "year", "basis": "context",
                         "derivation": "holds as of the year of publication"}
        if rng.random() < 0.1:
            r["certainty"] = "probable"
        self.relations.append(r)

    def claim(self) -> None:
        rng, reg = self.rng, self.reg
        cid = f"c{len(self.claims) + 1}"
        violent = [e for e in self.events if "attacker" in e.get("participants", {})]
        c: dict[str, Any] = {"id": cid}

        def body() -> None:
            if violent and rng.random() < 0.5:
                ev = rng.choice(violent)
                g = reg.all[ev["participants"]["attacker"][0]]
                self.name(g)
                self.say(" claimed responsibility for the attack in a statement", " a revendiqué l'attaque dans un communiqué")
                c.update(speaker=g.id, stance="claims", about=[ev["id"]], attacker=[g.id])
            elif violent:
                ev = rng.choice(violent)
                speaker = pick(rng, reg.forces)
                g = pick(rng, reg.armed)
                self.name(speaker)
                self.say(" said that ", " a affirmé que le ")
                self.name(g)
                self.say(" was probably behind the attack", " était probablement derrière l'attaque")
                c.update(speaker=speaker.id, stance="alleges", certainty="probable", about=[ev["id"]], attacker=[g.id])
            else:
                speaker = pick(rng, reg.persons)
                ev = self.events[0]
                self.name(speaker)
                self.say(" confirmed the operation", " a confirmé l'opération")
                c.update(speaker=speaker.id, stance="states", about=[ev["id"]])

        c["_span"] = self.sentence(body, mentions=False)
        self.claims.append(c)
        if c["stance"] in ("claims", "alleges") and rng.random() < 0.08:
            self.dispute(c)

    def dispute(self, asserted: dict[str, Any]) -> None:
        """Another speaker disputes or denies what ``asserted`` claims (real articles: "a claim disputed by MINUSMA")."""
        rng, reg = self.rng, self.reg
        d: dict[str, Any] = {"id": f"c{len(self.claims) + 1}", "about": asserted["about"]}

        def body() -> None:
            if asserted["stance"] == "alleges":  # the accused group denies it
                g = reg.all[asserted["attacker"][0]]
                self.name(g)
                self.say(" denied any involvement", " a démenti toute implication")
                d.update(speaker=g.id, stance="denies")
            else:  # a force disputes the group's claim of responsibility
                speaker = next(f for f in (pick(rng, reg.forces) for _ in range(20)) if f.id != asserted["speaker"])
                self.name(speaker)
                self.say(" disputed this claim", " a contesté cette revendication")
                d.update(speaker=speaker.id, stance="disputes")

        d["_span"] = self.sentence(body, mentions=False)
        self.claims.append(d)

    def observation(self) -> None:
        rng, reg = self.rng, self.reg
        o: dict[str, Any] = {"id": f"o{len(self.observations) + 1}"}

        def body() -> None:
            r = rng.random()
            if r < 0.3:
                # a toll over a period, not tied to one event ("about thirty (jihadists) neutralized in the Liptako")
                g = pick(rng, reg.armed)
                region = pick(rng, reg.regions)
                who = pick(rng, reg.persons)
                outcome, en, fr_ = rng.choice([("neutralized", "neutralized", "neutralisés"), ("killed", "killed", "tués")])
                count = self.count("fighters", "combattants")
                self.say(" of the ", " du ")
                self.name(g)
                self.say(f" were {en} in the ", f" ont été {fr_} dans la ")
                self.name(region)
                when = "ces dernières semaines" if self.lang == "fr" else "in recent weeks"
                self.t.add(" " + when)
                self.say(", according to ", ", selon ")
                self.name(who)
                pub = self.published
                o.update(type="AggregateCount", subject=g.id, count=count, place=region.id, outcome=outcome,
                         according_to=who.id,
                         date={"text": when, "value": f"{pub.year}-{pub.month:02d}",
                               "precision": "month", "basis": "context",
                               "derivation": f"'in recent weeks' before the publication date ({pub.isoformat()})"})
            elif r < 0.7:
                force = pick(rng, reg.forces + reg.operations)
                country = self.reg.all[rng.choice(sorted(SAHEL))]
                who = pick(rng, reg.persons)
                self.name(force)
                self.say(" has ", " compte ")
                count = self.count("soldiers", "soldats")
                self.say(" in ", " au ")
                self.name(country)
                self.say(", according to ", ", selon ")
                self.name(who)
                o.update(type="TroopStrength", subject=force.id, count=count, place=country.id, according_to=who.id,
                         date={"value": self.published.isoformat(), "precision": "day", "basis": "context",
                               "derivation": "as of the publication date"})
            else:
                force = pick(rng, reg.forces)
                self.say("This brings to ", "Cela porte à ")
                count = {"value": rng.randint(20, 300)}
                self.t.add(str(count["value"]))
                count.update(text=str(count["value"]), unit="soldiers")
                self.say(" the number of soldiers of the ", " le nombre de soldats des ")
                self.name(force)
                self.say(" killed since ", " tués depuis ")
                y = self.published.year - rng.randint(2, 8)
                self.t.add(str(y))
                o.update(type="CumulativeCount", subject=force.id, count=count, outcome="killed",
                         date={"value": self.published.isoformat(), "precision": "day", "basis": "context",
                               "derivation": "as of the publication date"})

        o["_span"] = self.sentence(body, mentions=False)
        self.observations.append(o)

    def filler(self) -> None:
        self.t.add(self.rng.choice(FILLER_FR if self.lang == "fr" else FILLER_EN) + " ")

    # ---- the whole article
    def make(self) -> tuple[str, dict[str, Any]]:
        rng, fr = self.rng, self.lang == "fr"
        self.published = dt.date(2013, 1, 1) + dt.timedelta(days=rng.randrange(3650))
        pub = self.published
        country = self.reg.all[rng.choice(sorted(SAHEL))]
        title = (f"{country.fr} : nouvelle attaque meurtrière" if fr else f"{country.en}: new deadly attack") + f" ({self.index})"
        self.t.add(title + "\n")
        pub_text = f"{pub.day} {MONTHS_FR[pub.month - 1]} {pub.year}" if fr else f"{MONTHS_EN[pub.month - 1][:3]} {pub.day}, {pub.year}"
        pub_quote = f"Publié le {pub_text}" if fr else f"Posted on {pub_text}"
        pub_start = self.t.add(pub_quote)
        self.t.add("\n\n")
        types = ["ArmedClash", "AirOrDroneStrike", "RemoteExplosiveLandmineIED", "AttackOnCivilians",
                 "AbductionForcedDisappearance", "Deployment", "Neutralization", "Arrest"]
        n_events = rng.choice([4, 5, 5, 5, 6])
        plan = []
        if rng.random() < 0.4:
            plan.append("MilitaryAction")
        while len(plan) < n_events:
            t = rng.choice(types)
            plan.append(t)
            if t in ("RemoteExplosiveLandmineIED", "ArmedClash") and len(plan) < n_events and rng.random() < 0.6:
                plan.append("Death")
        paragraphs = [plan[i:i + 2] for i in range(0, len(plan), 2)]
        for k, para in enumerate(paragraphs):
            for et in para:
                self.event(et)
            if k == 0:
                self.filler()
            if k == len(paragraphs) - 1 or rng.random() < 0.3:
                while len(self.relations) < 2 and rng.random() < 0.8:
                    self.relation()
            self.t.add("\n\n")
        if not self.relations:
            self.relation()
        if rng.random() < 0.06:
            self.event("Planned")
            self.t.add("\n\n")
        self.claim()
        if rng.random() < 0.3:
            self.observation()
        self.filler()
        self.t.add("\n")
        text = self.t.value()

        ann: dict[str, Any] = {
            "article": {
                "id": self.id, "title": title, "language": self.lang, "publisher": "Synthetic News Agency",
                "published": {"text": pub_text, "value": pub.isoformat(), "precision": "day", "basis": "stated"},
                "published_quote": quote_spec(text, pub_quote, pub_start),
            },
        }
        if self.locals:
            ann["entities"] = []
            for e in self.locals:
                label, start = e.pop("_quote")
                ann["entities"].append({**e, "quote": quote_spec(text, label, start)})
        ann["mentions"] = []
        for eid, start, label in self.t.mentions:
            spec = quote_spec(text, label, start)
            ann["mentions"].append({"entity": eid, "quote": spec})

        def finish(x: dict[str, Any]) -> dict[str, Any]:
            s, e = x.pop("_span")
            q = text[s:e]
            out = {"id": x.pop("id")}
            if "type" in x:
                out["type"] = x.pop("type")
            out["quote"] = quote_spec(text, q, s)
            trig = x.pop("_trigger", None)
            if trig:
                out["trigger"] = quote_spec(text, trig[0], trig[1], within=(s, e))
            out.update(x)
            return out

        ann["events"] = [finish(e) for e in self.events]
        ann["relations"] = [finish(r) for r in self.relations]
        if rng.random() < 0.04:
            # an article partly drafted by `sahelkg annotate`, not yet reviewed: its relations (no other item
            # refers to one) carry `status: draft` and the drafting program's confidence
            for r in ann["relations"]:
                r.update(status="draft", confidence=round(rng.uniform(0.35, 0.95), 2))
        ann["claims"] = [finish(c) for c in self.claims]
        if self.observations:
            ann["observations"] = [finish(o) for o in self.observations]
        return text, ann


def article_files(reg: Registry, seed: int, index: int) -> tuple[str, str, str]:
    """``(article id, text, annotation YAML)`` of article ``index``."""
    m = ArticleMaker(reg, seed, index)
    text, ann = m.make()
    body = yaml.dump(ann, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=200)
    return m.id, text, "# yaml-language-server: $schema=../schema/annotation.schema.json\n" + body


# --------------------------------------------------------------------------- writing

_WORKER: dict[str, Any] = {}


def _init(seed: int, entities: int, out: str) -> None:
    _WORKER.update(reg=Registry(seed, entities), seed=seed, out=Path(out))


def _write_range(bounds: tuple[int, int]) -> int:
    reg, seed, out = _WORKER["reg"], _WORKER["seed"], _WORKER["out"]
    for i in range(*bounds):
        aid, text, ann = article_files(reg, seed, i)
        (out / "articles" / f"{aid}.txt").write_text(text, encoding="utf-8")
        (out / "annotations" / f"{aid}.yaml").write_text(ann, encoding="utf-8")
    return bounds[1] - bounds[0]


def generate(out: Path, articles: int, entities: int = 5000, seed: int = 0, jobs: int = 1,
             progress: bool = False) -> Path:
    """Write a synthetic corpus of ``articles`` articles into ``out`` (which must not hold another corpus)."""
    out = Path(out)
    for sub in ("articles", "annotations", "registry"):
        d = out / sub
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    if (out / "schema").exists():
        shutil.rmtree(out / "schema")
    shutil.copytree(SCHEMA_DIR, out / "schema")
    reg = Registry(seed, entities)
    reg.write(out)
    chunk = 200
    ranges = [(i, min(i + chunk, articles)) for i in range(0, articles, chunk)]
    done, t0 = 0, time.perf_counter()
    if jobs > 1 and len(ranges) > 1:
        with multiprocessing.get_context("fork").Pool(jobs, _init, (seed, entities, str(out))) as pool:
            for n in pool.imap_unordered(_write_range, ranges):
                done += n
                if progress:
                    print(f"\r{done}/{articles} articles ({time.perf_counter() - t0:.0f} s)", end="", file=sys.stderr)
    else:
        _WORKER.update(reg=reg, seed=seed, out=out)
        for r in ranges:
            done += _write_range(r)
            if progress:
                print(f"\r{done}/{articles} articles ({time.perf_counter() - t0:.0f} s)", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    (out / "synth.json").write_text(json.dumps({"articles": articles, "entities": entities, "seed": seed}))
    return out


def stand_ins(reg: Registry) -> dict[str, str]:
    """Synthetic registry ids standing in for the real registry's entities that named queries default to.

    The named queries' defaults name real entities (``aqim``, ``jnim``, ``operation-barkhane``...), which a
    synthetic corpus does not have; ``bench/bench_queries.py`` binds these stand-ins instead, so that each
    query answers about an entity the articles do talk about. Each is the first of its kind, the one
    :func:`pick` draws most often, as the real ones are the most reported.
    """
    katiba = reg.katibas[0]
    parent = katiba.parent or reg.groups[0].id
    return {
        "aqim": reg.armed[0].id,
        "jnim": parent,
        "al-qaeda": parent,
        "katiba-du-gourma": katiba.id,
        "operation-barkhane": reg.operations[0].id,
        "french-armed-forces": "france-armed-forces",
        "mali": "mali",
        "general": "general",
        # event-accounts: the first event of the first article, the one that later articles report again
        # most (ArticleMaker.event draws same_as targets skewed towards the first articles)
        "001_af0646745c3fb3a7/e1": f"{next(iter_article_ids(1, reg.seed))}/e1",
    }


def iter_article_ids(articles: int, seed: int = 0) -> Iterator[str]:
    for i in range(articles):
        yield f"{i:06d}_{hashlib.sha256(f'{seed}/{i}'.encode()).hexdigest()[:16]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the corpus directory to write")
    ap.add_argument("--articles", type=int, required=True, help="number of articles")
    ap.add_argument("--entities", type=int, default=5000, help="registry size (default 5000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--jobs", type=int, default=1, help="processes (the output does not depend on it)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    generate(args.out, args.articles, args.entities, args.seed, args.jobs, progress=not args.quiet)
    if not args.quiet:
        print(f"{args.out}: {args.articles} articles, {args.entities} entities, seed {args.seed} "
              f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
