// The desk's list: one card per patient (#patient-card-template) holding that patient's
// alerts that match the filters (#alert-card-template), the most urgent first; the cards in
// triage order (order.js). A card's buttons and context are wired by whoever registers
// (onCardBuilt: the actions and team work; onGroupBuilt: the context), so this module
// depends on nothing that acts.
import { alertTitle, empty, groupTemplate, list, me, S, template } from "./config.js";
import { ageLine, countdownText, detailText, whoText } from "./card_text.js";
import { fmt } from "./format.js";
import { languageQuote } from "./quote.js";
import { compare, groupOf, matches } from "./order.js";
import { state } from "./state.js";

let wireCard = () => {};
let wireGroup = () => {};
let fillGroupContext = () => {};
// fn(li, id) is called once for each new alert card, before it is filled and placed.
export function onCardBuilt(fn) {
  wireCard = fn;
}
// build(groupLi, patientId) once per new patient card; fill(groupLi, patientId) on each change.
export function onGroupBuilt(build, fill) {
  wireGroup = build;
  fillGroupContext = fill;
}

export const cardFor = (id) => list.querySelector('li.alert-card[data-alert-id="' + id + '"]');
export const groupFor = (pid) => list.querySelector('li.patient-card[data-patient-id="' + pid + '"]');

function buildGroup(alert) {
  const g = groupTemplate.content.firstElementChild.cloneNode(true);
  const pid = groupOf(alert);
  g.dataset.patientId = pid;
  const headingId = "patient-" + pid;
  g.querySelector(".patient-name").id = headingId;
  g.setAttribute("aria-labelledby", headingId);
  const link = g.querySelector(".patient-link");
  link.textContent = alert.patient_code;
  link.href = alert.dashboard_url || "/dashboard/patients/" + alert.patient + "/";
  link.setAttribute("aria-label", fmt(S.ui.open_patient, { code: alert.patient_code }));
  g.querySelector(".alert-items").setAttribute("aria-label", fmt(S.ui.alerts_of, { code: alert.patient_code }));
  wireGroup(g, pid);
  return g;
}

function build(alert) {
  const li = template.content.firstElementChild.cloneNode(true);
  const id = alert.id;
  li.dataset.alertId = id;
  li.querySelector(".alert-title").id = "title-" + id;
  li.querySelector(".alert-body").setAttribute("aria-labelledby", "title-" + id);
  wireCard(li, id);
  return li;
}

function setText(node, text) {
  node.textContent = text;
  node.hidden = !text;
}

function fill(li, alert) {
  const fresh = li.classList.contains("is-new");
  li.className =
    "alert-card sev-" +
    alert.severity +
    " status-" +
    alert.status +
    (alert.escalated ? " is-escalated" : "") +
    (alert.late ? " is-late" : "") +
    (fresh ? " is-new" : "");
  li.dataset.severity = alert.severity;
  li.dataset.status = alert.status;
  li.dataset.kind = alert.kind;
  li.querySelector(".badge.sev").textContent = S.severity[alert.severity] || alert.severity;
  li.querySelector(".badge.kind").textContent = S.kind[alert.kind] || alert.kind;
  li.querySelector(".badge.status").textContent = S.status[alert.status] || alert.status;
  li.querySelector(".badge.escalated").hidden = !alert.escalated;
  const late = li.querySelector(".badge.late");
  late.hidden = !alert.late;
  late.textContent = alert.kind === "risk" ? S.ui.old_data : S.ui.late_upload;
  li.querySelector(".alert-title").textContent = alertTitle(alert);
  li.querySelector(".alert-age").textContent = ageLine(alert);
  setText(li.querySelector(".alert-detail"), detailText(alert));
  const quoteBox = li.querySelector(".alert-quote");
  const quote = languageQuote(alert, S.language);
  quoteBox.replaceChildren(...(quote ? [quote] : []));
  quoteBox.hidden = !quote;
  setText(li.querySelector(".alert-countdown"), countdownText(alert));
  setText(li.querySelector(".alert-who"), whoText(alert));
  const assignee = li.querySelector(".alert-assignee");
  assignee.textContent = alert.assigned_to
    ? fmt(S.ui.assigned_to, { user: alert.assigned_to.name || alert.assigned_to.username })
    : S.ui.unassigned;
  assignee.classList.toggle("is-mine", !!(alert.assigned_to && alert.assigned_to.id === me.id));
  const notes = li.querySelector(".btn-team");
  notes.textContent = fmt(S.ui.notes_button, { count: alert.notes_count || 0 });
  li.querySelector(".btn-ack").hidden = alert.status !== "open";
  li.querySelector(".btn-resolve").hidden = alert.status === "resolved";
  const claim = li.querySelector(".btn-claim");
  const mine = !!(alert.assigned_to && alert.assigned_to.id === me.id);
  claim.hidden = alert.status === "resolved";
  claim.textContent = mine ? S.ui.release : S.ui.claim;
  if (alert.status === "resolved") li.querySelector(".resolve-form").hidden = true;
}

