// Acknowledging and resolving (with a required note) from a card, through the REST API with
// the session cookie and the CSRF token. Focus stays where a keyboard user expects it: on
// the card's next action, and on the next card once a resolved card leaves the list.
import { apiBase, S } from "./config.js";
import { allCards, apply, cardFor, markSeen } from "./cards.js";
import { fmt } from "./format.js";
import { request } from "./http.js";

export function showError(li, message) {
  const box = li.querySelector(".action-error");
  box.textContent = message ? fmt(S.ui.action_failed, { detail: message }) : "";
  box.hidden = !message;
}

export function acknowledge(id, li) {
  const button = li.querySelector(".btn-ack");
  if (button.hidden || button.disabled) return;
  button.disabled = true;
  showError(li, "");
  request("POST", apiBase + id + "/acknowledge/")
    .then((alert) => {
      markSeen(li);
      apply(alert);
      const card = cardFor(id);
      if (card) {
        const resolveButton = card.querySelector(".btn-resolve");
        (resolveButton.hidden ? card.querySelector(".alert-body") : resolveButton).focus();
      }
    })
    .catch((err) => showError(li, err.message))
    .then(() => {
      button.disabled = false;
    });
}

function openResolve(li) {
  // Risk alerts ask, in one tap, what the alert was worth (optional; a psychiatrist can change it later).
  li.querySelector(".alert-outcome").hidden = li.dataset.kind !== "risk";
  li.querySelector(".resolve-form").hidden = false;
  li.querySelector(".btn-resolve").setAttribute("aria-expanded", "true");
  li.querySelector(".note-input").focus();
}

function closeResolve(li, restoreFocus) {
  li.querySelector(".resolve-form").hidden = true;
  li.querySelector(".btn-resolve").setAttribute("aria-expanded", "false");
  showError(li, "");
  if (restoreFocus) li.querySelector(".btn-resolve").focus();
}

function resolve(id, li) {
  const input = li.querySelector(".note-input");
  const note = input.value.trim();
  if (!note) {
    showError(li, S.ui.note_required);
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  input.removeAttribute("aria-invalid");
  const save = li.querySelector(".btn-save");
  save.disabled = true;
  // Where focus goes if the card leaves the list: the next card, else the previous one.
  const cards = allCards();
  const at = cards.indexOf(li);
  const next = cards[at + 1] || cards[at - 1];
  const body = { note: note };
  const picked = li.querySelector(".alert-outcome input:checked");
  if (picked && li.dataset.kind === "risk") body.outcome = picked.value;
  request("POST", apiBase + id + "/resolve/", body)
    .then((alert) => {
      closeResolve(li, false);
      apply(alert);
      const card = cardFor(id);
      if (card) card.querySelector(".alert-body").focus();
      else if (next && next.isConnected) next.querySelector(".alert-body").focus();
      else document.getElementById("alerts-heading").focus();
    })
    .catch((err) => showError(li, err.message))
    .then(() => {
      save.disabled = false;
    });
}

// A new card's buttons and resolve form (cards.js calls this through onCardBuilt).
export function wireActions(li, id) {
  const noteId = "note-" + id;
  li.querySelector(".note-label").setAttribute("for", noteId);
  li.querySelector(".note-label").textContent = S.ui.note_label;
  li.querySelector(".note-input").id = noteId;
  li.querySelectorAll(".alert-outcome input").forEach((radio) => {
    radio.name = "alert-outcome-" + id;
  });
  li.querySelector(".btn-ack").textContent = S.ui.acknowledge;
  li.querySelector(".btn-resolve").textContent = S.ui.resolve;
  li.querySelector(".btn-save").textContent = S.ui.save_resolution;
  li.querySelector(".btn-cancel").textContent = S.ui.cancel;
  li.querySelector(".btn-ack").addEventListener("click", () => acknowledge(id, li));
  li.querySelector(".btn-resolve").addEventListener("click", () => openResolve(li));
  li.querySelector(".btn-cancel").addEventListener("click", () => closeResolve(li, true));
  li.querySelector(".resolve-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    resolve(id, li);
  });
  li.querySelector(".note-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      closeResolve(li, true);
    }
  });
}
