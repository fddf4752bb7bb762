"""Everything `make demo` needs: a care team, clinicians, a synthetic cohort, a trained and
active model, scores and alerts. Safe to run again: it reuses what exists."""

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Max
from django.utils import timezone

from ml import services as ml_services
from ml.alerting import risk_alerts_evaluate
from ml.cohort import TIMEZONES
from ml.models import ModelVersion, RiskScore
from monitoring.models import DailySummary
from patients.errors import DomainError
from patients.identifiers import finess_with_key, ins_display, ins_with_key
from patients.models import CareTeam, ClinicalEvent, CrisisPlan, Patient, User
from patients.services import (
    care_team_create,
    clinician_create,
    crisis_plan_save,
    emergency_clinician_create,
    enrollment_code_issue,
    establishment_create,
    patient_contact_update,
    patient_create,
    patient_identity_set,
)

DEMO_TEAM = "demo"
DEMO_STEPS = 6  # the numbered steps of handle() (`_step`)
# The patient the README walks through (seed 7, 60 patients, 180 days): schizoaffective, a
# relapse 11 days before the cohort's last day; in the 10 days before it sleep shortens (to
# 4-6 h on several nights, usually about 7.5 h), mood falls and PHQ-9 rises, and the risk score rises from
# 3% to 6%. tests/demo/test_story.py checks what the README says about it.
STORY_PATIENT = "DEMO-S7-0006"
# The model predicts a relapse within 14 days: the story's alert rule looks that far back.
STORY_HORIZON_DAYS = 14
# The synthetic cohort records a hospitalisation's first day only: the demo gives each stay
# this length (to the cohort's last day at most), so the charts draw stays as spans.
DEMO_STAY_DAYS = 12
# The emergency department's clinician (third establishment): opens a patient's record in an
# emergency by INS and date of birth (README, "Emergency access").
DEMO_EMERGENCY_LOGIN = ("urgences", "demo-emergency-2026")
DEMO_PATIENT_USERNAME = "patient"
DEMO_PATIENT_PASSWORD = "demo-patient-2026"  # noqa: S105  # nosec B105 - printed demo login
DEMO_LOGINS = [
    ("nurse", "nurse", "demo-nurse-2026"),
    ("psychiatrist", "psychiatrist", "demo-psychiatrist-2026"),
    ("nurse_other", "nurse", "demo-nurse-2026"),
]


# The territory's three establishments (fiction: names, and FINESS numbers in an unused range of
# department 13 with a valid check digit). The demo team works at the first, the other team at
# the second; the third runs the emergency department.
DEMO_ESTABLISHMENTS = [
    ("chv", "Centre hospitalier de Valmont", finess_with_key("13099001")),
    ("chsl", "CHS Les Lauriers", finess_with_key("13099002")),
    ("cum", "Centre d'urgences du Mistral", finess_with_key("13099003")),
]
# Departments of birth the demo's fiction INS cycle through (Corsica's 2A and 2B included).
DEMO_BIRTH_DEPARTMENTS = ["13", "83", "84", "2A", "2B", "04", "99"]


def demo_ins(*, sex: str, born: dt.date, n: int) -> str:
    """A fiction INS with a valid key: sex, year and month of birth, a department of the list,
    commune 9xx and order number n (unique per demo patient)."""
    department = DEMO_BIRTH_DEPARTMENTS[n % len(DEMO_BIRTH_DEPARTMENTS)]
    body = f"{2 if sex == 'F' else 1}{born.year % 100:02d}{born.month:02d}{department}9{n % 100:02d}{n:03d}"
    return ins_with_key(body)