const lead = (g) => {
  const first = g.querySelector("li.alert-card");
  return first ? state.alerts[first.dataset.alertId] : null;
};

function placeIn(container, node, alertOf, self) {
  const items = Array.from(container.children);
  for (let i = 0; i < items.length; i++) {
    if (items[i] === node) continue;
    const other = alertOf(items[i]);
    if (other && compare(self, other) < 0) {
      if (items[i] !== node.nextSibling) container.insertBefore(node, items[i]);
      return;
    }
  }
  if (node.parentNode !== container || node.nextSibling) container.appendChild(node);
}

function refreshGroup(g) {
  const first = lead(g);
  if (!first) return;
  g.className = "patient-card sev-" + first.severity + " status-" + first.status;
  g.dataset.count = String(g.querySelectorAll("li.alert-card").length);
  placeIn(list, g, lead, first);
  fillGroupContext(g, g.dataset.patientId);
}

// Every alert card shown, in reading order.
export const allCards = () => Array.from(list.querySelectorAll("li.alert-card"));

// An alert card that leaves the list hands its focus to the next card (or the previous one,
// or the heading); a patient card with no alert left goes too.
function removeCard(li) {
  const hadFocus = li.contains(document.activeElement);
  const cards = allCards();
  const at = cards.indexOf(li);
  const next = cards[at + 1] || cards[at - 1];
  const g = li.closest("li.patient-card");
  li.remove();
  if (g && !g.querySelector("li.alert-card")) g.remove();
  else if (g) refreshGroup(g);
  if (hadFocus) (next ? next.querySelector(".alert-body") : document.getElementById("alerts-heading")).focus();
}

export function refreshEmpty() {
  empty.hidden = list.children.length > 0;
}

let listeners = [];
// fn() after any change of the list (the banner and the title count follow it).
export function onListChanged(fn) {
  listeners.push(fn);
}
const changed = () => listeners.forEach((fn) => fn());

// Show an alert's current state: add, update, move or remove its card.
// opts.fresh marks a card "New" (an alert raised while the page is open).
export function apply(alert, opts) {
  opts = opts || {};
  state.alerts[alert.id] = alert;
  let li = cardFor(alert.id);
  if (!matches(alert)) {
    if (li) removeCard(li);
    refreshEmpty();
    changed();
    return;
  }
  const pid = groupOf(alert);
  let g = groupFor(pid);
  if (!g) {
    g = buildGroup(alert);
    list.appendChild(g);
  }
  // Never rebuild a card that is being edited: fill() keeps the forms and the focus.
  if (!li) li = build(alert);
  if (opts.fresh) li.classList.add("is-new");
  li.querySelector(".badge.new").hidden = !li.classList.contains("is-new");
  fill(li, alert);
  const oldGroup = li.closest("li.patient-card");
  placeIn(g.querySelector(".alert-items"), li, (node) => state.alerts[node.dataset.alertId], alert);
  if (oldGroup && oldGroup !== g && !oldGroup.querySelector("li.alert-card")) oldGroup.remove();
  refreshGroup(g);
  refreshEmpty();
  changed();
}

// An alert the desk may no longer show (its patient left the team): its card goes.
export function forget(id) {
  const li = cardFor(id);
  delete state.alerts[id];
  if (li) removeCard(li);
  refreshEmpty();
  changed();
}

// Forget "New" on a card (acknowledged, or seen).
export function markSeen(li) {
  li.classList.remove("is-new");
  li.querySelector(".badge.new").hidden = true;
  changed();
}

// Rewrite the ages and countdowns of the cards shown.
export function refreshTimes() {
  allCards().forEach((li) => {
    const alert = state.alerts[li.dataset.alertId];
    if (!alert) return;
    li.querySelector(".alert-age").textContent = ageLine(alert);
    setText(li.querySelector(".alert-countdown"), countdownText(alert));
  });
  Array.from(list.children).forEach((g) => fillGroupContext(g, g.dataset.patientId));
}
