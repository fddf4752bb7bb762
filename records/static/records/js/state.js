// What the page shows: the range, its days (from the timeline API), the clinical events and
// alerts, and where those fall on the shared time axis.
import { cfg } from "./config.js";

export const state = {
  start: cfg.start,
  end: cfg.end,
  days: [],
  labels: [],
  events: [],
  threshold: cfg.threshold === "" ? null : Number(cfg.threshold),
  tablesShown: false,
  alerts: null, // the alert list, once loaded
  scores: new Map(), // date -> the risk-scores API's entry (score, display, raising, lowering)
  episodes: [], // the risk-episodes API's episodes of the range
  selected: null, // the index of the day explained (clicked or chosen with the keyboard)
};

// The Chart.js objects by chart id; the entry module also exposes it as window.charts.
export const charts = {};

// One day-field of the timeline, null on days without it (a gap, never a zero).
export const series = (key, map) =>
  state.days.map((d) => (d[key] === null || d[key] === undefined ? null : map ? map(d[key]) : d[key]));

export function eventIndexes() {
  const index = new Map(state.labels.map((d, i) => [d, i]));
  return state.events
    .filter((e) => index.has(e.date))
    .map((e) => ({ index: index.get(e.date), kind: e.kind, note: e.note || "", date: e.date }));
}

// Where a span of days [from, to] falls on the axis, cut at the range's edges (null: outside).
export function spanIndexes(from, to) {
  if (!state.labels.length || to < state.labels[0] || from > state.labels[state.labels.length - 1]) return null;
  const first = state.labels.indexOf(from < state.labels[0] ? state.labels[0] : from);
  const lastLabel = to > state.labels[state.labels.length - 1] ? state.labels[state.labels.length - 1] : to;
  return { from: first, to: state.labels.indexOf(lastLabel) };
}

// Hospital stays: a hospitalisation from its day to its last day (to the range's end while
// the last day is not recorded).
export function stayIndexes() {
  return state.events
    .filter((e) => e.kind === "hospitalization")
    .map((e) => ({ event: e, span: spanIndexes(e.date, e.end_date || state.end) }))
    .filter((s) => s.span !== null);
}

export function episodeIndexes() {
  return state.episodes.map((ep) => ({ episode: ep, span: spanIndexes(ep.start, ep.end) })).filter((s) => s.span !== null);
}

// Where each alert goes on the time axis: a risk alert on the day of the score that raised
// it (detail.score_date: scores of past days may be computed later), any other alert on
// the local day it was raised (the timeline's `alerts`). Until the alert list has loaded,
// the timeline alone places them.
export function alertIndexes() {
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
