"""Account services (patients/services.py): deactivation ends tokens and sockets; the admin's
account save and care-team membership go through them."""

import pytest

from patients.services import clinician_deactivate

pytestmark = pytest.mark.django_db


def test_clinician_deactivate_blacklists_tokens_and_closes_sockets_on_commit(nurse, django_capture_on_commit_callbacks):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
    from rest_framework_simplejwt.tokens import RefreshToken

    RefreshToken.for_user(nurse)
    with django_capture_on_commit_callbacks() as callbacks:
        assert clinician_deactivate(user=nurse) is True
    nurse.refresh_from_db()
    assert nurse.is_active is False
    assert BlacklistedToken.objects.filter(token__user=nurse).count() == 1
    assert len(callbacks) == 1
    assert clinician_deactivate(user=nurse) is False


def test_the_admin_edits_membership_and_deactivates_through_the_services(
    team, nurse, psychiatrist, django_capture_on_commit_callbacks, monkeypatch
):
    """The admin's care-team form and its user form go through the account services: the
    members taken off or added have their sockets rescoped; switching an account off is a
    deactivation (tokens blacklisted, sockets closed)."""
    from django.test import Client
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
    from rest_framework_simplejwt.tokens import RefreshToken

    from patients import services, sockets
    from patients.models import User

    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(sockets, "user_sockets_rescope", lambda user_id: sent.append(("rescope", user_id)))
    monkeypatch.setattr(services, "user_sockets_close", lambda user_id, reason="": sent.append(("close", user_id)))
    admin = User.objects.create_superuser("root", "", "pw-root-2026", role="admin")
    client = Client()
    client.force_login(admin)

    form = {
        "name": team.name,
        "establishment": team.establishment_id,
        "timezone": team.timezone,
        "members": [psychiatrist.pk],  # the nurse is taken off
        "adherence_gap_days": team.adherence_gap_days,
        "escalation_minutes": team.escalation_minutes,
        "alert_budget_per_patient_month": team.alert_budget_per_patient_month,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/patients/careteam/{team.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    assert list(team.members.values_list("pk", flat=True)) == [psychiatrist.pk]
    assert sent == [("rescope", nurse.pk)]

    sent.clear()
    RefreshToken.for_user(psychiatrist)
    user_form = client.get(f"/admin/patients/user/{psychiatrist.pk}/change/").context["adminform"].form
    data = {k: v for k, v in user_form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update(username=psychiatrist.username, role=psychiatrist.role, date_joined_0="2026-01-01",
                date_joined_1="00:00:00", is_active="")  # fmt: skip
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/patients/user/{psychiatrist.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    psychiatrist.refresh_from_db()
    assert psychiatrist.is_active is False
    assert BlacklistedToken.objects.filter(token__user=psychiatrist).count() == 1
    assert sent == [("close", psychiatrist.pk)]
