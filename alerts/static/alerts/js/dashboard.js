// The nurse desk's live alert list (/dashboard/): the entry module.
//
// Renders the alerts the page carries, keeps them live over /ws/alerts/ (session cookie),
// reconnects with backoff and resumes after the last seq it saw. No framework, no build
// step, no inline code (CSP script-src 'self'): settings are data-* attributes and the
// translated strings a JSON data block (config.js).
//
// The imported modules only define things and read the page: nothing changes the page
// before the check below.
import { wireActions } from "./actions.js";
import { apply, onCardBuilt, refreshEmpty, refreshTimes } from "./cards.js";
import { CLOCK_EVERY_MS, config, initial, RESUME_EVERY_MS } from "./config.js";
import { initSound } from "./notify.js";
import { connect, resumeIfLive, watchNetwork } from "./socket.js";

if (config) {
  onCardBuilt(wireActions);
  initSound();
  watchNetwork();
  initial.forEach((a) => apply(a));
  refreshEmpty();
  window.setInterval(refreshTimes, CLOCK_EVERY_MS);
  window.setInterval(resumeIfLive, RESUME_EVERY_MS);
  connect();
}
