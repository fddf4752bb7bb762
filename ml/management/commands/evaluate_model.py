import json
from pathlib import Path
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ml import selectors
from ml.modelcard import model_card
from ml.reports import write_report
from ml.training import build_dataset, compare_scorers, evaluate_exported_scores
from monitoring.cohort_summaries import daily_summaries_from_lines, read_cohort_lines


class Command(BaseCommand):
    help = (
        "Print a model version's evaluation as JSON (default: the active version). --report DIR writes ROC, "
        "calibration and lead-time plots (PNG) and the model card. --cohort FILE runs the whole comparison "
        "(model, logistic baseline, heuristic, ceiling from the latent side file) on a cohort file instead."
    )

    def add_base_argument(self, parser: Any, *args: Any, **kwargs: Any) -> None:
        # API.md names the model option --version: it replaces Django's "show version" flag here.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--version", dest="model_version", default=None, help="model version (default: active)")
        parser.add_argument("--report", default=None, help="directory for plots and the model card")
        parser.add_argument("--cohort", default=None, help="evaluate on a cohort file (no database needed)")
        parser.add_argument("--latent", default=None, help="latent side file (default: <cohort>.latent.csv)")
        parser.add_argument(
            "--scores",
            default=None,
            help="with --cohort: evaluate the scores the platform served (an export_scores CSV) on the cohort's "
            "patients against its events, instead of training",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--budget", type=float, default=1.0)
        parser.add_argument("--bootstrap", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scores"]:
            self.stdout.write(json.dumps(self._served(options), indent=2, default=str))
            return
        if options["cohort"]:
            report, held_out, card = self._from_cohort(options)
        else:
            mv = (
                selectors.model_version_get(version=options["model_version"])
                if options["model_version"]
                else selectors.model_version_active()
            )
            if mv is None:
                raise CommandError("No such model version (and no active one).")
            report, held_out, card = {"version": mv.version, **mv.metrics}, None, mv.model_card
        if options["report"]:
            written = write_report(Path(options["report"]), report=report, held_out=held_out, model_card=card)
            self.stderr.write(f"report written: {', '.join(str(p) for p in written)}")
        self.stdout.write(json.dumps(report, indent=2, default=str))

    def _served(self, options: dict[str, Any]) -> dict[str, Any]:
        if not options["cohort"]:
            raise CommandError("--scores needs --cohort (the file whose events label the scores).")
        path, scores_path = Path(options["cohort"]), Path(options["scores"])
        for p in (path, scores_path):
            if not p.exists():
                raise CommandError(f"{p} does not exist.")
        summaries, patients, events = daily_summaries_from_lines(read_cohort_lines(path))
        scores = pd.read_csv(scores_path)
        missing = {"patient_code", "date", "score"} - set(scores.columns)
        if missing:
            raise CommandError(f"{scores_path} lacks the columns {', '.join(sorted(missing))} (an export_scores CSV).")
        try:
            result = evaluate_exported_scores(
                scores,
                patients,
                events,
                data_end=pd.Timestamp(summaries["date"].max()),
                budget=options["budget"],
                n_boot=options["bootstrap"],
                seed=options["seed"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        return {"cohort": str(path), "scores": str(scores_path), "model": result}

    def _from_cohort(self, options: dict[str, Any]) -> tuple[dict[str, Any], Any, str]:
        path = Path(options["cohort"])
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        latent_path = Path(options["latent"] or f"{path}.latent.csv")
        latent = pd.read_csv(latent_path) if latent_path.exists() else None
        summaries, patients, events = daily_summaries_from_lines(read_cohort_lines(path))
        data = build_dataset(summaries, patients, events)
        report, held_out = compare_scorers(
            data, events, seed=options["seed"], budget=options["budget"], latent=latent, n_boot=options["bootstrap"]
        )
        report["operating_threshold"] = report["scorers"]["model"]["threshold"]
        report["cohort"] = str(path)
        report["training"] = {
            "patients": int(data["patient"].nunique()),
            "days": int(data["y"].notna().sum()),
            "positive_days": int(data["y"].sum()),
            "events": int(len(events)),
            "data_start": str(data["date"].min().date()),
            "data_end": str(data["date"].max().date()),
        }
        return report, held_out, model_card(version=f"cohort:{path.name}", report=report, seed=options["seed"])
