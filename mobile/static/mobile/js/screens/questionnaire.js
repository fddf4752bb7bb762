// PHQ-9, GAD-7 and ASRM, one item per screen. A PHQ-9 item 9 answer above 0 shows the
// crisis screen at once, whether or not the phone is online.
import { isoWithOffset } from "../clock.js";
import { h, mount, nextId, replace } from "../dom.js";
import { _ } from "../i18n.js";
import { instrument, noBreak } from "../instruments.js";
import { enqueue, newId, outboxEvents, wasSent } from "../outbox.js";
import { hasScope, markDone, state } from "../state.js";
import { button, careTeamContact, crisisPlan, link } from "../ui.js";

const SUICIDE_ITEM = 8; // PHQ-9 item 9, zero-based
// An item the patient chose to skip on the review: sent as null (stored as missing, never 0).
const SKIPPED = "skipped";

export function questionnaireScreen(main, ctx) {
  const code = ctx.args[0];
  const def = instrument(code);
  if (!def) {
    ctx.navigate("home");
    return;
  }
  if (state.consents && !hasScope("self_report")) {
    mount(main, 
      h("h1", { tabindex: "-1" }, def.title),
      h("p", { class: "notice" }, _("You are not sharing questionnaires at the moment. You can change this in Settings.")),
      link(_("Go to Settings"), "#/settings"),
    );
    return;
  }
  const answers = new Array(def.items.length).fill(null);
  let index = 0;
  let backToReview = false; // "Change" from the review screen comes back to it
  let sending = false;

  const crisisNow = () => code === "PHQ-9" && typeof answers[SUICIDE_ITEM] === "number" && answers[SUICIDE_ITEM] > 0;
  // Item 9 skipped raises no alert (the team sees "not answered"): the crisis line stays offered.
  const item9Skipped = () => code === "PHQ-9" && answers[SUICIDE_ITEM] === SKIPPED;
  const unanswered = () => answers.some((value) => value === null);
  const allSkipped = () => answers.every((value) => value === SKIPPED);

  async function send() {
    if (sending || unanswered() || allSkipped()) return;
    sending = true;
    const id = newId();
    const sent = answers.map((value) => (value === SKIPPED ? null : value));
    const payload = { id, instrument: code, answers: sent, completed_at: isoWithOffset() };
    const crisis = crisisNow();
    // Queued first, so the answers are safe on the phone before anything else happens.
    await enqueue("questionnaire", payload);
    await markDone(code);
    if (crisis) ctx.navigate("crisis", id);
    else ctx.navigate("thanks", id);
  }

  function advance() {
    if (!backToReview && index + 1 < def.items.length) {
      index += 1;
      renderItem();
    } else {
      renderReview();
    }
  }

  // PHQ-9 item 9 above 0: the crisis line at once, on the phone, before the review and before
  // anything is sent (a mis-tap is corrected on the review; the care team is told on sending).
  function renderCrisisNow() {
    replace(main,
      h("div", { class: "crisis", id: "crisis-now" },
        h("h1", { tabindex: "-1" }, _("You are not alone")),
        h("p", { class: "lead" }, _("You told us you have had thoughts that you would be better off dead or of hurting yourself. Thank you for saying it. These thoughts can get better with help.")),
        crisisNumbers(ctx),
        careTeamContact(ctx),
        crisisPlan(ctx),
        h("p", { class: "notice" }, _("Your answers are not sent yet. On the next screen, check them and send them: your care team will then be told.")),
        button(_("Check and send my answers"), () => renderReview(), { id: "crisis-continue" }),
      ),
    );
    ctx.focusHeading();
  }

  function answerLabel(i) {
    if (answers[i] === SKIPPED) return _("Skipped (left out, not counted as 0)");
    const option = def.items[i].options.find((o) => o.value === answers[i]);
    return option ? option.label : _("Not answered");
  }

  function answerClass(i) {
    if (answers[i] === SKIPPED) return "review-answer skipped";
    return answers[i] === null ? "review-answer missing" : "review-answer";
  }

  function skip(i) {
    answers[i] = SKIPPED;
    renderReview(i);
  }

  // `focusItem`: after a skip, focus stays on that question's "Change" (not back at the top).
  function renderReview(focusItem = null) {
    backToReview = true;
    const missing = unanswered();
    const nothing = !missing && allSkipped();
    replace(main,
      h("h1", { tabindex: "-1", class: "q-title" }, _("Check your answers")),
      h("p", { class: "lead" }, _("Nothing is sent yet. You can change any answer before sending.")),
      crisisNow() || item9Skipped()
        ? h("div", { class: "crisis-banner", id: "review-crisis" },
            h("p", null, _("If you need help now, call %(number)s, free, 24 hours a day.", { number: ctx.state.config.crisisLine })),
            h("a", { class: "btn btn-call", href: `tel:${ctx.state.config.crisisLine}` },
              _("Call %(number)s", { number: ctx.state.config.crisisLine })))
        : null,
      h("ol", { class: "review", id: "review-list" },
        def.items.map((item, i) => {
          const labelId = nextId("review-q");
          return h("li", { class: "review-item", "data-item": String(i + 1) },
            h("p", { class: "review-question", id: labelId },
              h("span", { class: "review-n" }, _("Question %(n)s of %(total)s", { n: i + 1, total: def.items.length })),
              " ",
              item.text || null),
            h("p", { class: answerClass(i), "data-value": answers[i] === null ? "" : String(answers[i]) },
              answerLabel(i)),
            h("div", { class: "review-actions" },
              button(_("Change"), () => { index = i; renderItem(); }, {
                kind: "secondary", class: "btn btn-secondary review-change", "aria-describedby": labelId,
                "data-change": String(i + 1),
              }),
              answers[i] === SKIPPED
                ? null
                : button(_("Skip this question"), () => skip(i), {
                    kind: "secondary", class: "btn btn-secondary review-skip", "aria-describedby": labelId,
                    "data-skip": String(i + 1),
                  })),
          );
        })),
      missing ? h("p", { class: "notice" }, _("Answer or skip every question to send the questionnaire.")) : null,
      nothing ? h("p", { class: "notice" }, _("Answer at least one question to send the questionnaire.")) : null,
      h("p", { class: "hint" }, _("A question you skip is left out: your care team sees it was not answered.")),
      h("div", { class: "q-nav" },
        button(_("Send my answers"), () => send(), { id: "review-send", disabled: missing || nothing }),
        link(_("Stop for now"), "#/", { kind: "link" }),
      ),
    );
    const change = focusItem === null ? null : main.querySelector(`[data-change="${focusItem + 1}"]`);
    if (change) change.focus();
    else ctx.focusHeading();
  }

  function renderItem() {
    const item = def.items[index];
    const choose = (value) => {
      answers[index] = value;
      if (code === "PHQ-9" && index === SUICIDE_ITEM && value > 0) renderCrisisNow();
      else advance();
    };
    const questionId = nextId("question");
    replace(main, 
      h("h1", { tabindex: "-1", class: "q-title" }, noBreak(def.title)),
      h("p", { class: "step", id: `${questionId}-step` },
        _("Question %(n)s of %(total)s", { n: index + 1, total: def.items.length })),
      h("progress", { max: String(def.items.length), value: String(index), "aria-hidden": "true" }),
      h("div", { class: "q-item", role: "group", "aria-labelledby": questionId, "aria-describedby": `${questionId}-step` },
        h("h2", { id: questionId, tabindex: "-1", class: "q-question" },
          h("span", { class: "q-stem" }, def.stem),
          item.text ? h("span", { class: "q-text" }, item.text) : null),
        def.note ? h("p", { class: "hint" }, def.note) : null,
        h("div", { class: "answers" },
          item.options.map((option) => h("button", {
            type: "button",
            class: "answer",
            "aria-pressed": answers[index] === option.value ? "true" : "false",
            "data-value": String(option.value),
            onclick: () => choose(option.value),
          }, option.label)),
        ),
      ),
      h("div", { class: "q-nav" },
        backToReview
          ? button(_("Back to my answers"), () => renderReview(), { kind: "secondary", id: "back-to-review" })
          : index > 0 ? button(_("Previous question"), () => { index -= 1; renderItem(); }, { kind: "secondary" }) : null,
        link(_("Stop for now"), "#/", { kind: "link" }),
      ),
    );
    if (index === 0 && !backToReview) ctx.focusHeading();
    else document.getElementById(questionId).focus();
  }

  renderItem();
}

