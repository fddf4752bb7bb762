"""The one phone rule (patients/phones.py, libphonenumber): typed freely, read as French when no
country code is given, stored as E.164 beside what was typed, shown in the national format,
dialled as E.164; short numbers (3114, 15) kept as their digits for a team's line only."""

import pytest
from django.core.exceptions import ValidationError

from patients.models import phone_normalized
from patients.phones import TextPart, phone_e164, phone_national, phones_in_text
from patients.services import patient_contact_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "e164", "national"),
    [
        ("06 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("+33 6 12-34.56 78", "+33612345678", "06 12 34 56 78"),
        ("0033 1 45 65 00 00", "+33145650000", "01 45 65 00 00"),
        ("(0)1 45 65 00 00", "+33145650000", "01 45 65 00 00"),
        ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),  # foreign: international form
        ("3114", "3114", "3114"),
        ("15", "15", "15"),
        ("", "", ""),
    ],
)
def test_a_typed_number_is_stored_as_e164_and_shown_nationally(typed, e164, national):
    assert phone_e164(typed) == e164
    assert phone_national(e164) == national


@pytest.mark.parametrize("typed", ["call me", "06 12", "0800<script>", "12", "+33 6 12 34 56 78 9"])
def test_what_is_not_a_dialable_number_is_refused(typed):
    with pytest.raises(ValidationError):
        phone_e164(typed)


def test_a_persons_phone_must_be_a_full_number():
    assert phone_normalized("06 12 34 56 78") == "+33612345678"
    with pytest.raises(ValidationError):
        phone_normalized("3114")


def test_a_patients_phone_typed_nationally_is_stored_as_e164(patient):
    assert patient_contact_update(patient=patient, phone="06 12 34 56 78") == ["phone"]
    patient.refresh_from_db()
    assert patient.phone == "+33612345678"


def test_the_care_teams_numbers_get_their_e164_form_beside_what_was_typed(team):
    team.phone, team.out_of_hours_phone = "01 45 65 00 00", "15"
    team.full_clean()
    team.save()
    team.refresh_from_db()
    assert (team.phone, team.phone_e164) == ("01 45 65 00 00", "+33145650000")
    assert (team.out_of_hours_phone, team.out_of_hours_phone_e164) == ("15", "15")


def test_numbers_in_a_free_text_are_cut_out_to_be_dialled():
    text = "Anne 06 12 34 56 78 or 3114; 15 minutes of walking"
    assert phones_in_text(text) == [
        TextPart("Anne "),
        TextPart("06 12 34 56 78", "+33612345678"),
        TextPart(" or "),
        TextPart("3114", "3114"),
        TextPart("; 15 minutes of walking"),  # 2-digit short numbers are not guessed in prose
    ]
