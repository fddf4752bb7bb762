"""Search over the patients' free text (GET /api/v1/search/): care-team scoping, the audit of
every search, French and English stemming and accents, phrases and prefixes, and on
PostgreSQL the trigram fallback for misspelt words. Runs on whichever database the
environment names (SQLite FTS5 by default, PostgreSQL with DATABASE_URL)."""

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.services import alert_note_add, alert_resolve
from patients.models import AuditEvent, CrisisPlan, PatientStatus
from patients.services import patient_care_team_move
from records import search as search_module
from records.search import Marks, fts5_expression, marked_html, parse_query
from records.search_index import sqlite_search_index_ensure
from records.serializers import SearchHitSerializer, search_hits_data
from tests.conftest import auth_client
from tests.factories import (
    AlertFactory,
    CareTeamFactory,
    CheckInFactory,
    ClinicalEventFactory,
    ClinicianFactory,
    ConsentedPatientFactory,
)

URL = "/api/v1/search/"
POSTGRES = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_trgm is PostgreSQL's")


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    team, other_team = CareTeamFactory(), CareTeamFactory()
    nurse = ClinicianFactory(role="nurse", teams=[team])
    outsider = ClinicianFactory(role="nurse", teams=[other_team])
    mine = ConsentedPatientFactory(care_team=team, code="P-MINE")
    also_mine = ConsentedPatientFactory(care_team=team, code="P-ALSO")
    theirs = ConsentedPatientFactory(care_team=other_team, code="P-THEIRS")
    now = timezone.now()
    CheckInFactory(
        patient=mine,
        recorded_at=now - dt.timedelta(days=3),
        note="Sortie d'hospitalisation la semaine dernière, je dors mal.",
    )
    CheckInFactory(patient=also_mine, recorded_at=now - dt.timedelta(days=1), note="Started olanzapine, feel slow.")
    CheckInFactory(patient=theirs, recorded_at=now - dt.timedelta(days=1), note="Hospitalisation prévue lundi.")
    return {"team": team, "nurse": nurse, "outsider": outsider, "mine": mine, "also": also_mine, "theirs": theirs}


def search(user: Any, **params: str) -> Any:
    return auth_client(user).get(URL, params)


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [hit["patient_code"] for hit in response.json()["results"]]


# --- scoping and audit ----------------------------------------------------------------------------


def test_another_teams_patient_is_never_returned(world: dict[str, Any]) -> None:
    response = search(world["nurse"], q="hospitalisation")
    assert codes(response) == ["P-MINE"]
    assert response.json()["count"] == 1
    assert codes(search(world["outsider"], q="hospitalisation")) == ["P-THEIRS"]


def test_patient_filter_of_another_team_is_404_and_audited_as_denied(world: dict[str, Any]) -> None:
    response = search(world["nurse"], q="hospitalisation", patient=str(world["theirs"].pk))
    assert response.status_code == 404
    assert "hospitalisation" not in response.content.decode().lower()
    denied = AuditEvent.objects.filter(actor_id=world["nurse"].pk, action="denied", resource="search")
    assert list(denied.values_list("patient_id", flat=True)) == [world["theirs"].pk]


def test_patient_filter_keeps_one_patient(world: dict[str, Any]) -> None:
    ClinicalEventFactory(patient=world["also"], note="Hospitalisation de trois semaines.")
    assert sorted(codes(search(world["nurse"], q="hospitalisation"))) == ["P-ALSO", "P-MINE"]
    assert codes(search(world["nurse"], q="hospitalisation", patient=str(world["also"].pk))) == ["P-ALSO"]


def test_every_search_is_audited_with_its_query_and_the_patients_returned(world: dict[str, Any]) -> None:
    search(world["nurse"], q="hospitalisation")
    rows = AuditEvent.objects.filter(actor_id=world["nurse"].pk, resource="search", action="read")
    assert [(r.patient_id, r.detail["q"], r.detail["count"]) for r in rows] == [
        (world["mine"].pk, "hospitalisation", 1)
    ]
    # A search that finds nothing is on record too (one row without a patient).
    search(world["nurse"], q="zzzzqqq")
    empty = AuditEvent.objects.filter(actor_id=world["nurse"].pk, resource="search", detail__q="zzzzqqq")
    assert [(r.patient_id, r.detail["count"]) for r in empty] == [(None, 0)]


