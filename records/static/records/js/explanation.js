// "Explain a day": the selected day's score, band and threshold, the factors that raised the
// risk (the reasons) and, apart, those that lowered it, each with its unit and the patient's
// usual value, as the risk-scores API words them (alerts.factors: the alert card, the alert
// history and the nurse desk read the same factors). Also the episode of risk the day is in,
// and the day's events and alerts. Nurses see the score and band; the factors are for
// psychiatrists (API.md roles).
import { alertTitle, cfg, S } from "./config.js";
import { el } from "./dom.js";
import { asDate, fmt, longDayFmt } from "./format.js";
import { alertIndexes, state } from "./state.js";

const day = (iso) => longDayFmt.format(asDate(iso));

function factorList(factors, className, id) {
  const list = el("ul", { className: "factors " + className, id });
  factors.forEach((f) => {
    const up = className === "up";
    list.append(
      el("li", { className, "data-feature": f.feature || "" }, [
        el("span", { className: "arrow", "aria-hidden": "true", text: up ? "▲" : "▼" }),
        el("span", { className: "label", text: f.label || f.feature }),
      ]),
    );
  });
  return list;
}

export function episodeSentence(ep) {
  const words = {
    start: day(ep.start),
    end: day(ep.end),
    days: ep.days,
    peak: ep.peak_display ? ep.peak_display.text : "",
    peak_date: day(ep.peak_date),
  };
  if (ep.days === 1) return fmt(S.episode_one_day, words);
  return fmt(ep.ongoing ? S.episode_ongoing : S.episode_span, words);
}

export function episodeAlertSentence(ep) {
  if (ep.alert) {
    const status = (S.alert_status[ep.alert.status] || ep.alert.status || "").toString().toLowerCase();
    return fmt(S.episode_alert, { date: day(ep.alert.score_date), status });
  }
  return ep.no_alert_text || "";
}

export function showDay(index) {
  const holder = document.getElementById("explanation-body");
  if (!holder || index === null || index === undefined) return;
  const date = state.labels[index];
  const entry = state.scores.get(date);
  const title = document.getElementById("explanation-title");
  title.textContent = fmt(S.explain_title, { date: day(date) });
  const parts = [];
  if (!entry) {
    parts.push(el("p", { className: "muted", id: "day-score", text: S.day_no_score }));
  } else {
    const d = entry.display || {};
    parts.push(
      el("p", { className: "day-score", id: "day-score" }, [
        el("span", { className: "band band-" + (d.band || entry.band), text: d.band_label || entry.band }),
        " ",
        el("strong", { className: "score", text: d.text || "" }),
        " ",
        el("span", { className: "muted small", text: fmt(S.threshold_is, { threshold: d.threshold_text || "" }) }),
      ]),
    );
    if (d.band_meaning) parts.push(el("p", { className: "small muted", text: d.band_meaning }));
    if (cfg.role === "psychiatrist") {
      const up = entry.raising || [];
      const down = entry.lowering || [];
      parts.push(el("h3", { className: "factor-head", text: S.reasons_title }));
      parts.push(up.length ? factorList(up, "up", "explanation-list") : el("p", { className: "muted small", id: "explanation-list", text: S.no_reasons }));
      if (down.length) {
        parts.push(el("h3", { className: "factor-head", text: S.lowering_title }));
        parts.push(factorList(down, "down", "explanation-lowering"));
      }
      if (entry.model_version) parts.push(el("p", { className: "muted small", text: fmt(S.model_version, { version: entry.model_version }) }));
    } else {
      parts.push(el("p", { className: "note small", text: S.factors_for_psychiatrists }));
    }
  }
  const ep = state.episodes.find((e) => e.start <= date && date <= e.end);
  if (ep) {
    parts.push(el("p", { className: "small day-episode" }, [el("strong", { text: S.in_episode + " " }), episodeSentence(ep) + " " + episodeAlertSentence(ep)]));
  }
  const events = state.events.filter((e) => e.date === date || (e.kind === "hospitalization" && e.date <= date && date <= (e.end_date || e.date)));
  events.forEach((e) => {
    parts.push(el("p", { className: "small day-event" }, [el("strong", { text: (S.event_kinds[e.kind] || e.kind) + (e.date === date ? "" : " (" + S.stay + ")") }), e.note ? " — " + e.note : ""]));
  });
  alertIndexes()
    .filter((a) => a.index === index)
    .forEach((a) => parts.push(el("p", { className: "small day-alert" }, [el("strong", { text: S.alerts + ": " }), alertTitle(a.alert) || ""])));
  holder.replaceChildren(...parts);
  holder.dataset.state = "ready";
  holder.dataset.day = date;
}

// The episodes card: one line per episode of the range, newest first, each a button that
// explains its peak day.
export function renderEpisodes(onPick) {
  const holder = document.getElementById("episodes-body");
  if (!holder) return;
  if (!state.episodes.length) {
    holder.replaceChildren(el("p", { className: "muted", text: S.no_episodes }));
  } else {
    const list = el("ol", { className: "episode-list", id: "episode-list" });
    state.episodes
      .slice()
      .reverse()
      .forEach((ep) => {
        const button = el("button", { type: "button", className: "link-button", text: S.explain_peak });
        button.addEventListener("click", () => onPick(ep.peak_date));
        list.append(
          el("li", { className: "episode-item" + (ep.alert ? " with-alert" : " no-alert"), "data-start": ep.start }, [
            el("p", { className: "episode-span", text: episodeSentence(ep) }),
            el("p", { className: "small " + (ep.alert ? "" : "muted"), text: episodeAlertSentence(ep) }),
            button,
          ]),
        );
      });
    holder.replaceChildren(list);
  }
  holder.dataset.state = "ready";
}
