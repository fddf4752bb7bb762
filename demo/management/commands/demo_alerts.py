"""Open alerts for the demo dashboard: a safety alert (a PHQ-9 through the ingestion service), a
clinician's manual alert, and whatever the adherence and escalation rules find in the demo
data. Risk alerts come from `score_patients` (nightly scoring calls the risk rule). Safe to
run again: the same day's run creates nothing new."""

import datetime as dt
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from alerts.services import alert_raise_manual, alerts_escalate_due
from monitoring.alerting import adherence_alerts_evaluate
from monitoring.services import ingestion_context, questionnaire_record
from monitoring.validation import validate_questionnaire
from patients.models import Patient, PatientStatus, User

NAMESPACE = uuid.UUID("6f1d3f0e-8f7a-4a51-9c55-3d0f9b8a2c11")


class Command(BaseCommand):
    help = "Raise the demo's open alerts (safety, manual, adherence). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", default="demo")

    def handle(self, *args: Any, **options: Any) -> None:
        patients = list(
            Patient.objects.filter(care_team__name=options["team"], status=PatientStatus.ACTIVE)
            .exclude(code="DEMO-NEW")
            .order_by("code")[:3]
        )
        if not patients:
            self.stdout.write("no demo patients: nothing to raise")
            return
        raised = []
        if self._safety(patients[0]):
            raised.append(f"safety ({patients[0].code})")
        nurse = User.objects.filter(username="nurse").first()
        if nurse is not None and len(patients) > 1:
            _alert, created = alert_raise_manual(
                patient=patients[1],
                title="Family called: worried about sleep and irritability",
                note="Sister says he has barely slept for three nights. Call him today.",
                severity="high",
                created_by=nurse,
                client_id=uuid.uuid5(NAMESPACE, f"manual:{patients[1].code}"),
            )
            if created:
                raised.append(f"manual ({patients[1].code})")
        adherence = adherence_alerts_evaluate()
        escalated = alerts_escalate_due()
        self.stdout.write(
            f"demo alerts: {', '.join(raised) or 'none new'}; adherence {adherence}; escalated {escalated}"
        )

    def _safety(self, patient: Patient) -> bool:
        today = timezone.localdate(timezone=patient.tz)
        completed = dt.datetime.combine(today, dt.time(8, 30), tzinfo=patient.tz)
        if completed > timezone.now():
            completed -= dt.timedelta(days=1)
        payload = {
            "id": str(uuid.uuid5(NAMESPACE, f"safety:{patient.code}:{completed.date().isoformat()}")),
            "instrument": "PHQ-9",
            "answers": [2, 2, 2, 1, 2, 2, 1, 1, 1],
            "completed_at": completed.isoformat(),
        }
        record, errors = validate_questionnaire(payload, ingestion_context(patient=patient))
        if record is None:
            self.stderr.write(f"demo PHQ-9 refused: {errors}")
            return False
        _scored, created = questionnaire_record(patient=patient, record=record)
        return created
