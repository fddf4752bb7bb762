"""Establishments above care teams, and the patient's national health identifier (INS)."""

import datetime as dt
import logging

import pytest
from django.core.exceptions import ValidationError

from config.observability import RedactingFilter
from patients.errors import DomainError
from patients.identifiers import (
    finess_normalized,
    finess_with_key,
    ins_display,
    ins_key,
    ins_normalized,
    ins_redact,
    ins_with_key,
)
from patients.models import CareTeam, Establishment, Patient
from patients.services import care_team_create, establishment_create, patient_identity_set
from tests import factories as f

# --- INS: format, key, Corsica, normalisation ---------------------------------------------------


def test_ins_key_is_97_minus_the_number_mod_97():
    # 1 89 12 75 125 012: 1891275125012 mod 97 = 15, so the key is 82.
    assert ins_key("1891275125012") == 82
    assert ins_normalized("1 89 12 75 125 012 82") == "189127512501282"


def test_corsican_ins_reads_2a_as_19_and_2b_as_18():
    assert ins_key("285052A004012") == 97 - 2850519004012 % 97
    assert ins_key("285052B004012") == 97 - 2850518004012 % 97
    assert ins_key("285052A004012") != ins_key("285052B004012")
    corsican = ins_with_key("285052a004012")
    assert corsican.startswith("285052A004012")
    assert ins_normalized(corsican.lower()) == corsican


@pytest.mark.parametrize(
    "value",
    [
        "189127512501283",  # wrong key
        "18912751250128",  # too short
        "1891275125012820",  # too long
        "589127512501282",  # sex digit 5
        "189137512501282",  # month 13
        "285052C00401220",  # department 2C
        "28505AA00401220",
    ],
)
def test_a_malformed_or_wrongly_keyed_ins_is_refused_without_echoing_it(value):
    with pytest.raises(ValidationError) as caught:
        ins_normalized(value)
    assert value not in " ".join(caught.value.messages)


def test_ins_display_groups_it_as_on_a_card():
    assert ins_display("189127512501282") == "1 89 12 75 125 012 82"


def test_finess_has_a_luhn_check_digit():
    assert finess_normalized("13 099 001 3") == "130990013" == finess_with_key("13099001")
    with pytest.raises(ValidationError):
        finess_normalized("130990014")
    with pytest.raises(ValidationError):
        finess_normalized("1309900")
    assert finess_normalized("2A0000123") == "2A0000123"  # Corsica: format only


# --- Establishments ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_care_team_created_without_an_establishment_joins_the_default_one():
    team = CareTeam.objects.create(name="legacy")
    assert team.establishment.code == Establishment.DEFAULT_CODE
    again = care_team_create(name="legacy-2")
    assert again.establishment_id == team.establishment_id


@pytest.mark.django_db
def test_establishment_create_checks_the_finess_and_teams_belong_to_one():
    with pytest.raises(DomainError):
        establishment_create(code="bad", name="Bad", finess="130990014")
    assert not Establishment.objects.filter(code="bad").exists()
    chv = establishment_create(code="chv", name="CH Valmont", finess="13 0990013")
    assert chv.finess == "130990013"
    team = care_team_create(name="sector-1", establishment=chv)
    assert list(chv.care_teams.all()) == [team]
    other = establishment_create(code="chsl", name="CHS Les Lauriers", finess=finess_with_key("13099002"))
    moved = care_team_create(name="sector-1", establishment=other)
    assert moved.pk == team.pk and moved.establishment_id == other.pk


@pytest.mark.django_db
def test_two_establishments_cannot_share_a_finess():
    from django.db import IntegrityError, transaction

    establishment_create(code="a", name="A", finess="130990013")
    with pytest.raises(IntegrityError), transaction.atomic():
        Establishment.objects.create(code="b", name="B", finess="130990013")
    # Blank FINESS numbers (not known yet) do not collide.
    Establishment.objects.create(code="c", name="C")
    Establishment.objects.create(code="d", name="D")


# --- The patient's INS -------------------------------------------------------------------------


@pytest.mark.django_db
def test_ins_is_stored_normalised_and_found_by_exact_match_only():
    patient = f.PatientFactory(birth_year=1989)
    changed = patient_identity_set(patient=patient, ins="1 89 12 75 125 012 82", birth_date=dt.date(1989, 12, 3))
    assert changed == ["ins", "birth_date"]
    patient.refresh_from_db()
    assert patient.ins == "189127512501282"
    assert patient.birth_date == dt.date(1989, 12, 3)
    assert list(Patient.objects.filter(ins="189127512501282")) == [patient]
    assert patient_identity_set(patient=patient, ins="189127512501282") == []


@pytest.mark.django_db
def test_an_ins_belongs_to_one_patient_and_a_bad_one_changes_nothing():
    first, second = f.PatientFactory(), f.PatientFactory()
    patient_identity_set(patient=first, ins="189127512501282")
    with pytest.raises(DomainError) as caught:
        patient_identity_set(patient=second, ins="189127512501282")
    assert "189127512501282" not in str(caught.value)
    with pytest.raises(DomainError):
        patient_identity_set(patient=second, ins="189127512501283")
    second.refresh_from_db()
    assert second.ins == ""


@pytest.mark.django_db
def test_the_date_of_birth_sets_the_birth_year_and_cannot_be_in_the_future():
    patient = f.PatientFactory(birth_year=1985)
    assert patient_identity_set(patient=patient, birth_date=dt.date(1986, 2, 1)) == ["birth_date", "birth_year"]
    patient.refresh_from_db()
    assert patient.birth_year == 1986
    with pytest.raises(DomainError):
        patient_identity_set(patient=patient, birth_date=dt.date.today() + dt.timedelta(days=2))


# --- Never in logs -----------------------------------------------------------------------------


def test_ins_redact_masks_spaced_and_plain_ins():
    text = "looked up 1 89 12 75 125 012 82 then 285052A00401220 (phone +33612345678)"
    assert ins_redact(text) == "looked up [INS] then [INS] (phone +33612345678)"


def test_the_log_filter_masks_an_ins_in_the_message_its_arguments_and_extras():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "search %s failed", ("189127512501282",), None)
    record.query = "ins=2 85 05 2A 004 012 20"
    RedactingFilter().filter(record)
    assert record.getMessage() == "search [INS] failed"
    assert record.query == "ins=[INS]"


@pytest.mark.django_db
def test_admin_search_finds_a_patient_by_exact_ins_and_logs_no_ins(admin_client, caplog):
    patient = f.PatientFactory(code="P-INS")
    other = f.PatientFactory(code="P-OTHER")
    patient_identity_set(patient=patient, ins="189127512501282")
    with caplog.at_level(logging.DEBUG):
        found = admin_client.get("/admin/patients/patient/", {"q": "1 89 12 75 125 012 82"})
        partial = admin_client.get("/admin/patients/patient/", {"q": "1891275"})
    assert found.status_code == 200
    assert "P-INS" in found.content.decode() and other.code not in found.content.decode()
    assert "P-INS" not in partial.content.decode()
    everything = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "189127512501282" not in everything
