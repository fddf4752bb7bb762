"""Request and response shapes of the ingestion API, for the OpenAPI schema and for output.

Input is validated by monitoring/validation.py (shared with import_cohort); the input
serializers here describe it in the schema and are not used to parse."""

import functools
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from .models import Instrument, RecordingStatus
from .speech import MAX_BYTES, MAX_SECONDS, MIN_SECONDS
from .validation import BOUNDS, EPOCH_SECONDS, MAX_EPOCH_COUNT


def _bounded(name: str, **kwargs: Any) -> serializers.Field:
    """The schema of a number, its limits from the one table (validation.BOUNDS)."""
    bound = BOUNDS[name]
    if bound.integer:
        return serializers.IntegerField(min_value=int(bound.lo), max_value=int(bound.hi), **kwargs)
    return serializers.FloatField(min_value=bound.lo, max_value=bound.hi, **kwargs)


class CheckInInputSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Made by the device; sending it again is idempotent.")
    recorded_at = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset between -15:59 and +15:59.")
    mood = _bounded("mood", help_text="-3 very low ... +3 very elevated")
    anxiety = _bounded("anxiety", required=False, allow_null=True)
    energy = _bounded("energy", required=False, allow_null=True)
    irritability = _bounded("irritability", required=False, allow_null=True)
    sleep_quality = _bounded("sleep_quality", required=False, allow_null=True)
    medication_taken = serializers.BooleanField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True)
    for_next_appointment = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The patient marks the note for their next appointment: the clinicians' pre-consultation "
        "summary quotes it. Optional, default false.",
    )


class CheckInOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    recorded_at = serializers.DateTimeField()
    day = serializers.DateField(help_text="The patient's local day the check-in counts for.")
    mood = serializers.IntegerField()
    anxiety = serializers.IntegerField(allow_null=True)
    energy = serializers.IntegerField(allow_null=True)
    irritability = serializers.IntegerField(allow_null=True)
    sleep_quality = serializers.IntegerField(allow_null=True)
    medication_taken = serializers.BooleanField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    for_next_appointment = serializers.BooleanField()
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="risk_language: the note holds risk language and a safety alert was raised for the care team "
        "(once per check-in). Empty otherwise.",
    )
    crisis_line = serializers.BooleanField(
        help_text="True when the app should show the crisis line now (as after PHQ-9 item 9)."
    )


@functools.cache
def _checkin_output_fields() -> list[tuple[str, Any]]:
    return [(name, field) for name, field in CheckInOutputSerializer().fields.items() if not field.write_only]


def checkin_output(checkin: Any, flags: list[str]) -> dict[str, Any]:
    """`CheckInOutputSerializer({**checkin._asdict(), "flags": flags, "crisis_line": ...}).data`,
    field by field with the same DRF fields, built once per process: a serializer instance deep-
    copies its declared fields each time, which cost the check-in (the phone's hot path) more
    than the rest of its response."""
    values = {**checkin._asdict(), "flags": flags, "crisis_line": bool(flags)}
    return {
        name: None if values[name] is None else field.to_representation(values[name])
        for name, field in _checkin_output_fields()
    }


class QuestionnaireInputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    instrument = serializers.ChoiceField(choices=Instrument.choices)
    answers = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=4, allow_null=True),
        help_text="PHQ-9: 9 items 0-3; GAD-7: 7 items 0-3; ASRM: 5 items 0-4. An item the patient chose to skip "
        "is `null` (stored as missing, never as 0); at least one item must be answered.",
    )
    completed_at = serializers.DateTimeField()


class QuestionnaireOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    total = serializers.IntegerField(
        allow_null=True,
        help_text="The sum of the items. With skipped items: prorated from the answered ones when at most 2 "
        "(PHQ-9) or 1 (GAD-7, ASRM) are skipped (flag `prorated`); null with more (flag `not_scored`).",
    )
    severity = serializers.CharField(
        allow_null=True,
        help_text="PHQ-9: minimal, mild, moderate, moderately_severe, severe; GAD-7: minimal, mild, moderate, "
        "severe; ASRM: below_threshold, likely_mania_or_hypomania. Null when there is no total.",
    )
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="item9_positive (PHQ-9 item 9 > 0), safety_alert (a safety alert was raised for the care team), "
        "mania_screen_positive (ASRM >= 6), prorated (total prorated over skipped items), not_scored (too many "
        "items skipped for a total), item9_not_answered (PHQ-9 item 9 skipped: no safety alert, shown to the "
        "clinicians).",
    )


