import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from ml.cohort import SETTINGS, cohort_config, generate


class Command(BaseCommand):
    help = (
        "Write a synthetic cohort (JSON Lines, API.md cohort format) with relapses, and the true latent "
        "state of each patient-day in a side CSV (default <out>.latent.csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, required=True)
        parser.add_argument("--days", type=int, required=True)
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--team", default="demo", help="care team name in the patient lines")
        parser.add_argument("--end", default=None, help="last day YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--latent", default=None, help="latent side file (default: <out>.latent.csv)")
        parser.add_argument(
            "--setting",
            default="default",
            choices=list(SETTINGS),
            help="named generator setting (ml.cohort.SETTINGS, docs/model.md 'A family of cohorts')",
        )

        parser.add_argument(
            "--weekday-of-end",
            type=int,
            choices=range(7),
            default=None,
            help="weekends as if the last day were this weekday (0 = Monday; default: the calendar's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["patients"] < 1 or options["days"] < 14:
            raise CommandError("--patients must be >= 1 and --days >= 14.")
        try:
            end = date.fromisoformat(options["end"]) if options["end"] else timezone.localdate() - timedelta(days=1)
        except ValueError as exc:
            raise CommandError(f"--end: {exc}") from exc
        config = cohort_config(
            options["setting"],
            patients=options["patients"],
            days=options["days"],
            seed=options["seed"],
            team=options["team"],
            end=end,
            weekday_of_end=options["weekday_of_end"],
        )
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        latent_path = Path(options["latent"] or f"{out}.latent.csv")
        n_lines = 0
        latent_header = True
        with open(out, "w", encoding="utf-8") as handle, open(latent_path, "w", encoding="utf-8") as latent:
            for truth in tqdm(
                generate(config), total=config.patients, desc="patients", disable=options["verbosity"] < 1
            ):
                for line in truth.lines:
                    handle.write(json.dumps(line, separators=(",", ":")) + "\n")
                n_lines += len(truth.lines)
                pd.DataFrame(truth.latent).to_csv(latent, header=latent_header, index=False)
                latent_header = False
        self.stdout.write(
            f"wrote {n_lines} lines for {config.patients} patients x {config.days} days to {out} "
            f"(latent state: {latent_path})"
        )
