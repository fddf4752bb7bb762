"""The card context an alert list can embed (`?context=1`): diagnosis, risk, sparkline, last
data, phone, key worker, crisis plan, previous alerts. Those facts live in the layers above
(records reads monitoring and ml), so the provider is registered from there at start-up
(records.apps) and this app only calls it: one call per page, for all its patients."""

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

CardsProvider = Callable[..., dict[UUID, dict[str, Any]]]

_provider: CardsProvider | None = None


def cards_provider_register(provider: CardsProvider) -> None:
    global _provider
    _provider = provider


def cards_for_patients(*, patient_ids: Iterable[UUID], user: Any) -> dict[UUID, dict[str, Any]]:
    """`{patient_id: card}` for patients the caller has already scoped; `{}` when no
    provider is installed (the alerts app alone)."""
    ids = sorted(set(patient_ids), key=str)
    if _provider is None or not ids:
        return {}
    return _provider(patient_ids=ids, user=user)
