"""Accessibility checks in the browser with axe-core (vendored: config/static/vendor/axe.min.js,
version in docs/dashboard.md). Injected from the file, so pages' content security policy and
the absence of network do not matter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent.parent / "config" / "static" / "vendor" / "axe.min.js"
SERIOUS = ("serious", "critical")


def inject(page: Any) -> None:
    """axe-core into the page: as a script tag, or, where the page's content security policy
    refuses inline scripts (ours: script-src 'self'), evaluated through the DevTools protocol,
    which the policy does not govern."""
    try:
        page.add_script_tag(path=str(AXE))
    except Exception as error:  # playwright's Error; the policy blocked the inline tag
        if "Content Security Policy" not in str(error):
            raise
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        raise AssertionError(f"axe-core could not be injected into {page.url}")


def axe_violations(page: Any, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        inject(page)
    result = page.evaluate("async () => await window.axe.run(document, { resultTypes: ['violations'] })")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v.get('helpUrl', '')}]")
        for node in v.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {(node.get('failureSummary') or '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_no_serious_axe_violations(page: Any, context: str = "") -> None:
    """Fail with a readable list (rule id, impact, targets) when axe-core finds a serious or
    critical violation on the page."""
    violations = axe_violations(page)
    if violations:
        where = f" on {context}" if context else f" on {page.url}"
        raise AssertionError(
            f"axe-core: {len(violations)} serious/critical violation(s){where}:\n{describe(violations)}"
        )
