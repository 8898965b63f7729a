"""Find every registry entity in a text through its labels and aliases, in both languages.

Names and text are compared on folded word tokens (:mod:`sahelkg.annotate.text`): case,
accents and the kind of apostrophe do not matter, and because matching starts at any word,
French elisions and determiners before a name ("l'opération Barkhane", "la force Barkhane",
"du Mali") are left out of the mention without a rule per name. A leading determiner inside a
registry alias ("le Mali") is dropped from its key for the same reason. Matches are taken
longest first and never overlap.

Two guards keep common words from becoming mentions: an acronym (a name in capitals, up to six
letters: "EI", "MINUSMA") matches only in capitals, and a name with a capitalised word matches
only where at least one of those words is capitalised in the text ("Mali" but not "mali").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sahelkg.annotate.model import Mention
from sahelkg.annotate.text import Token, fold_str, tokens

# Determiners and elided articles that may begin an alias but are not part of the name.
DETERMINERS = frozenset({"the", "le", "la", "les", "l", "l'", "un", "une", "des", "du", "de", "d", "a", "an"})


@dataclass(frozen=True)
class _Name:
    entity: str
    type: str
    words: tuple[str, ...]  # folded keys of the name's word tokens
    caps: tuple[bool, ...]  # which words are capitalised in the registry name
    acronym: bool
    rank: int  # lower is preferred when two entities share a name


def _key_tokens(name: str) -> list[Token]:
    toks = tokens(name)
    while len(toks) > 1 and toks[0].key in DETERMINERS:
        toks = toks[1:]
        if toks and toks[0].key == "'":
            toks = toks[1:]
    return toks


def _most_specific(types: Iterable[str], ontology: object | None) -> str:
    types = list(types)
    if ontology is None or len(types) < 2:
        return types[0] if types else "Thing"
    from sahelkg.vocab import SK

    def depth(t: str) -> int:
        return len(ontology.superclasses(SK.term(t))) if t in SK else 0  # type: ignore[attr-defined]
    return max(types, key=depth)


class Gazetteer:
    """The registry's names, indexed by their first folded word."""

    def __init__(self, registry: object, ontology: object | None = None, lang: str | None = None) -> None:
        self.by_first: dict[str, list[_Name]] = {}
        self.types: dict[str, str] = {}
        for ent in registry.entities.values():  # type: ignore[attr-defined]
            etype = _most_specific(ent.types, ontology)
            self.types[ent.id] = etype
            names: list[tuple[str, int]] = []
            for lg, label in ent.labels.items():
                names.append((label, 0 if lg == lang else 1))
            for lg, aliases in ent.aliases.items():
                names.extend((a, 2 if lg == lang else 3) for a in aliases)
            # one entry per wording and capitalisation: "Military Medal" (a label, matched only capitalised) does
            # not hide the alias "military medal", which matches the lower-case text
            seen: set[tuple[tuple[str, ...], tuple[bool, ...]]] = set()
            # a common noun's plural ("drones", "hélicoptères", "mines terrestres" are rarer): EN and FR add -s
            for name, rank in list(names):
                words = name.split()
                if words and name[:1].islower() and words[0].isalpha() and not words[0].endswith(("s", "x")):
                    names.append((" ".join([words[0] + "s", *words[1:]]), rank + 1))
                    if len(words) > 1:  # French adjectives agree: "engins explosifs improvisés"
                        names.append((" ".join(w if w.endswith(("s", "x")) or not w.isalpha() or w in DETERMINERS
                                               or w in ("de", "of") else w + "s" for w in words), rank + 1))
            for name, rank in sorted(names, key=lambda x: x[1]):
                toks = _key_tokens(name)
                words = tuple(t.key for t in toks)
                caps = tuple(t.capitalised for t in toks)
                if not words or (words, caps) in seen or (words, (False,) * len(words)) in seen:
                    continue
                seen.add((words, caps))
                letters = "".join(t.text for t in toks if t.text.isalpha())
                acronym = len(toks) == 1 and letters.isupper() and 1 < len(letters) <= 6
                self.by_first.setdefault(words[0], []).append(_Name(ent.id, etype, words, caps, acronym, rank))
        self._add_surnames(registry, ontology)
        for cands in self.by_first.values():
            cands.sort(key=lambda n: (-len(n.words), n.rank))

    def _add_surnames(self, registry: object, ontology: object | None) -> None:
        """A person's surname alone ("Ianni" after "Colonel Pascal Ianni"), as news style writes it, when
        no other registry entity has that word as a name or a surname."""
        owners: dict[str, set[str]] = {}
        for ent in registry.entities.values():  # type: ignore[attr-defined]
            if "Person" not in ent.types and self.types.get(ent.id) != "Person":
                continue
            for label in ent.labels.values():
                toks = [t for t in tokens(label) if t.text.isalpha()]
                if len(toks) >= 2 and toks[-1].capitalised and len(toks[-1].text) > 3:
                    owners.setdefault(toks[-1].key, set()).add(ent.id)
        for key, ids in owners.items():
            if len(ids) != 1 or any(len(n.words) == 1 for n in self.by_first.get(key, ())):
                continue
            (eid,) = ids
            self.by_first.setdefault(key, []).append(_Name(eid, self.types[eid], (key,), (True,), False, 4))

    def find(self, text: str) -> list[Mention]:
        """Every registry mention in ``text``, longest first, without overlaps, in text order."""
        toks = tokens(text)
        keys = [t.key for t in toks]
        found: list[tuple[int, int, int, _Name]] = []  # (first token, last token + 1, rank, name)
        for i, k in enumerate(keys):
            for name in self.by_first.get(k, ()):
                n = len(name.words)
                if tuple(keys[i:i + n]) != name.words:
                    continue
                span = toks[i:i + n]
                if not self._case_ok(name, span):
                    continue
                if n == 1 and name.type == "MilitaryRank" and not span[0].capitalised and not (
                        i + 1 < len(toks) and toks[i + 1].capitalised):
                    continue  # "a major attack", "in general": a rank word is a rank before a name or capitalised
                if i + n < len(toks) and toks[i + n].text == "-" and toks[i + n].start == span[-1].end:
                    continue  # "Mali-based": a part of a longer hyphenated word
                found.append((i, i + n, name.rank, name))
        # longest first (in characters), then the preferred name; never overlapping
        found.sort(key=lambda f: (-(toks[f[1] - 1].end - toks[f[0]].start), f[2], f[0]))
        taken = [False] * len(toks)
        out = []
        for i, j, _rank, name in found:
            if any(taken[i:j]):
                continue
            for x in range(i, j):
                taken[x] = True
            s, e = toks[i].start, toks[j - 1].end
            conf = 0.95 if name.rank < 2 else 0.85
            out.append(Mention(s, e, text[s:e], name.entity, name.type, False, conf))
        out.sort(key=lambda m: m.start)
        return out

    @staticmethod
    def _case_ok(name: _Name, span: list[Token]) -> bool:
        if name.acronym:
            return span[0].text.isupper()
        if not any(name.caps):
            return True
        return any(cap and t.capitalised for cap, t in zip(name.caps, span))


def name_keys(registry: object) -> set[str]:
    """The folded full names of every registry entity (to tell a new name from a known one)."""
    out = set()
    for ent in registry.entities.values():  # type: ignore[attr-defined]
        for name in [*ent.labels.values(), *(a for v in ent.aliases.values() for a in v)]:
            out.add(" ".join(t.key for t in _key_tokens(name)))
    return out


__all__ = ["DETERMINERS", "Gazetteer", "fold_str", "name_keys"]
