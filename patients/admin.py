from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from .admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin
from .models import AuditEvent, CareTeam, ClinicalEvent, ConsentRecord, Patient, User
from .services import account_save, care_team_members_set, clinician_deactivate


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Role", {"fields": ("role",)}))
    list_display = ("username", "role", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    actions = ["deactivate_accounts"]

    def save_model(self, request: HttpRequest, obj: User, form: "ModelForm[User]", change: bool) -> None:
        # Switching an account off is a deactivation: tokens blacklisted, sockets closed.
        account_save(user=obj, was_active=bool(change and form.initial.get("is_active")))

    @admin.action(description="Deactivate the selected accounts (signs them out everywhere)")
    def deactivate_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.order_by("pk"):
            clinician_deactivate(user=user)


@admin.register(CareTeam)
class CareTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "risk_threshold", "risk_alerts_paused", "adherence_gap_days")
    filter_horizontal = ("members",)
    search_fields = ("name",)

    def save_related(self, request: HttpRequest, form: "ModelForm[CareTeam]", formsets: Any, change: bool) -> None:
        # Membership goes through the service (sockets of the members concerned are rescoped),
        # not through the form's own many-to-many save.
        members = form.cleaned_data.pop("members", None)
        super().save_related(request, form, formsets, change)
        if members is not None:
            care_team_members_set(team=form.instance, users=members)


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "care_team", "diagnosis", "status", "enrolled_on")
    list_filter = ("care_team", "status", "diagnosis")
    search_fields = ("code",)
    readonly_fields = ("id", "user", "created_at", "updated_at")


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: consent is granted and withdrawn by the patient (patients.services)."""

    list_display = ("patient", "scope", "version", "granted_at", "withdrawn_at")
    list_filter = ("scope",)
    readonly_fields = [f.name for f in ConsentRecord._meta.fields]


@admin.register(ClinicalEvent)
class ClinicalEventAdmin(ReadOnlyAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: events are the model's training labels, recorded by clinicians through the
    events API (patients.services), which keeps who recorded them."""

    list_display = ("patient", "kind", "date", "recorded_by")
    list_select_related = ("patient", "recorded_by")
    list_filter = ("kind",)
    search_fields = ("patient__code",)


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor_username", "actor_role", "action", "resource", "patient_id", "ip", "status_code")
    list_filter = ("action", "actor_role", "resource")
    search_fields = ("actor_username", "patient_id", "resource", "path")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
