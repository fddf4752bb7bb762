from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_patient_contact_key_worker_crisis_plan"),
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
