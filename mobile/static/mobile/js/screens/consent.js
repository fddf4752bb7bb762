// Consent, one plain-language screen per scope; each can be withdrawn later in Settings.
import { api, ApiError, NetworkError } from "../api.js";
import { kvSet } from "../db.js";
import { h, mount, replace } from "../dom.js";
import { _ } from "../i18n.js";
import { button, errorBox, networkMessage } from "../ui.js";

export const SCOPES = ["self_report", "sleep", "activity", "mobility", "speech", "risk_scoring", "emergency_access"];
// In force unless the patient turns them off (the server's OPT_OUT_SCOPES): saying no
// withdraws them, even with no earlier grant.
export const OPT_OUT_SCOPES = new Set(["emergency_access"]);

// The words of a scope's state and of its switch: most scopes are "shared"; an opt-out one is
// "allowed" (on unless turned off).
export function scopeWords(scope) {
  if (OPT_OUT_SCOPES.has(scope)) {
    return { on: _("Allowed"), off: _("Not allowed"), stop: _("Turn off"), start: _("Turn on") };
  }
  return { on: _("Shared"), off: _("Not shared"), stop: _("Stop sharing"), start: _("Start sharing") };
}

export function scopeText(scope) {
  const texts = {
    self_report: {
      title: _("Your check-ins and questionnaires"),
      body: _("Your daily check-ins (mood, anxiety, energy, irritability, sleep quality, medication, notes) and the questionnaires you fill in are sent to your care team, so they can see how you are between appointments."),
    },
    sleep: {
      title: _("Sleep"),
      body: _("Your phone or watch can send when you fell asleep, when you woke up and how well you slept. Only these summaries are sent."),
    },
    activity: {
      title: _("Steps"),
      body: _("The number of steps you take, as totals. Nothing about where you walked is sent."),
    },
    mobility: {
      title: _("Time at home and distance travelled"),
      body: _("How long you stay at home and how far you travel each day, as totals. Your exact locations are never sent."),
    },
    speech: {
      title: _("Voice diary"),
      body: _("When you record a voice diary, the app measures how you speak (speed, pauses, tone of voice). Nobody listens to the recording: it is deleted once measured."),
    },
    risk_scoring: {
      title: _("Early-warning score"),
      body: _("Each night a computer model looks at your data to help your care team notice early signs that you may need more support. A person in your care team always decides what to do."),
    },
    emergency_access: {
      title: _("Emergency access from other hospitals"),
      body: _("If you go to the psychiatric emergency department of another hospital in the area, the doctor there can open your record for a few hours to see what helps in a crisis: your crisis plan, your care team's phone number, recent alerts and how you have been. Your care team is told at once who opened it and why, and every opening is recorded. This is on unless you turn it off."),
      off: _("If you turn it off, an emergency doctor at another hospital will not see your record, even in a crisis: they will be told that you said no."),
    },
  };
  return texts[scope];
}

export function consentScreen(main, ctx) {
  const answers = {};
  let step = 0;
  const errors = errorBox();

  function show(children) {
    replace(main, ...children);
    ctx.focusHeading();
  }

  function renderScope() {
    const scope = SCOPES[step];
    const text = scopeText(scope);
    const choose = (yes) => () => {
      answers[scope] = yes;
      step += 1;
      render();
    };
    show([
      h("p", { class: "step" }, _("Step %(n)s of %(total)s", { n: step + 1, total: SCOPES.length })),
      h("h1", { tabindex: "-1" }, text.title),
      h("p", { class: "lead" }, text.body),
      text.off ? h("p", null, text.off) : null,
      h("p", null, _("You can change your mind at any time in Settings. Saying no does not change your care.")),
      h("div", { class: "stack" },
        button(OPT_OUT_SCOPES.has(scope) ? _("Yes, allow it") : _("Yes, I agree"), choose(true), { "data-scope": scope, "data-answer": "yes" }),
        button(OPT_OUT_SCOPES.has(scope) ? _("No, turn it off") : _("No, thank you"), choose(false), { kind: "secondary", "data-scope": scope, "data-answer": "no" }),
        step > 0 ? button(_("Back"), () => { step -= 1; render(); }, { kind: "link" }) : null,
      ),
    ]);
  }

  async function confirm(event) {
    const target = event.currentTarget;
    errors.clear();
    const scopes = SCOPES.filter((scope) => answers[scope]);
    const refused = SCOPES.filter((scope) => !answers[scope] && OPT_OUT_SCOPES.has(scope));
    target.disabled = true;
    try {
      const requests = [];
      if (scopes.length) {
        requests.push(["me/consents/", { version: ctx.state.config.consentVersion, scopes }]);
      }
      // An opt-out scope is in force until withdrawn: "no" is a withdrawal.
      if (refused.length) requests.push(["me/consents/withdraw/", { scopes: refused }]);
      for (const [path, json] of requests) {
        const { data } = await api(path, { method: "POST", json });
        ctx.state.consents = data;
        await kvSet("consents", data);
      }
      await kvSet("consent_reviewed", true);
      ctx.navigate("home");
    } catch (err) {
      target.disabled = false;
      if (err instanceof NetworkError) errors.show(networkMessage());
      else if (err instanceof ApiError) errors.show(_("Your choices could not be saved. Please try again."));
      else throw err;
    }
  }

  function renderSummary() {
    show([
      h("h1", { tabindex: "-1" }, _("Your choices")),
      errors.box,
      h("ul", { class: "choices" },
        SCOPES.map((scope) => h("li", null,
          h("span", { class: "choice-title" }, scopeText(scope).title),
          h("span", { class: answers[scope] ? "choice yes" : "choice no" },
            answers[scope] ? scopeWords(scope).on : scopeWords(scope).off),
        )),
      ),
      h("div", { class: "stack" },
        button(_("Confirm my choices"), confirm, { id: "consent-confirm" }),
        button(_("Back"), () => { step = SCOPES.length - 1; render(); }, { kind: "link" }),
      ),
    ]);
  }

  function render() {
    if (step < SCOPES.length) renderScope();
    else renderSummary();
  }

  render();
}
