// The period shown: loading a range from the timeline API (the page root's data-state
// "loading" | "ready" | "error" and data-range follow it), the preset buttons and the
// custom dates. The chosen range is kept in the address, without reloading the page.
import { cfg, getJSON, results, root, S } from "./config.js";
import { setStatus } from "./dom.js";
import { addDays, asDate, daysBetween, fmt, longDayFmt } from "./format.js";
import { renderAll } from "./render.js";
import { state } from "./state.js";

const rangeStatus = document.getElementById("range-status");

async function loadEvents() {
  state.events = results(await getJSON(cfg.eventsUrl));
}

let loadSeq = 0;
export async function loadRange(start, end) {
  const seq = ++loadSeq;
  root.dataset.state = "loading";
  root.setAttribute("aria-busy", "true");
  setStatus(rangeStatus, S.loading);
  try {
    const query = "?" + new URLSearchParams({ start, end }).toString();
    const [timeline] = await Promise.all([getJSON(cfg.timelineUrl + query), loadEvents()]);
    if (seq !== loadSeq) return; // a newer range was asked for meanwhile
    state.start = start;
    state.end = end;
    state.days = timeline.days || [];
    state.labels = state.days.map((d) => d.date);
    renderAll();
    root.dataset.range = start + ".." + end;
    root.dataset.state = "ready";
    setStatus(rangeStatus, fmt(S.ready, { start: longDayFmt.format(asDate(start)), end: longDayFmt.format(asDate(end)) }));
  } catch (error) {
    if (seq !== loadSeq) return;
    root.dataset.state = "error";
    setStatus(rangeStatus, fmt(S.load_error, { status: error.status || error.message }), true);
  } finally {
    if (seq === loadSeq) root.removeAttribute("aria-busy");
  }
}

export function initRangeControls() {
  const rangeForm = document.getElementById("range-form");
  const startInput = document.getElementById("range-start");
  const endInput = document.getElementById("range-end");
  const presetButtons = Array.from(rangeForm.querySelectorAll(".range-btn"));
  const maxDays = Number(cfg.maxDays);

  function markPreset(days) {
    presetButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.days === String(days))));
  }
  function remember(params) {
    const url = new URL(window.location.href);
    ["days", "start", "end"].forEach((k) => url.searchParams.delete(k));
    Object.entries(params).forEach(([k, v]) => url.searchParams.set(k, v));
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  rangeForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const submitter = ev.submitter;
    if (submitter && submitter.dataset.days) {
      const days = Number(submitter.dataset.days);
      const end = cfg.today;
      const start = addDays(end, -(days - 1));
      startInput.value = start;
      endInput.value = end;
      markPreset(days);
      remember({ days });
      loadRange(start, end);
      return;
    }
    const start = startInput.value;
    const end = endInput.value;
    if (!start || !end || start > end || daysBetween(start, end) >= maxDays) {
      setStatus(rangeStatus, fmt(S.range_error, { max: maxDays }), true);
      return;
    }
    markPreset(null);
    remember({ start, end });
    loadRange(start, end);
  });
}
