// The patient's alert history (newest first), independent of the range shown. Once loaded,
// the alerts also place the risk chart's markers (see alertIndexes()).
import { alertTitle, cfg, getJSON, results, S } from "./config.js";
import { el } from "./dom.js";
import { formatDateTime } from "../../patients/js/format.js";
import { asDate, fmt, longDayFmt } from "./format.js";
import { refreshMarkers } from "./render.js";
import { languageQuote } from "../../alerts/js/quote.js";
import { charts, state } from "./state.js";

// A risk alert's reasons: the factors that raised its score (the risk-scores API's `raising`,
// alerts.factors.raising on the server: the same as the explanation card and the nurse desk),
// once that day's score is loaded; until then the alert's own factors weighed upwards.
function alertReasons(a) {
  const scoreDay = a.detail && a.detail.score_date;
  if (!scoreDay || cfg.role !== "psychiatrist") return [];
  const entry = state.scores.get(scoreDay);
  if (entry && entry.raising) return entry.raising.slice(0, 3);
  return ((a.detail && a.detail.explanation) || []).filter((f) => f.direction === "up").slice(0, 3);
}

export async function loadAlerts() {
  const holder = document.getElementById("alerts-body");
  try {
    const alerts = results(await getJSON(cfg.alertsUrl)).slice();
    alerts.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    state.alerts = alerts;
    if (charts.risk) refreshMarkers();
    renderAlertList();
  } catch (_error) {
    holder.replaceChildren(el("p", { className: "error", text: S.alerts_unavailable }));
    holder.dataset.state = "error";
  }
}

export function renderAlertList() {
  const holder = document.getElementById("alerts-body");
  const alerts = state.alerts;
  if (alerts === null) return;
  if (!alerts.length) {
    holder.replaceChildren(el("p", { className: "muted", text: S.no_alerts }));
  } else {
    const list = el("ol", { className: "alert-list", id: "alert-list" });
    alerts.forEach((a) => {
      const when = a.created_at ? formatDateTime(a.created_at, { timeZone: cfg.timeZone }) : "";
      const status = (S.alert_status[a.status] || a.status || "").toString();
      const item = el("li", { className: "alert-item sev-" + (a.severity || "low") + " st-" + (a.status || "") }, [
        el("div", { className: "alert-meta" }, [
          el("span", { className: "sev", text: S.severity[a.severity] || a.severity || "" }),
          el("span", { className: "kind", text: S.alert_kinds[a.kind] || a.kind || "" }),
          el("span", { className: "status-tag", text: status }),
        ]),
        el("div", { className: "alert-title", text: alertTitle(a) }),
        el("time", { className: "muted small", datetime: a.created_at || "", text: when }),
      ]);
      const scoreDay = a.detail && a.detail.score_date;
      if (scoreDay) item.append(el("p", { className: "muted small score-day", text: fmt(S.score_of, { date: longDayFmt.format(asDate(scoreDay)) }) }));
      const reasons = alertReasons(a);
      if (reasons.length) {
        item.append(el("ul", { className: "factors up small alert-reasons" }, reasons.map((f) => el("li", { className: "up" }, [el("span", { className: "arrow", "aria-hidden": "true", text: "▲" }), el("span", { className: "label", text: f.label || f.feature })]))));
      }
      const quote = languageQuote(a, S.language);
      if (quote) item.append(quote);
      if (a.resolution_note) item.append(el("p", { className: "small", text: a.resolution_note }));
      list.append(item);
    });
    holder.replaceChildren(list);
  }
  holder.dataset.state = "ready";
}
