import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# Django must be set up before the routing imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.body_limits import RequestBodyLimitMiddleware  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from patients.websocket_auth import JWTOrSessionAuthMiddlewareStack, SameOriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Bodies above the route's limit are refused before Django reads them (config.body_limits).
        "http": RequestBodyLimitMiddleware(django_asgi_app),
        # The full origin (scheme, host, port): patients.websocket_auth.websocket_origin_allowed.
        "websocket": SameOriginValidator(JWTOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Import every view now, then move everything loaded so far out of the cyclic garbage
# collector's reach (gc.freeze): its full collections no longer walk Django's hundreds of
# thousands of long-lived objects each time a request allocates enough. A 1,000-record
# signal batch triggers several; the server handles about a quarter more of them per second
# (docs/benchmarks.md). Nothing is leaked: frozen objects live as long as the process anyway.
import gc  # noqa: E402

from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

from django.conf import settings  # noqa: E402

if settings.RISK_LANGUAGE_PRELOAD:
    # The first check-in with a note must not wait for the pipelines to build.
    from monitoring.risk_language import pipelines  # noqa: E402

    pipelines()
gc.freeze()
