"""Ingestion writes: check-ins, questionnaires, signal records, voice diaries; the daily
summary; erasure. Every path (API, import_cohort, the speech task) comes through here, so the
consent gate, idempotency and the summary update cannot be skipped.

Idempotency rests on the client-made UUID primary keys: rows go in with
`INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id`, and an id that did not go in is
compared with the stored row (same patient and content: duplicate; anything else: conflict).
No check-then-act: two identical uploads racing each other store one row."""

import hashlib
import json
import logging
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Avg, Count, Max, Sum
from django.utils import timezone

from patients.errors import ConsentRequired, IdempotencyConflict
from patients.models import ConsentScope, Patient, PatientStatus
from patients.services import consent_refused, consent_require, consent_withdraw

from . import summaries
from .models import (
    CheckIn,
    DailySummary,
    QuestionnaireResponse,
    RecordingStatus,
    SignalKind,
    SignalRecord,
    SpeechRecording,
)
from .questionnaires import SAFETY_ALERT, score
from .validation import (
    SIGNAL_VALUE_FIELDS,
    CheckInIn,
    Context,
    QuestionnaireIn,
    SignalIn,
    validate_signal,
)

logger = logging.getLogger(__name__)

STORED, DUPLICATE, CONFLICT = "stored", "duplicate", "conflict"
SCOPE_FOR_KIND = {
    "sleep": ConsentScope.SLEEP,
    "steps": ConsentScope.ACTIVITY,
    "mobility": ConsentScope.MOBILITY,
    "speech": ConsentScope.SPEECH,
    # Screen use is phone activity: it needs the activity consent (see docs/ingestion.md).
    "screen": ConsentScope.ACTIVITY,
}
MAX_BATCH = 1000

SIGNAL_COLUMNS = ("id", "patient", "kind", "start", "end", "day", *SIGNAL_VALUE_FIELDS, "received_at")
SIGNAL_CONTENT = ("kind", "start", "end", *SIGNAL_VALUE_FIELDS)
CHECKIN_COLUMNS = (
    "id",
    "patient",
    "recorded_at",
    "day",
    "mood",
    "anxiety",
    "energy",
    "irritability",
    "sleep_quality",
    "medication_taken",
    "note",
    "received_at",
)
CHECKIN_CONTENT = (
    "recorded_at",
    "mood",
    "anxiety",
    "energy",
    "irritability",
    "sleep_quality",
    "medication_taken",
    "note",
)
QUESTIONNAIRE_COLUMNS = (
    "id",
    "patient",
    "instrument",
    "answers",
    "total",
    "severity",
    "flags",
    "completed_at",
    "day",
    "received_at",
)
QUESTIONNAIRE_CONTENT = ("instrument", "answers", "completed_at")


def ingestion_context(*, patient: Patient, now: datetime | None = None) -> Context:
    return Context.build(timezone_name=patient.timezone, enrolled_on=patient.enrolled_on, now=now or timezone.now())


def _patient_lock(patient: Patient) -> None:
    """Serialise ingestion per patient until commit, so that a day's summary is recomputed
    from every row committed before it (two concurrent batches for the same day would each
    miss the other's rows otherwise). FOR NO KEY UPDATE does not block inserts elsewhere
    that reference the patient. SQLite serialises writers anyway."""
    list(Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).values_list("pk", flat=True))


# --- bulk insert with idempotency ---------------------------------------------------------------


_PG_TYPE_NAMES = {
    "timestamp with time zone": "timestamptz",
    "double precision": "float8",
    "integer": "int4",
    "smallint": "int2",
    "bigint": "int8",
    "boolean": "bool",
}


def _pg_type(f: Any) -> str:
    """The type name psycopg's binary COPY wants for a model field's column."""
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    declared = str(target.db_type(connection)).split("(")[0].strip()
    return _PG_TYPE_NAMES.get(declared, declared)