class _RecordBase(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.CharField()
    start = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset between -15:59 and +15:59.")
    end = serializers.DateTimeField(help_text="After start; at most 24 h later (sleep: 18 h).")


class SleepRecordSerializer(_RecordBase):
    efficiency = _bounded("efficiency", required=False)
    awakenings = _bounded("awakenings", required=False)


class StepsRecordSerializer(_RecordBase):
    count = _bounded("count", help_text="At most 100,000 per day of span.")


class MobilityRecordSerializer(_RecordBase):
    time_at_home_min = _bounded("time_at_home_min", help_text="At most the record's span.")
    distance_km = _bounded("distance_km")
    places_visited = _bounded("places_visited", required=False)


class SpeechRecordSerializer(_RecordBase):
    speech_rate_wpm = _bounded("speech_rate_wpm")
    pause_ratio = _bounded("pause_ratio")
    pitch_mean_hz = _bounded("pitch_mean_hz")
    pitch_sd_hz = _bounded("pitch_sd_hz")
    energy_db = _bounded("energy_db", required=False)


class ScreenRecordSerializer(_RecordBase):
    screen_minutes = _bounded("screen_minutes", help_text="At most the record's span.")
    unlocks = _bounded("unlocks")


class ActivityEpochsRecordSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.CharField(help_text='"activity_epochs"')
    start = serializers.DateTimeField(
        help_text="The first epoch's start, on a whole minute; ISO 8601 with a UTC offset. The record ends "
        "`len(counts) x epoch_seconds` later, at most 24 hours and 5 minutes past now."
    )
    epoch_seconds = serializers.ChoiceField(choices=list(EPOCH_SECONDS), help_text="Sub-minute epochs are summed.")
    counts = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=MAX_EPOCH_COUNT, allow_null=True),
        min_length=1,
        max_length=86_400 // min(EPOCH_SECONDS),
        help_text="One device activity count per epoch from `start` (not steps); null where not recorded "
        "(non-wear, stored as missing, never 0). Whole minutes only, at most 24 hours; the activity consent.",
    )


SignalRecordSerializer = PolymorphicProxySerializer(
    component_name="SignalRecord",
    serializers={
        "sleep": SleepRecordSerializer,
        "steps": StepsRecordSerializer,
        "mobility": MobilityRecordSerializer,
        "speech": SpeechRecordSerializer,
        "screen": ScreenRecordSerializer,
        "activity_epochs": ActivityEpochsRecordSerializer,
    },
    resource_type_field_name="type",
)


class SignalBatchInputSerializer(serializers.Serializer):
    records = serializers.ListField(child=SignalRecordSerializer, min_length=1, max_length=1000)


class RejectedRecordSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the record in `records`.")
    id = serializers.CharField(allow_null=True)

    def get_fields(self) -> dict:
        # `errors` is a Serializer attribute, so this field is added here rather than declared.
        fields = super().get_fields()
        fields["errors"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text='Per field, as in a 400 response: {"count": ["Ensure this value is ..."]}.',
        )
        return fields


class SignalBatchOutputSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Records stored by this request.")
    duplicates = serializers.IntegerField(help_text="Records already stored with the same id and content.")
    rejected = RejectedRecordSerializer(many=True)


class SpeechRecordingInputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    recorded_at = serializers.DateTimeField()
    file = serializers.FileField(
        help_text=f"PCM WAV (RIFF/WAVE), mono or stereo, 8-48 kHz, {MIN_SECONDS:g} to {MAX_SECONDS:g} seconds, "
        f"at most {MAX_BYTES // (1024 * 1024)} MiB."
    )


class SpeechRecordingOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    recorded_at = serializers.DateTimeField()
    duration_s = serializers.FloatField()
    status = serializers.ChoiceField(choices=RecordingStatus.choices)
    error = serializers.CharField(allow_blank=True)
    received_at = serializers.DateTimeField()
    processed_at = serializers.DateTimeField(allow_null=True)