def test_a_search_returning_several_patients_leaves_one_audit_row_each(world: dict[str, Any]) -> None:
    response = search(world["nurse"], q="olanzapine or hospitalisation")
    assert sorted(codes(response)) == ["P-ALSO", "P-MINE"]
    rows = AuditEvent.objects.filter(actor_id=world["nurse"].pk, resource="search", action="read").order_by("pk")
    assert [r.patient_id for r in rows] == [world["also"].pk, world["mine"].pk]
    assert {(r.detail["q"], r.detail["count"], r.actor_username, r.path) for r in rows} == {
        ("olanzapine or hospitalisation", 2, world["nurse"].username, URL)
    }


def test_a_patient_moved_to_another_team_is_searched_by_the_new_team_only(world: dict[str, Any]) -> None:
    # On PostgreSQL the index holds each note's team (search_team): the move rewrites it.
    event = ClinicalEventFactory(patient=world["mine"], note="Hospitalisation à Esquirol.")
    alert = AlertFactory(patient=world["mine"])
    alert_note_add(alert=alert, user=world["nurse"], kind="note", text="Rappel Esquirol demain.")
    assert patient_care_team_move(patient=world["mine"], team=world["theirs"].care_team)
    assert codes(search(world["nurse"], q="esquirol")) == []
    found = search(world["outsider"], q="esquirol").json()["results"]
    assert sorted((h["patient_code"], h["kind"]) for h in found) == [
        ("P-MINE", "alert_note"),
        ("P-MINE", "clinical_event"),
    ]
    assert str(event.pk) in {h["id"] for h in found}
    assert set(codes(search(world["outsider"], q="hospitalisation"))) == {"P-MINE", "P-THEIRS"}


def test_an_erased_patient_of_the_team_is_never_returned(world: dict[str, Any]) -> None:
    # The record the team made (clinical events) outlives erasure; search leaves it out.
    ClinicalEventFactory(patient=world["also"], note="Hospitalisation de nuit.")
    world["also"].status = PatientStatus.ERASED
    world["also"].save(update_fields=["status"])
    assert codes(search(world["nurse"], q="hospitalisation")) == ["P-MINE"]


def test_refusals(world: dict[str, Any], db: Any) -> None:
    patient_user = world["mine"].user
    assert patient_user is not None
    assert search(patient_user, q="hospitalisation").status_code == 403
    assert search(world["nurse"]).status_code == 400
    assert search(world["nurse"], q="-hospitalisation").status_code == 400
    assert search(world["nurse"], q="x", **{"from": "2026-02-30"}).status_code == 400
    assert search(world["nurse"], q="x", kind="diary").status_code == 400
    assert search(world["nurse"], q="x", **{"from": "2026-05-02", "to": "2026-05-01"}).status_code == 400


# --- language ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "hospitalisée",  # French stemming: hospitalisée -> hospitalis
        "hospitalisations",
        "HOSPITALISATION",
        "hospitalised",  # English stemming: hospitalised -> hospitalis, as hospitalisation
        "derniere",  # accents ignored: "dernière"
        "semaine derniere",
    ],
)
def test_french_and_english_stemming_and_accents(world: dict[str, Any], query: str) -> None:
    assert codes(search(world["nurse"], q=query)) == ["P-MINE"]


def test_english_stemming(world: dict[str, Any]) -> None:
    CheckInFactory(
        patient=world["also"],
        recorded_at=timezone.now() - dt.timedelta(hours=5),
        note="Panic attacks while travelling to work.",
    )
    assert codes(search(world["nurse"], q="attack travel")) == ["P-ALSO"]
    assert codes(search(world["nurse"], q="travelled")) == ["P-ALSO"]
    # The English stemmer reads -ize and -ise apart: "hospitalized" stems to "hospit", not
    # "hospitalis". PostgreSQL's full text misses "hospitalisation" and its trigram fallback
    # finds it (a similar spelling); SQLite's stem prefix hospit* finds it (docs/search.md).
    hits = search(world["nurse"], q="hospitalized").json()["results"]
    expected = "similar" if connection.vendor == "postgresql" else "words"
    assert [(h["patient_code"], h["match"]) for h in hits] == [("P-MINE", expected)]


