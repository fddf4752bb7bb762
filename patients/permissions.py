from typing import Any

from rest_framework.permissions import BasePermission

from .models import Role


class IsClinician(BasePermission):
    message = "This endpoint is for care-team clinicians."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_clinician)


class IsPsychiatrist(BasePermission):
    message = "This endpoint is for psychiatrists."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role == Role.PSYCHIATRIST)


class IsPatient(BasePermission):
    message = "This endpoint is for enrolled patients."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user.is_patient
            and hasattr(user, "patient")
            and user.patient is not None
            and user.patient.status == "active"
        )


class IsAdmin(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and (user.is_staff or user.role == Role.ADMIN))
