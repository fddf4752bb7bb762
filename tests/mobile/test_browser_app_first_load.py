"""A first visit of the phone app (a fresh phone, nothing cached) at 360 × 740: how many requests
the page makes and how many bytes it receives until the first screen is ready. The bundle
(mobile/static/mobile/dist/) keeps it under 10 requests. Prints the figures that
docs/phone-app.md quotes."""

from typing import Any

import pytest

from tests.mobile.conftest import phone

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def first_visit(browser: Any, base_url: str, artifacts: Any, locale: str = "en-GB") -> dict[str, Any]:
    app = phone(browser, base_url, artifacts, locale=locale)
    responses: list[Any] = []
    everything: list[Any] = []  # the page's, and the service worker's own (its script, its precache)
    app.page.on("response", lambda response: responses.append(response))
    app.context.on("response", lambda response: everything.append(response))
    app.open()
    app.page.wait_for_selector("a[href='#/enrol']")
    app.page.wait_for_load_state("networkidle")
    app.page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    app.page.wait_for_timeout(500)

    def size(response: Any) -> int:
        try:
            return len(response.body())
        except Exception:  # a redirect or a response without a body
            return 0

    return {
        "requests": len(responses),
        "bytes": sum(size(r) for r in responses),
        "urls": sorted(r.url.split("/", 3)[-1] for r in responses),
        "all_requests": len(everything),
        "all_bytes": sum(size(r) for r in everything),
        "errors": app.real_errors(),
    }


def test_a_first_visit_takes_fewer_than_10_requests(live_asgi_server, browser, artifacts_dir):
    visit = first_visit(browser, live_asgi_server, artifacts_dir)
    print(
        f"\nfirst visit: page {visit['requests']} requests, {visit['bytes']} bytes; with the service worker's "
        f"install {visit['all_requests']} requests, {visit['all_bytes']} bytes: {visit['urls']}"
    )
    assert visit["requests"] < 10, visit["urls"]
    assert "static/mobile/dist/app.min.js" in visit["urls"]
    assert not any(url.startswith("static/mobile/js/") for url in visit["urls"])
    assert visit["errors"] == []
