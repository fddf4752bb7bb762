from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from patients.models import Patient


class SignalKind(models.TextChoices):
    SLEEP = "sleep", _("Sleep episode")
    STEPS = "steps", _("Steps")
    MOBILITY = "mobility", _("Mobility")
    SPEECH = "speech", _("Speech features")
    SCREEN = "screen", _("Screen use")


class SleepSource(models.TextChoices):
    """Where a sleep episode comes from: sent by the phone, or derived by the platform from
    wrist actigraphy (`monitoring.services.actigraphy`). On a day with both, the actigraph's
    episodes are the day's sleep (`monitoring.summaries.signal_part`)."""

    PHONE = "phone", _("Phone")
    ACTIGRAPH = "actigraph", _("Actigraph")


class Instrument(models.TextChoices):
    PHQ9 = "PHQ-9", "PHQ-9"
    GAD7 = "GAD-7", "GAD-7"
    ASRM = "ASRM", "ASRM"


class CheckIn(models.Model):
    """A daily self-report. `id` is made by the patient's device (idempotency key); `day` is the
    patient's local calendar day of `recorded_at`, fixed when the check-in arrives."""

    id = models.UUIDField(primary_key=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins", db_index=False)
    recorded_at = models.DateTimeField()
    day = models.DateField()
    mood = models.SmallIntegerField()
    anxiety = models.PositiveSmallIntegerField(null=True, blank=True)
    energy = models.PositiveSmallIntegerField(null=True, blank=True)
    irritability = models.PositiveSmallIntegerField(null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    medication_taken = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    # The patient marked the note "for my next appointment": the pre-consultation summary
    # (records/summary.py) quotes these notes.
    for_next_appointment = models.BooleanField(default=False, db_default=False)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "recorded_at"]
        indexes = [models.Index(fields=["patient", "day"], name="checkin_patient_day")]
        constraints = [models.CheckConstraint(condition=Q(mood__gte=-3, mood__lte=3), name="checkin_mood_range")]


class QuestionnaireResponse(models.Model):
    """A completed PHQ-9, GAD-7 or ASRM, scored when it arrives (monitoring/questionnaires.py)."""

    id = models.UUIDField(primary_key=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="questionnaires", db_index=False)
    instrument = models.CharField(max_length=8, choices=Instrument.choices)
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField(null=True)  # null: too many items skipped (questionnaires.py)
    severity = models.CharField(max_length=32)
    flags = models.JSONField(default=list)
    completed_at = models.DateTimeField()
    day = models.DateField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "completed_at"]
        indexes = [models.Index(fields=["patient", "day"], name="questionnaire_patient_day")]


class SignalRecord(models.Model):
    """One passive-signal summary sent by the phone. Append-only, one table for the five types
    with typed columns (a column not used by a type stays NULL), keyed by (patient, start) for
    range reads and ready for monthly partitioning. `day` is the local day the record counts
    for: the day a sleep episode ends, the day any other record starts (see docs/ingestion.md)."""

    id = models.UUIDField(primary_key=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="signals", db_index=False)
    kind = models.CharField(max_length=8, choices=SignalKind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    day = models.DateField()
    # sleep
    efficiency = models.FloatField(null=True, blank=True)
    awakenings = models.PositiveIntegerField(null=True, blank=True)
    # Every record the phone sends is "phone"; the platform writes the "actigraph" sleep episodes.
    source = models.CharField(
        max_length=10, choices=SleepSource.choices, default=SleepSource.PHONE, db_default=SleepSource.PHONE
    )
    # steps
    count = models.PositiveIntegerField(null=True, blank=True)
    # mobility
    time_at_home_min = models.FloatField(null=True, blank=True)
    distance_km = models.FloatField(null=True, blank=True)
    places_visited = models.PositiveIntegerField(null=True, blank=True)
    # speech
    speech_rate_wpm = models.FloatField(null=True, blank=True)
    pause_ratio = models.FloatField(null=True, blank=True)
    pitch_mean_hz = models.FloatField(null=True, blank=True)
    pitch_sd_hz = models.FloatField(null=True, blank=True)
    energy_db = models.FloatField(null=True, blank=True)
    # screen
    screen_minutes = models.FloatField(null=True, blank=True)
    unlocks = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "start"]
        indexes = [
            models.Index(fields=["patient", "day"], name="signal_patient_day"),
            models.Index(fields=["patient", "start"], name="signal_patient_start"),
        ]
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")), name="signal_start_before_end")]