class _Inserter:
    """`INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id` for many rows at once, with the
    values adapted once per column (a plain multi-row statement is several times faster than
    the ORM's bulk_create for the 1,000-record batches, and says which ids went in)."""

    def __init__(
        self,
        model: type[models.Model],
        names: Sequence[str],
        *,
        upsert_on: Sequence[str] = (),
        update: Sequence[str] = (),
    ) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in names]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in self.fields)  # type: ignore[union-attr]
        # Only our own table and column names go into the text; every value is a parameter.
        self.head = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608  # nosec B608
        self.returning = not upsert_on
        if upsert_on:
            # An upsert: on the unique key, overwrite the `update` columns only.
            keys = [str(model._meta.get_field(name).column) for name in upsert_on]  # type: ignore[union-attr]
            targets = [str(model._meta.get_field(name).column) for name in update]  # type: ignore[union-attr]
            updates = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in targets)
            self.tail = f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {updates}"  # nosec B608
        else:
            pk = qn(str(model._meta.pk.column))  # type: ignore[union-attr]
            self.tail = f" ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}"
        self.row_sql = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.sqlite = connection.vendor == "sqlite"
        # SQLite allows 250,000 variables here (32,766 on older builds); PostgreSQL 65,535.
        self.rows_per_statement = max(1, (30_000 if self.sqlite else 60_000) // len(self.fields))
        self.adapters: list[Callable[[Any], Any] | None] = [self._adapter(f) for f in self.fields]
        self.pg_types = [_pg_type(f) for f in self.fields] if not self.sqlite else []
        self.pk_index = self.fields.index(model._meta.pk) if model._meta.pk in self.fields else 0  # type: ignore[arg-type]
        # PostgreSQL upserts (the daily summaries of a batch: ~20 rows of ~30 columns) go as
        # one typed array per column through unnest(): the statement has 30 parameters
        # whatever the rows, where a VALUES list has 600 for the driver to parse and quote.
        self.unnest_sql = ""
        if upsert_on and not self.sqlite and not any(isinstance(f, models.JSONField) for f in self.fields):
            arrays = ", ".join(f"%s::{t}[]" for t in self.pg_types)
            self.unnest_sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608  # nosec B608
            self.unnest_sql += self.tail

    def _adapter(self, f: Any) -> Callable[[Any], Any] | None:
        if isinstance(f, models.JSONField):
            return lambda value: f.get_db_prep_save(value, connection)
        if not self.sqlite:
            return None  # psycopg adapts UUID, aware datetime, date, numbers and bool itself
        if isinstance(f, models.UUIDField) or (
            isinstance(f, models.ForeignKey) and isinstance(f.target_field, models.UUIDField)
        ):
            return lambda value: value.hex
        if isinstance(f, models.DateTimeField):
            return lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(f, models.DateField | models.TimeField):
            return lambda value: value.isoformat()
        return None

    def insert(self, rows: Sequence[Sequence[Any]]) -> set[UUID]:
        if not self.sqlite and self.returning and len(rows) >= _COPY_FROM:
            return self._copy_insert(rows)
        if self.unnest_sql and rows:
            with connection.cursor() as cursor:
                cursor.execute(self.unnest_sql, [list(column) for column in zip(*rows, strict=True)])
            return set()
        inserted: set[UUID] = set()
        adapted = [(i, adapt) for i, adapt in enumerate(self.adapters) if adapt is not None]
        with connection.cursor() as cursor:
            for offset in range(0, len(rows), self.rows_per_statement):
                chunk = rows[offset : offset + self.rows_per_statement]
                params: list[Any] = []
                for row in chunk:
                    if adapted:
                        row = list(row)
                        for i, adapt in adapted:
                            if row[i] is not None:
                                row[i] = adapt(row[i])
                    params.extend(row)
                sql = self.head + ", ".join([self.row_sql] * len(chunk)) + self.tail
                cursor.execute(sql, params)
                if self.returning:
                    returned = [value for (value,) in cursor.fetchall()]
                    if self.sqlite:  # hex strings: match them to the rows' ids without parsing each
                        by_hex = {row[self.pk_index].hex: row[self.pk_index] for row in chunk}
                        inserted.update(by_hex[value] for value in returned)
                    else:
                        inserted.update(returned)
        return inserted

    def _copy_insert(self, rows: Sequence[Sequence[Any]]) -> set[UUID]:
        """PostgreSQL, many rows. A long multi-row VALUES statement spends most of its time
        having its placeholders parsed and its values quoted by the driver; COPY streams the
        values instead. New records (the usual case) are COPYed straight into the table in a
        savepoint; if any id is already there, the savepoint is rolled back and the rows go
        through a session temp table and `INSERT ... SELECT ... ON CONFLICT DO NOTHING`, which
        says which ids went in. A racing identical upload waits on the primary key and then
        takes the second path: it stores nothing twice."""
        import psycopg

        if not connection.in_atomic_block:
            raise RuntimeError("the COPY path runs inside the caller's transaction")
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        columns = ", ".join(qn(str(f.column)) for f in self.fields)  # type: ignore[union-attr]
        json_columns = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]
        if json_columns:
            rows = [[json.dumps(v) if i in json_columns else v for i, v in enumerate(row)] for row in rows]
        # Binary COPY (typed) is several times cheaper to produce than text; JSON goes as text.
        binary = not json_columns
        options = " (FORMAT BINARY)" if binary else ""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN{options}") as copy:
                    if binary:
                        copy.set_types(self.pg_types)
                    for row in rows:
                        copy.write_row(row)
            return {row[self.pk_index] for row in rows}
        except psycopg.errors.UniqueViolation:
            pass
        temp = qn(f"ingest_{self.model._meta.db_table}")
        pk = qn(str(self.model._meta.pk.column))  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            pg = cursor.cursor  # the psycopg cursor under Django's wrapper
            ready = _temp_tables.setdefault(connection.connection, set())
            if temp not in ready:
                pg.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                ready.add(temp)
            with pg.copy(f"COPY {temp} ({columns}) FROM STDIN{options}") as copy:
                if binary:
                    copy.set_types(self.pg_types)
                for row in rows:
                    copy.write_row(row)
            pg.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {temp} "  # noqa: S608  # nosec B608
                f"ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}"
            )
            inserted = {value for (value,) in pg.fetchall()}
            # The next insert of this transaction starts from an empty temp table.
            pg.execute(f"DELETE FROM {temp}")  # noqa: S608  # nosec B608
        return inserted


