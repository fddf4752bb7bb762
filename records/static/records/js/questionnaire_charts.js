// The questionnaire charts — PHQ-9, GAD-7 and ASRM — over their severity bands (drawn by the
// "bands" plugin, labelled in the right margin). Each returns {datasets, y, bands}.
import { S } from "./config.js";
import { line } from "./chart_options.js";
import { C } from "./format.js";
import { series } from "./state.js";

export const phq9 = () => ({
  datasets: [line(S.phq9, series("phq9"), C.ink, { pointRadius: 4, key: "phq9" })],
  y: { min: 0, max: 27, ticks: { stepSize: 5 } },
  bands: [
    { from: 0, to: 4.5, color: "#eef6f0", label: S.bands.minimal },
    { from: 4.5, to: 9.5, color: "#f6f4e4", label: S.bands.mild },
    { from: 9.5, to: 14.5, color: "#fbeedd", label: S.bands.moderate },
    { from: 14.5, to: 19.5, color: "#fae3d9", label: S.bands.moderately_severe },
    { from: 19.5, to: 27, color: "#f6d6d6", label: S.bands.severe },
  ],
});

export const gad7 = () => ({
  datasets: [line(S.gad7, series("gad7"), C.purple, { pointRadius: 4, pointStyle: "rect", key: "gad7" })],
  y: { min: 0, max: 21, ticks: { stepSize: 5 } },
  bands: [
    { from: 0, to: 4.5, color: "#eef6f0", label: S.bands.minimal },
    { from: 4.5, to: 9.5, color: "#f6f4e4", label: S.bands.mild },
    { from: 9.5, to: 14.5, color: "#fbeedd", label: S.bands.moderate },
    { from: 14.5, to: 21, color: "#f6d6d6", label: S.bands.severe },
  ],
});

export const asrm = () => ({
  datasets: [line(S.asrm, series("asrm"), C.ochre, { pointRadius: 4, pointStyle: "triangle", key: "asrm" })],
  y: { min: 0, max: 20, ticks: { stepSize: 5 } },
  bands: [
    { from: 0, to: 5.5, color: "#eef6f0", label: S.bands.below },
    { from: 5.5, to: 20, color: "#fae3d9", label: S.bands.hypomania },
  ],
});
