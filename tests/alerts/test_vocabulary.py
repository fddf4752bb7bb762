"""The risk vocabulary (alerts.factors): percent with the threshold in the same unit, the band
named with its meaning, only what raised the risk, every factor with its unit; both languages."""

import re

import pytest
from django.utils import translation

from alerts.factors import BANDS_EXPLAINED, band_for, english, factor_label, lowering, raising, risk_display

NBSP = "\u00a0"


def test_band_rule_at_its_boundaries():
    assert band_for(0.04, 0.04) == "high"
    assert band_for(0.0399, 0.04) == "medium"
    assert band_for(0.02, 0.04) == "medium"
    assert band_for(0.0199, 0.04) == "low"
    assert band_for(0.03, 0.04, medium_ratio=0.8) == "low"


def test_risk_display_in_english():
    with translation.override("en"):
        shown = risk_display(0.048, 0.04)
    assert shown == {
        "percent": 4.8,
        "text": "4.8%",
        "threshold_percent": 4.0,
        "threshold_text": "4.0%",
        "band": "high",
        "band_label": "high risk",
        "band_meaning": "at or above the alert threshold: the model flags a raised risk of relapse within 14 days",
    }


def test_risk_display_in_french():
    with translation.override("fr"):
        shown = risk_display(0.048, 0.04)
        explained = str(BANDS_EXPLAINED)
    assert shown["text"] == f"4,8{NBSP}%" and shown["threshold_text"] == f"4,0{NBSP}%"
    assert shown["percent"] == 4.8
    assert shown["band_label"] == "risque élevé"
    assert "seuil" in shown["band_meaning"]
    assert "14 prochains jours" in explained


@pytest.mark.parametrize(
    ("score", "band"),
    [(0.04, "high"), (0.0399, "medium"), (0.02, "medium"), (0.0199, "low"), (0.0, "low"), (1.0, "high")],
)
def test_risk_display_bands_at_the_boundaries(score, band):
    with translation.override("en"):
        shown = risk_display(score, 0.04)
    assert shown["band"] == band
    assert shown["band_label"] == f"{band} risk"
    assert shown["band_meaning"]


def test_risk_display_keeps_the_stored_band_and_reads_missing_values():
    with translation.override("en"):
        assert risk_display(0.03, 0.04, band="high")["band"] == "high"  # the model's own ratio decided
        assert risk_display(0.03, 0.04, medium_ratio=0.9)["band"] == "low"
        empty = risk_display(None, None)
    assert empty["percent"] is None and empty["text"] == "\u2014" and empty["band"] is None
    assert empty["band_label"] == "" and empty["threshold_text"] == "\u2014"
    assert risk_display(float("nan"), 0.04)["text"] == "\u2014"


def test_risk_percent_rounds_half_up_like_javascript_to_fixed():
    with translation.override("en"):
        assert risk_display(0.0425, None)["text"] == "4.3%"  # 4.25 exactly: toFixed(1) gives 4.3
        assert risk_display(0.00049, None)["text"] == "0.0%"
        assert risk_display(0.12345, None)["percent"] == 12.3
    with translation.override("fr"), english():
        assert risk_display(0.048, None)["text"] == "4.8%"  # the stored, English wording


def test_every_band_and_the_sentence_are_translated():
    for band in ("low", "medium", "high"):
        with translation.override("en"):
            english_words = risk_display(0.5, 0.5, band=band)
        with translation.override("fr"):
            french_words = risk_display(0.5, 0.5, band=band)
        assert english_words["band_label"] != french_words["band_label"]
        assert english_words["band_meaning"] != french_words["band_meaning"]
    with translation.override("en"):
        english_sentence = str(BANDS_EXPLAINED)
    with translation.override("fr"):
        assert str(BANDS_EXPLAINED) != english_sentence


FACTORS = [
    {"feature": "sleep_hours", "direction": "up", "weight": 0.03, "params": {"value": 5.2, "usual": 7.3}},
    # GAD-7 fell from 11 to 7: an improvement, even if the model weighs it upwards.
    {"feature": "gad7", "direction": "up", "weight": 0.01, "params": {"value": 7.0, "previous": 11.0}},
    {"feature": "phq9", "direction": "up", "weight": 0.02, "params": {"value": 14.0, "previous": 9.0}},
    {"feature": "steps", "direction": "down", "weight": -0.01, "params": {"value": 9000.0, "usual": 6000.0}},
    {"feature": "medication", "direction": "up", "weight": 0.01, "params": {"missed7": 0, "logged7": 7}},
    {"feature": "logging", "direction": "up", "weight": 0.02, "params": {"days_since": 4}},
]


def test_raising_lists_only_what_raised_the_risk_never_an_improvement():
    raised = raising(FACTORS)
    assert [f["feature"] for f in raised] == ["sleep_hours", "phq9", "logging"]
    with translation.override("en"):
        labels = [factor_label(f["feature"], f["params"]) for f in raised]
    assert "GAD-7 7/21 (previous 11)" not in labels
    assert [f["feature"] for f in lowering(FACTORS)] == ["gad7", "steps", "medication"]
    assert raising(None) == [] and lowering("nonsense") == []


