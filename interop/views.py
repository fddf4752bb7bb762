"""The FHIR R4 REST API, read-only, under /fhir/ (docs/fhir.md): CapabilityStatement, searches
answered as paged searchset Bundles, `Patient/{id}/$everything`, errors as OperationOutcome.
Thin views: the resources come from records/fhir_resources.py (the export's builders), the
patients a system may see from interop/selectors.py, the tokens from interop/auth.py."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from fhir.resources.R4B import get_fhir_model_class

from alerts.models import Alert, AlertStatus
from patients.audit import audit_record
from patients.models import AuditAction, CrisisPlan, Patient
from records.fhir_resources import (
    INS_NIR_SYSTEM,
    care_plan_resource,
    flag_resource,
    observation_entries,
    patient_resource,
    questionnaire_entries,
    summary_entries,
)
from records.summary_text import patient_summary_if_any
from records.timeline import data_range_for_patient, questionnaires_for_patient, timeline_for_patient

from .auth import RESOURCE_TYPES, AuthError, SystemActor, system_from_bearer, token_issue
from .selectors import patients_for_system

FHIR_JSON = "application/fhir+json"
EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
DEFAULT_COUNT = 50
MAX_COUNT = 200


class FhirError(Exception):
    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


def _fhir(body: dict[str, Any], status: int = 200) -> HttpResponse:
    response = JsonResponse(body, status=status, content_type=FHIR_JSON)
    response["Cache-Control"] = "no-store"
    return response


def operation_outcome(status: int, code: str, text: str) -> HttpResponse:
    return _fhir(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text}],
        },
        status=status,
    )


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/").rstrip("/")


def fhir_read(resource_type: str) -> Callable[..., Any]:
    """Authenticate the bearer token, check the scope for `resource_type`, audit the call with
    the system's identity, and answer every error as an OperationOutcome."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET":
                return operation_outcome(405, "not-supported", "This API is read-only.")
            try:
                actor = system_from_bearer(request.headers.get("Authorization", ""))
            except AuthError as error:
                response = operation_outcome(401, "login", error.description)
                response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
                return response
            request.fhir_actor = actor  # type: ignore[attr-defined]
            detail = {"client_id": actor.system.client_id, "establishment": actor.system.establishment.code}
            if not actor.may_read(resource_type):
                audit_record(
                    action=AuditAction.DENIED, resource=f"fhir_{resource_type}", request=request, actor=actor,
                    status_code=403, detail=detail,
                )  # fmt: skip
                return operation_outcome(403, "forbidden", f"The token's scopes do not cover {resource_type}.")
            try:
                response = view(request, actor, *args, **kwargs)
            except FhirError as error:
                response = operation_outcome(error.status, error.code, error.text)
            except Http404:
                response = operation_outcome(404, "not-found", "No such resource.")
            patient_ids = getattr(request, "fhir_patient_ids", None) or [None]
            for patient_id in patient_ids:
                audit_record(
                    action=AuditAction.READ if response.status_code < 400 else AuditAction.DENIED,
                    resource=f"fhir_{resource_type}",
                    request=request,
                    actor=actor,
                    patient_id=patient_id,
                    status_code=response.status_code,
                    detail=detail,
                )
            return response

        return wrapped

    return decorate


# --- parameters ---------------------------------------------------------------------------------

_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")


def _prefixed(value: str) -> tuple[str, str]:
    if value[:2] in _PREFIXES and len(value) > 2 and value[2].isdigit():
        return value[:2], value[2:]
    return "eq", value


