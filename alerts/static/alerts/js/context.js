// A patient card's context: compact in the card's head (diagnosis, current risk with its
// 30-day sparkline, phone, key worker), the rest in a disclosure below the alerts (last
// check-in and passive data, crisis plan — read and edit —, previous alerts of 90 days).
// The page carries the context of the patients it shows; a patient whose first alert
// arrives live is fetched once (GET /api/v1/patients/{id}/card/). Heights are reserved, so
// nothing jumps when a context arrives.
import { patientsApi, S } from "./config.js";
import { age, day, fmt, formatRisk, when } from "./format.js";
import { request } from "./http.js";
import { state } from "./state.js";

const SVG = "http://www.w3.org/2000/svg";
const pending = {};
let refill = () => {};

// Fetch a patient's context once, then fill every card of that patient (fill(g, pid)).
export function ensureContext(pid, fill) {
  if (state.contexts[pid] || pending[pid]) return;
  pending[pid] = true;
  request("GET", patientsApi + pid + "/card/")
    .then((ctx) => {
      state.contexts[pid] = ctx;
      fill(pid);
    })
    .catch(() => {})
    .then(() => {
      delete pending[pid];
    });
}

function sparkline(svg, points, threshold) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const scores = points.map((p) => (p && p.score !== null && p.score !== undefined ? Number(p.score) : null));
  const known = scores.filter((v) => v !== null);
  const W = 120;
  const H = 28;
  if (!known.length) {
    svg.setAttribute("aria-label", S.ui.sparkline_none);
    return;
  }
  const top = Math.max(...known, threshold || 0) * 1.15 || 1;
  const x = (i) => (scores.length > 1 ? (i * (W - 4)) / (scores.length - 1) + 2 : W / 2);
  const y = (v) => H - 2 - (v / top) * (H - 4);
  if (threshold) {
    const line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "0");
    line.setAttribute("x2", String(W));
    line.setAttribute("y1", String(y(threshold)));
    line.setAttribute("y2", String(y(threshold)));
    line.setAttribute("class", "spark-threshold");
    svg.appendChild(line);
  }
  let d = "";
  scores.forEach((v, i) => {
    if (v === null) return;
    const prev = i > 0 ? scores[i - 1] : null;
    d += (prev === null ? "M" : "L") + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
  });
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d.trim());
  path.setAttribute("class", "spark-line");
  svg.appendChild(path);
  const lastIndex = scores.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0).pop();
  const dot = document.createElementNS(SVG, "circle");
  dot.setAttribute("cx", String(x(lastIndex)));
  dot.setAttribute("cy", String(y(scores[lastIndex])));
  dot.setAttribute("r", "2.5");
  dot.setAttribute("class", "spark-dot");
  svg.appendChild(dot);
  const first = known[0];
  const last = known[known.length - 1];
  svg.setAttribute(
    "aria-label",
    fmt(S.ui.sparkline_label, {
      from: formatRisk(first),
      to: formatRisk(last),
    }),
  );
}

function put(node, text) {
  node.textContent = text || "";
}

function fillHead(g, ctx) {
  const patient = ctx.patient || {};
  put(g.querySelector(".patient-diagnosis"), patient.diagnosis_label || patient.diagnosis || "");
  const risk = ctx.risk;
  const riskText = g.querySelector(".risk-text");
  if (risk) {
    riskText.textContent = fmt(S.ui.risk_now, {
      risk: risk.text,
      band: risk.band_label,
      threshold: risk.threshold_text,
    });
    riskText.title = risk.band_meaning || "";
    g.querySelector(".patient-risk").dataset.band = risk.band || "";
  } else {
    riskText.textContent = S.ui.risk_none;
    riskText.title = "";
  }
  sparkline(g.querySelector(".sparkline"), ctx.sparkline || [], risk ? risk.threshold_percent / 100 : null);
  const phone = g.querySelector(".patient-phone");
  if (patient.phone) {
    phone.hidden = false;
    // Shown in the national format, dialled as E.164 (patients/phones.py).
    const shown = patient.phone_national || patient.phone;
    phone.href = "tel:" + patient.phone;
    phone.textContent = shown;
    phone.setAttribute("aria-label", fmt(S.ui.call_patient, { code: patient.code, phone: shown }));
  } else {
    phone.hidden = true;
  }
  g.querySelector(".patient-nophone").hidden = !!patient.phone;
  const kw = patient.key_worker;
  put(g.querySelector(".patient-keyworker"), kw ? fmt(S.ui.key_worker, { user: kw.name || kw.username }) : S.ui.no_key_worker);
}

