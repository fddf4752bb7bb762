"""Evaluation report files: ROC, calibration and lead-time plots (PNG) and the model card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def write_report(directory: Path, *, report: dict[str, Any], held_out: Any = None, model_card: str = "") -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    curves = report.get("curves") or {}
    written: list[Path] = []

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    for name, c in curves.items():
        if c.get("roc"):
            auc = (report.get("scorers", {}).get(name, {}).get("overall", {}).get("auroc") or {}).get("value")
            xs, ys = zip(*c["roc"], strict=True)
            ax.plot(xs, ys, label=f"{name} (AUROC {auc:.3f})" if auc is not None else name)
    ax.set_xlabel("False positive rate (days)")
    ax.set_ylabel("True positive rate (days)")
    ax.set_title("ROC, held-out patients")
    ax.legend(loc="lower right", fontsize=8)
    written.append(_save(fig, directory / "roc.png"))

    fig, ax = plt.subplots(figsize=(5, 5))
    top = 0.0
    for name, c in curves.items():
        if c.get("calibration") and name != "heuristic":
            xs, ys, _n = zip(*c["calibration"], strict=True)
            top = max(top, *xs, *ys)
            ax.plot(xs, ys, marker="o", label=name)
    ax.plot([0, top or 1], [0, top or 1], color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("Predicted probability (decile mean)")
    ax.set_ylabel("Observed share of pre-relapse days")
    ax.set_title("Calibration, held-out patients")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=8)
    written.append(_save(fig, directory / "calibration.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    bins = list(range(0, 16))
    for name, c in curves.items():
        if c.get("leads"):
            ax.hist(c["leads"], bins=bins, alpha=0.5, label=f"{name} (n={len(c['leads'])})")
    ax.set_xlabel("Days between the first alert and the relapse")
    ax.set_ylabel("Alerted relapses")
    ax.set_title("Lead time at the operating threshold")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    written.append(_save(fig, directory / "lead_time.png"))

    card = directory / "model_card.md"
    card.write_text(model_card, encoding="utf-8")
    written.append(card)
    return written


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
