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
