"""Response shapes of the clinicians' read side (patients with their overview, timelines,
risk scores, erasure), for output and the OpenAPI schema."""

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts.serializers import UserRefSerializer, user_ref
from patients.models import CrisisPlan, Patient, phone_normalized
from patients.query import AsciiIntegerField, BoundedDateField

from .overview import PatientOverview
from .search import RANK_CAP, SearchHit


class PatientUpdateInputSerializer(serializers.Serializer):
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="e.g. 06 12 34 56 78 or +33 6 12 34 56 78 (read as French without a country code; stored as "
        "E.164); blank to clear.",
    )
    key_worker = serializers.IntegerField(
        required=False, allow_null=True, help_text="A nurse or psychiatrist of the patient's team; null to clear."
    )

    def validate_phone(self, value: str) -> str:
        try:
            return phone_normalized(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError({"detail": ["Send `phone` and/or `key_worker`."]})
        return attrs


class CrisisPlanSerializer(serializers.Serializer):
    warning_signs = serializers.CharField(max_length=CrisisPlan.TEXT_MAX, allow_blank=True, trim_whitespace=True)
    who_to_call = serializers.CharField(max_length=CrisisPlan.TEXT_MAX, allow_blank=True, trim_whitespace=True)
    what_helped = serializers.CharField(max_length=CrisisPlan.TEXT_MAX, allow_blank=True, trim_whitespace=True)
    updated_by = UserRefSerializer(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class CardPatientSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    diagnosis = serializers.CharField()
    diagnosis_label = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    key_worker = UserRefSerializer(allow_null=True)
    care_team = serializers.IntegerField()
    time_zone = serializers.CharField()


class CardRiskSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.FloatField()
    percent = serializers.FloatField()
    text = serializers.CharField()
    threshold_percent = serializers.FloatField()
    threshold_text = serializers.CharField()
    band = serializers.CharField()
    band_label = serializers.CharField()
    band_meaning = serializers.CharField()


class CardSparkPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.FloatField(allow_null=True)


class CardPreviousAlertSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    title_display = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class PatientCardSerializer(serializers.Serializer):
    """For the schema: the context of an alert card (records.cards.patient_cards)."""

    patient = CardPatientSerializer()
    risk = CardRiskSerializer(allow_null=True)
    sparkline = CardSparkPointSerializer(many=True, help_text="The last 30 days, oldest first; null: no score.")
    last_checkin_at = serializers.DateTimeField(allow_null=True)
    last_passive_data_at = serializers.DateTimeField(allow_null=True)
    crisis_plan = CrisisPlanSerializer(allow_null=True)
    previous_alerts = CardPreviousAlertSerializer(many=True, help_text="The last 90 days, newest first.")


class LatestRiskSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.FloatField()
    band = serializers.CharField()


class PatientOutputSerializer(serializers.ModelSerializer):
    care_team = serializers.IntegerField(source="care_team_id")
    care_team_name = serializers.CharField(source="care_team.name")
    latest_risk = serializers.SerializerMethodField()
    open_alerts = serializers.SerializerMethodField()
    enrolled = serializers.SerializerMethodField()
    key_worker = serializers.SerializerMethodField(
        help_text="The clinician of the team who knows the patient best: {id, username, name}, or null."
    )

    class Meta:
        model = Patient
        fields = [
            "id",
            "code",
            "care_team",
            "care_team_name",
            "timezone",
            "birth_year",
            "sex",
            "diagnosis",
            "status",
            "enrolled_on",
            "enrolled",
            "latest_risk",
            "open_alerts",
            "created_at",
            "phone",
            "key_worker",
        ]

    @extend_schema_field(LatestRiskSerializer(allow_null=True))
    def get_latest_risk(self, obj: Patient) -> dict | None:
        if getattr(obj, "latest_risk_date", None) is None:
            return None
        overview = cast(PatientOverview, obj)  # annotated by patients_with_overview
        return {
            "date": overview.latest_risk_date,
            "score": overview.latest_risk_score,
            "band": overview.latest_risk_band,
        }

    def get_open_alerts(self, obj: Patient) -> int:
        return getattr(obj, "open_alert_count", None) or 0

    def get_enrolled(self, obj: Patient) -> bool:
        return obj.user_id is not None

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_key_worker(self, obj: Patient) -> dict[str, Any] | None:
        return user_ref(obj.key_worker)


class PatientCreatedSerializer(PatientOutputSerializer):
    enrollment_code = serializers.CharField()

    class Meta(PatientOutputSerializer.Meta):
        fields = [*PatientOutputSerializer.Meta.fields, "enrollment_code"]


class PatientListQuerySerializer(serializers.Serializer):
    """The patient list's filters. Text never holds a NUL byte; `care_team` is a number
    written with ASCII digits (anything else is a 400 naming the parameter)."""

    search = serializers.CharField(required=False, max_length=64, help_text="Part of the patient code.")
    care_team = AsciiIntegerField(required=False, min_value=1, help_text="A care team id (from /me/).")
    diagnosis = serializers.CharField(required=False, max_length=8, help_text="Start of the ICD-10 code, e.g. F3.")
    status = serializers.CharField(required=False, max_length=16, help_text="active or discharged.")


class RiskScoresQuerySerializer(serializers.Serializer):
    start = BoundedDateField(required=False)
    end = BoundedDateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end:
            if end < start:
                raise serializers.ValidationError({"end": ["The end date is before the start date."]})
            if (end - start).days > 1100:
                raise serializers.ValidationError({"end": ["A range of more than 1,100 days is not served."]})
        return attrs


class ExplanationFactorSerializer(serializers.Serializer):
    feature = serializers.CharField(help_text="Factor group, e.g. sleep_hours, logging, phq9")
    label = serializers.CharField(  # type: ignore[assignment]  # why: DRF stubs type Field.label as str | None
        help_text="The factor in a nurse's words, with numbers, in the request language"
    )
    direction = serializers.ChoiceField(choices=["up", "down"], help_text="up: raises the risk; down: lowers it")
    weight = serializers.FloatField(help_text="Change in probability this factor causes (score minus score as usual)")


class RiskDisplaySerializer(serializers.Serializer):
    percent = serializers.FloatField(allow_null=True, help_text="The score in percent, one decimal")
    text = serializers.CharField(help_text='e.g. "4.8%", French "4,8 %"')
    threshold_percent = serializers.FloatField(allow_null=True)
    threshold_text = serializers.CharField()
    band = serializers.CharField(allow_null=True)
    band_label = serializers.CharField(allow_blank=True)
    band_meaning = serializers.CharField(allow_blank=True)


class RiskScoreOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.FloatField(help_text="Probability of relapse or hospitalisation in the next 14 days")
    band = serializers.ChoiceField(choices=["low", "medium", "high"])
    model_version = serializers.CharField()
    threshold = serializers.FloatField(help_text="The care team's operating threshold when scored")
    explanation = ExplanationFactorSerializer(many=True, help_text="Empty for nurses (psychiatrists read explanations)")
    display = RiskDisplaySerializer(help_text="The score as every page words it (alerts.factors.risk_display)")
    raising = ExplanationFactorSerializer(
        many=True, help_text="The explanation's factors that raised the risk: the reasons (empty for nurses)"
    )
    lowering = ExplanationFactorSerializer(
        many=True, help_text="The other factors: those that lowered the risk, and improvements (empty for nurses)"
    )


class RiskEpisodeAlertSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    score_date = serializers.DateField(help_text="The day of the score that raised it")
    created_at = serializers.DateTimeField()
    status = serializers.CharField()
    severity = serializers.CharField()
    title = serializers.CharField(help_text="In the request language")


class RiskEpisodeSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day at or above the threshold (cut at the range's start)")
    end = serializers.DateField(help_text="Last day at or above the threshold (cut at the range's end)")
    days = serializers.IntegerField()
    ongoing = serializers.BooleanField(help_text="The last scored day of the range is still in the episode")
    peak_date = serializers.DateField()
    peak_score = serializers.FloatField()
    threshold = serializers.FloatField(help_text="The risk rule's threshold on the peak day")
    peak_display = RiskDisplaySerializer()
    peak_raising = ExplanationFactorSerializer(
        many=True, help_text="What raised the risk on the peak day (empty for nurses)"
    )
    alert = RiskEpisodeAlertSerializer(allow_null=True, help_text="The risk alert raised during the episode")
    no_alert_reason = serializers.ChoiceField(
        choices=["paused", "already_open", "quiet_period", "scored_without_alerts"],
        allow_null=True,
        help_text="Why no alert was raised (null when one was)",
    )
    no_alert_text = serializers.CharField(allow_blank=True, help_text="The reason in the request language")


class SleepEpisodeSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="Local YYYY-MM-DDTHH:MM")
    end = serializers.CharField(help_text="Local YYYY-MM-DDTHH:MM")
    hours = serializers.FloatField()
    nap = serializers.BooleanField(help_text="A daytime episode (starting 09:00-20:00) of under 3 h")


class TimelineDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    checkins = serializers.IntegerField()
    mood = serializers.FloatField(allow_null=True)
    anxiety = serializers.FloatField(allow_null=True)
    energy = serializers.FloatField(allow_null=True)
    irritability = serializers.FloatField(allow_null=True)
    sleep_quality = serializers.FloatField(allow_null=True)
    medication_taken = serializers.BooleanField(allow_null=True)
    phq9 = serializers.IntegerField(allow_null=True)
    gad7 = serializers.IntegerField(allow_null=True)
    asrm = serializers.IntegerField(allow_null=True)
    sleep_hours = serializers.FloatField(allow_null=True)
    sleep_onset = serializers.CharField(allow_null=True, help_text="Local HH:MM of the main sleep's start.")
    sleep_wake = serializers.CharField(allow_null=True, help_text="Local HH:MM of the main sleep's end.")
    sleep_efficiency = serializers.FloatField(allow_null=True)
    steps = serializers.IntegerField(allow_null=True)
    time_at_home_min = serializers.FloatField(allow_null=True)
    distance_km = serializers.FloatField(allow_null=True)
    speech_rate_wpm = serializers.FloatField(allow_null=True)
    pause_ratio = serializers.FloatField(allow_null=True)
    pitch_sd_hz = serializers.FloatField(allow_null=True)
    screen_minutes = serializers.FloatField(allow_null=True)
    unlocks = serializers.IntegerField(allow_null=True)
    risk_score = serializers.FloatField(allow_null=True)
    risk_band = serializers.CharField(allow_null=True)
    alerts = serializers.ListField(child=serializers.UUIDField())
    events = serializers.ListField(child=serializers.CharField())
    sleep_episodes = SleepEpisodeSerializer(
        many=True, required=False, help_text="Every sleep episode that ended this day, naps included."
    )


class TimelineSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    start = serializers.DateField()
    end = serializers.DateField()
    days = TimelineDaySerializer(many=True)


class ClinicalEventEditSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    end_date = serializers.DateField(
        allow_null=True, required=False, help_text="A hospitalisation's last day (null: not known yet)"
    )


class EraseOutputSerializer(serializers.Serializer):
    status = serializers.CharField()
    removed = serializers.DictField(child=serializers.IntegerField())
    kept = serializers.ListField(child=serializers.CharField())
    kept_why = serializers.DictField(
        child=serializers.CharField(), help_text="For each item of `kept`, the reason it is kept."
    )


class SearchQuerySerializer(serializers.Serializer):
    """`GET /search/`: the words to find and the optional filters."""

    q = serializers.CharField(
        max_length=200,
        help_text='Words (stemmed, accents ignored, French and English), "a phrase", word* (prefix), '
        "-word (without), or.",
    )
    patient = serializers.UUIDField(required=False, help_text="One patient of your care teams (404 otherwise).")
    kind = serializers.ChoiceField(
        required=False,
        choices=["checkin", "clinical_event", "alert_note", "alert_resolution", "crisis_plan"],
        help_text="Only this kind of text.",
    )
    start = BoundedDateField(required=False, help_text="From this day (the query parameter is `from`).")
    end = BoundedDateField(required=False, help_text="To this day, included (the query parameter is `to`).")

    def to_internal_value(self, data: Any) -> Any:
        # `from` is a Python keyword: read `from`/`to` into start/end.
        data = dict(data)
        for outer, inner in (("from", "start"), ("to", "end")):
            if outer in data:
                data[inner] = data.pop(outer)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"to": ["The end date is before the start date."]})
        return attrs


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="checkin, clinical_event, alert_note, alert_resolution or crisis_plan.")
    id = serializers.CharField(help_text="The id of the check-in, event, alert note, alert or crisis plan.")
    patient = serializers.UUIDField(source="patient_id")
    patient_code = serializers.CharField()
    date = serializers.DateField(help_text="The note's day (check-ins and events: the patient's local day).")
    at = serializers.DateTimeField(allow_null=True, help_text="When it was written, where the record has a time.")
    alert = serializers.CharField(source="alert_id", allow_null=True)
    snippet = serializers.CharField(
        help_text="HTML: the text escaped, the matched words in <mark>; nothing else is markup."
    )
    rank = serializers.FloatField(help_text="Higher is better; comparable within one response.")
    match = serializers.ChoiceField(
        choices=["words", "similar"], help_text="words: full text; similar: a word spelt nearly alike (PostgreSQL)."
    )
    link = serializers.CharField(help_text="The place in the record (a clinician page).")