def test_the_relapse_history_is_listed_after_what_changed():
    history = {"feature": "history", "direction": "up", "weight": 0.05, "params": {"episodes": 1, "days_since": 120}}
    raised = raising([history, *FACTORS])
    assert [f["feature"] for f in raised] == ["sleep_hours", "phq9", "logging", "history"]
    assert [f["feature"] for f in raising([history])] == ["history"]


def test_a_questionnaire_lower_than_usual_is_an_improvement_too():
    factor = {"feature": "asrm", "direction": "up", "weight": 0.01, "params": {"value": 3.0, "usual": 6.0}}
    assert raising([factor]) == []
    worse = {"feature": "asrm", "direction": "up", "weight": 0.01, "params": {"value": 9.0, "usual": 6.0}}
    assert raising([worse]) == [worse]


def test_direction_alone_is_enough_for_factors_without_weight():
    assert raising([{"feature": "mood", "direction": "up", "params": {"value": -2.0, "usual": 0.0}}])
    assert not raising([{"feature": "mood", "direction": "down", "params": {"value": -2.0, "usual": 0.0}}])


# Every factor sentence carries its unit (feature, params, English sentence).
LABELS = [
    ("unlocks", {"value": 340.0, "usual": 298.0}, "phone unlocks 14% above usual (340 unlocks a day vs usually 298)"),
    ("steps", {"value": 3000.0, "usual": 6000.0}, "steps 50% below usual (3000 steps a day vs usually 6000)"),
    ("distance", {"value": 1.5, "usual": 3.0}, "distance travelled 50% below usual (1.5 km a day vs usually 3.0)"),
    (
        "screen",
        {"value": 300.0, "usual": 240.0},
        "phone screen time 25% above usual (300 minutes of screen time a day vs usually 240)",
    ),
    (
        "time_at_home",
        {"value": 820.0, "usual": 700.0},
        "time at home 120 minutes above this patient's usual (820 minutes a day vs usually 700)",
    ),
    (
        "speech_rate",
        {"value": 128.0, "usual": 140.0},
        "speech rate 12 words a minute below this patient's usual (128 words a minute vs usually 140)",
    ),
    (
        "pitch_sd",
        {"value": 23.1, "usual": 20.0},
        "voice pitch variability 3.1 Hz above this patient's usual (23.1 Hz vs usually 20.0)",
    ),
    ("anxiety", {"value": 6.0, "usual": 4.0}, "anxiety 2.0 points above this patient's usual (6.0/10 vs usually 4.0)"),
    (
        "mood",
        {"value": -1.0, "usual": 0.2},
        "mood 1.2 points below this patient's usual (-1.0 on the -3 to +3 scale vs usually 0.2)",
    ),
    ("sleep_hours", {"value": 5.2, "usual": 7.3}, "sleep 2.1 h below this patient's usual (5.2 h vs 7.3 h)"),
    ("sleep_efficiency", {"value": 0.7, "usual": 0.85}, "sleep efficiency down: 70% vs usual 85%"),
    ("gad7", {"value": 7.0, "previous": 11.0}, "GAD-7 7/21 (previous 11)"),
    ("phq9", {"value": 14.0, "usual": 8.0}, "PHQ-9 14/27 (usually 8)"),
    ("asrm", {"value": 9.0, "previous": 4.0}, "ASRM 9/20 (previous 4)"),
    (
        "logging",
        {"days_since": 1, "days7": 3, "usual7": 6.0},
        "check-ins on 3 of the last 7 days (usually 6.0 days of 7)",
    ),
    (
        "sensors",
        {"days_since": 0, "days7": 2, "usual7": 7.0},
        "phone sensor data on 2 of the last 7 days (usually 7.0 days of 7)",
    ),
    ("logging", {"days_since": 5}, "mood logs stopped 5 days ago"),
    ("medication", {"missed7": 2, "logged7": 6}, "medication missed on 2 of the last 6 logged days"),
]


@pytest.mark.parametrize(("feature", "params", "expected"), LABELS, ids=[f"{c[0]}-{i}" for i, c in enumerate(LABELS)])
def test_every_factor_sentence_carries_its_unit(feature, params, expected):
    with translation.override("en"):
        assert factor_label(feature, params) == expected
    with translation.override("fr"), english():
        assert factor_label(feature, params) == expected  # what scoring stores


@pytest.mark.parametrize(("feature", "params", "expected"), LABELS, ids=[f"{c[0]}-{i}" for i, c in enumerate(LABELS)])
def test_every_factor_sentence_is_translated_in_french(feature, params, expected):
    with translation.override("fr"):
        french = factor_label(feature, params)
    assert french != expected
    english_words = r"\b(a day|usually|usual|above|below|previous|scale|words|of 7|days|logged|steps)\b"
    assert not re.search(english_words, french), french


def test_french_units():
    with translation.override("fr"):
        assert factor_label("unlocks", {"value": 340.0, "usual": 298.0}) == (
            "déverrouillages du téléphone : 14 % au-dessus de l'habitude "
            "(340 déverrouillages par jour contre 298 habituellement)"
        )
        assert factor_label("gad7", {"value": 7.0, "previous": 11.0}) == "GAD-7 7/21 (précédent 11)"
        assert factor_label("distance", {"value": 1.5, "usual": 3.0}).count("1,5 km par jour") == 1
