// The alert list: one card per alert that matches the filters, built from the template
// (#alert-card-template), kept in triage order (severity, then age) or, for resolved and
// all alerts, most recently updated first. A card's buttons are wired by whoever registers
// with onCardBuilt (the actions), so this module depends on nothing that acts.
import { alertTitle, empty, filterKind, filterStatus, list, S, template } from "./config.js";
import { detailText, factorsText, whoText } from "./card_text.js";
import { ago, fmt, when } from "./format.js";
import { state } from "./state.js";

const SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3 };

let wireCard = () => {};
// fn(li, id) is called once for each new card, before it is filled and placed.
export function onCardBuilt(fn) {
  wireCard = fn;
}

export function matches(alert) {
  if (filterKind && alert.kind !== filterKind) return false;
  if (filterStatus === "all") return true;
  if (filterStatus === "active") return alert.status !== "resolved";
  return alert.status === filterStatus;
}

const sevRank = (alert) => (alert.severity in SEV_RANK ? SEV_RANK[alert.severity] : 9);

function order(a, b) {
  if (filterStatus === "resolved" || filterStatus === "all") {
    return a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0;
  }
  const rank = sevRank(a) - sevRank(b);
  if (rank !== 0) return rank;
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0;
}

export const cardFor = (id) => list.querySelector('li[data-alert-id="' + id + '"]');

function build(alert) {
  const li = template.content.firstElementChild.cloneNode(true);
  li.dataset.alertId = alert.id;
  const noteId = "note-" + alert.id;
  const titleId = "title-" + alert.id;
  li.querySelector(".alert-title").id = titleId;
  li.querySelector(".alert-body").setAttribute("aria-labelledby", titleId);
  li.querySelector(".note-label").setAttribute("for", noteId);
  li.querySelector(".note-label").textContent = S.ui.note_label;
  li.querySelector(".note-input").id = noteId;
  li.querySelector(".btn-ack").textContent = S.ui.acknowledge;
  li.querySelector(".btn-resolve").textContent = S.ui.resolve;
  li.querySelector(".btn-save").textContent = S.ui.save_resolution;
  li.querySelector(".btn-cancel").textContent = S.ui.cancel;
  wireCard(li, alert.id);
  return li;
}

function fill(li, alert) {
  li.className =
    "alert-card sev-" +
    alert.severity +
    " status-" +
    alert.status +
    (alert.escalated ? " is-escalated" : "") +
    (li.classList.contains("is-new") ? " is-new" : "");
  li.querySelector(".badge.sev").textContent = S.severity[alert.severity] || alert.severity;
  li.querySelector(".badge.kind").textContent = S.kind[alert.kind] || alert.kind;
  li.querySelector(".badge.status").textContent = S.status[alert.status] || alert.status;
  li.querySelector(".badge.escalated").hidden = !alert.escalated;
  li.querySelector(".alert-title").textContent = alertTitle(alert);
  const link = li.querySelector(".patient-link");
  link.textContent = fmt(S.ui.patient, { code: alert.patient_code });
  link.href = alert.dashboard_url || "/dashboard/patients/" + alert.patient + "/";
  link.setAttribute("aria-label", fmt(S.ui.open_patient, { code: alert.patient_code }));
  const time = li.querySelector(".alert-time");
  time.dateTime = alert.created_at;
  time.title = when(alert.created_at);
  time.textContent = fmt(S.ui.raised, { when: ago(alert.created_at) });
  li.querySelector(".alert-detail").textContent = detailText(alert);
  li.querySelector(".alert-factors").textContent = factorsText(alert);
  li.querySelector(".alert-who").textContent = whoText(alert);
  li.querySelector(".btn-ack").hidden = alert.status !== "open";
  li.querySelector(".btn-resolve").hidden = alert.status === "resolved";
  if (alert.status === "resolved") li.querySelector(".resolve-form").hidden = true;
}

function place(li, alert) {
  const items = list.children;
  for (let i = 0; i < items.length; i++) {
    const other = state.alerts[items[i].dataset.alertId];
    if (items[i] !== li && other && order(alert, other) < 0) {
      if (items[i] !== li.nextSibling) list.insertBefore(li, items[i]);
      return;
    }
  }
  if (li.parentNode !== list || li.nextSibling) list.appendChild(li);
}

// A card that leaves the list hands its focus to the next card (or the heading).
function removeCard(li) {
  const hadFocus = li.contains(document.activeElement);
  const next = li.nextElementSibling || li.previousElementSibling;
  li.remove();
  if (hadFocus) {
    const target = next ? next.querySelector(".alert-body") : document.getElementById("alerts-heading");
    target.focus();
  }
}

export function refreshEmpty() {
  empty.hidden = list.children.length > 0;
}

// Show an alert's current state: add, update, move or remove its card.
// opts.fresh marks a card "New" (an alert raised while the page is open).
export function apply(alert, opts) {
  opts = opts || {};
  state.alerts[alert.id] = alert;
  let li = cardFor(alert.id);
  if (!matches(alert)) {
    if (li) removeCard(li);
    refreshEmpty();
    return;
  }
  // Never rebuild a card that is being edited: fill() keeps the form and the focus.
  if (!li) li = build(alert);
  if (opts.fresh) {
    li.classList.add("is-new");
    li.querySelector(".badge.new").hidden = false;
  }
  fill(li, alert);
  if (opts.fresh) li.classList.add("is-new");
  place(li, alert);
  refreshEmpty();
}

// Rewrite the relative times ("raised 3 minutes ago") of the cards shown.
export function refreshTimes() {
  Object.keys(state.alerts).forEach((id) => {
    const li = cardFor(id);
    if (li) {
      li.querySelector(".alert-time").textContent = fmt(S.ui.raised, { when: ago(state.alerts[id].created_at) });
      li.querySelector(".alert-who").textContent = whoText(state.alerts[id]);
    }
  });
}
