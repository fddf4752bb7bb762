"""Loading a cohort file (API.md, "Cohort file") through the ingestion services.

Two passes over the file. The first applies the `patient` and `consent` lines in file order
(consent is judged when data arrives, and for a file the data "arrives" after its patient's
consents, wherever they stand in the file). The second validates every record line with the
API's validation code, buffers the valid ones per patient and stores them in bulk with the
same storage services as the API (consent gate, idempotency); the daily summaries of the
days that received data are recomputed once, at the end. A bad line is reported with its
number and the rest still loads; a second run stores nothing twice."""

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.db import transaction
from django.utils import timezone

from patients.errors import DomainError
from patients.models import CareTeam, ClinicalEventKind, Patient, Sex
from patients.serializers import ICD10_RE
from patients.services import care_team_create, clinical_event_record, consent_grant, patient_create

from . import services
from .validation import Context, validate_checkin, validate_questionnaire, validate_signal

# Cheap pre-filter for the first pass; the JSON is still parsed and its type checked.
_SETUP_LINE = re.compile(r'"type"\s*:\s*"(patient|consent)"')
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
FLUSH_LINES = 20_000


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@dataclass
class ImportReport:
    lines: int = 0
    patients_created: int = 0
    patients_existing: int = 0
    consents: int = 0
    stored: dict[str, int] = field(default_factory=lambda: {"checkin": 0, "questionnaire": 0, "signal": 0, "event": 0})
    duplicates: int = 0
    summaries: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))


class LineError(Exception):
    pass


def _errors_text(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())


