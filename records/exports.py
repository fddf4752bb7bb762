"""Exports of a patient's timeline: CSV, and a FHIR R4 Bundle built and validated with
`fhir.resources.R4B` (Patient, one Observation per measured day and measure, and one
QuestionnaireResponse plus a total-score Observation per questionnaire; with the
pre-consultation summary, a Composition and a DocumentReference carrying its text)."""

import base64
import csv
import html
import io
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from patients.models import Patient

from .timeline import DAY_FIELDS

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Measures with no LOINC code are coded in the product's own system.
LOCAL_MEASURES = "urn:relapse-monitoring:daily-measure"
PATIENT_CODES = "urn:relapse-monitoring:patient-code"

# timeline field -> (system, code, display, category, UCUM unit or value kind)
MEASURES: dict[str, tuple[str, str, str, str, str]] = {
    "mood": (LOCAL_MEASURES, "mood", "Mood, daily mean (-3 very low to +3 very elevated)", "survey", "{score}"),
    "anxiety": (LOCAL_MEASURES, "anxiety", "Anxiety, daily mean (0-10)", "survey", "{score}"),
    "energy": (LOCAL_MEASURES, "energy", "Energy, daily mean (0-10)", "survey", "{score}"),
    "irritability": (LOCAL_MEASURES, "irritability", "Irritability, daily mean (0-10)", "survey", "{score}"),
    "sleep_quality": (LOCAL_MEASURES, "sleep-quality", "Sleep quality, daily mean (0-10)", "survey", "{score}"),
    "medication_taken": (LOCAL_MEASURES, "medication-taken", "Medication taken", "survey", "boolean"),
    "sleep_hours": (LOINC, "93832-4", "Sleep duration", "activity", "h"),
    "sleep_onset": (LOCAL_MEASURES, "sleep-onset", "Main sleep onset, local time", "activity", "time"),
    "sleep_wake": (LOCAL_MEASURES, "sleep-wake", "Main sleep end, local time", "activity", "time"),
    "sleep_efficiency": (LOCAL_MEASURES, "sleep-efficiency", "Main sleep efficiency", "activity", "1"),
    "steps": (LOINC, "41950-7", "Number of steps in 24 hour Measured", "activity", "{steps}/d"),
    "time_at_home_min": (LOCAL_MEASURES, "time-at-home", "Time at home", "activity", "min"),
    "distance_km": (LOCAL_MEASURES, "distance-travelled", "Distance travelled", "activity", "km"),
    "speech_rate_wpm": (LOCAL_MEASURES, "speech-rate", "Speech rate (proxy)", "activity", "{words}/min"),
    "pause_ratio": (LOCAL_MEASURES, "pause-ratio", "Pause ratio in speech", "activity", "1"),
    "pitch_sd_hz": (LOCAL_MEASURES, "pitch-sd", "Voice pitch variability (SD)", "activity", "Hz"),
    "screen_minutes": (LOCAL_MEASURES, "screen-time", "Screen time", "activity", "min"),
    "unlocks": (LOCAL_MEASURES, "phone-unlocks", "Phone unlocks", "activity", "{unlocks}"),
    # Wrist actigraphy (docs/actigraphy.md): device counts, not steps; rhythm over 7 local days.
    "activity_mean": (
        LOCAL_MEASURES,
        "activity-mean",
        "Wrist activity, mean count per minute",
        "activity",
        "{counts}/min",
    ),
    "activity_zero_share": (
        LOCAL_MEASURES,
        "activity-zero-share",
        "Wrist activity, share of minutes at zero",
        "activity",
        "1",
    ),
    "rhythm_is": (LOCAL_MEASURES, "rhythm-is", "Rest-activity rhythm, interdaily stability (7 days)", "activity", "1"),
    "rhythm_iv": (
        LOCAL_MEASURES,
        "rhythm-iv",
        "Rest-activity rhythm, intradaily variability (7 days)",
        "activity",
        "1",
    ),
    "rhythm_ra": (LOCAL_MEASURES, "rhythm-ra", "Rest-activity rhythm, relative amplitude (7 days)", "activity", "1"),
    "rhythm_l5": (
        LOCAL_MEASURES,
        "rhythm-l5",
        "Rest-activity rhythm, least active 5 hours (7 days)",
        "activity",
        "{counts}/min",
    ),
    "rhythm_m10": (
        LOCAL_MEASURES,
        "rhythm-m10",
        "Rest-activity rhythm, most active 10 hours (7 days)",
        "activity",
        "{counts}/min",
    ),
    "rhythm_l5_onset": (
        LOCAL_MEASURES,
        "rhythm-l5-onset",
        "Onset of the least active 5 hours, minutes after local midnight",
        "activity",
        "min",
    ),
    "rhythm_m10_onset": (
        LOCAL_MEASURES,
        "rhythm-m10-onset",
        "Onset of the most active 10 hours, minutes after local midnight",
        "activity",
        "min",
    ),
    "risk_score": (LOCAL_MEASURES, "relapse-risk-14d", "Relapse risk in the next 14 days (model)", "survey", "1"),
}
# instrument -> (questionnaire canonical, total-score LOINC code or None, display)
QUESTIONNAIRES: dict[str, tuple[str, str | None, str]] = {
    "PHQ-9": ("http://loinc.org/q/44249-1", "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score"),
    "GAD-7": ("http://loinc.org/q/69737-5", "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score"),
    "ASRM": ("urn:relapse-monitoring:questionnaire:asrm", None, "Altman Self-Rating Mania Scale (ASRM) total score"),
}
_GENDER = {"F": "female", "M": "male", "X": "unknown"}


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


