import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.RISK_LANGUAGE_PRELOAD:
    # The first check-in with a note must not wait for the risk-language pipelines to build.
    from monitoring.risk_language import pipelines  # noqa: E402

    pipelines()
