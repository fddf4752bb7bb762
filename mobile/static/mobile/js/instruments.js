// The questionnaires, with their published wording. The English text is the source; the
// French text is in the djangojs catalogue (mobile/locale/fr): the validated French
// versions of the PHQ-9 and GAD-7, and the French ASRM (see docs/phone-app.md).
import { _ } from "./i18n.js";

function frequencyOptions() {
  return [
    { value: 0, label: _("Not at all") },
    { value: 1, label: _("Several days") },
    { value: 2, label: _("More than half the days") },
    { value: 3, label: _("Nearly every day") },
  ];
}

export function instrument(code) {
  if (code === "PHQ-9") {
    const options = frequencyOptions();
    return {
      code,
      title: _("Mood questionnaire (PHQ-9)"),
      stem: _("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
      items: [
        _("Little interest or pleasure in doing things"),
        _("Feeling down, depressed, or hopeless"),
        _("Trouble falling or staying asleep, or sleeping too much"),
        _("Feeling tired or having little energy"),
        _("Poor appetite or overeating"),
        _("Feeling bad about yourself — or that you are a failure or have let yourself or your family down"),
        _("Trouble concentrating on things, such as reading the newspaper or watching television"),
        _("Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual"),
        _("Thoughts that you would be better off dead or of hurting yourself in some way"),
      ].map((text) => ({ text, options })),
    };
  }
  if (code === "GAD-7") {
    const options = frequencyOptions();
    return {
      code,
      title: _("Anxiety questionnaire (GAD-7)"),
      stem: _("Over the last 2 weeks, how often have you been bothered by the following problems?"),
      items: [
        _("Feeling nervous, anxious or on edge"),
        _("Not being able to stop or control worrying"),
        _("Worrying too much about different things"),
        _("Trouble relaxing"),
        _("Being so restless that it is hard to sit still"),
        _("Becoming easily annoyed or irritable"),
        _("Feeling afraid as if something awful might happen"),
      ].map((text) => ({ text, options })),
    };
  }
  if (code === "ASRM") {
    const group = (...labels) => ({ text: "", options: labels.map((label, value) => ({ value, label })) });
    return {
      code,
      title: _("Energy and mood questionnaire (ASRM)"),
      stem: _("Choose the one statement in this group that best describes the way you have been feeling for the past week."),
      note: _("“Occasionally” means once or twice; “often” means several times or more; “frequently” means most of the time."),
      items: [
        group(
          _("I do not feel happier or more cheerful than usual."),
          _("I occasionally feel happier or more cheerful than usual."),
          _("I often feel happier or more cheerful than usual."),
          _("I feel happier or more cheerful than usual most of the time."),
          _("I feel happier or more cheerful than usual all of the time."),
        ),
        group(
          _("I do not feel more self-confident than usual."),
          _("I occasionally feel more self-confident than usual."),
          _("I often feel more self-confident than usual."),
          _("I frequently feel more self-confident than usual."),
          _("I feel extremely self-confident all of the time."),
        ),
        group(
          _("I do not need less sleep than usual."),
          _("I occasionally need less sleep than usual."),
          _("I often need less sleep than usual."),
          _("I frequently need less sleep than usual."),
          _("I can go all day and all night without any sleep and still not feel tired."),
        ),
        group(
          _("I do not talk more than usual."),
          _("I occasionally talk more than usual."),
          _("I often talk more than usual."),
          _("I frequently talk more than usual."),
          _("I talk constantly and cannot be interrupted."),
        ),
        group(
          _("I have not been more active (either socially, sexually, at work, home, or school) than usual."),
          _("I have occasionally been more active than usual."),
          _("I have often been more active than usual."),
          _("I have frequently been more active than usual."),
          _("I am constantly more active or on the go all the time."),
        ),
      ],
    };
  }
  return null;
}

export const INSTRUMENT_CODES = ["PHQ-9", "GAD-7", "ASRM"];

// "PHQ-9" must not break at its hyphen on a narrow screen: U+2011 is a non-breaking hyphen.
export function noBreak(text) {
  return text.replace(/(PHQ|GAD)-(\d)/g, "$1\u2011$2");
}

export function instrumentTitle(code) {
  const found = instrument(code);
  return noBreak(found ? found.title : code);
}
