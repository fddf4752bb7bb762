"""The read side's tests build their patients as the ingestion tests do."""

from tests.monitoring.conftest import make_patient  # noqa: F401 - a fixture, shared
