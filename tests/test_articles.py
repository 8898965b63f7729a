"""Each article's key facts as they appear in the graph: who died or was neutralized, when, where, how.

Every expected value is read from the article text; the sentence is quoted above each check.
Queries look inside the article's own named graph, so a fact must come from that article.
"""

from __future__ import annotations

from conftest import select

SK = "https://w3id.org/sahelkg/ontology#"
ID = "https://w3id.org/sahelkg/id/"


def in_article(article: str, body: str) -> str:
    return f"GRAPH <https://w3id.org/sahelkg/graph/article/{article}> {{ {body} }}"


def ask(store, query: str) -> bool:
    from sahelkg.vocab import sparql_prefixes

    return bool(store.query(sparql_prefixes() + "ASK { " + query + " }", use_default_graph_as_union=True))


A000, A001, A002, A003, A004 = (
    "000_8c355021fff2e163", "001_af0646745c3fb3a7", "002_b43efc41ee202923",
    "003_284cecf88603a7fc", "004_6c0a91cd67c955b8",
)


# --- 000: two legionnaires of the foreign cavalry regiment --------------------------------------

def test_000_kevin_clement_killed_by_a_bullet_date_unresolved(real_store):
    # "it is the legionnaire Kévin Clément who was killed Monday in Mali" / "fatally injured by a bullet
    # during a collision" — no publication date, so "Monday" cannot be resolved.
    rows = select(real_store, "SELECT ?basis ?iso ?ctype WHERE { " + in_article(A000, f"""
        ?d a sk:Death ; sk:hasVictim <{ID}kevin-clement> ; sk:hasTime ?t .
        ?t sk:dateBasis ?basis . OPTIONAL {{ ?t sk:isoDate ?iso }}
        OPTIONAL {{ ?d sk:resultOf ?cause . ?cause a ?ctype FILTER(?ctype = sk:ArmedClash) }}""") + " }")
    assert rows and all(r["basis"] == SK + "BasisUnknown" and "iso" not in r for r in rows)
    assert any(r.get("ctype") == SK + "ArmedClash" for r in rows)


def test_000_martynyouk_killed_by_an_artisanal_mine(real_store):
    # "Dmytro Martynyouk succumbed to his injuries after having jumped on an artisanal mine"
    assert ask(real_store, in_article(A000, f"""
        ?d a sk:Death ; sk:hasVictim <{ID}dmytro-martynyouk> ; sk:resultOf ?blast .
        ?blast sk:hasInstrument <{ID}landmine> ."""))


def test_000_ranks_unit_and_garrison(real_store):
    # "the brigadier Dmytro Martynyouk", "the 1st class legionnaire Kévin Clément",
    # "Both were part of the foreign cavalry regiment of Carpiagne."
    for person, rank in (("dmytro-martynyouk", "brigadier"), ("kevin-clement", "legionnaire-first-class")):
        assert ask(real_store, in_article(A000, f"<{ID}{person}> sk:hasRank <{ID}{rank}> ; sk:memberOf <{ID}1st-foreign-cavalry-regiment> ."))
    assert ask(real_store, f"<{ID}1st-foreign-cavalry-regiment> sk:garrisonedAt <{ID}carpiagne>")


def test_000_troop_strengths_and_aggregate(real_store):
    # "the numbers of Operation Barkhane have increased from 4,500 to 5,100" and
    # "with a hundred jihadists neutralized each month" (an aggregate, not an event)
    rows = select(real_store, "SELECT ?v WHERE { " + in_article(A000, """
        ?o a sk:TroopStrength ; sk:observedEntity <%soperation-barkhane> ; sk:hasCount/sk:bestValue ?v .""" % ID) + " } ORDER BY ?v")
    assert [float(r["v"]) for r in rows] == [4500, 5100]
    assert ask(real_store, in_article(A000, """
        ?o a sk:AggregateCount ; sk:countedOutcome sk:OutcomeNeutralized ;
           sk:hasCount [ sk:bestValue 100 ; sk:isApproximate true ] ."""))


