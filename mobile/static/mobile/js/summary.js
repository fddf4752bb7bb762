// The patient's week in plain words, from their own daily history (GET /me/timeline/): this
// week (the last 7 days) against last week and against their usual (the 4 weeks before). Only
// what the data can say: too few days, and the sentence is left out.
import { _, lang } from "./i18n.js";

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values) => {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
};
const present = (days, field) => days.map((d) => d[field]).filter((v) => v !== null && v !== undefined);

function number(value, digits = 1) {
  return new Intl.NumberFormat(lang(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

// `days`: the timeline's days in date order, the last one being today.
export function weeklySentences(days) {
  const thisWeek = days.slice(-7);
  const lastWeek = days.slice(-14, -7);
  const usual = days.slice(-35, -7);
  const sentences = [];

  const checkinDays = thisWeek.filter((d) => d.checkins > 0).length;
  sentences.push(_("You checked in on %(n)s of the last 7 days.", { n: checkinDays }));

  const sleepNow = present(thisWeek, "sleep_hours");
  const sleepUsual = present(usual, "sleep_hours");
  if (sleepNow.length >= 3 && sleepUsual.length >= 7) {
    sentences.push(_("You slept %(now)s h a night this week; your usual is %(usual)s h.", {
      now: number(mean(sleepNow)), usual: number(mean(sleepUsual)),
    }));
  } else if (sleepNow.length >= 3) {
    sentences.push(_("You slept %(now)s h a night this week.", { now: number(mean(sleepNow)) }));
  }

  const moodNow = present(thisWeek, "mood");
  const moodBefore = present(lastWeek, "mood");
  if (moodNow.length >= 3 && moodBefore.length >= 3) {
    const change = sd(moodNow) - sd(moodBefore);
    if (change < -0.25) sentences.push(_("Your mood was steadier than last week."));
    else if (change > 0.25) sentences.push(_("Your mood went up and down more than last week."));
    else sentences.push(_("Your mood was about as steady as last week."));
    const level = mean(moodNow) - mean(moodBefore);
    if (level <= -0.5) sentences.push(_("On average your mood was lower than last week."));
    else if (level >= 0.5) sentences.push(_("On average your mood was higher than last week."));
  }

  const stepsNow = present(thisWeek, "steps");
  const stepsUsual = present(usual, "steps");
  if (stepsNow.length >= 3 && stepsUsual.length >= 7) {
    sentences.push(_("You walked about %(now)s steps a day; your usual is %(usual)s.", {
      now: number(Math.round(mean(stepsNow) / 100) * 100, 0), usual: number(Math.round(mean(stepsUsual) / 100) * 100, 0),
    }));
  }
  return sentences;
}
