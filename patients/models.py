import re
import uuid
import zoneinfo
from typing import Any, NoReturn

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from . import phones
from .identifiers import validate_finess, validate_ins


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown IANA time zone: %(tz)s"), params={"tz": value})


PHONE_RE = re.compile(r"^\+[1-9][0-9]{7,14}$")


def phone_normalized(value: str) -> str:
    """A person's phone number as E.164, read by the one phone rule (`patients/phones.py`:
    libphonenumber, French when typed without a country code: "06 12 34 56 78" and
    "+33 6 12 34 56 78" are both +33612345678). Blank stays blank. Raises ValidationError for
    anything else, short numbers (3114, 15) included: a person has a full number."""
    e164 = phones.phone_e164(value)
    if e164 and not PHONE_RE.match(e164):
        raise ValidationError(
            _("Give a full phone number, e.g. 06 12 34 56 78 or +33 6 12 34 56 78."), code="invalid_phone"
        )
    return e164


def validate_phone(value: str) -> None:
    """The stored form: E.164 exactly (forms and services normalise first)."""
    if value and phone_normalized(value) != value:
        raise ValidationError(_("Store the phone number in E.164 form, e.g. +33612345678."), code="invalid_phone")


OPENING_DAYS_VALIDATOR = RegexValidator(r"^[1-7]{0,7}$", _("ISO weekday numbers 1 (Monday) to 7 (Sunday)."))


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    NURSE = "nurse", _("Nurse")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    ADMIN = "admin", _("Administrator")
    # A clinician of any establishment (an emergency department) who belongs to no care team:
    # she sees nothing but the one patient of an active emergency access (patients.emergency).
    EMERGENCY = "emergency", _("Emergency clinician")


CLINICAL_ROLES = (Role.NURSE, Role.PSYCHIATRIST)


class Establishment(models.Model):
    """A health establishment (a hospital, a clinic) of the territory: care teams belong to one.
    Its FINESS number identifies it nationally; its short code names it on screens and in
    alerts ("CHV")."""

    DEFAULT_CODE = "default"

    name = models.CharField(_("name"), max_length=160, unique=True)
    code = models.SlugField(_("short code"), max_length=16, unique=True)
    finess = models.CharField(
        _("FINESS number"),
        max_length=9,
        blank=True,
        default="",
        validators=[validate_finess],
        help_text=_("9 characters, e.g. 130990013 (2A or 2B for Corsica)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["finess"], condition=~models.Q(finess=""), name="one_establishment_per_finess"
            )
        ]

    def __str__(self) -> str:
        return self.name


