"""monitoring.actigraphy and monitoring.actigraphy_rhythm against pyActigraphy 1.2.2, on real
patients' and controls' data (depresjon), from values computed once in a separate environment
(scripts/actigraphy_reference.py; the fixture also holds the counts, so neither the data set nor
pyActigraphy is needed here).

Tolerances:
- IS, IV, RA, L5, M10 in pyActigraphy's variant (ddof=1, and threshold=4 for its binarized
  default): 1e-12 relative (the sums are taken in another order);
- L5/M10 onsets: the same minute, except on a tie (binarized profiles are multiples of 1/7):
  then the window at pyActigraphy's onset must have the same mean within 1e-12;
- the published IS/IV (ddof=0) are pyActigraphy's scaled by the n/(n-1) factors it differs by;
- Cole-Kripke (with and without Webster's rescoring) and Sadeh in pyActigraphy's variant: every
  minute equal;
- Cole-Kripke with the paper's reading of rules (a)-(c): only minutes pyActigraphy scores as
  sleep may differ (the paper rescores more), at most 0.1 % of them; Sadeh as published
  (current minute's LG, NAT from 50): at least 95 % of minutes agree;
- main sleep period figures: total sleep, wake after sleep onset and awakenings recounted from
  pyActigraphy's own per-minute Cole-Kripke scores over each period equal ours."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitoring.actigraphy import cole_kripke, daily_sleep, sadeh
from monitoring.actigraphy_rhythm import L5_MINUTES, M10_MINUTES, rhythm

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "actigraphy_reference.json").read_text())
SUBJECTS = sorted(REFERENCE["subjects"])


def counts_of(subject: dict) -> pd.Series:
    index = pd.date_range(subject["window_start"], periods=len(subject["counts"]), freq="min", tz=subject["timezone"])
    return pd.Series(np.array(subject["counts"], dtype="float64"), index=index)


def scored_slice(subject: dict) -> slice:
    offset = (pd.Timestamp(subject["scored_start"]) - pd.Timestamp(subject["window_start"])) // pd.Timedelta("1min")
    return slice(offset, offset + len(subject["cole_kripke"]))


def bits(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), dtype="uint8") - ord("0")


def test_the_fixture_covers_patients_and_controls() -> None:
    assert REFERENCE["pyactigraphy"] == "1.2.2"
    assert {name.split("_")[0] for name in SUBJECTS} == {"condition", "control"}
    for subject in REFERENCE["subjects"].values():
        assert len(subject["counts"]) == 7 * 1440
        assert len(subject["cole_kripke"]) == len(subject["sadeh"]) == 3 * 1440


@pytest.mark.parametrize("name", SUBJECTS)
@pytest.mark.parametrize(("variant", "threshold"), [("rhythm_raw", None), ("rhythm_binarized", 4)])
def test_rhythm_matches_pyactigraphy(name: str, variant: str, threshold: int | None) -> None:
    subject = REFERENCE["subjects"][name]
    expected = subject[variant]
    counts = counts_of(subject)

    ours = rhythm(counts, subject["timezone"], ddof=1, threshold=threshold)

    for key in ("is", "iv", "ra", "l5", "m10"):
        assert ours[key] == pytest.approx(expected[key], rel=1e-12, abs=1e-15), key
    x = counts.to_numpy()
    if threshold is not None:
        x = (x > threshold).astype("float64")
    profile = x.reshape(7, 1440).mean(axis=0)
    for key, width in (("l5", L5_MINUTES), ("m10", M10_MINUTES)):
        onset = int(expected[f"{key}_onset"])
        if ours[f"{key}_onset"] != onset:  # a tie: the reference's window must be as low/high
            window = np.roll(profile, -onset)[:width].mean()
            assert window == pytest.approx(ours[key], rel=1e-12), f"{key} onset"


@pytest.mark.parametrize("name", SUBJECTS)
def test_published_is_and_iv_differ_from_pyactigraphy_by_the_sample_variance_factors(name: str) -> None:
    subject = REFERENCE["subjects"][name]
    expected = subject["rhythm_raw"]
    n, p = 7 * 24, 24

    ours = rhythm(counts_of(subject), subject["timezone"])

    assert ours["is"] == pytest.approx(expected["is"] * (p - 1) / p * n / (n - 1), rel=1e-12)
    assert ours["iv"] == pytest.approx(expected["iv"] * n / (n - 1), rel=1e-12)
    assert ours["l5"] == pytest.approx(expected["l5"], rel=1e-12)
    assert ours["m10"] == pytest.approx(expected["m10"], rel=1e-12)


@pytest.mark.parametrize("name", SUBJECTS)
def test_sleep_wake_scores_match_pyactigraphy_minute_by_minute(name: str) -> None:
    subject = REFERENCE["subjects"][name]
    x = counts_of(subject).to_numpy()
    part = scored_slice(subject)

    assert np.array_equal(cole_kripke(x, variant="pyactigraphy")[part], bits(subject["cole_kripke"]))
    assert np.array_equal(cole_kripke(x, rescore=False)[part], bits(subject["cole_kripke_no_rescoring"]))
    assert np.array_equal(sadeh(x, variant="pyactigraphy")[part], bits(subject["sadeh"]))


@pytest.mark.parametrize("name", SUBJECTS)
def test_the_published_readings_stay_close_to_pyactigraphy(name: str) -> None:
    subject = REFERENCE["subjects"][name]
    x = counts_of(subject).to_numpy()
    part = scored_slice(subject)
    reference_ck = bits(subject["cole_kripke"])

    ck = cole_kripke(x)[part]
    differ = ck != reference_ck
    assert np.all(reference_ck[differ] == 1) and np.all(ck[differ] == 0)
    assert differ.mean() <= 0.001
    assert (sadeh(x)[part] == bits(subject["sadeh"])).mean() >= 0.95


@pytest.mark.parametrize("name", SUBJECTS)
def test_main_sleep_period_figures_recount_from_pyactigraphys_scores(name: str) -> None:
    subject = REFERENCE["subjects"][name]
    counts = counts_of(subject)
    part = scored_slice(subject)
    scores = cole_kripke(counts.to_numpy(), variant="pyactigraphy")
    reference = np.full(len(counts), np.nan)
    reference[part] = bits(subject["cole_kripke"])
    start, stop = counts.index[part.start], counts.index[part.stop - 1]

    nights = daily_sleep(counts, subject["timezone"], scores=scores)

    checked = 0
    for _, night in nights.dropna(subset=["sleep_onset"]).iterrows():
        if night["sleep_onset"] < start or night["sleep_wake"] > stop:
            continue
        minutes = reference[counts.index.get_loc(night["sleep_onset"]) : counts.index.get_loc(night["sleep_wake"])]
        wake_runs = np.count_nonzero(np.diff(minutes) == -1)
        assert night["sleep_total_minutes"] == minutes.sum()
        assert night["sleep_waso_minutes"] == len(minutes) - minutes.sum()
        assert night["sleep_awakenings"] == wake_runs
        assert night["sleep_efficiency"] == pytest.approx(minutes.mean())
        assert minutes[0] == minutes[-1] == 1
        checked += 1
    assert checked >= 1
