"""Precision and recall of the risk-language detector on its labelled sentences, per language
and kind, and the time it takes on a 2,000-character note."""

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from monitoring.risk_language import analyse, detect, pipelines
from monitoring.risk_language_evaluation import LATENCY_NOTE, SETS, eval_rows, evaluate, headline, report_table


class Command(BaseCommand):
    help = "Evaluate the risk-language detector on its labelled sentences (monitoring/data/risk_language_*.jsonl)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--set",
            choices=sorted(SETS),
            default="eval",
            help="eval: the 382 sentences the rules were tuned on; holdout, holdout2: written later, "
            "then tuned on; holdout3: written before the lexicon was widened, never tuned on; independent: "
            "463 sentences written without reading the lexicon, then tuned on (by classes of misses); "
            "independent2: 192 sentences written after that tuning, never tuned on; independent3: 229 phone-style "
            "sentences written before reading the detector, measured once before and once after the "
            "generalisation work; ordinary: 140 ordinary sentences (none is risk), written before the "
            "risk16b rules, then tuned on; ordinary2: 60 more, written after them, run once.",
        )
        parser.add_argument("--errors", action="store_true", help="List every sentence the detector gets wrong.")
        parser.add_argument("--repeat", type=int, default=50, help="Runs of the 2,000-character note to time.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        pipelines()
        self.stdout.write(f"pipelines built in {time.perf_counter() - started:.1f} s")
        rows = eval_rows(SETS[options["set"]])
        report = evaluate(rows)
        self.stdout.write(f"{options['set']}: {len(rows)} sentences, {sum(r['risk'] for r in rows)} risk")
        for line in report_table(report):
            self.stdout.write(line)
        self.stdout.write("")
        for name, counts in headline(report).items():
            self.stdout.write(
                f"{name}: precision {counts.precision or 0:.3f}, recall {counts.recall or 0:.3f}, "
                f"left unflagged {counts.specificity or 0:.3f} "
                f"(tp {counts.tp}, fp {counts.fp}, fn {counts.fn}, tn {counts.tn})"
            )
        if options["errors"]:
            for outcome in report.misses():
                found = [(c.match.expression, list(c.excluded_by)) for c in analyse(outcome.row["text"])]
                self.stdout.write(f"MISSED {outcome.row['id']} [{outcome.row['kind']}] {outcome.row['text']}  {found}")
            for outcome in report.false_alarms():
                flagged = [(m.kind, m.expression) for m in outcome.matches]
                row = outcome.row
                self.stdout.write(f"FALSE  {row['id']} [{row['category']}] {row['text']}  {flagged}")
        note = (LATENCY_NOTE * 20)[:2000]
        timings = []
        for _ in range(max(1, options["repeat"])):
            started = time.perf_counter()
            detect(note)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[int(0.95 * (len(timings) - 1))]
        self.stdout.write(
            f"2,000-character note: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms ({len(timings)} runs)"
        )