# --- 001: Master Corporal Maxime Blasco ----------------------------------------------------------

def test_001_blasco_death_when_where_how(real_store):
    # "A French soldier was killed in action in Mali on Friday morning" + "Posted on Sep 24, 2021";
    # "discovered early in the morning in the N'Daki forest"; "hit by a sniper"
    rows = select(real_store, "SELECT ?iso ?basis ?place ?attacker ?op WHERE { " + in_article(A001, f"""
        ?d a sk:Death ; sk:hasVictim <{ID}maxime-blasco> ; sk:hasTime [ sk:isoDate ?iso ; sk:dateBasis ?basis ] ;
           sk:occurredAt ?place ; sk:hasAttacker ?attacker ; sk:partOfOperation ?op .""") + " }")
    assert rows == [{
        "iso": "2021-09-24", "basis": SK + "BasisRelative", "place": ID + "n-daki-forest",
        "attacker": ID + A001 + "/sniper", "op": ID + "operation-barkhane",
    }]


def test_001_blasco_unit_rank_and_medal(real_store):
    # "Master Corporal Maxime Blasco from the 7th Battalion of the Alpine Hunters of Varces (Isère)
    # received the military medal ... in June"
    assert ask(real_store, in_article(A001, f"""
        <{ID}maxime-blasco> sk:memberOf <{ID}7th-alpine-hunters-battalion> ; sk:hasRank <{ID}master-corporal> ."""))
    rows = select(real_store, "SELECT ?iso ?basis WHERE { " + in_article(A001, f"""
        ?a a sk:Award ; sk:hasRecipient <{ID}maxime-blasco> ; sk:awarded <{ID}military-medal> ;
           sk:hasTime [ sk:isoDate ?iso ; sk:dateBasis ?basis ] .""") + " }")
    assert rows == [{"iso": "2021-06", "basis": SK + "BasisContext"}]


def test_001_running_total_of_52(real_store):
    # "His death brings the number of French soldiers serving in the Sahel since 2013 ... to 52."
    assert ask(real_store, in_article(A001, f"""
        ?o a sk:CumulativeCount ; sk:countedOutcome sk:OutcomeKilled ; sk:hasCount/sk:bestValue 52 ;
           sk:hasTime/sk:isoDate "2021-09-24" ."""))
    # a running total is not an event: no event of 001 has a count of 52
    assert not ask(real_store, in_article(A001, "?e a sk:Event ; sk:hasCount/sk:bestValue 52 ."))


def test_001_ied_attacks_and_their_claim(real_store):
    # "On January 2, two soldiers ... were killed in their light armored car (LAV) by an 'improvised
    # explosive device'. Five days earlier, three soldiers ... were also victims of a self-made bomb."
    # "Both fatal attacks were alleged by the Al-Qaeda-affiliated ... (GSIM)."
    rows = select(real_store, "SELECT ?iso ?n WHERE { " + in_article(A001, """
        ?d a sk:Death ; sk:hasCount/sk:bestValue ?n ; sk:hasTime/sk:isoDate ?iso ; sk:resultOf ?attack .
        ?attack a sk:RemoteExplosiveLandmineIED .""") + " } ORDER BY ?iso")
    assert [(r["iso"], float(r["n"])) for r in rows] == [("2020-12-28", 3), ("2021-01-02", 2)]
    # the GSIM's claim names it as attacker, but the graph does not assert it as the attacker
    assert ask(real_store, in_article(A001, f"""
        ?c a sk:Claim ; sk:claimant <{ID}jnim> ; sk:stance sk:StanceClaims ; sk:claimedAttacker <{ID}jnim> ."""))
    assert not ask(real_store, f"?attack a sk:RemoteExplosiveLandmineIED ; sk:hasAttacker <{ID}jnim> .")


