"""The actogram of a patient's wrist actigraphy (the patient page): the stored minutes of the
last days of the range, one row per local day, binned into 10-minute means for drawing."""

from datetime import date, timedelta
from typing import Any

from monitoring.models import ActivityDay
from patients.models import Patient

ACTOGRAM_DAYS = 28
BIN_MINUTES = 10


def _bins(minutes: list[Any]) -> list[float | None]:
    """10-minute means of the recorded minutes; null where none of the 10 was recorded (a
    25-hour day has 150 bins, a 23-hour day 138)."""
    out: list[float | None] = []
    for i in range(0, len(minutes), BIN_MINUTES):
        given = [v for v in minutes[i : i + BIN_MINUTES] if v is not None]
        out.append(round(sum(given) / len(given), 1) if given else None)
    return out


def actogram_for_patient(*, patient: Patient, end: date, days: int = ACTOGRAM_DAYS) -> dict[str, Any]:
    """{"bin_minutes", "days": [{"date", "bins", "wear_minutes"}, ...]} for the `days` local days
    ending on `end` that have recorded minutes, oldest first. One query."""
    rows = (
        ActivityDay.objects.filter(patient=patient, date__range=(end - timedelta(days=days - 1), end))
        .order_by("date")
        .values_list("date", "minutes", "wear_minutes")
    )
    return {
        "bin_minutes": BIN_MINUTES,
        "days": [
            {"date": day.isoformat(), "bins": _bins(minutes), "wear_minutes": wear}
            for day, minutes, wear in rows
            if wear
        ],
    }
