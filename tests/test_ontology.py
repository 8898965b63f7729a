"""The ontology (ontology/sahelkg.ttl), its shapes, catalog and health checks, and sahelkg.graph.ontology.

Tests that run HermiT are marked ``java`` (they need Java 17); they are skipped when ``java`` is not on
the PATH.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SKOS

from sahelkg import vocab
from sahelkg.errors import OntologyError, Problem
from sahelkg.graph.ontology import Ontology, OntologyProblem, check_ontology, format_report, load_ontology
from sahelkg.vocab import SK

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY = ONTOLOGY_DIR / "sahelkg.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
CATALOG = ONTOLOGY_DIR / "catalog-v001.xml"
CHECKS = ROOT / "queries" / "checks"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ontology"

THING = str(OWL.Thing)
SEM = vocab.SEM.base
PROV = vocab.PROV.base
SKN = Namespace(SK.base)
ID = Namespace("https://w3id.org/sahelkg/id/")
OA = Namespace(vocab.OA.base)
DCT = Namespace(vocab.DCTERMS.base)
SH = Namespace("http://www.w3.org/ns/shacl#")
XSD_DATETIME = URIRef(vocab.XSD.dateTime)

Triple = tuple[Any, Any, Any]

java = pytest.mark.java
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="needs Java 17 (HermiT)")


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return load_ontology(ONTOLOGY)


def line_of(path: Path, start: str) -> int:
    """The 1-based number of the first line of ``path`` that starts with ``start``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(start):
            return number
    raise AssertionError(f"no line starts with {start!r} in {path}")


def broken_copy(tmp_path: Path, remove: Sequence[Triple] = (), add: Sequence[Triple] = ()) -> Path:
    """The real ontology with triples removed (patterns) and added, written as Turtle in ``tmp_path``.

    Working on the graph, not the text, keeps these tests independent of how the file is laid out (Protégé
    rewrites it in its own order).
    """
    graph = rdflib.Graph().parse(ONTOLOGY)
    for pattern in remove:
        matched = list(graph.triples(pattern))
        assert matched, f"nothing matches {pattern}"
        for triple in matched:
            graph.remove(triple)
    for triple in add:
        graph.add(triple)
    path = tmp_path / "sahelkg.ttl"
    graph.serialize(destination=str(path), format="turtle", encoding="utf-8")
    return path


def langs(graph: rdflib.Graph, subject: object, predicate: URIRef) -> list[str]:
    """The language tags of the literal values of ``predicate`` on ``subject``, sorted ('' for none)."""
    return sorted(o.language or "" for o in graph.objects(URIRef(str(subject)), predicate) if isinstance(o, Literal))


def lang_literals(subject: str, predicate: URIRef, lang: str) -> list[Triple]:
    """The triples (subject, predicate, literal@lang) of the real ontology."""
    graph = rdflib.Graph().parse(ONTOLOGY)
    return [(s, p, o) for s, p, o in graph.triples((URIRef(subject), predicate, None))
            if isinstance(o, Literal) and o.language == lang]


# --------------------------------------------------------------------------------------------
# the file itself


