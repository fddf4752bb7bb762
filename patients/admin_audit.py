"""The admin site's audit trail: one mixin for every ModelAdmin of a model holding patient
data (patients, clinical events, consents, schedules, push subscriptions, reminders, the audit
trail itself).

What is written, through `patients.audit` like any other access:
- a change list or a search: a `read` of `admin:<model>_list`, one row per patient shown
  (so each patient's access log shows it), with the search query, the filters, the page and
  the number of rows;
- a change form, a read-only view, a history or a delete confirmation: a `read` of
  `admin:<model>` for that object's patient;
- a saved change, an addition, a deletion (one or by the bulk action): `update`, `create`,
  `delete` of `admin:<model>`, with the names of the changed fields (never their values)."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.contrib import admin
from django.db.models import Model
from django.forms import BaseFormSet, Form
from django.http import HttpRequest, HttpResponse

from .audit import audit_record, audit_record_patients
from .models import AuditAction, Patient

_CHANGED = "_audit_changed_fields"


def patient_id_of(obj: Any) -> UUID | None:
    """The patient an admin object belongs to (the patient itself for a Patient)."""
    if isinstance(obj, Patient):
        return obj.pk
    return getattr(obj, "patient_id", None)


class AuditedAdminMixin(admin.ModelAdmin):
    """Admins' access to patient data is audited like anyone's (module docstring)."""

    def _resource(self, *, listing: bool = False) -> str:
        return f"admin:{self.model._meta.model_name}" + ("_list" if listing else "")

    def _object_patient(self, object_id: str | None) -> UUID | None:
        if object_id is None:
            return None
        try:
            obj = self.get_object_for_audit(object_id)
        except (ValueError, TypeError):
            return None
        return patient_id_of(obj) if obj is not None else None

    def get_object_for_audit(self, object_id: str) -> Model | None:
        return self.model._default_manager.filter(pk=object_id).first()

    def _read(self, request: HttpRequest, object_id: str, view: str) -> None:
        audit_record(
            request=request,
            action=AuditAction.READ,
            resource=self._resource(),
            patient_id=self._object_patient(object_id),
            detail={"view": view, "object": str(object_id)[:64]},
        )

    # --- reads --------------------------------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if response.status_code != 200:
            return response
        changelist = context.get("cl")
        if changelist is not None:
            shown = list(changelist.result_list)
            filters = {
                key: value[:100]
                for key, value in request.GET.items()
                if key not in ("q", "p", "o", "_changelist_filters")
            }
            audit_record_patients(
                request=request,
                action=AuditAction.READ,
                resource=self._resource(listing=True),
                patient_ids=[patient_id_of(obj) for obj in shown],
                detail={
                    "query": (changelist.query or "")[:200],
                    "filters": filters,
                    "page": changelist.page_num,
                    "count": len(shown),
                    "total": changelist.result_count,
                },
            )
        elif "queryset" in context:  # an action's confirmation page (e.g. delete selected)
            audit_record_patients(
                request=request,
                action=AuditAction.READ,
                resource=self._resource(),
                patient_ids=[patient_id_of(obj) for obj in context["queryset"]],
                detail={"view": "action_confirmation", "action": request.POST.get("action", "")[:64]},
            )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # A form shown (GET, or a POST sent back with errors) is a read; a saved change was
        # recorded by log_change as an update.
        if response.status_code == 200:
            self._read(request, object_id, "change" if self.has_change_permission(request) else "view")
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._read(request, object_id, "history")
        return response

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().delete_view(request, object_id, extra_context)
        if response.status_code == 200:  # the confirmation page; the deletion is log_deletions
            self._read(request, object_id, "delete_confirmation")
        return response

    # --- writes: Django's admin log hooks, called once the change is saved ----------------------

    def construct_change_message(
        self, request: HttpRequest, form: Form, formsets: Iterable[BaseFormSet], add: bool = False
    ) -> list[dict[str, Any]]:
        formsets = list(formsets or [])
        changed = list(form.changed_data)
        for formset in formsets:
            prefix = formset.prefix
            if getattr(formset, "new_objects", None):
                changed.append(f"{prefix}:added")
            for _obj, names in getattr(formset, "changed_objects", None) or []:
                changed.extend(f"{prefix}.{name}" for name in names)
            if getattr(formset, "deleted_objects", None):
                changed.append(f"{prefix}:deleted")
        setattr(request, _CHANGED, list(dict.fromkeys(changed)))
        return super().construct_change_message(request, form, formsets, add)

    def _write(self, request: HttpRequest, obj: Any, action: str) -> None:
        audit_record(
            request=request,
            action=action,
            resource=self._resource(),
            patient_id=patient_id_of(obj),
            detail={"object": str(obj.pk)[:64], "changed": getattr(request, _CHANGED, [])},
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._write(request, obj, AuditAction.CREATE)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._write(request, obj, AuditAction.UPDATE)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        objects = list(queryset)
        audit_record_patients(
            request=request,
            action=AuditAction.DELETE,
            resource=self._resource(),
            patient_ids=[patient_id_of(obj) for obj in objects],
            detail={"objects": [str(obj.pk)[:64] for obj in objects][:100], "count": len(objects)},
        )
        return super().log_deletions(request, queryset)


class ReadOnlyAdminMixin(admin.ModelAdmin):
    """Shown, never changed here: the changes go through the services (with their rules,
    their audit and their side effects)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
