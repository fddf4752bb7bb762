"""format.js, the browser's formatting helper, writes what patients.formatting and
alerts.factors.risk_display write (run in Node: the module touches the DOM only for its
defaults)."""

import datetime as dt
import json
import shutil
import subprocess  # nosec B404 - runs node on our own module
from pathlib import Path

import pytest
from django.utils import translation

from alerts.factors import risk_display
from patients.formatting import format_date, format_datetime

MODULE = Path(__file__).resolve().parents[2] / "patients" / "static" / "patients" / "js" / "format.js"
NODE = shutil.which("node")
SCORES = [0.0, 0.048, 0.0425, 0.04, 0.12345, 0.5, 0.99951, 1.0, 0.00049, 0.1234999]
INSTANTS = [
    "2026-08-10T12:05:00+00:00",
    "2026-01-10T12:05:00+00:00",
    "2026-10-25T00:30:00+00:00",
    "2026-10-25T01:30:00+00:00",
    "2026-12-31T23:30:00+00:00",
]
ZONES = ["Europe/Paris", "Europe/London", "UTC"]

SCRIPT = """
const m = await import(process.argv[1]);
const input = JSON.parse(process.argv[2]);
const out = {};
for (const locale of ["en-GB", "fr-FR"]) {
  out[locale] = {
    risk: input.scores.map((s) => m.formatRisk(s, { locale })),
    datetimes: input.instants.flatMap((i) => input.zones.map((timeZone) => m.formatDateTime(i, { timeZone, locale }))),
    dates: input.instants.flatMap((i) => input.zones.map((timeZone) => m.formatDate(i, { timeZone, locale }))),
    ages: [0, 1, 3, 114].map((d) => m.ageText(new Date(Date.parse("2026-08-10T10:00:00Z") - d * 86400000),
      new Date("2026-08-10T10:00:00Z"), { timeZone: "Europe/Paris", locale })),
    none: m.formatRisk(null, { locale }),
  };
}
console.log(JSON.stringify(out));
"""


def run_node() -> dict:
    if not NODE:
        pytest.fail("node not found (/usr/bin/node): format.js cannot be checked")
    data = json.dumps({"scores": SCORES, "instants": INSTANTS, "zones": ZONES})
    done = subprocess.run(  # nosec B603 - fixed arguments
        [NODE, "--input-type=module", "-e", SCRIPT, MODULE.as_uri(), data],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_format_js_writes_what_python_writes():
    out = run_node()
    for language, locale in (("en", "en-GB"), ("fr", "fr-FR")):
        with translation.override(language):
            assert out[locale]["risk"] == [risk_display(s, None)["text"] for s in SCORES]
            assert out[locale]["none"] == risk_display(None, None)["text"]
            instants = [dt.datetime.fromisoformat(i) for i in INSTANTS]
            assert out[locale]["datetimes"] == [format_datetime(i, z) for i in instants for z in ZONES]
            assert out[locale]["dates"] == [format_date(i, z) for i in instants for z in ZONES]
    assert out["en-GB"]["risk"][1] == "4.8%" and out["fr-FR"]["risk"][1] == "4,8\u00a0%"
    assert out["en-GB"]["ages"] == ["today", "yesterday", "3 days ago", "114 days ago"]
    assert out["fr-FR"]["ages"] == ["aujourd’hui", "hier", "il y a 3 jours", "il y a 114 jours"]
