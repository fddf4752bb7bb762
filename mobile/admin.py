from django.contrib import admin

from .models import PatientSchedule, ScheduledQuestionnaire


class ScheduledQuestionnaireInline(admin.TabularInline):
    model = ScheduledQuestionnaire
    extra = 0


@admin.register(PatientSchedule)
class PatientScheduleAdmin(admin.ModelAdmin):
    list_display = ("patient", "checkin_time", "updated_by", "updated_at")
    list_select_related = ("patient", "updated_by")
    search_fields = ("patient__code",)
    raw_id_fields = ("patient", "updated_by")
    inlines = [ScheduledQuestionnaireInline]