def test_001_al_sahraoui_neutralization_claimed_by_paris(real_store):
    # "Paris in August claimed in Mali the 'neutralization' of the leader of ... (EIGS), Adnan Abou Walid al-Sahraoui"
    assert ask(real_store, in_article(A001, f"""
        ?e a sk:Neutralization ; sk:hasVictim <{ID}adnan-abou-walid-al-sahraoui> .
        ?c a sk:Claim ; sk:stance sk:StanceClaims ; sk:claimAbout ?e ."""))
    assert not ask(real_store, f"?e a sk:Death ; sk:hasVictim <{ID}adnan-abou-walid-al-sahraoui> .")


# --- 002: Boubacar Banon, withdrawal from Mali ---------------------------------------------------

def test_002_banon_neutralized_30_km_north_of_gossi_by_a_drone(real_store):
    # "On March 28, 2022, the French force eliminated the jihadist Boubacar Banon" / "He was neutralized by
    # a drone strike while riding a motorcycle 30 kilometers north of Gossi"
    rows = select(real_store, "SELECT ?iso ?basis ?bearing ?km ?ref WHERE { " + in_article(A002, f"""
        ?e a sk:Neutralization ; sk:hasVictim <{ID}boubacar-banon> ; sk:hasTime [ sk:isoDate ?iso ; sk:dateBasis ?basis ] ;
           sk:hasRelativeLocation [ sk:bearing ?bearing ; sk:distanceKm ?km ; sk:referencePlace ?ref ] .""") + " }")
    assert [(r["iso"], r["basis"], r["bearing"], float(r["km"]), r["ref"]) for r in rows] == [
        ("2022-03-28", SK + "BasisStated", "north", 30.0, ID + "gossi")]
    assert ask(real_store, in_article(A002, f"""
        ?e a sk:Neutralization ; sk:hasVictim <{ID}boubacar-banon> ; sk:resultOf|sk:subEventOf ?strike .
        ?strike a sk:AirOrDroneStrike ; sk:hasInstrument <{ID}drone> ."""))
    assert ask(real_store, in_article(A002, f"<{ID}boubacar-banon> sk:memberOf <{ID}jnim> ."))


def test_002_troop_strengths_in_mali_and_the_sahel(real_store):
    # "Some 2,400 French soldiers are still present in Mali, out of a total of 4,600 in the Sahel."
    rows = select(real_store, "SELECT ?v ?place ?approx WHERE { " + in_article(A002, """
        ?o a sk:TroopStrength ; sk:observedPlace ?place ; sk:hasCount [ sk:bestValue ?v ; sk:isApproximate ?approx ] .""") + " } ORDER BY ?v")
    assert [(float(r["v"]), r["place"], r["approx"]) for r in rows] == [
        (2400, ID + "mali", "true"), (4600, ID + "sahel", "false")]  # "Some" qualifies the 2,400 only


def test_002_about_thirty_neutralized_according_to_ianni(real_store):
    # "'It's about thirty (jihadists) neutralized in the Liptako.' ... insisted Colonel Ianni"
    assert ask(real_store, in_article(A002, f"""
        ?o a sk:AggregateCount ; sk:countedOutcome sk:OutcomeNeutralized ; sk:observedPlace <{ID}liptako> ;
           sk:accordingTo <{ID}pascal-ianni> ; sk:hasCount [ sk:bestValue 30 ; sk:isApproximate true ] ."""))


def test_002_withdrawal_announced_in_february_2022(real_store):
    # "In February 2022, France announced its withdrawal before six months at the request of the Malian junta"
    assert ask(real_store, in_article(A002, """
        ?a a sk:Announcement ; sk:hasTime [ sk:isoDate "2022-02" ; sk:dateBasis sk:BasisStated ] ."""))
    assert ask(real_store, in_article(A002, "?w a sk:Withdrawal ."))


# --- 003: the tenth French soldier, the journalists, the disputed 22 % ----------------------------