def _instant(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if "T" in value else datetime.fromisoformat(value + "T00:00:00")
    except ValueError as error:
        raise FhirError(400, "invalid", f"Not a FHIR date: {value}.") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(prefix: str, left: datetime, right: datetime, *, day: bool) -> bool:
    if day:
        left_d, right_d = left.date(), right.date()
        return {
            "eq": left_d == right_d, "ne": left_d != right_d, "gt": left_d > right_d,
            "lt": left_d < right_d, "ge": left_d >= right_d, "le": left_d <= right_d,
        }[prefix]  # fmt: skip
    return {
        "eq": left == right, "ne": left != right, "gt": left > right,
        "lt": left < right, "ge": left >= right, "le": left <= right,
    }[prefix]  # fmt: skip


def _when(resource: dict[str, Any]) -> datetime | None:
    value = (
        resource.get("effectiveDateTime")
        or resource.get("authored")
        or resource.get("date")
        or (resource.get("period") or {}).get("start")
        or resource.get("created")
    )
    return _instant(value) if value else None


def _last_updated(resource: dict[str, Any]) -> datetime | None:
    """meta.lastUpdated where the platform keeps it; else the resource's own time (a day's
    Observation is last updated on its day: the daily summaries are computed then)."""
    value = (resource.get("meta") or {}).get("lastUpdated")
    return _instant(value) if value else _when(resource)


def _filter_time(
    resources: list[dict[str, Any]], values: list[str], key: Callable[[dict[str, Any]], datetime | None]
) -> list[dict[str, Any]]:
    for raw in values:
        prefix, value = _prefixed(raw)
        bound = _instant(value)
        day = "T" not in value
        resources = [r for r in resources if (when := key(r)) is not None and _compare(prefix, when, bound, day=day)]
    return resources


def _count(request: HttpRequest) -> tuple[int, int]:
    try:
        count = int(request.GET.get("_count", DEFAULT_COUNT))
        offset = int(request.GET.get("_offset", 0))
    except ValueError as error:
        raise FhirError(400, "invalid", "_count and _offset are integers.") from error
    return max(1, min(count, MAX_COUNT)), max(0, offset)


def _bundle(request: HttpRequest, resources: list[dict[str, Any]]) -> HttpResponse:
    """A searchset Bundle of one page, each resource validated with fhir.resources (R4B)."""
    count, offset = _count(request)
    page = resources[offset : offset + count]
    base = _base(request)
    params = [(k, v) for k, values in request.GET.lists() for v in values if k not in ("_count", "_offset")]

    def link(relation: str, at: int) -> dict[str, str]:
        query = urlencode([*params, ("_count", str(count)), ("_offset", str(at))])
        return {"relation": relation, "url": f"{request.build_absolute_uri(request.path)}?{query}"}

    links = [link("self", offset)]
    if offset + count < len(resources):
        links.append(link("next", offset + count))
    if offset > 0:
        links.append(link("previous", max(0, offset - count)))
    entries = []
    for resource in page:
        # Validated as sent (the builders' dicts are already FHIR JSON; no re-serialisation).
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        entries.append(
            {
                "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
        )
    return _fhir(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "meta": {"lastUpdated": timezone.now().isoformat()},
            "type": "searchset",
            "total": len(resources),
            "link": links,
            "entry": entries,
        }
    )


def _visible_patient(request: HttpRequest, actor: SystemActor, reference: str | None) -> Patient | None:
    """The patient a `patient=` or `{id}` names, if the system may see them (else None)."""
    if not reference:
        raise FhirError(400, "required", "The patient parameter is required.")
    raw = reference.removeprefix("Patient/")
    try:
        patient_id = uuid.UUID(raw)
    except ValueError:
        return None
    patient = patients_for_system(system=actor.system, now=timezone.now()).filter(pk=patient_id).first()
    if patient is not None:
        request.fhir_patient_ids = [patient.pk]  # type: ignore[attr-defined]
    return patient


def _resources(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in entries]


# --- what one patient holds ---------------------------------------------------------------------


def observations_of(patient: Patient, dates: list[str]) -> list[dict[str, Any]]:
    today = timezone.localdate(timezone=patient.tz)
    start, end = data_range_for_patient(patient=patient, today=today)
    for raw in dates:  # narrow the days read to the date bounds
        prefix, value = _prefixed(raw)
        bound = _instant(value).date()
        if prefix in ("ge", "gt", "eq"):
            start = max(start, bound)
        if prefix in ("le", "lt", "eq"):
            end = min(end, bound)
    days = timeline_for_patient(patient=patient, start=start, end=end) if start <= end else []
    resources = _resources(observation_entries(patient=patient, days=days))
    for questionnaire in questionnaires_for_patient(patient=patient):
        resources.extend(
            r
            for r in _resources(questionnaire_entries(patient=patient, questionnaire=questionnaire))
            if r["resourceType"] == "Observation"
        )
    return resources


def questionnaire_responses_of(patient: Patient) -> list[dict[str, Any]]:
    return [
        r
        for questionnaire in questionnaires_for_patient(patient=patient)
        for r in _resources(questionnaire_entries(patient=patient, questionnaire=questionnaire))
        if r["resourceType"] == "QuestionnaireResponse"
    ]


def flags_of(patient: Patient) -> list[dict[str, Any]]:
    alerts = Alert.objects.filter(patient=patient, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
    return [flag_resource(alert) for alert in alerts.order_by("-created_at")]


def care_plans_of(patient: Patient) -> list[dict[str, Any]]:
    plan = CrisisPlan.objects.filter(patient=patient).first()
    return [care_plan_resource(plan)] if plan is not None else []


def compositions_of(patient: Patient) -> list[dict[str, Any]]:
    """The pre-consultation summary (its default period) as a Composition, where it exists:
    none when the period holds nothing to summarise."""
    summary = patient_summary_if_any(patient=patient, now=timezone.now())
    if summary is None:
        return []
    return [
        r for r in _resources(summary_entries(patient=patient, summary=summary)) if r["resourceType"] == "Composition"
    ]


# --- endpoints ----------------------------------------------------------------------------------


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    base = _base(request)
    search = {
        "Patient": [("identifier", "token"), ("_id", "token")],
        "Observation": [("patient", "reference"), ("category", "token"), ("date", "date")],
        "QuestionnaireResponse": [("patient", "reference")],
        "Flag": [("patient", "reference")],
        "CarePlan": [("patient", "reference")],
        "Composition": [("patient", "reference")],
    }
    statement = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.localdate().isoformat(),
        "kind": "instance",
        "software": {"name": "Relapse monitoring FHIR API"},
        "implementation": {"description": "Read-only FHIR R4 API for the territory's establishments", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [{"url": "token", "valueUri": f"{base}/auth/token"}],
                        }
                    ],
                },
                "resource": [
                    {
                        "type": resource_type,
                        "interaction": [{"code": "search-type"}]
                        + ([{"code": "read"}] if resource_type == "Patient" else []),
                        "searchParam": [
                            {"name": name, "type": kind}
                            for name, kind in [*search[resource_type], ("_lastUpdated", "date")]
                        ],
                        **(
                            {
                                "operation": [
                                    {
                                        "name": "everything",
                                        "definition": f"{base}/OperationDefinition/Patient-everything",
                                    }
                                ]
                            }
                            if resource_type == "Patient"
                            else {}
                        ),
                    }
                    for resource_type in RESOURCE_TYPES
                ],
            }
        ],
    }
    validated = get_fhir_model_class("CapabilityStatement").model_validate(statement)
    return _fhir(validated.model_dump(mode="json", exclude_none=True))


