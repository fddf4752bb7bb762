// The model page's two charts (Chart.js, vendored): alerts per patient-month by team and day
// against the budget, and the latest calibration per team. Every figure is also in the page's
// lists and tables; the canvases are images with a description.
const data = JSON.parse(document.getElementById("model-chart-data").textContent);
const S = data.strings;
const COLORS = ["#1f5fa8", "#b5441b", "#2d7a3e", "#6b3fa0", "#8a6d00"];

function byTeam(rows) {
  const teams = new Map();
  for (const row of rows) {
    if (!teams.has(row.team_id)) teams.set(row.team_id, { name: row.team, rows: [] });
    teams.get(row.team_id).rows.push(row);
  }
  return [...teams.values()];
}

function alertsChart(teams) {
  const canvas = document.getElementById("chart-alerts");
  if (!canvas) return;
  const days = [...new Set(data.performance.map((r) => r.day))].sort();
  const datasets = [];
  teams.forEach((team, i) => {
    const at = new Map(team.rows.map((r) => [r.day, r.figures.alerts_per_patient_month]));
    datasets.push({ label: team.name + " · " + S.alerts_pm, data: days.map((d) => at.get(d) ?? null), borderColor: COLORS[i % COLORS.length], spanGaps: true });
    const budget = new Map(team.rows.map((r) => [r.day, r.figures.budget_per_patient_month]));
    datasets.push({ label: team.name + " · " + S.budget, data: days.map((d) => budget.get(d) ?? null), borderColor: COLORS[i % COLORS.length], borderDash: [6, 4], pointRadius: 0 });
  });
  new window.Chart(canvas, { type: "line", data: { labels: days, datasets: datasets }, options: { animation: false, scales: { y: { beginAtZero: true } } } });
}

function calibrationChart(teams) {
  const canvas = document.getElementById("chart-calibration");
  if (!canvas) return;
  const datasets = [{ label: S.perfect, type: "line", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: "#777", borderDash: [4, 4], pointRadius: 0 }];
  teams.forEach((team, i) => {
    const latest = team.rows[team.rows.length - 1];
    const bins = ((latest.figures.calibration || {}).bins || []).filter((b) => b.n > 0);
    datasets.push({ label: team.name, data: bins.map((b) => ({ x: b.mean_score, y: b.observed })), backgroundColor: COLORS[i % COLORS.length] });
  });
  new window.Chart(canvas, {
    type: "scatter",
    data: { datasets: datasets },
    options: { animation: false, scales: { x: { min: 0, max: 1, title: { display: true, text: S.mean_score } }, y: { min: 0, max: 1, title: { display: true, text: S.observed } } } },
  });
}

if (window.Chart && data.performance.length) {
  const teams = byTeam(data.performance);
  alertsChart(teams);
  calibrationChart(teams);
}
