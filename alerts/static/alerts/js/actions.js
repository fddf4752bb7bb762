// Acknowledging and resolving (with a required note) from a card, through the REST API
// with the session cookie and the CSRF token. Focus stays where a keyboard user expects it.
import { apiBase, csrf, S } from "./config.js";
import { apply, cardFor } from "./cards.js";
import { fmt } from "./format.js";

function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body || {}),
  }).then((response) =>
    response
      .json()
      .catch(() => ({}))
      .then((data) => {
        if (!response.ok) {
          const detail = data.detail || (data.note && data.note.join(" ")) || String(response.status);
          throw new Error(detail);
        }
        return data;
      }),
  );
}

function showError(li, message) {
  const box = li.querySelector(".action-error");
  box.textContent = message ? fmt(S.ui.action_failed, { detail: message }) : "";
  box.hidden = !message;
}

const failure = (err) => (err.message === "Failed to fetch" ? S.ui.network_error : err.message);

function acknowledge(id, li) {
  const button = li.querySelector(".btn-ack");
  button.disabled = true;
  showError(li, "");
  post(apiBase + id + "/acknowledge/")
    .then((alert) => {
      li.classList.remove("is-new");
      li.querySelector(".badge.new").hidden = true;
      apply(alert);
      const card = cardFor(id);
      if (card) {
        const resolveButton = card.querySelector(".btn-resolve");
        (resolveButton.hidden ? card.querySelector(".alert-body") : resolveButton).focus();
      }
    })
    .catch((err) => showError(li, failure(err)))
    .then(() => {
      button.disabled = false;
    });
}

function openResolve(li) {
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
  post(apiBase + id + "/resolve/", { note: note })
    .then((alert) => {
      closeResolve(li, false);
      apply(alert);
      const card = cardFor(id);
      if (card) card.querySelector(".alert-body").focus();
    })
    .catch((err) => showError(li, failure(err)))
    .then(() => {
      save.disabled = false;
    });
}

// A new card's buttons and resolve form (cards.js calls this through onCardBuilt).
export function wireActions(li, id) {
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