# Below this many rows a VALUES statement is cheaper than COPY's extra round trips.
_COPY_FROM = 64
# Temp tables already created, per PostgreSQL session (psycopg connection).
_temp_tables: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()
_inserters: dict[tuple, _Inserter] = {}


def _inserter(
    model: type[models.Model], names: Sequence[str], *, upsert_on: Sequence[str] = (), update: Sequence[str] = ()
) -> _Inserter:
    key = (connection.vendor, model._meta.label, tuple(names), tuple(upsert_on), tuple(update))
    if key not in _inserters:
        _inserters[key] = _Inserter(model, names, upsert_on=upsert_on, update=update)
    return _inserters[key]


def _store_rows(
    *,
    model: type[models.Model],
    patient: Patient,
    records: Sequence[Any],
    columns: Sequence[str],
    content: Sequence[str],
    row: Callable[[Any], Sequence[Any]],
) -> list[str]:
    """Store records that carry `.id` and `.content()`; one status per record, in order."""
    statuses: list[str] = [""] * len(records)
    first: dict[UUID, int] = {}
    fresh: list[int] = []
    repeats: list[int] = []
    for i, record in enumerate(records):
        if record.id in first:
            repeats.append(i)
        else:
            first[record.id] = i
            fresh.append(i)
    inserted = _inserter(model, columns).insert([row(records[i]) for i in fresh]) if fresh else set()
    missing = [i for i in fresh if records[i].id not in inserted]
    stored: dict[UUID, tuple] = {}
    if missing:
        ids = [records[i].id for i in missing]
        for start in range(0, len(ids), 900):
            for values in model._default_manager.filter(pk__in=ids[start : start + 900]).values_list(
                "pk", "patient_id", *content
            ):
                stored[values[0]] = values[1:]
    for i in fresh:
        record = records[i]
        if record.id in inserted:
            statuses[i] = STORED
        else:
            existing = stored.get(record.id)
            same = existing is not None and existing[0] == patient.pk and tuple(existing[1:]) == record.content()
            statuses[i] = DUPLICATE if same else CONFLICT
    for i in repeats:
        record = records[i]
        origin = first[record.id]
        same = records[origin].content() == record.content()
        statuses[i] = DUPLICATE if same and statuses[origin] != CONFLICT else CONFLICT
    return statuses


