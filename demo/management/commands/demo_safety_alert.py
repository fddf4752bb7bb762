"""Trigger a live safety alert in the demo: a PHQ-9 with item 9 above 0 is stored for a demo
patient through the ingestion service (the same code as POST /api/v1/questionnaires/), which
raises the critical alert in its transaction and pushes it to open dashboards on commit.

Run it while `make demo` serves and a nurse has /dashboard/ open. With the embedded default
(in-memory channel layer) the push only reaches sockets of the same process, so this command
posts through the running server's API instead when --url is given (the default); --direct
uses the service in this process (reaches dashboards only with Redis as the channel layer)."""

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from monitoring.services import ingestion_context, questionnaire_record
from monitoring.validation import validate_questionnaire
from patients.models import Patient, PatientStatus, Role, User
from patients.services import consent_require


class Command(BaseCommand):
    help = "Post a PHQ-9 with item 9 > 0 for a demo patient: a live safety alert on the nurse dashboard."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patient", help="Patient code (default: the first active patient of team 'demo').")
        parser.add_argument("--item9", type=int, default=2, choices=[1, 2, 3])
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The running server (API path).")
        parser.add_argument("--username", help="The patient's login, for the API path.")
        parser.add_argument("--password", default="demo-patient-2026")
        parser.add_argument("--direct", action="store_true", help="Call the ingestion service in this process.")

    def handle(self, *args: Any, **options: Any) -> None:
        patients = Patient.objects.filter(status=PatientStatus.ACTIVE).select_related("user", "care_team")
        if options["patient"]:
            patient = patients.filter(code=options["patient"]).first()
        else:
            demo = patients.filter(care_team__name="demo").exclude(code="DEMO-NEW").order_by("code")
            patient = demo.filter(user__isnull=False).first() or demo.first()
        if patient is None:
            raise CommandError("No such active patient (run `make demo` first, or pass --patient CODE).")
        answers = [2, 2, 1, 2, 1, 2, 1, 1, options["item9"]]
        payload = {
            "id": str(uuid.uuid4()),
            "instrument": "PHQ-9",
            "answers": answers,
            "completed_at": timezone.now().isoformat(),
        }
        if options["direct"]:
            self._direct(patient, payload)
        else:
            self._via_api(patient, payload, options)
        self.stdout.write(f"PHQ-9 with item 9 = {options['item9']} stored for patient {patient.code}.")

    def _direct(self, patient: Patient, payload: dict) -> None:
        consent_require(patient=patient, scope="self_report")
        record, errors = validate_questionnaire(payload, ingestion_context(patient=patient))
        if record is None:
            raise CommandError(f"invalid questionnaire: {errors}")
        questionnaire_record(patient=patient, record=record)

    def _account(self, patient: Patient, password: str) -> str:
        """The patient's login. A demo-team patient imported without one gets one (demo only)."""
        if patient.user is not None:
            return patient.user.username
        if patient.care_team.name != "demo":
            raise CommandError(
                f"Patient {patient.code} has no account; pass --username, --direct or another --patient."
            )
        user, _created = User.objects.get_or_create(
            username=f"demo-{patient.code.lower()}", defaults={"role": Role.PATIENT}
        )
        user.set_password(password)
        user.save()
        patient.user = user
        patient.save(update_fields=["user", "updated_at"])
        self.stdout.write(f"created the demo login {user.username} / {password} for patient {patient.code}")
        return user.username

    def _via_api(self, patient: Patient, payload: dict, options: dict) -> None:
        username = options["username"] or self._account(patient, options["password"])
        base = options["url"].rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise CommandError("--url must be an http(s) URL.")
        status, body = _post_json(f"{base}/api/v1/auth/token/", {"username": username, "password": options["password"]})
        if status != 200:
            raise CommandError(f"Login as {username} failed ({status}); pass --password.")
        status, body = _post_json(f"{base}/api/v1/questionnaires/", payload, token=body["access"])
        if status not in (200, 201):
            raise CommandError(f"The API refused the questionnaire: {status} {str(body)[:300]}")


def _post_json(url: str, data: dict, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(data).encode(), headers=headers, method="POST")  # noqa: S310
    try:
        # The scheme is checked (http/https only) before any call.
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # nosec B310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except urllib.error.URLError as exc:
        raise CommandError(f"No server at {url}: start `make demo` first, or pass --direct.") from exc