export function thanksScreen(main, ctx) {
  mount(main, 
    h("h1", { tabindex: "-1" }, _("Thank you")),
    h("p", { class: "lead" }, ctx.state.online
      ? _("Your answers are being sent to your care team.")
      : _("Your answers are saved on your phone and will be sent to your care team when you are back online.")),
    link(_("Back to today"), "#/", { kind: "primary" }),
  );
}

function crisisNumbers(ctx) {
  const { crisisLine, emergencyNumber } = ctx.state.config;
  return h("div", { class: "crisis-numbers" },
    h("a", { class: "btn btn-call", href: `tel:${crisisLine}`, id: "call-crisis-line" },
      _("Call %(number)s", { number: crisisLine })),
    h("p", null, _("Suicide prevention line: free, 24 hours a day, 7 days a week. Someone trained will listen to you.")),
    h("a", { class: "btn btn-secondary", href: `tel:${emergencyNumber}` },
      _("Emergency: call %(number)s", { number: emergencyNumber })),
    h("p", null, _("If you are in danger right now, call %(number)s or go to the nearest emergency department.", {
      number: emergencyNumber,
    })),
  );
}

export function crisisScreen(main, ctx) {
  const questionnaireId = ctx.args[0];
  const status = h("p", { class: "crisis-status", id: "crisis-status", role: "status" });
  const setStatus = (kind) => {
    status.dataset.state = kind;
    status.textContent = {
      sent: _("Your care team has been told. They will contact you."),
      sending: _("Your care team is being told now."),
      queued: _("You are offline. Your answers are saved on your phone and your care team will be told as soon as it is back online. If you need help now, call %(number)s.", { number: ctx.state.config.crisisLine }),
      failed: _("Your answers could not be sent. Please call your care team or %(number)s.", { number: ctx.state.config.crisisLine }),
    }[kind];
  };
  setStatus(wasSent(questionnaireId) ? "sent" : ctx.state.online ? "sending" : "queued");

  const onSent = (event) => {
    if (event.detail.item.id === questionnaireId) setStatus("sent");
  };
  const onFailed = (event) => {
    if (event.detail.item.id === questionnaireId) setStatus("failed");
  };
  const onRetry = (event) => {
    if (event.detail.item.id === questionnaireId) setStatus("queued");
  };
  outboxEvents.addEventListener("sent", onSent);
  outboxEvents.addEventListener("failed", onFailed);
  outboxEvents.addEventListener("retry", onRetry);

  mount(main, 
    h("div", { class: "crisis", id: "crisis" },
      h("h1", { tabindex: "-1" }, _("You are not alone")),
      h("p", { class: "lead" }, _("You told us you have had thoughts that you would be better off dead or of hurting yourself. Thank you for saying it. These thoughts can get better with help.")),
      status,
      crisisNumbers(ctx),
      careTeamContact(ctx),
      crisisPlan(ctx),
      link(_("Back to today"), "#/", { kind: "link" }),
    ),
  );
  return () => {
    outboxEvents.removeEventListener("sent", onSent);
    outboxEvents.removeEventListener("failed", onFailed);
    outboxEvents.removeEventListener("retry", onRetry);
  };
}

export function helpScreen(main, ctx) {
  mount(main, 
    h("div", { class: "crisis" },
      h("h1", { tabindex: "-1" }, _("Need help now?")),
      h("p", { class: "lead" }, _("If you are struggling or having thoughts of hurting yourself, you can talk to someone now.")),
      crisisNumbers(ctx),
      careTeamContact(ctx),
      crisisPlan(ctx),
      link(_("Back"), "#/", { kind: "link" }),
    ),
  );
}