# --- signals ---------------------------------------------------------------------------------


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def _signal_row(patient_id: UUID, received_at: datetime) -> Callable[[SignalIn], tuple]:
    def row(r: SignalIn) -> tuple:
        return (r.id, patient_id, r.kind, r.start, r.end, r.day, *r.values, received_at)

    return row


def signals_store(*, patient: Patient, records: Sequence[SignalIn], update_summaries: bool = True) -> list[str]:
    """Store validated signal records of one patient. Returns one status per record: stored,
    duplicate, conflict, or `consent:<scope>` when the patient has not consented to it."""
    received_at = timezone.now()
    with transaction.atomic():
        refused = consent_refused(patient=patient, scopes={SCOPE_FOR_KIND[r.kind] for r in records}, lock=True)
        statuses = [f"consent:{SCOPE_FOR_KIND[r.kind]}" for r in records]
        allowed = [i for i, r in enumerate(records) if SCOPE_FOR_KIND[r.kind] not in refused]
        outcome = _store_rows(
            model=SignalRecord,
            patient=patient,
            records=[records[i] for i in allowed],
            columns=SIGNAL_COLUMNS,
            content=SIGNAL_CONTENT,
            row=_signal_row(patient.pk, received_at),
        )
        for i, status in zip(allowed, outcome, strict=True):
            statuses[i] = status
        if update_summaries:
            days = {records[i].day for i in allowed if statuses[i] == STORED}
            daily_summaries_recompute(patient=patient, days=days, parts=("signals",))
    return statuses


def _consent_message(status: str) -> str:
    return str(ConsentRequired(status.removeprefix("consent:")))


_CONFLICT_MESSAGE = "A different record with this id already exists."


def signal_batch_record(*, patient: Patient, records: list[Any], now: datetime | None = None) -> BatchResult:
    """The batch endpoint: validate each record, store every valid one, report the rest by
    index. The caller has checked the batch holds 1 to MAX_BATCH records."""
    ctx = ingestion_context(patient=patient, now=now)
    result = BatchResult()
    valid: list[SignalIn] = []
    positions: list[int] = []
    for index, raw in enumerate(records):
        record, errors = validate_signal(raw, ctx)
        if record is None:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            result.rejected.append(
                {"index": index, "id": raw_id if isinstance(raw_id, str) else None, "errors": errors}
            )
        else:
            valid.append(record)
            positions.append(index)
    if valid:
        statuses = signals_store(patient=patient, records=valid)
        for index, record, status in zip(positions, valid, statuses, strict=True):
            if status == STORED:
                result.accepted += 1
            elif status == DUPLICATE:
                result.duplicates += 1
            else:
                errors = (
                    {"id": [_CONFLICT_MESSAGE]}
                    if status == CONFLICT
                    else {"non_field_errors": [_consent_message(status)]}
                )
                result.rejected.append({"index": index, "id": str(record.id), "errors": errors})
        result.rejected.sort(key=lambda entry: entry["index"])
    return result


# --- check-ins -------------------------------------------------------------------------------------


def _checkin_row(patient_id: UUID, received_at: datetime) -> Callable[[CheckInIn], tuple]:
    def row(c: CheckInIn) -> tuple:
        return (
            c.id,
            patient_id,
            c.recorded_at,
            c.day,
            c.mood,
            c.anxiety,
            c.energy,
            c.irritability,
            c.sleep_quality,
            c.medication_taken,
            c.note,
            received_at,
        )

    return row


def checkins_store(*, patient: Patient, checkins: Sequence[CheckInIn], update_summaries: bool = True) -> list[str]:
    """Store validated check-ins; statuses as `signals_store`."""
    received_at = timezone.now()
    with transaction.atomic():
        if consent_refused(patient=patient, scopes=[ConsentScope.SELF_REPORT], lock=True):
            return [f"consent:{ConsentScope.SELF_REPORT}"] * len(checkins)
        statuses = _store_rows(
            model=CheckIn,
            patient=patient,
            records=checkins,
            columns=CHECKIN_COLUMNS,
            content=CHECKIN_CONTENT,
            row=_checkin_row(patient.pk, received_at),
        )
        if update_summaries:
            days = {c.day for c, s in zip(checkins, statuses, strict=True) if s == STORED}
            daily_summaries_recompute(patient=patient, days=days, parts=("checkins",))
    return statuses


