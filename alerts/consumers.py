"""`/ws/alerts/`: live alert events for a clinician's care teams. A shell: it authenticates,
joins its groups, relays pushes, and replays the event log on `resume`. Every input is
untrusted; anything unexpected gets `{"type": "error", "detail": ...}`, never a crash.

Close codes: 4401 not authenticated (timeout, bad first message, bad token; the access token
expired, or the session ended: it expired, its user signed out or her password changed), 4403
not a clinician or account deactivated, 4000 the clinician's care teams changed (reconnect to be scoped anew),
1011 the channel layer is unavailable (reconnect later)."""

import asyncio
import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from patients.audit import audit_record
from patients.models import AuditAction
from patients.sockets import user_group
from patients.websocket_auth import session_ref, session_user, user_and_expiry_from_access_token

from .broadcast import team_group
from .selectors import alert_events_after, alert_last_seq, clinician_team_ids
from .serializers import event_message, localized_message

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 8192
REPLAY_BATCH = 500
REPLAY_MAX = 5000


def _auth_timeout() -> float:
    return float(getattr(settings, "ALERTS_WS_AUTH_TIMEOUT_SECONDS", 5.0))


def _session_check_interval() -> float:
    return float(getattr(settings, "ALERTS_WS_SESSION_CHECK_SECONDS", 60.0))


def scope_language(scope: dict[str, Any]) -> str:
    """The socket's language, as LocaleMiddleware would choose it for a page: the language
    cookie, else Accept-Language, else the default. Alert messages are rendered in it."""
    candidates = [(scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)]
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    candidates += [code for code, _q in parse_accept_lang_header(accept)]
    for code in candidates:
        if code and code != "*":
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


