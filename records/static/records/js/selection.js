// The day explained: clicking a day on any chart, or choosing it with the keyboard on a
// focused chart (←/→ a day, Page Up/Down a week, Home/End the range's ends), selects it. Every
// chart marks it and the "Explain a day" card shows its score, band and factors.
import { S } from "./config.js";
import { setStatus } from "./dom.js";
import { showDay } from "./explanation.js";
import { asDate, fmt, longDayFmt } from "./format.js";
import { charts, state } from "./state.js";

export function selectDay(index, { announce = false } = {}) {
  if (index === null || index === undefined || !state.labels.length) return;
  const i = Math.max(0, Math.min(state.labels.length - 1, index));
  state.selected = i;
  Object.values(charts).forEach((chart) => {
    chart.options.plugins.spans.selected = i;
    chart.update("none");
  });
  document.getElementById("patient-dashboard").dataset.selectedDay = state.labels[i];
  showDay(i);
  const entry = state.scores.get(state.labels[i]);
  const words = { date: longDayFmt.format(asDate(state.labels[i])), risk: entry && entry.display ? entry.display.text + (entry.display.band_label ? ", " + entry.display.band_label : "") : "—" };
  // Above the charts, sticky: the day explained stays in sight while scrolling the charts.
  document.getElementById("day-strip-text").textContent = fmt(S.day_strip, words);
  document.getElementById("day-strip").hidden = false;
  if (announce) setStatus(document.getElementById("day-status"), fmt(S.day_selected, words));
}

// The day shown first: the latest scored day of the range, else its last day.
export function defaultDay() {
  for (let i = state.labels.length - 1; i >= 0; i -= 1) {
    if (state.scores.has(state.labels[i])) return i;
  }
  return state.labels.length - 1;
}

const STEPS = { ArrowLeft: -1, ArrowRight: 1, PageUp: -7, PageDown: 7 };

export function initDayKeys() {
  document.querySelectorAll(".chart-box[data-day-picker]").forEach((box) => {
    box.addEventListener("keydown", (ev) => {
      if (!state.labels.length) return;
      const current = state.selected === null ? defaultDay() : state.selected;
      let next = null;
      if (ev.key in STEPS) next = current + STEPS[ev.key];
      else if (ev.key === "Home") next = 0;
      else if (ev.key === "End") next = state.labels.length - 1;
      else if (ev.key === "Enter" || ev.key === " ") next = current;
      if (next === null) return;
      ev.preventDefault();
      selectDay(next, { announce: true });
    });
  });
}
