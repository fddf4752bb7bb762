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
    status = serializers.ChoiceField(
        choices=["candidate", "active", "retired"],
        help_text="candidate: never active yet; active; retired: was active, replaced or rolled back.",
    )
    trained_by = serializers.CharField(allow_null=True)
    activated_by = serializers.CharField(allow_null=True, help_text="Null for the very first model (system path).")
    previous_version = serializers.CharField(allow_null=True, help_text="What rollback from this version restores.")
    compared_at = serializers.DateTimeField(allow_null=True)
    compared_by = serializers.CharField(allow_null=True)


class ModelVersionDetailSerializer(ModelVersionListSerializer):
    feature_names = serializers.ListField(child=serializers.CharField())
    metrics = serializers.JSONField()
    model_card = serializers.CharField(help_text="Markdown")
    comparison = serializers.JSONField(
        help_text="The side-by-side comparison with the version active when it was made: `held_out`, both models on "
        "the patients neither was trained on ({available: false, patients: 0, reason: none_unseen | not_recorded | "
        "outside_data | no_data} when there are none or a version did not record its patients; `held_out_note` in "
        "words); `teams`, each team's last 90 days: alerts it would have raised, events it would have caught; {} "
        "before one is made."
    )


class ModelMonitoringSerializer(serializers.Serializer):
    performance = serializers.ListField(
        child=serializers.DictField(), help_text="{team, team_id, day, figures} per team and day (oldest first)."
    )
    drift = serializers.DictField(allow_null=True, help_text="{day, figures, moved} of the latest drift check.")
    alerts = serializers.ListField(child=serializers.DictField(), help_text="Model alerts (drift), newest first.")
