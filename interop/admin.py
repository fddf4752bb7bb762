from django.contrib import admin

from .models import FhirSystem


@admin.register(FhirSystem)
class FhirSystemAdmin(admin.ModelAdmin):
    list_display = ("name", "client_id", "establishment", "allowed_scopes", "active", "created_at")
    list_filter = ("active", "establishment")
    search_fields = ("name", "client_id")
