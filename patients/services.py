import functools
import hashlib
import hmac
import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from .audit import audit_append, audit_append_clause
from .errors import ConsentRequired, DomainError, IdempotencyConflict
from .identifiers import finess_normalized, ins_normalized
from .models import (
    CLINICAL_ROLES,
    OPT_OUT_SCOPES,
    AuditEvent,
    CareTeam,
    ClinicalEvent,
    ConsentRecord,
    ConsentScope,
    CrisisPlan,
    EnrollmentCode,
    Establishment,
    Patient,
    PatientStatus,
    Role,
    User,
    patient_lock_clause,
    phone_normalized,
)
from .sockets import user_sockets_close, user_sockets_rescope_on_commit

# Unambiguous characters only: codes are read aloud and typed on a phone.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 10


def establishment_create(*, code: str, name: str, finess: str = "") -> Establishment:
    """Create (or find by its short code) an establishment; the FINESS number is normalised
    and checked (DomainError when wrong)."""
    try:
        finess = finess_normalized(finess) if finess else ""
    except DjangoValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    establishment, created = Establishment.objects.get_or_create(code=code, defaults={"name": name, "finess": finess})
    if not created and (establishment.name, establishment.finess) != (name, finess or establishment.finess):
        establishment.name, establishment.finess = name, finess or establishment.finess
        establishment.save(update_fields=["name", "finess", "updated_at"])
    return establishment


def care_team_create(
    *, name: str, timezone_name: str = "Europe/Paris", establishment: Establishment | None = None
) -> CareTeam:
    """Create (or find by name) a care team; without an establishment it joins the default one.
    An existing team given an establishment moves to it."""
    defaults: dict[str, object] = {"timezone": timezone_name}
    if establishment is not None:
        defaults["establishment"] = establishment
    team, created = CareTeam.objects.get_or_create(name=name, defaults=defaults)
    if not created and establishment is not None and team.establishment_id != establishment.pk:
        team.establishment = establishment
        team.save(update_fields=["establishment", "updated_at"])
    return team


def clinician_create(*, username: str, role: str, team: CareTeam, password: str | None = None) -> tuple[User, str]:
    if role not in CLINICAL_ROLES:
        raise DomainError(f"A clinician's role is one of {', '.join(CLINICAL_ROLES)}.")
    password = password or secrets.token_urlsafe(12)
    user, created = User.objects.get_or_create(username=username, defaults={"role": role})
    if not created and user.role != role:
        user.role = role
        user.save(update_fields=["role"])
    user.set_password(password)
    user.save(update_fields=["password"])
    care_team_members_add(team=team, users=[user])
    return user, password


def emergency_clinician_create(
    *, username: str, establishment: Establishment, password: str | None = None
) -> tuple[User, str]:
    """An emergency-department clinician: the `emergency` role, an establishment, no care team
    (she sees nothing but the patient of an emergency access in force: patients.emergency)."""
    password = password or secrets.token_urlsafe(12)
    user, _created = User.objects.get_or_create(username=username, defaults={"role": Role.EMERGENCY})
    user.role, user.establishment = Role.EMERGENCY, establishment
    user.set_password(password)
    user.save(update_fields=["role", "establishment", "password"])
    user.care_teams.clear()
    return user, password


# --- Accounts and care-team membership -----------------------------------------------------
# Every change of who may see what goes through these: the sockets of the users concerned are
# closed or rescoped after the commit, whatever made the change (admin, command, service).


def care_team_members_add(*, team: CareTeam, users: Iterable[User]) -> None:
    users = list(users)
    with transaction.atomic():
        team.members.add(*users)
        user_sockets_rescope_on_commit(user_ids=[u.pk for u in users])


def care_team_members_set(*, team: CareTeam, users: Iterable[User]) -> None:
    """Make `users` the team's members; those added or taken off have their sockets rescoped."""
    wanted = {u.pk for u in users}
    with transaction.atomic():
        current = set(team.members.values_list("pk", flat=True))
        team.members.set(list(wanted))
        user_sockets_rescope_on_commit(user_ids=current ^ wanted)


