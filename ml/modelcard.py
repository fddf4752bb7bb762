"""The model card of a model version, in Markdown, from its evaluation report. Pure."""

from __future__ import annotations

from typing import Any

from .features import ACTIGRAPHY_CHANNELS, CHANNEL_SUFFIXES

METRICS = [
    ("auroc", "AUROC"),
    ("auprc", "AUPRC"),
    ("brier", "Brier"),
    ("calibration_slope", "Calibration slope"),
    ("event_sensitivity", "Relapses alerted (14 d before)"),
    ("median_lead_days", "Median lead time (days)"),
    ("false_alerts_per_patient_month", "False alerts / patient-month"),
]


def _cell(entry: Any) -> str:
    if isinstance(entry, dict):
        value, ci = entry.get("value"), entry.get("ci95") or [None, None]
        if value is None:
            return "n/a"
        if ci[0] is None:
            return f"{value:.3f}"
        return f"{value:.3f} ({ci[0]:.3f}-{ci[1]:.3f})"
    return "n/a" if entry is None else f"{entry}"


def metrics_table(scorers: dict[str, Any]) -> str:
    header = "| scorer | " + " | ".join(label for _k, label in METRICS) + " |"
    lines = [header, "|" + "---|" * (len(METRICS) + 1)]
    for name, result in scorers.items():
        overall = result.get("overall", {})
        lines.append(f"| {name} | " + " | ".join(_cell(overall.get(k)) for k, _l in METRICS) + " |")
    return "\n".join(lines)


def _count(figure: Any) -> str:
    """A count as a whole number, whether stored plain or as {value, ci95} (the held-out
    sample's own count; its bootstrap interval is not a property of the subgroup)."""
    value = figure.get("value") if isinstance(figure, dict) else figure
    return "n/a" if value is None else f"{float(value):.0f}"


def subgroup_table(result: dict[str, Any]) -> str:
    lines = [
        "| subgroup | patients | events | AUROC | relapses alerted | false alerts / pt-month |",
        "|---|---|---|---|---|---|",
    ]
    for key, title in (("by_sex", "sex"), ("by_age_band", "age"), ("by_diagnosis", "diagnosis")):
        for value, figures in (result.get(key) or {}).items():
            lines.append(
                f"| {title} {value} | {_count(figures.get('patients'))} | {_count(figures.get('events'))} | "
                f"{_cell(figures.get('auroc'))} | {_cell(figures.get('event_sensitivity'))} | "
                f"{_cell(figures.get('false_alerts_per_patient_month'))} |"
            )
    return "\n".join(lines)


def weak_subgroups(result: dict[str, Any], margin: float = 0.05) -> list[str]:
    overall = (result.get("overall", {}).get("auroc") or {}).get("value")
    weak = []
    for key in ("by_sex", "by_age_band", "by_diagnosis"):
        for value, figures in (result.get(key) or {}).items():
            auc = (figures.get("auroc") or {}).get("value")
            if overall is not None and auc is not None and auc < overall - margin:
                weak.append(f"{key.removeprefix('by_').replace('_', ' ')} {value} (AUROC {auc:.2f} vs {overall:.2f})")
    return weak


def _features_line(training: dict[str, Any]) -> str:
    """How many inputs the model reads, and whether wrist actigraphy is among them."""
    if "features" not in training:
        return ""
    dropped = training.get("features_dropped") or []
    wearable = [f for f in dropped if f.split("__")[0] in ACTIGRAPHY_CHANNELS]
    others = len(dropped) - len(wearable)
    if len(wearable) == len(ACTIGRAPHY_CHANNELS) * len(CHANNEL_SUFFIXES):
        wrist = "no wrist actigraphy (no training patient had wearable data; those inputs are left out)"
    elif wearable:
        wrist = f"wrist actigraphy (activity and rest-activity rhythm) except {len(wearable)} inputs without data"
    else:
        wrist = "wrist actigraphy (activity and rest-activity rhythm) among them"
    extra = f"; {others} other inputs without any data in training left out" if others else ""
    return f"The model reads {training['features']} inputs: {wrist}{extra}."


