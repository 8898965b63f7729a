"""The closed vocabulary: every ontology term the code uses, declared once.

A term used anywhere in the library must be listed here; ``tests/test_ontology.py``
checks that each one is declared in ``ontology/sahelkg.ttl``, so a typo is an
error at test time and never a silently new IRI in the graph.

>>> SK.Death
'https://w3id.org/sahelkg/ontology#Death'
>>> SK.NoSuchTerm
Traceback (most recent call last):
...
AttributeError: 'NoSuchTerm' is not a term of https://w3id.org/sahelkg/ontology#
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class Namespace:
    """A closed namespace: attribute access only for the listed local names."""

    def __init__(self, base: str, terms: Iterable[str] = (), *, closed: bool = True) -> None:
        self.base = base
        self.terms = frozenset(terms)
        self.closed = closed

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.term(name)

    def term(self, name: str) -> str:
        """Return the full IRI of ``name``; raise AttributeError for an unknown term."""
        if self.closed and name not in self.terms:
            raise AttributeError(f"{name!r} is not a term of {self.base}")
        return self.base + name

    def __contains__(self, name: object) -> bool:
        return name in self.terms

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.terms))


ONTOLOGY_IRI = "https://w3id.org/sahelkg/ontology"
DEFAULT_BASE = "https://w3id.org/sahelkg/"

# --- classes -----------------------------------------------------------------
AGENT_CLASSES = [
    "Agent", "Person", "PersonGroup", "Organization",
    "ArmedForce", "JointForce", "MilitaryUnit", "Regiment", "Battalion", "Squadron", "CommandoGroup",
    "ArmedGroup", "JihadistGroup", "Katiba", "RebelMovement", "PrivateMilitaryCompany",
    "Government", "GovernmentBody", "InternationalOrganization", "MediaOrganization",
    "ResearchInstitution", "MilitaryOperation", "PeacekeepingMission",
]
PLACE_CLASSES = [
    "Place", "Country", "AdministrativeRegion", "Settlement", "NaturalFeature", "Forest",
    "MountainRange", "Desert", "GeographicRegion", "MilitaryBase",
]
EQUIPMENT_CLASSES = [
    "Equipment", "Aircraft", "Drone", "Helicopter", "AttackHelicopter", "ArmouredVehicle",
    "ExplosiveDevice", "ImprovisedExplosiveDevice", "Landmine", "SmallArm", "HeavyWeapon",
    "Missile", "Rocket", "CommunicationEquipment",
]
# ACLED's 6 event types and 25 sub-event types, then outcome and operational events.
ACLED_CLASSES = {
    "Battle": ["ArmedClash", "GovernmentRegainsTerritory", "NonStateActorOvertakesTerritory"],
    "ExplosionRemoteViolence": [
        "ChemicalWeapon", "AirOrDroneStrike", "SuicideBomb", "ShellingArtilleryMissileAttack",
        "RemoteExplosiveLandmineIED", "GrenadeAttack",
    ],
    "ViolenceAgainstCivilians": ["SexualViolence", "AttackOnCivilians", "AbductionForcedDisappearance"],
    "Protest": ["PeacefulProtest", "ProtestWithIntervention", "ExcessiveForceAgainstProtesters"],
    "Riot": ["ViolentDemonstration", "MobViolence"],
    "StrategicDevelopment": [
        "Agreement", "Arrest", "ChangeToGroupActivity", "DisruptedWeaponsUse",
        "HeadquartersOrBaseEstablished", "LootingPropertyDestruction",
        "NonViolentTransferOfTerritory", "OtherStrategicDevelopment",
    ],
}
OUTCOME_CLASSES = ["OutcomeEvent", "Death", "Injury", "Neutralization", "Capture"]
OPERATIONAL_CLASSES = [
    "OperationalEvent", "Deployment", "Reinforcement", "Withdrawal", "Redeployment", "Summit",
    "Announcement", "BaseHandover", "MilitaryAction", "Raid", "OperationLaunch", "Establishment",
    "Award", "Coup",
]
# A series of events reported as one ("a series of lethal attacks"), typed beside its event class.
SERIES_CLASSES = ["EventSeries"]
EVENT_CLASSES = (
    ["Event"]
    + [c for parent, subs in ACLED_CLASSES.items() for c in [parent, *subs]]
    + OUTCOME_CLASSES
    + OPERATIONAL_CLASSES
    + SERIES_CLASSES
)
REPORT_CLASSES = [
    "Article", "Claim", "Observation", "TroopStrength", "CumulativeCount", "AggregateCount",
    "RelationStatement", "Quantity", "TimeSpec", "RelativeLocation", "ParticipantStatement",
]
OTHER_CLASSES = [
    "Position", "MilitaryRank", "Decoration",
    "Stance", "Certainty", "DatePrecision", "DateBasis", "GeoPrecision", "OutcomeKind", "Modality", "Specialty",
    "ReviewStatus",
]
CLASSES = AGENT_CLASSES + PLACE_CLASSES + EQUIPMENT_CLASSES + EVENT_CLASSES + REPORT_CLASSES + OTHER_CLASSES

# --- object properties -------------------------------------------------------
# Participant roles: the annotation's role name -> property.
ROLE_PROPERTIES = {
    "attacker": "hasAttacker",
    "target": "hasTarget",
    "victim": "hasVictim",
    "agent": "hasAgent",
    "supporting_force": "hasSupportingForce",
    "recipient": "hasRecipient",
    "participant": "hasParticipant",
    "instrument": "hasInstrument",
}
EVENT_PROPERTIES = [
    "hasParticipant", "participatedIn", "hasAttacker", "hasTarget", "hasVictim", "hasAgent",
    "hasSupportingForce", "hasRecipient", "hasInstrument", "occurredAt", "partOfOperation",
    "subEventOf", "hasSubEvent", "resultOf", "sameEventAs", "hasTime", "hasCount",
    "hasRelativeLocation", "geoPrecision", "about", "awarded",
    # modality, time order, accounts and hedged participants (issue 21)
    "modality", "after", "before", "hasParticipantStatement", "participantEvent", "participantAgent",
]
# Relations between entities, usable as ``property`` of a relation annotation.
RELATION_PROPERTIES = [
    "memberOf", "affiliatedWith", "partOf", "subOperationOf", "leads", "ledBy", "commands",
    "spokespersonFor", "holdsPosition", "positionIn", "hasRank", "succeededBy", "succeeds",
    "garrisonedAt", "locatedIn", "contains", "operatesIn", "participatesIn",
    "hasParticipatingForce", "partnerOf", "country", "hasSpecialty",
]
REPORT_PROPERTIES = [
    "claimant", "stance", "certainty", "claimAbout", "claimedAttacker", "claimedVictim",
    "accordingTo", "observedEntity", "observedPlace", "countedOutcome",
    "statementSubject", "statementObject", "sourceArticle", "mentions", "publishedOn",
    "referencePlace", "datePrecision", "dateBasis", "coordinatePrecision", "conflictsWith", "reviewStatus",
]
OBJECT_PROPERTIES = EVENT_PROPERTIES + RELATION_PROPERTIES + REPORT_PROPERTIES

# --- datatype properties -----------------------------------------------------
DATA_PROPERTIES = [
    # time
    "dateAsWritten", "isoDate", "beginDate", "endDate", "dateDerivation",
    "monthDay", "dayOfYear", "timeOfDay",
    # quantities
    "quantityAsWritten", "bestValue", "lowValue", "highValue", "isApproximate", "unit",
    # places
    "latitude", "longitude", "gazetteerId", "coordinateSource", "bearing", "distanceKm",
    "placeAsWritten",
    # reports and provenance
    "isDisjunctive", "inferenceReason", "articleId", "url",
    "textSha256", "annotationId", "participantRole", "text", "confidence",
    # shortcuts the build writes (docs/graph-model.md)
    "quote", "quoteStart",
]

# --- named individuals declared in the ontology ------------------------------
INDIVIDUALS = [
    "StanceClaims", "StanceDisputes", "StanceAnnounces", "StanceDenies", "StanceAlleges",
    "StanceStates", "StanceAdmits", "StanceWarns",
    "CertaintyCertain", "CertaintyVeryProbable", "CertaintyProbable", "CertaintyPossible",
    "PrecisionDay", "PrecisionMonth", "PrecisionYear", "PrecisionSeason",
    "BasisStated", "BasisRelative", "BasisContext", "BasisKnowledge", "BasisUnknown",
    "GeoExact", "GeoNear", "GeoRegion", "GeoCountry",
    "OutcomeKilled", "OutcomeNeutralized", "OutcomeInjured", "OutcomeCaptured",
    "Planned", "Intended", "Announced", "Considered", "Expected", "Hypothetical",
    "Draft", "Reviewed",
]

# --- annotation properties (mappings to ACLED and CAMEO on the event classes) -
ANNOTATION_PROPERTIES = ["acledDisorderType", "acledEventType", "acledSubEventType", "cameoCode",
                         # shortcuts the build writes (docs/graph-model.md)
                         "specificType", "untranslatedLabel",
                         # the property of a relation statement, as an IRI that OWL 2 DL does not pun
                         "statementPredicate"]

SK = Namespace(
    ONTOLOGY_IRI + "#",
    CLASSES + OBJECT_PROPERTIES + DATA_PROPERTIES + INDIVIDUALS + ANNOTATION_PROPERTIES,
)

# Controlled values as annotators write them -> individual local names.
STANCES = {
    "claims": "StanceClaims", "disputes": "StanceDisputes", "announces": "StanceAnnounces",
    "denies": "StanceDenies", "alleges": "StanceAlleges", "states": "StanceStates",
    "admits": "StanceAdmits", "warns": "StanceWarns",
}
CERTAINTIES = {
    "certain": "CertaintyCertain", "very_probable": "CertaintyVeryProbable",
    "probable": "CertaintyProbable", "possible": "CertaintyPossible",
}
PRECISIONS = {"day": "PrecisionDay", "month": "PrecisionMonth", "season": "PrecisionSeason", "year": "PrecisionYear"}
DATE_BASES = {
    "stated": "BasisStated", "relative": "BasisRelative", "context": "BasisContext",
    "knowledge": "BasisKnowledge", "unknown": "BasisUnknown",
}
GEO_PRECISIONS = {"exact": "GeoExact", "near": "GeoNear", "region": "GeoRegion", "country": "GeoCountry"}
# An event or observation that did not (yet) happen as stated: absent = it happened / holds.
MODALITIES = {
    "planned": "Planned", "intended": "Intended", "announced": "Announced", "considered": "Considered",
    "expected": "Expected", "hypothetical": "Hypothetical",
}
# A time of day given in words ("early in the morning", "in the evening", "dans la nuit").
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")
# Review status of an annotation item (``status:``) -> individual; an item without one is reviewed.
REVIEW_STATUSES = {"draft": "Draft", "reviewed": "Reviewed"}
OUTCOMES = {
    "killed": "OutcomeKilled", "neutralized": "OutcomeNeutralized", "injured": "OutcomeInjured",
    "captured": "OutcomeCaptured",
}

# --- reused vocabularies (open: we only use a handful of their terms) --------
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#", ["type"])
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#", [
    "label", "comment", "subClassOf", "subPropertyOf", "domain", "range", "Class", "seeAlso",
])
OWL = Namespace("http://www.w3.org/2002/07/owl#", [
    "Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual",
    "Ontology", "inverseOf", "SymmetricProperty", "TransitiveProperty", "equivalentClass",
    "equivalentProperty", "Thing", "imports", "versionIRI", "sameAs", "FunctionalProperty",
    "Restriction", "disjointWith",
])
XSD = Namespace("http://www.w3.org/2001/XMLSchema#", [
    "string", "dateTime", "decimal", "integer", "boolean", "anyURI", "nonNegativeInteger",
])
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#", [
    "prefLabel", "altLabel", "definition", "exactMatch", "closeMatch", "notation", "note",
])
PROV = Namespace("http://www.w3.org/ns/prov#", [
    "Entity", "Activity", "Agent", "wasDerivedFrom", "wasAttributedTo", "generatedAtTime",
])
OA = Namespace("http://www.w3.org/ns/oa#", [
    "Annotation", "SpecificResource", "TextQuoteSelector", "TextPositionSelector", "hasBody",
    "hasTarget", "hasSource", "hasSelector", "exact", "prefix", "suffix", "start", "end",
    "motivatedBy", "describing", "identifying",
])
DCTERMS = Namespace("http://purl.org/dc/terms/", [
    "title", "publisher", "language", "source", "identifier", "description", "license",
    "created", "creator", "bibliographicCitation",
])
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/", [
    "Event", "Actor", "Place", "Time", "Role", "hasActor", "hasPlace", "hasTime", "hasSubEvent",
    "accordingTo", "hasTimeStamp",
])
TIME = Namespace("http://www.w3.org/2006/time#", [
    "TemporalEntity", "Instant", "Interval", "hasTime", "hasBeginning", "hasEnd",
])
GEO = Namespace("http://www.opengis.net/ont/geosparql#", [
    "Feature", "Geometry", "hasGeometry", "asWKT", "wktLiteral", "sfWithin",
])

PREFIXES = {
    "sk": SK.base, "rdf": RDF.base, "rdfs": RDFS.base, "owl": OWL.base, "xsd": XSD.base,
    "skos": SKOS.base, "prov": PROV.base, "oa": OA.base, "dcterms": DCTERMS.base,
    "sem": SEM.base, "time": TIME.base, "geo": GEO.base,
}


def sparql_prefixes() -> str:
    """Return the PREFIX lines for every namespace above, for queries the code writes."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
