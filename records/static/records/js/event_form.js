// Recording a clinical event: posted as JSON with the CSRF token; the new event's line,
// label and marker appear on the charts and in the events list at once, without reloading
// the range. A hospitalisation's last day, when given, is then set by an edit (PATCH).
import { cfg, S } from "./config.js";
import { setStatus } from "./dom.js";
import { asDate, fmt, longDayFmt } from "./format.js";
import { patchEvent, replaceEvent } from "./event_list.js";
import { state } from "./state.js";

export function initEventForm() {
  const eventForm = document.getElementById("event-form");
  const eventStatus = document.getElementById("event-status");
  const fieldError = (name) => document.getElementById("event-" + name + "-error");
  eventForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    ["date", "note", "end_date"].forEach((f) => setStatus(fieldError(f), ""));
    setStatus(eventStatus, "");
    const kind = eventForm.elements.kind.value;
    const date = eventForm.elements.date.value;
    const note = eventForm.elements.note.value;
    const endDate = eventForm.elements.end_date ? eventForm.elements.end_date.value : "";
    if (!eventForm.elements.date.checkValidity() || !date) {
      setStatus(fieldError("date"), eventForm.elements.date.validationMessage || S.event_error, true);
      eventForm.elements.date.focus();
      return;
    }
    const submit = document.getElementById("event-submit");
    submit.disabled = true;
    try {
      const response = await fetch(cfg.eventsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": eventForm.elements.csrfmiddlewaretoken.value,
        },
        body: JSON.stringify({ kind, date, note }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 200 || response.status === 201) {
        let saved = body;
        if (kind === "hospitalization" && endDate && endDate !== body.end_date) {
          const edit = await patchEvent(body.id, { end_date: endDate });
          if (edit.ok) saved = edit.body;
          else setStatus(fieldError("end_date"), [].concat(edit.body.end_date || edit.body.detail || S.event_error).join(" "), true);
        }
        replaceEvent(saved);
        const words = { kind: S.event_kinds[body.kind] || body.kind, date: longDayFmt.format(asDate(body.date)) };
        let message = fmt(response.status === 201 ? S.event_saved : S.event_exists, words);
        if (body.date < state.start || body.date > state.end) message += " " + S.event_outside;
        setStatus(eventStatus, message);
        eventForm.elements.note.value = "";
        if (eventForm.elements.end_date) eventForm.elements.end_date.value = "";
      } else if (response.status === 400) {
        let shown = false;
        ["date", "note"].forEach((f) => {
          if (body[f]) {
            setStatus(fieldError(f), [].concat(body[f]).join(" "), true);
            shown = true;
          }
        });
        const other = body.kind || body.non_field_errors || body.detail;
        if (other || !shown) setStatus(eventStatus, [].concat(other || S.event_error).join(" "), true);
      } else {
        setStatus(eventStatus, S.event_error + (body.detail ? " " + body.detail : " (" + response.status + ")"), true);
      }
    } catch (_error) {
      setStatus(eventStatus, S.event_error, true);
    } finally {
      submit.disabled = false;
    }
  });
}