@require_GET
def smart_configuration(request: HttpRequest) -> HttpResponse:
    base = _base(request)
    return JsonResponse(
        {
            "token_endpoint": f"{base}/auth/token",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"],
            "grant_types_supported": ["client_credentials"],
            "scopes_supported": ["system/*.rs", *[f"system/{t}.rs" for t in RESOURCE_TYPES]],
            "capabilities": ["client-confidential-asymmetric"],
        }
    )


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    try:
        body = token_issue(form=request.POST.dict(), token_url=request.build_absolute_uri("/fhir/auth/token"))
    except AuthError as error:
        audit_record(
            action=AuditAction.DENIED,
            resource="fhir_token",
            request=request,
            status_code=401 if error.error == "invalid_client" else 400,
            detail={"error": error.error},
        )
        status = 401 if error.error == "invalid_client" else 400
        return JsonResponse({"error": error.error, "error_description": error.description}, status=status)
    audit_record(
        action=AuditAction.LOGIN,
        resource="fhir_token",
        request=request,
        status_code=200,
        detail={"scope": body["scope"]},
    )
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@fhir_read("Patient")
def patient_search(request: HttpRequest, actor: SystemActor) -> HttpResponse:
    identifier = request.GET.get("identifier", "")
    patient_id = request.GET.get("_id", "")
    if not identifier and not patient_id:
        raise FhirError(400, "required", "Search patients by identifier (the INS) or _id: no browsing.")
    patients = patients_for_system(system=actor.system, now=timezone.now())
    if identifier:
        system, _, value = identifier.rpartition("|")
        if system and system != INS_NIR_SYSTEM or not value:
            return _bundle(request, [])
        patients = patients.filter(ins=value.strip().upper())
    if patient_id:
        try:
            patients = patients.filter(pk=uuid.UUID(patient_id))
        except ValueError:
            return _bundle(request, [])
    found = list(patients[:2])
    request.fhir_patient_ids = [p.pk for p in found]  # type: ignore[attr-defined]
    resources = _filter_time([patient_resource(p) for p in found], request.GET.getlist("_lastUpdated"), _last_updated)
    return _bundle(request, resources)


