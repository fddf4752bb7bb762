// The nurse desk (/dashboard/): the entry module.
//
// Renders the alerts the page carries, one card per patient with its context, keeps them
// live over /ws/alerts/ (session cookie), reconnects with backoff and resumes after the
// last seq it saw. No framework, no build step, no inline code (CSP script-src 'self'):
// settings are data-* attributes and the data and translated strings JSON data blocks
// (config.js).
//
// The imported modules only define things and read the page: nothing changes the page
// before the check below.
import { wireActions } from "./actions.js";
import { initBanner, refreshBanner } from "./banner.js";
import { apply, groupFor, onCardBuilt, onGroupBuilt, onListChanged, refreshEmpty, refreshTimes } from "./cards.js";
import { CLOCK_EVERY_MS, config, initial, initialContexts, RESUME_EVERY_MS } from "./config.js";
import { fillContext, onContextChanged, wireContext } from "./context.js";
import { onNewPatient } from "./events.js";
import { initKeys } from "./keys.js";
import { initNotify } from "./notify.js";
import { connect, onResync, resumeIfLive, watchNetwork } from "./socket.js";
import { state } from "./state.js";
import { wireTeam } from "./team.js";

if (config) {
  const refill = (pid) => {
    const g = groupFor(pid);
    if (g) fillContext(g, pid);
  };
  Object.keys(initialContexts).forEach((pid) => {
    state.contexts[pid] = initialContexts[pid];
  });
  onCardBuilt((li, id) => {
    wireActions(li, id);
    wireTeam(li, id);
  });
  onGroupBuilt(wireContext, fillContext);
  onContextChanged(refill);
  onNewPatient(refill);
  onResync(refill);
  onListChanged(refreshBanner);
  initNotify();
  initBanner();
  initKeys();
  watchNetwork();
  initial.forEach((a) => apply(a));
  refreshEmpty();
  window.setInterval(refreshTimes, CLOCK_EVERY_MS);
  window.setInterval(resumeIfLive, RESUME_EVERY_MS);
  connect();
}
