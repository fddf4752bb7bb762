"""scripts/actigraphy_depresjon_eval.py on a few real subjects: the truncation to the valid
days, the per-subject features and the metrics (the whole run is in docs/actigraphy.md)."""

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPRESJON = ROOT.parent / "shared" / "data" / "depresjon"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "actigraphy_depresjon_eval", ROOT / "scripts" / "actigraphy_depresjon_eval.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def test_a_subject_is_truncated_to_its_valid_complete_days() -> None:
    script = load_script()

    # condition_1: recorded from 2003-05-07 12:00, 11 valid days (scores.csv).
    subject = script.load_subject(DEPRESJON, "condition_1", 11)

    assert subject.condition == 1
    assert list(subject.days.index)[0] == date(2003, 5, 8)
    assert list(subject.days.index)[-1] == date(2003, 5, 18)
    assert subject.minutes == 11 * 1440
    assert (subject.days["wear_minutes"] == 1440).all()
    # The first night is scored with the evening before it (the partial first day).
    assert not subject.days["sleep_total_minutes"].isna().any()
    assert list(subject.days["rhythm_days"]) == list(range(1, 8)) + [7] * 4
    table = script.subject_table([subject])
    assert set(script.RHYTHM + script.SLEEP + script.ACTIVITY) <= set(table.columns)
    assert table.loc["condition_1", "is"] == pytest.approx(subject.rhythm["is"])


def test_metrics() -> None:
    script = load_script()
    y = np.array([1, 1, 1, 0, 0, 0, 0])
    predicted = np.array([1, 1, 0, 0, 0, 0, 1])

    result = script.metrics(y, predicted)

    assert result["sensitivity"] == pytest.approx(2 / 3)
    assert result["specificity"] == pytest.approx(3 / 4)
    assert result["f1"] == pytest.approx(2 / 3)
    assert result["mcc"] == pytest.approx((2 * 3 - 1 * 1) / np.sqrt(3 * 3 * 4 * 4))
    assert result["n"] == 7