def _raise_for(status: str, record_id: UUID) -> None:
    if status == CONFLICT:
        raise IdempotencyConflict(record_id)
    if status.startswith("consent:"):
        raise ConsentRequired(status.removeprefix("consent:"))


def checkin_record(*, patient: Patient, checkin: CheckInIn) -> bool:
    """One check-in from the API. True if stored, False if it was a duplicate; raises
    ConsentRequired (403) or IdempotencyConflict (409)."""
    (status,) = checkins_store(patient=patient, checkins=[checkin])
    _raise_for(status, checkin.id)
    return status == STORED


# --- questionnaires ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredQuestionnaire:
    record: QuestionnaireIn
    total: int
    severity: str
    flags: list[str]
    item9: int


def questionnaire_scored(record: QuestionnaireIn) -> ScoredQuestionnaire:
    result = score(record.instrument, record.answers)
    flags = [*result.flags, SAFETY_ALERT] if result.item9 > 0 else list(result.flags)
    return ScoredQuestionnaire(record, result.total, result.severity, flags, result.item9)


def questionnaires_store(
    *, patient: Patient, records: Sequence[QuestionnaireIn], update_summaries: bool = True
) -> list[str]:
    """Store validated questionnaires, scored. A newly stored PHQ-9 with item 9 above 0
    raises the safety alert in the same transaction: the response is never stored without it."""
    from alerts.services import alert_raise_safety

    received_at = timezone.now()
    scored = {r.id: questionnaire_scored(r) for r in records}

    def row(q: QuestionnaireIn) -> tuple:
        s = scored[q.id]
        return (
            q.id,
            patient.pk,
            q.instrument,
            q.answers,
            s.total,
            s.severity,
            s.flags,
            q.completed_at,
            q.day,
            received_at,
        )

    with transaction.atomic():
        if consent_refused(patient=patient, scopes=[ConsentScope.SELF_REPORT], lock=True):
            return [f"consent:{ConsentScope.SELF_REPORT}"] * len(records)
        statuses = _store_rows(
            model=QuestionnaireResponse,
            patient=patient,
            records=records,
            columns=QUESTIONNAIRE_COLUMNS,
            content=QUESTIONNAIRE_CONTENT,
            row=row,
        )
        for record, status in zip(records, statuses, strict=True):
            if status == STORED and scored[record.id].item9 > 0:
                alert_raise_safety(
                    patient=patient,
                    questionnaire_id=record.id,
                    item9=scored[record.id].item9,
                    completed_at=record.completed_at,
                )
        if update_summaries:
            days = {r.day for r, s in zip(records, statuses, strict=True) if s == STORED}
            daily_summaries_recompute(patient=patient, days=days, parts=("questionnaires",))
    return statuses


def questionnaire_record(*, patient: Patient, record: QuestionnaireIn) -> tuple[ScoredQuestionnaire, bool]:
    (status,) = questionnaires_store(patient=patient, records=[record])
    _raise_for(status, record.id)
    return questionnaire_scored(record), status == STORED


# --- daily summaries ------------------------------------------------------------------------------


def _day_filter(days: set[date]) -> dict[str, Any]:
    lo, hi = min(days), max(days)
    if (hi - lo).days + 1 <= 2 * len(days):
        return {"day__range": (lo, hi)}
    return {"day__in": sorted(days)}


