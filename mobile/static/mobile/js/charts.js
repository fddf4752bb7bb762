// Simple, readable line charts drawn as inline SVG, with the same numbers as a table for
// screen readers. Missing days are gaps, never zeros.
import { formatShortDate } from "./clock.js";
import { h, s, nextId } from "./dom.js";
import { _ } from "./i18n.js";

const W = 320;
const H = 150;
const PAD = { left: 34, right: 10, top: 12, bottom: 24 };

export function lineChart({ title, days, field, min, max, format = (v) => String(v), axisFormat = null, bands = [] }) {
  const points = days.map((day, i) => ({ i, date: day.date, value: day[field] }));
  const present = points.filter((p) => p.value !== null && p.value !== undefined);
  const n = Math.max(1, days.length - 1);
  const x = (i) => PAD.left + ((W - PAD.left - PAD.right) * i) / n;
  const y = (v) => PAD.top + ((H - PAD.top - PAD.bottom) * (max - v)) / (max - min || 1);

  const summaryText = present.length
    ? _("%(title)s. Days with data: %(count)s. Latest: %(value)s on %(date)s.", {
        title,
        count: present.length,
        value: format(present[present.length - 1].value),
        // "2 déc." already ends with a full stop: the sentence's own follows it otherwise.
        date: formatShortDate(present[present.length - 1].date).replace(/\.$/, ""),
      })
    : _("%(title)s: no data in this period.", { title });
  const tick = axisFormat || format;

  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summaryText, class: "chart" });
  for (const band of bands) {
    svg.append(s("rect", {
      x: PAD.left, width: W - PAD.left - PAD.right,
      y: y(band.to), height: Math.max(0, y(band.from) - y(band.to)), class: `band ${band.class}`,
    }));
  }
  // Axes: min and max labels, first and last dates.
  svg.append(
    s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(min), y2: y(min), class: "axis" }),
    s("text", { x: PAD.left - 6, y: y(max) + 4, "text-anchor": "end", class: "tick" }, tick(max)),
    s("text", { x: PAD.left - 6, y: y(min) + 4, "text-anchor": "end", class: "tick" }, tick(min)),
  );
  if (min < 0 && max > 0) {
    svg.append(
      s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), class: "zero" }),
      s("text", { x: PAD.left - 6, y: y(0) + 4, "text-anchor": "end", class: "tick" }, tick(0)),
    );
  }
  if (days.length) {
    svg.append(
      s("text", { x: PAD.left, y: H - 6, "text-anchor": "start", class: "tick" }, formatShortDate(days[0].date)),
      s("text", { x: W - PAD.right, y: H - 6, "text-anchor": "end", class: "tick" },
        formatShortDate(days[days.length - 1].date)),
    );
  }
  // The line breaks wherever a day is missing.
  let d = "";
  let drawing = false;
  for (const p of points) {
    if (p.value === null || p.value === undefined) {
      drawing = false;
      continue;
    }
    const v = Math.max(min, Math.min(max, p.value));
    d += `${drawing ? "L" : "M"}${x(p.i).toFixed(1)},${y(v).toFixed(1)} `;
    drawing = true;
  }
  if (d) svg.append(s("path", { d: d.trim(), class: "line" }));
  for (const p of present) {
    const v = Math.max(min, Math.min(max, p.value));
    svg.append(s("circle", { cx: x(p.i).toFixed(1), cy: y(v).toFixed(1), r: 3.5, class: "dot" }));
  }

  const tableId = nextId("table");
  const rows = present.map((p) => h("tr", null, h("td", null, formatShortDate(p.date)), h("td", null, format(p.value))));
  const figure = h("figure", { class: "chart-figure", "data-field": field, "data-renderer": "svg" },
    h("figcaption", null, h("h3", { class: "chart-title" }, title)),
    svg,
    h("p", { class: "chart-summary" }, summaryText),
    present.length
      ? h("details", { class: "chart-table" },
          h("summary", null, _("Show the numbers")),
          h("table", { id: tableId },
            h("thead", null, h("tr", null, h("th", { scope: "col" }, _("Day")), h("th", { scope: "col" }, title))),
            h("tbody", null, rows)))
      : null,
  );
  figure.chartSpec = { days, field, min, max, summaryText };
  return figure;
}

// The same library as the clinicians' pages (Chart.js, records/static/records/vendor, MIT),
// loaded only when History opens and precached by the service worker. Each SVG chart is
// redrawn on a canvas; if Chart.js cannot load (offline before it was ever cached), the SVG
// stays. The text summary and the table of numbers stay either way.
let chartJs = null;
function loadChartJs(url) {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartJs) {
    chartJs = new Promise((resolve, reject) => {
      const script = h("script", { src: url });
      script.addEventListener("load", () => (window.Chart ? resolve(window.Chart) : reject(new Error("no Chart"))));
      script.addEventListener("error", () => {
        chartJs = null;
        reject(new Error("Chart.js did not load"));
      });
      document.head.append(script);
    });
  }
  return chartJs;
}

export async function drawWithChartJs(figures, url) {
  if (!url || !figures.length) return;
  let Chart;
  try {
    Chart = await loadChartJs(url);
  } catch (err) {
    return;
  }
  const styles = getComputedStyle(document.documentElement);
  const colour = styles.getPropertyValue("--primary").trim() || "#0b4f8a";
  for (const figure of figures) {
    const spec = figure.chartSpec;
    const svg = figure.querySelector("svg.chart");
    if (!spec || !svg || !figure.isConnected) continue;
    const canvas = h("canvas", { role: "img", "aria-label": spec.summaryText });
    const box = h("div", { class: "chart-canvas" }, canvas);
    svg.replaceWith(box);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: spec.days.map((day) => formatShortDate(day.date)),
        datasets: [{
          data: spec.days.map((day) => (day[spec.field] === undefined ? null : day[spec.field])),
          borderColor: colour, backgroundColor: colour, pointRadius: 3, borderWidth: 2.5, spanGaps: false,
        }],
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { enabled: true } },
        scales: {
          x: { ticks: { maxTicksLimit: 4, maxRotation: 0 } },
          y: { min: spec.min, max: spec.max, ticks: { maxTicksLimit: 5 } },
        },
      },
    });
    figure.dataset.renderer = "chartjs";
  }
}
