"""The serving model: artifacts from before ml.serving existed still load, and scoring's
modules load neither training code nor Django."""

import json
import subprocess
import sys
import zlib
from pathlib import Path

from ml.registry import artifact_load, artifact_save
from ml.serving import RiskModel
from ml.training import build_dataset
from tests.ml.helpers import cohort, trained

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "ml.features",
    "ml.cohort",
    "ml.cohort_latent",
    "ml.cohort_observations",
    "ml.cohort_lines",
    "ml.serving",
    "ml.training",
    "ml.evaluation",
    "monitoring.summaries",
    "monitoring.cohort_summaries",
    "ml.registry",
]


def _modules_loaded_by(modules: list[str]) -> dict[str, list[str]]:
    """For each module, imported in this order in a fresh interpreter, the modules of
    Django and of ml's training that are loaded once it is."""
    code = (
        "import importlib, json, sys\n"
        "seen = {}\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    seen[name] = sorted(m for m in sys.modules if m.split('.')[0] == 'django' or m == 'ml.training')\n"
        "print(json.dumps(seen))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_an_artifact_saved_when_risk_model_lived_in_ml_training_still_loads(tmp_path, monkeypatch):
    # Given an artifact written the way the code before ml.serving wrote it: the class
    # pickled as ml.training.RiskModel.
    model, _report = trained()
    with monkeypatch.context() as patch:
        patch.setattr(RiskModel, "__module__", "ml.training")
        path, sha256 = artifact_save(model, directory=tmp_path, version="legacy")
    assert b"ml.training" in zlib.decompress(Path(path).read_bytes())
    # When the registry loads it
    loaded = artifact_load(path, sha256)
    # Then it is today's class and scores exactly as the model it was saved from.
    assert type(loaded) is RiskModel
    _lines, _latent, summaries, pats, events = cohort()
    rows = build_dataset(summaries, pats, events).tail(200)
    assert (loaded.predict(rows) == model.predict(rows)).all()
    assert loaded.threshold == model.threshold and loaded.budget_curve == model.budget_curve


def test_a_new_artifact_names_the_class_in_ml_serving(tmp_path):
    model, _report = trained()
    path, _sha256 = artifact_save(model, directory=tmp_path, version="new")
    pickled = zlib.decompress(Path(path).read_bytes())
    assert b"ml.serving" in pickled and b"ml.training" not in pickled


def test_pure_computation_modules_import_no_django():
    loaded = _modules_loaded_by(PURE)
    assert {name: [m for m in mods if m != "ml.training"] for name, mods in loaded.items()} == {
        name: [] for name in PURE
    }


def test_loading_the_serving_model_loads_no_training_code():
    assert _modules_loaded_by(["ml.serving", "ml.registry"]) == {"ml.serving": [], "ml.registry": []}


def test_a_started_process_loads_no_training_code_and_no_praat():
    """Django's start-up registers every app's tasks; that must not drag heavy code into every
    process: a scoring worker loads no training code, no process loads Praat before a voice
    diary is analysed (it weighs ~100 MB)."""
    code = (
        "import os, sys, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.test')\n"
        "django.setup()\n"
        "import ml.scoring, ml.tasks, monitoring.tasks\n"
        "print(sorted(m for m in ('parselmouth', 'ml.training', 'ml.evaluation', 'matplotlib') if m in sys.modules))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
