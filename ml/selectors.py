"""Reads of the ml app: daily summaries and labels as DataFrames, scorable patients, the
active model, scores."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

import pandas as pd
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from alerts.selectors import model_alerts_for
from monitoring.models import DailySummary
from monitoring.summaries import SUMMARY_COLUMNS
from patients.models import LABEL_EVENT_KINDS, ClinicalEvent, ConsentRecord, ConsentScope, Patient, PatientStatus

from .models import ModelDrift, ModelPerformance, ModelVersion, RiskScore


def patients_scorable(*, care_team_ids: Iterable[int] | None = None) -> QuerySet[Patient]:
    """Active patients whose `risk_scoring` consent is in force, judged now."""
    consented = ConsentRecord.objects.filter(
        patient=OuterRef("pk"), scope=ConsentScope.RISK_SCORING, withdrawn_at__isnull=True
    )
    qs = Patient.objects.filter(status=PatientStatus.ACTIVE).filter(Exists(consented))
    if care_team_ids is not None:
        qs = qs.filter(care_team_id__in=list(care_team_ids))
    return qs.order_by("pk")


def daily_summaries_frame(
    *, patient_ids: Iterable[UUID | str] | None = None, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """`patient` (str UUID), `date` and the DailySummary columns. On PostgreSQL the rows come
    through COPY (one round trip, no per-row Python objects), elsewhere through values_list."""
    ids = None if patient_ids is None else [UUID(str(p)) for p in patient_ids]
    if ids is not None and not ids:
        return pd.DataFrame(columns=["patient", "date", *SUMMARY_COLUMNS])
    if connection.vendor == "postgresql":
        return _summaries_copy(ids, start, end)
    qs = DailySummary.objects.all()
    if ids is not None:
        qs = qs.filter(patient_id__in=ids)
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    rows = list(qs.order_by("patient_id", "date").values_list("patient_id", "date", *SUMMARY_COLUMNS))
    frame = pd.DataFrame(rows, columns=["patient", "date", *SUMMARY_COLUMNS])
    return _normalise(frame)


def _summaries_copy(ids: list[UUID] | None, start: date | None, end: date | None) -> pd.DataFrame:
    from psycopg import sql

    # Times of day come out as hours after midnight: parsing text times costs more than the query.
    columns = sql.SQL(", ").join(
        sql.SQL("EXTRACT(EPOCH FROM {}) / 3600.0").format(sql.Identifier(c))
        if c in ("sleep_onset", "sleep_wake")
        else sql.Identifier(c)
        for c in SUMMARY_COLUMNS
    )
    where = [sql.SQL("TRUE")]
    params: list[object] = []
    if ids is not None:
        # One text literal cast to uuid[]: COPY cannot take server-side parameters, and
        # quoting a list of UUIDs element by element on the client costs more than the query.
        where.append(sql.SQL("patient_id = ANY(%s::uuid[])"))
        params.append("{" + ",".join(str(i) for i in ids) + "}")
    if start is not None:
        where.append(sql.SQL("date >= %s"))
        params.append(start)
    if end is not None:
        where.append(sql.SQL("date <= %s"))
        params.append(end)
    statement = sql.SQL(
        "COPY (SELECT patient_id, date, {columns} FROM {table} WHERE {where} ORDER BY patient_id, date) "
        "TO STDOUT WITH (FORMAT csv, HEADER false)"
    ).format(columns=columns, table=sql.Identifier(DailySummary._meta.db_table), where=sql.SQL(" AND ").join(where))
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(statement, params) as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame(columns=["patient", "date", *SUMMARY_COLUMNS])
    frame = pd.read_csv(
        buffer,
        header=None,
        names=["patient", "date", *SUMMARY_COLUMNS],
        dtype={"patient": str, "medication_taken": str},
    )
    frame["medication_taken"] = frame["medication_taken"].map({"t": 1.0, "f": 0.0})
    return _normalise(frame)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    frame["patient"] = frame["patient"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    if frame["medication_taken"].dtype == object:
        frame["medication_taken"] = frame["medication_taken"].map({True: 1.0, False: 0.0})
    for col in ("sleep_onset", "sleep_wake"):
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].astype("string").str.slice(0, 5)
    return frame


def patients_frame(*, patient_ids: Iterable[UUID | str] | None = None) -> pd.DataFrame:
    qs = Patient.objects.all()
    if patient_ids is not None:
        qs = qs.filter(pk__in=[UUID(str(p)) for p in patient_ids])
    rows = list(qs.values_list("pk", "code", "sex", "birth_year", "diagnosis", "care_team_id", "enrolled_on"))
    frame = pd.DataFrame(
        rows, columns=["patient", "code", "sex", "birth_year", "diagnosis", "care_team_id", "enrolled_on"]
    )
    frame["patient"] = frame["patient"].astype(str)
    return frame


def label_events_frame(*, patient_ids: Iterable[UUID | str] | None = None, until: date | None = None) -> pd.DataFrame:
    qs = ClinicalEvent.objects.filter(kind__in=LABEL_EVENT_KINDS)
    if patient_ids is not None:
        qs = qs.filter(patient_id__in=[UUID(str(p)) for p in patient_ids])
    if until is not None:
        qs = qs.filter(date__lte=until)
    frame = pd.DataFrame(list(qs.values_list("patient_id", "kind", "date")), columns=["patient", "kind", "date"])
    frame["patient"] = frame["patient"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def model_version_active() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.select_related(
        "trained_by", "activated_by", "compared_by", "previous_version"
    ).order_by("-created_at")


def model_version_get(*, version: str) -> ModelVersion | None:
    return (
        ModelVersion.objects.select_related("trained_by", "activated_by", "compared_by", "previous_version")
        .filter(version=version)
        .first()
    )


def risk_scores_export(*, start: date | None = None, end: date | None = None) -> QuerySet[RiskScore]:
    qs = RiskScore.objects.select_related("patient", "model_version")
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return qs.order_by("patient__code", "date", "model_version__created_at")


def monitoring_team_ids(*, user: Any) -> list[int] | None:
    """The care teams whose model figures a reader sees: all for admins (None), their own
    for psychiatrists."""
    if getattr(user, "role", "") == "admin":
        return None
    return sorted(user.care_teams.values_list("id", flat=True))


def monitoring_data(*, model_version: ModelVersion, user: Any, history_days: int = 90) -> dict[str, Any]:
    """What the model page and `GET /api/v1/models/{version}/monitoring/` show."""
    teams = monitoring_team_ids(user=user)
    perf = ModelPerformance.objects.filter(model_version=model_version).select_related("care_team")
    if teams is not None:
        perf = perf.filter(care_team_id__in=teams)
    rows = list(perf.order_by("care_team_id", "-day"))
    kept: dict[int, int] = {}
    performance = []
    for row in rows:
        kept[row.care_team_id] = kept.get(row.care_team_id, 0) + 1
        if kept[row.care_team_id] <= history_days:
            performance.append(
                {
                    "team": row.care_team.name,
                    "team_id": row.care_team_id,
                    "day": row.day.isoformat(),
                    "figures": row.figures,
                }
            )
    performance.sort(key=lambda r: (r["team_id"], r["day"]))
    drift = ModelDrift.objects.filter(model_version=model_version).order_by("-day").first()
    alerts = [
        {
            "id": str(a.pk),
            "team": a.care_team.name,
            "created_at": a.created_at.isoformat(),
            "status": a.status,
            "title": a.title,
            "detail": a.detail,
        }
        for a in model_alerts_for(user=user)[:50]
    ]
    return {
        "performance": performance,
        "drift": {"day": drift.day.isoformat(), "figures": drift.figures, "moved": drift.moved} if drift else None,
        "alerts": alerts,
    }
