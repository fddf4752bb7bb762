// The one way the browser writes times, dates and risk for a reader: the twin of
// patients/formatting.py (times, dates) and alerts/factors.py's risk_display (risk).
// Every timestamp is absolute, in the care team's zone (the page's <body data-time-zone>),
// 24-hour clock, with the zone's abbreviation ("10/08/2026 14:05 CEST"); dates day/month/year
// in English (en-GB) and in French (fr-FR); risk in percent ("4.8%", French "4,8 %").
// Import it from another app's module as "../../patients/js/format.js".

const DEFAULT_ZONE = "Europe/Paris";

// The page's language as an Intl locale: "en" → "en-GB", "fr" → "fr-FR".
export function pageLocale(doc = globalThis.document) {
  const lang = ((doc && doc.documentElement && doc.documentElement.lang) || "en").toLowerCase();
  return lang.startsWith("fr") ? "fr-FR" : "en-GB";
}

const isFrench = (locale) => locale.startsWith("fr");

// The reader's care team's IANA zone, from <body data-time-zone>; Europe/Paris by default.
export function pageTimeZone(doc = globalThis.document) {
  return (doc && doc.body && doc.body.dataset && doc.body.dataset.timeZone) || DEFAULT_ZONE;
}

function parts(date, locale, options) {
  const out = {};
  for (const p of new Intl.DateTimeFormat(locale, options).formatToParts(date)) out[p.type] = p.value;
  return out;
}

// The zone's short name at that instant: "CEST", "CET", "GMT+3"… (English names in every
// language, as Python's tzname() gives them, so both sides read alike for European zones).
export function zoneName(date, timeZone) {
  return parts(date, "en-GB", { timeZone, timeZoneName: "short" }).timeZoneName || "";
}

const toDate = (value) => (value instanceof Date ? value : new Date(value));

// "10/08/2026" — a calendar day in the reader's language, in the zone. A bare ISO day
// ("2026-08-10") is that day, whatever the zone.
export function formatDate(iso, { timeZone = pageTimeZone(), locale = pageLocale() } = {}) {
  if (iso === null || iso === undefined || iso === "") return "";
  if (typeof iso === "string" && /^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    const [y, m, d] = iso.split("-");
    return `${d}/${m}/${y}`;
  }
  const p = parts(toDate(iso), locale, { timeZone, day: "2-digit", month: "2-digit", year: "numeric" });
  return `${p.day}/${p.month}/${p.year}`;
}

// "14:05" (24-hour clock) in the zone; "14:05 CEST" withZone.
export function formatTime(iso, { timeZone = pageTimeZone(), withZone = false } = {}) {
  if (iso === null || iso === undefined || iso === "") return "";
  const date = toDate(iso);
  const p = parts(date, "en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const text = `${p.hour}:${p.minute}`;
  return withZone ? `${text} ${zoneName(date, timeZone)}` : text;
}

// "10/08/2026 14:05 CEST" (English and French alike); withZone false: "10/08/2026 14:05".
export function formatDateTime(iso, { timeZone = pageTimeZone(), withZone = true, locale = pageLocale() } = {}) {
  if (iso === null || iso === undefined || iso === "") return "";
  return `${formatDate(iso, { timeZone, locale })} ${formatTime(iso, { timeZone, withZone })}`;
}

// A score (0-1) in percent with one decimal, as risk_display(...)["text"]: "4.8%" in English,
// "4,8 %" in French (no-break space U+00A0); an em dash without a score. Rounded half up on the
// float's exact value (toFixed), as the Python side does.
export function formatRisk(score, { locale = pageLocale() } = {}) {
  if (score === null || score === undefined || score === "" || Number.isNaN(Number(score))) return "\u2014";
  const text = (Number(score) * 100).toFixed(1);
  return isFrench(locale) ? `${text.replace(".", ",")}\u00a0%` : `${text}%`;
}

// Whole calendar days between the instant and now, in the zone.
function dayNumber(date, timeZone) {
  const p = parts(date, "en-GB", { timeZone, day: "2-digit", month: "2-digit", year: "numeric" });
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86400000;
}

// "today", "yesterday", "3 days ago", "114 days ago" ("aujourd’hui", "hier", "il y a 3 jours");
// in calendar days of the zone. A future instant reads "today".
export function ageText(iso, now = new Date(), { timeZone = pageTimeZone(), locale = pageLocale() } = {}) {
  if (iso === null || iso === undefined || iso === "") return "";
  const days = Math.max(0, dayNumber(now, timeZone) - dayNumber(toDate(iso), timeZone));
  return new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(-days, "day");
}
