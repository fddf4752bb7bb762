// The sentences on an alert card: how old its data is, what raised it, the time left before
// it escalates, and who did what. Every time is absolute in the care team's zone.
import { S } from "./config.js";
import { age, countdown, day, fmt, when, whenShort } from "./format.js";
import { languageDetail } from "./quote.js";

// "Answered 114 days ago (10/08/2026, 14:03 CEST), received today at 09:12."
export function ageLine(alert) {
  const recorded = alert.recorded_at || alert.created_at;
  const received = alert.received_at || alert.created_at;
  const values = {
    age: age(recorded),
    when: when(recorded),
    received: age(received),
    received_when: whenShort(received),
  };
  // Received within minutes: one time says it all.
  const delay = new Date(received).getTime() - new Date(recorded).getTime();
  if (alert.kind === "safety") return fmt(delay > 600000 ? S.ui.age_answered : S.ui.age_answered_now, values);
  if (alert.kind === "language") return fmt(delay > 600000 ? S.ui.age_written : S.ui.age_written_now, values);
  if (alert.kind === "risk") {
    const d = alert.detail || {};
    return fmt(S.ui.age_scored, { ...values, day: d.score_date ? day(d.score_date) : day(recorded) });
  }
  return fmt(S.ui.age_raised, values);
}

export function detailText(alert) {
  const d = alert.detail || {};
  if (alert.kind === "safety" && d.item9 !== undefined) return fmt(S.ui.detail_safety, { item9: d.item9 });
  if (alert.kind === "language") return languageDetail(alert, S.language);
  if (alert.kind === "risk") {
    const parts = [];
    if (alert.risk) {
      parts.push(
        fmt(S.ui.detail_risk, {
          risk: alert.risk.text,
          threshold: alert.risk.threshold_text,
          band: alert.risk.band_label,
        }),
      );
      const meaning = alert.risk.band_meaning || "";
      if (meaning) parts.push(meaning.charAt(0).toUpperCase() + meaning.slice(1) + (/[.!]$/.test(meaning) ? "" : "."));
    } else if (alert.message) {
      parts.push(alert.message);
    }
    if (alert.reasons && alert.reasons.length) parts.push(fmt(S.ui.detail_reasons, { reasons: alert.reasons.join("; ") }));
    return parts.join(" ");
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

// "Escalates at 15:42 CET (in 12 minutes) unless acknowledged."
export function countdownText(alert) {
  if (!alert.escalates_at || alert.status !== "open" || alert.escalated) return "";
  const left = countdown(alert.escalates_at);
  if (!left) return fmt(S.ui.escalation_due, { when: when(alert.escalates_at) });
  return fmt(S.ui.escalates_in, { when: when(alert.escalates_at), left: left });
}

const userName = (u) => (u && typeof u === "object" ? u.name || u.username : u);

export function whoText(alert) {
  const parts = [];
  if (alert.created_by) parts.push(fmt(S.ui.created_by, { user: alert.created_by }));
  if (alert.escalated_at) parts.push(fmt(S.ui.escalated_at, { when: when(alert.escalated_at) }));
  if (alert.acknowledged_by) {
    parts.push(fmt(S.ui.acknowledged_by, { user: alert.acknowledged_by, when: when(alert.acknowledged_at) }));
  }
  if (alert.resolved_by) {
    parts.push(
      fmt(S.ui.resolved_by, { user: alert.resolved_by, when: when(alert.resolved_at), note: alert.resolution_note }),
    );
  }
  return parts.join(" · ");
}

export { userName };
