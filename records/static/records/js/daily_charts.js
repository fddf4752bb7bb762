// The charts of the daily check-in and the phone's sensors: mood, sleep, steps, mobility and
// speech. Each definition returns {datasets, y, y1?} (see render.js).
import { S } from "./config.js";
import { bar, line } from "./chart_options.js";
import { C, clock, clockLabel, compactFmt, numFmt, onsetHours } from "./format.js";
import { series, state } from "./state.js";

export const mood = () => ({
  datasets: [
    line(S.mood, series("mood"), C.ink, { borderWidth: 2.5, key: "mood" }),
    line(S.anxiety, series("anxiety"), C.purple, { yAxisID: "y1", borderDash: [6, 3], pointStyle: "rect", key: "anxiety" }),
    line(S.energy, series("energy"), C.ochre, { yAxisID: "y1", borderDash: [2, 3], pointStyle: "triangle", key: "energy" }),
    line(S.irritability, series("irritability"), C.vermillion, { yAxisID: "y1", borderDash: [8, 3, 2, 3], pointStyle: "crossRot", key: "irritability" }),
  ],
  y: { min: -3, max: 3, ticks: { stepSize: 1, callback: (v) => (v > 0 ? "+" + v : String(v)) }, title: { display: true, text: S.mood_axis } },
  y1: { min: 0, max: 10, ticks: { stepSize: 2 }, title: { display: true, text: "0–10" } },
});

export const sleep = () => ({
  datasets: [bar(S.sleep_hours, series("sleep_hours"), C.sky, { key: "sleep_hours", format: (v) => numFmt.format(v) + " h" })],
  y: { suggestedMin: 0, suggestedMax: 10, title: { display: true, text: "h" } },
});

// Each night a floating bar from onset to wake, on a reversed noon-to-noon clock axis.
export const sleepTiming = () => {
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
};

export const activity = () => ({
  datasets: [bar(S.steps, series("steps"), C.green, { key: "steps", format: (v) => numFmt.format(v) })],
  y: { beginAtZero: true, ticks: { callback: (v) => compactFmt.format(v) } },
});

export const mobility = () => ({
  datasets: [
    line(S.time_at_home, series("time_at_home_min", (v) => v / 60), C.purple, { key: "time_at_home", format: (v) => numFmt.format(v) + " h" }),
    line(S.distance_km, series("distance_km"), C.ochre, { yAxisID: "y1", borderDash: [6, 3], pointStyle: "rect", key: "distance_km", format: (v) => numFmt.format(v) + " km" }),
  ],
  y: { min: 0, suggestedMax: 24, ticks: { stepSize: 6 }, title: { display: true, text: "h" } },
  y1: { beginAtZero: true, title: { display: true, text: "km" } },
});

export const speech = () => ({
  datasets: [
    line(S.speech_rate, series("speech_rate_wpm"), C.blue, { key: "speech_rate_wpm" }),
    line(S.pause_ratio, series("pause_ratio"), C.vermillion, { yAxisID: "y1", borderDash: [6, 3], pointStyle: "rect", key: "pause_ratio" }),
  ],
  y: { suggestedMin: 80, suggestedMax: 200, title: { display: true, text: "wpm" } },
  y1: { min: 0, max: 1, ticks: { stepSize: 0.25 } },
});
