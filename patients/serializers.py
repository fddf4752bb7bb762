import re
import zoneinfo
from datetime import date

from django.utils import timezone
from rest_framework import serializers

from .models import AuditAction, CareTeam, ClinicalEventKind, ConsentScope, Sex

ICD10_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


def validate_tz(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise serializers.ValidationError(f"Unknown IANA time zone: {value}.")


class CareTeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareTeam
        fields = ["id", "name"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.CharField()
    patient_id = serializers.UUIDField(allow_null=True)
    care_teams = CareTeamRefSerializer(many=True)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class EnrollInputSerializer(serializers.Serializer):
    enrollment_code = serializers.CharField(max_length=32)
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})


class EnrollOutputSerializer(TokenPairSerializer):
    patient_id = serializers.UUIDField()


class PatientCreateInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[A-Za-z0-9_.-]{1,64}$", max_length=64)
    care_team = serializers.IntegerField()
    timezone = serializers.CharField(max_length=64, validators=[validate_tz])
    birth_year = serializers.IntegerField(min_value=1900)
    sex = serializers.ChoiceField(choices=Sex.choices)
    diagnosis = serializers.CharField(max_length=8)
    enrolled_on = serializers.DateField(required=False)

    def validate_birth_year(self, value: int) -> int:
        if value > timezone.now().year:
            raise serializers.ValidationError("Birth year cannot be in the future.")
        return value

    def validate_diagnosis(self, value: str) -> str:
        value = value.strip().upper()
        if not ICD10_RE.match(value):
            raise serializers.ValidationError("Give an ICD-10 code such as F20, F31 or F33.1.")
        return value

    def validate(self, attrs: dict) -> dict:
        enrolled_on: date | None = attrs.get("enrolled_on")
        if enrolled_on is not None:
            today = timezone.localdate(timezone=zoneinfo.ZoneInfo(attrs["timezone"]))
            if enrolled_on > today:
                raise serializers.ValidationError({"enrolled_on": ["The enrolment date cannot be in the future."]})
        return attrs


class EnrollmentCodeOutputSerializer(serializers.Serializer):
    enrollment_code = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ClinicalEventInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ClinicalEventKind.choices)
    date = serializers.DateField()
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class ClinicalEventOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    date = serializers.DateField()
    note = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username", default=None)
    created_at = serializers.DateTimeField()
    end_date = serializers.DateField(allow_null=True, help_text="A hospitalisation's last day, if known")
    edited_at = serializers.DateTimeField(allow_null=True, help_text="When its author last edited it")


class ConsentInputSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=32)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ConsentScope.choices), min_length=1)


class ConsentWithdrawInputSerializer(serializers.Serializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ConsentScope.choices), min_length=1)


class ConsentRecordSerializer(serializers.Serializer):
    scope = serializers.CharField()
    version = serializers.CharField()
    granted_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class ConsentStateSerializer(serializers.Serializer):
    active_scopes = serializers.ListField(child=serializers.CharField())
    available_scopes = serializers.ListField(child=serializers.CharField())
    history = ConsentRecordSerializer(many=True)


class AccessLogEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    who = serializers.CharField(source="actor_username")
    role = serializers.CharField(source="actor_role")
    action = serializers.CharField()
    resource = serializers.CharField()


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor_id = serializers.IntegerField(allow_null=True)
    actor_username = serializers.CharField()
    actor_role = serializers.CharField()
    patient_id = serializers.UUIDField(allow_null=True)
    action = serializers.CharField()
    resource = serializers.CharField()
    method = serializers.CharField()
    path = serializers.CharField()
    ip = serializers.IPAddressField(allow_null=True)
    status_code = serializers.IntegerField(allow_null=True)
    detail = serializers.JSONField()


class AuditSearchInputSerializer(serializers.Serializer):
    patient = serializers.UUIDField(required=False)
    actor = serializers.CharField(required=False, max_length=150)
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
