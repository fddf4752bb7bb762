// The easy-read daily check-in: one question per screen, a few large pictograms, short
// sentences, read aloud on demand, and a last screen to check before sending. It sends the
// same check-in as the standard screen (POST /checkins/): mood −2…+2 (five faces), sleep
// quality and energy 2, 5 or 8 on the 0–10 scales; "Skip" sends nothing for that question.
import { isoWithOffset } from "../clock.js";
import { h, replace } from "../dom.js";
import { _ } from "../i18n.js";
import { pictogram, readAloudButton } from "../easy.js";
import { enqueue, newId } from "../outbox.js";
import { markDone } from "../state.js";
import { button, link } from "../ui.js";

function questions() {
  return [
    {
      field: "mood", title: _("How do you feel today?"), skippable: false,
      options: [
        { value: -2, label: _("Very bad"), picto: "mood-very-low" },
        { value: -1, label: _("Bad"), picto: "mood-low" },
        { value: 0, label: _("OK"), picto: "mood-steady" },
        { value: 1, label: _("Good"), picto: "mood-high" },
        { value: 2, label: _("Very good, full of energy"), picto: "mood-very-high" },
      ],
    },
    {
      field: "sleep_quality", title: _("How did you sleep last night?"), skippable: true,
      options: [
        { value: 2, label: _("Badly"), picto: "sleep-bad" },
        { value: 5, label: _("So-so"), picto: "sleep-so-so" },
        { value: 8, label: _("Well"), picto: "sleep-good" },
      ],
    },
    {
      field: "energy", title: _("How much energy do you have?"), skippable: true,
      options: [
        { value: 2, label: _("Little"), picto: "energy-low" },
        { value: 5, label: _("Some"), picto: "energy-some" },
        { value: 8, label: _("A lot"), picto: "energy-high" },
      ],
    },
  ];
}

export function easyCheckinScreen(main, ctx) {
  const list = questions();
  const answers = {}; // field -> value; a skipped question is absent (sent as missing)
  const skipped = new Set();
  let step = 0;
  let reviewing = false;

  function renderQuestion() {
    const q = list[step];
    replace(main,
      h("h1", { tabindex: "-1", class: "easy-title" }, q.title),
      h("p", { class: "step" }, _("Question %(n)s of %(total)s", { n: step + 1, total: list.length })),
      readAloudButton(() => [q.title, ...q.options.map((o) => o.label)].join(". ")),
      h("div", { class: "picto-choices", role: "group", "aria-label": q.title },
        q.options.map((option) => h("button", {
          type: "button", class: "picto-choice", "data-field": q.field, "data-value": String(option.value),
          "aria-pressed": answers[q.field] === option.value ? "true" : "false",
          onclick: () => {
            answers[q.field] = option.value;
            skipped.delete(q.field);
            next();
          },
        }, pictogram(option.picto), h("span", null, option.label))),
      ),
      h("div", { class: "q-nav" },
        q.skippable ? button(_("Skip this question"), () => {
          delete answers[q.field];
          skipped.add(q.field);
          next();
        }, { kind: "secondary", id: "easy-skip" }) : null,
        step > 0 && !reviewing ? button(_("Back"), () => { step -= 1; renderQuestion(); }, { kind: "link" }) : null,
        link(_("Stop"), "#/", { kind: "link" }),
      ),
    );
    ctx.focusHeading();
  }

  function next() {
    if (!reviewing && step + 1 < list.length) {
      step += 1;
      renderQuestion();
    } else {
      renderReview();
    }
  }

  function answerText(q) {
    const option = q.options.find((o) => o.value === answers[q.field]);
    return option ? option : null;
  }

  function renderReview() {
    reviewing = true;
    const lines = list.map((q) => {
      const option = answerText(q);
      return { q, option, text: option ? option.label : _("Skipped") };
    });
    replace(main,
      h("h1", { tabindex: "-1", class: "easy-title" }, _("Is this right?")),
      readAloudButton(() => [_("Is this right?"), ...lines.map((l) => `${l.q.title} ${l.text}`)].join(". ")),
      h("ul", { class: "easy-review", id: "easy-review" },
        lines.map(({ q, option, text }, i) => h("li", { "data-field": q.field },
          option ? pictogram(option.picto) : null,
          h("div", null,
            h("p", { class: "review-question" }, q.title),
            h("p", { class: "review-answer" }, text),
            button(_("Change"), () => { step = i; renderQuestion(); }, {
              kind: "secondary", "aria-label": `${_("Change")}: ${q.title}`, "data-change": q.field,
            }),
          ),
        ))),
      button(_("Yes, send"), send, { id: "easy-send", class: "btn btn-primary btn-big" }),
      link(_("Stop"), "#/", { kind: "link" }),
    );
    ctx.focusHeading();
  }

  async function send() {
    const payload = { id: newId(), recorded_at: isoWithOffset(), mood: answers.mood };
    if (answers.sleep_quality !== undefined) payload.sleep_quality = answers.sleep_quality;
    if (answers.energy !== undefined) payload.energy = answers.energy;
    await enqueue("checkin", payload);
    await markDone("checkin");
    ctx.flash(ctx.state.online ? _("Done. Thank you!") : _("Saved on your phone. It will be sent later."));
    ctx.navigate("home");
  }

  renderQuestion();
}
