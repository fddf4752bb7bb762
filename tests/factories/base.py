"""Factories: base."""

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

DEFAULT_PASSWORD = "correct-horse-battery-9"  # noqa: S105 - test fixture


def _local_today(patient: Any) -> dt.date:
    return timezone.localdate(timezone=patient.tz)


def _require_derived(model_class: type, derived: dict[str, Any], given: dict[str, Any]) -> None:
    """Refuse a value given for a field the service derives, unless it is the derived one."""
    for name, value in derived.items():
        if name in given and given[name] != value:
            raise ValueError(
                f"{model_class.__name__}.{name} is derived by the service ({value!r}); it cannot be {given[name]!r}."
            )


class ServiceFactory(factory.django.DjangoModelFactory):
    """A factory whose `create()` calls a service. `_service_args` are arguments of that service
    that are no model fields (`build()` drops them); `_set_by_service` are fields the service
    sets itself (timestamps): `create()` applies them afterwards only when they are given, and
    `build()` sets them to now."""

    class Meta:
        abstract = True

    _service_args: tuple[str, ...] = ()
    _set_by_service: tuple[str, ...] = ()

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        for name in cls._service_args:
            kwargs.pop(name, None)
        for name in cls._set_by_service:
            kwargs.setdefault(name, timezone.now())
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _given_times(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {name: kwargs.pop(name) for name in cls._set_by_service if name in kwargs}


# --- helpers for the factory tests ---------------------------------------------------------


def latest_utc(hour: int) -> dt.datetime:
    """The latest moment before now (by at least 5 minutes) at `hour`:00 UTC."""
    now = timezone.now() - dt.timedelta(minutes=5)
    moment = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment if moment <= now else moment - dt.timedelta(days=1)


def local_yesterday(patient) -> dt.date:  # type: ignore[no-untyped-def]
    return timezone.localdate(timezone=patient.tz) - dt.timedelta(days=1)


# --- every factory ---------------------------------------------------------------------------
