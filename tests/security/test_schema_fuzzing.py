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
