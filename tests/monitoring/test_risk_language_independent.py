"""The risk-language detector on the sets written apart from its lexicon (docs/risk-language.md,
"Independent sets"), through `manage.py evaluate_risk_language`: the figures the command prints
are the ones checked. No database.

- `independent` (463 sentences) was written by a contributor who had not read the lexicon, then
  the rules were tuned on the classes of its misses: it meets the issue's targets, in-sample.
- `independent2` (192 sentences) was written after that tuning and never tuned on: it does
  **not** meet the targets. Its figures are pinned as documented, so that a change to the rules
  that moves them (a regression, or a gain) shows here and the docs are updated with it."""

import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from monitoring import risk_language as rl
from monitoring.risk_language_evaluation import HARD_NEGATIVES, SETS, eval_rows

DOCS = Path(__file__).resolve().parents[2] / "docs" / "risk-language.md"
HEADLINE = re.compile(
    r"^(?P<name>explicit ideation/plan|positives \+ hard negatives): precision (?P<precision>[\d.]+), "
    r"recall (?P<recall>[\d.]+), left unflagged [\d.]+ \(tp (?P<tp>\d+), fp (?P<fp>\d+), fn (?P<fn>\d+), "
    r"tn (?P<tn>\d+)\)$",
    re.MULTILINE,
)


def _command_figures(name: str) -> dict[str, dict[str, str]]:
    out = StringIO()
    call_command("evaluate_risk_language", "--set", name, "--repeat", "1", stdout=out)
    return {m["name"]: m.groupdict() for m in HEADLINE.finditer(out.getvalue())}


@pytest.mark.parametrize(("name", "at_least"), [("independent", 400), ("independent2", 150)])
def test_the_independent_sets_are_written_as_the_issue_asks(name, at_least):
    rows = eval_rows(SETS[name])
    assert len(rows) >= at_least
    assert len({r["id"] for r in rows}) == len(rows)
    by_language = Counter(r["lang"] for r in rows)
    assert set(by_language) == {"fr", "en"} and min(by_language.values()) >= 0.4 * len(rows)
    assert {r["kind"] for r in rows if r["risk"]} == set(rl.KINDS)
    assert all((r["kind"] is None) == (not r["risk"]) for r in rows)
    hard = Counter(r["category"] for r in rows if not r["risk"] and r["category"] in HARD_NEGATIVES)
    assert set(hard) == set(HARD_NEGATIVES)
    assert sum(hard.values()) >= 0.4 * len(rows)


def test_the_first_independent_set_meets_the_targets_after_tuning_on_it():
    figures = _command_figures("independent")
    explicit, mixed = figures["explicit ideation/plan"], figures["positives + hard negatives"]
    assert int(explicit["tp"]) + int(explicit["fn"]) >= 100
    assert float(explicit["recall"]) >= 0.95
    assert float(mixed["precision"]) >= 0.9


# What the command printed on the one run of independent2 (docs/risk-language.md): below the
# targets (recall 0.95 on explicit ideation/plan, precision 0.9 with the hard negatives).
INDEPENDENT2 = {
    "explicit ideation/plan": {"tp": 31, "fp": 0, "fn": 20, "tn": 0, "recall": "0.608"},
    "positives + hard negatives": {"tp": 49, "fp": 7, "fn": 45, "tn": 75, "precision": "0.875"},
}


def test_the_second_independent_set_keeps_its_documented_figures():
    figures = _command_figures("independent2")
    for name, expected in INDEPENDENT2.items():
        got = figures[name]
        assert {k: int(got[k]) for k in ("tp", "fp", "fn", "tn")} == {
            k: v for k, v in expected.items() if k in ("tp", "fp", "fn", "tn")
        }, f"{name} moved: update docs/risk-language.md and this pin"
    assert float(figures["explicit ideation/plan"]["recall"]) < 0.95  # the target is not met: say so
    docs = DOCS.read_text(encoding="utf-8")
    assert "independent2" in docs and "0.61 (31 of 51)" in docs and "0.875" in docs
