"""Django's own authentication signals: login success and failure go to the audit trail
(HIPAA audit controls); signing out closes the sockets that session opened; a password change,
whatever made it, ends every session of the account."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .audit import audit_record
from .models import AuditAction, User
from .services import user_sessions_end
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


# --- A password change ends every session ---------------------------------------------------
# Every path that changes a password (the admin's password form, `manage.py changepassword`,
# Django's password-change and reset forms, any service) ends in `User.save()`: `set_password`
# leaves the new raw password in `_password` until the save, and a hash assigned directly
# differs from the stored one. Django's own rehash at sign-in (same password, stronger hasher:
# `check_password`'s setter saves `update_fields=["password"]` with `_password` cleared) is not
# a change.


@receiver(pre_save, sender=User, dispatch_uid="patients_password_change_seen")
def _password_change_seen(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    instance._password_changed = False  # type: ignore[attr-defined]
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    if instance._password is not None:  # type: ignore[attr-defined]  # set_password() was called
        instance._password_changed = True  # type: ignore[attr-defined]
        return
    if update_fields is not None and set(update_fields) == {"password"}:
        return  # Django's rehash at sign-in
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="patients_password_change_ends_sessions")
def _password_change_ends_sessions(sender: Any, instance: User, created: bool = False, **kwargs: Any) -> None:
    if not created and getattr(instance, "_password_changed", False):
        instance._password_changed = False  # type: ignore[attr-defined]
        user_sessions_end(user_id=instance.pk, reason="password")
