"""demo_setup's territory: three establishments with valid FINESS numbers, and a valid,
unique fiction INS with a date of birth for every demo patient (kept on a re-run)."""

import pytest

from demo.management.commands.demo_setup import DEMO_ESTABLISHMENTS, Command
from patients.identifiers import finess_normalized, ins_normalized
from tests import factories as f


def test_the_demo_establishments_have_valid_distinct_finess_numbers():
    numbers = [finess for _code, _name, finess in DEMO_ESTABLISHMENTS]
    assert [finess_normalized(n) for n in numbers] == numbers
    assert len(set(numbers)) == 3


@pytest.mark.django_db
def test_every_demo_patient_gets_a_valid_unique_ins_matching_its_birth():
    team = f.CareTeamFactory()
    patients = [f.PatientFactory(care_team=team, birth_year=1970 + n, sex="FM"[n % 2]) for n in range(9)]

    Command()._demo_identities(team)
    first = {}
    for patient in patients:
        patient.refresh_from_db()
        assert ins_normalized(patient.ins) == patient.ins
        assert patient.birth_date is not None and patient.birth_date.year == patient.birth_year
        assert patient.ins[1:5] == f"{patient.birth_year % 100:02d}{patient.birth_date.month:02d}"
        assert patient.ins[0] == ("2" if patient.sex == "F" else "1")
        first[patient.pk] = patient.ins
    assert len(set(first.values())) == len(patients)
    assert any(p.ins[5:7] in ("2A", "2B") for p in patients)  # Corsican numbers among them

    Command()._demo_identities(team)
    for patient in patients:
        patient.refresh_from_db()
        assert patient.ins == first[patient.pk]


@pytest.mark.django_db
def test_the_demo_emergency_clinician_has_the_role_an_establishment_and_no_team():
    from patients.services import emergency_clinician_create

    where = f.EstablishmentFactory()
    team = f.CareTeamFactory()
    user, _password = emergency_clinician_create(username="urgences", establishment=where, password="pw-2026-xyz")
    team.members.add(user)
    again, _password = emergency_clinician_create(username="urgences", establishment=where, password="pw-2026-xyz")
    assert again.pk == user.pk and again.role == "emergency" and again.establishment_id == where.pk
    assert list(again.care_teams.all()) == []
    assert again.check_password("pw-2026-xyz")