def establishment_default_pk() -> int:
    """The establishment a care team created without one joins (the one the migration put the
    existing teams into). Reads the primary key only, so it also serves migrations."""
    pk = Establishment.objects.filter(code=Establishment.DEFAULT_CODE).values_list("pk", flat=True).first()
    if pk is None:
        pk = Establishment.objects.create(code=Establishment.DEFAULT_CODE, name="Default establishment").pk
    return pk


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    # Where the clinician works, for those outside any care team (emergency departments); a
    # team member's establishments are those of her teams.
    establishment = models.ForeignKey(
        Establishment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("establishment"),
    )

    class Meta:
        ordering = ["username"]

    @property
    def is_clinician(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT


class CareTeam(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.PROTECT,
        related_name="care_teams",
        default=establishment_default_pk,
        verbose_name=_("establishment"),
    )
    timezone = models.CharField(max_length=64, default="Europe/Paris", validators=[validate_timezone])
    members = models.ManyToManyField(User, related_name="care_teams", blank=True)
    # Alert policy. A null threshold means "the active model's operating threshold".
    risk_threshold = models.FloatField(null=True, blank=True)
    alert_budget_per_patient_month = models.FloatField(default=1.0)
    risk_alerts_paused = models.BooleanField(default=False)
    adherence_gap_days = models.PositiveSmallIntegerField(default=3)
    escalation_minutes = models.PositiveSmallIntegerField(default=15)
    # How patients reach the team (shown in the phone app: help, crisis and settings screens).
    # As the admin typed it, and its E.164 form (`clean()`, the one phone rule in
    # patients/phones.py) that tel: links dial; shown in the national format.
    phone = models.CharField(_("phone number"), max_length=32, blank=True, help_text=_("e.g. 01 23 45 67 89"))
    phone_e164 = models.CharField(_("phone number (E.164)"), max_length=16, blank=True, editable=False)
    opening_days = models.CharField(
        _("opening days"),
        max_length=7,
        blank=True,
        default="12345",
        validators=[OPENING_DAYS_VALIDATOR],
        help_text=_("Days the team answers the phone, as ISO weekday numbers: 12345 = Monday to Friday."),
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True, help_text=_("Local time, e.g. 09:00"))
    closes_at = models.TimeField(_("closes at"), null=True, blank=True, help_text=_("Local time, e.g. 17:00"))
    out_of_hours_phone = models.CharField(
        _("out-of-hours line"),
        max_length=32,
        blank=True,
        help_text=_("The number patients call when the team is closed (e.g. the on-call psychiatric service)."),
    )
    out_of_hours_phone_e164 = models.CharField(
        _("out-of-hours line (E.164)"), max_length=16, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    PHONE_FIELDS = (("phone", "phone_e164"), ("out_of_hours_phone", "out_of_hours_phone_e164"))

    def clean(self) -> None:
        """Each typed number read by the one phone rule; its E.164 form stored beside it (a
        short number such as 15 or 3114 is kept as its digits)."""
        super().clean()
        errors: dict[str, list[str]] = {}
        for typed, stored in self.PHONE_FIELDS:
            try:
                setattr(self, stored, phones.phone_e164(getattr(self, typed)))
            except ValidationError as exc:
                errors[typed] = list(exc.messages)
        if errors:
            raise ValidationError(errors)


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other / not stated")


class PatientStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISCHARGED = "discharged", _("Discharged")
    ERASED = "erased", _("Erased")


class Patient(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=64, unique=True)
    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="patient")
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    birth_year = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    diagnosis = models.CharField(max_length=8, help_text=_("ICD-10 code, e.g. F20, F31, F33"))
    status = models.CharField(max_length=16, choices=PatientStatus.choices, default=PatientStatus.ACTIVE)
    enrolled_on = models.DateField()
    # National health identifier (INS, NIR-based): 15 characters normalised, blank while not
    # known; found by exact equality only; never logged (patients.identifiers).
    ins = models.CharField(_("INS"), max_length=15, blank=True, default="", validators=[validate_ins])
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # Contact for the alert desk: E.164 (`+` and 8-15 digits), blank when unknown.
    phone = models.CharField(_("phone"), max_length=16, blank=True, default="", validators=[validate_phone])
    # The clinician of the patient's team who knows them best (patients.services checks the team).
    key_worker = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_patients",
        verbose_name=_("key worker"),
        limit_choices_to={"role__in": ["nurse", "psychiatrist"]},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["care_team", "status"])]
        constraints = [models.UniqueConstraint(fields=["ins"], condition=~models.Q(ins=""), name="one_patient_per_ins")]

    def __str__(self) -> str:
        return self.code

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


def patient_lock_clause(alias: str) -> str:
    """The row lock every writer of a patient's data takes until its commit, as SQL to append
    to a SELECT of the patient's row aliased `alias`: FOR NO KEY UPDATE on PostgreSQL (writes
    serialise per patient, so a day's summary is recomputed from every row committed before
    it, and inserts elsewhere that reference the patient are not blocked); nothing on SQLite,
    which serialises writers anyway."""
    if not connection.features.has_select_for_update:
        return ""
    return f" FOR NO KEY UPDATE OF {alias}" if connection.vendor == "postgresql" else " FOR UPDATE"


def patient_lock(patient_id: uuid.UUID) -> None:
    """Take the patient row lock (`patient_lock_clause`) until the caller's transaction commits.
    The caller is inside transaction.atomic; one patient at a time, so there is no lock order."""
    table = connection.ops.quote_name(Patient._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id FROM {table} p WHERE p.id = %s{patient_lock_clause('p')}",  # noqa: S608  # nosec B608
            [Patient._meta.pk.get_db_prep_value(patient_id, connection)],
        )


class EnrollmentCode(models.Model):
    """A single-use code a nurse gives a patient to pair the phone app. Only its keyed hash
    is stored: the clear code exists in the creation response and nowhere else."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="enrollment_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class CrisisPlan(models.Model):
    """A patient's short crisis plan, written with them: what to watch for, whom to call, what
    helped before. One per patient; every read and change is audited by the API."""

    TEXT_MAX = 2000
    FIELDS = ("warning_signs", "who_to_call", "what_helped")

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="crisis_plan")
    warning_signs = models.TextField(_("warning signs"), blank=True, max_length=TEXT_MAX)
    who_to_call = models.TextField(_("who to call"), blank=True, max_length=TEXT_MAX)
    what_helped = models.TextField(_("what helped before"), blank=True, max_length=TEXT_MAX)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"crisis plan of {self.patient_id}"


class ConsentScope(models.TextChoices):
    SELF_REPORT = "self_report", _("Self-reports (check-ins and questionnaires)")
    SLEEP = "sleep", _("Sleep")
    ACTIVITY = "activity", _("Activity (steps)")
    MOBILITY = "mobility", _("Mobility (time at home, distance)")
    SPEECH = "speech", _("Speech features from voice diaries")
    RISK_SCORING = "risk_scoring", _("Relapse-risk scoring")
    # Opt-out: emergency access is allowed unless the patient withdrew this scope (withdrawing
    # it needs no earlier grant; patients.services.consent_withdraw).
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access by clinicians of other establishments")


# Scopes in force unless withdrawn (the others: only once granted).
OPT_OUT_SCOPES = frozenset({ConsentScope.EMERGENCY_ACCESS.value})


class ConsentRecord(models.Model):
    """One grant of one scope. Withdrawal closes the grant; history is never rewritten."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=32, choices=ConsentScope.choices)
    version = models.CharField(max_length=32)
    granted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "scope", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "scope"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_active_consent_per_scope",
            )
        ]


