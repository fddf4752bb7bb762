// The patient's own history (GET /me/timeline/), drawn as simple charts; the last answer is
// kept on the phone so it can be read offline.
import { api, ApiError, NetworkError } from "../api.js";
import { kvGet, kvSet } from "../db.js";
import { addDays } from "../clock.js";
import { drawWithChartJs, lineChart } from "../charts.js";
import { h, mount, replace } from "../dom.js";
import { _, lang } from "../i18n.js";
import { state, today } from "../state.js";
import { weeklySentences } from "../summary.js";

const RANGES = [7, 30, 90];
const SUMMARY_DAYS = 35; // this week, last week and the usual (4 weeks before this one)

export async function historyScreen(main, ctx) {
  const days = Number(ctx.args[0]) || 30;
  const end = today();
  const fetched = Math.max(days, SUMMARY_DAYS);
  const start = addDays(end, -(fetched - 1));
  const body = h("div", { class: "history-body", "aria-busy": "true" }, h("p", null, _("Loading…")));

  mount(main, 
    h("h1", { tabindex: "-1" }, _("My history")),
    h("div", { class: "segmented", role: "group", "aria-label": _("Period") },
      RANGES.map((n) => h("a", {
        href: `#/history/${n}`, class: n === days ? "seg active" : "seg", "aria-current": n === days ? "true" : null,
      }, _("%(n)s days", { n }))),
    ),
    body,
  );

  let timeline = null;
  let stale = false;
  try {
    const { data } = await api(`me/timeline/?start=${start}&end=${end}`);
    timeline = data;
    await kvSet(`timeline:${days}`, { data, at: Date.now() });
  } catch (err) {
    const cached = await kvGet(`timeline:${days}`);
    if (cached) {
      timeline = cached.data;
      stale = true;
    } else if (err instanceof NetworkError) {
      body.replaceChildren(h("p", { class: "notice" }, _("Your history cannot be shown offline yet. Open it once while online.")));
    } else if (err instanceof ApiError) {
      body.replaceChildren(h("p", { class: "notice" }, _("Your history is not available right now.")));
    } else throw err;
  }
  body.removeAttribute("aria-busy");
  if (!timeline) return;

  const all = timeline.days || [];
  const list = all.slice(-days);
  // Numbers written the patient's language's way (6,1 in French).
  const decimal = new Intl.NumberFormat(lang(), { maximumFractionDigits: 1 });
  const signed = (v) => (v > 0 ? `+${decimal.format(v)}` : decimal.format(v));
  const oneDecimal = (v) => decimal.format(v);
  const charts = [
    lineChart({ title: _("Mood"), days: list, field: "mood", min: -3, max: 3, format: signed }),
    lineChart({ title: _("Sleep (hours)"), days: list, field: "sleep_hours", min: 0, max: 12, format: oneDecimal }),
    lineChart({ title: _("Steps"), days: list, field: "steps", min: 0,
      max: Math.max(10000, ...list.map((d) => d.steps || 0)), format: (v) => decimal.format(Math.round(v)),
      axisFormat: (v) => new Intl.NumberFormat(lang(), { notation: "compact" }).format(v) }),
    lineChart({ title: _("Anxiety"), days: list, field: "anxiety", min: 0, max: 10, format: oneDecimal }),
  ];
  const questionnaires = [
    { field: "phq9", title: _("PHQ-9 (mood questionnaire)"), max: 27 },
    { field: "gad7", title: _("GAD-7 (anxiety questionnaire)"), max: 21 },
    { field: "asrm", title: _("ASRM (energy and mood questionnaire)"), max: 20 },
  ];
  for (const q of questionnaires) {
    if (list.some((d) => d[q.field] !== null && d[q.field] !== undefined)) {
      charts.push(lineChart({ title: q.title, days: list, field: q.field, min: 0, max: q.max }));
    }
  }
  replace(body,
    stale ? h("p", { class: "notice" }, _("You are offline: this is the history as it was last time.")) : null,
    h("section", { class: "week-summary", id: "week-summary", "aria-labelledby": "week-title" },
      h("h2", { id: "week-title" }, _("My week")),
      h("ul", null, weeklySentences(all).map((sentence) => h("li", null, sentence)))),
    h("h2", null, _("My trends")),
    h("p", { class: "hint" }, _("Gaps are days without data.")),
    ...charts,
  );
  await drawWithChartJs(charts, state.config.chartJsUrl);
}
