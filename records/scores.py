"""The score of a patient-day: the one rule every page, API and export that shows a risk score
reads (the patient list, its sparklines, the charts, the timeline, CSV/FHIR exports).

Several model versions may score the same patient-day (a new version scored beside the old,
a backfill). The day's score is then **the active version's; failing that, the newest
version's (by its creation); failing that, the newest row**: `DAY_PREFERENCE`, in that order.
Each reader below applies it through `day_scores()` (a ranking per patient-day, one row each)
or `latest_day_score()`, never an ordering of its own."""

from collections import defaultdict
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from ml.models import ModelVersion, RiskScore

# Within one patient-day, the first row in this order is the day's score.
DAY_PREFERENCE = (
    F("model_version__is_active").desc(),
    F("model_version__created_at").desc(),
    F("pk").desc(),
)


def day_scores() -> QuerySet[RiskScore]:
    """Every patient-day's one score (one row per patient and date): filter it further by
    patient and dates (whole days: the filters apply before the ranking, so they must keep or
    drop a patient-day's rows together, as patient and date filters do)."""
    return (
        RiskScore.objects.order_by()
        .annotate(
            day_rank=Window(RowNumber(), partition_by=[F("patient_id"), F("date")], order_by=list(DAY_PREFERENCE))
        )
        .filter(day_rank=1)
    )


def latest_day_score(patient_ref: Any) -> QuerySet[RiskScore]:
    """The patient's latest day's score, as a one-row queryset to use in a Subquery
    (`patient_ref` is usually `OuterRef("pk")` of a Patient query): the newest date first,
    then `DAY_PREFERENCE` within it: the same row `day_scores()` keeps for that day."""
    return RiskScore.objects.filter(patient=patient_ref).order_by("-date", *DAY_PREFERENCE)[:1]


def scores_for_patient(*, patient_id: UUID, start: date, end: date) -> list[RiskScore]:
    """The patient's day scores from start to end, oldest first, with their model version."""
    return list(
        day_scores()
        .filter(patient_id=patient_id, date__range=(start, end))
        .select_related("model_version")
        .order_by("date")
    )


def score_sparklines(*, patient_ids: list[UUID], per_patient: int) -> dict[UUID, list[tuple[date, float]]]:
    """The last `per_patient` day scores of each patient, oldest first, in one query."""
    if not patient_ids:
        return {}
    rows = (
        day_scores()
        .filter(patient_id__in=patient_ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("patient_id")], order_by=[F("date").desc()]))
        .filter(rank__lte=per_patient)
        .values_list("patient_id", "date", "score")
    )
    series: dict[UUID, list[tuple[date, float]]] = defaultdict(list)
    for patient_id, day, score in rows:
        series[patient_id].append((day, score))
    return {pid: sorted(points) for pid, points in series.items()}


def active_model_threshold() -> float | None:
    """The operating threshold of the active model version, if one is active."""
    return ModelVersion.objects.filter(is_active=True).values_list("threshold", flat=True).first()
