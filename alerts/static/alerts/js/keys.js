// Keyboard shortcuts, documented on the page (#shortcuts) and in a help dialog (?):
// j / ↓ next alert, k / ↑ previous alert (the arrows once an alert has the focus), a acknowledge, o open the patient, n notes,
// ? this help. They never fire while typing in a field, nor with Ctrl, Alt or Meta.
import { acknowledge } from "./actions.js";
import { allCards } from "./cards.js";

function typing(target) {
  if (!target || !target.closest) return false;
  if (target.isContentEditable) return true;
  return !!target.closest("input, textarea, select, [contenteditable]");
}

const current = () => {
  const active = document.activeElement;
  return active && active.closest ? active.closest("li.alert-card") : null;
};

function move(step) {
  const cards = allCards();
  if (!cards.length) return;
  const at = cards.indexOf(current());
  const next = at < 0 ? (step > 0 ? 0 : cards.length - 1) : Math.min(cards.length - 1, Math.max(0, at + step));
  const body = cards[next].querySelector(".alert-body");
  body.focus();
  body.scrollIntoView({ block: "nearest" });
}

export function initKeys() {
  const dialog = document.getElementById("shortcuts-dialog");
  const openHelp = () => {
    if (dialog.open) return;
    if (dialog.showModal) dialog.showModal();
    else dialog.setAttribute("open", "");
  };
  document.getElementById("shortcuts-open").addEventListener("click", openHelp);
  dialog.querySelector(".dialog-close").addEventListener("click", () => dialog.close());
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.defaultPrevented) return;
    if (typing(ev.target)) return;
    if (dialog.open) return; // the dialog handles Escape itself
    const card = current();
    switch (ev.key) {
      case "ArrowDown":
      case "ArrowUp":
        // Arrows still scroll the page unless an alert has the focus.
        if (card) {
          ev.preventDefault();
          move(ev.key === "ArrowDown" ? 1 : -1);
        }
        break;
      case "j":
        ev.preventDefault();
        move(1);
        break;
      case "k":
        ev.preventDefault();
        move(-1);
        break;
      case "a":
        if (card) {
          ev.preventDefault();
          acknowledge(card.dataset.alertId, card);
        }
        break;
      case "o":
        if (card) {
          ev.preventDefault();
          const link = card.closest("li.patient-card").querySelector(".patient-link");
          window.location.assign(link.href);
        }
        break;
      case "n":
        if (card) {
          ev.preventDefault();
          card.querySelector(".btn-team").click();
          const first = card.querySelector(".team-panel:not([hidden]) .note-kind input:checked");
          if (first) first.focus();
        }
        break;
      case "?":
        ev.preventDefault();
        openHelp();
        break;
      default:
        break;
    }
  });
}
