// "Why the latest score": the factors of the latest risk score's explanation, largest first.
// Psychiatrists only (API.md roles); nurses' pages have no #explanation-body.
import { cfg, getJSON, results, S } from "./config.js";
import { el } from "./dom.js";
import { asDate, longDayFmt, pctFmt } from "./format.js";

export async function loadExplanation() {
  const holder = document.getElementById("explanation-body");
  if (!holder) return; // nurses: explanations are for psychiatrists (API.md roles)
  const day = cfg.latestRiskDate;
  if (!day) {
    holder.replaceChildren(el("p", { className: "muted", text: S.no_explanation }));
    holder.dataset.state = "ready";
    return;
  }
  try {
    const query = "?" + new URLSearchParams({ start: day, end: day }).toString();
    const scores = results(await getJSON(cfg.riskUrl + query));
    const latest = scores.filter((s) => s.date === day).pop() || scores[scores.length - 1];
    const factors = ((latest && latest.explanation) || []).slice();
    if (!factors.length) {
      holder.replaceChildren(el("p", { className: "muted", text: S.no_explanation }));
    } else {
      factors.sort((a, b) => Math.abs(b.weight || 0) - Math.abs(a.weight || 0));
      const list = el("ul", { className: "factors", id: "explanation-list" });
      factors.forEach((f) => {
        const up = f.direction === "up" || f.direction === "increases" || (f.direction === undefined && f.weight > 0);
        list.append(
          el("li", { className: up ? "up" : "down" }, [
            el("span", { className: "arrow", "aria-hidden": "true", text: up ? "▲" : "▼" }),
            el("span", { className: "label", text: f.label || f.feature }),
            el("span", { className: "muted small", text: " (" + (up ? S.raises : S.lowers) + ")" }),
          ]),
        );
      });
      const head = el("p", { className: "small muted" }, [
        longDayFmt.format(asDate(latest.date)) + " · " + pctFmt.format(latest.score) + (latest.model_version ? " · " + latest.model_version : ""),
      ]);
      holder.replaceChildren(head, list);
    }
    holder.dataset.state = "ready";
  } catch (_error) {
    holder.replaceChildren(el("p", { className: "error", text: S.explanation_unavailable }));
    holder.dataset.state = "error";
  }
}