def test_ontology_parses_with_rdflib_and_has_its_header() -> None:
    g = rdflib.Graph().parse(ONTOLOGY)
    iri = URIRef(vocab.ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in g
    assert g.value(iri, OWL.versionIRI) == URIRef("https://w3id.org/sahelkg/ontology/0.1.0")
    assert g.value(iri, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(iri, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert set(langs(g, iri, DCT.title)) == {"en", "fr"}
    assert set(langs(g, iri, DCT.description)) == {"en", "fr"}
    assert set(langs(g, iri, RDFS.label)) == {"en", "fr"}
    assert not list(g.objects(iri, OWL.imports))


def test_no_xsd_date_anywhere() -> None:
    # xsd:date is outside the OWL 2 datatype map: a DL profile violation.
    assert "XMLSchema#date>" not in rdflib.Graph().parse(ONTOLOGY).serialize(format="nt")


def test_loads_with_owlready2(tmp_path: Path) -> None:
    owlready2 = pytest.importorskip("owlready2")
    rdfxml = tmp_path / "sahelkg.owl"
    rdflib.Graph().parse(ONTOLOGY).serialize(destination=str(rdfxml), format="xml")
    world = owlready2.World()
    loaded = world.get_ontology(rdfxml.as_uri()).load()
    assert loaded.base_iri.startswith(vocab.ONTOLOGY_IRI)
    katiba = world[SK.Katiba]
    assert katiba is not None
    assert world[SK.JihadistGroup] in katiba.is_a
    assert world[SK.hasParticipant] in world[SK.hasVictim].is_a
    world.close()


@java
@needs_java
def test_hermit_finds_the_real_ontology_consistent_and_clean() -> None:
    assert check_ontology(ONTOLOGY) == []


def test_check_ontology_without_reasoning_finds_nothing() -> None:
    assert check_ontology(ONTOLOGY, reason=False) == []


# --------------------------------------------------------------------------------------------
# the closed vocabulary is declared, with labels and definitions


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        (vocab.CLASSES, "class"),
        (vocab.OBJECT_PROPERTIES, "object"),
        (vocab.DATA_PROPERTIES, "datatype"),
        (vocab.ANNOTATION_PROPERTIES, "annotation"),
        (vocab.INDIVIDUALS, "individual"),
    ],
)
def test_every_vocab_term_is_declared_with_its_kind(onto: Ontology, names: list[str], kind: str) -> None:
    wrong = {name: onto.kind(SK.term(name)) for name in names if onto.kind(SK.term(name)) != kind}
    assert wrong == {}


def test_every_sk_term_of_vocab_is_in_one_list() -> None:
    listed = (
        vocab.CLASSES + vocab.OBJECT_PROPERTIES + vocab.DATA_PROPERTIES
        + vocab.ANNOTATION_PROPERTIES + vocab.INDIVIDUALS
    )
    assert len(listed) == len(set(listed)) == len(SK.terms)


def test_individuals_are_typed_with_their_value_class(onto: Ontology) -> None:
    groups = {
        "Stance": vocab.STANCES, "Certainty": vocab.CERTAINTIES, "DatePrecision": vocab.PRECISIONS,
        "DateBasis": vocab.DATE_BASES, "GeoPrecision": vocab.GEO_PRECISIONS, "OutcomeKind": vocab.OUTCOMES,
        "Modality": vocab.MODALITIES,
        "ReviewStatus": vocab.REVIEW_STATUSES,
    }
    for cls, values in groups.items():
        for name in values.values():
            assert onto.individual_types(SK.term(name)) == {SK.term(cls)}, name
    assert sum(len(v) for v in groups.values()) == len(vocab.INDIVIDUALS)


def test_every_sk_term_has_labels_and_definitions() -> None:
    g = rdflib.Graph().parse(ONTOLOGY)
    missing = []
    for name in SK:
        term = URIRef(SK.term(name))
        for prop in (RDFS.label, SKOS.prefLabel):
            found = langs(g, term, prop)
            if found != ["en", "fr"]:
                missing.append((name, prop.n3(g.namespace_manager), found))
        if "en" not in set(langs(g, term, SKOS.definition)):
            missing.append((name, "skos:definition", []))
    assert missing == []


def test_external_terms_are_declared_and_labelled(onto: Ontology) -> None:
    g = onto.graph
    for iri in [vocab.SEM.Event, vocab.SEM.Actor, vocab.PROV.Entity, vocab.TIME.TemporalEntity, vocab.GEO.Feature,
                vocab.OA.Annotation]:
        assert iri in onto.classes
    for iri in [vocab.SEM.hasActor, vocab.SEM.hasSubEvent, vocab.SEM.accordingTo, vocab.PROV.wasDerivedFrom,
                vocab.TIME.hasTime, vocab.GEO.sfWithin, vocab.OA.hasBody, vocab.OA.hasTarget]:
        assert iri in onto.object_properties
    assert {vocab.GEO.asWKT, vocab.OA.start, vocab.OA.exact} <= onto.datatype_properties
    assert vocab.GEO.wktLiteral in onto.datatypes
    for iri in onto.declared:
        if iri.startswith((SEM, vocab.GEO.base, vocab.OA.base)):
            assert set(langs(g, URIRef(iri), RDFS.label)) == {"en", "fr"}, iri


# --------------------------------------------------------------------------------------------
# the model: hierarchy, alignment, domains and ranges


def test_agent_hierarchy_and_alignment(onto: Ontology) -> None:
    assert onto.superclasses(SK.Katiba) == {
        SK.Katiba, SK.JihadistGroup, SK.ArmedGroup, SK.Organization, SK.Agent,
        vocab.SEM.Actor, vocab.PROV.Agent,
    }
    assert onto.superclasses(SK.MilitaryOperation) == {
        SK.MilitaryOperation, SK.Organization, SK.Agent, vocab.SEM.Actor, vocab.PROV.Agent,
    }
    assert SK.ArmedForce in onto.superclasses(SK.JointForce)
    for unit in ("Regiment", "Battalion", "Squadron", "CommandoGroup"):
        assert SK.MilitaryUnit in onto.superclasses(SK.term(unit))
    assert onto.superclasses(SK.Place) == {SK.Place, vocab.SEM.Place, vocab.GEO.Feature}
    assert onto.superclasses(SK.TimeSpec) == {SK.TimeSpec, vocab.TIME.TemporalEntity, vocab.SEM.Time}
    assert onto.superclasses(SK.Event) == {SK.Event, vocab.SEM.Event}
    for report in ("Article", "Claim", "Observation"):
        assert vocab.PROV.Entity in onto.superclasses(SK.term(report))


def test_equipment_and_event_hierarchy(onto: Ontology) -> None:
    assert onto.subclasses(SK.ExplosiveDevice) == {SK.ExplosiveDevice, SK.ImprovisedExplosiveDevice, SK.Landmine}
    assert onto.superclasses(SK.AttackHelicopter) == {
        SK.AttackHelicopter, SK.Helicopter, SK.Aircraft, SK.Equipment,
    }
    for parent, subs in vocab.ACLED_CLASSES.items():
        assert onto.subclasses(SK.term(parent)) - {SK.Coup} == {SK.term(c) for c in [parent, *subs]}
        assert SK.Event in onto.superclasses(SK.term(parent))
    assert onto.superclasses(SK.Coup) == {
        SK.Coup, SK.OtherStrategicDevelopment, SK.StrategicDevelopment, SK.Event, vocab.SEM.Event,
    }
    assert onto.subclasses(SK.OutcomeEvent) == {SK.term(c) for c in vocab.OUTCOME_CLASSES}
    assert onto.subclasses(SK.OperationalEvent) == {SK.term(c) for c in vocab.OPERATIONAL_CLASSES} - {SK.Coup}
    assert SK.Deployment in onto.superclasses(SK.Reinforcement)
    assert SK.MilitaryAction in onto.superclasses(SK.Raid)
    assert onto.subclasses(SK.Event) == {SK.term(c) for c in vocab.EVENT_CLASSES}


def test_disjointness(onto: Ontology) -> None:
    g = onto.graph
    groups = [
        {str(m) for m in rdflib.collection.Collection(g, members)}
        for node in g.subjects(RDF.type, OWL.AllDisjointClasses)
        if (members := g.value(node, OWL.members)) is not None
    ]
    assert {SK.Event, SK.Agent, SK.Place, SK.Equipment} in groups
    assert (URIRef(SK.Person), OWL.disjointWith, URIRef(SK.Organization)) in g


ACLED_SUB_EVENT_TYPES = {
    "ArmedClash": "Armed clash",
    "GovernmentRegainsTerritory": "Government regains territory",
    "NonStateActorOvertakesTerritory": "Non-state actor overtakes territory",
    "ChemicalWeapon": "Chemical weapon",
    "AirOrDroneStrike": "Air/drone strike",
    "SuicideBomb": "Suicide bomb",
    "ShellingArtilleryMissileAttack": "Shelling/artillery/missile attack",
    "RemoteExplosiveLandmineIED": "Remote explosive/landmine/IED",
    "GrenadeAttack": "Grenade",
    "SexualViolence": "Sexual violence",
    "AttackOnCivilians": "Attack",
    "AbductionForcedDisappearance": "Abduction/forced disappearance",
    "PeacefulProtest": "Peaceful protest",
    "ProtestWithIntervention": "Protest with intervention",
    "ExcessiveForceAgainstProtesters": "Excessive force against protesters",
    "ViolentDemonstration": "Violent demonstration",
    "MobViolence": "Mob violence",
    "Agreement": "Agreement",
    "Arrest": "Arrests",
    "ChangeToGroupActivity": "Change to group/activity",
    "DisruptedWeaponsUse": "Disrupted weapons use",
    "HeadquartersOrBaseEstablished": "Headquarters or base established",
    "LootingPropertyDestruction": "Looting/property destruction",
    "NonViolentTransferOfTerritory": "Non-violent transfer of territory",
    "OtherStrategicDevelopment": "Other",
}
ACLED_EVENT_TYPES = {
    "Battle": "Battles", "ExplosionRemoteViolence": "Explosions/Remote violence",
    "ViolenceAgainstCivilians": "Violence against civilians", "Protest": "Protests", "Riot": "Riots",
    "StrategicDevelopment": "Strategic developments",
}


def test_acled_mapping(onto: Ontology) -> None:
    g = onto.graph
    found_sub = {
        str(s)[len(SK.base):]: str(o) for s, o in g.subject_objects(SKN.acledSubEventType)
    }
    assert found_sub == ACLED_SUB_EVENT_TYPES
    for parent, subs in vocab.ACLED_CLASSES.items():
        for cls in [parent, *subs]:
            assert [str(o) for o in g.objects(SKN[cls], SKN.acledEventType)] == [ACLED_EVENT_TYPES[parent]], cls
            assert set(map(str, g.objects(SKN[cls], SKN.acledDisorderType))) <= {
                "Political violence", "Demonstrations", "Political violence; Demonstrations",
                "Strategic developments",
            }
    assert g.value(SKN.AirOrDroneStrike, SKN.cameoCode) == Literal("195")
    assert g.value(SKN.ArmedClash, SKN.cameoCode) == Literal("190")


def test_domains_and_ranges(onto: Ontology) -> None:
    assert onto.domain(SK.hasVictim) == {SK.Event}
    assert onto.range(SK.hasVictim) == {SK.Agent}
    assert onto.range(SK.hasInstrument) == {SK.Equipment}
    assert onto.range(SK.country) == {SK.Country}
    assert onto.domain(SK.country) == {SK.Agent, SK.Place}
    assert onto.domain(SK.hasTime) == {SK.Event, SK.RelationStatement, SK.Claim, SK.Observation}
    assert onto.domain(SK.certainty) == {SK.Claim, SK.Event, SK.RelationStatement, SK.Observation}
    assert onto.range(SK.memberOf) == {SK.Organization}
    assert onto.domain(SK.sourceArticle) == {THING}
    assert onto.range(SK.sourceArticle) == {SK.Article}
    assert onto.range(SK.about) == {THING}
    assert onto.range(SK.beginDate) == {vocab.XSD.dateTime}
    assert onto.domain(SK.awarded) == {SK.Award}
    # every own object and datatype property has a domain and a range
    own = {p for p in onto.object_properties | onto.datatype_properties if p.startswith(SK.base)}
    assert {p for p in own if not onto.domain(p) or not onto.range(p)} == set()


def test_property_hierarchy_and_characteristics(onto: Ontology) -> None:
    assert onto.superproperties(SK.hasVictim) == {SK.hasVictim, SK.hasParticipant, vocab.SEM.hasActor}
    assert onto.superproperties(SK.memberOf) == {SK.memberOf, SK.affiliatedWith}
    assert onto.superproperties(SK.subOperationOf) == {SK.subOperationOf, SK.partOf}
    assert onto.superproperties(SK.locatedIn) == {SK.locatedIn, vocab.GEO.sfWithin}
    assert onto.superproperties(SK.claimant) == {SK.claimant, vocab.PROV.wasAttributedTo}
    assert onto.superproperties(SK.sourceArticle) == {SK.sourceArticle, vocab.PROV.wasDerivedFrom}
    assert onto.superproperties(SK.hasTime) == {SK.hasTime, vocab.TIME.hasTime}
    assert onto.superproperties(SK.accordingTo) == {SK.accordingTo, vocab.SEM.accordingTo}
    assert onto.superproperties(SK.hasSubEvent) == {SK.hasSubEvent, vocab.SEM.hasSubEvent}
    assert onto.inverse_of(SK.participatedIn) == SK.hasParticipant
    assert onto.inverse_of(SK.hasParticipant) == SK.participatedIn
    assert onto.inverse_of(SK.locatedIn) == SK.contains
    assert onto.inverse_of(SK.subEventOf) == SK.hasSubEvent
    assert onto.inverse_of(SK.ledBy) == SK.leads
    assert onto.inverse_of(SK.succeededBy) == SK.succeeds
    assert onto.inverse_of(SK.participatesIn) == SK.hasParticipatingForce
    assert onto.inverse_of(SK.hasVictim) is None
    assert onto.transitive_properties == {
        SK.locatedIn, SK.contains, SK.subEventOf, SK.hasSubEvent, SK.sameEventAs, SK.affiliatedWith, SK.partOf,
    }
    assert onto.symmetric_properties == {SK.sameEventAs, SK.partnerOf, SK.conflictsWith}


def test_fits(onto: Ontology) -> None:
    assert onto.fits([SK.Katiba], onto.range(SK.memberOf))
    assert onto.fits([SK.Person], onto.range(SK.hasVictim))
    assert not onto.fits([SK.Settlement], onto.range(SK.hasVictim))
    assert onto.fits([SK.Settlement, SK.PersonGroup], onto.range(SK.hasVictim))
    assert onto.fits([SK.Settlement], onto.range(SK.about))  # owl:Thing
    assert onto.fits([SK.Settlement], onto.domain(SK.country))
    assert not onto.fits([SK.Drone], onto.domain(SK.country))
    assert onto.fits([], frozenset())
    assert not onto.fits([], frozenset({SK.Agent}))


def test_helpers_on_a_small_ontology() -> None:
    small = load_ontology(FIXTURES / "hierarchy.ttl")
    ex = "http://example.org/onto#"
    assert small.classes == {ex + "A", ex + "B", ex + "C", ex + "D"}
    assert small.superclasses(ex + "C") == {ex + "A", ex + "B", ex + "C"}  # via owl:equivalentClass
    assert small.superclasses(ex + "B") == {ex + "A", ex + "B", ex + "C"}
    assert small.superclasses(ex + "D") == {ex + "D"}  # restrictions are not named classes
    assert small.subclasses(ex + "A") == {ex + "A", ex + "B", ex + "C"}
    assert small.domain(ex + "p") == {ex + "A", ex + "D"}  # owl:unionOf expanded
    assert small.domain(ex + "q") == {ex + "A", ex + "D"}  # inherited from ex:p
    assert small.range(ex + "q") == {ex + "B"}
    assert small.range(ex + "n") == {vocab.XSD.decimal}
    assert small.domain(ex + "n") == frozenset()
    assert small.inverse_of(ex + "q") == ex + "r"
    assert small.inverse_of(ex + "r") == ex + "q"
    assert small.transitive_properties == {ex + "r"}
    assert small.object_properties == {ex + "p", ex + "q", ex + "r"}
    assert small.individuals == {ex + "i"}
    assert small.individual_types(ex + "i") == {ex + "C"}
    assert small.superclasses("urn:unknown") == {"urn:unknown"}
    assert small.superproperties("urn:unknown") == {"urn:unknown"}
    assert small.domain("urn:unknown") == frozenset()
    assert small.inverse_of("urn:unknown") is None
    assert small.kind(ex + "n") == "datatype"
    assert small.kind("urn:unknown") is None


# --------------------------------------------------------------------------------------------
# broken ontologies give the exact problems


def test_syntax_error_names_file_line_and_column() -> None:
    path = FIXTURES / "syntax-error.ttl"
    expected = [OntologyProblem(
        str(path), 8, "syntax error at column 1: expected '.' or '}' or ']' at end of statement", "error",
        rule="parse_error", subject=str(path),
    )]
    with pytest.raises(OntologyError) as raised:
        load_ontology(path)
    assert raised.value.problems == expected
    assert str(raised.value) == (
        f"1 error(s) in the ontology:\n{path}:8: syntax error at column 1: "
        "expected '.' or '}' or ']' at end of statement"
    )
    assert check_ontology(path) == expected


def test_syntax_error_after_comments_in_the_real_file(tmp_path: Path) -> None:
    # Drop the final dot of the ontology header: the parser notices at the next subject, after comments.
    lines = ONTOLOGY.read_text(encoding="utf-8").splitlines()
    header = next(i for i, ln in enumerate(lines) if ln.startswith("<https://w3id.org/sahelkg/ontology>"))
    last = next(i for i in range(header, len(lines)) if lines[i].rstrip().endswith(" ."))
    lines[last] = lines[last].rstrip()[:-2]
    expected_line = next(i for i in range(last + 1, len(lines))
                         if lines[i].strip() and not lines[i].lstrip().startswith("#")) + 1
    path = tmp_path / "sahelkg.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(OntologyError) as raised:
        load_ontology(path)
    assert [(p.file, p.line, p.message) for p in raised.value.problems] == [
        (str(path), expected_line, "syntax error at column 1: expected '.' or '}' or ']' at end of statement"),
    ]


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.ttl"
    assert check_ontology(path) == [OntologyProblem(
        str(path), None, "cannot read the ontology: No such file or directory", "error",
        rule="parse_error", subject=str(path),
    )]


def test_missing_french_label(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, remove=lang_literals(SK.Katiba, RDFS.label, "fr"))
    assert check_ontology(path, reason=False) == [OntologyProblem(
        str(path), line_of(path, "sk:Katiba "), "sk:Katiba has no rdfs:label@fr", "error",
        rule="missing_label", subject="sk:Katiba",
    )]


def test_missing_preflabel_and_definition(tmp_path: Path) -> None:
    desert = URIRef(SK.Desert)
    path = broken_copy(tmp_path, remove=[(desert, SKOS.prefLabel, None), (desert, SKOS.definition, None)])
    line = line_of(path, "sk:Desert ")
    assert check_ontology(path, reason=False) == [
        OntologyProblem(str(path), line, "sk:Desert has no skos:prefLabel@en", "error",
                        rule="missing_preflabel", subject="sk:Desert"),
        OntologyProblem(str(path), line, "sk:Desert has no skos:prefLabel@fr", "error",
                        rule="missing_preflabel", subject="sk:Desert"),
        OntologyProblem(str(path), line, "sk:Desert has no skos:definition@en", "error",
                        rule="missing_definition", subject="sk:Desert"),
    ]


def test_vocab_term_not_declared(tmp_path: Path) -> None:
    # Rename sk:Award's declaration to sk:Prize; sk:awarded still uses sk:Award as its domain.
    award, prize = URIRef(SK.Award), URIRef(SK.base + "Prize")
    block = list(rdflib.Graph().parse(ONTOLOGY).triples((award, None, None)))
    path = broken_copy(tmp_path, remove=[(award, None, None)], add=[(prize, p, o) for _, p, o in block])
    assert check_ontology(path, reason=False) == [
        OntologyProblem(str(path), None,
                        "sk:Award is in vocab.py but not declared in the ontology (expected owl:Class)", "error",
                        rule="missing_declaration", subject="sk:Award"),
        OntologyProblem(str(path), None, "sk:Award is used but not declared", "error",
                        rule="undeclared_term", subject="sk:Award"),
    ]


def test_vocab_term_of_the_wrong_kind(tmp_path: Path) -> None:
    cameo = URIRef(SK.cameoCode)
    path = broken_copy(tmp_path, remove=[(cameo, RDF.type, OWL.AnnotationProperty)],
                       add=[(cameo, RDF.type, OWL.DatatypeProperty)])
    line = line_of(path, "sk:cameoCode ")
    assert check_ontology(path, reason=False) == [
        OntologyProblem(str(path), line,
                        "sk:cameoCode is declared as owl:DatatypeProperty but vocab.py lists it as "
                        "owl:AnnotationProperty", "error", rule="wrong_kind", subject="sk:cameoCode"),
        OntologyProblem(str(path), line, "sk:cameoCode has no rdfs:domain", "warning",
                        rule="missing_domain", subject="sk:cameoCode"),
        OntologyProblem(str(path), line, "sk:cameoCode has no rdfs:range", "warning",
                        rule="missing_range", subject="sk:cameoCode"),
    ]


def test_undeclared_term(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, add=[(URIRef(SK.Katiba), RDFS.seeAlso, URIRef(SK.base + "Katibaa"))])
    assert check_ontology(path, reason=False) == [OntologyProblem(
        str(path), None, "sk:Katibaa is used but not declared", "error",
        rule="undeclared_term", subject="sk:Katibaa",
    )]


def test_duplicate_label_is_a_warning(tmp_path: Path) -> None:
    (_, _, group_label), = lang_literals(SK.JihadistGroup, RDFS.label, "en")
    path = broken_copy(tmp_path, remove=lang_literals(SK.Katiba, RDFS.label, "en"),
                       add=[(URIRef(SK.Katiba), RDFS.label, group_label)])
    assert check_ontology(path, reason=False) == [OntologyProblem(
        str(path), line_of(path, "sk:JihadistGroup "),
        f'sk:JihadistGroup shares rdfs:label "{group_label}"@en with sk:Katiba', "warning",
        rule="duplicate_label", subject="sk:JihadistGroup",
    )]


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    owlready2 = pytest.importorskip("owlready2")
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    assert check_ontology(ONTOLOGY) == [OntologyProblem(
        str(ONTOLOGY), None,
        "Java not found ('/nonexistent/java' is not on the PATH): install Java 17 "
        "(e.g. apt-get install default-jre-headless) to run the HermiT reasoner, or check without reasoning",
        "error", rule="reasoner_unavailable", subject="HermiT",
    )]


@java
@needs_java
def test_inconsistent_ontology(tmp_path: Path) -> None:
    x = ID["test-x"]
    path = broken_copy(tmp_path, add=[
        (x, RDF.type, OWL.NamedIndividual), (x, RDF.type, URIRef(SK.Person)), (x, RDF.type, URIRef(SK.Organization)),
        (x, RDFS.label, Literal("x", lang="en")), (x, RDFS.label, Literal("x", lang="fr")),
    ])
    assert check_ontology(path) == [OntologyProblem(
        str(path), None, "the ontology is inconsistent (HermiT)", "error", rule="inconsistent", subject="ontology",
    )]


@java
@needs_java
def test_unsatisfiable_class(tmp_path: Path) -> None:
    bad = SKN.PersonOrganization
    path = broken_copy(tmp_path, add=[
        (bad, RDF.type, OWL.Class),
        (bad, RDFS.subClassOf, URIRef(SK.Person)), (bad, RDFS.subClassOf, URIRef(SK.Organization)),
        (bad, RDFS.label, Literal("person organization", lang="en")),
        (bad, RDFS.label, Literal("personne organisation", lang="fr")),
        (bad, SKOS.prefLabel, Literal("person organization", lang="en")),
        (bad, SKOS.prefLabel, Literal("personne organisation", lang="fr")),
        (bad, SKOS.definition, Literal("Cannot have members: Person and Organization are disjoint.", lang="en")),
    ])
    assert check_ontology(path) == [OntologyProblem(
        str(path), line_of(path, "sk:PersonOrganization "),
        "sk:PersonOrganization is unsatisfiable (equivalent to owl:Nothing)", "error",
        rule="unsatisfiable_class", subject="sk:PersonOrganization",
    )]


def test_format_report() -> None:
    problems: list[Problem] = [
        OntologyProblem("o.ttl", None, "sk:B shares rdfs:label \"b\"@en with sk:C", "warning",
                        rule="duplicate_label", subject="sk:B"),
        OntologyProblem("o.ttl", 12, "sk:A has no rdfs:label@fr", "error", rule="missing_label", subject="sk:A"),
        Problem("o.ttl", None, "something else"),
    ]
    assert format_report(problems) == "\n".join([
        "LEVEL    RULE             SUBJECT  LOCATION  MESSAGE",
        "ERROR    missing_label    sk:A     o.ttl:12  sk:A has no rdfs:label@fr",
        "ERROR    -                -        o.ttl     something else",
        'WARNING  duplicate_label  sk:B     o.ttl     sk:B shares rdfs:label "b"@en with sk:C',
        "2 error(s), 1 warning(s)",
    ])
    assert format_report([]) == "No problems found."


# --------------------------------------------------------------------------------------------
# the catalog


def test_catalog_is_a_protege_catalog_resolving_locally() -> None:
    ns = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
    root = ET.parse(CATALOG).getroot()
    assert root.tag == f"{ns}catalog"
    entries = {e.get("name", ""): e.get("uri", "") for e in root.iter(f"{ns}uri")}
    assert entries == {
        "https://w3id.org/sahelkg/ontology": "sahelkg.ttl",
        "https://w3id.org/sahelkg/ontology/0.1.0": "sahelkg.ttl",
    }
    for target in entries.values():
        assert (ONTOLOGY_DIR / target).is_file()


# --------------------------------------------------------------------------------------------
# SHACL shapes


def _graph(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path)


@pytest.fixture(scope="module")
def valid_graph() -> rdflib.Graph:
    return _graph(FIXTURES / "valid-graph.ttl")


def _shacl_results(data: rdflib.Graph) -> tuple[bool, set[tuple[str, str]]]:
    pyshacl = pytest.importorskip("pyshacl")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=_graph(SHAPES), ont_graph=_graph(ONTOLOGY), inference="none"
    )
    results = {
        (str(report.value(r, SH.focusNode)).replace(str(ID), "id:"), str(report.value(r, SH.resultMessage)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    return conforms, results


def _compiled_results(data: rdflib.Graph) -> set[tuple[str, str]]:
    """(focus, message) of the project's own SHACL engine (sahelkg.graph.shacl, SPARQL run by pyoxigraph)."""
    from sahelkg.graph.shacl import compile_shapes

    store = _store(data)
    return {
        (r.focus.value.replace(str(ID), "id:"), str(r.message))
        for r in compile_shapes(SHAPES.read_text(encoding="utf-8"), store).run(store)
    }


def _broken(graph: rdflib.Graph, remove: Sequence[Triple], add: Sequence[Triple]) -> rdflib.Graph:
    out = rdflib.Graph()
    for triple in graph:
        out.add(triple)
    for pattern in remove:
        for triple in list(out.triples(pattern)):
            out.remove(triple)
    for triple in add:
        out.add(triple)
    return out


def test_shapes_accept_the_valid_graph(valid_graph: rdflib.Graph) -> None:
    assert _shacl_results(valid_graph) == (True, set())
    assert _compiled_results(valid_graph) == set()


def test_shapes_report_each_breakage(valid_graph: rdflib.Graph) -> None:
    e1, e2, c1, o1 = ID["A/e1"], ID["A/e2"], ID["A/c1"], ID["A/o1"]
    broken = _broken(
        valid_graph,
        remove=[
            (e2, SKN.sourceArticle, None),
            (ID["A/r1/annotation"], OA.hasBody, None),
            (c1, SKN.claimant, None),
            (ID["A/o1"], SKN.hasCount, None),
            (ID["article/A"], DCT.language, None),
            (ID["jnim"], RDFS.label, Literal("Groupe de soutien à l'islam et aux musulmans", lang="fr")),
            (ID["gossi"], SKOS.prefLabel, Literal("Gossi", lang="fr")),
            (ID["A/e2/time"], SKN.endDate, None),
            (ID["A/e1/time"], SKN.dateDerivation, None),
            (ID["A/e2/count"], SKN.lowValue, None),
            (ID["A/e1/annotation/position"], OA.end, None),
            (ID["gao"], SKN.coordinateSource, None),
            (ID["mali"], SKN.latitude, None),
        ],
        add=[
            (e1, SKN.hasTime, ID["A/r1/time"]),
            (e1, SKN.hasVictim, ID["gao"]),
            (o1, SKN.hasVictim, ID["jnim"]),
            (ID["jnim"], RDFS.label, Literal("JNIM", lang="en")),
            (ID["A/sniper"], RDFS.label, Literal("un tireur", lang="fr")),
            (ID["A/e2/time"], SKN.endDate, Literal("2018-11-10T00:00:00", datatype=XSD_DATETIME)),
            (ID["A/e2/count"], SKN.lowValue, Literal(40)),
            (ID["A/e1/annotation/position"], OA.end, Literal(100)),
            (ID["A/r1/time"], SKN.isoDate, Literal("2020")),
        ],
    )
    conforms, results = _shacl_results(broken)
    assert not conforms
    assert _compiled_results(broken) == results  # the build's own engine agrees with pyshacl
    assert results == {
        ("id:A/e2", "A fact must have at least one sk:sourceArticle, an sk:Article."),
        ("id:A/r1", "A relation statement needs an sk:sourceArticle and an oa:Annotation, or (in the registry) "
                    "a dcterms:source."),
        ("id:A/c1", "A claim has exactly one sk:claimant, an sk:Agent."),
        ("id:A/o1", "An observation has exactly one sk:hasCount, an sk:Quantity."),
        ("id:A/o1", "Only an sk:Event can have participant roles, an instrument, a place or an operation."),
        ("id:article/A", 'An article has exactly one dcterms:language, "en" or "fr".'),
        ("id:jnim", "A registry entity needs an rdfs:label in French (@fr)."),
        ("id:jnim", "An entity has at most one rdfs:label per language (aliases go to skos:altLabel)."),
        ("id:A/r1/annotation", "An annotation has at least one oa:hasBody."),
        # the article's language is removed above, so only the count of labels can be checked
        ("id:A/sniper", "An article-local entity has exactly two rdfs:labels, one in English and one in French."),
        ("id:A/sniper", "An entity has at most one rdfs:label per language (aliases go to skos:altLabel)."),
        ("id:gossi", "A registry entity needs a skos:prefLabel in French (@fr)."),
        ("id:A/e1", "An event has at most one sk:hasTime, an sk:TimeSpec."),
        ("id:A/e1", "sk:hasVictim must point at an sk:Agent."),
        ("id:A/e2/time", "A time specification has at most one sk:beginDate, an xsd:dateTime not after its "
                         "sk:endDate."),
        ("id:A/e1/time", "A date that is not stated in the text (basis relative, context or unknown) must have an "
                         "sk:dateDerivation saying how it was obtained."),
        ("id:A/r1/time", "A date of unknown basis (sk:BasisUnknown) has no resolved value (no sk:isoDate, "
                         "no sk:beginDate)."),
        ("id:A/e2/count", "A quantity has at most one sk:lowValue, a non-negative number not above its "
                          "sk:bestValue."),
        ("id:A/e2/count", "A quantity's sk:lowValue must not be above its sk:highValue."),
        ("id:A/e1/annotation/position", "A text position selector has exactly one oa:start, a non-negative "
                                        "integer below its oa:end."),
        ("id:gao", 'A place with coordinates must have an sk:coordinateSource (a gazetteer id or "annotator: ...").'),
        ("id:mali", "A place has both sk:latitude and sk:longitude, or neither."),
    }


def test_a_claim_about_nothing_is_only_a_warning(valid_graph: rdflib.Graph) -> None:
    import pyshacl

    c1 = ID["A/c1"]  # "the French army said": stance claims
    broken = _broken(valid_graph, remove=[(c1, SKN.claimAbout, None), (c1, SKN.claimedAttacker, None)], add=[])
    conforms, report, _ = pyshacl.validate(
        broken, shacl_graph=_graph(SHAPES), ont_graph=_graph(ONTOLOGY), inference="none", allow_warnings=True
    )
    assert conforms
    assert [
        (str(report.value(r, SH.focusNode)), report.value(r, SH.resultSeverity), str(report.value(r, SH.resultMessage)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ] == [(str(c1), SH.Warning, "A claim that claims, disputes, denies or alleges should say what: at least one "
                                "sk:claimAbout, sk:claimedAttacker or sk:claimedVictim (only a statement, warning, "
                                "announcement or admission may be an opinion whose content is its quote).")]


@pytest.mark.parametrize("stance", ["StanceStates", "StanceWarns", "StanceAnnounces", "StanceAdmits"])
def test_an_opinion_needs_no_about(valid_graph: rdflib.Graph, stance: str) -> None:
    """corpus/README.md: a statement that is an opinion or analysis omits `about`; its quote is its content."""
    import pyshacl

    c1 = ID["A/c1"]
    opinion = _broken(valid_graph, remove=[(c1, SKN.claimAbout, None), (c1, SKN.claimedAttacker, None),
                                           (c1, SKN.stance, None)], add=[(c1, SKN.stance, SKN[stance])])
    conforms, report, _ = pyshacl.validate(
        opinion, shacl_graph=_graph(SHAPES), ont_graph=_graph(ONTOLOGY), inference="none", allow_warnings=True
    )
    assert conforms and not list(report.subjects(RDF.type, SH.ValidationResult))


def test_shapes_check_a_local_entity_label_against_its_article_language(valid_graph: rdflib.Graph) -> None:
    broken = _broken(valid_graph, remove=[(ID["A/sniper"], RDFS.label, None)],
                     add=[(ID["A/sniper"], RDFS.label, Literal("un tireur", lang="fr"))])
    expected = {
        ("id:A/sniper", "An article-local entity has exactly two rdfs:labels, one in English and one in French."),
        ("id:A/sniper", "An article-local entity's rdfs:label in another language than its article's must be the copy "
                        "marked sk:untranslatedLabel: the label is in 'fr', the article in 'en'."),
    }
    assert _shacl_results(broken) == (False, expected)
    assert _compiled_results(broken) == expected


# --------------------------------------------------------------------------------------------
# health-check queries


def _store(graph: rdflib.Graph) -> ox.Store:
    store = ox.Store()
    store.load(ONTOLOGY.read_bytes(), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode("https://w3id.org/sahelkg/graph/ontology"))
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode("https://w3id.org/sahelkg/graph/article/A"))
    return store


def _focus(store: ox.Store, name: str) -> list[str]:
    query = (CHECKS / f"{name}-violation.rq").read_text(encoding="utf-8")
    rows = store.query(query, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return [row["focus"].value.replace(str(ID), "id:").replace(SK.base, "sk:") for row in rows]


CHECK_NAMES = sorted(p.name[: -len("-violation.rq")] for p in CHECKS.glob("*-violation.rq"))


def test_the_required_checks_exist() -> None:
    assert set(CHECK_NAMES) >= {
        "event-without-quote", "fact-without-source-article", "entity-without-english-label",
        "place-with-coordinates-without-source", "time-with-begin-after-end", "claim-without-speaker",
        "relation-statement-not-asserted", "quantity-low-above-high", "annotation-position-out-of-order",
        "event-with-two-dates",
    }


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_check_has_a_header_and_selects_focus(name: str) -> None:
    lines = (CHECKS / f"{name}-violation.rq").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#+ summary: ") and len(lines[0]) > len("#+ summary: ")
    assert lines[1].startswith("#+ description: ") and len(lines[1]) > len("#+ description: ")
    assert lines[2].startswith("PREFIX ")
    assert "?focus" in next(ln for ln in lines if ln.startswith("SELECT"))


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_check_finds_nothing_in_the_valid_graph(valid_graph: rdflib.Graph, name: str) -> None:
    assert _focus(_store(valid_graph), name) == []


def test_checks_find_each_breakage(valid_graph: rdflib.Graph) -> None:
    broken = _broken(
        valid_graph,
        remove=[
            (ID["A/e2/annotation"], OA.hasBody, None),
            (ID["A/o1"], SKN.sourceArticle, None),
            (ID["registry/gao/fact-1"], DCT.source, None),
            (ID["gossi"], RDFS.label, Literal("Gossi", lang="en")),
            (ID["mali"], SKN.coordinateSource, None),
            (ID["A/e2/time"], SKN.endDate, None),
            (ID["A/c1"], SKN.claimant, None),
            (ID["katiba-du-gourma"], SKN.memberOf, ID["jnim"]),
            (ID["A/e1/count"], SKN.lowValue, None),
            (ID["A/e1/annotation/position"], OA.start, None),
        ],
        add=[
            (ID["A/e2/time"], SKN.endDate, Literal("2018-11-10T00:00:00", datatype=XSD_DATETIME)),
            (ID["A/e1/count"], SKN.lowValue, Literal(2)),
            (ID["A/e1/annotation/position"], OA.start, Literal(200)),
            (ID["A/e1"], SKN.hasTime, ID["A/r1/time"]),
            (ID["A/e1"], RDF.type, URIRef(SK.base + "Battel")),
            (ID["A/e1"], URIRef(SK.base + "hasVictm"), ID["jnim"]),
        ],
    )
    store = _store(broken)
    found = {name: _focus(store, name) for name in CHECK_NAMES}
    assert found == {
        "annotation-position-out-of-order": ["id:A/e1/annotation/position"],
        "claim-without-speaker": ["id:A/c1"],
        "entity-without-english-label": ["id:gossi"],
        "event-with-two-dates": ["id:A/e1"],
        "event-without-quote": ["id:A/e2"],
        "fact-without-source-article": ["id:A/o1", "id:registry/gao/fact-1"],
        "place-with-coordinates-without-source": ["id:mali"],
        "quantity-low-above-high": ["id:A/e1/count"],
        "relation-statement-not-asserted": ["id:A/r1"],
        "time-with-begin-after-end": ["id:A/e2/time"],
        "undeclared-ontology-term": ["sk:Battel", "sk:hasVictm"],
    }
