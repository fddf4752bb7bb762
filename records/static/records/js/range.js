// The period shown: loading a range from the timeline API (the page root's data-state
// "loading" | "ready" | "error" and data-range follow it), the preset buttons and the
// custom dates. The chosen range is kept in the address, without reloading the page.
import { cfg, getJSON, results, root, S } from "./config.js";
import { el, setStatus } from "./dom.js";
import { addDays, asDate, daysBetween, fmt, longDayFmt } from "./format.js";
import { renderAlertList } from "./alert_history.js";
import { renderEpisodes } from "./explanation.js";
import { renderEventList } from "./event_list.js";
import { renderAll } from "./render.js";
import { defaultDay, selectDay } from "./selection.js";
import { state } from "./state.js";

const rangeStatus = document.getElementById("range-status");

async function loadEvents() {
  state.events = results(await getJSON(cfg.eventsUrl));
}

// The range's risk scores (with their wording and factors) and episodes of risk. A failure
// here leaves the charts and says so in the card.
async function loadRisk(query) {
  try {
    const [scores, episodes] = await Promise.all([getJSON(cfg.riskUrl + query), getJSON(cfg.episodesUrl + query)]);
    return { scores: results(scores), episodes: results(episodes) };
  } catch (_error) {
    return null;
  }
}

const pickDate = (iso) => selectDay(state.labels.indexOf(iso));

let loadSeq = 0;
export async function loadRange(start, end) {
  const seq = ++loadSeq;
  root.dataset.state = "loading";
  root.setAttribute("aria-busy", "true");
  setStatus(rangeStatus, S.loading);
  try {
    const query = "?" + new URLSearchParams({ start, end }).toString();
    const [timeline, risk] = await Promise.all([getJSON(cfg.timelineUrl + query), loadRisk(query), loadEvents()]);
    if (seq !== loadSeq) return; // a newer range was asked for meanwhile
    const kept = state.selected === null ? null : state.labels[state.selected];
    state.start = start;
    state.end = end;
    state.days = timeline.days || [];
    state.labels = state.days.map((d) => d.date);
    state.scores = new Map(((risk && risk.scores) || []).map((s) => [String(s.date), s]));
    state.episodes = (risk && risk.episodes) || [];
    state.selected = null;
    renderAll();
    renderEpisodes(pickDate);
    renderEventList();
    renderAlertList(); // its reasons come from the range's scores
    if (risk === null) {
      const holder = document.getElementById("explanation-body");
      holder.replaceChildren(el("p", { className: "error", text: S.explanation_unavailable }));
      holder.dataset.state = "error";
    } else {
      const keptIndex = kept === null ? -1 : state.labels.indexOf(kept);
      selectDay(keptIndex >= 0 ? keptIndex : defaultDay());
    }
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
      let start = addDays(end, -(days - 1));
      if (cfg.firstDay && start < cfg.firstDay) start = cfg.firstDay < end ? cfg.firstDay : end; // not before enrolment
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
