// The emergency view's charts (dashboard/emergency/<access>/): the patient page's chart modules,
// read-only, on the emergency API (the last 30 days of the access's patient). No range
// controls, no event form: only the reads.
import { loadAlerts } from "./alert_history.js";
import { Chart, root } from "./config.js";
import { setUpChartJs } from "./plugins.js";
import { loadRange } from "./range.js";
import { initDayKeys } from "./selection.js";
import { charts, state } from "./state.js";
import { initTableToggle } from "./tables.js";

if (root && typeof Chart !== "undefined") {
  setUpChartJs();
  window.charts = charts;
  initTableToggle();
  initDayKeys();
  loadRange(state.start, state.end);
  loadAlerts();
}
