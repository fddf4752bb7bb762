"""GDPR erasure leaves no personal data it does not list (issue 21, item 9). Checked in the
database after the erasure: the schedule, django-axes' attempts and logs of the patient's
username (with IP and user agent) and the login's token rows are gone or emptied; then every
text column of every table is searched for the username, a check-in note and a device
address, and found only in the audit trail, which the erasure response lists as kept with
its reason."""

import datetime as dt

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.db import models
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from mobile.models import PatientSchedule, ScheduledQuestionnaire
from patients.models import AuditEvent
from tests.factories import CheckInFactory, PatientScheduleFactory, PushSubscriptionFactory

NOTE = "slept at my sister's flat in Lyon"


def _axes_rows(username: str) -> None:
    common = {"username": username, "ip_address": "203.0.113.7", "user_agent": "PatientPhone/1.0"}
    AccessAttempt.objects.create(**common, failures_since_start=2, get_data="", post_data="")
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common, locked_out=False)
    AccessLog.objects.create(username="someone-else", ip_address="198.51.100.1", user_agent="x")


def _text_columns_holding(needle: str) -> list[str]:
    found = []
    for model in apps.get_models():
        if model is AuditEvent:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                if model._default_manager.filter(**{f"{field.attname}__contains": needle}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return found


def test_erasure_leaves_no_personal_data_it_does_not_list(patient, patient_client):
    username = patient.user.get_username()
    PatientScheduleFactory(patient=patient)
    device = PushSubscriptionFactory(patient=patient)
    CheckInFactory(patient=patient, note=NOTE, recorded_at=timezone.now() - dt.timedelta(hours=2))
    _axes_rows(username)
    refresh = RefreshToken.for_user(patient.user)
    jti = refresh["jti"]

    response = patient_client.post("/api/v1/me/erase/")

    assert response.status_code == 200
    body = response.json()
    # What went, named in the response ...
    assert body["removed"]["schedule"] == 1
    assert body["removed"]["login_records"] == 3
    assert body["removed"]["tokens"] >= 1
    assert not PatientSchedule.objects.filter(patient=patient).exists()
    assert not ScheduledQuestionnaire.objects.filter(schedule__patient=patient).exists()
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert not model.objects.filter(username=username).exists(), model
    assert AccessLog.objects.filter(username="someone-else").exists()
    # ... the token rows keep only what refuses the token until it expires: no user, no text.
    outstanding = OutstandingToken.objects.get(jti=jti)
    assert (outstanding.user_id, outstanding.token) == (None, "")
    assert BlacklistedToken.objects.filter(token=outstanding).exists()
    # ... and what is kept says why.
    assert set(body["kept"]) == set(body["kept_why"])
    assert {"audit_trail", "consent_history", "alerts", "clinical_events", "patient_code"} <= set(body["kept"])
    assert "token_ids" in body["kept"]

    for needle in (username, NOTE, device.endpoint):
        assert _text_columns_holding(needle) == [], needle
    # The audit trail keeps who did what (GDPR art. 32, HDS), as the response says.
    assert AuditEvent.objects.filter(actor_username=username, action="erase").exists()


def test_the_erased_login_stays_refused(patient, patient_client):
    from rest_framework.test import APIClient

    refresh = RefreshToken.for_user(patient.user)
    patient_client.post("/api/v1/me/erase/")

    response = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": str(refresh)}, format="json")
    assert response.status_code == 401


def test_the_export_lists_the_sign_in_records_erasure_deletes(patient, patient_client):
    _axes_rows(patient.user.get_username())

    records = patient_client.get("/api/v1/me/export/").json()["sign_in_records"]

    assert [(r["ip_address"], r["user_agent"]) for r in records["sign_ins"]] == [("203.0.113.7", "PatientPhone/1.0")]
    assert len(records["failed_attempts"]) == 1
