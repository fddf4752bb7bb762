"""Reference values from pyActigraphy 1.2.2 for the regression tests of monitoring.actigraphy
and monitoring.actigraphy_rhythm: tests/monitoring/fixtures/actigraphy_reference.json.

Run ONCE, in the separate scratch environment described in
scripts/actigraphy_reference_requirements.txt (pyActigraphy is never a dependency of the
project), from the repository root, with the depresjon data beside the repository:

    /tmp/pyact-venv/bin/python scripts/actigraphy_reference.py [--data ../shared/data/depresjon]

For each subject below it takes the 7 complete days that follow the recording's first
(partial) day, and stores: the counts of those 7 days (so the tests need neither the data set
nor pyActigraphy), pyActigraphy's IS, IV, RA, L5, M10 and L5/M10 onsets over them (raw counts
and pyActigraphy's default binarization, count > 4), and pyActigraphy's per-minute Cole-Kripke
("mean" setting, the one that accepts 1-minute data; with and without Webster's rescoring)
and Sadeh scores of the 3 middle days, scored on the whole recording. The depresjon clock is
local (Europe/Oslo) and none of these windows contains a clock change, so naive timestamps
(as pyActigraphy uses) and local ones agree."""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")

import pyActigraphy  # noqa: E402  (after the warnings filter: it warns on import)
from pyActigraphy.io import BaseRaw  # noqa: E402
from pyActigraphy.metrics.metrics import _lmx  # noqa: E402  (the function L5()/M10() call)

SUBJECTS = ("condition_1", "condition_12", "control_5")
WINDOW_DAYS = 7
SCORED_DAYS = (2, 3, 4)  # indices of the window's days whose minutes are scored
OUT = Path("tests/monitoring/fixtures/actigraphy_reference.json")


def raw_of(series: pd.Series, name: str) -> BaseRaw:
    return BaseRaw(
        name=name,
        uuid=name,
        format="CSV",
        axial_mode="mono-axial",
        start_time=series.index[0],
        # BaseRaw.data is .loc[start:start + period], both ends included.
        period=series.index[-1] - series.index[0],
        frequency=pd.Timedelta("1min"),
        data=series,
        light=None,
    )


def measures(raw: BaseRaw, binarize: bool) -> dict[str, float]:
    data = raw.binarized_data(4) if binarize else raw.data
    l5_start, l5 = _lmx(data, "5h", lowest=True)
    m10_start, m10 = _lmx(data, "10h", lowest=False)
    return {
        "is": float(raw.IS(binarize=binarize)),
        "iv": float(raw.IV(binarize=binarize)),
        "ra": float(raw.RA(binarize=binarize)),
        "l5": float(raw.L5(binarize=binarize)),
        "m10": float(raw.M10(binarize=binarize)),
        "l5_check": float(l5),
        "m10_check": float(m10),
        "l5_onset": l5_start.total_seconds() / 60,
        "m10_onset": m10_start.total_seconds() / 60,
    }


def bits(scores: pd.Series) -> str:
    return "".join(str(int(v)) for v in scores.to_numpy())


def subject(data_dir: Path, name: str) -> dict[str, object]:
    path = f"{name.split('_')[0]}/{name}.csv.gz"
    frame = pd.read_csv(data_dir / path)
    stamps = pd.to_datetime(frame["timestamp"], format="%Y-%m-%d %H:%M:%S")
    index = pd.date_range(stamps.iloc[0], periods=len(stamps), freq="1min")
    assert (index == pd.DatetimeIndex(stamps)).all(), "depresjon files are gap-free minute series"
    counts = pd.Series(frame["activity"].to_numpy(dtype="int64"), index=index, name="activity")

    start = counts.index[0].normalize() + pd.Timedelta(days=1)
    window = counts[start : start + pd.Timedelta(days=WINDOW_DAYS) - pd.Timedelta(minutes=1)]
    assert len(window) == WINDOW_DAYS * 1440
    window_raw = raw_of(window, name)

    whole = raw_of(counts, name)
    scored_from = start + pd.Timedelta(days=SCORED_DAYS[0])
    scored_to = start + pd.Timedelta(days=SCORED_DAYS[-1] + 1) - pd.Timedelta(minutes=1)
    ck = whole.CK(settings="mean")[scored_from:scored_to]
    ck_raw = whole.CK(settings="mean", rescoring=False)[scored_from:scored_to]
    sadeh = whole.Sadeh()[scored_from:scored_to]
    assert len(ck) == len(ck_raw) == len(sadeh) == len(SCORED_DAYS) * 1440
    return {
        "file": path,
        "timezone": "Europe/Oslo",
        "window_start": start.isoformat(),
        "window_days": WINDOW_DAYS,
        "counts": [int(v) for v in window.to_numpy()],
        "rhythm_raw": measures(window_raw, binarize=False),
        "rhythm_binarized": measures(window_raw, binarize=True),
        "scored_start": scored_from.isoformat(),
        "cole_kripke": bits(ck),
        "cole_kripke_no_rescoring": bits(ck_raw),
        "sadeh": bits(sadeh),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/depresjon"))
    args = parser.parse_args()
    reference = {
        "generator": "scripts/actigraphy_reference.py",
        "pyactigraphy": pyActigraphy.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "settings": {
            "rhythm": "IS/IV freq='1H'; L5 '5h', M10 '10h' (pyActigraphy._lmx); binarized: threshold 4",
            "cole_kripke": "CK(settings='mean') [rescoring=True and False]: 1 = sleep",
            "sadeh": "Sadeh() defaults: 1 = sleep",
        },
        "subjects": {name: subject(args.data, name) for name in SUBJECTS},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