def test_phrase_and_prefix(world: dict[str, Any]) -> None:
    assert codes(search(world["nurse"], q='"semaine dernière"')) == ["P-MINE"]
    assert codes(search(world["nurse"], q='"dernière semaine"')) == []
    assert codes(search(world["nurse"], q="olanz*")) == ["P-ALSO"]
    assert codes(search(world["nurse"], q="hospitalisation -dors")) == []
    assert sorted(codes(search(world["nurse"], q="olanzapine or hospitalisation"))) == ["P-ALSO", "P-MINE"]


def test_every_kind_of_text_is_searched_with_its_link(world: dict[str, Any]) -> None:
    mine, nurse = world["mine"], world["nurse"]
    event = ClinicalEventFactory(patient=mine, note="Rechute après arrêt du lithium.")
    alert = AlertFactory(patient=mine)
    note = alert_note_add(alert=alert, user=nurse, kind="note", text="Lithium level asked from the GP.")
    alert_resolve(alert=alert, user=nurse, note="Lithium restarted by the psychiatrist.")
    CrisisPlan.objects.create(patient=mine, warning_signs="Stops the lithium", who_to_call="Sister", what_helped="")
    results = search(nurse, q="lithium").json()["results"]
    found = {hit["kind"]: hit for hit in results}
    assert sorted(found) == ["alert_note", "alert_resolution", "clinical_event", "crisis_plan"]
    assert found["clinical_event"]["id"] == str(event.pk)
    assert found["clinical_event"]["link"].endswith("#clinical-events")
    assert found["alert_note"]["id"] == str(note.pk) and found["alert_note"]["alert"] == str(alert.pk)
    assert found["alert_resolution"]["link"].endswith("#alert-history")
    assert all("<mark>" in hit["snippet"] and hit["patient"] == str(mine.pk) for hit in results)
    only = search(nurse, q="lithium", kind="crisis_plan").json()
    assert [hit["kind"] for hit in only["results"]] == ["crisis_plan"]
    assert only["count"] == 1


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_the_apis_hits_are_what_the_serializer_makes(world: dict[str, Any], zone: str) -> None:
    # The API builds its hits without DRF's per-field machinery (search_hits_data); the
    # serializer documents them (OpenAPI): the two must agree on every kind of text, with and
    # without a time, in whichever time zone is active.
    mine, nurse = world["mine"], world["nurse"]
    ClinicalEventFactory(patient=mine, note="Rechute après arrêt du lithium.")
    alert = AlertFactory(patient=mine)
    alert_note_add(alert=alert, user=nurse, kind="note", text="Lithium level asked from the GP.")
    alert_resolve(alert=alert, user=nurse, note="Lithium restarted by the psychiatrist.")
    CrisisPlan.objects.create(patient=mine, warning_signs="Stops the lithium", who_to_call="", what_helped="")
    CheckInFactory(patient=mine, recorded_at=timezone.now() - dt.timedelta(hours=2), note="Lithium oublié <b>hier</b>")
    with timezone.override(zone):
        page = search_module.notes_search(user=nurse, query="lithium")
        assert {hit.kind for hit in page.hits} == set(search_module.KINDS)
        assert any(hit.at is None for hit in page.hits) and any(hit.at is not None for hit in page.hits)
        expected = json.loads(json.dumps(SearchHitSerializer(page.hits, many=True).data))
        assert json.loads(json.dumps(search_hits_data(page.hits))) == expected
        assert [list(hit) for hit in search_hits_data(page.hits)] == [list(hit) for hit in expected]


def test_dates_and_pagination(world: dict[str, Any]) -> None:
    mine, nurse = world["mine"], world["nurse"]
    for days in (10, 20, 30):
        ClinicalEventFactory(
            patient=mine, kind="crisis_visit", date=timezone.localdate() - dt.timedelta(days=days), note="Insomnie."
        )
    day = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    assert len(codes(search(nurse, q="insomnie", **{"from": day, "to": day}))) == 1
    first = search(nurse, q="insomnie", limit="2").json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    rest = search(nurse, q="insomnie", limit="2", offset="2").json()
    assert len(rest["results"]) == 1
    assert {h["id"] for h in first["results"]}.isdisjoint({h["id"] for h in rest["results"]})


