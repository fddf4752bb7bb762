// The charts of the daily check-in and the phone's sensors: mood, sleep, steps, mobility and
// speech. Each definition returns {datasets, y, y1?} (see render.js).
import { S } from "./config.js";
import { bar, line } from "./chart_options.js";
import { C, clock, clockLabel, compactFmt, daysBetween, numFmt, onsetHours } from "./format.js";
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

// Every sleep episode a floating bar from its own start to its own end, on a reversed clock
// axis in hours from the midnight that begins the day it ended (23:10 the evening before is
// −0.8, a nap from 15:41 to 16:43 is 15.7 → 16.7): night sleep and naps are separate series.
// A day without its episodes (summaries imported without the raw records) falls back to the
// main sleep's onset and wake.
const hoursFrom = (dayIso, local) => {
  if (!local) return null;
  const [datePart, timePart] = local.split("T");
  return daysBetween(dayIso, datePart) * 24 + clock(timePart);
};

function sleepBars() {
  const night = state.days.map(() => null);
  const naps = [];
  state.days.forEach((d, i) => {
    const episodes = d.sleep_episodes;
    if (!episodes || !episodes.length) {
      const onset = onsetHours(d.sleep_onset);
      let wake = clock(d.sleep_wake);
      if (onset === null || wake === null) return;
      if (wake < onset) wake += 24;
      night[i] = [onset, wake];
      return;
    }
    let napSlot = 0;
    episodes.forEach((ep) => {
      const bar = [hoursFrom(d.date, ep.start), hoursFrom(d.date, ep.end)];
      if (bar[0] === null || bar[1] === null) return;
      if (ep.nap) {
        if (!naps[napSlot]) naps[napSlot] = state.days.map(() => null);
        naps[napSlot][i] = bar;
        napSlot += 1;
      } else if (night[i] === null) {
        night[i] = bar;
      } else {
        // A second night-time episode (a split night): its own bar in the nap slots' place.
        if (!naps[napSlot]) naps[napSlot] = state.days.map(() => null);
        naps[napSlot][i] = bar;
        napSlot += 1;
      }
    });
  });
  return { night, naps };
}

export const sleepTiming = () => {
  const { night, naps } = sleepBars();
  const format = (v) => clockLabel(v[0]) + " → " + clockLabel(v[1]) + " (" + numFmt.format(Math.round((v[1] - v[0]) * 10) / 10) + " h)";
  const datasets = [
    bar(S.sleep_window, night, "rgba(0, 114, 178, 0.55)", { borderColor: C.blue, borderWidth: 1, key: "sleep_window", format, grouped: false }),
  ];
  naps.forEach((data, slot) =>
    datasets.push(
      bar(slot ? S.naps + " (" + (slot + 1) + ")" : S.naps, data, "rgba(138, 98, 0, 0.55)", {
        borderColor: C.ochre,
        borderWidth: 1,
        key: "naps" + slot,
        format,
        grouped: false,
        legendHidden: slot > 0,
        measure: true,
      }),
    ),
  );
  const all = night.concat(...naps).filter(Boolean);
  const lowest = Math.min(-4, ...all.map((v) => v[0]));
  const highest = Math.max(10, ...all.map((v) => v[1]));
  return {
    datasets,
    dataset: { naps: naps.reduce((n, data) => n + data.filter(Boolean).length, 0) },
    y: {
      reverse: true,
      min: Math.floor(lowest / 2) * 2,
      max: Math.ceil(highest / 2) * 2,
      ticks: { stepSize: 2, callback: (v) => clockLabel(v) },
    },
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
