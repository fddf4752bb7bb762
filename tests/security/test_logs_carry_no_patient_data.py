"""A run of the API's patient-data paths leaves no note, no token and no patient code in the logs."""

import logging
import uuid

from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

NOTE = "Secret-note: I argued with my sister Zoé about the 14 rue des Lilas flat"


def test_logs_of_a_run_hold_no_note_token_or_code(client, patient, nurse_client, caplog):
    token = str(AccessToken.for_user(patient.user))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    recorded = (timezone.now() - timezone.timedelta(hours=1)).isoformat()
    with caplog.at_level(logging.DEBUG):
        client.post(
            "/api/v1/checkins/",
            {"id": str(uuid.uuid4()), "recorded_at": recorded, "mood": -2, "note": NOTE},
            content_type="application/json",
            **headers,
        )
        # Bad inputs and refusals log too: none may echo the body.
        client.post(
            "/api/v1/checkins/",
            {"id": "nope", "recorded_at": recorded, "mood": 9, "note": NOTE},
            content_type="application/json",
            **headers,
        )
        client.get("/api/v1/me/export/", **headers)
        client.get(f"/api/v1/me/timeline/?start=2026-01-01&end=2026-01-05&token={token}", **headers)
        nurse_client.get(f"/api/v1/patients/{patient.pk}/timeline/")
        nurse_client.get(f"/api/v1/patients/{patient.pk}/export/?format=csv")
        client.post("/api/v1/auth/token/", {"username": patient.user.username, "password": NOTE})

    everything = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert caplog.records, "the run logged nothing: the test would prove nothing"
    assert "Secret-note" not in everything
    assert "Zoé" not in everything
    assert token not in everything
    assert patient.code not in everything
