// What every chart shares: the line and bar dataset builders, the axes (same widths on
// every chart, so the days line up), the legend and the tooltips.
import { alertTitle, S } from "./config.js";
import { asDate, C, dayFmt, LEFT_W, longDayFmt, numFmt, RIGHT_W } from "./format.js";
import { selectDay } from "./selection.js";
import { alertIndexes, eventIndexes, state, stayIndexes } from "./state.js";

// The clinical events on the axis, each with its name (the risk chart writes it).
export const labelledEvents = () => eventIndexes().map((e) => Object.assign({ label: S.event_kinds[e.kind] || e.kind }, e));

// The day under a click: the nearest day on the x axis.
function dayAt(chart, event) {
  const x = chart.scales.x;
  const value = Math.round(x.getValueForPixel(event.x));
  return Math.max(0, Math.min(state.labels.length - 1, value));
}

// `measure: true` marks the datasets whose values are data (counted in data-points and shown
// in the table), not guides or markers.
export const line = (label, data, color, extra) =>
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

export const bar = (label, data, color, extra) =>
  Object.assign(
    { type: "bar", label, data, backgroundColor: color, borderColor: color, borderWidth: 0, measure: true, yAxisID: "y", barPercentage: 0.9, categoryPercentage: 0.9 },
    extra || {},
  );

// def: {datasets, y, y1?, bands?} from a chart definition.
export function chartOptions(def) {
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
    // Clicking a day on any chart explains it (selection.js; the keyboard does the same).
    onClick: (event, _elements, chart) => {
      if (state.labels.length) selectDay(dayAt(chart, event));
    },
    // Every chart has the same plot width, so the days line up from chart to chart.
    layout: { padding: { right: def.y1 ? 0 : RIGHT_W, top: 6 } },
    scales,
    plugins: {
      legend: {
        position: "top",
        align: "start",
        labels: {
          usePointStyle: true,
          boxWidth: 10,
          boxHeight: 10,
          color: C.ink,
          padding: 12,
          filter: (item, data) => !data.datasets[item.datasetIndex].legendHidden,
        },
      },
      tooltip: {
        filter: (item) => item.raw !== null && item.raw !== undefined,
        callbacks: {
          title: (items) => (items.length ? longDayFmt.format(asDate(state.labels[items[0].dataIndex])) : ""),
          label: (item) => tooltipLabel(item),
        },
      },
      bands: { items: def.bands || [] },
      spans: { stays: stayIndexes(), episodes: def.episodes || [], selected: state.selected },
      eventLines: { items: labelledEvents(), labels: Boolean(def.eventLabels) },
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
