// One patient's trend charts (dashboard/patients/<id>/): the entry module.
//
// Reads the JSON API with the session cookie: timeline (one entry per local day, missing
// values null, each day's sleep episodes), risk scores (worded, with their factors for
// psychiatrists), episodes of risk, clinical events and alerts. Clicking or keyboard-choosing
// a day on any chart explains it (selection.js). No inline script or style anywhere (CSP): configuration comes from data-*
// attributes and the translated strings from a JSON data block (config.js).
//
// For tests and assistive tech each canvas carries data-points (non-null values drawn)
// and the page root data-state ("loading" | "ready" | "error") and data-range;
// window.charts holds the Chart.js objects by chart id.
//
// Chart.js (window.Chart) comes from the classic script vendor/chart.umd.js, which the
// template loads with `defer` *before* this `type="module"` script: both kinds run in
// document order after parsing, so it is set by now unless it failed to load. The imported
// modules only define things and read the page: nothing changes the page or Chart.js before
// the check below.
import { loadAlerts } from "./alert_history.js";
import { Chart, root } from "./config.js";
import { initEventForm } from "./event_form.js";
import { setUpChartJs } from "./plugins.js";
import { initRangeControls, loadRange } from "./range.js";
import { initDayKeys } from "./selection.js";
import { charts, state } from "./state.js";
import { initPrint, initTableToggle } from "./tables.js";

if (root && typeof Chart !== "undefined") {
  setUpChartJs();
  window.charts = charts;
  initTableToggle();
  initPrint();
  initRangeControls();
  initEventForm();
  initDayKeys();
  loadRange(state.start, state.end);
  loadAlerts();
}
