"""patients.formatting and its template filters: absolute times in the care team's zone,
dates day/month/year in English (en-GB) and in French."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from patients.context_processors import time_zone
from patients.formatting import format_date, format_datetime, format_time, team_timezone, zone_name
from tests.factories import CareTeamFactory, ClinicianFactory, PatientFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SUMMER = dt.datetime(2026, 8, 10, 12, 5, tzinfo=dt.UTC)  # 14:05 CEST
WINTER = dt.datetime(2026, 1, 10, 12, 5, tzinfo=dt.UTC)  # 13:05 CET


@pytest.mark.parametrize("language", ["en", "fr"])
def test_datetime_is_day_month_year_24h_with_the_zone_in_both_languages(language):
    with translation.override(language):
        assert format_datetime(SUMMER, PARIS) == "10/08/2026 14:05 CEST"
        assert format_datetime(SUMMER, "Europe/Paris", with_zone=False) == "10/08/2026 14:05"
        assert format_date(dt.date(2026, 8, 10)) == "10/08/2026"
        assert format_time(SUMMER, PARIS) == "14:05"
        assert format_time(SUMMER, PARIS, with_zone=True) == "14:05 CEST"


def test_english_dates_are_british_not_us():
    with translation.override("en"):
        assert format_date(dt.date(2026, 3, 4)) == "04/03/2026"  # 4 March, not April 3rd
        assert format_datetime(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), "UTC") == "31/12/2026 23:30 UTC"


def test_the_zone_abbreviation_follows_daylight_saving():
    # Paris leaves summer time on 25 October 2026 at 03:00 CEST (01:00 UTC).
    before = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    after = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    with translation.override("en"):
        assert format_datetime(before, PARIS) == "25/10/2026 02:30 CEST"
        assert format_datetime(after, PARIS) == "25/10/2026 02:30 CET"
    assert (zone_name(SUMMER, PARIS), zone_name(WINTER, PARIS)) == ("CEST", "CET")
    assert format_datetime(WINTER, "America/New_York") == "10/01/2026 07:05 EST"


def test_a_datetime_as_a_date_is_the_day_in_the_zone():
    late = dt.datetime(2026, 8, 10, 22, 30, tzinfo=dt.UTC)  # already the 11th in Paris
    assert format_date(late, PARIS) == "11/08/2026"
    assert format_date(late, "UTC") == "10/08/2026"
    naive = dt.datetime(2026, 8, 10, 22, 30)  # naive means UTC, as Django stores
    assert format_datetime(naive, PARIS) == "11/08/2026 00:30 CEST"


@pytest.mark.django_db
def test_team_timezone_of_a_team_a_patient_and_a_clinician():
    team = CareTeamFactory(timezone="America/Montreal")
    patient = PatientFactory(care_team=team, timezone="Europe/Paris")
    assert team_timezone(team) == zoneinfo.ZoneInfo("America/Montreal")
    assert team_timezone(patient) == zoneinfo.ZoneInfo("America/Montreal")  # the team's, not the patient's
    nurse = ClinicianFactory(teams=[team])
    assert team_timezone(nurse) == zoneinfo.ZoneInfo("America/Montreal")
    assert team_timezone(ClinicianFactory(teams=[])) == PARIS
    assert team_timezone(None) == PARIS


@pytest.mark.django_db
def test_the_context_processor_gives_the_readers_team_zone():
    from django.contrib.auth.models import AnonymousUser

    team = CareTeamFactory(timezone="Asia/Tokyo")
    request = RequestFactory().get("/")
    request.user = ClinicianFactory(teams=[team])
    assert str(time_zone(request)["reader_time_zone"]) == "Asia/Tokyo"
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert str(time_zone(request)["reader_time_zone"]) == "Europe/Paris"


def test_template_filters():
    template = Template(
        "{% load formatting %}{{ when|local_datetime:zone }}|{{ when|local_datetime_no_zone:zone }}|"
        "{{ when|local_time:zone }}|{{ day|local_date }}|{{ when|local_date:zone }}|{{ none|local_datetime:zone }}"
    )
    context = Context({"when": SUMMER, "zone": "Europe/Paris", "day": dt.date(2026, 3, 4), "none": None})
    for language in ("en", "fr"):
        with translation.override(language):
            assert template.render(context) == "10/08/2026 14:05 CEST|10/08/2026 14:05|14:05|04/03/2026|10/08/2026|"


def test_french_keeps_its_own_long_formats():
    from django.utils import formats

    with translation.override("fr"):
        assert formats.date_format(dt.date(2026, 8, 10)) == "10 août 2026"
    with translation.override("en"):
        assert formats.date_format(dt.date(2026, 8, 10)) == "10 Aug 2026"  # en-GB's DATE_FORMAT, "j M Y"
