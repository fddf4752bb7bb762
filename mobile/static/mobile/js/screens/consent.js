// Consent, one plain-language screen per scope; each can be withdrawn later in Settings.
import { api, ApiError, NetworkError } from "../api.js";
import { kvSet } from "../db.js";
import { h, mount, replace } from "../dom.js";
import { _ } from "../i18n.js";
import { button, errorBox, networkMessage } from "../ui.js";

export const SCOPES = ["self_report", "sleep", "activity", "mobility", "speech", "risk_scoring"];

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
      h("p", null, _("You can change your mind at any time in Settings. Saying no does not change your care.")),
      h("div", { class: "stack" },
        button(_("Yes, I agree"), choose(true), { "data-scope": scope, "data-answer": "yes" }),
        button(_("No, thank you"), choose(false), { kind: "secondary", "data-scope": scope, "data-answer": "no" }),
        step > 0 ? button(_("Back"), () => { step -= 1; render(); }, { kind: "link" }) : null,
      ),
    ]);
  }

  async function confirm(event) {
    const target = event.currentTarget;
    errors.clear();
    const scopes = SCOPES.filter((scope) => answers[scope]);
    target.disabled = true;
    try {
      if (scopes.length) {
        const { data } = await api("me/consents/", {
          method: "POST",
          json: { version: ctx.state.config.consentVersion, scopes },
        });
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
          h("span", { class: answers[scope] ? "choice yes" : "choice no" }, answers[scope] ? _("Shared") : _("Not shared")),
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
