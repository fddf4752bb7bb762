"""FHIR R4 resources of the platform, built as plain dicts and validated with
`fhir.resources.R4B` by their callers: one module used by the per-patient export
(records/exports.py) and by the FHIR REST API (interop/). Patient (with the INS under the French
OID), Observation (daily measures, questionnaire totals), QuestionnaireResponse, Flag (open
alerts), CarePlan (the crisis plan) and Composition + DocumentReference (the pre-consultation
summary)."""

import base64
import html
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from alerts.models import Alert
from patients.models import CrisisPlan, Patient

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


# The INS (NIR-based "matricule INS") is identified by this OID (ANS, référentiel INS).
INS_NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
ALERT_KINDS = "urn:relapse-monitoring:alert-kind"
CRISIS_PLAN_CATEGORY = "urn:relapse-monitoring:care-plan"


def patient_resource(patient: Patient) -> dict[str, Any]:
    identifiers: list[dict[str, Any]] = [{"system": PATIENT_CODES, "value": patient.code}]
    if patient.ins:
        identifiers.insert(
            0,
            {
                "use": "official",
                "type": {"coding": [{"system": "urn:oid:1.2.250.1.213.1.4.10", "code": "INS-NIR"}]},
                "system": INS_NIR_SYSTEM,
                "value": patient.ins,
            },
        )
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": {"lastUpdated": patient.updated_at.isoformat()},
        "identifier": identifiers,
        "gender": _GENDER.get(patient.sex, "unknown"),
        "birthDate": patient.birth_date.isoformat() if patient.birth_date else f"{patient.birth_year:04d}",
        "active": patient.status == "active",
    }
    return resource


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
    entries: list[dict[str, Any]] = [{"fullUrl": f"urn:uuid:{patient.pk}", "resource": patient_resource(patient)}]
    entries.extend(observation_entries(patient=patient, days=days))
    for q in questionnaires:
        entries.extend(questionnaire_entries(patient=patient, questionnaire=q))
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


def observation_entries(*, patient: Patient, days: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One Observation per measured day and measure (ids stable: patient, day, measure)."""
    subject = {"reference": f"Patient/{patient.pk}"}
    entries: list[dict[str, Any]] = []
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
    return entries


def questionnaire_entries(*, patient: Patient, questionnaire: dict[str, Any]) -> list[dict[str, Any]]:
    """A QuestionnaireResponse and the Observation of its total score."""
    subject = {"reference": f"Patient/{patient.pk}"}
    entries: list[dict[str, Any]] = []
    canonical, loinc_total, display = QUESTIONNAIRES[questionnaire["instrument"]]
    authored = questionnaire["completed_at"].isoformat()
    response_id = str(questionnaire["id"])
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
                    for position, answer in enumerate(questionnaire["answers"], start=1)
                ],
            },
        }
    )
    if questionnaire["total"] is None:
        return entries  # too many items skipped for a total (monitoring/questionnaires.py): none is made up
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
                "valueQuantity": {
                    "value": questionnaire["total"],
                    "unit": "{score}",
                    "system": UCUM,
                    "code": "{score}",
                },
                "interpretation": [{"text": questionnaire["severity"]}],
                "derivedFrom": [{"reference": f"QuestionnaireResponse/{response_id}"}],
            },
        }
    )
    return entries


def flag_resource(alert: Alert) -> dict[str, Any]:
    """An open alert as a Flag: active while open or acknowledged, inactive once resolved."""
    return {
        "resourceType": "Flag",
        "id": str(alert.pk),
        "meta": {"lastUpdated": alert.updated_at.isoformat()},
        "status": "inactive" if alert.status == "resolved" else "active",
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}],
        "code": {
            "coding": [{"system": ALERT_KINDS, "code": alert.kind, "display": alert.get_kind_display()}],
            "text": alert.title,
        },
        "subject": {"reference": f"Patient/{alert.patient_id}"},
        "period": {"start": alert.created_at.isoformat()},
        "extension": [
            {"url": "urn:relapse-monitoring:alert-severity", "valueCode": alert.severity},
        ],
    }


def care_plan_resource(plan: CrisisPlan) -> dict[str, Any]:
    """The crisis plan, written with the patient, as an active CarePlan with its three parts."""
    parts = [
        (str(getattr(CrisisPlan._meta.get_field(name), "verbose_name", name)), getattr(plan, name))
        for name in CrisisPlan.FIELDS
    ]
    div = "".join(
        f"<h3>{html.escape(title.capitalize())}</h3><p>{html.escape(text)}</p>" for title, text in parts if text
    )
    return {
        "resourceType": "CarePlan",
        "id": str(plan.pk),
        "meta": {"lastUpdated": plan.updated_at.isoformat()},
        "status": "active",
        "intent": "plan",
        "category": [{"coding": [{"system": CRISIS_PLAN_CATEGORY, "code": "crisis-plan", "display": "Crisis plan"}]}],
        "title": "Crisis plan",
        "subject": {"reference": f"Patient/{plan.patient_id}"},
        "created": plan.created_at.isoformat(),
        "text": {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{div or "<p>-</p>"}</div>'},
        "note": [{"text": f"{title}: {text}"} for title, text in parts if text],
    }
