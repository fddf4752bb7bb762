"""Wrist-actigraphy measures in the timeline and the FHIR export: a day's stored activity and
rhythm columns come out as the timeline's fields and as Observations."""

import datetime as dt

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from monitoring.models import DailySummary

pytestmark = pytest.mark.django_db


def test_activity_and_rhythm_columns_reach_the_timeline_and_fhir(nurse_client, patient):
    day = timezone.localdate(timezone=patient.tz) - dt.timedelta(days=1)
    DailySummary.objects.create(
        patient=patient,
        date=day,
        activity_mean=182.5,
        activity_zero_share=0.31,
        rhythm_is=0.62,
        rhythm_iv=0.81,
        rhythm_ra=0.9,
        rhythm_l5=12.25,
        rhythm_m10=301.0,
        rhythm_l5_onset=60.0,
        rhythm_m10_onset=540.0,
    )
    timeline = nurse_client.get(f"/api/v1/patients/{patient.pk}/timeline/?start={day}&end={day}").json()
    (entry,) = timeline["days"]
    assert (entry["activity_mean"], entry["activity_zero_share"]) == (182.5, 0.31)
    assert (entry["rhythm_is"], entry["rhythm_l5"], entry["rhythm_m10_onset"]) == (0.62, 12.25, 540.0)

    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/export/?format=fhir&start={day}&end={day}")
    assert response.status_code == 200
    bundle = Bundle.model_validate_json(response.content)
    values = {
        o.code.coding[0].code: (float(o.valueQuantity.value), o.valueQuantity.code)
        for o in (e.resource for e in bundle.entry)
        if o.__resource_type__ == "Observation" and o.code.coding[0].code.startswith(("activity-", "rhythm-"))
    }
    assert values == {
        "activity-mean": (182.5, "{counts}/min"),
        "activity-zero-share": (0.31, "1"),
        "rhythm-is": (0.62, "1"),
        "rhythm-iv": (0.81, "1"),
        "rhythm-ra": (0.9, "1"),
        "rhythm-l5": (12.25, "{counts}/min"),
        "rhythm-m10": (301.0, "{counts}/min"),
        "rhythm-l5-onset": (60.0, "min"),
        "rhythm-m10-onset": (540.0, "min"),
    }
