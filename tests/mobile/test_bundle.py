"""The phone app's committed bundle (mobile/static/mobile/dist/) is built from the current
sources: its stamped source hash equals the hash of mobile/static/mobile/js and css now.
After changing a source: `make bundle` (npm ci && npm run build) and commit the dist files."""

import shutil
import subprocess
from pathlib import Path

import pytest

from mobile.bundle import BUNDLE, STATIC, bundle_hash, source_files, source_hash

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", BUNDLE)
def test_the_committed_bundle_is_up_to_date_with_its_sources(path):
    assert bundle_hash(path) == source_hash(), (
        f"{path} is stale: run `make bundle` and commit mobile/static/mobile/dist/"
    )


def test_the_bundle_covers_every_module_of_the_app_and_not_the_clinicians_panel():
    files = source_files()
    assert "mobile/js/app.js" in files and "mobile/css/app.css" in files
    assert "mobile/js/screens/questionnaire.js" in files
    assert "mobile/js/schedule_panel.js" not in files
    script = (STATIC / BUNDLE[0]).read_text(encoding="utf-8").split("\n", 1)[1]
    assert not script.startswith("import") and 'from"./' not in script  # one file: no module left to fetch
    sources = sum((STATIC / f).stat().st_size for f in files if f.endswith(".js"))
    assert len(script) < 0.7 * sources  # minified


@pytest.mark.skipif(not (ROOT / "node_modules" / ".bin" / "esbuild").exists(), reason="esbuild not installed (npm ci)")
def test_rebuilding_gives_the_committed_bundle():
    # Where esbuild is installed, the committed files are exactly what it builds now.
    before = {path: (STATIC / path).read_bytes() for path in BUNDLE}
    node = shutil.which("node")
    assert node
    subprocess.run([node, "scripts/build_mobile_bundle.mjs"], cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    after = {path: (STATIC / path).read_bytes() for path in BUNDLE}
    assert after == before
