"""Precision and recall of the risk-language detector on its labelled evaluation set
(monitoring/data/risk_language_eval.jsonl). Pure computation, no Django."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .risk_language import KINDS, RiskMatch, detect

EVAL_SET = Path(__file__).resolve().parent / "data" / "risk_language_eval.jsonl"
# Sentences that are not risk but look like it: what a keyword search would flag.
HARD_NEGATIVES = ("negation", "idiom", "family", "reported", "past", "hypothesis")


def eval_rows(path: Path = EVAL_SET) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def specificity(self) -> float | None:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else None


@dataclass
class Outcome:
    row: dict[str, Any]
    matches: list[RiskMatch]

    @property
    def flagged(self) -> bool:
        return bool(self.matches)

    @property
    def kinds(self) -> set[str]:
        return {m.kind for m in self.matches}


@dataclass
class Report:
    outcomes: list[Outcome]
    # (language, kind) -> counts; kind "any" is risk/not risk whatever the kind.
    by_kind: dict[tuple[str, str], Counts] = field(default_factory=dict)
    # (language, category) -> counts over the sentences of that category.
    by_category: dict[tuple[str, str], Counts] = field(default_factory=dict)

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.row["risk"] and not o.flagged]

    def false_alarms(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.row["risk"] and o.flagged]

    def subset(self, keep: Callable[[dict[str, Any]], bool]) -> Counts:
        counts = Counts()
        for outcome in self.outcomes:
            if keep(outcome.row):
                _count(counts, truth=outcome.row["risk"], flagged=outcome.flagged)
        return counts


def _count(counts: Counts, *, truth: bool, flagged: bool) -> None:
    if truth and flagged:
        counts.tp += 1
    elif truth:
        counts.fn += 1
    elif flagged:
        counts.fp += 1
    else:
        counts.tn += 1


def evaluate(rows: Sequence[dict[str, Any]], *, detector: Callable[[str], list[RiskMatch]] = detect) -> Report:
    """Each sentence is detected alone (as a one-line note). A kind counts as found when the
    detector reports that kind on the sentence; `any` counts risk / not risk."""
    report = Report(outcomes=[Outcome(row=row, matches=detector(row["text"])) for row in rows])
    languages: Iterable[str] = sorted({row["lang"] for row in rows})
    for language in [*languages, "all"]:
        mine = [o for o in report.outcomes if language in ("all", o.row["lang"])]
        for kind in ("any", *KINDS):
            counts = Counts()
            for outcome in mine:
                if kind == "any":
                    _count(counts, truth=outcome.row["risk"], flagged=outcome.flagged)
                else:
                    _count(counts, truth=outcome.row["kind"] == kind, flagged=kind in outcome.kinds)
            report.by_kind[(language, kind)] = counts
        for category in sorted({o.row["category"] for o in mine}):
            counts = Counts()
            for outcome in mine:
                if outcome.row["category"] == category:
                    _count(counts, truth=outcome.row["risk"], flagged=outcome.flagged)
            report.by_category[(language, category)] = counts
    return report


# --- the report as text (the command and the docs table) -----------------------------------------

SETS = {
    "eval": EVAL_SET,
    "holdout": EVAL_SET.with_name("risk_language_holdout.jsonl"),
    "holdout2": EVAL_SET.with_name("risk_language_holdout2.jsonl"),
    "holdout3": EVAL_SET.with_name("risk_language_holdout3.jsonl"),
    "independent": EVAL_SET.with_name("risk_language_independent.jsonl"),
    "independent2": EVAL_SET.with_name("risk_language_independent2.jsonl"),
    "independent3": EVAL_SET.with_name("risk_language_independent3.jsonl"),
    "ordinary": EVAL_SET.with_name("risk_language_ordinary.jsonl"),
    "ordinary2": EVAL_SET.with_name("risk_language_ordinary2.jsonl"),
}
LATENCY_NOTE = (
    "Je me sens un peu mieux aujourd'hui, j'ai marché une heure avec ma sœur et on a parlé de la semaine. "
    "Le nouveau traitement me fatigue le matin mais je dors mieux. "
)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def report_table(report: Report) -> list[str]:
    """A markdown table: precision and recall per language and kind, then how each category of
    sentence fared (a hard negative is right when nothing is flagged)."""
    lines = ["| language | kind | sentences of the kind | precision | recall |", "|---|---|---:|---:|---:|"]
    for (language, kind), counts in report.by_kind.items():
        lines.append(
            f"| {language} | {kind} | {counts.tp + counts.fn} | {_pct(counts.precision)} | {_pct(counts.recall)} |"
        )
    lines += ["", "| language | category | sentences | flagged |", "|---|---|---:|---:|"]
    for (language, category), counts in report.by_category.items():
        total = counts.tp + counts.fp + counts.fn + counts.tn
        lines.append(f"| {language} | {category} | {total} | {counts.tp + counts.fp} |")
    return lines


def headline(report: Report) -> dict[str, Counts]:
    """The figures the issue asks for: recall on explicit ideation and plan; precision on the
    hard negatives (with all positives, and the share of hard negatives left unflagged)."""
    return {
        "explicit ideation/plan": report.subset(
            lambda r: r["risk"] and r["category"] == "explicit" and r["kind"] in ("ideation", "plan")
        ),
        "positives + hard negatives": report.subset(lambda r: r["risk"] or r["category"] in HARD_NEGATIVES),
        "hard negatives": report.subset(lambda r: not r["risk"] and r["category"] in HARD_NEGATIVES),
        # every sentence that is not risk, ordinary notes too: its false alarms are `fp`
        "all negatives": report.subset(lambda r: not r["risk"]),
    }
