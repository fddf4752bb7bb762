"""The phone app's pages: the app shell, its service worker, manifest and JS catalogue.

These carry no patient data: everything personal comes from the API with the patient's
token, so the shell can be cached on the device and load offline."""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.i18n import JSONCatalog

from .apis import app_config
from .bundle import BUNDLE

STATIC_ROOT_DIR = Path(__file__).resolve().parent / "static"
# What a first visit loads and the service worker keeps for offline use: the bundle (one
# script, one stylesheet, built from mobile/static/mobile/js and css: mobile/bundle.py) and the
# icons the page and its notifications use. The installed app's larger icons are fetched by
# the browser when it installs the app, not precached.
_SHELL_FILES = (*BUNDLE, "mobile/icons/icon.svg", "mobile/icons/icon-192.png")
# The easy-read mode's pictograms (Twemoji, CC-BY 4.0: pictograms/LICENSE.md), for offline use.
_PICTOGRAMS = STATIC_ROOT_DIR / "mobile" / "pictograms"
APP_SCOPE = "/app/"
# History draws its trends with the clinicians' charting library (loaded there only).
CHART_JS = "records/vendor/chart.umd.js"


def shell_static_paths() -> list[str]:
    pictograms = sorted(f"mobile/pictograms/{p.name}" for p in _PICTOGRAMS.glob("*.svg"))
    return [*_SHELL_FILES, *pictograms]


def _shell_version_uncached() -> str:
    """Changes whenever a file of the shell or a catalogue changes, so that devices fetch
    the new shell instead of running a stale one from their cache."""
    digest = hashlib.sha256()
    base = Path(__file__).resolve().parent
    files = [STATIC_ROOT_DIR / p for p in shell_static_paths()]
    files += sorted((base / "templates" / "mobile").glob("*"))
    files += sorted((base / "locale").rglob("*.mo"))
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


_shell_version_cached = cache(_shell_version_uncached)


def shell_version() -> str:
    return _shell_version_uncached() if settings.DEBUG else _shell_version_cached()


def _no_cache(response: HttpResponseBase) -> HttpResponseBase:
    # Revalidate on every load; the service worker keeps the offline copy.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def app_shell(request: HttpRequest) -> HttpResponseBase:
    config = app_config()
    context = {
        "config": config,
        "catalog_url": f"{APP_SCOPE}i18n/{translation.get_language()}.json",
        "shell_version": shell_version(),
    }
    return _no_cache(render(request, "mobile/app.html", context))


@require_GET
def service_worker(request: HttpRequest) -> HttpResponseBase:
    precache = [APP_SCOPE, f"{APP_SCOPE}manifest.webmanifest"]
    precache += [f"{APP_SCOPE}i18n/{code}.json" for code, _name in settings.LANGUAGES]
    for path in [*shell_static_paths(), CHART_JS]:
        if static(path) not in precache:
            precache.append(static(path))
    body = render_to_string(
        "mobile/sw.js",
        {"version": shell_version(), "precache_json": json.dumps(precache), "scope": APP_SCOPE},
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = APP_SCOPE
    return _no_cache(response)


@require_GET
def manifest(request: HttpRequest) -> HttpResponseBase:
    icons = [
        {"src": static("mobile/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("mobile/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {
            "src": static("mobile/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "id": APP_SCOPE,
        "name": _("My care diary"),
        "short_name": _("Care diary"),
        "description": _("Daily check-ins, questionnaires and voice diaries for your care team."),
        "lang": translation.get_language(),
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "start_url": APP_SCOPE,
        "scope": APP_SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": icons,
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
    return _no_cache(response)


@require_GET
def catalog(request: HttpRequest, lang: str) -> HttpResponseBase:
    """The app's JS strings for one language (Django's JSON catalogue of the djangojs domain)."""
    if lang not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    with translation.override(lang):
        response = JSONCatalog.as_view(domain="djangojs", packages=["mobile"])(request)
    return _no_cache(response)