def test_003_paratrooper_killed_date_by_context_attribution_hedged(real_store):
    # "A French paratrooper was killed in Northern Mali on Wednesday"; "on October 27, two days before the
    # death"; the year only by context. "was probably [killed] by the AQIM or the MUJAO" (Bourgeot).
    rows = select(real_store, "SELECT ?iso ?basis WHERE { " + in_article(A003, """
        ?d a sk:Death ; sk:hasTime [ sk:isoDate ?iso ; sk:dateBasis ?basis ] ; sk:occurredAt ?p .
        FILTER(?iso = "2014-10-29")""") + " }")
    assert rows and all(r["basis"] == SK + "BasisContext" for r in rows)
    rows = select(real_store, "SELECT ?who WHERE { " + in_article(A003, f"""
        ?c a sk:Claim ; sk:claimant <{ID}andre-bourgeot> ; sk:certainty sk:CertaintyProbable ;
           sk:isDisjunctive true ; sk:claimedAttacker ?who .""") + " } ORDER BY ?who")
    assert [r["who"] for r in rows] == [ID + "aqim", ID + "mujao"]


def test_003_tenth_french_soldier(real_store):
    # "this is the tenth French soldier to be killed since France sent troops to Mali in 2013"
    assert ask(real_store, in_article(A003, f"""
        ?o a sk:CumulativeCount ; sk:observedEntity <{ID}french-armed-forces> ; sk:countedOutcome sk:OutcomeKilled ;
           sk:hasCount/sk:bestValue 10 ."""))


def test_003_journalists_kidnapped_and_killed_in_kidal(real_store):
    # "On November 2, 2013, two French journalists, Ghislaine Dupont and Claude Verlon were kidnapped and
    # killed in Kidal, in Northern Mali in a retaliation action by terrorist group AQIM."
    for event_type in ("AbductionForcedDisappearance", "Death"):
        rows = select(real_store, "SELECT ?v WHERE { " + in_article(A003, f"""
            ?e a sk:{event_type} ; sk:hasVictim ?v ; sk:occurredAt <{ID}kidal> ; sk:hasAttacker <{ID}aqim> ;
               sk:hasTime [ sk:isoDate "2013-11-02" ; sk:dateBasis sk:BasisStated ] .""") + " } ORDER BY ?v")
        assert [r["v"] for r in rows] == [ID + "claude-verlon", ID + "ghislaine-dupont"], event_type


def test_003_the_22_percent_alleged_and_disputed(real_store):
    # "French authorities allege that MINUSMA deployed only 22 percent of its forces in Northern Mali, a
    # claim disputed by MINUSMA."
    rows = select(real_store, "SELECT ?who ?stance WHERE { " + in_article(A003, """
        ?o sk:hasCount/sk:bestValue 22 . ?c a sk:Claim ; sk:claimAbout ?o ; sk:claimant ?who ; sk:stance ?stance .""")
        + " } ORDER BY ?stance")
    assert [(r["who"], r["stance"]) for r in rows] == [
        (ID + "french-government", SK + "StanceAlleges"), (ID + "minusma", SK + "StanceDisputes")]


def test_003_niger_attack_without_a_perpetrator(real_store):
    # "Nine members of Niger's security forces were killed on October 30 ... The attackers were not
    # identified and no group has yet claimed responsibility"
    rows = select(real_store, "SELECT ?d ?a WHERE { " + in_article(A003, f"""
        ?d a sk:Death ; sk:hasVictim <{ID}nigerien-security-forces> ; sk:hasCount/sk:bestValue 9 .
        OPTIONAL {{ ?d sk:hasAttacker ?a }}""") + " }")
    assert len(rows) == 1 and "a" not in rows[0]


def test_003_serval_replaced_by_barkhane(real_store):
    # "In August 2014, Operation Serval was replaced by Operation Barkhane"
    assert ask(real_store, in_article(A003, f"<{ID}operation-serval> sk:succeededBy <{ID}operation-barkhane> ."))


# --- 004: the night raid in the Gourma ------------------------------------------------------------