def _read(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def _parse(line: str) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(obj, dict):
        raise LineError("expected a JSON object")
    return obj


class CohortImporter:
    def __init__(
        self, path: Path, *, progress: Callable[[str], None] | None = None, raise_alerts: bool = False
    ) -> None:
        self.path = path
        # History raises no live alert unless asked (`import_cohort --raise-alerts`).
        self.raise_alerts = raise_alerts
        self.progress = progress or (lambda message: None)
        self.report = ImportReport()
        self.now = timezone.now()
        self.patients: dict[str, Patient] = {}
        self.contexts: dict[str, Context] = {}
        self.teams: dict[str, CareTeam] = {}
        self.setup_lines: set[int] = set()
        # patient code -> kind -> [(line, validated record)]
        self.buffer: dict[str, dict[str, list[tuple[int, Any]]]] = {}
        self.buffered = 0
        self.events: list[tuple[int, Patient, dict[str, Any]]] = []
        self.touched: dict[str, set[date]] = {}

    def run(self) -> ImportReport:
        with transaction.atomic():  # one commit for all patients and consents
            for number, line in _read(self.path):
                if _SETUP_LINE.search(line):
                    self._setup_line(number, line)
        self.progress(
            f"{len(self.patients)} patients ready ({self.report.patients_created} created), "
            f"{self.report.consents} consent lines applied"
        )
        for number, line in _read(self.path):
            self.report.lines = number
            if number in self.setup_lines:
                continue
            try:
                self._record_line(number, _parse(line))
            except LineError as exc:
                self.report.error(number, str(exc))
            if self.buffered >= FLUSH_LINES:
                self._flush()
                self.progress(self._progress_line())
        self._flush()
        self.progress(self._progress_line())
        self._summaries()
        self.report.errors.sort()
        return self.report

    def _progress_line(self) -> str:
        stored = sum(self.report.stored.values())
        return (
            f"line {self.report.lines}: {stored} stored, {self.report.duplicates} already there, "
            f"{len(self.report.errors)} rejected"
        )

    # --- patients and consents ------------------------------------------------------------------

    def _setup_line(self, number: int, line: str) -> None:
        try:
            obj = _parse(line)
        except LineError as exc:
            self.setup_lines.add(number)
            self.report.error(number, str(exc))
            return
        if obj.get("type") not in ("patient", "consent"):
            return  # the pre-filter matched text inside another line
        self.setup_lines.add(number)
        try:
            if obj["type"] == "patient":
                self._patient(obj)
            else:
                self._consent(obj)
        except LineError as exc:
            self.report.error(number, str(exc))

    def _patient(self, obj: dict[str, Any]) -> None:
        code = obj.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise LineError("code: give 1 to 64 letters, digits, '.', '_' or '-'")
        if code in self.patients:
            raise LineError(f"patient {code} appears twice")
        team_name = obj.get("care_team")
        if not isinstance(team_name, str) or not team_name.strip():
            raise LineError("care_team: this field is required")
        existing = Patient.objects.select_related("care_team").filter(code=code).first()
        if existing is not None:
            if existing.care_team.name != team_name:
                raise LineError(f"patient {code} already exists in another care team")
            self.patients[code] = existing
            self.report.patients_existing += 1
            return
        tz = obj.get("timezone")
        if tz not in _timezones():
            raise LineError(f"timezone: unknown IANA time zone {tz!r}")
        birth_year = obj.get("birth_year")
        if type(birth_year) is not int or not 1900 <= birth_year <= self.now.year:
            raise LineError("birth_year: give a year between 1900 and this year")
        sex = obj.get("sex")
        if sex not in Sex.values:
            raise LineError("sex: one of F, M, X")
        diagnosis = obj.get("diagnosis")
        if not isinstance(diagnosis, str) or not ICD10_RE.match(diagnosis.strip().upper()):
            raise LineError("diagnosis: give an ICD-10 code such as F20, F31 or F33.1")
        enrolled_on = None
        if obj.get("enrolled_on") is not None:
            try:
                enrolled_on = date.fromisoformat(obj["enrolled_on"])
            except (TypeError, ValueError) as exc:
                raise LineError("enrolled_on: use YYYY-MM-DD") from exc
            if enrolled_on > timezone.localdate(self.now, timezone=ZoneInfo(tz)):
                raise LineError("enrolled_on: cannot be in the future")
        team = self.teams.get(team_name) or care_team_create(name=team_name)
        self.teams[team_name] = team
        try:
            patient, _code = patient_create(
                code=code,
                care_team=team,
                timezone_name=tz,
                birth_year=birth_year,
                sex=sex,
                diagnosis=diagnosis.strip().upper(),
                enrolled_on=enrolled_on,
            )
        except DomainError as exc:
            raise LineError(str(exc)) from exc
        self.patients[code] = patient
        self.report.patients_created += 1

    def _patient_for(self, obj: dict[str, Any]) -> Patient:
        code = obj.get("patient")
        patient = self.patients.get(code) if isinstance(code, str) else None
        if patient is None:
            raise LineError(f"patient: no patient line for {code!r} in this file")
        return patient

    def _consent(self, obj: dict[str, Any]) -> None:
        patient = self._patient_for(obj)
        scopes = obj.get("scopes")
        version = obj.get("version")
        if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
            raise LineError("scopes: give a non-empty list of scopes")
        if not isinstance(version, str | int) or not str(version):
            raise LineError("version: this field is required")
        at = None
        if obj.get("at") is not None:
            try:
                at = datetime.fromisoformat(obj["at"])
            except (TypeError, ValueError) as exc:
                raise LineError("at: use ISO 8601 with a UTC offset") from exc
            if at.tzinfo is None:
                raise LineError("at: a UTC offset is required")
        try:
            consent_grant(patient=patient, version=str(version), scopes=scopes, at=at)
        except DomainError as exc:
            raise LineError(str(exc)) from exc
        self.report.consents += 1

    # --- records ------------------------------------------------------------------------------------

    def _context(self, patient: Patient) -> Context:
        ctx = self.contexts.get(patient.code)
        if ctx is None:
            ctx = services.ingestion_context(patient=patient, now=self.now)
            self.contexts[patient.code] = ctx
        return ctx

    def _record_line(self, number: int, obj: dict[str, Any]) -> None:
        kind = obj.get("type")
        if kind in ("patient", "consent"):
            # Missed by the first pass's pre-filter (unusual spacing): apply it now.
            (self._patient if kind == "patient" else self._consent)(obj)
            return
        if kind not in ("checkin", "questionnaire", "signal", "event"):
            raise LineError(f"type: unknown line type {kind!r}")
        patient = self._patient_for(obj)
        if kind == "event":
            self.events.append((number, patient, obj))
            self.buffered += 1
            return
        ctx = self._context(patient)
        record: Any
        if kind == "checkin":
            record, errors = validate_checkin(obj, ctx)
        elif kind == "questionnaire":
            record, errors = validate_questionnaire(obj, ctx)
        else:
            payload = obj.get("record")
            if not isinstance(payload, dict):
                raise LineError("record: expected the batch record as a JSON object")
            record, errors = validate_signal(payload, ctx)
        if record is None:
            raise LineError(_errors_text(errors))
        self.buffer.setdefault(patient.code, {}).setdefault(kind, []).append((number, record))
        self.buffered += 1

    def _event(self, patient: Patient, obj: dict[str, Any]) -> None:
        kind = obj.get("kind")
        if kind not in ClinicalEventKind.values:
            raise LineError(f"kind: one of {', '.join(ClinicalEventKind.values)}")
        day = obj.get("date")
        if not isinstance(day, str):
            raise LineError("date: use YYYY-MM-DD")
        try:
            on = date.fromisoformat(day)
        except ValueError as exc:
            raise LineError("date: use YYYY-MM-DD") from exc
        note = obj.get("note") or ""
        if not isinstance(note, str) or len(note) > 2000:
            raise LineError("note: text of at most 2000 characters")
        try:
            _event, created = clinical_event_record(patient=patient, kind=kind, on=on, note=note)
        except DomainError as exc:
            raise LineError(f"{kind} on {on}: another event with a different note is recorded") from exc
        if created:
            self.report.stored["event"] += 1
        else:
            self.report.duplicates += 1

    def _flush(self) -> None:
        store = {
            "checkin": lambda p, recs: services.checkins_store(
                patient=p, checkins=recs, update_summaries=False, raise_alerts=self.raise_alerts
            ),
            "questionnaire": lambda p, recs: services.questionnaires_store(
                patient=p, records=recs, update_summaries=False, raise_alerts=self.raise_alerts
            ),
            "signal": lambda p, recs: services.signals_store(patient=p, records=recs, update_summaries=False),
        }
        with transaction.atomic():  # one commit per flush
            for number, patient, obj in self.events:
                try:
                    with transaction.atomic():
                        self._event(patient, obj)
                except LineError as exc:
                    self.report.error(number, str(exc))
            for code, kinds in self.buffer.items():
                patient = self.patients[code]
                touched = self.touched.setdefault(code, set())
                for kind, entries in kinds.items():
                    records = [record for _number, record in entries]
                    statuses = store[kind](patient, records)
                    for (number, record), status in zip(entries, statuses, strict=True):
                        if status == services.STORED:
                            self.report.stored[kind] += 1
                            touched.add(record.day)
                        elif status == services.DUPLICATE:
                            self.report.duplicates += 1
                        elif status == services.CONFLICT:
                            self.report.error(number, "id: a different record with this id already exists")
                        else:
                            scope = status.removeprefix("consent:")
                            self.report.error(number, f"consent: the patient has not consented to '{scope}'")
        self.buffer = {}
        self.events = []
        self.buffered = 0

    def _summaries(self) -> None:
        codes = [code for code, days in self.touched.items() if days]
        for start in range(0, len(codes), 50):  # a commit per 50 patients
            with transaction.atomic():
                for code in codes[start : start + 50]:
                    self.report.summaries += services.daily_summaries_recompute(
                        patient=self.patients[code], days=self.touched[code]
                    )
        self.progress(f"{self.report.summaries} daily summaries recomputed")


def cohort_import(
    *, path: Path, progress: Callable[[str], None] | None = None, raise_alerts: bool = False
) -> ImportReport:
    """Load a cohort file. History raises no alert unless `raise_alerts` (each then marked with
    when its answer was recorded, so an old one reads as late)."""
    return CohortImporter(path, progress=progress, raise_alerts=raise_alerts).run()
