// The sentences on a card: what raised the alert, the model's main factors, and who did what.
import { S } from "./config.js";
import { ago, day, decimal2, fmt, when } from "./format.js";

export function detailText(alert) {
  const d = alert.detail || {};
  if (alert.kind === "safety" && d.item9 !== undefined) {
    return fmt(S.ui.detail_safety, { item9: d.item9, when: when(d.completed_at) });
  }
  if (alert.kind === "risk" && d.score !== undefined) {
    return fmt(S.ui.detail_risk, {
      score: decimal2(d.score),
      band: S.band[d.band] || d.band,
      threshold: decimal2(d.threshold),
      date: day(d.score_date),
    });
  }
  if (alert.kind === "adherence" && d.gap_start) {
    const days = Math.max(
      d.days_without_data || 0,
      Math.floor((Date.now() - new Date(d.gap_start + "T00:00:00").getTime()) / 86400000),
    );
    return fmt(S.ui.detail_adherence, { since: day(d.gap_start), days: days });
  }
  if (d.note) return fmt(S.ui.detail_note, { note: d.note });
  return "";
}

export function factorsText(alert) {
  const ex = (alert.detail && alert.detail.explanation) || [];
  const labels = ex.map((f) => f && (f.label || f.feature)).filter(Boolean);
  return labels.length ? fmt(S.ui.detail_factors, { factors: labels.join("; ") }) : "";
}

export function whoText(alert) {
  const parts = [];
  if (alert.created_by) parts.push(fmt(S.ui.created_by, { user: alert.created_by }));
  if (alert.escalated_at) parts.push(fmt(S.ui.escalated_at, { when: ago(alert.escalated_at) }));
  if (alert.acknowledged_by) {
    parts.push(fmt(S.ui.acknowledged_by, { user: alert.acknowledged_by, when: ago(alert.acknowledged_at) }));
  }
  if (alert.resolved_by) {
    parts.push(
      fmt(S.ui.resolved_by, { user: alert.resolved_by, when: ago(alert.resolved_at), note: alert.resolution_note }),
    );
  }
  return parts.join(" · ");
}
