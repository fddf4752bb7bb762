// The handover page (/dashboard/handover/): what happened in the reader's teams since the
// chosen time — new, acknowledged, resolved and escalated alerts, assignments, notes and
// call attempts, who did what — and the alerts still open. Read from
// GET /api/v1/alerts/handover/?since= (audited there), kept up to date while open (any
// alert event of the team reloads it); printable (Print, or the browser's).
import { fmt, when } from "./format.js";

const page = document.getElementById("handover-config");
const SECTIONS = ["created", "acknowledged", "resolved", "escalated", "assigned", "noted"];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function render(S, data) {
  const H = S.handover;
  const person = (u) => (u ? u.name || u.username : "");
  document.getElementById("handover-period").textContent = fmt(H.period, {
    since: when(data.since),
    until: when(data.until),
  });
  const c = data.counts || {};
  document.getElementById("handover-counts").textContent = fmt(H.counts, {
    created: c.created || 0,
    acknowledged: c.acknowledged || 0,
    resolved: c.resolved || 0,
    escalated: c.escalated || 0,
    assigned: c.assigned || 0,
    noted: c.noted || 0,
  });
  const body = document.getElementById("handover-body");
  body.textContent = "";
  const events = data.events || [];
  SECTIONS.forEach((kind) => {
    const rows = events.filter((e) => e.event === kind);
    const section = el("section", "card handover-section handover-" + kind);
    const headingId = "handover-" + kind + "-heading";
    const h2 = el("h2", "", H[kind] + " (" + rows.length + ")");
    h2.id = headingId;
    section.setAttribute("aria-labelledby", headingId);
    section.appendChild(h2);
    if (!rows.length) {
      section.appendChild(el("p", "muted", H.nothing));
      body.appendChild(section);
      return;
    }
    const ul = el("ul", "handover-events");
    rows.forEach((e) => {
      const a = e.alert || {};
      const li = el("li", "handover-event sev-" + (a.severity || ""));
      li.dataset.alertId = a.id || "";
      const time = el("time", "handover-time", when(e.at));
      time.dateTime = e.at;
      const what = el(
        "span",
        "handover-what",
        " " + [a.patient_code, S.severity[a.severity] || a.severity, a.title_display].filter(Boolean).join(" · "),
      );
      li.append(time, what);
      const who = e.actor ? fmt(H.by, { user: person(e.actor) }) : H.system;
      const extra = [who];
      if (kind === "assigned") extra.push(e.assignee ? fmt(H.assigned_to, { user: person(e.assignee) }) : H.unassigned);
      if (kind === "created" && a.recorded_at) {
        extra.push(fmt(a.kind === "risk" ? H.recorded_risk : H.recorded, { when: when(a.recorded_at) }));
      }
      if (kind === "created" && a.late) extra.push(H.late);
      li.appendChild(el("span", "handover-who", " — " + extra.join(", ")));
      if (kind === "noted" && e.note) {
        const n = e.note;
        const head = n.kind === "call" ? fmt(S.ui.note_call, { user: person(n.author), outcome: S.outcome[n.outcome] || n.outcome }) : "";
        const text = [head, n.text].filter(Boolean).join(": ");
        if (text) li.appendChild(el("p", "handover-note", text));
      }
      ul.appendChild(li);
    });
    section.appendChild(ul);
    body.appendChild(section);
  });
  const open = data.open || [];
  const section = el("section", "card handover-section handover-open");
  const h2 = el("h2", "", H.open + " (" + open.length + ")");
  h2.id = "handover-open-heading";
  section.setAttribute("aria-labelledby", h2.id);
  section.appendChild(h2);
  if (!open.length) section.appendChild(el("p", "muted", H.nothing));
  const ul = el("ul", "handover-events");
  open.forEach((a) => {
    const li = el("li", "handover-event sev-" + a.severity);
    li.dataset.alertId = a.id;
    const parts = [a.patient_code, S.severity[a.severity] || a.severity, a.title_display, S.status[a.status] || a.status];
    if (a.assigned_to) parts.push(fmt(S.ui.assigned_to, { user: person(a.assigned_to) }));
    li.appendChild(el("span", "", parts.filter(Boolean).join(" · ")));
    ul.appendChild(li);
  });
  if (open.length) section.appendChild(ul);
  body.appendChild(section);
  body.dataset.state = "ready";
}

function load(S) {
  const params = new URLSearchParams({ since: page.dataset.since });
  return fetch(page.dataset.api + "?" + params.toString(), {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then((r) =>
      r.json().then((data) => {
        if (!r.ok) throw new Error(data.detail || JSON.stringify(data));
        return data;
      }),
    )
    .then((data) => render(S, data))
    .catch((err) => {
      const body = document.getElementById("handover-body");
      body.textContent = "";
      body.appendChild(el("p", "error", fmt(S.handover.failed, { detail: err.message })));
      body.dataset.state = "error";
    });
}

// Live: any alert event of the team (a claim, a note, a new alert…) reloads the handover
// up to now, at most once a second. A lost socket retries every 10 s; the page still works
// without it (reload it by hand).
function live(S) {
  let timer = null;
  const again = () => {
    if (timer) return;
    timer = window.setTimeout(() => {
      timer = null;
      load(S);
    }, 1000);
  };
  const open = () => {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    let socket;
    try {
      socket = new WebSocket(scheme + window.location.host + page.dataset.wsPath);
    } catch (_e) {
      window.setTimeout(open, 10000);
      return;
    }
    socket.addEventListener("message", (ev) => {
      let message = null;
      try {
        message = JSON.parse(ev.data);
      } catch (_e) {
        return;
      }
      if (message && message.type === "alert") again();
    });
    socket.addEventListener("close", (ev) => {
      if (ev.code !== 4401 && ev.code !== 4403) window.setTimeout(open, 10000);
    });
    window.addEventListener("pagehide", () => socket.close());
  };
  open();
}

if (page) {
  const S = JSON.parse(document.getElementById("alerts-strings").textContent);
  document.getElementById("handover-print").addEventListener("click", () => window.print());
  load(S).then(() => live(S));
}