def user_sessions_end(*, user_id: int, reason: str | None) -> int:
    """End the token sessions of an account: its outstanding refresh tokens are blacklisted
    and, with a `reason` ("deactivated", "password"), its open sockets close after the commit
    (the socket says why). Access tokens already issued stop working through simplejwt's
    `CHECK_REVOKE_TOKEN` (password change) or `is_active` (deactivation), or expire within
    `JWT_ACCESS_MINUTES`. Returns the number of refresh tokens blacklisted."""
    with transaction.atomic():
        outstanding = OutstandingToken.objects.filter(user_id=user_id).exclude(blacklistedtoken__isnull=False)
        created = BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
        )
        if reason is not None:
            transaction.on_commit(functools.partial(user_sockets_close, user_id, reason=reason))
    return len(created)


def refresh_token_reuse_end_family(*, token: object) -> int | None:
    """Reuse detection for rotating refresh tokens. `token` was refused by the refresh
    endpoint; if it is a genuine (well signed, unexpired) refresh token that is already
    blacklisted (rotated out, or signed out), someone presented a token that should be gone: a
    copy was taken. Its family (every token rotated from the same sign-in: the `fam` claim of
    patients.tokens) is blacklisted, so whoever holds the newest one must sign in again; the
    account's other sign-ins (other devices) keep working. A token without a family (issued
    before families existed) revokes every refresh token of the account. Returns the account's
    id when that happened, else None (garbage, forged or expired tokens)."""
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.tokens import UntypedToken

    from .tokens import FAMILY_CLAIM

    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        # why: simplejwt types `token` as Token; it takes the encoded str
        payload = UntypedToken(token).payload  # type: ignore[arg-type]  # signature and expiry only
    except TokenError:
        return None
    if payload.get(api_settings.TOKEN_TYPE_CLAIM) != "refresh":
        return None
    jti = payload.get(api_settings.JTI_CLAIM)
    if not jti or not BlacklistedToken.objects.filter(token__jti=jti).exists():
        return None
    try:
        user_id = int(str(payload.get(api_settings.USER_ID_CLAIM)))
    except (TypeError, ValueError):
        return None
    family = payload.get(FAMILY_CLAIM)
    if not family:
        user_sessions_end(user_id=user_id, reason=None)
        return user_id
    outstanding = OutstandingToken.objects.filter(user_id=user_id, expires_at__gt=timezone.now()).exclude(
        blacklistedtoken__isnull=False
    )
    members = [row for row in outstanding if _token_family(row.token) == family]
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=row) for row in members], ignore_conflicts=True)
    return user_id


def _token_family(encoded: str) -> object:
    from rest_framework_simplejwt.tokens import UntypedToken

    from .tokens import FAMILY_CLAIM

    # A row the server wrote itself: read without checking again what was checked at issue.
    return UntypedToken(encoded, verify=False).get(FAMILY_CLAIM)  # type: ignore[arg-type]  # why: takes the encoded str


def clinician_deactivate(*, user: User) -> bool:
    """Deactivate an account: no new sign-in, refresh tokens blacklisted, and every open socket
    of theirs closed (after the commit). True if the account changed."""
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        user_sessions_end(user_id=user.pk, reason="deactivated")
    user.is_active = False
    return bool(changed)


def account_save(*, user: User, was_active: bool) -> None:
    """Save an account edited by an administrator. Switching `is_active` off is a
    deactivation (`clinician_deactivate`), not a mere field change."""
    deactivating = was_active and not user.is_active
    if deactivating:
        user.is_active = True
    with transaction.atomic():
        user.save()
        if deactivating:
            clinician_deactivate(user=user)


_UNSET_ID: object = object()


