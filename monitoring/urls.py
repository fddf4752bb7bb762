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
    path("me/timeline/", apis.MyTimelineApi.as_view(), name="my_timeline"),
    path("me/export/", apis.MyExportApi.as_view(), name="my_export"),
    path("me/erase/", apis.MyEraseApi.as_view(), name="my_erase"),
    path("patients/<uuid:patient_id>/timeline/", apis.PatientTimelineApi.as_view(), name="patient_timeline"),
    path("patients/<uuid:patient_id>/export/", apis.PatientExportApi.as_view(), name="patient_export"),
]
