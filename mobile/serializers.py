from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .due import MAX_EVERY_DAYS, MIN_EVERY_DAYS
from .models import Instrument


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "20:00"}
)
class HourMinuteField(serializers.TimeField):
    """A local time of day written HH:MM (HH:MM:SS accepted on input)."""


class CadenceInputSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=Instrument.choices)
    every_days = serializers.IntegerField(min_value=MIN_EVERY_DAYS, max_value=MAX_EVERY_DAYS)


class ScheduleInputSerializer(serializers.Serializer):
    checkin_time = HourMinuteField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"])
    questionnaires = CadenceInputSerializer(many=True, allow_empty=True)

    def validate_questionnaires(self, value: list[dict]) -> list[dict]:
        instruments = [item["instrument"] for item in value]
        if len(set(instruments)) != len(instruments):
            raise serializers.ValidationError("Each questionnaire may appear once.")
        return value


class QuestionnaireDueSerializer(serializers.Serializer):
    instrument = serializers.CharField()
    every_days = serializers.IntegerField()
    last_completed = serializers.DateField(allow_null=True)
    next_due = serializers.DateField()
    due = serializers.BooleanField()


class CheckinDueSerializer(serializers.Serializer):
    time = HourMinuteField(format="%H:%M")
    done_today = serializers.BooleanField()
    due = serializers.BooleanField()


class MyScheduleSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The patient's local day the answer is computed for.")
    timezone = serializers.CharField()
    enrolled_on = serializers.DateField(help_text="Data from before this local day is not accepted.")
    source = serializers.ChoiceField(choices=["care_team", "default"])  # type: ignore[assignment]  # DRF stubs: Field.source
    checkin = CheckinDueSerializer()
    questionnaires = QuestionnaireDueSerializer(many=True)
    due_today = serializers.ListField(child=serializers.CharField(), help_text='"checkin" and/or instrument names.')
    easy_read = serializers.BooleanField(
        help_text="The care team chose the easy-read app (pictograms, one question per screen); the patient may "
        "change it on the phone."
    )


class AppPreferenceSerializer(serializers.Serializer):
    easy_read = serializers.BooleanField(
        help_text="Easy-read mode: pictograms, short sentences, one question per screen."
    )


class PatientScheduleSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    date = serializers.DateField()
    timezone = serializers.CharField()
    source = serializers.ChoiceField(choices=["care_team", "default"])  # type: ignore[assignment]  # DRF stubs: Field.source
    checkin_time = HourMinuteField(format="%H:%M")
    checkin_done_today = serializers.BooleanField()
    questionnaires = QuestionnaireDueSerializer(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)


class LogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class AppConfigSerializer(serializers.Serializer):
    crisis_line = serializers.CharField()
    emergency_number = serializers.CharField()
    consent_version = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())


class CareTeamContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField(
        allow_blank=True, help_text="The team's number as its admin typed it; blank when not set."
    )
    phone_e164 = serializers.CharField(
        allow_blank=True, help_text="The same number in E.164 (+33145650000), for tel: links; blank when not set."
    )
    phone_national = serializers.CharField(
        allow_blank=True, help_text="The same number as it is shown: its country's national format (01 45 65 00 00)."
    )
    opening_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), help_text="ISO weekdays: 1 Monday ... 7 Sunday."
    )
    opens_at = HourMinuteField(format="%H:%M", allow_null=True, help_text="In the team's time zone.")
    closes_at = HourMinuteField(format="%H:%M", allow_null=True, help_text="In the team's time zone.")
    timezone = serializers.CharField()
    out_of_hours_phone = serializers.CharField(allow_blank=True, help_text="Whom to call when the team is closed.")
    out_of_hours_phone_e164 = serializers.CharField(
        allow_blank=True, help_text="E.164, or the digits of a short number such as 15; for tel: links."
    )
    out_of_hours_phone_national = serializers.CharField(allow_blank=True, help_text="As it is shown.")


class TextPartSerializer(serializers.Serializer):
    text = serializers.CharField()
    tel = serializers.CharField(
        allow_null=True,
        help_text="The number to dial (E.164, or a short number such as 3114) when this part is a phone number.",
    )


class MyCrisisPlanSerializer(serializers.Serializer):
    written = serializers.BooleanField(help_text="False while the care team has written no plan (texts blank).")
    warning_signs = serializers.CharField(allow_blank=True, help_text="Signs that a crisis may be coming.")
    what_helped = serializers.CharField(allow_blank=True, help_text="What helped before.")
    who_to_call = serializers.CharField(allow_blank=True, help_text="Whom to call, as the care team wrote it.")
    who_to_call_parts = TextPartSerializer(
        many=True,
        help_text="`who_to_call` cut into parts, each phone number in it a part with its `tel`; joined, the "
        "parts' texts give `who_to_call` back.",
    )
    updated_at = serializers.DateTimeField(allow_null=True, help_text="When the care team last changed it.")


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(help_text="The browser's P-256 public key, base64url (65 bytes).")
    auth = serializers.CharField(help_text="The authentication secret, base64url (16 bytes).")


class PushSubscriptionInputSerializer(serializers.Serializer):
    """`PushSubscription.toJSON()` as the browser gives it, plus the app's language."""

    endpoint = serializers.URLField(max_length=1000, help_text="An https address of a browser push service.")
    keys = PushKeysSerializer()
    language = serializers.CharField(required=False, allow_blank=True, max_length=8)


class PushSubscriptionDeleteSerializer(serializers.Serializer):
    endpoint = serializers.CharField(max_length=1000)


class PushStatusQuerySerializer(serializers.Serializer):
    endpoint = serializers.CharField(
        required=False, max_length=1000, help_text="This device's subscription endpoint, if it has one."
    )


class PushStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="False when the server has no VAPID key: no reminders by push.")
    public_key = serializers.CharField(allow_null=True, help_text="The applicationServerKey to subscribe with.")
    devices = serializers.IntegerField(help_text="The patient's subscribed devices.")
    subscribed = serializers.BooleanField(help_text="Whether the `endpoint` query parameter is one of them.")