def _hash_code(code: str) -> str:
    normalized = code.strip().upper().replace("-", "").replace(" ", "")
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def enrollment_code_issue(*, patient: Patient, created_by: User | None = None) -> str:
    """A new single-use code for the patient; earlier unused codes stop working."""
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        EnrollmentCode.objects.filter(patient=patient, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        EnrollmentCode.objects.create(
            patient=patient,
            code_hash=_hash_code(code),
            expires_at=now + timedelta(hours=settings.ENROLLMENT_CODE_TTL_HOURS),
            created_by=created_by,
        )
    return f"{code[:5]}-{code[5:]}"


@transaction.atomic
def patient_create(
    *,
    code: str,
    care_team: CareTeam,
    timezone_name: str,
    birth_year: int,
    sex: str,
    diagnosis: str,
    enrolled_on: date | None = None,
    created_by: User | None = None,
) -> tuple[Patient, str]:
    if Patient.objects.filter(code=code).exists():
        raise DomainError(f"A patient with code {code} already exists.")
    patient = Patient.objects.create(
        code=code,
        care_team=care_team,
        timezone=timezone_name,
        birth_year=birth_year,
        sex=sex,
        diagnosis=diagnosis.upper(),
        enrolled_on=enrolled_on or timezone.localdate(timezone=zoneinfo.ZoneInfo(timezone_name)),
    )
    return patient, enrollment_code_issue(patient=patient, created_by=created_by)


class EnrollmentError(DomainError):
    pass


@transaction.atomic
def patient_enroll(*, code: str, username: str, password: str) -> Patient:
    """Pair a patient with a new account. The code works once and not after expiry."""
    now = timezone.now()
    entry = (
        EnrollmentCode.objects.select_for_update().select_related("patient").filter(code_hash=_hash_code(code)).first()
    )
    if entry is None or entry.used_at is not None or entry.expires_at <= now:
        raise EnrollmentError("This enrolment code is not valid or has expired. Ask your care team for a new one.")
    patient = entry.patient
    if patient.status != PatientStatus.ACTIVE:
        raise EnrollmentError("This enrolment code is not valid or has expired. Ask your care team for a new one.")
    if patient.user_id is not None:
        raise EnrollmentError("This patient already has an account. Ask your care team for help.")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("This username is taken; choose another.")
    user = User(username=username, role=Role.PATIENT)
    validate_password(password, user=user)
    user.set_password(password)
    # Guarded by state: a concurrent enrolment with the same code updates nothing.
    if EnrollmentCode.objects.filter(pk=entry.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise EnrollmentError("This enrolment code is not valid or has expired. Ask your care team for a new one.")
    try:
        user.save()
    except IntegrityError as exc:
        raise DomainError("This username is taken; choose another.") from exc
    patient.user = user
    patient.save(update_fields=["user", "updated_at"])
    return patient


# --- Consent ---------------------------------------------------------------------------


@transaction.atomic
def consent_grant(
    *, patient: Patient, version: str, scopes: Iterable[str], at: datetime | None = None
) -> list[ConsentRecord]:
    """Grant scopes. A scope already granted under the same version stays as it is; under
    another version the old grant is closed and a new one opened, so history is kept."""
    at = at or timezone.now()
    granted = []
    for scope in sorted(set(scopes)):
        if scope not in ConsentScope.values:
            raise DomainError(f"Unknown consent scope: {scope}")
        active = (
            ConsentRecord.objects.select_for_update()
            .filter(patient=patient, scope=scope, withdrawn_at__isnull=True)
            .first()
        )
        if active is not None and active.version == version:
            granted.append(active)
            continue
        if active is not None:
            active.withdrawn_at = at
            active.save(update_fields=["withdrawn_at"])
        granted.append(ConsentRecord.objects.create(patient=patient, scope=scope, version=version, granted_at=at))
    return granted


@transaction.atomic
def consent_withdraw(*, patient: Patient, scopes: Iterable[str], at: datetime | None = None) -> int:
    scopes = set(scopes)
    unknown = scopes - set(ConsentScope.values)
    if unknown:
        raise DomainError(f"Unknown consent scope: {', '.join(sorted(unknown))}")
    at = at or timezone.now()
    withdrawn = ConsentRecord.objects.filter(patient=patient, scope__in=scopes, withdrawn_at__isnull=True).update(
        withdrawn_at=at
    )
    # An opt-out scope (emergency access) is in force without a grant: withdrawing it when
    # there is none on record leaves a withdrawn record, which is what excludes it.
    for scope in sorted(scopes & OPT_OUT_SCOPES):
        if not ConsentRecord.objects.filter(patient=patient, scope=scope, withdrawn_at__isnull=True).exists() and (
            not ConsentRecord.objects.filter(patient=patient, scope=scope, withdrawn_at=at).exists()
        ):
            ConsentRecord.objects.create(patient=patient, scope=scope, version="", granted_at=at, withdrawn_at=at)
            withdrawn += 1
    return withdrawn


def consent_refused(
    *, patient: Patient, scopes: Iterable[str], lock: bool = False, audit: AuditEvent | None = None
) -> set[str]:
    """The one consent gate every ingestion path passes, for one or several scopes: the scopes
    without consent in force, judged now, when the data arrives (all of them when the patient
    is not active). One query whatever the number of scopes; with `lock=True` the same query
    also locks the patient's row until commit (FOR NO KEY UPDATE: ingestion serialises per
    patient, and inserts elsewhere that reference the patient are not blocked). `audit`, the
    request's audit row not yet written (`patients.audit.audit_event`), is written in the same
    statement on PostgreSQL (one round trip fewer on the check-in), else just before it."""
    wanted = sorted(set(scopes))
    clause = None
    if audit is not None:
        clause = audit_append_clause(audit) if wanted and patient.status == PatientStatus.ACTIVE else None
        if clause is None:
            audit_append(audit)
    if not wanted:
        return set()
    if patient.status != PatientStatus.ACTIVE:
        return set(wanted)
    # Raw SQL: this runs on every ingestion request, and compiling the ORM's equivalent (a
    # subquery per scope) costs more than the query itself.
    patient_table = connection.ops.quote_name(Patient._meta.db_table)
    consent_table = connection.ops.quote_name(ConsentRecord._meta.db_table)
    statement = (
        f"SELECT p.status, c.scope FROM {patient_table} p "  # noqa: S608  # nosec B608
        f"LEFT JOIN {consent_table} c ON c.patient_id = p.id AND c.withdrawn_at IS NULL "
        "WHERE p.id = %s"
    )
    if lock:
        statement += patient_lock_clause("p")
    params = [Patient._meta.pk.get_db_prep_value(patient.pk, connection)]
    if clause is not None:
        statement, params = clause[0] + statement, [*clause[1], *params]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    if not rows or rows[0][0] != PatientStatus.ACTIVE:
        return set(wanted)
    granted = {scope for _status, scope in rows if scope}
    return {scope for scope in wanted if scope not in granted}


def consent_require(*, patient: Patient, scope: str) -> None:
    """`consent_refused` for one scope, as an exception (ConsentRequired, a 403)."""
    if consent_refused(patient=patient, scopes=[scope]):
        raise ConsentRequired(scope)


def consent_active_scopes(*, patient: Patient) -> set[str]:
    """The scopes in force: those granted and not withdrawn, and the opt-out ones (emergency
    access) unless withdrawn and not granted again. None for a patient who is not active. One query."""
    if patient.status != PatientStatus.ACTIVE:
        return set()
    rows = list(ConsentRecord.objects.filter(patient=patient).values_list("scope", "withdrawn_at"))
    active = {scope for scope, withdrawn_at in rows if withdrawn_at is None}
    on_record = {scope for scope, _withdrawn_at in rows}
    return active | (OPT_OUT_SCOPES - on_record)


# --- Clinical events --------------------------------------------------------------------


def clinical_event_record(
    *, patient: Patient, kind: str, on: date, note: str = "", recorded_by: User | None = None
) -> tuple[ClinicalEvent, bool]:
    """Record an event; the same kind on the same day is the same event (idempotent import)."""
    existing = ClinicalEvent.objects.filter(patient=patient, kind=kind, date=on).first()
    if existing is not None:
        if existing.note != note and note:
            raise IdempotencyConflict(f"{kind} on {on.isoformat()}")
        return existing, False
    try:
        with transaction.atomic():
            event = ClinicalEvent.objects.create(
                patient=patient, kind=kind, date=on, note=note, recorded_by=recorded_by
            )
    except IntegrityError:
        return ClinicalEvent.objects.get(patient=patient, kind=kind, date=on), False
    return event, True


# --- National health identifier (INS) -------------------------------------------------------


def patient_identity_set(*, patient: Patient, ins: object = _UNSET_ID, birth_date: object = _UNSET_ID) -> list[str]:
    """Set the patient's INS (normalised and checked; blank clears it) and/or date of birth
    (which also sets the birth year). Returns the fields that changed (the caller audits their
    names, never the values). Raises DomainError for a bad INS, an INS another patient holds,
    or a birth date in the future; the message never repeats the INS."""
    changed: list[str] = []
    if ins is not _UNSET_ID:
        try:
            normalized = ins_normalized(str(ins or ""))
        except DjangoValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        if normalized and Patient.objects.filter(ins=normalized).exclude(pk=patient.pk).exists():
            raise DomainError("Another patient already has this INS.")
        if normalized != patient.ins:
            patient.ins = normalized
            changed.append("ins")
    if birth_date is not _UNSET_ID:
        if birth_date is not None and not isinstance(birth_date, date):
            raise DomainError("The date of birth must be a date.")
        if birth_date is not None and birth_date > timezone.localdate():
            raise DomainError("The date of birth cannot be in the future.")
        if birth_date != patient.birth_date:
            patient.birth_date = birth_date
            changed.append("birth_date")
            if birth_date is not None and patient.birth_year != birth_date.year:
                patient.birth_year = birth_date.year
                changed.append("birth_year")
    if changed:
        try:
            with transaction.atomic():
                patient.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:
            raise DomainError("Another patient already has this INS.") from exc
    return changed


# --- Contact, key worker, care team, crisis plan ----------------------------------------------

_UNSET: object = object()


def team_clinician(*, team_id: int, user_id: int | None) -> User | None:
    """The active nurse or psychiatrist `user_id` if a member of the team, else None."""
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id, is_active=True, role__in=CLINICAL_ROLES, care_teams__id=team_id).first()


def patient_contact_update(*, patient: Patient, phone: object = _UNSET, key_worker_id: object = _UNSET) -> list[str]:
    """Change the patient's phone (normalised to E.164) and/or key worker (a clinician of the
    patient's team, or None). Returns the fields that changed (the caller audits them).
    Raises DomainError for a bad phone or a key worker outside the team."""
    changed: list[str] = []
    if phone is not _UNSET:
        try:
            normalized = phone_normalized(str(phone or ""))
        except DjangoValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        if normalized != patient.phone:
            patient.phone = normalized
            changed.append("phone")
    if key_worker_id is not _UNSET:
        if key_worker_id is not None:
            worker = team_clinician(team_id=patient.care_team_id, user_id=int(str(key_worker_id)))
            if worker is None:
                raise DomainError("The key worker must be a nurse or psychiatrist of the patient's care team.")
        if key_worker_id != patient.key_worker_id:
            patient.key_worker_id = key_worker_id  # type: ignore[assignment]  # why: an int id or None, checked above
            changed.append("key_worker")
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
    return changed


def patient_care_team_move(*, patient: Patient, team: CareTeam) -> bool:
    """Move a patient to another care team. Their alerts follow them (alerts are scoped by
    the patient's current team), so the sockets of both teams' members are rescoped after the
    commit: the old team's desks drop the patient at once. A key worker outside the new team is
    cleared. True if the team changed."""
    with transaction.atomic():
        current = Patient.objects.select_for_update().get(pk=patient.pk)
        old_team_id = current.care_team_id
        if old_team_id == team.pk:
            return False
        fields = ["care_team", "updated_at"]
        current.care_team = team
        if current.key_worker_id is not None and team_clinician(team_id=team.pk, user_id=current.key_worker_id) is None:
            current.key_worker = None
            fields.append("key_worker")
        current.save(update_fields=fields)
        care_team_sockets_rescope(team_ids=[old_team_id, team.pk])
    patient.care_team, patient.key_worker_id = current.care_team, current.key_worker_id
    return True


def care_team_sockets_rescope(*, team_ids: Iterable[int]) -> None:
    """After the commit, rescope the sockets of every member of these teams (what they may
    see changed: a patient moved in or out)."""
    members = User.objects.filter(care_teams__id__in=list(team_ids)).values_list("pk", flat=True)
    user_sockets_rescope_on_commit(user_ids=list(members))


def crisis_plan_save(*, patient: Patient, user: User | None, **texts: str) -> tuple[CrisisPlan, list[str]]:
    """Create or update the patient's crisis plan with the given texts (`warning_signs`,
    `who_to_call`, `what_helped`; others unchanged). Returns the plan and the fields that
    changed (the caller audits them); nothing changed writes nothing."""
    unknown = set(texts) - set(CrisisPlan.FIELDS)
    if unknown:
        raise DomainError(f"Unknown crisis plan fields: {', '.join(sorted(unknown))}")
    cleaned = {name: (value or "").strip() for name, value in texts.items()}
    for name, value in cleaned.items():
        if len(value) > CrisisPlan.TEXT_MAX:
            raise DomainError(f"{name}: at most {CrisisPlan.TEXT_MAX} characters.")
    with transaction.atomic():
        plan, _created = CrisisPlan.objects.select_for_update().get_or_create(patient=patient)
        changed = [name for name, value in cleaned.items() if getattr(plan, name) != value]
        if changed:
            for name in changed:
                setattr(plan, name, cleaned[name])
            plan.updated_by = user
            plan.save()
    return plan, changed
