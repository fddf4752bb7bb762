// The patient's alert history (newest first), independent of the range shown. Once loaded,
// the alerts also place the risk chart's markers (see alertIndexes()).
import { alertTitle, cfg, getJSON, results, S } from "./config.js";
import { el } from "./dom.js";
import { asDate, dateTimeFmt, fmt, longDayFmt } from "./format.js";
import { refreshMarkers } from "./render.js";
import { charts, state } from "./state.js";

export async function loadAlerts() {
  const holder = document.getElementById("alerts-body");
  try {
    const alerts = results(await getJSON(cfg.alertsUrl)).slice();
    alerts.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    state.alerts = alerts;
    if (charts.risk) refreshMarkers();
    if (!alerts.length) {
      holder.replaceChildren(el("p", { className: "muted", text: S.no_alerts }));
    } else {
      const list = el("ol", { className: "alert-list", id: "alert-list" });
      alerts.forEach((a) => {
        const when = a.created_at ? dateTimeFmt.format(new Date(a.created_at)) : "";
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
        if (a.resolution_note) item.append(el("p", { className: "small", text: a.resolution_note }));
        list.append(item);
      });
      holder.replaceChildren(list);
    }
    holder.dataset.state = "ready";
  } catch (_error) {
    holder.replaceChildren(el("p", { className: "error", text: S.alerts_unavailable }));
    holder.dataset.state = "error";
  }
}
