"""Loading actigraph export files (`manage.py import_actigraphy`, `validate_actigraphy`)
through the ingestion code: each file is read (`monitoring.actigraphy_formats`), cut into
`activity_epochs` records of at most one day of minutes, and every record goes through the
API's validation (`validate_activity_epochs`) and storage (`activity_epochs_store`); the
derived measures are computed once at the end. Record ids are made from the patient, the
file's content and the record's start, so importing the same file again stores nothing twice."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from patients.models import Patient

from .actigraphy import minute_grid
from .actigraphy_formats import ActigraphyFormatError, read_actigraphy
from .bulk import DUPLICATE, STORED
from .services import activity_derive, activity_epochs_store, ingestion_context
from .validation import ACTIVITY_EPOCHS, ActivityEpochsIn, validate_activity_epochs

RECORD_MINUTES = 1440
_IMPORTED = uuid.UUID("0c5f7c1e-2b7a-4d0e-8f4e-3f6a9b1d2c47")


@dataclass
class ActigraphyImportReport:
    files: int = 0
    minutes: int = 0  # recorded minutes read
    records: int = 0
    stored: int = 0
    duplicates: int = 0
    days_derived: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReadFile:
    path: Path
    counts: pd.Series
    digest: str


def actigraphy_files_read(*, paths: list[Path], tz: str, format: str = "auto") -> list[ReadFile]:  # noqa: A002
    """Read every file before anything is stored: a malformed one raises
    ActigraphyFormatError ("FILE: line N: ...") and nothing is imported."""
    read = []
    for path in paths:
        raw = Path(path).read_bytes()
        try:
            recording = read_actigraphy(raw, tz=tz, format=format)
            counts = minute_grid(recording.counts)
        except ActigraphyFormatError as exc:
            raise ActigraphyFormatError(f"{path}: {exc}", line=exc.line) from exc
        except ValueError as exc:
            raise ActigraphyFormatError(f"{path}: {exc}") from exc
        read.append(ReadFile(path=Path(path), counts=counts, digest=hashlib.sha256(raw).hexdigest()))
    return read


def _count(value: float) -> float | int | None:
    if np.isnan(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def epoch_records(*, patient: Patient, read: ReadFile) -> list[dict[str, Any]]:
    """The file's minutes as `activity_epochs` records (the API's JSON shape), one per
    RECORD_MINUTES minutes from its first; stretches with no recorded minute are left out."""
    counts = read.counts
    values = counts.to_numpy()
    records = []
    for offset in range(0, len(values), RECORD_MINUTES):
        chunk = values[offset : offset + RECORD_MINUTES]
        if np.isnan(chunk).all():
            continue
        recorded = np.flatnonzero(~np.isnan(chunk))
        chunk = chunk[: recorded[-1] + 1]  # no trailing missing minutes
        start = counts.index[offset].to_pydatetime()
        records.append(
            {
                "id": str(uuid.uuid5(_IMPORTED, f"{patient.pk}/{read.digest}/{start.isoformat()}")),
                "type": ACTIVITY_EPOCHS,
                "start": start.isoformat(),
                "epoch_seconds": 60,
                "counts": [_count(v) for v in chunk],
            }
        )
    return records


def actigraphy_import(*, patient: Patient, files: list[ReadFile], batch: int = 31) -> ActigraphyImportReport:
    """Store the files' minutes for the patient through the API's validation and storage,
    `batch` records per transaction, then derive the measures of the days that changed."""
    report = ActigraphyImportReport()
    ctx = ingestion_context(patient=patient)
    changed: set[date] = set()
    for read in files:
        report.files += 1
        report.minutes += int(read.counts.notna().sum())
        valid: list[ActivityEpochsIn] = []
        for raw in epoch_records(patient=patient, read=read):
            report.records += 1
            record, errors = validate_activity_epochs(raw, ctx)
            if record is None:
                details = "; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items())
                report.errors.append(f"{read.path}: the record starting {raw['start']}: {details}")
            else:
                valid.append(record)
        for start in range(0, len(valid), batch):
            chunk = valid[start : start + batch]
            statuses = activity_epochs_store(patient=patient, records=chunk, derive="none")
            for record, status in zip(chunk, statuses, strict=True):
                if status == STORED:
                    report.stored += 1
                    changed.update(_days_of(record, patient))
                elif status == DUPLICATE:
                    report.duplicates += 1
                else:
                    report.errors.append(f"{read.path}: the record starting {record.start.isoformat()}: {status}")
    report.days_derived = activity_derive(patient=patient, days=changed)
    return report


def _days_of(record: ActivityEpochsIn, patient: Patient) -> set[date]:
    tz = patient.tz
    first = record.start.astimezone(tz).date()
    last = (record.end - pd.Timedelta(minutes=1)).astimezone(tz).date()
    return {first, last}
