// Today: what is due (from the care team's schedule), the reminder, what could not be sent.
import { formatDate, formatTime, localTime } from "../clock.js";
import { h, mount } from "../dom.js";
import { _ } from "../i18n.js";
import { INSTRUMENT_CODES, instrumentTitle } from "../instruments.js";
import { dismissFailed, failedItems } from "../outbox.js";
import { doneLocally, hasScope, patientZone, today } from "../state.js";
import { button, helpLink, link } from "../ui.js";

function failureText(item) {
  const status = item.error && item.error.status;
  const what = {
    checkin: _("A check-in"),
    questionnaire: _("A questionnaire"),
    recording: _("A voice diary"),
  }[item.kind];
  if (status === 403) return _("%(what)s was not sent: you are not sharing this kind of data at the moment.", { what });
  return _("%(what)s could not be accepted by the server and was not sent.", { what });
}

export async function reminderDue(state) {
  if (!state.schedule) return false;
  if (state.schedule.checkin.done_today || (await doneLocally("checkin"))) return false;
  return localTime(patientZone()) >= state.schedule.checkin.time;
}

export async function homeScreen(main, ctx) {
  const { state } = ctx;
  const schedule = state.schedule;
  const checkinDone = Boolean(schedule && schedule.checkin.done_today) || (await doneLocally("checkin"));
  const dueQuestionnaires = [];
  for (const q of schedule ? schedule.questionnaires : []) {
    if (q.due && !(await doneLocally(q.instrument))) dueQuestionnaires.push(q.instrument);
  }
  const selfReport = hasScope("self_report");

  const todo = [];
  todo.push(h("li", { class: checkinDone ? "task done" : "task" },
    h("span", { class: "task-title" }, _("Daily check-in")),
    checkinDone
      ? h("span", { class: "task-state" }, _("Done"))
      : link(_("Check in now"), "#/checkin", { kind: "primary", id: "start-checkin" }),
  ));
  for (const code of dueQuestionnaires) {
    todo.push(h("li", { class: "task" },
      h("span", { class: "task-title" }, instrumentTitle(code)),
      link(_("Start"), `#/q/${code}`, { kind: "primary", "data-instrument": code }),
    ));
  }

  const problems = await failedItems();
  const reminder = (await reminderDue(state)) && !checkinDone
    ? h("div", { class: "banner", role: "status", id: "reminder" },
        h("p", null, _("It is time for your daily check-in.")),
        link(_("Check in now"), "#/checkin", { kind: "primary" }))
    : null;

  mount(main, 
    h("h1", { tabindex: "-1" }, _("Today")),
    h("p", { class: "date" }, formatDate(today())),
    reminder,
    problems.length
      ? h("section", { class: "problems", "aria-labelledby": "problems-title" },
          h("h2", { id: "problems-title" }, _("Not sent")),
          h("ul", null, problems.map((item) => h("li", null,
            h("p", null, failureText(item)),
            button(_("Dismiss"), async () => { await dismissFailed(item.id); ctx.rerender(); }, { kind: "link" }),
          ))))
      : null,
    !selfReport && state.consents
      ? h("p", { class: "notice" }, _("You are not sharing check-ins and questionnaires. You can change this in Settings."))
      : null,
    h("section", { "aria-labelledby": "todo-title" },
      h("h2", { id: "todo-title" }, _("To do today")),
      h("ul", { class: "tasks" }, todo),
      checkinDone && !dueQuestionnaires.length
        ? h("p", { class: "all-done" }, _("All done for today. Thank you!"))
        : null,
      schedule
        ? h("p", { class: "hint" }, _("Your care team asks for a check-in every day at %(time)s.", {
            time: formatTime(schedule.checkin.time),
          }))
        : null,
    ),
    h("section", { "aria-labelledby": "more-title" },
      h("h2", { id: "more-title" }, _("More")),
      h("div", { class: "stack" },
        link(_("Record a voice diary"), "#/voice"),
        ...INSTRUMENT_CODES.filter((code) => !dueQuestionnaires.includes(code)).map((code) =>
          link(instrumentTitle(code), `#/q/${code}`, { "data-instrument": code })),
      ),
    ),
    helpLink(),
  );
}