class AlertConsumer(AsyncWebsocketConsumer):
    user: Any = None
    language: str = ""
    team_ids: list[int]
    joined: list[str]
    auth_timer: asyncio.Task[None] | None = None
    expiry_timer: asyncio.Task[None] | None = None
    session_key: str | None = None

    async def connect(self) -> None:
        self.user = None
        self.language = scope_language(self.scope)
        self.team_ids = []
        self.joined = []
        await self.accept()
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            self.session_key = getattr(self.scope.get("session"), "session_key", None)
            await self._start(user, method="session")
            if self.user is not None:
                # The session's authority can end (idle expiry, logout elsewhere, password
                # change): so does the socket it opened.
                self.expiry_timer = asyncio.ensure_future(self._watch_session())
        else:
            self.auth_timer = asyncio.ensure_future(self._auth_deadline())

    async def disconnect(self, code: int) -> None:
        for timer in (self.auth_timer, self.expiry_timer):
            if timer is not None and timer is not asyncio.current_task():
                timer.cancel()
        for group in self.joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as exc:  # noqa: BLE001 - the layer may be down; the group entry expires
                logger.info("alerts socket left a group uncleanly", extra={"error": type(exc).__name__})
        self.joined = []

    # --- input ------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self._reject_or_error("Send JSON text messages, not binary ones.")
            return
        if len(text_data) > MAX_MESSAGE_CHARS:
            await self._reject_or_error(f"Message too large (at most {MAX_MESSAGE_CHARS} characters).")
            return
        try:
            message = json.loads(text_data)
        except (ValueError, RecursionError):
            await self._reject_or_error("Malformed JSON.")
            return
        if not isinstance(message, dict):
            await self._reject_or_error('A message is a JSON object with a "type".')
            return
        kind = message.get("type")
        if self.user is None:
            if kind != "auth":
                await self._reject_or_error('Authenticate first: {"type": "auth", "token": "<access JWT>"}.')
                return
            await self._auth_jwt(message.get("token"))
            return
        if kind == "resume":
            await self._resume(message.get("after"))
        elif kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "auth":
            await self._error("Already authenticated.")
        else:
            await self._error('Unknown message type. Expected "resume" or "ping".')

    async def _reject_or_error(self, detail: str) -> None:
        """Before authentication a bad message ends the connection; after, it is an error."""
        if self.user is None:
            await self._close(detail, code=4401)
        else:
            await self._error(detail)

    async def _auth_jwt(self, token: Any) -> None:
        user, expires_at = await database_sync_to_async(user_and_expiry_from_access_token)(token)
        if user is None:
            await self._close("Invalid or expired access token.", code=4401)
            return
        await self._start(user, method="jwt")
        if self.user is not None and expires_at is not None:
            # The token's authority ends at its expiry: so does the socket it opened.
            self.expiry_timer = asyncio.ensure_future(self._expire_at(expires_at))

    async def _expire_at(self, expires_at: float) -> None:
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        await self._close("Access token expired: authenticate again with a fresh one.", code=4401)

    async def _watch_session(self) -> None:
        """Check every ALERTS_WS_SESSION_CHECK_SECONDS that the session still authenticates
        this user (a logout closes the socket at once, see user_close)."""
        while True:
            await asyncio.sleep(_session_check_interval())
            try:
                current = await database_sync_to_async(session_user)(self.session_key)
            except Exception as exc:  # noqa: BLE001 - the database is away: keep the alerts flowing, check again
                logger.warning("alerts socket could not check its session", extra={"error": type(exc).__name__})
                continue
            if current is None or current.pk != self.user.pk:
                await self._close("Your session ended: sign in again to follow alerts.", code=4401)
                return

    async def _auth_deadline(self) -> None:
        await asyncio.sleep(_auth_timeout())
        if self.user is None:
            await self._close("Authentication timed out.", code=4401)

    async def _start(self, user: Any, *, method: str) -> None:
        team_ids = await database_sync_to_async(self._subscribe_record)(user, method)
        if team_ids is None:
            await self._close("Only care-team clinicians may follow alerts.", code=4403)
            return
        if self.auth_timer is not None:
            self.auth_timer.cancel()
            self.auth_timer = None
        try:
            # Join before reading last_seq: an event after it is either pushed or replayable.
            for group in [*[team_group(t) for t in team_ids], user_group(user.pk)]:
                await self.channel_layer.group_add(group, self.channel_name)
                self.joined.append(group)
        except Exception as exc:  # noqa: BLE001
            logger.warning("alerts socket could not join its groups", extra={"error": type(exc).__name__})
            await self._close("Live alerts are unavailable right now; reconnect later.", code=1011)
            return
        self.user = user
        self.team_ids = team_ids
        last_seq = await database_sync_to_async(alert_last_seq)()
        await self._send(
            {
                "type": "authenticated",
                "user": user.get_username(),
                "method": method,
                "care_teams": team_ids,
                "last_seq": last_seq,
            }
        )

    @staticmethod
    def _subscribe_record(user: Any, method: str) -> list[int] | None:
        if not (user.is_active and user.is_clinician):
            audit_record(actor=user, action=AuditAction.DENIED, resource="alerts_socket", detail={"method": method})
            return None
        team_ids = clinician_team_ids(user=user)
        audit_record(
            actor=user, action=AuditAction.READ, resource="alerts_socket", detail={"method": method, "teams": team_ids}
        )
        return team_ids

    async def _resume(self, after: Any) -> None:
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self._error('"after" must be a non-negative integer (the last seq you received).')
            return
        sent = 0
        last = after
        complete = False
        while sent < REPLAY_MAX:
            batch = await database_sync_to_async(self._replay_batch)(last, min(REPLAY_BATCH, REPLAY_MAX - sent))
            for message in batch:
                await self._send(message)
            sent += len(batch)
            if batch:
                last = batch[-1]["seq"]
            if len(batch) < REPLAY_BATCH:
                complete = True
                break
        if sent:  # a resume that returned nothing read no patient data (dashboards poll it)
            await database_sync_to_async(audit_record)(
                actor=self.user,
                action=AuditAction.READ,
                resource="alert_events",
                detail={"after": after, "count": sent, "via": "websocket"},
            )
        # Not complete: the client should reload its list (or resume again from last_seq).
        await self._send({"type": "resumed", "after": after, "last_seq": last, "count": sent, "complete": complete})

    def _replay_batch(self, after: int, limit: int) -> list[dict[str, Any]]:
        with translation.override(self.language):
            events = alert_events_after(team_ids=self.team_ids, after=after, limit=limit)
            return [event_message(e, e.alert, role=self.user.role) for e in events]

    # --- channel-layer handlers ---------------------------------------------------------------

    async def alert_event(self, event: dict[str, Any]) -> None:
        if self.user is not None:
            with translation.override(self.language):
                # Pushed with the widest view: redacted here for this socket's reader (21.5).
                message = localized_message(event["message"], role=self.user.role)
            await self._send(message)

    async def user_close(self, event: dict[str, Any]) -> None:
        if event.get("reason") == "session":
            # One of the user's sessions signed out: only the sockets it opened close.
            if self.session_key and event.get("session") == session_ref(self.session_key):
                await self._close("You signed out: sign in again to follow alerts.", code=4401)
            return
        if event.get("reason") == "teams":
            # Not an error of the client's: the dashboard reconnects and is scoped anew.
            await self._close("Your care teams changed: reconnect to follow the new ones.", code=4000)
            return
        if event.get("reason") == "password":
            # Every session of the account ended with its password change.
            await self._close("Your password was changed: sign in again to follow alerts.", code=4401)
            return
        await self._close("Your account was deactivated.", code=4403)

    # --- output -------------------------------------------------------------------------------

    async def _send(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message, separators=(",", ":")))

    async def _error(self, detail: str) -> None:
        await self._send({"type": "error", "detail": detail})

    async def _close(self, detail: str, *, code: int) -> None:
        if self.auth_timer is not None and self.auth_timer is not asyncio.current_task():
            self.auth_timer.cancel()
        await self._error(detail)
        await self.close(code=code)
