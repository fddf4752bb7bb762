"""A served run leaves no patient identifier and no query string in its output (issue 21,
item 7). The server is started the way the Procfile starts it (its `web:` line, run by a
shell), requests carry patient UUIDs in their paths and patient codes in `?search=`, one of
them fails with a database error naming the patient, and the whole of stdout and stderr is
searched: the server's own access log, Django's error records (no request repr, no SQL, no
exception message), the JSON access log."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import free_port, server_env, wait_for_port
from tests.factories import ClinicianFactory, PatientFactory

ROOT = Path(__file__).resolve().parents[2]
CODE = "ZQX-SECRET-4471"


def _procfile_web_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("the Procfile has no web process")


@pytest.mark.django_db(transaction=True)
def test_a_served_run_logs_no_patient_id_code_or_query_string(team):
    patient = PatientFactory(code=CODE, care_team=team)
    nurse = ClinicianFactory(username="nurse-logs", role="nurse", teams=[team])
    token = str(AccessToken.for_user(nurse))
    port = free_port()
    venv_bin = str(Path(sys.executable).parent)
    # The Procfile's web line as honcho runs it (`make up` puts the venv's bin on PATH).
    command = _procfile_web_command().replace(".venv/bin/", "")
    env = server_env(
        DJANGO_SETTINGS_MODULE="tests.security.served_settings",
        PORT=str(port),
        HOST="127.0.0.1",
        PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        LOG_LEVEL="DEBUG",
    )
    output = tempfile.TemporaryFile()
    proc = subprocess.Popen(  # noqa: S603
        ["/bin/bash", "-c", f"exec {command}"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, proc)
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {token}"}
        statuses = [
            requests.get(f"{base}/api/v1/patients/?search={CODE}", headers=auth, timeout=30).status_code,
            requests.get(f"{base}/api/v1/patients/{patient.pk}/", headers=auth, timeout=30).status_code,
            requests.get(
                f"{base}/api/v1/patients/{patient.pk}/timeline/?start=2026-01-01&end=2026-01-05&search={CODE}",
                headers=auth,
                timeout=30,
            ).status_code,
            requests.get(f"{base}/api/v1/patients/{patient.pk}/", timeout=30).status_code,  # refused
            requests.get(f"{base}/boom/{patient.pk}/?search={CODE}", headers=auth, timeout=30).status_code,
        ]
        time.sleep(0.5)  # let the server flush the last lines
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
    output.seek(0)
    text = output.read().decode(errors="replace")
    output.close()

    assert statuses == [200, 200, 200, 401, 500], statuses
    # The run did log: the JSON access lines with route patterns, and the failure.
    assert '"route": "api/v1/patients/<uuid:patient_id>/timeline/"' in text, text[-3000:]
    assert '"status": 500' in text, text[-3000:]
    leaks = [
        needle
        for needle in (str(patient.pk), patient.pk.hex, CODE, "search=", "start=2026", token, "INSERT INTO", "SELECT")
        if needle.lower() in text.lower()
    ]
    assert not leaks, f"{leaks} in the output: {text[-4000:]}"
    # No request repr either (<ASGIRequest: GET '/...'>).
    assert not re.search(r"<\w*Request: ", text), text[-3000:]
