/* One patient's trend charts (dashboard/patients/<id>/).
 *
 * Reads the JSON API with the session cookie: timeline (one entry per local day, missing
 * values null), clinical events, alerts and, for psychiatrists, the latest score's
 * explanation. No inline script or style anywhere (CSP): configuration comes from data-*
 * attributes and the translated strings from a JSON data block.
 *
 * For tests and assistive tech each canvas carries data-points (non-null values drawn)
 * and the page root data-state ("loading" | "ready" | "error") and data-range. */
(function () {
  "use strict";

  const root = document.getElementById("patient-dashboard");
  if (!root || typeof window.Chart === "undefined") return;
  const Chart = window.Chart;
  const S = JSON.parse(document.getElementById("dashboard-strings").textContent);
  // A rule alert's stored title is its English msgid: show it in the page's language.
  const alertTitle = (alert) => (S.alert_titles || {})[alert.title] || alert.title || "";
  const cfg = root.dataset;
  const lang = document.documentElement.lang || "en";

  // Okabe–Ito hues, darkened where needed for ≥ 3:1 contrast on white (WCAG 1.4.11), and
  // every series also differs by dash pattern or point shape, never by colour alone.
  const C = {
    ink: "#1b1f24",
    muted: "#57606a",
    grid: "#e3e7eb",
    blue: "#0072b2",
    vermillion: "#c0530a",
    green: "#007a5a",
    purple: "#a1437e",
    ochre: "#8a6200",
    sky: "#2b7bb9",
  };
  const LEFT_W = 64;
  const RIGHT_W = 68;

  Chart.defaults.color = C.muted;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;

  // --- small helpers -------------------------------------------------------------------
  const fmt = (template, params) =>
    template.replace(/%\((\w+)\)s/g, (_m, key) => (params && key in params ? String(params[key]) : ""));
  const dayFmt = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
  const longDayFmt = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });
  // Times of day (alerts) in the care team's time zone, whatever the browser's.
  const dateTimeFmt = (() => {
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: cfg.timeZone });
    } catch (_error) {
      return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
    }
  })();
  const numFmt = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const compactFmt = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  const pctFmt = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
  // 0.0437 → 0.05, 0.62 → 0.7: a round upper bound for an axis.
  const niceCeil = (v) => {
    const step = Math.pow(10, Math.floor(Math.log10(v)));
    const m = v / step;
    const nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10;
    return Math.min(1, nice * step);
  };
  const asDate = (iso) => new Date(iso + "T00:00:00Z");
  const isoDay = (d) => d.toISOString().slice(0, 10);
  const addDays = (iso, n) => {
    const d = asDate(iso);
    d.setUTCDate(d.getUTCDate() + n);
    return isoDay(d);
  };
  const daysBetween = (a, b) => Math.round((asDate(b) - asDate(a)) / 86400000);
  const el = (tag, attrs, children) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k === "className") node.className = v;
      else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.append(c));
    return node;
  };
  const setStatus = (node, text, isError) => {
    node.textContent = text || "";
    node.classList.toggle("error", Boolean(isError));
  };
  // "23:10" → hours on an axis running from noon to noon, so a night never wraps.
  const clock = (hhmm) => {
    if (!hhmm) return null;
    const [h, m] = hhmm.split(":").map(Number);
    return h + m / 60;
  };
  const onsetHours = (hhmm) => {
    const h = clock(hhmm);
    return h === null ? null : h >= 12 ? h - 24 : h;
  };
  const clockLabel = (v) => {
    const h = ((v % 24) + 24) % 24;
    const hh = Math.floor(h + 1e-9);
    const mm = Math.round((h - hh) * 60);
    return String(hh).padStart(2, "0") + ":" + String(mm === 60 ? 0 : mm).padStart(2, "0");
  };

  class HttpError extends Error {
    constructor(status, body) {
      super("HTTP " + status);
      this.status = status;
      this.body = body;
    }
  }
  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new HttpError(response.status, null);
    return response.json();
  }
  const results = (payload) => (Array.isArray(payload) ? payload : (payload && payload.results) || []);

  // --- plugins: severity bands behind the data, event lines in front -------------------
  function wrapText(ctx, text, maxWidth) {
    const lines = [];
    let current = "";
    String(text)
      .split(/\s+/)
      .forEach((word) => {
        const candidate = current ? current + " " + word : word;
        if (current && ctx.measureText(candidate).width > maxWidth) {
          lines.push(current);
          current = word;
        } else {
          current = candidate;
        }
      });
    if (current) lines.push(current);
    return lines;
  }
  const bandsPlugin = {
    id: "bands",
    beforeDatasetsDraw(chart, _args, opts) {
      const bands = (opts && opts.items) || [];
      const { ctx, chartArea: area, scales } = chart;
      if (!bands.length || !scales.y) return;
      ctx.save();
      bands.forEach((band) => {
        const top = scales.y.getPixelForValue(band.to);
        const bottom = scales.y.getPixelForValue(band.from);
        const y0 = Math.max(area.top, Math.min(top, bottom));
        const y1 = Math.min(area.bottom, Math.max(top, bottom));
        if (y1 <= y0) return;
        ctx.fillStyle = band.color;
        ctx.fillRect(area.left, y0, area.right - area.left, y1 - y0);
      });
      // Labels go in the empty right margin every band chart keeps (it has no right axis),
      // so they never hide a data point; long labels wrap onto several lines.
      ctx.fillStyle = C.muted;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      const maxWidth = RIGHT_W - 8;
      bands.forEach((band) => {
        // Shrink (to 8 px at least) until the longest word fits the margin.
        ctx.font = "10px " + Chart.defaults.font.family;
        const widest = Math.max(...String(band.label).split(/\s+/).map((w) => ctx.measureText(w).width));
        const size = Math.max(8, Math.min(10, Math.floor((10 * maxWidth) / Math.max(widest, 1))));
        ctx.font = size + "px " + Chart.defaults.font.family;
        const top = Math.max(area.top, Math.min(scales.y.getPixelForValue(band.to), scales.y.getPixelForValue(band.from)));
        const bottom = Math.min(area.bottom, Math.max(scales.y.getPixelForValue(band.to), scales.y.getPixelForValue(band.from)));
        const lines = wrapText(ctx, band.label, maxWidth);
        const lineHeight = size + 1;
        if (bottom - top < lines.length * lineHeight - 2) return;
        const first = (top + bottom) / 2 - ((lines.length - 1) * lineHeight) / 2;
        lines.forEach((text, i) => ctx.fillText(text, area.right + 6, first + i * lineHeight));
      });
      ctx.restore();
    },
  };
  const eventLinesPlugin = {
    id: "eventLines",
    afterDatasetsDraw(chart, _args, opts) {
      const items = (opts && opts.items) || [];
      const { ctx, chartArea: area, scales } = chart;
      if (!items.length || !scales.x) return;
      ctx.save();
      ctx.strokeStyle = C.ink;
      ctx.lineWidth = 1.25;
      ctx.setLineDash([4, 3]);
      items.forEach((item) => {
        const x = scales.x.getPixelForValue(item.index);
        if (x < area.left - 0.5 || x > area.right + 0.5) return;
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.stroke();
      });
      ctx.restore();
    },
  };
  Chart.register(bandsPlugin, eventLinesPlugin);

  // --- state ---------------------------------------------------------------------------
  const state = {
    start: cfg.start,
    end: cfg.end,
    days: [],
    labels: [],
    events: [],
    threshold: cfg.threshold === "" ? null : Number(cfg.threshold),
    tablesShown: false,
    alerts: null, // the alert list, once loaded
  };
  window.charts = {};
  const rangeStatus = document.getElementById("range-status");

  // --- chart definitions -----------------------------------------------------------------
  // Each returns {type, datasets, y, y1?, bands?}; `measure: true` marks the datasets whose
  // values are data (counted in data-points and shown in the table), not guides or markers.
  const series = (key, map) => state.days.map((d) => (d[key] === null || d[key] === undefined ? null : map ? map(d[key]) : d[key]));
  const line = (label, data, color, extra) =>
    Object.assign(
      {
        type: "line",
        label,
        data,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: state.days.length > 120 ? 1.5 : 2.5,
        pointHoverRadius: 5,
        spanGaps: false,
        measure: true,
        yAxisID: "y",
        clip: 8, // points on the axis limits (a PHQ-9 of 0) are drawn whole
      },
      extra || {},
    );
  const bar = (label, data, color, extra) =>
    Object.assign(
      { type: "bar", label, data, backgroundColor: color, borderColor: color, borderWidth: 0, measure: true, yAxisID: "y", barPercentage: 0.9, categoryPercentage: 0.9 },
      extra || {},
    );

  function eventIndexes() {
    const index = new Map(state.labels.map((d, i) => [d, i]));
    return state.events
      .filter((e) => index.has(e.date))
      .map((e) => ({ index: index.get(e.date), kind: e.kind, note: e.note || "", date: e.date }));
  }

  // Where each alert goes on the time axis: a risk alert on the day of the score that raised
  // it (detail.score_date: scores of past days may be computed later), any other alert on
  // the local day it was raised (the timeline's `alerts`). Until the alert list has loaded,
  // the timeline alone places them.
  function alertIndexes() {
    const index = new Map(state.labels.map((d, i) => [d, i]));
    const raisedOn = new Map();
    state.days.forEach((d, i) => (d.alerts || []).forEach((id) => raisedOn.set(String(id), i)));
    if (state.alerts === null) {
      return Array.from(raisedOn.entries()).map(([id, i]) => ({ index: i, alert: { id } }));
    }
    const placed = [];
    state.alerts.forEach((a) => {
      const scoreDay = a.detail && a.detail.score_date;
      if (scoreDay) {
        if (index.has(scoreDay)) placed.push({ index: index.get(scoreDay), alert: a });
      } else if (raisedOn.has(String(a.id))) {
        placed.push({ index: raisedOn.get(String(a.id)), alert: a });
      }
    });
    return placed;
  }

  function riskDefinition() {
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

  const DEFINITIONS = {
    risk: riskDefinition,
    mood: () => ({
      datasets: [
        line(S.mood, series("mood"), C.ink, { borderWidth: 2.5, key: "mood" }),
        line(S.anxiety, series("anxiety"), C.purple, { yAxisID: "y1", borderDash: [6, 3], pointStyle: "rect", key: "anxiety" }),
        line(S.energy, series("energy"), C.ochre, { yAxisID: "y1", borderDash: [2, 3], pointStyle: "triangle", key: "energy" }),
        line(S.irritability, series("irritability"), C.vermillion, { yAxisID: "y1", borderDash: [8, 3, 2, 3], pointStyle: "crossRot", key: "irritability" }),
      ],
      y: { min: -3, max: 3, ticks: { stepSize: 1, callback: (v) => (v > 0 ? "+" + v : String(v)) }, title: { display: true, text: S.mood_axis } },
      y1: { min: 0, max: 10, ticks: { stepSize: 2 }, title: { display: true, text: "0–10" } },
    }),
    sleep: () => ({
      datasets: [bar(S.sleep_hours, series("sleep_hours"), C.sky, { key: "sleep_hours", format: (v) => numFmt.format(v) + " h" })],
      y: { suggestedMin: 0, suggestedMax: 10, title: { display: true, text: "h" } },
    }),
    "sleep-timing": () => {
      const windows = state.days.map((d) => {
        const onset = onsetHours(d.sleep_onset);
        let wake = clock(d.sleep_wake);
        if (onset === null || wake === null) return null;
        if (wake < onset) wake += 24;
        return [onset, wake];
      });
      return {
        datasets: [
          bar(S.sleep_window, windows, "rgba(0, 114, 178, 0.55)", {
            borderColor: C.blue,
            borderWidth: 1,
            key: "sleep_window",
            format: (v) => clockLabel(v[0]) + " → " + clockLabel(v[1]),
          }),
        ],
        y: { reverse: true, suggestedMin: -4, suggestedMax: 10, ticks: { stepSize: 2, callback: (v) => clockLabel(v) } },
      };
    },
    activity: () => ({
      datasets: [bar(S.steps, series("steps"), C.green, { key: "steps", format: (v) => numFmt.format(v) })],
      y: { beginAtZero: true, ticks: { callback: (v) => compactFmt.format(v) } },
    }),
    mobility: () => ({
      datasets: [
        line(S.time_at_home, series("time_at_home_min", (v) => v / 60), C.purple, { key: "time_at_home", format: (v) => numFmt.format(v) + " h" }),
        line(S.distance_km, series("distance_km"), C.ochre, { yAxisID: "y1", borderDash: [6, 3], pointStyle: "rect", key: "distance_km", format: (v) => numFmt.format(v) + " km" }),
      ],
      y: { min: 0, suggestedMax: 24, ticks: { stepSize: 6 }, title: { display: true, text: "h" } },
      y1: { beginAtZero: true, title: { display: true, text: "km" } },
    }),
    speech: () => ({
      datasets: [
        line(S.speech_rate, series("speech_rate_wpm"), C.blue, { key: "speech_rate_wpm" }),
        line(S.pause_ratio, series("pause_ratio"), C.vermillion, { yAxisID: "y1", borderDash: [6, 3], pointStyle: "rect", key: "pause_ratio" }),
      ],
      y: { suggestedMin: 80, suggestedMax: 200, title: { display: true, text: "wpm" } },
      y1: { min: 0, max: 1, ticks: { stepSize: 0.25 } },
    }),
    phq9: () => ({
      datasets: [line(S.phq9, series("phq9"), C.ink, { pointRadius: 4, key: "phq9" })],
      y: { min: 0, max: 27, ticks: { stepSize: 5 } },
      bands: [
        { from: 0, to: 4.5, color: "#eef6f0", label: S.bands.minimal },
        { from: 4.5, to: 9.5, color: "#f6f4e4", label: S.bands.mild },
        { from: 9.5, to: 14.5, color: "#fbeedd", label: S.bands.moderate },
        { from: 14.5, to: 19.5, color: "#fae3d9", label: S.bands.moderately_severe },
        { from: 19.5, to: 27, color: "#f6d6d6", label: S.bands.severe },
      ],
    }),
    gad7: () => ({
      datasets: [line(S.gad7, series("gad7"), C.purple, { pointRadius: 4, pointStyle: "rect", key: "gad7" })],
      y: { min: 0, max: 21, ticks: { stepSize: 5 } },
      bands: [
        { from: 0, to: 4.5, color: "#eef6f0", label: S.bands.minimal },
        { from: 4.5, to: 9.5, color: "#f6f4e4", label: S.bands.mild },
        { from: 9.5, to: 14.5, color: "#fbeedd", label: S.bands.moderate },
        { from: 14.5, to: 21, color: "#f6d6d6", label: S.bands.severe },
      ],
    }),
    asrm: () => ({
      datasets: [line(S.asrm, series("asrm"), C.ochre, { pointRadius: 4, pointStyle: "triangle", key: "asrm" })],
      y: { min: 0, max: 20, ticks: { stepSize: 5 } },
      bands: [
        { from: 0, to: 5.5, color: "#eef6f0", label: S.bands.below },
        { from: 5.5, to: 20, color: "#fae3d9", label: S.bands.hypomania },
      ],
    }),
  };

  function chartOptions(def) {
    const fixWidth = (w) => (scale) => {
      scale.width = w;
    };
    const scales = {
      x: {
        type: "category",
        offset: true, // the same on every chart, bars or lines, so the days line up
        grid: { color: C.grid },
        ticks: {
          maxRotation: 0,
          autoSkip: true,
          maxTicksLimit: 9,
          color: C.muted,
          callback(value) {
            return dayFmt.format(asDate(this.getLabelForValue(value)));
          },
        },
      },
      y: Object.assign({ grid: { color: C.grid }, afterFit: fixWidth(LEFT_W) }, def.y),
    };
    if (def.y1) scales.y1 = Object.assign({ position: "right", grid: { drawOnChartArea: false }, afterFit: fixWidth(RIGHT_W) }, def.y1);
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2),
      interaction: { mode: "index", intersect: false },
      // Every chart has the same plot width, so the days line up from chart to chart.
      layout: { padding: { right: def.y1 ? 0 : RIGHT_W, top: 6 } },
      scales,
      plugins: {
        legend: {
          position: "top",
          align: "start",
          labels: { usePointStyle: true, boxWidth: 10, boxHeight: 10, color: C.ink, padding: 12 },
        },
        tooltip: {
          filter: (item) => item.raw !== null && item.raw !== undefined,
          callbacks: {
            title: (items) => (items.length ? longDayFmt.format(asDate(state.labels[items[0].dataIndex])) : ""),
            label: (item) => tooltipLabel(item),
          },
        },
        bands: { items: def.bands || [] },
        eventLines: { items: eventIndexes() },
      },
    };
  }

  function tooltipLabel(item) {
    const ds = item.dataset;
    const raw = ds.data[item.dataIndex];
    if (raw === null || raw === undefined) return null;
    if (ds.role === "events") {
      const here = eventIndexes().filter((e) => e.index === item.dataIndex);
      return here.map((e) => (S.event_kinds[e.kind] || e.kind) + (e.note ? " — " + e.note : "")).join("; ");
    }
    if (ds.role === "alerts") {
      const here = alertIndexes().filter((a) => a.index === item.dataIndex);
      const titles = here.map((a) => alertTitle(a.alert)).filter(Boolean);
      return titles.length ? titles.join("; ") : S.alerts + ": " + here.length;
    }
    const value = ds.format ? ds.format(raw) : numFmt.format(raw);
    return ds.label + ": " + value;
  }

  const countPoints = (datasets) =>
    datasets.filter((ds) => ds.measure).reduce((n, ds) => n + ds.data.filter((v) => v !== null && v !== undefined).length, 0);

  function renderChart(id) {
    const def = DEFINITIONS[id]();
    const canvas = document.getElementById("chart-" + id);
    const card = document.getElementById("card-" + id);
    if (window.charts[id]) window.charts[id].destroy();
    const chart = new Chart(canvas, {
      type: "line",
      data: { labels: state.labels, datasets: def.datasets },
      options: chartOptions(def),
    });
    window.charts[id] = chart;
    const points = countPoints(def.datasets);
    canvas.dataset.points = String(points);
    card.querySelector(".chart-empty").hidden = points > 0;
    const title = document.getElementById("title-" + id).textContent;
    document.getElementById("summary-" + id).textContent = fmt(S.chart_summary, { title, n: points, days: state.labels.length });
    updateMarkerCounts(id, chart);
  }

  function updateMarkerCounts(id, chart) {
    if (id !== "risk") return;
    const canvas = chart.canvas;
    chart.data.datasets.forEach((ds) => {
      if (ds.role === "events" || ds.role === "alerts") {
        canvas.dataset[ds.role + "Markers"] = String(ds.data.filter((v) => v !== null).length);
      }
    });
  }

  function renderAll() {
    Object.keys(DEFINITIONS).forEach(renderChart);
    if (state.tablesShown) renderTables();
  }

  function refreshMarkers() {
    const items = eventIndexes();
    Object.entries(window.charts).forEach(([id, chart]) => {
      chart.options.plugins.eventLines.items = items;
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

  // --- table view (the charts' text alternative) -----------------------------------------
  function renderTables() {
    Object.entries(window.charts).forEach(([id, chart]) => {
      const holder = document.getElementById("table-" + id);
      const measures = chart.data.datasets.filter((ds) => ds.measure);
      const withEvents = id === "risk";
      const head = el("tr", {}, [el("th", { scope: "col", text: S.date })].concat(measures.map((ds) => el("th", { scope: "col", text: ds.label }))));
      if (withEvents) {
        head.append(el("th", { scope: "col", text: S.alerts }), el("th", { scope: "col", text: S.events }));
      }
      const events = eventIndexes();
      const body = el("tbody");
      state.labels.forEach((day, i) => {
        const row = el("tr", {}, [el("th", { scope: "row", text: longDayFmt.format(asDate(day)) })]);
        measures.forEach((ds) => {
          const v = ds.data[i];
          row.append(el("td", { text: v === null || v === undefined ? "—" : ds.format ? ds.format(v) : numFmt.format(v) }));
        });
        if (withEvents) {
          const n = alertIndexes().filter((a) => a.index === i).length;
          row.append(el("td", { text: n ? String(n) : "" }));
          row.append(el("td", { text: events.filter((e) => e.index === i).map((e) => S.event_kinds[e.kind] || e.kind).join(", ") }));
        }
        body.append(row);
      });
      const caption = el("caption", { text: document.getElementById("title-" + id).textContent });
      holder.replaceChildren(el("table", { className: "data-table" }, [caption, el("thead", {}, [head]), body]));
    });
  }

  const tableToggle = document.getElementById("table-toggle");
  tableToggle.addEventListener("click", () => {
    state.tablesShown = !state.tablesShown;
    tableToggle.setAttribute("aria-pressed", String(state.tablesShown));
    tableToggle.textContent = state.tablesShown ? S.show_chart : S.show_table;
    root.classList.toggle("show-tables", state.tablesShown);
    document.querySelectorAll(".chart-table").forEach((node) => {
      node.hidden = !state.tablesShown;
    });
    if (state.tablesShown) renderTables();
  });
  tableToggle.textContent = S.show_table;

  // --- print: canvases are drawn for the screen, so print a picture of each at page width --
  function preparePrint() {
    Object.entries(window.charts).forEach(([id, chart]) => {
      const img = document.getElementById("print-" + id);
      img.src = chart.toBase64Image("image/png", 1);
      img.alt = document.getElementById("summary-" + id).textContent;
    });
  }
  window.addEventListener("beforeprint", preparePrint);
  document.getElementById("print-page").addEventListener("click", () => {
    preparePrint();
    window.print();
  });

  // --- loading a range -------------------------------------------------------------------
  async function loadEvents() {
    state.events = results(await getJSON(cfg.eventsUrl));
  }

  let loadSeq = 0;
  async function loadRange(start, end) {
    const seq = ++loadSeq;
    root.dataset.state = "loading";
    root.setAttribute("aria-busy", "true");
    setStatus(rangeStatus, S.loading);
    try {
      const query = "?" + new URLSearchParams({ start, end }).toString();
      const [timeline] = await Promise.all([getJSON(cfg.timelineUrl + query), loadEvents()]);
      if (seq !== loadSeq) return; // a newer range was asked for meanwhile
      state.start = start;
      state.end = end;
      state.days = timeline.days || [];
      state.labels = state.days.map((d) => d.date);
      renderAll();
      root.dataset.range = start + ".." + end;
      root.dataset.state = "ready";
      setStatus(rangeStatus, fmt(S.ready, { start: longDayFmt.format(asDate(start)), end: longDayFmt.format(asDate(end)) }));
    } catch (error) {
      if (seq !== loadSeq) return;
      root.dataset.state = "error";
      setStatus(rangeStatus, fmt(S.load_error, { status: error.status || error.message }), true);
    } finally {
      if (seq === loadSeq) root.removeAttribute("aria-busy");
    }
  }

  // --- range controls --------------------------------------------------------------------
  const rangeForm = document.getElementById("range-form");
  const startInput = document.getElementById("range-start");
  const endInput = document.getElementById("range-end");
  const presetButtons = Array.from(rangeForm.querySelectorAll(".range-btn"));
  const maxDays = Number(cfg.maxDays);

  function markPreset(days) {
    presetButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.days === String(days))));
  }
  function remember(params) {
    const url = new URL(window.location.href);
    ["days", "start", "end"].forEach((k) => url.searchParams.delete(k));
    Object.entries(params).forEach(([k, v]) => url.searchParams.set(k, v));
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  rangeForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const submitter = ev.submitter;
    if (submitter && submitter.dataset.days) {
      const days = Number(submitter.dataset.days);
      const end = cfg.today;
      const start = addDays(end, -(days - 1));
      startInput.value = start;
      endInput.value = end;
      markPreset(days);
      remember({ days });
      loadRange(start, end);
      return;
    }
    const start = startInput.value;
    const end = endInput.value;
    if (!start || !end || start > end || daysBetween(start, end) >= maxDays) {
      setStatus(rangeStatus, fmt(S.range_error, { max: maxDays }), true);
      return;
    }
    markPreset(null);
    remember({ start, end });
    loadRange(start, end);
  });

  // --- clinical event form -----------------------------------------------------------------
  const eventForm = document.getElementById("event-form");
  const eventStatus = document.getElementById("event-status");
  const fieldError = (name) => document.getElementById("event-" + name + "-error");
  eventForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    ["date", "note"].forEach((f) => setStatus(fieldError(f), ""));
    setStatus(eventStatus, "");
    const kind = eventForm.elements.kind.value;
    const date = eventForm.elements.date.value;
    const note = eventForm.elements.note.value;
    if (!eventForm.elements.date.checkValidity() || !date) {
      setStatus(fieldError("date"), eventForm.elements.date.validationMessage || S.event_error, true);
      eventForm.elements.date.focus();
      return;
    }
    const submit = document.getElementById("event-submit");
    submit.disabled = true;
    try {
      const response = await fetch(cfg.eventsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": eventForm.elements.csrfmiddlewaretoken.value,
        },
        body: JSON.stringify({ kind, date, note }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 200 || response.status === 201) {
        state.events = state.events.filter((e) => e.id !== body.id).concat([body]);
        refreshMarkers();
        const words = { kind: S.event_kinds[body.kind] || body.kind, date: longDayFmt.format(asDate(body.date)) };
        let message = fmt(response.status === 201 ? S.event_saved : S.event_exists, words);
        if (body.date < state.start || body.date > state.end) message += " " + S.event_outside;
        setStatus(eventStatus, message);
        eventForm.elements.note.value = "";
      } else if (response.status === 400) {
        let shown = false;
        ["date", "note"].forEach((f) => {
          if (body[f]) {
            setStatus(fieldError(f), [].concat(body[f]).join(" "), true);
            shown = true;
          }
        });
        const other = body.kind || body.non_field_errors || body.detail;
        if (other || !shown) setStatus(eventStatus, [].concat(other || S.event_error).join(" "), true);
      } else {
        setStatus(eventStatus, S.event_error + (body.detail ? " " + body.detail : " (" + response.status + ")"), true);
      }
    } catch (_error) {
      setStatus(eventStatus, S.event_error, true);
    } finally {
      submit.disabled = false;
    }
  });

  // --- alert history and explanation (independent of the range) ---------------------------
  async function loadAlerts() {
    const holder = document.getElementById("alerts-body");
    try {
      const alerts = results(await getJSON(cfg.alertsUrl)).slice();
      alerts.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
      state.alerts = alerts;
      if (window.charts.risk) refreshMarkers();
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

  async function loadExplanation() {
    const holder = document.getElementById("explanation-body");
    if (!holder) return; // nurses: explanations are for psychiatrists (API.md roles)
    const day = cfg.latestRiskDate;
    if (!day) {
      holder.replaceChildren(el("p", { className: "muted", text: S.no_explanation }));
      holder.dataset.state = "ready";
      return;
    }
    try {
      const query = "?" + new URLSearchParams({ start: day, end: day }).toString();
      const scores = results(await getJSON(cfg.riskUrl + query));
      const latest = scores.filter((s) => s.date === day).pop() || scores[scores.length - 1];
      const factors = ((latest && latest.explanation) || []).slice();
      if (!factors.length) {
        holder.replaceChildren(el("p", { className: "muted", text: S.no_explanation }));
      } else {
        factors.sort((a, b) => Math.abs(b.weight || 0) - Math.abs(a.weight || 0));
        const list = el("ul", { className: "factors", id: "explanation-list" });
        factors.forEach((f) => {
          const up = f.direction === "up" || f.direction === "increases" || (f.direction === undefined && f.weight > 0);
          list.append(
            el("li", { className: up ? "up" : "down" }, [
              el("span", { className: "arrow", "aria-hidden": "true", text: up ? "▲" : "▼" }),
              el("span", { className: "label", text: f.label || f.feature }),
              el("span", { className: "muted small", text: " (" + (up ? S.raises : S.lowers) + ")" }),
            ]),
          );
        });
        const head = el("p", { className: "small muted" }, [
          longDayFmt.format(asDate(latest.date)) + " · " + pctFmt.format(latest.score) + (latest.model_version ? " · " + latest.model_version : ""),
        ]);
        holder.replaceChildren(head, list);
      }
      holder.dataset.state = "ready";
    } catch (_error) {
      holder.replaceChildren(el("p", { className: "error", text: S.explanation_unavailable }));
      holder.dataset.state = "error";
    }
  }

  loadRange(state.start, state.end);
  loadAlerts();
  loadExplanation();
})();
