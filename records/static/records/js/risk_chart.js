// The relapse-risk chart: the daily score, the alert threshold, and markers for the alerts
// and the clinical events. Returns a chart definition {datasets, y} (see render.js).
import { S } from "./config.js";
import { line } from "./chart_options.js";
import { C, niceCeil, pctFmt } from "./format.js";
import { alertIndexes, eventIndexes, series, state } from "./state.js";

export function riskDefinition() {
  const scores = series("risk_score");
  // Probabilities of a rare event are small: scale to the scores and the threshold (not to
  // 100 %), so a crossing is visible. Alert markers sit on the score line, or at the top
  // on a day without a score.
  const top = niceCeil(Math.max(state.threshold || 0, ...scores.filter((v) => v !== null), 0.01) * 1.2);
  const alertDays = new Set(alertIndexes().map((a) => a.index));
  const alertMarks = state.days.map((_d, i) => (alertDays.has(i) ? (scores[i] === null ? top : scores[i]) : null));
  const eventDays = new Set(eventIndexes().map((e) => e.index));
  const eventMarks = state.days.map((_d, i) => (eventDays.has(i) ? 0 : null));
  const datasets = [
    line(S.risk_score, scores, C.blue, { fill: false, key: "risk_score", format: (v) => pctFmt.format(v) }),
  ];
  if (state.threshold !== null) {
    datasets.push(
      line(S.threshold, state.days.map(() => state.threshold), C.vermillion, {
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
        pointHoverRadius: 0,
        measure: false,
        role: "threshold",
      }),
    );
  }
  datasets.push(
    line(S.alerts, alertMarks, C.vermillion, {
      showLine: false,
      pointStyle: "triangle",
      pointRadius: 9,
      pointHoverRadius: 11,
      pointBorderColor: "#ffffff",
      pointBorderWidth: 1.5,
      measure: false,
      role: "alerts",
      clip: false,
    }),
    line(S.events, eventMarks, C.ink, {
      showLine: false,
      pointStyle: "rectRot",
      pointRadius: 8,
      pointHoverRadius: 10,
      pointBorderColor: "#ffffff",
      pointBorderWidth: 1.5,
      measure: false,
      role: "events",
      clip: false,
    }),
  );
  return {
    datasets,
    y: { min: 0, max: top, ticks: { maxTicksLimit: 6, callback: (v) => pctFmt.format(v) } },
  };
}
