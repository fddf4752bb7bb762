# The one phone rule (patients/phones.py): each care team's typed numbers get their E.164 form
# beside them, for tel: links. Existing numbers are read once here; one the rule cannot read
# keeps a blank E.164 (the admin sees the error on the next save). Renumber freely on merge.

from django.core.exceptions import ValidationError
from django.db import migrations, models

from patients.phones import phone_e164


def fill_e164(apps, schema_editor):
    CareTeam = apps.get_model("patients", "CareTeam")
    for team in CareTeam.objects.exclude(phone="", out_of_hours_phone="").only("phone", "out_of_hours_phone"):
        values = {}
        for typed, stored in (("phone", "phone_e164"), ("out_of_hours_phone", "out_of_hours_phone_e164")):
            try:
                values[stored] = phone_e164(getattr(team, typed))
            except ValidationError:
                values[stored] = ""
        CareTeam.objects.filter(pk=team.pk).update(**values)


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0005_careteam_contact'),
    ]

    operations = [
        migrations.AddField(
            model_name='careteam',
            name='out_of_hours_phone_e164',
            field=models.CharField(blank=True, editable=False, max_length=16, verbose_name='out-of-hours line (E.164)'),
        ),
        migrations.AddField(
            model_name='careteam',
            name='phone_e164',
            field=models.CharField(blank=True, editable=False, max_length=16, verbose_name='phone number (E.164)'),
        ),
        migrations.AlterField(
            model_name='careteam',
            name='out_of_hours_phone',
            field=models.CharField(blank=True, help_text='The number patients call when the team is closed (e.g. the on-call psychiatric service).', max_length=32, verbose_name='out-of-hours line'),
        ),
        migrations.AlterField(
            model_name='careteam',
            name='phone',
            field=models.CharField(blank=True, help_text='e.g. 01 23 45 67 89', max_length=32, verbose_name='phone number'),
        ),
        migrations.RunPython(fill_e164, migrations.RunPython.noop),
    ]