def test_004_raid_on_a_night_span(real_store):
    # "Dans la nuit du 11 au 12 novembre 2018, dans la région du Gourma au Mali"
    rows = select(real_store, "SELECT ?iso ?b ?e WHERE { " + in_article(A004, f"""
        ?r sk:occurredAt <{ID}gourma> ; sk:hasTime [ sk:isoDate ?iso ; sk:beginDate ?b ; sk:endDate ?e ;
           sk:dateBasis sk:BasisStated ] . FILTER(CONTAINS(?iso, "/"))""") + " }")
    assert rows and {(r["iso"], r["b"], r["e"]) for r in rows} == {
        ("2018-11-11/2018-11-12", "2018-11-11T00:00:00", "2018-11-12T00:00:00")}


def test_004_seven_neutralized_not_killed(real_store):
    # "de neutraliser sept terroristes": the stated outcome is a neutralization; the text never says killed.
    assert ask(real_store, in_article(A004, "?e a sk:Neutralization ; sk:hasCount/sk:bestValue 7 ."))
    assert not ask(real_store, in_article(A004, "?e a sk:Death ."))


def test_004_katiba_leader_very_probably_neutralized(real_store):
    # "il apparaît très probable que figure, parmi les terroristes neutralisés, le chef de la katiba du
    # Gourma connu sous le nom de Almansour Ag Alkassam"
    assert ask(real_store, in_article(A004, f"""
        ?c a sk:Claim ; sk:certainty sk:CertaintyVeryProbable ; sk:claimedVictim <{ID}almansour-ag-alkassam> ."""))
    assert ask(real_store, in_article(A004, f"<{ID}almansour-ag-alkassam> sk:leads <{ID}katiba-du-gourma> ."))


def test_004_katiba_member_of_rvim_and_barkhane_launch(real_store):
    # "membre du Rassemblement pour la Victoire de l'Islam et des Musulmans (RVIM)";
    # "l'opération Barkhane a été lancée le 1er août 2014"; "Elle regroupe environ 4 000 militaires"
    assert ask(real_store, in_article(A004, f"<{ID}katiba-du-gourma> sk:memberOf <{ID}jnim> ."))
    assert ask(real_store, in_article(A004, """
        ?l a sk:OperationLaunch ; sk:hasTime [ sk:isoDate "2014-08-01" ; sk:dateBasis sk:BasisStated ] ."""))
    assert ask(real_store, in_article(A004, f"""
        ?o a sk:TroopStrength ; sk:observedEntity <{ID}operation-barkhane> ;
           sk:hasCount [ sk:bestValue 4000 ; sk:isApproximate true ] ."""))


# --- what the articles say beyond plain facts (issue 21) ------------------------------------------

def test_000_dates_from_the_annotators_knowledge_and_an_open_period(real_store):
    # No publication date is printed: 2020 comes from the annotator's knowledge of the Pau summit, and so does the
    # year of "since January, the numbers of Operation Barkhane have increased" (an open period: no end)
    rows = select(real_store, "SELECT ?pub ?iso ?begin ?end WHERE { " + in_article(A000, f"""
        <{ID}article/{A000}> sk:publishedOn/sk:dateBasis ?pub .
        <{ID}{A000}/e9> sk:hasTime ?t . ?t sk:isoDate ?iso ; sk:beginDate ?begin ; sk:dateBasis sk:BasisKnowledge .
        OPTIONAL {{ ?t sk:endDate ?end }}""") + " }")
    assert rows == [{"pub": SK + "BasisKnowledge", "iso": "2020-01/..", "begin": "2020-01-01T00:00:00"}]


def test_001_times_of_day_a_date_conflict_and_one_date_for_one_sentence(real_store):
    # "Posted on Sep 24, 2021 at 4:23 pm" / "the Elysee announced in the evening": both kept, flagged as in conflict
    assert ask(real_store, in_article(A001, f"""
        <{ID}article/{A001}> sk:publishedOn ?pub . ?pub sk:timeOfDay "16:23" .
        <{ID}{A001}/e9> sk:hasTime ?t . ?t sk:timeOfDay "evening" ; sk:conflictsWith ?pub ."""))
    # "On January 2, two soldiers ... were killed in their light armored car (LAV) by an “improvised explosive
    # device”": the attack and the deaths share one time node
    assert ask(real_store, in_article(A001, f"<{ID}{A001}/e15> sk:hasTime <{ID}{A001}/e14/time> ."))
    # "wants to sign a contract with ... Wagner": intended, not an agreement
    assert ask(real_store, in_article(A001, f"<{ID}{A001}/e13> sk:modality sk:Intended ."))
    # "Very badly injured, Master Corporal Maxime Blasco quickly succumbed to his injuries, ”said the army press
    # release": a second account of the death the Elysee announced
    assert ask(real_store, f"<{ID}{A001}/e19> sk:sameEventAs <{ID}{A001}/e1> . <{ID}{A001}/e1> sk:sameEventAs <{ID}{A001}/e19> .")


