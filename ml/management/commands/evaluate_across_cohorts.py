import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from ml.cohort import SETTINGS
from ml.cross_cohort import SCORERS, SIZES, across_cohorts, subgroup_table, summary, table


class Command(BaseCommand):
    help = (
        "Train on a synthetic cohort of one generator setting, test on fresh cohorts of every setting "
        "(ml.cohort.SETTINGS) and print one table: AUROC, share of relapses alerted <= 14 days before at the "
        "alert budget, median lead time and calibration slope, for today's model, the logistic baseline and "
        "the ceiling (the true prodrome), with patient-bootstrap intervals. No database needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--train",
            nargs="+",
            default=["default"],
            choices=list(SETTINGS),
            help="setting(s) to train on, one model each (default: default)",
        )
        parser.add_argument(
            "--mixture",
            action="store_true",
            help="also train ONE model on a pooled cohort of every setting (the same number of training "
            "patients, split evenly across the settings) and test it on every test setting",
        )
        parser.add_argument(
            "--leave-one-out",
            action="store_true",
            help="also, for each test setting, train ONE model on a pooled cohort of the other settings "
            "and test it on that setting only",
        )
        parser.add_argument(
            "--test",
            nargs="+",
            default=list(SETTINGS),
            choices=list(SETTINGS),
            help="settings to test on (default: all)",
        )
        parser.add_argument(
            "--size",
            default="small",
            choices=list(SIZES),
            help="cohort sizes: "
            + "; ".join(f"{k}: {a} training and {b} test patients x {d} days" for k, (a, b, d) in SIZES.items()),
        )
        parser.add_argument("--seed", type=int, default=2027)
        parser.add_argument("--budget", type=float, default=1.0, help="alerts per patient-month")
        parser.add_argument("--bootstrap", type=int, default=100, help="patient-bootstrap resamples")
        parser.add_argument("--json", default=None, help="also write the rows as JSON to this file")
        parser.add_argument(
            "--subgroups",
            action="store_true",
            help="also AUROC and relapses alerted by diagnosis group, sex and age band (one more table)",
        )
        parser.add_argument(
            "--scorers",
            nargs="+",
            default=list(SCORERS),
            choices=list(SCORERS),
            help="scorers to fit and evaluate (default: all; the ceiling is always evaluated)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bootstrap"] < 10:
            raise CommandError("--bootstrap must be >= 10.")
        if options["budget"] <= 0:
            raise CommandError("--budget must be > 0.")
        started = time.monotonic()
        bar = tqdm(desc="cross-cohort", disable=options["verbosity"] < 1, bar_format="{desc} [{elapsed}]")

        def progress(message: str) -> None:
            bar.set_description_str(message)
            bar.update()

        # One OpenMP thread, as in the benchmarks: on a small shared machine the booster's
        # threads otherwise wait on each other (a tiny grid took 6 minutes instead of 1).
        with threadpool_limits(limits=1):
            rows = across_cohorts(
                train_settings=options["train"],
                test_settings=options["test"],
                size=options["size"],
                seed=options["seed"],
                budget=options["budget"],
                n_boot=options["bootstrap"],
                progress=progress,
                scorers=options["scorers"],
                mixture=options["mixture"],
                leave_one_out=options["leave_one_out"],
                subgroups=options["subgroups"],
            )
        bar.close()
        elapsed = time.monotonic() - started
        n_train, n_test, days = SIZES[options["size"]]
        self.stdout.write(table(rows))
        self.stdout.write("\n" + summary(rows))
        if options["subgroups"]:
            self.stdout.write("\n" + subgroup_table(rows))
        choices = {r["train"]: r["model_choice"] for r in rows if "model_choice" in r}
        for train, choice in choices.items():
            self.stdout.write(
                f"\nmodel choice on {train} (patient-grouped 3-fold CV AUROC on the training cohort): "
                + ", ".join(f"{k} {v:.3f}" for k, v in choice["cv_auroc"].items())
                + f"; chosen: {choice['chosen']}"
            )
        self.stdout.write(
            f"\nsize {options['size']} ({n_train} training, {n_test} test patients per setting, {days} days), "
            f"seed {options['seed']}, budget {options['budget']} alerts per patient-month, "
            f"{options['bootstrap']} patient-bootstrap resamples; {elapsed:.0f} s"
        )
        if options["json"]:
            Path(options["json"]).write_text(
                json.dumps(
                    {
                        "rows": rows,
                        "seconds": round(elapsed, 1),
                        "options": {
                            k: options[k]
                            for k in (
                                "train",
                                "mixture",
                                "leave_one_out",
                                "test",
                                "size",
                                "seed",
                                "budget",
                                "bootstrap",
                                "scorers",
                                "subgroups",
                            )
                        },
                    },
                    indent=2,
                    default=str,
                ),
                encoding="utf-8",
            )
