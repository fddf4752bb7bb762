// The patient's clinical events, newest first, with their notes (the one just recorded
// included) and a hospitalisation's stay. The clinician who recorded an event may edit its
// note and, for a hospitalisation, the stay's last day: a PATCH that the server audits.
import { cfg, S } from "./config.js";
import { el, setStatus } from "./dom.js";
import { asDate, fmt, longDayFmt } from "./format.js";
import { refreshMarkers } from "./render.js";
import { state } from "./state.js";

const day = (iso) => longDayFmt.format(asDate(iso));
const csrfToken = () => document.querySelector("#event-form [name=csrfmiddlewaretoken]").value;

export async function patchEvent(id, changes) {
  const response = await fetch(cfg.eventsUrl + id + "/", {
    method: "PATCH",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(changes),
  });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body };
}

export function replaceEvent(updated) {
  state.events = state.events.filter((e) => e.id !== updated.id).concat([updated]);
  refreshMarkers();
  renderEventList();
}

function editForm(event, item) {
  const form = el("form", { className: "event-edit", "data-event": event.id });
  const noteId = "edit-note-" + event.id;
  const note = el("textarea", { id: noteId, name: "note", rows: "3", maxlength: "2000" });
  note.value = event.note || "";
  form.append(el("label", { for: noteId, text: S.note_label }), note);
  let endInput = null;
  if (event.kind === "hospitalization") {
    const endId = "edit-end-" + event.id;
    endInput = el("input", { id: endId, name: "end_date", type: "date", min: event.date, max: cfg.today });
    endInput.value = event.end_date || "";
    form.append(el("label", { for: endId, text: S.stay_end_label }), endInput);
  }
  const status = el("p", { className: "status", role: "status" });
  const save = el("button", { type: "submit", className: "primary", text: S.save });
  const cancel = el("button", { type: "button", text: S.cancel });
  cancel.addEventListener("click", () => renderEventList());
  form.append(el("p", { className: "edit-actions" }, [save, " ", cancel]), status);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const changes = { note: note.value };
    if (endInput) changes.end_date = endInput.value || null;
    save.disabled = true;
    try {
      const result = await patchEvent(event.id, changes);
      if (result.ok) {
        replaceEvent(result.body);
        setStatus(document.getElementById("events-status"), fmt(S.event_updated, { kind: S.event_kinds[event.kind] || event.kind, date: day(event.date) }));
      } else {
        const message = [].concat(result.body.end_date || result.body.note || result.body.detail || S.event_error).join(" ");
        setStatus(status, message, true);
      }
    } catch (_error) {
      setStatus(status, S.event_error, true);
    } finally {
      save.disabled = false;
    }
  });
  item.replaceChildren(form);
  note.focus();
}

export function renderEventList() {
  const holder = document.getElementById("events-body");
  if (!holder) return;
  const events = state.events.slice().sort((a, b) => String(b.date).localeCompare(String(a.date)) || String(b.created_at).localeCompare(String(a.created_at)));
  if (!events.length) {
    holder.replaceChildren(el("p", { className: "muted", text: S.no_events }));
    holder.dataset.state = "ready";
    return;
  }
  const list = el("ol", { className: "event-list", id: "event-list" });
  events.forEach((e) => {
    const kind = S.event_kinds[e.kind] || e.kind;
    const when = e.kind === "hospitalization" ? fmt(e.end_date ? S.stay_span : S.stay_open, { start: day(e.date), end: e.end_date ? day(e.end_date) : "" }) : day(e.date);
    const item = el("li", { className: "event-item kind-" + e.kind, "data-event": e.id, "data-kind": e.kind }, [
      el("p", { className: "event-head" }, [el("strong", { className: "event-kind", text: kind }), " · ", el("time", { datetime: e.date, text: when })]),
    ]);
    if (e.note) item.append(el("p", { className: "event-note", text: e.note }));
    const meta = [];
    if (e.recorded_by) meta.push(fmt(S.recorded_by, { user: e.recorded_by }));
    if (e.edited_at) meta.push(S.edited);
    if (meta.length) item.append(el("p", { className: "muted small", text: meta.join(" · ") }));
    if (e.recorded_by && e.recorded_by === cfg.username) {
      const edit = el("button", { type: "button", className: "link-button event-edit-button", text: S.edit, "aria-label": fmt(S.edit_event, { kind, date: day(e.date) }) });
      edit.addEventListener("click", () => editForm(e, item));
      item.append(edit);
    }
    list.append(item);
  });
  holder.replaceChildren(list);
  holder.dataset.state = "ready";
}
