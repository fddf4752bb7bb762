// Easy-read mode (French "FALC", plain English) and the display settings, remembered on the
// phone: the patient's choice in Settings wins; otherwise the care team's (GET /me/schedule/
// `easy_read`). Text size and high contrast are applied to <html> before the first screen.
import { h } from "./dom.js";
import { _, lang } from "./i18n.js";
import { state } from "./state.js";

const KEY = "relapse-display";
const PICTOGRAMS = "/static/mobile/pictograms/";

export function prefs() {
  try {
    return { easyRead: null, textSize: "normal", contrast: false, ...JSON.parse(window.localStorage.getItem(KEY) || "{}") };
  } catch (err) {
    return { easyRead: null, textSize: "normal", contrast: false };
  }
}

export function savePrefs(changes) {
  const next = { ...prefs(), ...changes };
  try {
    window.localStorage.setItem(KEY, JSON.stringify(next));
  } catch (err) {
    // Storage disabled: the choice lasts until the page is closed.
  }
  applyDisplay(next);
  return next;
}

export function applyDisplay(current = prefs()) {
  const root = document.documentElement;
  root.classList.toggle("text-large", current.textSize === "large");
  root.classList.toggle("text-larger", current.textSize === "larger");
  root.classList.toggle("high-contrast", Boolean(current.contrast));
  root.classList.toggle("easy-read", easyRead());
}

export function easyRead() {
  const chosen = prefs().easyRead;
  if (chosen === true || chosen === false) return chosen;
  return Boolean(state.schedule && state.schedule.easy_read);
}

export function pictogram(name) {
  return h("img", { src: `${PICTOGRAMS}${name}.svg`, alt: "", class: "picto", width: "56", height: "56" });
}

export function pictogramUrls() {
  return [
    "mood-very-low", "mood-low", "mood-steady", "mood-high", "mood-very-high",
    "sleep-bad", "sleep-so-so", "sleep-good", "energy-low", "energy-some", "energy-high", "read-aloud",
  ].map((name) => `${PICTOGRAMS}${name}.svg`);
}

function speechLang() {
  return lang().startsWith("fr") ? "fr-FR" : "en-GB";
}

export function canSpeak() {
  return "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";
}

// Reads the text aloud with the phone's own voices, in the app's language (offline where the
// phone has such a voice).
export function speak(text) {
  if (!canSpeak()) return false;
  const utterance = new window.SpeechSynthesisUtterance(text);
  utterance.lang = speechLang();
  const voice = window.speechSynthesis.getVoices().find((v) => v.lang && v.lang.replace("_", "-").startsWith(speechLang().slice(0, 2)));
  if (voice) utterance.voice = voice;
  utterance.rate = 0.9;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(utterance);
  return true;
}

// A "Read aloud" button that reads what `text()` returns at the time of the tap.
export function readAloudButton(text) {
  if (!canSpeak()) return null;
  return h("button", {
    type: "button", class: "btn btn-secondary read-aloud", id: "read-aloud",
    onclick: () => speak(text()),
  }, pictogram("read-aloud"), h("span", null, _("Read aloud")));
}
