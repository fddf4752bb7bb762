"""Writes of the monitoring app, one module per kind of write:

- `ingestion`: check-ins, questionnaires (with the safety rule) and signal records;
- `actigraphy`: wrist-actigraphy minutes stored per day, and what is derived from them;
- `daily_summaries`: the daily summary of the patient-days new rows touched;
- `voice_diaries`: audio received, features extracted in the background, audio deleted.

The public names are gathered here, so callers write `from monitoring.services import ...`."""

from ..bulk import CONFLICT, DUPLICATE, STORED
from .actigraphy import activity_days_derive, activity_derive, activity_epochs_store
from .daily_summaries import daily_summaries_rebuild, daily_summaries_recompute
from .ingestion import (
    MAX_BATCH,
    SCOPE_FOR_KIND,
    BatchResult,
    CheckInRecorded,
    ScoredQuestionnaire,
    checkin_record,
    checkin_risk_language,
    checkins_store,
    ingestion_context,
    questionnaire_record,
    questionnaire_scored,
    questionnaires_store,
    signal_batch_record,
    signals_store,
)
from .voice_diaries import (
    AudioUnusable,
    AudioUpload,
    audio_digest,
    speech_recording_process,
    speech_recording_receive,
    speech_recordings_requeue_pending,
)

__all__ = [
    "activity_days_derive",
    "activity_derive",
    "activity_epochs_store",
    "CONFLICT",
    "DUPLICATE",
    "MAX_BATCH",
    "SCOPE_FOR_KIND",
    "STORED",
    "AudioUnusable",
    "AudioUpload",
    "BatchResult",
    "CheckInRecorded",
    "ScoredQuestionnaire",
    "audio_digest",
    "checkin_record",
    "checkin_risk_language",
    "checkins_store",
    "daily_summaries_rebuild",
    "daily_summaries_recompute",
    "ingestion_context",
    "questionnaire_record",
    "questionnaire_scored",
    "questionnaires_store",
    "signal_batch_record",
    "signals_store",
    "speech_recording_process",
    "speech_recording_receive",
    "speech_recordings_requeue_pending",
]
