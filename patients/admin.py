from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from .admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin
from .identifiers import finess_normalized, ins_normalized
from .models import (
    AuditEvent,
    CareTeam,
    ClinicalEvent,
    ConsentRecord,
    CrisisPlan,
    EmergencyAccess,
    Establishment,
    Patient,
    User,
    phone_normalized,
)
from .services import (
    account_save,
    care_team_members_set,
    care_team_sockets_rescope,
    clinician_deactivate,
    team_clinician,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Role", {"fields": ("role", "establishment")}))
    list_display = ("username", "role", "establishment", "is_active", "is_staff", "last_login")
    list_filter = ("role", "establishment", "is_active", "is_staff")
    actions = ["deactivate_accounts"]

    def save_model(self, request: HttpRequest, obj: User, form: "ModelForm[User]", change: bool) -> None:
        # Switching an account off is a deactivation: tokens blacklisted, sockets closed.
        account_save(user=obj, was_active=bool(change and form.initial.get("is_active")))

    @admin.action(description="Deactivate the selected accounts (signs them out everywhere)")
    def deactivate_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.order_by("pk"):
            clinician_deactivate(user=user)


class EstablishmentAdminForm(forms.ModelForm):
    finess = forms.CharField(max_length=16, required=False, help_text="9 characters, e.g. 130990013.")

    class Meta:
        model = Establishment
        fields = ("name", "code", "finess")

    def clean_finess(self) -> str:
        value = self.cleaned_data.get("finess") or ""
        return finess_normalized(value) if value.strip() else ""


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    form = EstablishmentAdminForm
    list_display = ("name", "code", "finess")
    search_fields = ("name", "code", "=finess")


@admin.register(CareTeam)
class CareTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "establishment", "timezone", "risk_threshold", "risk_alerts_paused", "adherence_gap_days")
    list_filter = ("establishment",)
    filter_horizontal = ("members",)
    search_fields = ("name",)
    # The E.164 forms are written by CareTeam.clean() from what is typed (patients/phones.py).
    readonly_fields = ("phone_e164", "out_of_hours_phone_e164")

    def save_related(self, request: HttpRequest, form: "ModelForm[CareTeam]", formsets: Any, change: bool) -> None:
        # Membership goes through the service (sockets of the members concerned are rescoped),
        # not through the form's own many-to-many save.
        members = form.cleaned_data.pop("members", None)
        super().save_related(request, form, formsets, change)
        if members is not None:
            care_team_members_set(team=form.instance, users=members)


class PatientAdminForm(forms.ModelForm):
    # Typed as people write it ("+33 6 12 34 56 78"), stored as E.164.
    phone = forms.CharField(
        max_length=32, required=False, help_text="e.g. 06 12 34 56 78 or +33 6 12 34 56 78 (stored as E.164)."
    )
    # Typed as printed on a card ("2 85 05 2A 004 012 20"), stored normalised.
    ins = forms.CharField(
        label="INS", max_length=32, required=False, help_text="15 characters: 13 digits (2A/2B in Corsica) + key."
    )

    class Meta:
        model = Patient
        fields = (
            "code",
            "care_team",
            "timezone",
            "birth_year",
            "sex",
            "diagnosis",
            "status",
            "enrolled_on",
            "ins",
            "birth_date",
            "phone",
            "key_worker",
        )

    def clean_phone(self) -> str:
        return phone_normalized(self.cleaned_data.get("phone") or "")

    def clean_ins(self) -> str:
        ins = ins_normalized(self.cleaned_data.get("ins") or "")
        if ins and Patient.objects.filter(ins=ins).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another patient already has this INS.")
        return ins

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = data.get("birth_date")
        if born is not None and data.get("birth_year") not in (None, born.year):
            self.add_error("birth_year", "The birth year must be the year of the date of birth.")
        worker, team = data.get("key_worker"), data.get("care_team")
        if worker is not None and team is not None and team_clinician(team_id=team.pk, user_id=worker.pk) is None:
            self.add_error("key_worker", "The key worker must be a nurse or psychiatrist of the patient's care team.")
        return data


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = PatientAdminForm
    list_display = ("code", "care_team", "diagnosis", "status", "enrolled_on")
    list_filter = ("care_team__establishment", "care_team", "status", "diagnosis")
    search_fields = ("code",)
    readonly_fields = ("id", "user", "created_at", "updated_at")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Patient], search_term: str
    ) -> tuple[QuerySet[Patient], bool]:
        # A complete, valid INS finds its patient (exact match only); anything else searches codes.
        try:
            ins = ins_normalized(search_term)
        except forms.ValidationError:
            ins = ""
        if ins:
            return queryset.filter(ins=ins), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request: HttpRequest, obj: Patient, form: "ModelForm[Patient]", change: bool) -> None:
        old_team_id = form.initial.get("care_team") if change else None
        super().save_model(request, obj, form, change)
        if change and "care_team" in form.changed_data and old_team_id is not None:
            # The patient's alerts follow them: both teams' open desks are rescoped.
            care_team_sockets_rescope(team_ids=[int(old_team_id), obj.care_team_id])


@admin.register(CrisisPlan)
class CrisisPlanAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("patient", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at", "created_at")

    def save_model(self, request: HttpRequest, obj: CrisisPlan, form: "ModelForm[CrisisPlan]", change: bool) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]  # why: the admin is a signed-in staff User
        super().save_model(request, obj, form, change)


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


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(ReadOnlyAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: accesses are opened, ended and judged through patients.emergency (the review
    page is /dashboard/emergency/review/)."""

    list_display = ("started_at", "patient", "clinician", "establishment", "reason", "end_kind", "verdict")
    list_select_related = ("patient", "clinician", "establishment")
    list_filter = ("reason", "end_kind", "verdict", "establishment")
    search_fields = ("patient__code", "clinician__username")
    date_hierarchy = "started_at"
