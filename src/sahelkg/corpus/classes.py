"""The ontology's classes as the corpus names them ("Settlement", "MilitaryAction"), and the type
checks the reader makes with them: a declared type is a class, an entity fits the range of its
role, a relation's subject and object fit its property's domain and range.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sahelkg.corpus.names import did_you_mean
from sahelkg.corpus.yaml_lines import FileProblems
from sahelkg.vocab import RELATION_PROPERTIES, SK


def declared_types(value: Any) -> tuple[str, ...]:
    """An entity's ``type`` as written (one name or a list of names) as a tuple."""
    return tuple(value) if isinstance(value, list) else (value,)


def local_name(iri: str) -> str:
    """The name of an ontology term (``...#Place`` -> ``Place``)."""
    return iri.rsplit("#", 1)[-1]


class OntologyClasses:
    """The classes of an ontology (a :class:`sahelkg.graph.ontology.Ontology`) by their names in the
    ``sk:`` namespace, with the checks of types against them."""

    def __init__(self, ontology: Any) -> None:
        self.ontology = ontology
        self.names = frozenset(c[len(SK.base):] for c in ontology.classes if c.startswith(SK.base))

    def fits(self, type_names: Iterable[str], expected: str) -> bool:
        """True if an entity of these types is an ``expected`` (an IRI), or if a type is unknown."""
        type_names = list(type_names)
        if any(t not in self.names for t in type_names):
            return True  # an unknown type is reported once where it is declared, not at every use
        return self.ontology.fits([SK.term(t) if t in SK else t for t in type_names], frozenset([expected]))

    def under(self, ancestor: str) -> list[str]:
        """The names of the ontology's classes under ``ancestor`` (the choices of a "did you mean")."""
        return sorted(c for c in self.names if self.is_a(c, ancestor))

    def is_a(self, name: str, ancestor: str) -> bool:
        """True if ``name`` is a class under the class ``ancestor`` (an IRI)."""
        return name in self.names and ancestor in self.ontology.superclasses(SK.term(name))

    def check_types(self, ctx: FileProblems, path: list[Any], what: str, types: tuple[str, ...]) -> None:
        """An entity's declared types must be classes of the ontology."""
        for t in types:
            if t not in self.names:
                ctx.error(path, f"{what}: unknown type {t!r}: not a class of the ontology{did_you_mean(t, self.names)}")

    def check_relation(
        self, ctx: FileProblems, path: list[Any], what: str, prop: str,
        subject_types: tuple[str, ...], object_types: tuple[str, ...],
    ) -> None:
        """``prop`` must be a relation property whose domain and range the subject and object fit."""
        if prop not in RELATION_PROPERTIES:
            hint = did_you_mean(prop, RELATION_PROPERTIES) or f"; use one of {', '.join(RELATION_PROPERTIES)}"
            ctx.error(path + ["property"], f"{what}: unknown relation property {prop!r}{hint}")
            return
        if any(t not in self.names for t in (*subject_types, *object_types)):
            return  # an unknown type is reported where it is declared
        iri = SK.term(prop)
        subject_iris = [SK.term(t) for t in subject_types if t in SK]
        object_iris = [SK.term(t) for t in object_types if t in SK]
        dom, rng = self.ontology.domain(iri), self.ontology.range(iri)
        if not self.ontology.fits(subject_iris, dom):
            ctx.error(path + ["subject"], f"{what}: the subject is a {'/'.join(subject_types)}, but {prop} needs a {' or '.join(sorted(map(local_name, dom)))}")
        if not self.ontology.fits(object_iris, rng):
            ctx.error(path + ["object"], f"{what}: the object is a {'/'.join(object_types)}, but {prop} needs a {' or '.join(sorted(map(local_name, rng)))}")