def model_card(*, version: str, report: dict[str, Any], seed: int) -> str:
    training = report.get("training", {})
    scorers = report.get("scorers", {})
    model = scorers.get("model", {})
    weak = weak_subgroups(model)
    forward = report.get("forward") or {}
    forward_line = ""
    if forward.get("model"):
        fm = forward["model"]["overall"]
        forward_line = (
            f"\nForward-in-time check (train up to {forward.get('cut')}, test after): model AUROC "
            f"{_cell(fm.get('auroc'))}, relapses alerted {_cell(fm.get('event_sensitivity'))}.\n"
        )
    standing = report.get("standing")
    features_line = _features_line(training)
    weak_lines = (
        "\n".join(f"- Weaker for {w}." for w in weak)
        if weak
        else "- No subgroup is more than 0.05 AUROC below the overall figure on this evaluation."
    )
    return f"""# Model card: relapse-risk model {version}

## Intended use
Prompts a care team to look at a patient whose remote-monitoring data (check-ins,
questionnaires, passive phone signals) resemble the weeks before a relapse. The score is the
probability of a relapse or hospitalisation in the next 14 days, from data up to and including
the scored day. It is a prompt for a clinician, never an automatic action or a diagnosis; a
PHQ-9 item 9 answer raises its own safety alert whatever this model says.

Not for: patients outside adult recurrent depression, bipolar disorder, schizophrenia and
schizoaffective disorder; deciding treatment; replacing a consultation.

## Data
Daily summaries and relapse/hospitalisation events of {training.get("patients")} patients with
risk-scoring consent, {training.get("data_start")} to {training.get("data_end")}
({training.get("days")} labelled patient-days, {training.get("positive_days")} within 14 days
before an event, {training.get("events")} events). Days from an event up to
{report.get("exclude_after_event_days", 45)} days after it are left out of the labels (episode
and recovery). Seed {seed}.

## Method
Features relative to each patient's own baseline (60 days ending 3 weeks earlier): deviations
over 3, 7 and 14 days, trends, variability (e.g. sleep-timing irregularity), missingness and
logging adherence, questionnaire changes, the diagnosis group, and the relapse history (a
relapse or hospitalisation recorded before the day, however long before, and the episodes
per year observed: a lasting risk, explained as such, not a new sign). A histogram
gradient-boosting classifier, calibrated (sigmoid, patient-grouped folds). Explanations:
each factor group is replaced by the patient's usual value (for the history: no earlier
episode) and the change in the calibrated score is its weight.
{features_line}
Operating threshold {report.get("operating_threshold", 0):.4f}, the lowest that keeps
{report.get("alert_budget_per_patient_month")} alert per patient-month or fewer (consecutive
alert days count once) on {report.get("operating_threshold_basis", "held-out patients' scores")}.
In the comparison below, each scorer's own threshold meets the same budget on the held-out
patients.

## Performance (held-out patients, 95% patient-bootstrap intervals)
Held-out: {report.get("test_patients")} patients, {report.get("test_days")} days,
{report.get("test_positive_days")} positive days. Each scorer's threshold meets the same
alert budget.

{metrics_table(scorers)}

Standing against the ceiling (AUROC - 0.5) / (ceiling AUROC - 0.5):
{standing if standing is not None else "n/a (no latent truth for real data)"}.
{forward_line}
### By subgroup (model)
{subgroup_table(model)}

## Limits
- Published relapse predictors reach AUROC 0.6-0.75; expect most alerts to be false and
  some relapses to come without warning. About a third of patients show no change in passive
  signals before a relapse.
- Subgroups with fewer than ~10 events have wide intervals; read them as unknown, not as equal.
{weak_lines}
- Trained on the data named above; a new population, new devices or a new app version call
  for re-evaluation before use.
"""