def test_snippets_are_escaped_but_for_mark(world: dict[str, Any]) -> None:
    CheckInFactory(
        patient=world["also"],
        recorded_at=timezone.now() - dt.timedelta(hours=3),
        note='<script>alert(1)</script> cauchemars <b>encore</b> \ue000x\ue001 "quoted"',
    )
    snippet = search(world["nurse"], q="cauchemars").json()["results"][0]["snippet"]
    # Escaped (SQLite's snippet) or left out (PostgreSQL's ts_headline drops tags): never markup.
    assert "<script>" not in snippet and "<b>" not in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1
    assert "<mark>cauchemars</mark>" in snippet


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite ranks every match")
def test_only_the_newest_matches_are_ranked_when_too_many_match(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "RANK_CAP", 2)
    now = timezone.now()
    for days in (30, 20, 10):
        CheckInFactory(patient=world["also"], recorded_at=now - dt.timedelta(days=days), note="Insomnie encore.")
    page = search(world["nurse"], q="insomnie", limit="1").json()
    assert (page["count"], page["ranked"], len(page["results"])) == (3, 2, 1)
    assert page["next"]
    rest = search(world["nurse"], q="insomnie", limit="1", offset="1").json()
    assert rest["next"] is None and len(rest["results"]) == 1
    days = {hit["date"] for hit in page["results"] + rest["results"]}
    assert days == {str(timezone.localdate(now - dt.timedelta(days=d))) for d in (10, 20)}
    assert search(world["nurse"], q="insomnie", offset="2").json()["results"] == []


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite ranks every match")
@pytest.mark.parametrize(
    ("language", "notice"),
    [("en", "Only the 2 most recent of them are ranked"), ("fr", "Seules les 2 plus récentes sont classées")],
)
def test_the_results_page_says_when_only_the_newest_are_ranked(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, language: str, notice: str
) -> None:
    monkeypatch.setattr(search_module, "RANK_CAP", 2)
    now = timezone.now()
    for days in (30, 20, 10):
        CheckInFactory(patient=world["also"], recorded_at=now - dt.timedelta(days=days), note="Insomnie encore.")
    client = Client()
    client.force_login(world["nurse"])
    page = client.get("/dashboard/search/", {"q": "insomnie"}, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    assert notice in page.content.decode()
    assert "ranked-note" not in client.get("/dashboard/search/", {"q": "dors"}).content.decode()


def test_every_match_is_ranked_below_the_cap(world: dict[str, Any]) -> None:
    page = search(world["nurse"], q="hospitalisation").json()
    assert (page["count"], page["ranked"]) == (1, 1)


@POSTGRES
def test_a_search_is_two_statements_and_the_fallback_four(world: dict[str, Any]) -> None:
    # The scope (the teams, their erased patients) and the tsquery in one statement, then the
    # page with its count, patients and snippets in one more; the fallback adds the
    # vocabulary and the second search (docs/search.md, "Performance (B9)").
    for days, note in ((5, "Hospitalisation de jour."), (9, "Fin d'hospitalisation.")):  # FEW (3): no fallback
        ClinicalEventFactory(patient=world["mine"], date=timezone.localdate() - dt.timedelta(days=days), note=note)
    ClinicalEventFactory(patient=world["also"], note="Hospitalisation de nuit.")
    world["also"].status = PatientStatus.ERASED
    world["also"].save(update_fields=["status"])
    nurse = world["nurse"]
    with CaptureQueriesContext(connection) as statements:
        page = search_module.notes_search(user=nurse, query="hospitalisation")
    assert [hit.patient_code for hit in page.hits] == ["P-MINE"] * 3 and len(statements) == 2
    with CaptureQueriesContext(connection) as statements:
        page = search_module.notes_search(user=nurse, query="hospitalisatoin", patient_id=world["mine"].pk)
    assert {(hit.patient_code, hit.match) for hit in page.hits} == {("P-MINE", "similar")}
    assert len(page.hits) == 3 and len(statements) == 4
    # Another team's patient, or one the clinician may not read, is nobody's to search.
    for patient in (world["theirs"], world["also"]):
        with CaptureQueriesContext(connection) as statements:
            page = search_module.notes_search(user=nurse, query="hospitalisation", patient_id=patient.pk)
        assert (page.total, page.hits, len(statements)) == (0, [], 1)


# --- the misspelt-word fallback (PostgreSQL) --------------------------------------------------------


@POSTGRES
def test_a_misspelt_drug_is_found_by_similarity(world: dict[str, Any]) -> None:
    response = search(world["nurse"], q="olanzepine")
    results = response.json()["results"]
    assert [(h["patient_code"], h["match"]) for h in results] == [("P-ALSO", "similar")]
    assert "<mark>olanzapine</mark>" in results[0]["snippet"]
    # Still within the teams: another team's note never comes back through the fallback.
    assert codes(search(world["nurse"], q="hospitalisatoin")) == ["P-MINE"]


@POSTGRES
def test_erasure_removes_the_words_only_the_erased_patient_wrote(world: dict[str, Any]) -> None:
    from records.services import patient_erase

    CheckInFactory(patient=world["also"], recorded_at=timezone.now() - dt.timedelta(hours=4), note="Chez Zorglub.")
    ClinicalEventFactory(patient=world["mine"], note="Started olanzapine again.")

    def vocabulary(*words: str) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT word FROM search_word WHERE word = ANY(%s) ORDER BY word", [list(words)])
            return [row[0] for row in cursor.fetchall()]

    assert vocabulary("zorglub", "olanzapine", "started") == ["olanzapine", "started", "zorglub"]
    removed = patient_erase(patient=world["also"])
    # Gone: what only their check-ins held; kept: what a kept record (an event) still holds.
    assert removed["search_words"] >= 1
    assert vocabulary("zorglub", "olanzapine", "started") == ["olanzapine", "started"]


@POSTGRES
def test_the_vocabulary_takes_the_words_of_new_and_edited_notes(world: dict[str, Any]) -> None:
    checkin = world["also"].checkins.get()
    assert codes(search(world["nurse"], q="quetiapinne")) == []
    checkin.note = "Passée à la quétiapine, vertiges."
    checkin.save(update_fields=["note"])
    hits = search(world["nurse"], q="quetiapinne").json()["results"]
    assert [(h["patient_code"], h["match"]) for h in hits] == [("P-ALSO", "similar")]
    assert "<mark>quétiapine</mark>" in hits[0]["snippet"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM search_word WHERE word IN ('quetiapine', 'vertiges', 'olanzapine')")
        assert sorted(row[0] for row in cursor.fetchall()) == ["olanzapine", "quetiapine", "vertiges"]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's index")
def test_sqlite_triggers_keep_the_index_in_step(world: dict[str, Any]) -> None:
    checkin = world["mine"].checkins.get()
    checkin.note = "Nouveau texte sans rapport."
    checkin.save(update_fields=["note"])
    assert codes(search(world["nurse"], q="hospitalisation")) == []
    assert codes(search(world["nurse"], q="rapport")) == ["P-MINE"]
    checkin.delete()
    assert codes(search(world["nurse"], q="rapport")) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'")
        assert cursor.fetchone()[0] == 15


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's index")
def test_a_lost_sqlite_trigger_is_put_back_and_its_index_rebuilt(world: dict[str, Any]) -> None:
    # As after a migration that rebuilds monitoring_checkin: its triggers are gone.
    with connection.cursor() as cursor:
        for suffix in ("ai", "ad", "au"):
            cursor.execute(f"DROP TRIGGER search_checkin_fts_{suffix}")
    CheckInFactory(patient=world["also"], recorded_at=timezone.now() - dt.timedelta(hours=2), note="Vertiges.")
    assert codes(search(world["nurse"], q="vertiges")) == []
    assert sqlite_search_index_ensure(connection=connection) == ["search_checkin_fts"]
    assert codes(search(world["nurse"], q="vertiges")) == ["P-ALSO"]
    assert sqlite_search_index_ensure(connection=connection) == []


# --- the query language (pure) ---------------------------------------------------------------------


def test_query_parsing() -> None:
    parsed = parse_query('"je veux" hospit* -nuit or lithium')
    assert parsed.websearch == '"je veux" or lithium -nuit'
    assert parsed.prefixes == "'hospit':*"
    assert parsed.similar_words == ["lithium"]
    assert fts5_expression(parse_query('"je veux" hospit* -nuits')) == (
        '(("je veux" AND "hospit"*)) NOT (("nuits" OR "nuit"*))'
    )
    # Only word characters reach FTS5 or to_tsquery: no operator or quote of theirs.
    assert parse_query("l'hôpital* ') | !").prefixes == "'l' & 'hôpital':*"
    marks = Marks(open="[[", close="]]")
    assert marked_html("a[[<b>]]]]c[[", marks) == "a<mark>&lt;b&gt;</mark>c<mark></mark>"
