"""Account changes reach open dashboard sockets: a clinician added to or taken off a care
team has her sockets rescoped after the commit (whatever made the change: the admin, a
command, a service), and signing out closes the sockets that session opened."""

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from patients.models import CareTeam

from .services import care_team_members_changed, session_sockets_close


@receiver(user_logged_out, dispatch_uid="alerts_session_signed_out")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        session_sockets_close(user.pk, session_key)


@receiver(m2m_changed, sender=CareTeam.members.through, dispatch_uid="alerts_care_team_members_changed")
def _members_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if action == "pre_clear":
        # Who the clear removes: known only before it runs.
        instance._alerts_cleared_members = (
            [instance.pk] if reverse else list(instance.members.values_list("pk", flat=True))
        )
        return
    if action == "post_clear":
        care_team_members_changed(user_ids=getattr(instance, "_alerts_cleared_members", []))
        return
    if action in ("post_add", "post_remove") and pk_set:
        care_team_members_changed(user_ids=[instance.pk] if reverse else pk_set)
