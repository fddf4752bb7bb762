"""Schemathesis against our own OpenAPI schema, with a patient's and a clinician's
credentials: no 5xx and no response that breaks the schema. Bounded to run in minutes."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import ROOT, asgi_server

# Destructive or session-ending operations are exercised by their own tests.
EXCLUDED_PATHS = r"^/api/v1/(me/erase/|auth/logout/|models/\{version\}/activate/)$"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "10")
# Fuzzing repeats until this budget (per credential) is spent: the run stays bounded.
MAX_SECONDS = os.environ.get("FUZZ_MAX_SECONDS", "35")


@pytest.fixture
def fuzz_server(transactional_db):  # type: ignore[no-untyped-def]
    with asgi_server(JWT_ACCESS_MINUTES="120") as url:
        yield url


def _fuzz(base_url: str, token: str, report: Path) -> tuple[int, int, str]:
    st = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    result = subprocess.run(  # noqa: S603
        [
            st,
            "run",
            f"{base_url}/api/schema/",
            "--url",
            base_url,
            "-H",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "20261122",
            "--phases",
            "examples,coverage,fuzzing",
            "--exclude-path-regex",
            EXCLUDED_PATHS,
            "--workers",
            "1",
            "--no-color",
            "--request-timeout",
            "20",
            "--max-time",
            MAX_SECONDS,
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
            "--generation-database",
            "none",
            "--suppress-health-check",
            "all",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    requests = 0
    if report.exists():
        for line in report.read_text().splitlines():
            requests += line.count('"request"')
    return result.returncode, requests, result.stdout[-6000:] + result.stderr[-2000:]


@pytest.mark.timeout(600)
def test_schemathesis_patient_and_clinician(fuzz_server, patient, nurse, tmp_path):
    outcomes = {}
    for who, user in (("patient", patient.user), ("nurse", nurse)):
        code, requests, output = _fuzz(fuzz_server, str(AccessToken.for_user(user)), tmp_path / f"{who}.ndjson")
        outcomes[who] = (code, requests)
        assert code == 0, f"schemathesis as {who} found problems:\n{output}"
        assert requests > 100, f"schemathesis as {who} sent too few requests ({requests}):\n{output}"
    # Shown with -s, and in the closing note of the security issue.
    print("schemathesis requests:", json.dumps({k: v[1] for k, v in outcomes.items()}))


# --- the dashboards' query parameters (pages, outside the OpenAPI schema) ---------------------------

# Values that broke or could break a query: NUL bytes, digits Python's int() reads or refuses
# (superscripts, Arabic-Indic), numbers past 32 and 64 bits, the ends of the calendar.
NASTY = [
    "\x00",
    "a\x00b",
    "²",
    "٣",
    "¹²",
    "½",
    "9" * 30,
    str(2**31),
    str(2**63),
    "-1",
    "0",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "%",
    "'; --",
    "😀",
]
DASHBOARD_PARAMETERS = {
    "/dashboard/patients/": ["q", "diagnosis", "band", "alerts", "gap", "status", "team", "sort", "page"],
    "/dashboard/patients/{patient}/": ["days", "start", "end"],
    "/dashboard/": ["status", "kind"],
}
DASHBOARD_EXAMPLES = int(os.environ.get("FUZZ_DASHBOARD_EXAMPLES", "150"))


def _query_values():  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
    return st.one_of(st.sampled_from(NASTY), text, st.integers().map(str), st.dates().map(str))


@pytest.mark.parametrize("route", sorted(DASHBOARD_PARAMETERS))
def test_dashboard_query_parameters_never_give_a_server_error(nurse, patient, route):
    from django.test import Client
    from hypothesis import HealthCheck, given, seed
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st

    client = Client(raise_request_exception=False)
    client.force_login(nurse)
    url = route.format(patient=patient.pk)
    names = DASHBOARD_PARAMETERS[route]
    seen: dict[int, int] = {}

    @seed(20261122)
    @hypothesis_settings(
        max_examples=DASHBOARD_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.dictionaries(st.sampled_from(names), _query_values(), max_size=len(names)))
    def check(params: dict[str, str]) -> None:
        response = client.get(url, params)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, (url, params, response.status_code)
        if response.status_code == 400:
            assert "not valid" in response.content.decode(), (url, params)

    check()
    assert seen.get(200, 0) > 0 and sum(seen.values()) >= DASHBOARD_EXAMPLES // 2, seen
