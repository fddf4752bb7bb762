"""Exports of a patient's timeline: CSV, and a FHIR R4 Bundle (records/fhir_resources.py builds
and validates it, with the same builders as the FHIR REST API in interop/)."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from .fhir_resources import MEASURES, QUESTIONNAIRES, fhir_bundle, summary_entries
from .timeline import DAY_FIELDS

__all__ = ["MEASURES", "QUESTIONNAIRES", "fhir_bundle", "summary_entries", "timeline_csv"]


def timeline_csv(days: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DAY_FIELDS)
    for day in days:
        writer.writerow(
            [
                ";".join(day[name]) if name in ("alerts", "events") else ("" if day[name] is None else day[name])
                for name in DAY_FIELDS
            ]
        )
    return out.getvalue()
