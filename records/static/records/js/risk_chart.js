// The relapse-risk chart: the daily score, the alert threshold, the episodes of risk (shaded
// spans), and markers for the alerts and the labelled clinical events. Returns a chart
// definition {datasets, y, episodes, eventLabels} (see render.js). Percentages are worded by
// the shared vocabulary (format.js of the patients app: the same text as the server's).
import { formatRisk } from "../../patients/js/format.js";
import { S } from "./config.js";
import { line } from "./chart_options.js";
import { C, niceCeil } from "./format.js";
import { alertIndexes, episodeIndexes, eventIndexes, series, state } from "./state.js";

const riskText = (v) => formatRisk(v);

export function riskDefinition() {
  const scores = series("risk_score");
  // Probabilities of a rare event are small: scale to the scores and the threshold (not to
  // 100 %), so a crossing is visible. Alert markers sit on the score line, or at the top
  // on a day without a score.
  // With events in the range, headroom at the top for their labels.
  const headroom = eventIndexes().length ? 1.6 : 1.2;
  const top = niceCeil(Math.max(state.threshold || 0, ...scores.filter((v) => v !== null), 0.01) * headroom);
  const alertDays = new Set(alertIndexes().map((a) => a.index));
  const alertMarks = state.days.map((_d, i) => (alertDays.has(i) ? (scores[i] === null ? top : scores[i]) : null));
  const eventDays = new Set(eventIndexes().map((e) => e.index));
  const eventMarks = state.days.map((_d, i) => (eventDays.has(i) ? 0 : null));
  const datasets = [
    line(S.risk_score, scores, C.blue, { fill: false, key: "risk_score", format: riskText }),
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
        format: riskText,
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
  const episodes = episodeIndexes().map(({ episode, span }) => ({
    span,
    label: episode.alert ? S.episode_label_alert : S.episode_label_none,
  }));
  return {
    datasets,
    episodes,
    eventLabels: true,
    y: { min: 0, max: top, ticks: { maxTicksLimit: 6, callback: (v) => riskText(v) } },
  };
}
