// Attention: a sticky "N new critical" banner above the list and the same count in the
// tab's title, for critical alerts nobody has acknowledged yet. "Show" scrolls to the first
// and focuses it (it is already first: pinned by the triage order).
import { banner, list, S } from "./config.js";
import { fmt } from "./format.js";

const baseTitle = document.title;

const unacknowledgedCritical = () => Array.from(list.querySelectorAll("li.alert-card.sev-critical.status-open"));

export function refreshBanner() {
  const cards = unacknowledgedCritical();
  const n = cards.length;
  const text = n === 1 ? S.ui.banner_one : fmt(S.ui.banner_many, { count: n });
  banner.hidden = n === 0;
  banner.querySelector(".banner-text").textContent = n ? text : "";
  banner.dataset.count = String(n);
  document.title = n ? "(" + n + ") " + baseTitle : baseTitle;
}

export function initBanner() {
  banner.querySelector(".banner-show").addEventListener("click", () => {
    const first = unacknowledgedCritical()[0];
    if (!first) return;
    const body = first.querySelector(".alert-body");
    body.scrollIntoView({ block: "center" });
    body.focus();
  });
  refreshBanner();
}
