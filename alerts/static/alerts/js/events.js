// What one alert event pushed over the socket (or replayed after a resume) does: the card
// changes, and a new or newly escalated alert is announced and beeps; an acknowledgement
// or resolution by someone else is announced once.
import { alertTitle, S } from "./config.js";
import { apply, matches } from "./cards.js";
import { fmt } from "./format.js";
import { announce, beep } from "./notify.js";
import { noteSeq, state } from "./state.js";

export function onEvent(message) {
  if (typeof message.seq === "number") noteSeq(message.seq);
  const alert = message.alert;
  const known = state.alerts[alert.id];
  const isNewAlert = message.event === "created" && !known;
  apply(alert, { fresh: isNewAlert });
  const title = alertTitle(alert);
  if (isNewAlert && matches(alert)) {
    announce(fmt(S.ui.announce_new, { severity: S.severity[alert.severity], code: alert.patient_code, title: title }));
    beep();
  } else if (message.event === "escalated" && !(known && known.escalated) && matches(alert)) {
    announce(fmt(S.ui.announce_escalated, { code: alert.patient_code, title: title }));
    beep();
  } else if (message.event === "acknowledged" && known && known.status === "open") {
    announce(fmt(S.ui.announce_ack, { code: alert.patient_code, user: alert.acknowledged_by }));
  } else if (message.event === "resolved" && known && known.status !== "resolved") {
    announce(fmt(S.ui.announce_resolved, { code: alert.patient_code, user: alert.resolved_by }));
  }
}