# In summaries.KIND_ROW's order (names end in "_" where a model field has the plain name).
_KIND_AGGREGATES = {
    "n": Count("pk"),
    "steps": Sum("count"),
    "time_at_home_min_": Sum("time_at_home_min"),
    "distance_km_": Sum("distance_km"),
    "places_visited_": Max("places_visited"),
    "speech_rate_wpm_": Avg("speech_rate_wpm"),
    "pause_ratio_": Avg("pause_ratio"),
    "pitch_mean_hz_": Avg("pitch_mean_hz"),
    "pitch_sd_hz_": Avg("pitch_sd_hz"),
    "energy_db_": Avg("energy_db"),
    "screen_minutes_": Sum("screen_minutes"),
    "unlocks_": Sum("unlocks"),
}
_SUMMARY_COLUMNS = [name for part in summaries.PARTS.values() for name in part]
_SUMMARY_DEFAULTS = {"checkins": 0, "passive_records": 0}


def daily_summaries_recompute(
    *, patient: Patient, days: Iterable[date], parts: Sequence[str] = ("checkins", "questionnaires", "signals")
) -> int:
    """Recompute the named parts of the patient's summary rows for these local days from
    those days' raw rows only, and upsert them (one query per part plus one write)."""
    wanted = set(days)
    if not wanted:
        return 0
    where = _day_filter(wanted)
    values: dict[date, dict[str, Any]] = {day: {} for day in wanted}
    if "questionnaires" in parts:
        answers = QuestionnaireResponse.objects.filter(patient=patient, **where).values_list(
            *summaries.QUESTIONNAIRE_ROW
        )
        for day, day_rows in summaries.group_by_day(answers, wanted).items():
            values[day].update(summaries.questionnaire_part(day_rows))
    if "signals" in parts:
        signals = SignalRecord.objects.filter(patient=patient, **where)
        sleep = summaries.group_by_day(signals.filter(kind=SignalKind.SLEEP).values_list(*summaries.SLEEP_ROW), wanted)
        kinds = summaries.group_by_day(
            signals.order_by()
            .values("day", "kind")
            .annotate(**_KIND_AGGREGATES)
            .values_list("day", "kind", *_KIND_AGGREGATES),
            wanted,
        )
        tz = patient.tz
        for day in wanted:
            values[day].update(summaries.signal_part(sleep[day], kinds[day], tz))
    if "checkins" in parts:
        _checkin_summaries_upsert(patient=patient, days=wanted)
        parts = [part for part in parts if part != "checkins"]
        if not parts:
            return len(wanted)
    # Every column goes into a new row (the parts not recomputed take their defaults: a new
    # row means no data of theirs that day); an existing row gets the recomputed parts only.
    recomputed = [name for part in parts for name in summaries.PARTS[part]]
    now = timezone.now()
    rows = [
        (
            patient.pk,
            day,
            *[summaries.stored(fields.get(name, _SUMMARY_DEFAULTS.get(name))) for name in _SUMMARY_COLUMNS],
            now,
        )
        for day, fields in sorted(values.items())
    ]
    _inserter(
        DailySummary,
        ["patient", "date", *_SUMMARY_COLUMNS, "updated_at"],
        upsert_on=["patient", "date"],
        update=[*recomputed, "updated_at"],
    ).insert(rows)
    return len(values)


