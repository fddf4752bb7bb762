// What one alert event pushed over the socket (or replayed after a resume) does: the card
// changes; a new or newly escalated alert is announced, beeps and, when critical, raises a
// desktop notification; an acknowledgement, resolution, assignment or note by someone
// else is announced once.
import { alertTitle, me, S } from "./config.js";
import { apply, cardFor } from "./cards.js";
import { ensureContext } from "./context.js";
import { fmt } from "./format.js";
import { announce, beep, desktopNotify } from "./notify.js";
import { matches } from "./order.js";
import { noteSeq, state } from "./state.js";
import { noteArrived } from "./team.js";

let refillPatient = () => {};
// fn(patientId): refill that patient's card once its context has arrived.
export function onNewPatient(fn) {
  refillPatient = fn;
}

const actorName = (message, fallback) => {
  const actor = message.actor;
  return actor ? actor.name || actor.username : fallback || "";
};
const isMe = (message) => !!(message.actor && message.actor.id === me.id);

function focusCard(id) {
  const li = cardFor(id);
  if (li) {
    li.querySelector(".alert-body").scrollIntoView({ block: "center" });
    li.querySelector(".alert-body").focus();
  }
}

function loud(alert, text) {
  announce(text);
  const urgent = alert.kind === "safety" || alert.kind === "language" || alert.severity === "critical";
  if (urgent) {
    beep();
    desktopNotify(alertTitle(alert), text, String(alert.id), () => focusCard(alert.id));
  }
}

export function onEvent(message) {
  if (typeof message.seq === "number") noteSeq(message.seq);
  const alert = message.alert;
  const known = state.alerts[alert.id];
  const isNewAlert = message.event === "created" && !known;
  apply(alert, { fresh: isNewAlert });
  const pid = String(alert.group || alert.patient);
  if (matches(alert)) ensureContext(pid, refillPatient);
  const title = alertTitle(alert);
  const code = alert.patient_code;
  if (isNewAlert && matches(alert)) {
    loud(alert, fmt(S.ui.announce_new, { severity: S.severity[alert.severity], code: code, title: title }));
  } else if (message.event === "escalated" && !(known && known.escalated) && matches(alert)) {
    loud(alert, fmt(S.ui.announce_escalated, { code: code, title: title }));
  } else if (message.event === "acknowledged" && known && known.status === "open" && !isMe(message)) {
    announce(fmt(S.ui.announce_ack, { code: code, user: actorName(message, alert.acknowledged_by) }));
  } else if (message.event === "resolved" && known && known.status !== "resolved" && !isMe(message)) {
    announce(fmt(S.ui.announce_resolved, { code: code, user: actorName(message, alert.resolved_by) }));
  } else if (message.event === "assigned" && !isMe(message)) {
    const to = message.assignee || alert.assigned_to;
    announce(
      to
        ? fmt(S.ui.announce_assigned, { code: code, user: actorName(message), to: to.name || to.username })
        : fmt(S.ui.announce_unassigned, { code: code, user: actorName(message) }),
    );
  } else if (message.event === "noted") {
    if (message.note) noteArrived(cardFor(alert.id), alert.id, message.note);
    if (!isMe(message)) announce(fmt(S.ui.announce_noted, { code: code, user: actorName(message) }));
  }
}