function fillFacts(g, ctx) {
  put(
    g.querySelector(".ctx-checkin"),
    ctx.last_checkin_at ? fmt(S.ui.ago_when, { age: age(ctx.last_checkin_at), when: when(ctx.last_checkin_at) }) : S.ui.never,
  );
  put(
    g.querySelector(".ctx-passive"),
    ctx.last_passive_data_at
      ? fmt(S.ui.ago_when, { age: age(ctx.last_passive_data_at), when: when(ctx.last_passive_data_at) })
      : S.ui.never,
  );
  put(
    g.querySelector(".ctx-summary"),
    fmt(S.ui.context_summary, {
      checkin: ctx.last_checkin_at ? age(ctx.last_checkin_at) : S.ui.never,
      previous: g.querySelectorAll(".previous-list li").length,
    }),
  );
}

function fillPlan(g, ctx) {
  const plan = ctx.crisis_plan || {};
  const form = g.querySelector(".plan-form");
  if (!form.hidden) return; // being edited: keep what the nurse types
  ["warning_signs", "who_to_call", "what_helped"].forEach((field) => {
    put(g.querySelector(".plan-" + field), plan[field] || S.ui.plan_empty);
    g.querySelector(".plan-" + field).classList.toggle("muted", !plan[field]);
  });
  const by = plan.updated_by;
  put(
    g.querySelector(".plan-updated"),
    plan.updated_at ? fmt(S.ui.plan_updated, { user: by ? by.name || by.username : "", when: when(plan.updated_at) }) : "",
  );
}

function fillPrevious(g, ctx) {
  const ul = g.querySelector(".previous-list");
  ul.textContent = "";
  // The alerts the card shows already are not "previous".
  const shown = new Set(Array.from(g.querySelectorAll("li.alert-card")).map((li) => li.dataset.alertId));
  const items = (ctx.previous_alerts || []).filter((a) => !shown.has(String(a.id)));
  g.querySelector(".previous-none").hidden = items.length > 0;
  items.forEach((a) => {
    const li = document.createElement("li");
    li.textContent = fmt(S.ui.previous_item, {
      when: day(a.created_at),
      severity: S.severity[a.severity] || a.severity,
      title: a.title_display || a.title || "",
      status: S.status[a.status] || a.status,
    });
    ul.appendChild(li);
  });
}

export function fillContext(g, pid) {
  const ctx = state.contexts[pid];
  if (!ctx) return;
  // Cheap, and the alerts the card shows change: every time. The rest when the context does.
  fillPrevious(g, ctx);
  fillFacts(g, ctx);
  if (g._ctx === ctx) return;
  g._ctx = ctx;
  fillHead(g, ctx);
  fillPlan(g, ctx);
}

function showPlanError(g, message) {
  const box = g.querySelector(".plan-error");
  box.textContent = message ? fmt(S.ui.action_failed, { detail: message }) : "";
  box.hidden = !message;
}

// The crisis plan's Edit / Save / Cancel (PUT /api/v1/patients/{id}/crisis-plan/, audited).
export function wireContext(g, pid) {
  const form = g.querySelector(".plan-form");
  const edit = g.querySelector(".btn-plan-edit");
  const view = g.querySelector(".plan-view");
  const uid = "plan-" + pid + "-";
  ["warning_signs", "who_to_call", "what_helped"].forEach((field) => {
    const input = form.querySelector('[name="' + field + '"]');
    input.id = uid + field;
    form.querySelector('label[data-for="' + field + '"]').setAttribute("for", uid + field);
  });
  const close = (focusEdit) => {
    form.hidden = true;
    view.hidden = false;
    edit.hidden = false;
    showPlanError(g, "");
    if (focusEdit) edit.focus();
  };
  edit.addEventListener("click", () => {
    const plan = (state.contexts[pid] && state.contexts[pid].crisis_plan) || {};
    ["warning_signs", "who_to_call", "what_helped"].forEach((field) => {
      form.querySelector('[name="' + field + '"]').value = plan[field] || "";
    });
    form.hidden = false;
    view.hidden = true;
    edit.hidden = true;
    form.querySelector('[name="warning_signs"]').focus();
  });
  form.querySelector(".btn-plan-cancel").addEventListener("click", () => close(true));
  form.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      close(true);
    }
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = {};
    ["warning_signs", "who_to_call", "what_helped"].forEach((field) => {
      body[field] = form.querySelector('[name="' + field + '"]').value.trim();
    });
    const save = form.querySelector(".btn-plan-save");
    save.disabled = true;
    request("PUT", patientsApi + pid + "/crisis-plan/", body)
      .then((plan) => {
        const ctx = state.contexts[pid] || {};
        state.contexts[pid] = { ...ctx, crisis_plan: plan };
        close(true);
        refill(pid);
      })
      .catch((err) => showPlanError(g, err.message))
      .then(() => {
        save.disabled = false;
      });
  });
}

// Who refills a patient's cards after its context changed (dashboard.js).
export function onContextChanged(fn) {
  refill = fn;
}
