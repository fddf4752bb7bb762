"""Settings of the benchmark server: the embedded/production code paths of config.settings.local
(DEBUG off), plus the bench-only URL of the bare view, no throttling (the benchmarks are the
only clients) and access tokens that outlive a run."""

from datetime import timedelta

from config.settings.local import *  # noqa: F403
from config.settings.local import REST_FRAMEWORK, SIMPLE_JWT

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "patient_write": "1000000/min"},  # type: ignore[dict-item]
}
SIMPLE_JWT = {**SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(hours=3)}
