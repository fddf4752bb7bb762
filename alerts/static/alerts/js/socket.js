// The live connection: /ws/alerts/ with the session cookie. Once the server says
// "authenticated" the page asks to resume after the last seq it saw ({type: "resume",
// after}), and again now and then; a replay that could not carry everything missed
// (complete: false) reloads the list from the API. A closed socket reconnects with
// exponential backoff and jitter, unless the server refused the account (4401/4403).
// #conn-state's data-state follows: connecting | live | reconnecting | resync | signed-out | offline.
import { apiBase, connState, filters, S, wsPath } from "./config.js";
import { apply, forget } from "./cards.js";
import { onEvent } from "./events.js";
import { fmt } from "./format.js";
import { noteSeq, state } from "./state.js";

let socket = null;
let attempt = 0;
let reconnectTimer = null;
let stopped = false;
let authenticated = false;
let needResync = false;

function setState(name, text) {
  connState.className = "conn conn-" + name;
  connState.dataset.state = name;
  connState.querySelector(".conn-text").textContent = text;
}

let refillPatient = () => {};
// fn(patientId): refill a patient's card after its context was reloaded.
export function onResync(fn) {
  refillPatient = fn;
}

function resync() {
  // More missed events than a replay carries, or the team changed: reload the list (and
  // the patients' context) from the API, with the page's filters.
  const params = new URLSearchParams({ group: "patient", context: "1", limit: "500" });
  if (filters.status !== "all") params.set("status", filters.status);
  ["kind", "severity", "patient", "assignee"].forEach((name) => {
    if (filters[name]) params.set(name, filters[name]);
  });
  if (filters.fromAt) params.set("from", filters.fromAt);
  if (filters.toAt) params.set("to", filters.toAt);
  setState("resync", S.ui.conn_resync);
  return fetch(apiBase + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => r.json())
    .then((page) => {
      const seen = {};
      (page.results || []).forEach((a) => {
        seen[a.id] = true;
        if (a.context) state.contexts[String(a.group || a.patient)] = a.context;
        apply(a);
      });
      // Alerts the page shows that the team no longer sees (a patient moved away) leave.
      if (!page.next) {
        Object.keys(state.alerts).forEach((id) => {
          if (!seen[id]) forget(id);
        });
      }
      Object.keys(state.contexts).forEach((pid) => refillPatient(pid));
      setState("live", S.ui.conn_live);
    })
    .catch(() => setState("live", S.ui.conn_live));
}

function onMessage(ev) {
  let message;
  try {
    message = JSON.parse(ev.data);
  } catch (_e) {
    return;
  }
  if (message.type === "authenticated") {
    attempt = 0;
    authenticated = true;
    setState("live", S.ui.conn_live);
    socket.send(JSON.stringify({ type: "resume", after: state.lastSeq }));
    if (needResync) {
      needResync = false;
      resync();
    }
  } else if (message.type === "alert") {
    onEvent(message);
  } else if (message.type === "resumed") {
    noteSeq(message.last_seq);
    if (!message.complete) resync();
  } else if (message.type === "error" && window.console) {
    window.console.warn("alerts socket:", message.detail);
  }
}

function onClose(ev) {
  socket = null;
  authenticated = false;
  if (stopped) return;
  if (ev.code === 4401 || ev.code === 4403) {
    setState("signed-out", S.ui.conn_signed_out);
    return;
  }
  if (ev.code === 4000) {
    // Rescoped (the team or a patient's team changed): reconnect now and reload the list.
    needResync = true;
    connect();
    return;
  }
  scheduleReconnect();
}

export function connect() {
  reconnectTimer = null;
  setState(attempt ? "reconnecting" : "connecting", S.ui.conn_connecting);
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  try {
    socket = new WebSocket(scheme + window.location.host + wsPath);
  } catch (_e) {
    scheduleReconnect();
    return;
  }
  socket.addEventListener("message", onMessage);
  socket.addEventListener("close", onClose);
}

function scheduleReconnect() {
  attempt += 1;
  if (attempt > 60) {
    setState("offline", S.ui.conn_offline);
    return;
  }
  const seconds = Math.min(30, Math.pow(2, Math.min(attempt - 1, 5)));
  const delay = seconds * 1000 * (0.8 + Math.random() * 0.4);
  setState("reconnecting", fmt(S.ui.conn_reconnecting, { seconds: Math.round(delay / 1000) }));
  reconnectTimer = window.setTimeout(connect, delay);
}

// Back online: reconnect now rather than at the end of the backoff. Leaving: close quietly.
export function watchNetwork() {
  window.addEventListener("online", () => {
    if (!socket && reconnectTimer) {
      window.clearTimeout(reconnectTimer);
      attempt = 0;
      connect();
    }
  });
  window.addEventListener("pagehide", () => {
    stopped = true;
    if (socket) socket.close();
  });
}

// The periodic resume (RESUME_EVERY_MS): only on an open, authenticated socket.
export function resumeIfLive() {
  if (socket && authenticated && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: "resume", after: state.lastSeq }));
  }
}
