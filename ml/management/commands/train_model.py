from datetime import date
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ml import services
from patients.errors import DomainError
from patients.models import User


class Command(BaseCommand):
    help = (
        "Train the relapse-risk model on the database's daily summaries and relapse/hospitalisation events, "
        "evaluate it, and register a model version (artifact, metrics, model card)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until", default=None, help="use data and events up to this date (YYYY-MM-DD)")
        parser.add_argument(
            "--activate",
            action="store_true",
            help="make the new version the active one: the very first model only (later versions are candidates, "
            "activated by a second person after a comparison)",
        )
        parser.add_argument("--trained-by", default=None, help="username of who trains (recorded; cannot activate)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--budget", type=float, default=1.0, help="alerts per patient-month (default 1)")
        parser.add_argument("--latent", default=None, help="generator latent CSV: adds the ceiling to the evaluation")
        parser.add_argument("--bootstrap", type=int, default=200, help="patient-bootstrap resamples for intervals")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            until = date.fromisoformat(options["until"]) if options["until"] else None
        except ValueError as exc:
            raise CommandError(f"--until: {exc}") from exc
        latent = pd.read_csv(options["latent"]) if options["latent"] else None
        trained_by = None
        if options["trained_by"]:
            trained_by = User.objects.filter(username=options["trained_by"]).first()
            if trained_by is None:
                raise CommandError(f"--trained-by: no user {options['trained_by']}")
        bar = tqdm(
            total=None, desc="training", disable=options["verbosity"] < 1, bar_format="{desc}: {n} steps {elapsed}"
        )

        def progress(step: str) -> None:
            bar.set_description(f"training: {step}")
            bar.update(1)

        try:
            mv = services.model_train(
                until=until,
                activate=options["activate"],
                trained_by=trained_by,
                seed=options["seed"],
                budget=options["budget"],
                latent=latent,
                n_boot=options["bootstrap"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        auroc = (mv.metrics.get("scorers", {}).get("model", {}).get("overall", {}).get("auroc") or {}).get("value")
        self.stdout.write(
            f"model version {mv.version}{' (active)' if mv.is_active else ' (candidate)'}: held-out AUROC {auroc}, "
            f"threshold {mv.threshold:.4f}, artifact {mv.artifact_path} sha256 {mv.artifact_sha256}"
        )