def _category(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code}]}]


def _observation_value(kind: str, value: Any) -> dict[str, Any]:
    if kind == "boolean":
        return {"valueBoolean": bool(value)}
    if kind == "time":
        return {"valueTime": f"{value}:00"}
    return {"valueQuantity": {"value": value, "unit": kind, "system": UCUM, "code": kind}}


def fhir_bundle(
    *,
    patient: Patient,
    days: Sequence[dict[str, Any]],
    questionnaires: Sequence[dict[str, Any]],
    summary: dict[str, Any] | None = None,
) -> Bundle:
    subject = {"reference": f"Patient/{patient.pk}"}
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": f"urn:uuid:{patient.pk}",
            "resource": {
                "resourceType": "Patient",
                "id": str(patient.pk),
                "identifier": [{"system": PATIENT_CODES, "value": patient.code}],
                "gender": _GENDER.get(patient.sex, "unknown"),
                "birthDate": f"{patient.birth_year:04d}",
                "active": patient.status == "active",
            },
        }
    ]
    for day in days:
        for name, (system, code, display, category, kind) in MEASURES.items():
            value = day.get(name)
            if value is None:
                continue
            resource_id = f"{patient.pk.hex[:12]}-{day['date']}-{code}".replace(".", "-")[:64]
            entries.append(
                {
                    "fullUrl": f"urn:relapse-monitoring:observation:{resource_id}",
                    "resource": {
                        "resourceType": "Observation",
                        "id": resource_id,
                        "status": "final",
                        "category": _category(category),
                        "code": {"coding": [{"system": system, "code": code, "display": display}], "text": display},
                        "subject": subject,
                        "effectiveDateTime": day["date"],
                        **_observation_value(kind, value),
                    },
                }
            )
    for q in questionnaires:
        canonical, loinc_total, display = QUESTIONNAIRES[q["instrument"]]
        authored = q["completed_at"].isoformat()
        response_id = str(q["id"])
        entries.append(
            {
                "fullUrl": f"urn:uuid:{response_id}",
                "resource": {
                    "resourceType": "QuestionnaireResponse",
                    "id": response_id,
                    "questionnaire": canonical,
                    "status": "completed",
                    "subject": subject,
                    "authored": authored,
                    # A skipped item is an item without an answer: missing, never 0.
                    "item": [
                        {"linkId": str(position), "answer": [{"valueInteger": answer}]}
                        if answer is not None
                        else {"linkId": str(position)}
                        for position, answer in enumerate(q["answers"], start=1)
                    ],
                },
            }
        )
        if q["total"] is None:
            continue  # too many items skipped for a total (monitoring/questionnaires.py): none is made up
        coding = (
            {"system": LOINC, "code": loinc_total, "display": display}
            if loinc_total
            else {"system": LOCAL_MEASURES, "code": "asrm-total", "display": display}
        )
        entries.append(
            {
                "fullUrl": f"urn:relapse-monitoring:observation:{response_id}-total",
                "resource": {
                    "resourceType": "Observation",
                    "id": f"{response_id}-total",
                    "status": "final",
                    "category": _category("survey"),
                    "code": {"coding": [coding], "text": display},
                    "subject": subject,
                    "effectiveDateTime": authored,
                    "valueQuantity": {"value": q["total"], "unit": "{score}", "system": UCUM, "code": "{score}"},
                    "interpretation": [{"text": q["severity"]}],
                    "derivedFrom": [{"reference": f"QuestionnaireResponse/{response_id}"}],
                },
            }
        )
    if summary is not None:
        entries.extend(summary_entries(patient=patient, summary=summary))
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": datetime.now(UTC).isoformat(),
            "entry": entries,
        }
    )


