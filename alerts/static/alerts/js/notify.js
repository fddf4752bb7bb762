// Telling the nurse: the screen-reader announcer (#announcer, aria-live) and a short beep
// (Web Audio), which is off unless the nurse turns it on (#sound-toggle, kept in localStorage).
import { announcer, S, soundToggle } from "./config.js";

export function announce(text) {
  announcer.textContent = "";
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

let soundOn = false;
let audio = null;

function renderSound() {
  soundToggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
  soundToggle.textContent = soundOn ? S.ui.sound_on : S.ui.sound_off;
}

export function beep() {
  if (!soundOn) return;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  try {
    audio = audio || new Ctx();
    if (audio.state === "suspended") audio.resume();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.4);
  } catch (_e) {
    /* no audio device: the visual cue remains */
  }
}

export function initSound() {
  try {
    soundOn = window.localStorage.getItem("alerts.sound") === "on";
  } catch (_e) {
    soundOn = false;
  }
  soundToggle.addEventListener("click", () => {
    soundOn = !soundOn;
    try {
      window.localStorage.setItem("alerts.sound", soundOn ? "on" : "off");
    } catch (_e) {
      /* private mode */
    }
    if (soundOn) beep();
    renderSound();
  });
  renderSound();
}
