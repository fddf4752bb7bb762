import pytest

from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory


@pytest.mark.browser
def test_clinician_signs_in_through_the_real_page(live_asgi_server, browser, artifacts_dir, team):
    ClinicianFactory(username="nurse-live", role="nurse", teams=[team])
    page = browser.new_page(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"{live_asgi_server}/accounts/login/")
    heading = page.inner_text("h1")
    page.screenshot(path=str(artifacts_dir / "login.png"))
    login_errors = list(errors)
    browser_login(page, live_asgi_server, "nurse-live", DEFAULT_PASSWORD)

    assert heading == "Se connecter"
    assert any(c["name"] == "sessionid" for c in page.context.cookies())
    assert login_errors == []
