// Drawing the ten charts from their definitions, and the attributes tests and assistive tech
// read: each canvas's data-points (non-null values drawn), the risk canvas's
// data-events-markers and data-alerts-markers, each card's text summary.
import { Chart, S } from "./config.js";
import { chartOptions, labelledEvents } from "./chart_options.js";
import { activity, mobility, mood, sleep, sleepTiming, speech } from "./daily_charts.js";
import { fmt } from "./format.js";
import { asrm, gad7, phq9 } from "./questionnaire_charts.js";
import { riskDefinition } from "./risk_chart.js";
import { charts, state, stayIndexes } from "./state.js";
import { renderTables } from "./tables.js";

// Chart id (the template's card-/chart-/title-/summary-<id>) → definition, in page order.
// A definition returns {datasets, y, y1?, bands?}.
const DEFINITIONS = {
  risk: riskDefinition,
  mood,
  sleep,
  "sleep-timing": sleepTiming,
  activity,
  mobility,
  speech,
  phq9,
  gad7,
  asrm,
};

const countPoints = (datasets) =>
  datasets.filter((ds) => ds.measure).reduce((n, ds) => n + ds.data.filter((v) => v !== null && v !== undefined).length, 0);

function renderChart(id) {
  const def = DEFINITIONS[id]();
  const canvas = document.getElementById("chart-" + id);
  const card = document.getElementById("card-" + id);
  if (charts[id]) charts[id].destroy();
  const chart = new Chart(canvas, {
    type: "line",
    data: { labels: state.labels, datasets: def.datasets },
    options: chartOptions(def),
  });
  charts[id] = chart;
  const points = countPoints(def.datasets);
  canvas.dataset.points = String(points);
  if (def.dataset) Object.entries(def.dataset).forEach(([k, v]) => (canvas.dataset[k] = String(v)));
  card.querySelector(".chart-empty").hidden = points > 0;
  const title = document.getElementById("title-" + id).textContent;
  document.getElementById("summary-" + id).textContent = fmt(S.chart_summary, { title, n: points, days: state.labels.length });
  updateMarkerCounts(id, chart);
}

function updateMarkerCounts(id, chart) {
  if (id !== "risk") return;
  const canvas = chart.canvas;
  canvas.dataset.eventLabels = chart.options.plugins.eventLines.items.map((e) => e.label).join("|");
  canvas.dataset.stays = String(chart.options.plugins.spans.stays.length);
  canvas.dataset.episodes = String(chart.options.plugins.spans.episodes.length);
  chart.data.datasets.forEach((ds) => {
    if (ds.role === "events" || ds.role === "alerts") {
      canvas.dataset[ds.role + "Markers"] = String(ds.data.filter((v) => v !== null).length);
    }
  });
}

export function renderAll() {
  Object.keys(DEFINITIONS).forEach(renderChart);
  if (state.tablesShown) renderTables();
}

// After the events or the alerts change: move the event lines and the risk chart's markers
// without rebuilding the charts.
export function refreshMarkers() {
  const items = labelledEvents();
  const stays = stayIndexes();
  Object.entries(charts).forEach(([id, chart]) => {
    chart.options.plugins.eventLines.items = items;
    chart.options.plugins.spans.stays = stays;
    if (id === "risk") {
      const fresh = riskDefinition().datasets;
      ["events", "alerts"].forEach((role) => {
        chart.data.datasets.find((ds) => ds.role === role).data = fresh.find((ds) => ds.role === role).data;
      });
      updateMarkerCounts(id, chart);
    }
    chart.update("none");
  });
  if (state.tablesShown) renderTables();
}
