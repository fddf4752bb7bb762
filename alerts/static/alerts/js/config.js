// The page's settings, elements and words. No inline script anywhere (CSP script-src 'self'):
// the settings are data-* attributes on #alerts-config, the alerts the page carries and the
// translated strings are JSON data blocks (#alerts-data, #alerts-strings), never executed.
// Off the dashboard (#alerts-config absent) everything here is empty and the entry stops.

export const config = document.getElementById("alerts-config");
export const cfg = config ? config.dataset : {};
export const S = config ? JSON.parse(document.getElementById("alerts-strings").textContent) : {};
export const initial = config ? JSON.parse(document.getElementById("alerts-data").textContent) : [];
export const lang = document.documentElement.lang || "en";

export const list = document.getElementById("alert-list");
export const empty = document.getElementById("alerts-empty");
export const template = document.getElementById("alert-card-template");
export const announcer = document.getElementById("announcer");
export const connState = document.getElementById("conn-state");
export const soundToggle = document.getElementById("sound-toggle");

// The list's filters (the form above it reloads the page with new ones).
export const filterStatus = cfg.status || "active";
export const filterKind = cfg.kind || "";
// The REST API (session + CSRF) and the socket's path (session cookie).
export const apiBase = cfg.api;
export const csrf = cfg.csrf;
export const wsPath = cfg.wsPath;

// The channel layer delivers at most once, and an alert raised in another process of the
// embedded demo (in-memory layer) is never pushed here: resume now and then as well.
export const RESUME_EVERY_MS = 30000;
// The relative times on the cards ("3 minutes ago") are rewritten this often.
export const CLOCK_EVERY_MS = 30000;

// A rule alert's stored title is its English msgid: show it in the page's language.
export const alertTitle = (alert) => S.titles[alert.title] || alert.title;
