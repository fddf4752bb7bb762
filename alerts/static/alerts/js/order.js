// Which alerts the desk shows (the filters) and in what order (triage): unacknowledged
// critical alerts first, newest first; then by severity, longest waiting first. Resolved and
// "all" lists: most recently updated first. A patient's card sits where its most urgent
// alert would; inside a card the same order puts the most severe first.
import { filters, me } from "./config.js";

const SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3 };
const sevRank = (alert) => (alert.severity in SEV_RANK ? SEV_RANK[alert.severity] : 9);
export const isPinned = (alert) => alert.severity === "critical" && alert.status === "open";
export const groupOf = (alert) => String(alert.group || alert.patient);

export function matches(alert) {
  if (filters.kind && alert.kind !== filters.kind) return false;
  if (filters.severity && filters.severity.split(",").indexOf(alert.severity) < 0) return false;
  if (filters.patient && String(alert.patient) !== filters.patient) return false;
  if (filters.assignee) {
    const assigned = alert.assigned_to ? alert.assigned_to.id : null;
    if (filters.assignee === "none" && assigned !== null) return false;
    if (filters.assignee === "me" && assigned !== me.id) return false;
    if (/^\d+$/.test(filters.assignee) && assigned !== parseInt(filters.assignee, 10)) return false;
  }
  const created = new Date(alert.created_at).getTime();
  if (filters.fromAt && created < new Date(filters.fromAt).getTime()) return false;
  if (filters.toAt && created >= new Date(filters.toAt).getTime()) return false;
  if (filters.status === "all") return true;
  if (filters.status === "active") return alert.status !== "resolved";
  return alert.status === filters.status;
}

const byTime = (x, y) => (x < y ? -1 : x > y ? 1 : 0);

export function compare(a, b) {
  if (filters.status === "resolved" || filters.status === "all") {
    return byTime(b.updated_at, a.updated_at) || byTime(String(a.id), String(b.id));
  }
  const pa = isPinned(a);
  const pb = isPinned(b);
  if (pa !== pb) return pa ? -1 : 1;
  if (pa) return byTime(b.created_at, a.created_at) || byTime(String(a.id), String(b.id));
  return sevRank(a) - sevRank(b) || byTime(a.created_at, b.created_at) || byTime(String(a.id), String(b.id));
}