def test_002_a_strike_30_km_north_of_gossi_is_not_at_gossi_and_a_move_only_considered(real_store):
    # "He was neutralized by a drone strike while riding a motorcycle 30 kilometers north of Gossi"
    rows = select(real_store, "SELECT ?where ?ref WHERE { " + in_article(A002, f"""
        <{ID}{A002}/e3> sk:hasRelativeLocation/sk:referencePlace ?ref .
        OPTIONAL {{ <{ID}{A002}/e3> sk:occurredAt ?where }}""") + " }")
    assert rows == [{"ref": ID + "gossi"}]
    # "Paris is considering a gradual move of French Barkhane forces to Niger"
    assert ask(real_store, in_article(A002, f"""
        <{ID}{A002}/e11> a sk:Redeployment ; sk:modality sk:Considered ; sk:occurredAt <{ID}niger> .
        <{ID}{A002}/e8> sk:about <{ID}{A002}/e11> ."""))


def test_003_a_day_without_a_year_a_season_and_a_series_of_attacks(real_store):
    # "on April 25 the UN established MINUSMA": no year is printed
    rows = select(real_store, "SELECT ?md ?doy ?begin WHERE { " + in_article(A003, f"""
        <{ID}{A003}/e12> sk:hasTime ?t . ?t sk:monthDay ?md ; sk:dayOfYear ?doy .
        OPTIONAL {{ ?t sk:beginDate ?begin }}""") + " }")
    assert rows == [{"md": "--04-25", "doy": "116"}]
    # "President Barack Obama announced this past summer": the summer of 2014
    rows = select(real_store, "SELECT ?iso ?begin ?end WHERE { " + in_article(A003, f"""
        <{ID}{A003}/e11> sk:hasTime ?t . ?t sk:isoDate ?iso ; sk:datePrecision sk:PrecisionSeason ;
            sk:beginDate ?begin ; sk:endDate ?end .""") + " }")
    assert rows == [{"iso": "2014-22", "begin": "2014-06-01T00:00:00", "end": "2014-08-31T00:00:00"}]
    # "Diop's call comes on the heels of a series of lethal attacks, which led to ten MINUSMA fatalities in the month
    # of October"
    assert ask(real_store, in_article(A003, f"""
        <{ID}{A003}/e24> a sk:EventSeries ; sk:hasTarget <{ID}minusma> ; sk:hasCount/sk:bestValue 10 .
        <{ID}{A003}/e13> sk:after <{ID}{A003}/e24> ."""))
    # Le Drian "does not rule out an intervention in Libya"
    assert ask(real_store, in_article(A003, f"<{ID}{A003}/c14> sk:claimAbout ?e . ?e sk:modality sk:Hypothetical ."))


def test_004_the_leader_is_a_hedged_victim(real_store):
    # "il apparaît très probable que figure, parmi les terroristes neutralisés, le chef de la katiba du Gourma"
    rows = select(real_store, "SELECT ?role ?certainty WHERE { " + in_article(A004, f"""
        <{ID}{A004}/e8> sk:hasVictim <{ID}almansour-ag-alkassam> ; sk:hasParticipantStatement ?st .
        ?st sk:participantAgent <{ID}almansour-ag-alkassam> ; sk:participantRole ?role ; sk:certainty ?certainty .""")
        + " }")
    assert rows == [{"role": SK + "hasVictim", "certainty": SK + "CertaintyVeryProbable"}]