def _checkin_summaries_upsert(*, patient: Patient, days: set[date]) -> None:
    """The self-report columns of these days, aggregated and upserted by the database in one
    statement (the hot path of every check-in): count, 3-decimal means of the scales (NULLs
    ignored), and medication taken if any check-in says so (false if some say not, NULL if
    none answered). A day without check-ins is left as it is."""
    qn = connection.ops.quote_name
    summary, checkin = qn(DailySummary._meta.db_table), qn(CheckIn._meta.db_table)
    scales = ("mood", "anxiety", "energy", "irritability", "sleep_quality")
    means = ", ".join(f"ROUND(AVG({qn(name)}), 3)" for name in scales)
    taken = f"MAX(CASE WHEN {qn('medication_taken')} THEN 1 WHEN NOT {qn('medication_taken')} THEN 0 END)"
    columns = ["patient_id", "date", "checkins", *scales, "medication_taken", "passive_records", "updated_at"]
    updated = ["checkins", *scales, "medication_taken", "updated_at"]
    placeholders = ", ".join(["%s"] * len(days))
    sql = (
        f"INSERT INTO {summary} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608  # nosec B608
        f"SELECT {qn('patient_id')}, {qn('day')}, COUNT(*), {means}, "
        f"CASE {taken} WHEN 1 THEN TRUE WHEN 0 THEN FALSE END, 0, %s "
        f"FROM {checkin} WHERE {qn('patient_id')} = %s AND {qn('day')} IN ({placeholders}) "
        f"GROUP BY {qn('patient_id')}, {qn('day')} "
        f"ON CONFLICT ({qn('patient_id')}, {qn('date')}) DO UPDATE SET "
        + ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in updated)
    )
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    params: list[Any] = [
        now.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if sqlite else now,
        patient.pk.hex if sqlite else patient.pk,
        *[day.isoformat() for day in sorted(days)],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def daily_summaries_rebuild(*, patient: Patient) -> int:
    """Every summary row of the patient from all raw rows (repairs, imports)."""
    days: set[date] = set()
    for model in (CheckIn, QuestionnaireResponse, SignalRecord):
        days.update(model._default_manager.filter(patient=patient).values_list("day", flat=True).distinct())
    return daily_summaries_recompute(patient=patient, days=days)


# --- voice diaries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioUpload:
    file: File
    sha256: str
    size_bytes: int
    duration_s: float


def audio_digest(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def speech_recording_receive(
    *, patient: Patient, recording_id: UUID, recorded_at: datetime, upload: AudioUpload
) -> tuple[SpeechRecording, bool]:
    """Keep the audio until the background task has extracted its features. Idempotent by id:
    the same id with the same audio and time returns the existing recording (created False);
    anything else under that id is a conflict."""
    consent_require(patient=patient, scope=ConsentScope.SPEECH)
    with transaction.atomic():
        _patient_lock(patient)
        existing = SpeechRecording.objects.filter(pk=recording_id).first()
        if existing is None and SignalRecord.objects.filter(pk=recording_id).exists():
            # The id of a recording is also the id of the speech record made from it.
            raise IdempotencyConflict(recording_id)
        if existing is not None:
            if (
                existing.patient_id == patient.pk
                and existing.sha256 == upload.sha256
                and existing.recorded_at == recorded_at
            ):
                return existing, False
            raise IdempotencyConflict(recording_id)
        recording = SpeechRecording(
            id=recording_id,
            patient=patient,
            recorded_at=recorded_at,
            sha256=upload.sha256,
            size_bytes=upload.size_bytes,
            duration_s=upload.duration_s,
        )
        recording.audio.save(f"{recording_id}.wav", upload.file, save=False)
        saved_name = recording.audio.name
        try:
            with transaction.atomic():
                recording.save(force_insert=True)
        except IntegrityError as exc:  # the same id, for another patient, at the same moment
            default_storage.delete(saved_name)
            raise IdempotencyConflict(recording_id) from exc

        def enqueue() -> None:
            from .tasks import process_speech_recording

            process_speech_recording.delay(str(recording_id))

        # robust: with the broker down the upload still succeeds (the recording is saved,
        # pending); speech_recordings_requeue_pending picks it up when the broker is back.
        transaction.on_commit(enqueue, robust=True)
    return recording, True


class AudioUnusable(Exception):
    """The audio holds nothing to measure (no voiced speech); retrying will not help."""


def speech_recording_process(*, recording_id: UUID | str) -> str:
    """Extract the voice features, store them as a `speech` record through `signals_store`
    (same consent gate, same idempotency: its id is the recording's), then delete the audio.
    Safe to run twice: a recording already done or failed is left as it is."""
    from .speech import extract_features

    recording = SpeechRecording.objects.select_related("patient").filter(pk=recording_id).first()
    if recording is None or recording.status != RecordingStatus.PENDING:
        return recording.status if recording is not None else "missing"
    SpeechRecording.objects.filter(pk=recording.pk).update(attempts=models.F("attempts") + 1)
    patient = recording.patient
    try:
        if not recording.audio:
            raise AudioUnusable("The audio file is missing.")
        with recording.audio.open("rb") as handle:
            features = extract_features(handle)
    except AudioUnusable as exc:
        return _recording_finish(recording, RecordingStatus.FAILED, str(exc))
    except ValueError as exc:  # unreadable audio, or no speech in it
        return _recording_finish(recording, RecordingStatus.FAILED, str(exc)[:255])
    start = recording.recorded_at
    end = start + features.duration
    raw = {
        "id": str(recording.pk),
        "type": "speech",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "speech_rate_wpm": features.speech_rate_wpm,
        "pause_ratio": features.pause_ratio,
        "pitch_mean_hz": features.pitch_mean_hz,
        "pitch_sd_hz": features.pitch_sd_hz,
        "energy_db": features.energy_db,
    }
    # "now" is when the recording arrived: the end of a diary just recorded is not "future".
    ctx = ingestion_context(patient=patient, now=max(recording.received_at, end))
    record, errors = validate_signal(raw, ctx)
    if record is None:
        return _recording_finish(recording, RecordingStatus.FAILED, json.dumps(errors)[:255])
    (status,) = signals_store(patient=patient, records=[record])
    if status.startswith("consent:"):
        return _recording_finish(recording, RecordingStatus.FAILED, "Consent to speech analysis was withdrawn.")
    if status == CONFLICT:
        return _recording_finish(recording, RecordingStatus.FAILED, _CONFLICT_MESSAGE)
    return _recording_finish(recording, RecordingStatus.DONE, "")


def _recording_finish(recording: SpeechRecording, status: str, error: str) -> str:
    if status == RecordingStatus.FAILED:
        # The reason says what was wrong with the audio, never what was said.
        logger.warning("voice diary not analysed", extra={"recording": str(recording.pk), "reason": error[:120]})
    name = recording.audio.name if recording.audio else ""
    with transaction.atomic():
        updated = SpeechRecording.objects.filter(pk=recording.pk, status=RecordingStatus.PENDING).update(
            status=status, error=error, processed_at=timezone.now(), audio=""
        )
        if name and updated:
            transaction.on_commit(lambda: default_storage.delete(name))
    return status


# --- erasure --------------------------------------------------------------------------------------


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def patient_erase(*, patient: Patient) -> dict[str, int]:
    """GDPR erasure, at once and for good (docs/ingestion.md): collection and scoring stop
    (every consent withdrawn, status `erased`), the login goes (refresh tokens blacklisted, the
    account deleted), and the patient's own data and everything derived from it is deleted.
    Kept, as the law requires: the consent history, the audit trail, and the clinical record
    the care team made (alerts and what was done about them, clinical events)."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    from ml.models import RiskScore
    from mobile.models import PushSubscription, ReminderSent

    removed: dict[str, int] = {}
    audio: list[str] = []
    with transaction.atomic():
        _patient_lock(patient)
        consent_withdraw(patient=patient, scopes=list(ConsentScope.values))
        audio = [
            name for name in SpeechRecording.objects.filter(patient=patient).values_list("audio", flat=True) if name
        ]
        for label, model in (
            ("checkins", CheckIn),
            ("questionnaires", QuestionnaireResponse),
            ("signals", SignalRecord),
            ("speech_recordings", SpeechRecording),
            ("daily_summaries", DailySummary),
            ("risk_scores", RiskScore),
            ("push_subscriptions", PushSubscription),
            ("reminders_sent", ReminderSent),
        ):
            removed[label] = model._default_manager.filter(patient=patient).delete()[0]
        user = patient.user
        patient.user = None
        patient.status = PatientStatus.ERASED
        patient.save(update_fields=["user", "status", "updated_at"])
        patient.enrollment_codes.all().delete()
        if user is not None:
            tokens = OutstandingToken.objects.filter(user=user)
            BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in tokens], ignore_conflicts=True)
            user.delete()
        transaction.on_commit(lambda: _delete_files(audio))
    removed["audio_files"] = len(audio)
    return removed


def speech_recordings_requeue_pending(*, older_than_minutes: int = 10) -> int:
    """Re-enqueue recordings left pending (broker down at upload, worker killed). Safe to
    run any time: processing is guarded by the recording's state."""
    from .tasks import process_speech_recording

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        SpeechRecording.objects.filter(status=RecordingStatus.PENDING, received_at__lt=cutoff).values_list(
            "id", flat=True
        )[:500]
    )
    for recording_id in ids:
        process_speech_recording.delay(str(recording_id))
    return len(ids)
