// Colours, number and date formats, and the clock-time arithmetic of the sleep axis. Dates and
// numbers use the shared vocabulary's locale (patients/js/format.js: English is en-GB).
import { pageLocale } from "../../patients/js/format.js";
import { cfg } from "./config.js";

const lang = pageLocale();

// Okabe–Ito hues, darkened where needed for ≥ 3:1 contrast on white (WCAG 1.4.11), and
// every series also differs by dash pattern or point shape, never by colour alone.
export const C = {
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
// Widths of the left and right axes: the same on every chart, so the days line up.
export const LEFT_W = 64;
export const RIGHT_W = 68;

// "%(name)s" placeholders, as in Django's translated strings.
export const fmt = (template, params) =>
  template.replace(/%\((\w+)\)s/g, (_m, key) => (params && key in params ? String(params[key]) : ""));
export const dayFmt = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
export const longDayFmt = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });
// Times of day (alerts) in the care team's time zone, whatever the browser's.
export const dateTimeFmt = (() => {
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: cfg.timeZone });
  } catch (_error) {
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  }
})();
export const numFmt = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
export const compactFmt = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
export const pctFmt = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });

// 0.0437 → 0.05, 0.62 → 0.7: a round upper bound for an axis.
export const niceCeil = (v) => {
  const step = Math.pow(10, Math.floor(Math.log10(v)));
  const m = v / step;
  const nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10;
  return Math.min(1, nice * step);
};

// Days are ISO dates ("2025-10-14") handled at UTC midnight, so no time zone shifts them.
export const asDate = (iso) => new Date(iso + "T00:00:00Z");
export const isoDay = (d) => d.toISOString().slice(0, 10);
export const addDays = (iso, n) => {
  const d = asDate(iso);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
};
export const daysBetween = (a, b) => Math.round((asDate(b) - asDate(a)) / 86400000);

// "23:10" → hours on an axis running from noon to noon, so a night never wraps.
export const clock = (hhmm) => {
  if (!hhmm) return null;
  const [h, m] = hhmm.split(":").map(Number);
  return h + m / 60;
};
export const onsetHours = (hhmm) => {
  const h = clock(hhmm);
  return h === null ? null : h >= 12 ? h - 24 : h;
};
export const clockLabel = (v) => {
  const h = ((v % 24) + 24) % 24;
  const hh = Math.floor(h + 1e-9);
  const mm = Math.round((h - hh) * 60);
  return String(hh).padStart(2, "0") + ":" + String(mm === 60 ? 0 : mm).padStart(2, "0");
};
