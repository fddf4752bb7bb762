"""API routes of this app, mounted under /api/v1/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("checkins/", apis.CheckInApi.as_view(), name="checkin_create"),
    path("questionnaires/", apis.QuestionnaireApi.as_view(), name="questionnaire_create"),
    path("signals/batch/", apis.SignalBatchApi.as_view(), name="signal_batch"),
    path("speech/recordings/", apis.SpeechRecordingApi.as_view(), name="speech_recording_create"),
    path(
        "speech/recordings/<uuid:recording_id>/",
        apis.SpeechRecordingDetailApi.as_view(),
        name="speech_recording_detail",
    ),
]
