from django.urls import path

from . import views

urlpatterns = [
    path("metadata", views.metadata, name="fhir_metadata"),
    path(".well-known/smart-configuration", views.smart_configuration, name="fhir_smart_configuration"),
    path("auth/token", views.token, name="fhir_token"),
    path("Patient", views.patient_search, name="fhir_patient_search"),
    path("Patient/<str:patient_id>/$everything", views.patient_everything, name="fhir_patient_everything"),
    path("Patient/<str:patient_id>", views.patient_read, name="fhir_patient_read"),
    path("Observation", views.observation_search, name="fhir_observation_search"),
    path("QuestionnaireResponse", views.questionnaire_response_search, name="fhir_questionnaireresponse_search"),
    path("Flag", views.flag_search, name="fhir_flag_search"),
    path("CarePlan", views.care_plan_search, name="fhir_careplan_search"),
    path("Composition", views.composition_search, name="fhir_composition_search"),
    # Anything else under /fhir/: an OperationOutcome, not an HTML page.
    path("<path:rest>", views.unknown, name="fhir_unknown"),
]
