"""The beat tasks run in a real Celery worker when REDIS_URL is set (in-process otherwise)."""

import time

import pytest
from django.utils import timezone

from alerts import tasks
from alerts.models import Alert
from config.celery import app
from tests.alerts.conftest import raise_safety


def test_beat_schedule_lists_the_alert_tasks_and_each_is_registered():
    app.loader.import_default_modules()
    app.finalize()
    from alerts.schedules import BEAT as alerts_beat
    from monitoring.schedules import BEAT as monitoring_beat

    assert {entry["task"] for entry in alerts_beat.values()} == {"alerts.tasks.check_escalations"}
    # The adherence decision moved to monitoring; its beat entry kept its name (a beat
    # database updates its row in place).
    assert monitoring_beat["alerts-check-adherence"]["task"] == "monitoring.tasks.check_adherence"
    assert set(alerts_beat) | set(monitoring_beat) <= set(app.conf.beat_schedule)
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.services
def test_escalation_task_in_a_worker(celery_worker_process, patient):
    alert = raise_safety(patient)
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=16))

    tasks.check_escalations.delay()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        alert.refresh_from_db()
        if alert.escalated_at is not None:
            break
        time.sleep(0.2)
    assert alert.escalated_at is not None
    assert list(alert.events.values_list("event", flat=True)) == ["created", "escalated"]
