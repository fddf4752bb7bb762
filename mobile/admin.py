from django.contrib import admin

from patients.admin_audit import AuditedAdminMixin

from .models import PatientSchedule, PushSubscription, ReminderSent, ScheduledQuestionnaire


class ScheduledQuestionnaireInline(admin.TabularInline):
    model = ScheduledQuestionnaire
    extra = 0


@admin.register(PatientSchedule)
class PatientScheduleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("patient", "checkin_time", "updated_by", "updated_at")
    list_select_related = ("patient", "updated_by")
    search_fields = ("patient__code",)
    raw_id_fields = ("patient", "updated_by")
    inlines = [ScheduledQuestionnaireInline]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Support: which devices of a patient get reminders (delete one to stop it)."""

    list_display = ("patient", "language", "created_at", "last_sent_at", "failures")
    list_select_related = ("patient",)
    search_fields = ("patient__code",)
    raw_id_fields = ("patient",)
    readonly_fields = ("endpoint", "p256dh", "auth", "created_at", "last_sent_at", "failures")


@admin.register(ReminderSent)
class ReminderSentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("patient", "day", "sent_at", "devices")
    list_select_related = ("patient",)
    search_fields = ("patient__code",)
    raw_id_fields = ("patient",)
    date_hierarchy = "day"
