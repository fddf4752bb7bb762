// Team work on an alert card: claim it, give it to a colleague of the patient's team, and
// its note thread (call attempts with their outcome, free notes). Every change goes through
// the REST API and comes back to every desk of the team as an `assigned` or `noted` event.
import { apiBase, colleagues, me, S } from "./config.js";
import { showError } from "./actions.js";
import { apply } from "./cards.js";
import { fmt, when } from "./format.js";
import { request } from "./http.js";
import { state } from "./state.js";

const noteText = (note) => {
  const who = note.author ? note.author.name || note.author.username : "";
  const head =
    note.kind === "call"
      ? fmt(S.ui.note_call, { user: who, outcome: S.outcome[note.outcome] || note.outcome })
      : fmt(S.ui.note_free, { user: who });
  return { head: head, when: when(note.created_at), text: note.text || "" };
};

function renderNotes(li, id) {
  const ol = li.querySelector(".notes");
  const notes = state.notes[id] || [];
  ol.textContent = "";
  notes.forEach((note) => {
    const t = noteText(note);
    const item = document.createElement("li");
    item.className = "note note-" + note.kind;
    const head = document.createElement("p");
    head.className = "note-head";
    const strong = document.createElement("strong");
    strong.textContent = t.head;
    const time = document.createElement("time");
    time.dateTime = note.created_at;
    time.textContent = t.when;
    head.append(strong, " · ", time);
    item.appendChild(head);
    if (t.text) {
      const body = document.createElement("p");
      body.className = "note-text";
      body.textContent = t.text;
      item.appendChild(body);
    }
    ol.appendChild(item);
  });
  li.querySelector(".notes-empty").hidden = notes.length > 0;
}

function loadNotes(li, id) {
  return request("GET", apiBase + id + "/notes/?limit=200")
    .then((page) => {
      state.notes[id] = page.results || [];
      renderNotes(li, id);
    })
    .catch((err) => showError(li, err.message));
}

// A note pushed live (or just posted): add it to the thread if the thread is loaded.
export function noteArrived(li, id, note) {
  if (!state.notes[id]) return;
  if (state.notes[id].some((n) => String(n.id) === String(note.id))) return;
  state.notes[id].push(note);
  if (li) renderNotes(li, id);
}

function toggleTeam(li, id, open) {
  const panel = li.querySelector(".team-panel");
  const button = li.querySelector(".btn-team");
  const show = open === undefined ? panel.hidden : open;
  panel.hidden = !show;
  button.setAttribute("aria-expanded", show ? "true" : "false");
  if (show) {
    if (!state.notes[id]) loadNotes(li, id);
    else renderNotes(li, id);
  }
  return show;
}

function assign(li, id, assignee, focusTarget) {
  showError(li, "");
  return request("POST", apiBase + id + "/assign/", { assignee: assignee })
    .then((alert) => {
      apply(alert);
      if (focusTarget) focusTarget.focus();
    })
    .catch((err) => showError(li, err.message));
}

function fillColleagues(select, alert) {
  const team = alert ? alert.care_team : null;
  select.textContent = "";
  const none = document.createElement("option");
  none.value = "";
  none.textContent = S.ui.nobody;
  select.appendChild(none);
  colleagues
    .filter((c) => team === null || !c.teams || c.teams.indexOf(team) >= 0)
    .forEach((c) => {
      const option = document.createElement("option");
      option.value = String(c.id);
      option.textContent = c.name && c.name !== c.username ? c.name + " (" + c.username + ")" : c.username;
      select.appendChild(option);
    });
  if (alert && alert.assigned_to) select.value = String(alert.assigned_to.id);
}

// Claim: the card's button; "Notes and assignment": the panel with the thread and the forms.
export function wireTeam(li, id) {
  const uid = "-" + id;
  const panel = li.querySelector(".team-panel");
  panel.id = "team" + uid;
  li.querySelector(".btn-team").setAttribute("aria-controls", panel.id);
  li.querySelector(".assign-select").id = "assign" + uid;
  li.querySelector(".assign-label").setAttribute("for", "assign" + uid);
  li.querySelector(".outcome-select").id = "outcome" + uid;
  li.querySelector(".outcome-label").setAttribute("for", "outcome" + uid);
  li.querySelector(".team-note-input").id = "text" + uid;
  li.querySelector(".team-note-label").setAttribute("for", "text" + uid);
  li.querySelectorAll(".note-kind input").forEach((radio) => {
    radio.name = "kind" + uid;
  });
  const form = li.querySelector(".note-form");
  const outcomeRow = li.querySelector(".outcome-row");
  const kind = () => (form.querySelector(".note-kind input:checked") || {}).value || "call";
  const syncKind = () => {
    outcomeRow.hidden = kind() !== "call";
  };
  form.querySelectorAll(".note-kind input").forEach((radio) => radio.addEventListener("change", syncKind));
  syncKind();

  li.querySelector(".btn-claim").addEventListener("click", (ev) => {
    const alert = state.alerts[id];
    const mine = alert && alert.assigned_to && alert.assigned_to.id === me.id;
    assign(li, id, mine ? null : "me", ev.currentTarget);
  });
  li.querySelector(".btn-team").addEventListener("click", () => {
    if (toggleTeam(li, id)) {
      fillColleagues(li.querySelector(".assign-select"), state.alerts[id]);
    }
  });
  li.querySelector(".assign-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = li.querySelector(".assign-select").value;
    assign(li, id, value ? parseInt(value, 10) : null, li.querySelector(".assign-select"));
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = li.querySelector(".team-note-input");
    const body = { kind: kind(), text: input.value.trim() };
    if (body.kind === "call") body.outcome = li.querySelector(".outcome-select").value;
    if (body.kind === "note" && !body.text) {
      showError(li, S.ui.note_text_required);
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    const add = li.querySelector(".btn-note-add");
    add.disabled = true;
    showError(li, "");
    request("POST", apiBase + id + "/notes/", body)
      .then((note) => {
        input.value = "";
        if (!state.notes[id]) state.notes[id] = [];
        noteArrived(li, id, note);
        const alert = state.alerts[id];
        if (alert && state.notes[id].length > (alert.notes_count || 0)) {
          apply({ ...alert, notes_count: state.notes[id].length });
        }
        input.focus();
      })
      .catch((err) => showError(li, err.message))
      .then(() => {
        add.disabled = false;
      });
  });
  escapeCloses(li);
}

function escapeCloses(li) {
  li.querySelector(".team-panel").addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      li.querySelector(".team-panel").hidden = true;
      li.querySelector(".btn-team").setAttribute("aria-expanded", "false");
      li.querySelector(".btn-team").focus();
    }
  });
}
