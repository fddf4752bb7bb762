"""Alert events pushed to their care team's channel-layer group (the nurse desk's sockets).
The push runs after the commit and never raises: the AlertEvent row is the record, and a
dashboard that missed a push replays it with `resume`."""

from typing import Any

from patients.sockets import group_send


def team_group(team_id: int) -> str:
    return f"alerts-team-{team_id}"


def alert_event_push(*, team_id: int, message: dict[str, Any]) -> bool:
    return group_send(
        team_group(team_id), {"type": "alert.event", "message": message}, what="alert", ref=message["seq"]
    )
