"""A check-in's note can be flagged by the patient "for my next appointment" (optional in the
check-in API, default false): the pre-consultation summary quotes the flagged notes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_ingestion"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="for_next_appointment",
            field=models.BooleanField(default=False, db_default=False),
        ),
    ]
