"""The risk-language detector on the sets written apart from its lexicon (docs/risk-language.md,
"Independent sets"), through `manage.py evaluate_risk_language`: the figures the command prints
are the ones checked. No database.

- `independent` (463 sentences) was written by a contributor who had not read the lexicon, then
  the rules were tuned on the classes of its misses: it meets the issue's targets, in-sample.
- `independent2` (192 sentences) was written after that tuning; it did **not** meet the targets
  on its one run (explicit recall 0.61), then the rules were generalised on the classes of its
  misses (branch risk16): in-sample now, pinned.
- `independent3` (229 phone-style sentences) was written before its author read the detector,
  run once before and once after the generalisation: it does **not** meet the targets. Its
  figures are pinned as documented, so that a change to the rules that moves them (a
  regression, or a gain) shows here and the docs are updated with it."""

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


# What the command printed (docs/risk-language.md). independent2: its one run was explicit recall
# 0.608 (31 of 51), precision 0.875 (49, 7, 45, 75); after the risk16 generalisation, tuned on by
# class of miss, in-sample:
INDEPENDENT2 = {
    "explicit ideation/plan": {"tp": 50, "fp": 0, "fn": 1, "tn": 0},
    "positives + hard negatives": {"tp": 90, "fp": 1, "fn": 4, "tn": 81},
}
# independent3: before the generalisation (one run) explicit 45 of 56, (89, 3, 46, 75); after risk16
# (one run) explicit 46 of 56, (105, 3, 30, 75); after risk16b, which worked on classes of its
# documented misses and false alarms (apostrophes, "a burden much longer", preparations, a past
# that is over, a TV show), so in part in-sample now; then session 8's burden conditional ("ils
# seraient mieux sans moi" is no hypothesis; "plus heureuse sans moi"), one of its listed misses;
# pins moved up only, below the targets:
INDEPENDENT3 = {
    "explicit ideation/plan": {"tp": 48, "fp": 0, "fn": 8, "tn": 0},
    "positives + hard negatives": {"tp": 113, "fp": 0, "fn": 22, "tn": 78},
}


def _assert_pinned(name: str, pinned: dict[str, dict[str, int]]) -> dict[str, dict[str, str]]:
    figures = _command_figures(name)
    for headline, expected in pinned.items():
        got = figures[headline]
        assert {k: int(got[k]) for k in ("tp", "fp", "fn", "tn")} == expected, (
            f"{name} {headline} moved: update docs/risk-language.md and this pin"
        )
    return figures


def test_the_second_independent_set_keeps_its_documented_figures():
    _assert_pinned("independent2", INDEPENDENT2)
    docs = DOCS.read_text(encoding="utf-8")
    assert "independent2" in docs and "0.61 (31 of 51)" in docs and "0.875" in docs
    assert "0.98 (50 of 51)" in docs and "0.989" in docs


def test_the_third_independent_set_is_written_as_its_docs_say():
    rows = eval_rows(SETS["independent3"])
    assert len(rows) == 229 and len({r["id"] for r in rows}) == len(rows)
    by_language = Counter(r["lang"] for r in rows)
    assert by_language == {"fr": 115, "en": 114}
    assert {r["kind"] for r in rows if r["risk"]} == set(rl.KINDS)
    assert all((r["kind"] is None) == (not r["risk"]) for r in rows)
    negatives = [r for r in rows if not r["risk"]]
    hard = Counter(r["category"] for r in negatives if r["category"] in HARD_NEGATIVES)
    assert set(hard) == set(HARD_NEGATIVES)
    # 94 negatives (41 %): 78 hard ones (34 %) and 16 ordinary notes, medication talk among them
    assert len(negatives) == 94 and sum(hard.values()) == 78


def test_the_third_independent_set_keeps_its_documented_figures():
    figures = _assert_pinned("independent3", INDEPENDENT3)
    assert float(figures["explicit ideation/plan"]["recall"]) < 0.95  # the target is not met: say so
    docs = DOCS.read_text(encoding="utf-8")
    assert "Independent set 3" in docs and "0.82 (46 of 56)" in docs and "0.80 (45 of 56)" in docs
    assert "0.86 (48 of 56)" in docs and "113 of 135" in docs
