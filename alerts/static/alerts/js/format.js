// Placeholders, relative and absolute times, days and numbers, in the page's language.
import { lang } from "./config.js";

// "%(name)s" placeholders, as in Django's translated strings; a missing value prints nothing.
export const fmt = (text, values) =>
  String(text).replace(/%\((\w+)\)s/g, (_m, key) =>
    values && values[key] !== undefined && values[key] !== null ? String(values[key]) : "",
  );

const relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;

// "3 minutes ago", "yesterday"…
export function ago(iso) {
  if (!iso) return "";
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  if (!relative) return new Date(iso).toLocaleString(lang);
  if (abs < 60) return relative.format(seconds, "second");
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86400), "day");
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString(lang) : "");

// 0.7312 → "0.73" ("0,73" in French).
const twoDecimals = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const decimal2 = (value) => twoDecimals.format(Number(value));

// An ISO date ("2025-10-14") as a local calendar day.
export function day(isoDate) {
  if (!isoDate) return "";
  const parts = isoDate.split("-");
  return new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])).toLocaleDateString(lang);
}
