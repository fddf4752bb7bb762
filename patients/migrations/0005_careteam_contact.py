# The care team's contact for its patients (phone, opening hours, out-of-hours line), shown
# in the phone app. Self-contained AddFields: renumber freely on merge.
import django.core.validators
from django.db import migrations, models

PHONE = django.core.validators.RegexValidator("^\\+?[0-9][0-9 ().-]{1,30}$", "Digits, spaces and + ( ) . - only.")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0004_clinicalevent_edit_trail"),
    ]

    operations = [
        migrations.AddField(
            model_name="careteam",
            name="phone",
            field=models.CharField(
                blank=True,
                help_text="e.g. +33 1 23 45 67 89",
                max_length=32,
                validators=[PHONE],
                verbose_name="phone number",
            ),
        ),
        migrations.AddField(
            model_name="careteam",
            name="opening_days",
            field=models.CharField(
                blank=True,
                default="12345",
                help_text="Days the team answers the phone, as ISO weekday numbers: 12345 = Monday to Friday.",
                max_length=7,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[1-7]{0,7}$", "ISO weekday numbers 1 (Monday) to 7 (Sunday)."
                    )
                ],
                verbose_name="opening days",
            ),
        ),
        migrations.AddField(
            model_name="careteam",
            name="opens_at",
            field=models.TimeField(blank=True, help_text="Local time, e.g. 09:00", null=True, verbose_name="opens at"),
        ),
        migrations.AddField(
            model_name="careteam",
            name="closes_at",
            field=models.TimeField(blank=True, help_text="Local time, e.g. 17:00", null=True, verbose_name="closes at"),
        ),
        migrations.AddField(
            model_name="careteam",
            name="out_of_hours_phone",
            field=models.CharField(
                blank=True,
                help_text="The number patients call when the team is closed (e.g. the on-call psychiatric service).",
                max_length=32,
                validators=[PHONE],
                verbose_name="out-of-hours line",
            ),
        ),
    ]
