from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="clinicalevent",
            name="end_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="clinicalevent",
            name="edited_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
