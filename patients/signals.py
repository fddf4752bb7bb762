"""Django's own authentication signals: login success and failure go to the audit trail
(HIPAA audit controls); signing out closes the sockets that session opened."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .models import AuditAction
from .sockets import session_sockets_close


@receiver(user_logged_in)
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(request=request, actor=user, action=AuditAction.LOGIN, resource="session")


@receiver(user_login_failed)
def _audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The attempted username is kept (not the password): it is what an investigator needs.
    audit_record(
        request=request,
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        resource="auth",
        detail={"username": str(credentials.get("username", ""))[:150]},
    )


@receiver(user_logged_out, dispatch_uid="patients_session_signed_out")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        session_sockets_close(user.pk, session_key)
