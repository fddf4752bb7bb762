"""The channel layer as the kernel uses it: a bounded send that never raises, and the
per-user group every open socket of a user joins, through which an account change (sign-out,
deactivation, a password or care-team change) closes or rescopes that user's sockets.

Any app's sockets (the nurse desk's `/ws/alerts/` today) join `user_group(user.pk)` and
close on `{"type": "user.close"}`; the apps above push their own messages with `group_send`.
The channel layer delivers at most once: the database is the record, and a socket that a
close message misses closes at its next session or token check."""

import asyncio
import functools
import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from .websocket_auth import session_ref

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def _push_timeout() -> float:
    return float(getattr(settings, "ALERTS_PUSH_TIMEOUT_SECONDS", 2.0))


async def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # Bounded: a Redis that hangs must not hold the request that sent the message.
    await asyncio.wait_for(layer.group_send(group, message), timeout=_push_timeout())


_push_loop: asyncio.AbstractEventLoop | None = None
_push_loop_pid: int | None = None
_push_loop_lock = threading.Lock()


def _redis_layer() -> bool:
    return "channels_redis" in str(settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", ""))


def _loop_for_pushes() -> asyncio.AbstractEventLoop:
    """One long-lived event loop per process for pushes to a Redis channel layer. Without it,
    a process with no running loop (Celery worker, command) would build a new loop, and so a
    new Redis connection pool, for every push (tens of ms each)."""
    global _push_loop, _push_loop_pid
    with _push_loop_lock:
        if _push_loop is None or _push_loop_pid != os.getpid() or _push_loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="channel-push", daemon=True).start()
            _push_loop, _push_loop_pid = loop, os.getpid()
        return _push_loop


def _inside_server_loop() -> bool:
    """True in a thread that asgiref runs for an event loop (an ASGI request, a consumer's
    database call): async_to_sync then hands the push to that loop, the fastest path."""
    local = SyncToAsync.threadlocal
    return (
        getattr(local, "main_event_loop", None) is not None
        and getattr(local, "main_event_loop_pid", None) == os.getpid()
    )


def _group_send_blocking(group: str, message: dict[str, Any]) -> None:
    if _redis_layer() and not _inside_server_loop():
        # A worker or a command: reuse one loop (and its Redis connections) for every push.
        future = asyncio.run_coroutine_threadsafe(_group_send(group, message), _loop_for_pushes())
        future.result(timeout=_push_timeout() + 1)
    else:
        # The server's own loop (and the in-memory layer, which lives on it).
        async_to_sync(_group_send)(group, message)


def group_send(group: str, message: dict[str, Any], *, what: str, ref: object) -> bool:
    """Send to a group; never raises. Logs carry the event seq or user id, no patient data."""
    try:
        _group_send_blocking(group, message)
    except Exception as exc:  # noqa: BLE001 - a failed push is never a failed request
        logger.warning(
            "channel push failed; dashboards will replay it with resume",
            extra={"what": what, "ref": str(ref), "group": group, "error": type(exc).__name__},
        )
        return False
    return True


def user_sockets_close(user_id: int, reason: str = "deactivated") -> bool:
    """Close every socket of this user: `reason` is "deactivated" (the account was switched
    off) or "password" (its password changed). Never raises."""
    return group_send(user_group(user_id), {"type": "user.close", "reason": reason}, what="close", ref=user_id)


def session_sockets_close(user_id: int, session_key: str) -> bool:
    """Close the sockets this session of the user opened (she signed out). Never raises; a
    socket the message misses closes at its next session check."""
    message = {"type": "user.close", "reason": "session", "session": session_ref(session_key)}
    return group_send(user_group(user_id), message, what="signout", ref=user_id)


def user_sockets_rescope(user_id: int) -> bool:
    """Make every socket of this user reconnect (its care teams changed): the socket closes
    with 4000, the dashboard reconnects at once and is scoped anew, so a nurse taken off a team
    stops receiving that team's alerts now, not at her next reconnection. Never raises."""
    return group_send(user_group(user_id), {"type": "user.close", "reason": "teams"}, what="rescope", ref=user_id)


def user_sockets_rescope_on_commit(*, user_ids: Iterable[int]) -> None:
    """After the commit, rescope the sockets of these users (care-team membership changed)."""
    for user_id in sorted(set(user_ids)):
        transaction.on_commit(functools.partial(user_sockets_rescope, user_id))