def search_hits_data(hits: list[SearchHit]) -> list[dict[str, Any]]:
    """What `SearchHitSerializer(hits, many=True).data` returns, built directly: the same keys
    in the same order, each value through the same field's `to_representation` where DRF does
    more than `str` (dates, times: the ISO format and the current time zone). A page of 50
    hits went through DRF's per-field machinery (get_attribute, a dict per field) in several
    milliseconds; the serializer still documents the shape (OpenAPI), and
    tests/records/test_search.py compares the two."""
    date, at = _HIT_FIELDS["date"], _HIT_FIELDS["at"]
    return [
        {
            "kind": hit.kind,
            "id": hit.id,
            "patient": str(hit.patient_id),
            "patient_code": hit.patient_code,
            "date": date.to_representation(hit.date),
            "at": at.to_representation(hit.at) if hit.at is not None else None,
            "alert": hit.alert_id,
            "snippet": hit.snippet,
            "rank": float(hit.rank),
            "match": hit.match,
            "link": hit.link,
        }
        for hit in hits
    ]


_HIT_FIELDS = SearchHitSerializer().fields


class SearchPageSerializer(serializers.Serializer):
    """The search's page, in the shape of every paginated list (LimitOffsetPagination)."""

    count = serializers.IntegerField(help_text="Every matching note.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitSerializer(many=True)
    ranked = serializers.IntegerField(
        help_text="How many of the matches are ranked and can be paged through: all of them, but on PostgreSQL "
        f"at most the {RANK_CAP:,} most recent (a very frequent word); `next` stops there."
    )
