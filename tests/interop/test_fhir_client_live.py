"""A real FHIR client (fhirpy) against the served API (daphne on the test database): a SMART
Backend Services token, the CapabilityStatement, a patient found by INS, Observations and
`$everything` paged through their next links; every resource validates with fhir.resources."""

from typing import Any

import pytest
import requests
from fhir.resources.R4B import get_fhir_model_class
from fhirpy import SyncFHIRClient

from patients.models import CrisisPlan
from tests.conftest import free_port, start_asgi_server, stop_process

from .conftest import INS, assertion, days_of_data, token_form, with_ins

pytestmark = pytest.mark.django_db(transaction=True)


def valid(resource: dict[str, Any]) -> None:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_fhirpy_reads_the_served_api(fhir_system, ec_key, patient):
    with_ins(patient)
    days_of_data(patient, 40)
    CrisisPlan.objects.create(patient=patient, warning_signs="stops sleeping", who_to_call="my sister")
    port = free_port()
    server = start_asgi_server(port)
    try:
        base = f"http://127.0.0.1:{port}/fhir"
        token = requests.post(
            f"{base}/auth/token", data=token_form(assertion(ec_key, token_url=f"{base}/auth/token")), timeout=10
        )
        assert token.status_code == 200, token.text
        client = SyncFHIRClient(base, authorization=f"Bearer {token.json()['access_token']}")

        statement = client.execute("metadata", method="get")
        valid(statement)
        assert statement["resourceType"] == "CapabilityStatement"

        found = client.resources("Patient").search(identifier=f"urn:oid:1.2.250.1.213.1.4.8|{INS}").fetch()
        assert [p["id"] for p in found] == [str(patient.pk)]
        valid(found[0].serialize())

        pages: list[int] = []
        first = client.resources("Observation").search(patient=str(patient.pk)).limit(60).fetch_raw()
        pages.append(len(first["entry"]))
        observations = client.resources("Observation").search(patient=str(patient.pk)).limit(60).fetch_all()
        assert len(observations) == 40 * 5 == first["total"]
        assert len({o["id"] for o in observations}) == 40 * 5
        for observation in observations:
            valid(observation.serialize())

        bundle = client.execute(f"Patient/{patient.pk}/$everything", method="get", params={"_count": 70})
        everything = [e["resource"] for e in bundle["entry"]]
        while next_link := next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None):
            bundle = client.execute(next_link, method="get")
            everything.extend(e["resource"] for e in bundle["entry"])
        # The patient, the crisis plan, the pre-consultation summary and 40 days x 5 measures.
        assert len(everything) == bundle["total"] == 1 + 1 + 1 + 40 * 5
        assert everything[0]["resourceType"] == "Patient"
        for resource in everything:
            valid(resource)
        by_type: dict[str, list[dict[str, Any]]] = {}
        for resource in everything:
            by_type.setdefault(resource["resourceType"], []).append(resource)
        (plan,) = by_type["CarePlan"]
        assert plan["subject"]["reference"] == f"Patient/{patient.pk}"
        assert "stops sleeping" in plan["text"]["div"] and "my sister" in plan["text"]["div"]
        (summary,) = by_type["Composition"]
        assert summary["subject"]["reference"] == f"Patient/{patient.pk}"
        assert summary["type"]["coding"][0]["code"] == "34133-9"  # LOINC summary of episode note
        assert summary["section"] and all(section["text"]["div"] for section in summary["section"])
        # The same resources through their own searches.
        plans = client.resources("CarePlan").search(patient=str(patient.pk)).fetch_all()
        assert [p.serialize() for p in plans] == [plan]
        compositions = client.resources("Composition").search(patient=str(patient.pk)).fetch_all()
        assert [c["id"] for c in compositions] == [summary["id"]]
        for composition in compositions:
            valid(composition.serialize())
        assert pages == [60]
    finally:
        stop_process(server)
