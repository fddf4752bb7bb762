from django.urls import path

from . import apis

urlpatterns = [
    path("auth/token/", apis.TokenObtainView.as_view(), name="token_obtain"),
    path("auth/token/refresh/", apis.TokenRefreshApi.as_view(), name="token_refresh"),
    path("auth/enroll/", apis.EnrollApi.as_view(), name="enroll"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("me/consents/", apis.MyConsentsApi.as_view(), name="my_consents"),
    path("me/consents/withdraw/", apis.MyConsentsWithdrawApi.as_view(), name="my_consents_withdraw"),
    path("me/access-log/", apis.MyAccessLogApi.as_view(), name="my_access_log"),
    path("audit/", apis.AuditSearchApi.as_view(), name="audit_search"),
    path(
        "patients/<uuid:patient_id>/enrollment-code/", apis.EnrollmentCodeApi.as_view(), name="patient_enrollment_code"
    ),
    path("patients/<uuid:patient_id>/events/", apis.ClinicalEventsApi.as_view(), name="patient_events"),
]
