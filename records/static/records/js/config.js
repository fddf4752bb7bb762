// The page's settings and words, Chart.js, and the JSON API (read with the session cookie).
// No inline script anywhere (CSP): the settings are data-* attributes on #patient-dashboard
// and the translated strings a JSON data block (#dashboard-strings), never executed.

export const root = document.getElementById("patient-dashboard");
export const cfg = root ? root.dataset : {};
export const S = root ? JSON.parse(document.getElementById("dashboard-strings").textContent) : {};
export const lang = document.documentElement.lang || "en";

// Chart.js is the vendored UMD build, loaded by a classic `defer` script placed before the
// `<script type="module">` of patient_charts.js. Deferred classic scripts and module scripts
// run in document order once the page is parsed, so by the time any module here is
// evaluated window.Chart is set — or chart.umd.js failed to load, and the entry module stops.
export const Chart = window.Chart;

// A rule alert's stored title is its English msgid: show it in the page's language.
export const alertTitle = (alert) => (S.alert_titles || {})[alert.title] || alert.title || "";

export class HttpError extends Error {
  constructor(status, body) {
    super("HTTP " + status);
    this.status = status;
    this.body = body;
  }
}

export async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new HttpError(response.status, null);
  return response.json();
}

// A list endpoint answers a bare list or a page ({results: [...]}).
export const results = (payload) => (Array.isArray(payload) ? payload : (payload && payload.results) || []);
