import os

from celery import Celery

from alerts.schedules import BEAT as alerts_beat
from ml.schedules import BEAT as ml_beat
from mobile.schedules import BEAT as mobile_beat
from monitoring.schedules import BEAT as monitoring_beat
from patients.schedules import BEAT as patients_beat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("relapse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _beat_schedule(sender: Celery, **kwargs: object) -> None:
    # Each app lists its periodic tasks in <app>/schedules.py; django-celery-beat's
    # DatabaseScheduler copies them into the database when beat starts.
    sender.conf.beat_schedule = {**patients_beat, **monitoring_beat, **ml_beat, **alerts_beat, **mobile_beat}
