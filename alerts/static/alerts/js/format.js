// The desk's words for times and numbers. Dates, times, ages and the risk come from the one
// browser helper every page uses (/static/patients/js/format.js): the care team's zone, en-GB
// day/month in English, French formats in French. Only the placeholders and the countdown
// ("in 12 min") are the desk's own.
import { ageText, formatDate, formatDateTime, formatRisk } from "../../patients/js/format.js";
import { lang, timeZone } from "./config.js";

export { formatRisk };

// "%(name)s" placeholders, as in Django's translated strings; a missing value prints nothing.
export const fmt = (text, values) =>
  String(text).replace(/%\((\w+)\)s/g, (_m, key) =>
    values && values[key] !== undefined && values[key] !== null ? String(values[key]) : "",
  );

// An absolute time in the care team's zone, with the zone ("10/08/2026, 14:03 CEST").
export const when = (iso) => (iso ? formatDateTime(iso, { timeZone, withZone: true }) : "");
// A time of today or recent, without the zone where the page already names it.
export const whenShort = (iso) => (iso ? formatDateTime(iso, { timeZone, withZone: false }) : "");
// A calendar day ("2026-08-10" or a datetime) in the reader's format.
export const day = (iso) => (iso ? formatDate(iso, { timeZone }) : "");
// How old: "114 days ago", "today".
export const age = (iso) => (iso ? ageText(iso, new Date()) : "");

const relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;

// A countdown: "in 12 minutes", "in 40 seconds" (null once due).
export function countdown(iso) {
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  if (seconds <= 0) return null;
  if (!relative) return String(Math.ceil(seconds / 60)) + " min";
  if (seconds < 60) return relative.format(seconds, "second");
  if (seconds < 3600) return relative.format(Math.ceil(seconds / 60), "minute");
  return relative.format(Math.round(seconds / 3600), "hour");
}
