// What the running app knows. The API is the record; this is a view of it, cached in
// IndexedDB so the app opens offline.
import { kvGet, kvSet } from "./db.js";
import { localDate } from "./clock.js";

const config = document.getElementById("app-config").dataset;

export const state = {
  config: {
    crisisLine: config.crisisLine || "3114",
    emergencyNumber: config.emergencyNumber || "112",
    consentVersion: config.consentVersion || "1",
    swUrl: config.swUrl,
    scope: config.scope || "/app/",
    shellVersion: config.shellVersion || "",
    chartJsUrl: config.chartJs || "",
  },
  auth: null,
  schedule: null,
  consents: null,
  careTeam: null,
  crisisPlan: null,
  online: navigator.onLine,
  pending: 0,
  failed: 0,
};

export function signedIn() {
  return Boolean(state.auth && state.auth.refresh);
}

export function patientZone() {
  return (state.schedule && state.schedule.timezone) || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function today() {
  return localDate(patientZone());
}

// What the patient did on this phone today, before the server's schedule knows it (offline).
export async function markDone(what) {
  const done = (await kvGet("done_local")) || {};
  done[what] = today();
  await kvSet("done_local", done);
}

export async function doneLocally(what) {
  const done = (await kvGet("done_local")) || {};
  return done[what] === today();
}

export function hasScope(scope) {
  return Boolean(state.consents && state.consents.active_scopes.includes(scope));
}