@csrf_exempt
@fhir_read("Patient")
def patient_read(request: HttpRequest, actor: SystemActor, patient_id: str) -> HttpResponse:
    patient = _visible_patient(request, actor, patient_id)
    if patient is None:
        raise Http404
    resource = get_fhir_model_class("Patient").model_validate(patient_resource(patient))
    return _fhir(resource.model_dump(mode="json", exclude_none=True))


def _patient_search(
    resource_type: str, build: Callable[[Patient, HttpRequest], list[dict[str, Any]]]
) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @fhir_read(resource_type)
    def view(request: HttpRequest, actor: SystemActor) -> HttpResponse:
        patient = _visible_patient(request, actor, request.GET.get("patient") or request.GET.get("subject"))
        if patient is None:
            return _bundle(request, [])
        resources = _filter_time(build(patient, request), request.GET.getlist("_lastUpdated"), _last_updated)
        return _bundle(request, resources)

    view.__name__ = f"{resource_type.lower()}_search"
    return view


def _observations(patient: Patient, request: HttpRequest) -> list[dict[str, Any]]:
    dates = request.GET.getlist("date")
    resources = _filter_time(observations_of(patient, dates), dates, _when)
    categories = {c.rpartition("|")[2] for value in request.GET.getlist("category") for c in value.split(",")}
    if categories:
        resources = [r for r in resources if r["category"][0]["coding"][0]["code"] in categories]
    return resources


observation_search = _patient_search("Observation", _observations)
questionnaire_response_search = _patient_search("QuestionnaireResponse", lambda p, _r: questionnaire_responses_of(p))
flag_search = _patient_search("Flag", lambda p, _r: flags_of(p))
care_plan_search = _patient_search("CarePlan", lambda p, _r: care_plans_of(p))
composition_search = _patient_search("Composition", lambda p, _r: compositions_of(p))


@csrf_exempt
@fhir_read("Patient")
def patient_everything(request: HttpRequest, actor: SystemActor, patient_id: str) -> HttpResponse:
    """The patient and everything the system's scopes cover, as one paged searchset: the crisis
    plan (CarePlan) and the pre-consultation summary (Composition) where they exist, open alerts
    (Flag), questionnaire responses and Observations. The SQL queries do not grow with the days."""
    patient = _visible_patient(request, actor, patient_id)
    if patient is None:
        raise Http404
    resources: list[dict[str, Any]] = [patient_resource(patient)]
    parts: list[tuple[str, Callable[[Patient], list[dict[str, Any]]]]] = [
        ("CarePlan", care_plans_of),
        ("Composition", compositions_of),
        ("Flag", flags_of),
        ("QuestionnaireResponse", questionnaire_responses_of),
        ("Observation", lambda p: observations_of(p, [])),
    ]
    for resource_type, build in parts:
        if actor.may_read(resource_type):
            resources.extend(build(patient))
    resources = _filter_time(resources, request.GET.getlist("_lastUpdated"), _last_updated)
    return _bundle(request, resources)


@csrf_exempt
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    return operation_outcome(404, "not-supported", "This resource or interaction is not supported.")