def demo_birth_date(*, code: str, year: int) -> dt.date:
    """A stable fiction date of birth in the patient's birth year."""
    digest = int(hashlib.sha256(code.encode()).hexdigest()[:8], 16)
    return dt.date(year, 1 + digest % 12, 1 + (digest // 12) % 28)


# The demo cohort's weekends fall as if its last day were a Tuesday, whatever the calendar
# says (ml.cohort_latent.CohortConfig.weekday_of_end).
DEMO_WEEKDAY_OF_END = 1


def last_day_over_everywhere(now: dt.datetime) -> dt.date:
    """The cohort's last day: one that is over in every time zone the generator gives
    patients (a day still under way somewhere would hold records from that zone's future,
    which the import refuses)."""
    return min(now.astimezone(ZoneInfo(name)).date() for name, _share in TIMEZONES) - dt.timedelta(days=1)


class Command(BaseCommand):
    help = "Set up the demo: care team, clinicians, synthetic cohort, model, scores. Prints the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=60)
        parser.add_argument("--days", type=int, default=180)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="do not print the logins at the end (`make demo` prints them with demo_logins --wait once the "
            "server listens)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        establishments = [
            establishment_create(code=code, name=name, finess=finess) for code, name, finess in DEMO_ESTABLISHMENTS
        ]
        team = care_team_create(name=DEMO_TEAM, establishment=establishments[0])
        other = care_team_create(name="other-team", establishment=establishments[1])
        for username, role, password in DEMO_LOGINS:
            clinician_create(
                username=username, role=role, team=other if username.endswith("other") else team, password=password
            )
        emergency_clinician_create(
            username=DEMO_EMERGENCY_LOGIN[0], establishment=establishments[2], password=DEMO_EMERGENCY_LOGIN[1]
        )
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "", "demo-admin-2026", role="admin")

        key_file = getattr(settings, "WEBPUSH_VAPID_PRIVATE_KEY_FILE", "")
        if key_file and not settings.WEBPUSH_VAPID_PRIVATE_KEY:
            if not Path(key_file).exists():  # the demo's own key: reminders by Web Push work out of the box
                call_command("webpush_keys", write=key_file)
        cohort = Path(settings.BASE_DIR) / "var" / "demo-cohort.jsonl"
        self._step("Synthetic cohort")
        if not Patient.objects.filter(care_team=team).exists():
            cohort.parent.mkdir(parents=True, exist_ok=True)
            end = last_day_over_everywhere(timezone.now())
            call_command(
                "generate_cohort",
                patients=options["patients"],
                days=options["days"],
                seed=options["seed"],
                out=str(cohort),
                team=DEMO_TEAM,
                end=end.isoformat(),
                # The same data whatever the day of the week: the README's story patient (and
                # the model trained on 60 patients, which a shifted weekend moves) as checked.
                weekday_of_end=DEMO_WEEKDAY_OF_END,
            )
        self._step("Importing the cohort's history (daily summaries)")
        if cohort.exists():
            # History, without live alerts (no `--raise-alerts`): a PHQ-9 answered months ago
            # must not open the desk as a new emergency. The desk opens on the alerts of the
            # last days: the last week's scoring below, and demo_alerts' safety alert of today.
            call_command("import_cohort", str(cohort))
        self._demo_stays(team)
        self._step("Training the model (folds, fitting, threshold, evaluation)")
        self._train_four_eyes()
        # Two months of history for the charts, without alerts (nobody is paged for last
        # month's scores), then the last week as the nightly runs would have scored it:
        # risk alerts (with their hysteresis) for the patients whose score rose lately.
        # Up to the cohort's last day: a day after it has no data for anyone, which the
        # model rightly reads as risk, and would page for every patient at once.
        last = self._last_data_day(team)
        self._step("Scoring two months of history (no alerts)")
        call_command(
            "score_patients",
            **{
                "from": (last - dt.timedelta(days=60)).isoformat(),
                "to": (last - dt.timedelta(days=7)).isoformat(),
                "no_alerts": True,
            },
        )
        self._story_alert(team, last - dt.timedelta(days=7))
        self._step("Scoring the last week (risk alerts)")
        call_command(
            "score_patients",
            **{"from": (last - dt.timedelta(days=6)).isoformat(), "to": last.isoformat()},
        )

        self._step("Alerts, the demo patient's phone, contacts and crisis plans")
        call_command("demo_alerts")
        self._demo_patient_login(team)

        # A patient who has not enrolled yet, to try the phone app's enrolment.
        newcomer = Patient.objects.filter(code="DEMO-NEW").first()
        if newcomer is None:
            newcomer, code = patient_create(
                code="DEMO-NEW", care_team=team, timezone_name="Europe/Paris", birth_year=1990, sex="F", diagnosis="F33"
            )
        else:
            code = enrollment_code_issue(patient=newcomer) if newcomer.user_id is None else "(already enrolled)"
        self._demo_contacts(team)
        self._demo_identities(team)
        self.stdout.write(f"Demo data ready ({time.monotonic() - self._started:.0f} s).")
        if not options["no_logins"]:
            print_logins(self.stdout.write, code)

    _started = 0.0
    _done = 0

    def _step(self, title: str) -> None:
        """One line per long step, numbered, with the time since the start: `make demo` is
        never silent for minutes (the steps' own bars follow: cohort, import, training, scoring)."""
        if not self._started:
            self._started = time.monotonic()
        self._done += 1
        elapsed = time.monotonic() - self._started
        self.stdout.write(f"[{self._done}/{DEMO_STEPS}] {title}... ({elapsed:.0f} s)")

    def _demo_identities(self, team: CareTeam) -> None:
        """Each demo patient without one gets a fiction INS and date of birth (kept on a re-run)."""
        for n, patient in enumerate(Patient.objects.filter(care_team=team).order_by("code"), start=1):
            if patient.ins:
                continue
            born = patient.birth_date or demo_birth_date(code=patient.code, year=patient.birth_year)
            try:
                patient_identity_set(patient=patient, ins=demo_ins(sex=patient.sex, born=born, n=n), birth_date=born)
            except DomainError:
                continue  # that fiction number is taken (a user set it on another patient)

    def _demo_contacts(self, team: CareTeam) -> None:
        """What the desk's cards and the phone's help screen show: the team's phone and hours,
        each patient's phone and key worker, and a crisis plan for the patients with an open
        alert. Numbers are in the range France reserves for fiction (01 99 00 xx xx). Only
        what is still blank is filled, so a re-run keeps what a user changed."""
        if not team.phone:
            team.phone, team.out_of_hours_phone = "01 99 00 10 00", "01 99 00 19 99"
            team.opening_days, team.opens_at, team.closes_at = "12345", dt.time(9, 0), dt.time(17, 30)
            team.clean()  # the one phone rule: the E.164 forms beside the typed numbers
            team.save(
                update_fields=[
                    "phone",
                    "phone_e164",
                    "out_of_hours_phone",
                    "out_of_hours_phone_e164",
                    "opening_days",
                    "opens_at",
                    "closes_at",
                ]
            )
        workers = list(User.objects.filter(care_teams=team, role__in=["nurse", "psychiatrist"]).order_by("role", "pk"))
        if workers:
            User.objects.filter(username="nurse", first_name="").update(first_name="Claire", last_name="Martin")
            User.objects.filter(username="psychiatrist", first_name="").update(first_name="Paul", last_name="Durand")
        patients = Patient.objects.filter(care_team=team, status="active").order_by("code")
        for n, patient in enumerate(patients):
            if not patient.phone:
                patient_contact_update(
                    patient=patient,
                    phone=f"+3319900{2000 + n:04d}",
                    key_worker_id=workers[n % len(workers)].pk if workers else None,
                )
        plans = [
            {
                "warning_signs": "Sleeps less than 5 hours for two nights; stops answering messages; "
                "talks of being a burden.",
                "who_to_call": "Sister (Anne) +33 1 99 00 30 01; key worker on the team's line; out of hours 3114.",
                "what_helped": "A call the same day; a short stay at the crisis centre in 2025; "
                "walking with the peer worker.",
            },
            {
                "warning_signs": "Spends a lot in a few days; very little sleep without feeling tired; "
                "irritable with family.",
                "who_to_call": "Partner (Marc) +33 1 99 00 30 02; the team's psychiatrist.",
                "what_helped": "Adjusting the mood stabiliser early; a quiet week off work.",
            },
        ]
        with_alerts = Patient.objects.filter(care_team=team, alerts__status="open").distinct().order_by("code")
        for n, patient in enumerate([*with_alerts[:6], *patients.filter(code=STORY_PATIENT)]):
            if not CrisisPlan.objects.filter(patient=patient).exists():
                crisis_plan_save(patient=patient, user=None, **plans[n % len(plans)])

    def _train_four_eyes(self) -> None:
        """The four-eyes model change (docs/model.md, "In service"): the demo admin trains a
        candidate, the demo psychiatrist compares it with the active version (none on a fresh
        database) and activates it. The same path every later version takes."""
        call_command("train_model", trained_by="admin")
        candidate = ModelVersion.objects.order_by("-created_at", "-pk").first()
        reviewer = User.objects.get(username="psychiatrist")
        if candidate is not None and not candidate.is_active:
            candidate = ml_services.model_compare(model_version=candidate, user=reviewer)
            ml_services.model_activate_reviewed(model_version=candidate, user=reviewer)

    def _demo_stays(self, team: CareTeam) -> None:
        last = self._last_data_day(team)
        for event in ClinicalEvent.objects.filter(
            patient__care_team=team, kind="hospitalization", end_date__isnull=True, recorded_by__isnull=True
        ):
            event.end_date = min(event.date + dt.timedelta(days=DEMO_STAY_DAYS - 1), last)
            event.save(update_fields=["end_date"])

    def _story_alert(self, team: CareTeam, history_end: dt.date) -> None:
        """The README's patient: its relapse fell in the history scored without alerts, so
        the risk rule is applied to its scores of the 14 days before the relapse, as the
        nightly runs would have, and its alert history shows the alert they raise (anchored
        on the score's day, raised now). Every other patient's history stays without alerts."""
        relapse = (
            ClinicalEvent.objects.filter(
                patient__care_team=team, patient__code=STORY_PATIENT, kind="relapse", date__lte=history_end
            )
            .order_by("-date")
            .first()
        )
        if relapse is None:
            return
        score_ids = list(
            RiskScore.objects.filter(
                patient=relapse.patient,
                date__gte=relapse.date - dt.timedelta(days=STORY_HORIZON_DAYS),
                date__lt=relapse.date,
            ).values_list("pk", flat=True)
        )
        raised = risk_alerts_evaluate(score_ids=score_ids)
        self.stdout.write(f"story patient {STORY_PATIENT}: relapse {relapse.date}, {raised} risk alert(s) raised")

    @staticmethod
    def _last_data_day(team: CareTeam) -> dt.date:
        """The last local day the demo team's data reaches (the cohort's end)."""
        last = DailySummary.objects.filter(patient__care_team=team).aggregate(last=Max("date"))["last"]
        return last or last_day_over_everywhere(timezone.now())

    def _demo_patient_login(self, team: CareTeam) -> None:
        """Give one imported patient (preferably one who relapsed) a phone-app login."""
        if Patient.objects.filter(care_team=team, user__username=DEMO_PATIENT_USERNAME).exists():
            return
        candidates = Patient.objects.filter(care_team=team, user__isnull=True, status="active").exclude(code="DEMO-NEW")
        patient = (
            candidates.filter(events__kind="relapse").order_by("code").first() or candidates.order_by("code").first()
        )
        if patient is None:
            return
        user = User.objects.filter(username=DEMO_PATIENT_USERNAME).first()
        if user is None:
            user = User(username=DEMO_PATIENT_USERNAME, role="patient")
        user.set_password(DEMO_PATIENT_PASSWORD)
        user.save()
        patient.user = user
        patient.save(update_fields=["user", "updated_at"])


