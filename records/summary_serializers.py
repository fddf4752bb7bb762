"""The pre-consultation summary's JSON, described for the OpenAPI schema (the document is built
by records/summary_text.py; these serializers only document its shape)."""

from rest_framework import serializers


class SummarySentenceSerializer(serializers.Serializer):
    section = serializers.CharField(help_text="The part it belongs to (a section key).")
    key = serializers.CharField(help_text="What it states, e.g. sleep_hours, PHQ-9, episode, alert, note.")
    text = serializers.CharField(help_text="The sentence, in the request's language.")
    facts = serializers.DictField(
        help_text="The figures, dates and record ids the sentence was built from, with their `source`."
    )


class SummarySectionSerializer(serializers.Serializer):
    key = serializers.ChoiceField(
        choices=["period", "signals", "questionnaires", "adherence", "risk", "alerts", "events", "notes"]
    )
    title = serializers.CharField()
    sentences = SummarySentenceSerializer(many=True)


class SummaryOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    language = serializers.CharField()
    patient = serializers.UUIDField()
    patient_code = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    period_basis = serializers.ChoiceField(
        choices=["requested", "since_consultation", "default"],
        help_text="requested: start given; since_consultation: from the latest consultation or crisis visit; "
        "default: the last 30 days.",
    )
    generated_at = serializers.DateTimeField()
    generated_at_display = serializers.CharField()
    explanations_included = serializers.BooleanField(
        help_text="The factors behind the risk scores are given to psychiatrists only."
    )
    sections = SummarySectionSerializer(many=True)
