from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.models import Patient

from .due import ASRM, GAD7, MAX_EVERY_DAYS, MIN_EVERY_DAYS, PHQ9


class Instrument(models.TextChoices):
    PHQ9 = PHQ9, "PHQ-9"
    GAD7 = GAD7, "GAD-7"
    ASRM = ASRM, "ASRM"


class PatientSchedule(models.Model):
    """What the care team asks of one patient. Without a row, defaults by diagnosis apply
    (mobile/due.py)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, primary_key=True, related_name="schedule")
    checkin_time = models.TimeField(_("daily check-in time"), help_text=_("In the patient's own time zone."))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["patient"]


class ScheduledQuestionnaire(models.Model):
    schedule = models.ForeignKey(PatientSchedule, on_delete=models.CASCADE, related_name="questionnaires")
    instrument = models.CharField(max_length=8, choices=Instrument.choices)
    every_days = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["schedule", "instrument"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "instrument"], name="one_cadence_per_instrument"),
            models.CheckConstraint(
                condition=models.Q(every_days__gte=MIN_EVERY_DAYS, every_days__lte=MAX_EVERY_DAYS),
                name="cadence_every_days_in_range",
            ),
        ]


class PushSubscription(models.Model):
    """One browser's Web Push subscription for the patient's phone app (W3C Push API): where
    the push service accepts messages for it (`endpoint`) and the keys that encrypt them. A
    reminder carries no health data; the service worker writes the words."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=120)
    auth = models.CharField(max_length=40)
    language = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["patient", "created_at"]


class ReminderSent(models.Model):
    """The daily check-in reminder of one patient's local day, claimed before it is sent: at
    most one a day, whichever worker or beat run gets there first."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    devices = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["patient", "day"], name="one_checkin_reminder_a_day")]


class AppPreference(models.Model):
    """How the patient's app is shown, as the care team chose it (e.g. at enrolment). The patient
    can change it on the phone (Settings), where their own choice wins."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, primary_key=True, related_name="app_preference")
    easy_read = models.BooleanField(
        _("easy-read mode"), default=False, help_text=_("Pictograms, short sentences, one question per screen.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["patient"]