def print_logins(write: Callable[[str], Any], code: str) -> None:
    """The addresses and logins of the demo; `code` is DEMO-NEW's enrolment code."""
    w = write
    w("")
    w("=" * 68)
    # The address `make demo` / `make up` serve on: HOST and PORT (Makefile).
    base = f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
    w(f"Demo ready on {base}")
    w(f"  Nurse dashboard:     {base}/dashboard/")
    w(f"  Patients and charts: {base}/dashboard/patients/")
    w(f"  Patient phone app:   {base}/app/")
    w(f"  API docs:            {base}/api/docs/")
    w(f"  Admin:               {base}/admin/")
    w("Logins (username / password):")
    for username, role, password in DEMO_LOGINS:
        w(f"  {role:<13} {username:<14} / {password}")
    w(f"  {'admin':<13} {'admin':<14} / demo-admin-2026")
    er_user, er_password = DEMO_EMERGENCY_LOGIN
    w(f"  {'emergency':<13} {er_user:<14} / {er_password} ({base}/dashboard/emergency/)")
    story = Patient.objects.filter(code=STORY_PATIENT).exclude(ins="").first()
    if story is not None and story.birth_date is not None:
        # Fiction identifiers (demo data only); never logged by the application itself.
        w(f"  emergency access to try: INS {ins_display(story.ins)}, born {story.birth_date.isoformat()}")
    demo_patient = Patient.objects.filter(user__username=DEMO_PATIENT_USERNAME).first()
    if demo_patient is not None:
        w(f"  {'patient':<13} {DEMO_PATIENT_USERNAME:<14} / {DEMO_PATIENT_PASSWORD} ({demo_patient.code})")
    w(f"Enrolment code for new patient DEMO-NEW (phone app): {code}")
    w("=" * 68)
