// The daily check-in: under 30 seconds. Mood is one tap; the sliders and the rest are optional.
import { isoWithOffset } from "../clock.js";
import { h, mount, nextId } from "../dom.js";
import { _ } from "../i18n.js";
import { enqueue, newId } from "../outbox.js";
import { hasScope, markDone, state } from "../state.js";
import { button, errorBox, link } from "../ui.js";

function moodOptions() {
  return [
    { value: 3, label: _("Very high") },
    { value: 2, label: _("High") },
    { value: 1, label: _("Slightly high") },
    { value: 0, label: _("Steady") },
    { value: -1, label: _("Slightly low") },
    { value: -2, label: _("Low") },
    { value: -3, label: _("Very low") },
  ];
}

// A 0–10 scale that looks unanswered (no thumb, grey track, "Not answered") until touched;
// "Skip" puts it back to unanswered. Unanswered or skipped is sent as missing, never as 0.
function slider(name, label, lowLabel, highLabel) {
  const id = nextId(name);
  const output = h("output", { for: id, class: "slider-value", id: `${id}-value` }, _("Not answered"));
  const input = h("input", {
    type: "range", id, name, min: "0", max: "10", step: "1", value: "5",
    class: "untouched", "aria-describedby": `${id}-value ${id}-ends`, "aria-valuetext": _("Not answered"),
  });
  const setTouched = () => {
    input.classList.remove("untouched");
    input.dataset.touched = "1";
    output.textContent = input.value;
    output.classList.remove("unanswered");
    input.setAttribute("aria-valuetext", `${input.value} / 10`);
    skip.hidden = false;
  };
  const skip = h("button", {
    type: "button", class: "btn btn-link slider-skip", hidden: true, "data-skip": name,
    "aria-label": _("Skip: %(question)s", { question: label }),
    onclick: () => {
      input.classList.add("untouched");
      delete input.dataset.touched;
      input.value = "5";
      output.textContent = _("Skipped");
      output.classList.add("unanswered");
      input.setAttribute("aria-valuetext", _("Skipped"));
      skip.hidden = true;
      input.focus();
    },
  }, _("Skip"));
  output.classList.add("unanswered");
  input.addEventListener("input", setTouched);
  input.addEventListener("change", setTouched);
  return {
    node: h("div", { class: "slider" },
      h("div", { class: "slider-head" }, h("label", { for: id }, label), output),
      input,
      h("p", { class: "slider-ends", id: `${id}-ends` }, h("span", null, `0 ${lowLabel}`), h("span", null, `10 ${highLabel}`)),
      skip,
    ),
    value: () => (input.dataset.touched ? Number(input.value) : null),
  };
}

function radioGroup(name, legend, options, { className = "" } = {}) {
  const fieldset = h("fieldset", { class: `choice-group ${className}` },
    h("legend", null, legend),
    options.map((option) => {
      const id = nextId(name);
      return h("div", { class: "choice-option" },
        h("input", { type: "radio", id, name, value: String(option.value) }),
        h("label", { for: id }, option.number !== undefined ? h("span", { class: "num" }, option.number) : null,
          h("span", { class: "word" }, option.label)),
      );
    }),
  );
  const value = () => {
    const checked = fieldset.querySelector("input:checked");
    return checked ? checked.value : null;
  };
  return { fieldset, value };
}

export function checkinScreen(main, ctx) {
  if (state.consents && !hasScope("self_report")) {
    mount(main, 
      h("h1", { tabindex: "-1" }, _("Daily check-in")),
      h("p", { class: "notice" }, _("You are not sharing check-ins at the moment. You can change this in Settings.")),
      link(_("Go to Settings"), "#/settings"),
    );
    return;
  }
  const errors = errorBox();
  const mood = radioGroup("mood", _("How is your mood right now?"),
    moodOptions().map((o) => ({ ...o, number: o.value > 0 ? `+${o.value}` : String(o.value) })),
    { className: "mood" });
  const sliders = {
    anxiety: slider("anxiety", _("Anxiety"), _("none"), _("extreme")),
    energy: slider("energy", _("Energy"), _("none"), _("extreme")),
    irritability: slider("irritability", _("Irritability"), _("none"), _("extreme")),
    sleep_quality: slider("sleep_quality", _("Sleep quality last night"), _("very bad"), _("very good")),
  };
  const medication = radioGroup("medication_taken", _("Did you take your medication as prescribed today?"), [
    { value: "true", label: _("Yes") },
    { value: "false", label: _("No") },
  ], { className: "yesno" });
  const noteId = nextId("note");
  const note = h("textarea", { id: noteId, name: "note", maxlength: "2000", rows: "3" });
  // The note flagged "for my next appointment" is quoted in the clinicians' pre-consultation summary.
  const forAppointment = h("input", { type: "checkbox", id: "note-for-appointment", name: "for_next_appointment" });

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    const moodValue = mood.value();
    if (moodValue === null) {
      errors.show(_("Choose how your mood is (the first question)."));
      mood.fieldset.querySelector("input").focus();
      return;
    }
    const payload = { id: newId(), recorded_at: isoWithOffset(), mood: Number(moodValue) };
    for (const [key, control] of Object.entries(sliders)) {
      const value = control.value();
      if (value !== null) payload[key] = value;
    }
    const med = medication.value();
    if (med !== null) payload.medication_taken = med === "true";
    if (note.value.trim()) payload.note = note.value.trim();
    if (note.value.trim() && forAppointment.checked) payload.for_next_appointment = true;
    await enqueue("checkin", payload);
    await markDone("checkin");
    ctx.flash(ctx.state.online
      ? _("Check-in saved. Thank you!")
      : _("Check-in saved on your phone. It will be sent when you are back online."));
    ctx.navigate("home");
  }

  mount(main, 
    h("h1", { tabindex: "-1" }, _("Daily check-in")),
    errors.box,
    h("form", { onsubmit: onSubmit, novalidate: true, class: "checkin" },
      mood.fieldset,
      h("fieldset", { class: "sliders" },
        h("legend", null, _("Right now, how much… (optional)")),
        Object.values(sliders).map((s) => s.node)),
      medication.fieldset,
      h("div", { class: "field" },
        h("label", { for: noteId }, _("Anything you want to add? (optional)")),
        note),
      h("div", { class: "check" }, forAppointment,
        h("label", { for: "note-for-appointment" }, _("For my next appointment: show this note to my doctor"))),
      button(_("Save check-in"), null, { type: "submit", id: "checkin-submit" }),
    ),
  );
}
