"""The application's routes, plus `/boom/<patient id>/`: a view that fails on a database
constraint, with the patient's code in the statement (tests/security/test_served_logs.py)."""

from uuid import UUID

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as application_urls
from patients.models import Patient


def boom(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = Patient.objects.get(pk=patient_id)
    with connection.cursor() as cursor:  # a bug: SQL built by hand, and a duplicate key
        cursor.execute(
            "INSERT INTO patients_patient (id, code, care_team_id, timezone, birth_year, sex, diagnosis,"
            " enrolled_on, status, created_at, updated_at)"
            f" SELECT id, '{patient.code}', care_team_id, timezone, birth_year, sex, diagnosis, enrolled_on,"  # noqa: S608
            " status, created_at, updated_at FROM patients_patient WHERE id = %s",
            [patient.pk.hex if connection.vendor == "sqlite" else patient.pk],
        )
    return HttpResponse("unreachable")


urlpatterns = [path("boom/<uuid:patient_id>/", boom), *application_urls]