# The pre-consultation summary (records/summary_text.py) as a document another record system
# can file: a Composition (one section per part, its sentences as the narrative) and a
# DocumentReference whose attachment is the same text.
SUMMARY_TYPE = {"system": LOINC, "code": "34133-9", "display": "Summary of episode note"}
SUMMARY_AUTHOR = "Relapse monitoring: summary generated from the patient's data"


def _summary_text(summary: dict[str, Any]) -> str:
    lines = [f"{summary.get('title', '')}".strip()]
    for section in summary["sections"]:
        lines.append("")
        lines.append(section["title"])
        lines.extend(f"- {sentence['text']}" for sentence in section["sentences"])
    return "\n".join(lines).strip() + "\n"


def summary_entries(*, patient: Patient, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Composition + DocumentReference of one summary (ids stable for a patient and period)."""
    subject = {"reference": f"Patient/{patient.pk}"}
    key = f"relapse-monitoring:summary:{patient.pk}:{summary['start']}:{summary['end']}"
    composition_id = str(uuid.uuid5(uuid.NAMESPACE_URL, key))
    document_id = str(uuid.uuid5(uuid.NAMESPACE_URL, key + ":document"))
    period = {"start": summary["start"], "end": summary["end"]}
    title = summary.get("title") or "Pre-consultation summary"
    sections = [
        {
            "title": section["title"],
            "text": {
                "status": "generated",
                "div": '<div xmlns="http://www.w3.org/1999/xhtml"><ul>'
                + "".join(f"<li>{html.escape(s['text'])}</li>" for s in section["sentences"])
                + "</ul></div>",
            },
        }
        for section in summary["sections"]
        if section["sentences"]
    ]
    text = _summary_text({**summary, "title": f"{title}: {patient.code}"})
    return [
        {
            "fullUrl": f"urn:uuid:{composition_id}",
            "resource": {
                "resourceType": "Composition",
                "id": composition_id,
                "status": "final",
                "type": {"coding": [SUMMARY_TYPE], "text": title},
                "subject": subject,
                "date": summary["generated_at"],
                "author": [{"display": SUMMARY_AUTHOR}],
                "title": title,
                "event": [{"period": period}],
                "section": sections,
            },
        },
        {
            "fullUrl": f"urn:uuid:{document_id}",
            "resource": {
                "resourceType": "DocumentReference",
                "id": document_id,
                "status": "current",
                "docStatus": "final",
                "type": {"coding": [SUMMARY_TYPE], "text": title},
                "subject": subject,
                "date": summary["generated_at"],
                "author": [{"display": SUMMARY_AUTHOR}],
                "description": title,
                "content": [
                    {
                        "attachment": {
                            "contentType": "text/plain; charset=utf-8",
                            "language": summary.get("language") or "en",
                            "data": base64.b64encode(text.encode()).decode(),
                            "title": f"{title}: {patient.code}, {summary['start']} – {summary['end']}",
                            "creation": summary["generated_at"],
                        }
                    }
                ],
                "context": {"period": period, "related": [{"reference": f"Composition/{composition_id}"}]},
            },
        },
    ]