class ActivityEpochRecord(models.Model):
    """One `activity_epochs` record as it arrived (the idempotency key and what it covered):
    its counts themselves are merged into the patient's `ActivityDay` rows, so `digest` (the
    SHA-256 of the counts as sent) stands for them when a resent record is compared."""

    id = models.UUIDField(primary_key=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="activity_epoch_records", db_index=False
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    day = models.DateField()  # the local day of `start`
    epoch_seconds = models.PositiveSmallIntegerField()
    epochs = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "start"]
        indexes = [models.Index(fields=["patient", "start"], name="activity_record_patient_start")]
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")), name="activity_record_start_before_end")]


class ActivityDay(models.Model):
    """A patient's minute-level activity counts of one local calendar day, compactly: `minutes`
    holds one value per minute from local midnight (1440, or 1380/1500 on the days the clocks
    change), null where nothing was recorded (non-wear: never 0)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="activity_days", db_index=False)
    date = models.DateField()
    minutes = models.JSONField()
    wear_minutes = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "date"]
        constraints = [models.UniqueConstraint(fields=["patient", "date"], name="one_activity_day_per_patient_day")]


class RecordingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for analysis")
    DONE = "done", _("Analysed")
    FAILED = "failed", _("Could not be analysed")


class SpeechRecording(models.Model):
    """A voice diary waiting for (or past) feature extraction. The audio file exists only
    until the features are stored; `sha256` keeps the upload idempotent after that."""

    id = models.UUIDField(primary_key=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="speech_recordings")
    recorded_at = models.DateTimeField()
    audio = models.FileField(upload_to="speech/", blank=True, max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    duration_s = models.FloatField()
    status = models.CharField(max_length=16, choices=RecordingStatus.choices, default=RecordingStatus.PENDING)
    error = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]


class DailySummary(models.Model):
    """One row per patient per local day (the patient's timezone; a sleep episode belongs to
    the day it ends). Kept up to date incrementally by ingestion; read by timelines, charts and
    the model. A missing measurement is NULL, never 0."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="daily_summaries")
    date = models.DateField()
    # Self-reports: the day's means; questionnaires: the day's latest total.
    checkins = models.PositiveSmallIntegerField(default=0)
    mood = models.FloatField(null=True, blank=True)
    anxiety = models.FloatField(null=True, blank=True)
    energy = models.FloatField(null=True, blank=True)
    irritability = models.FloatField(null=True, blank=True)
    sleep_quality = models.FloatField(null=True, blank=True)
    medication_taken = models.BooleanField(null=True, blank=True)
    phq9 = models.PositiveSmallIntegerField(null=True, blank=True)
    gad7 = models.PositiveSmallIntegerField(null=True, blank=True)
    asrm = models.PositiveSmallIntegerField(null=True, blank=True)
    # Passive signals: sleep of the day's main episode, sums for counts, means otherwise.
    sleep_hours = models.FloatField(null=True, blank=True)
    sleep_onset = models.TimeField(null=True, blank=True)
    sleep_wake = models.TimeField(null=True, blank=True)
    sleep_efficiency = models.FloatField(null=True, blank=True)
    sleep_awakenings = models.PositiveIntegerField(null=True, blank=True)
    steps = models.PositiveIntegerField(null=True, blank=True)
    time_at_home_min = models.FloatField(null=True, blank=True)
    distance_km = models.FloatField(null=True, blank=True)
    places_visited = models.PositiveIntegerField(null=True, blank=True)
    speech_rate_wpm = models.FloatField(null=True, blank=True)
    pause_ratio = models.FloatField(null=True, blank=True)
    pitch_mean_hz = models.FloatField(null=True, blank=True)
    pitch_sd_hz = models.FloatField(null=True, blank=True)
    energy_db = models.FloatField(null=True, blank=True)
    screen_minutes = models.FloatField(null=True, blank=True)
    unlocks = models.PositiveIntegerField(null=True, blank=True)
    sleep_source = models.CharField(max_length=10, choices=SleepSource.choices, null=True, blank=True)
    # Wrist actigraphy (monitoring.actigraphy, docs/actigraphy.md): the day's activity counts,
    # and the rest-activity rhythm over the 7 local days ending on it.
    activity_mean = models.FloatField(null=True, blank=True)
    activity_zero_share = models.FloatField(null=True, blank=True)
    rhythm_is = models.FloatField(null=True, blank=True)
    rhythm_iv = models.FloatField(null=True, blank=True)
    rhythm_ra = models.FloatField(null=True, blank=True)
    rhythm_l5 = models.FloatField(null=True, blank=True)
    rhythm_m10 = models.FloatField(null=True, blank=True)
    rhythm_l5_onset = models.FloatField(null=True, blank=True)
    rhythm_m10_onset = models.FloatField(null=True, blank=True)
    passive_records = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["patient", "date"]
        constraints = [models.UniqueConstraint(fields=["patient", "date"], name="one_summary_per_patient_day")]
