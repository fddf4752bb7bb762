// Dates and times. A patient's "day" is their local calendar day in their own time zone
// (from the schedule), whatever the phone's zone is set to while travelling.
import { lang } from "./i18n.js";

const pad = (n) => String(n).padStart(2, "0");

// ISO 8601 with the phone's current UTC offset, as API.md requires.
export function isoWithOffset(date = new Date()) {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

function validZone(timeZone) {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return timeZone;
  } catch (err) {
    return undefined;
  }
}

export function localDate(timeZone, date = new Date()) {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: validZone(timeZone),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(date);
}

export function localTime(timeZone, date = new Date()) {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: validZone(timeZone),
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(date);
}

export function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function formatDate(isoDate, options = { weekday: "long", day: "numeric", month: "long" }) {
  return new Intl.DateTimeFormat(lang(), { ...options, timeZone: "UTC" }).format(new Date(`${isoDate}T12:00:00Z`));
}

export function formatShortDate(isoDate) {
  return formatDate(isoDate, { day: "numeric", month: "short" });
}

export function formatTime(hhmm) {
  const [h, m] = hhmm.split(":").map(Number);
  return new Intl.DateTimeFormat(lang(), { hour: "numeric", minute: "2-digit", timeZone: "UTC" }).format(
    new Date(Date.UTC(2000, 0, 1, h, m)),
  );
}
