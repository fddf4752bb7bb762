from rest_framework import serializers


class RiskScoresQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):  # type: ignore[no-untyped-def]
        start, end = attrs.get("start"), attrs.get("end")
        if start and end:
            if end < start:
                raise serializers.ValidationError({"end": ["The end date is before the start date."]})
            if (end - start).days > 1100:
                raise serializers.ValidationError({"end": ["A range of more than 1,100 days is not served."]})
        return attrs


class ExplanationFactorSerializer(serializers.Serializer):
    feature = serializers.CharField(help_text="Factor group, e.g. sleep_hours, logging, phq9")
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The factor in a nurse's words, with numbers, in the request language"
    )
    direction = serializers.ChoiceField(choices=["up", "down"], help_text="up: raises the risk; down: lowers it")
    weight = serializers.FloatField(help_text="Change in probability this factor causes (score minus score as usual)")


class RiskScoreOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.FloatField(help_text="Probability of relapse or hospitalisation in the next 14 days")
    band = serializers.ChoiceField(choices=["low", "medium", "high"])
    model_version = serializers.CharField()
    threshold = serializers.FloatField(help_text="The care team's operating threshold when scored")
    explanation = ExplanationFactorSerializer(many=True, help_text="Empty for nurses (psychiatrists read explanations)")


class ModelVersionListSerializer(serializers.Serializer):
    version = serializers.CharField()
    created_at = serializers.DateTimeField()
    is_active = serializers.BooleanField()
    activated_at = serializers.DateTimeField(allow_null=True)
    data_start = serializers.DateField(allow_null=True)
    data_end = serializers.DateField(allow_null=True)
    seed = serializers.IntegerField()
    threshold = serializers.FloatField()
    artifact_sha256 = serializers.CharField()
    auroc = serializers.FloatField(allow_null=True)
    event_sensitivity = serializers.FloatField(allow_null=True)


class ModelVersionDetailSerializer(ModelVersionListSerializer):
    feature_names = serializers.ListField(child=serializers.CharField())
    metrics = serializers.JSONField()
    model_card = serializers.CharField(help_text="Markdown")
