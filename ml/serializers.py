from rest_framework import serializers


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
