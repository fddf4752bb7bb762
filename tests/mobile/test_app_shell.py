"""The installable app's pages: shell, manifest, service worker, icons, catalogues, and
the small API extensions it relies on (public config, sign-out)."""

import json
import re
import struct

import pytest
from django.template.loader import render_to_string
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

pytestmark = pytest.mark.django_db


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def test_shell_is_served_with_the_strict_csp_and_no_inline_code(client):
    response = client.get("/app/")

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # every script is a file
    assert " style=" not in html and "<style" not in html
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in html
    assert 'data-crisis-line="3114"' in html
    assert response["Cache-Control"] == "no-cache"


def test_shell_speaks_french_when_the_phone_asks(client):
    response = client.get("/app/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<title>Mon suivi</title>" in html
    assert 'data-catalog-url="/app/i18n/fr.json"' in html


def test_crisis_line_is_configurable(client, settings):
    settings.CRISIS_LINE = "0800 123 456"
    settings.EMERGENCY_NUMBER = "15"

    html = client.get("/app/").content.decode()
    config = APIClient().get("/api/v1/app/config/").json()

    assert 'data-crisis-line="0800 123 456"' in html and 'data-emergency-number="15"' in html
    assert config == {
        "crisis_line": "0800 123 456",
        "emergency_number": "15",
        "consent_version": "1",
        "languages": ["en", "fr"],
    }


def test_manifest_makes_the_app_installable(client):
    response = client.get("/app/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Mon suivi" and manifest["lang"] == "fr"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/app/", "/app/", "standalone")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200
        width, height = png_size(b"".join(image.streaming_content))
        assert f"{width}x{height}" == icon["sizes"]


def test_service_worker_is_served_for_the_app_scope_and_precaches_the_shell(client):
    response = client.get("/app/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/app/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1))
    bundle = {"/static/mobile/dist/app.min.js", "/static/mobile/dist/app.min.css"}
    assert {"/app/", "/app/manifest.webmanifest", "/app/i18n/fr.json", *bundle} <= set(precache)
    assert "/static/mobile/js/app.js" not in precache  # the bundle replaces the separate modules
    assert not any(url.startswith("/api/") for url in precache)
    assert "/static/mobile/js/schedule_panel.js" not in precache  # the clinicians' panel is not the patient's shell
    for url in precache:
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200, url
    assert 'url.pathname.startsWith("/api/")' in body  # patient data is never cached by the worker


def test_js_catalogue_has_the_validated_french_phq9_wording(client):
    catalog = client.get("/app/i18n/fr.json").json()["catalog"]

    assert (
        catalog["Thoughts that you would be better off dead or of hurting yourself in some way"]
        == "Penser qu'il vaudrait mieux mourir ou envisager de vous faire du mal d'une manière ou d'une autre"
    )
    assert catalog["More than half the days"] == "Plus de la moitié du temps"
    assert client.get("/app/i18n/en.json").json()["catalog"] == {}
    assert client.get("/app/i18n/de.json").status_code == 404


def test_schedule_panel_include_renders_for_a_patient(patient):
    html = render_to_string("mobile/schedule_panel.html", {"patient_id": patient.pk})

    assert f'data-url="/api/v1/patients/{patient.pk}/schedule/"' in html
    assert 'src="/static/mobile/js/schedule_panel.js"' in html
    assert 'name="csrfmiddlewaretoken"' not in html  # no request here; on a page, the form carries it
    assert " style=" not in html


# --- sign-out -------------------------------------------------------------------------------


def test_logout_blacklists_the_refresh_token(patient):
    refresh = str(RefreshToken.for_user(patient.user))
    client = APIClient()

    response = client.post("/api/v1/auth/logout/", {"refresh": refresh}, format="json")
    again = client.post("/api/v1/auth/logout/", {"refresh": refresh}, format="json")
    reuse = client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")

    assert (response.status_code, again.status_code) == (204, 204)
    assert reuse.status_code == 401


def test_logout_needs_a_refresh_token():
    response = APIClient().post("/api/v1/auth/logout/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"refresh": ["This field is required."]}


def test_logout_with_garbage_is_harmless():
    assert APIClient().post("/api/v1/auth/logout/", {"refresh": "not-a-token"}, format="json").status_code == 204