class ClinicalEventKind(models.TextChoices):
    RELAPSE = "relapse", _("Relapse")
    HOSPITALIZATION = "hospitalization", _("Hospitalisation")
    CRISIS_VISIT = "crisis_visit", _("Crisis visit")
    MEDICATION_CHANGE = "medication_change", _("Medication change")


LABEL_EVENT_KINDS = (ClinicalEventKind.RELAPSE, ClinicalEventKind.HOSPITALIZATION)


class ClinicalEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=ClinicalEventKind.choices)
    date = models.DateField()
    note = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A hospital stay's last day (hospitalisations only; null while unknown or ongoing).
    end_date = models.DateField(null=True, blank=True)
    # When its author last edited it; who changed which fields is in the audit trail.
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "date"]
        constraints = [models.UniqueConstraint(fields=["patient", "kind", "date"], name="one_event_per_kind_per_day")]


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The audit trail is append-only; use audit_purge_expired().")


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    ERASE = "erase", _("Erase")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Login failed")
    DENIED = "denied", _("Access denied")
    # An emergency ("break-the-glass") access starting and ending (FHIR purpose of use BTG).
    EMERGENCY_START = "btg_start", _("Emergency access opened")
    EMERGENCY_STOP = "btg_stop", _("Emergency access closed")


class AuditEvent(models.Model):
    """Who did what to whose data, when, from where. Append-only: no foreign keys, so that
    deleting a user or erasing a patient never rewrites the trail."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=16, blank=True)
    patient_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    resource = models.CharField(max_length=120)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient_id", "at"]),
            models.Index(fields=["actor_id", "at"]),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only.")


class EmergencyReason(models.TextChoices):
    UNABLE_TO_COMMUNICATE = "unable_to_communicate", _("The patient cannot give their history")
    SUICIDE_RISK = "suicide_risk", _("Suicide risk or self-harm")
    AGITATION = "agitation", _("Acute agitation or psychosis")
    INTOXICATION = "intoxication", _("Intoxication or overdose")
    TREATMENT_DECISION = "treatment_decision", _("Urgent treatment decision")
    OTHER = "other", _("Other (explained below)")


class EmergencyVerdict(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    NOT_JUSTIFIED = "not_justified", _("Not justified")


class EmergencyEnd(models.TextChoices):
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    CONSENT = "consent", _("Consent withdrawn")


class EmergencyAccess(models.Model):
    """A "break-the-glass" access: one emergency clinician, one patient, read-only, from
    `started_at` until `expires_at` unless ended earlier (`ended_at`). Who, from where and why
    are kept here for the review; the audit trail has its start and stop entries."""

    REASON_TEXT_MAX = 500

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="emergency_accesses")
    clinician = models.ForeignKey(User, on_delete=models.PROTECT, related_name="emergency_accesses")
    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.CharField(_("reason"), max_length=32, choices=EmergencyReason.choices)
    reason_text = models.TextField(_("details"), max_length=REASON_TEXT_MAX)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_kind = models.CharField(max_length=16, choices=EmergencyEnd.choices, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verdict = models.CharField(_("verdict"), max_length=16, choices=EmergencyVerdict.choices, blank=True)
    verdict_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verdict_at = models.DateTimeField(null=True, blank=True)
    verdict_note = models.TextField(_("verdict note"), blank=True, max_length=REASON_TEXT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["clinician", "expires_at"]),
            models.Index(fields=["patient", "started_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")), name="emergency_expires_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True, end_kind="")
                | models.Q(ended_at__isnull=False) & ~models.Q(end_kind=""),
                name="emergency_end_has_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict="", verdict_at__isnull=True)
                | ~models.Q(verdict="") & models.Q(verdict_at__isnull=False),
                name="emergency_verdict_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"emergency access {self.pk}"

    def active_at(self, now: Any) -> bool:
        return self.ended_at is None and self.started_at <= now < self.expires_at
