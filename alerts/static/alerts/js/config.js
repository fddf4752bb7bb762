// The page's settings, elements and words. No inline script anywhere (CSP script-src 'self'):
// the settings are data-* attributes on #alerts-config, the alerts, the patients' card context,
// the colleagues and the translated strings are JSON data blocks, never executed.
// Off the desk (#alerts-config absent) everything here is empty and the entry stops.

export const config = document.getElementById("alerts-config");
export const cfg = config ? config.dataset : {};
const data = (id, fallback) => {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : fallback;
};
export const S = config ? data("alerts-strings", {}) : {};
export const initial = config ? data("alerts-data", []) : [];
export const initialContexts = config ? data("alerts-contexts", {}) : {};
export const colleagues = config ? data("alerts-colleagues", []) : [];
export const lang = document.documentElement.lang || "en";

export const list = document.getElementById("alert-list");
export const empty = document.getElementById("alerts-empty");
export const groupTemplate = document.getElementById("patient-card-template");
export const template = document.getElementById("alert-card-template");
export const announcer = document.getElementById("announcer");
export const connState = document.getElementById("conn-state");
export const soundToggle = document.getElementById("sound-toggle");
export const notifyToggle = document.getElementById("notify-toggle");
export const notifyPermission = document.getElementById("notify-permission");
export const banner = document.getElementById("critical-banner");

// The care team's time zone: every time on the desk is written in it, whatever the browser's.
const handoverConfig = document.getElementById("handover-config");
export const timeZone =
  cfg.timeZone || (handoverConfig && handoverConfig.dataset.timeZone) || document.body.dataset.timeZone || "Europe/Paris";
// Who reads the page.
export const me = { id: parseInt(cfg.userId, 10), username: cfg.username || "" };

// The list's filters (the form beside it reloads the page with new ones); live events are
// matched against the same filters (cards.js).
export const filters = {
  status: cfg.status || "active",
  kind: cfg.kind || "",
  severity: cfg.severity || "",
  patient: cfg.patient || "",
  assignee: cfg.assignee || "",
  from: cfg.from || "",
  to: cfg.to || "",
  // The day range as instants: the team's midnights (the server reads the days in its zone).
  fromAt: cfg.fromAt || "",
  toAt: cfg.toAt || "",
};

// The REST API (session + CSRF) and the socket's path (session cookie).
export const apiBase = cfg.api;
export const patientsApi = cfg.patientsApi || "/api/v1/patients/";
export const csrf = cfg.csrf;
export const wsPath = cfg.wsPath;

// The channel layer delivers at most once, and an alert raised in another process of the
// embedded demo (in-memory layer) is never pushed here: resume now and then as well.
export const RESUME_EVERY_MS = 30000;
// The ages and countdowns on the cards ("answered 3 minutes ago", "escalates in 4 min").
export const CLOCK_EVERY_MS = 15000;

// A rule alert's stored title is its English msgid: the API also sends it translated.
export const alertTitle = (alert) => alert.title_display || S.titles[alert.title] || alert.title;
