// Building blocks shared by the screens.
import { formatDate, formatTime } from "./clock.js";
import { h, nextId } from "./dom.js";
import { _, lang } from "./i18n.js";

export function screen(title, ...children) {
  return [h("h1", { tabindex: "-1" }, title), ...children];
}

export function button(label, onClick, { kind = "primary", type = "button", ...rest } = {}) {
  return h("button", { type, class: `btn btn-${kind}`, onclick: onClick, ...rest }, label);
}

export function link(label, href, { kind = "secondary", ...rest } = {}) {
  return h("a", { href, class: `btn btn-${kind}`, ...rest }, label);
}

// A labelled input with its error line; returns { wrapper, input, setError }.
export function field({ label, name, type = "text", hint, ...attrs }) {
  const id = nextId(name);
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const input = h("input", { id, name, type, "aria-describedby": [hintId, errorId].filter(Boolean).join(" "), ...attrs });
  const error = h("p", { id: errorId, class: "field-error", hidden: true });
  const wrapper = h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null,
    input,
    error,
  );
  const setError = (message) => {
    error.textContent = message || "";
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  return { wrapper, input, setError };
}

export function errorBox() {
  const box = h("div", { class: "error-box", role: "alert", hidden: true });
  return {
    box,
    show(message) {
      box.textContent = message;
      box.hidden = false;
    },
    clear() {
      box.textContent = "";
      box.hidden = true;
    },
  };
}

export function firstMessage(data, field) {
  if (data && Array.isArray(data[field]) && data[field].length) return String(data[field][0]);
  return "";
}

export function networkMessage() {
  return _("No connection. Check your internet and try again.");
}

export function helpLink() {
  return h("p", { class: "help-link" }, h("a", { href: "#/help" }, _("Need help now?")));
}

// "Monday to Friday" / "du lundi au vendredi", from ISO weekdays (1 = Monday), in the app's language.
export function daysText(days) {
  const name = (day) => new Intl.DateTimeFormat(lang(), { weekday: "long", timeZone: "UTC" })
    .format(new Date(Date.UTC(2024, 0, day))); // 1 January 2024 was a Monday
  const sorted = [...days].sort((a, b) => a - b);
  if (!sorted.length) return "";
  if (sorted.length === 7) return _("every day");
  const contiguous = sorted.every((day, i) => i === 0 || day === sorted[i - 1] + 1);
  if (contiguous && sorted.length > 2) {
    return _("%(first)s to %(last)s", { first: name(sorted[0]), last: name(sorted[sorted.length - 1]) });
  }
  return sorted.map(name).join(", ");
}

// tel: links dial the server's E.164 form (patients/phones.py); a copy cached by an older
// version of the app has only the typed number, then its digits are dialled.
function dialled(e164, typed) {
  return e164 || typed.replace(/[^0-9+]/g, "");
}

// The care team's phone, opening hours and out-of-hours line (GET /me/care-team/, kept on the
// phone for offline use). Without it (not signed in yet), the general advice.
export function careTeamContact(ctx) {
  const team = ctx.state.careTeam;
  if (!team || (!team.phone && !team.out_of_hours_phone)) {
    return h("p", { class: "care-contact", id: "care-team-contact" },
      _("You can also call your care team during their opening hours."));
  }
  const hours = team.opens_at && team.closes_at && team.opening_days.length
    ? _("Open %(days)s, %(opens)s to %(closes)s.", {
        days: daysText(team.opening_days), opens: formatTime(team.opens_at), closes: formatTime(team.closes_at),
      })
    : null;
  return h("section", { class: "care-contact", id: "care-team-contact", "aria-labelledby": "care-team-title" },
    h("h2", { id: "care-team-title" }, _("Your care team")),
    h("p", { class: "care-team-name" }, team.name),
    team.phone
      ? h("a", { class: "btn btn-secondary", href: `tel:${dialled(team.phone_e164, team.phone)}`, id: "call-care-team" },
          _("Call your care team: %(number)s", { number: team.phone_national || team.phone }))
      : null,
    hours ? h("p", { id: "care-team-hours" }, hours) : null,
    team.out_of_hours_phone
      ? h("p", { id: "care-team-out-of-hours" },
          _("When they are closed, call:"), " ",
          h("a", { href: `tel:${dialled(team.out_of_hours_phone_e164, team.out_of_hours_phone)}`, class: "phone-link" },
            team.out_of_hours_phone_national || team.out_of_hours_phone))
      : null,
  );
}

// The crisis plan the care team wrote with the patient (GET /me/crisis-plan/, kept on the phone
// for offline use): warning signs, what helps, who to call (its phone numbers as tel: links,
// cut out by the server). Nothing when there is none.
export function crisisPlan(ctx) {
  const plan = ctx.state.crisisPlan;
  if (!plan) return null;
  const part = (title, id, ...body) => h("div", { class: "plan-part", id },
    h("h3", null, title),
    h("p", { class: "plan-text" }, ...body));
  const whoToCall = (plan.who_to_call_parts || []).map((piece) => (piece.tel
    ? h("a", { href: `tel:${piece.tel}`, class: "phone-link" }, piece.text)
    : piece.text));
  return h("section", { class: "crisis-plan", id: "crisis-plan", "aria-labelledby": "crisis-plan-title" },
    h("h2", { id: "crisis-plan-title" }, _("My crisis plan")),
    plan.warning_signs ? part(_("Warning signs"), "plan-warning-signs", plan.warning_signs) : null,
    plan.what_helped ? part(_("What helps me"), "plan-what-helps", plan.what_helped) : null,
    plan.who_to_call ? part(_("Who to call"), "plan-who-to-call", ...whoToCall) : null,
    plan.updated_at
      ? h("p", { class: "hint" }, _("Written with your care team; last changed %(date)s.",
          { date: formatDate(plan.updated_at.slice(0, 10), { day: "numeric", month: "long", year: "numeric" }) }))
      : null,
  );
}
