// Telling the nurse: the screen-reader announcer (#announcer, aria-live), a short beep (Web
// Audio) and a desktop notification (Notifications API, with the browser's permission) for
// safety and other critical alerts. Sound and notifications are ON by default; each nurse
// can switch them off (#sound-toggle, #notify-toggle), remembered per user in this browser.
// Browsers only play sound after the page has had a click or a key press: the first one
// unlocks it.
import { announcer, me, notifyPermission, notifyToggle, S, soundToggle } from "./config.js";

export function announce(text) {
  announcer.textContent = "";
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

const key = (name) => "alerts." + name + "." + (me.username || "anonymous");
function remembered(name) {
  try {
    return window.localStorage.getItem(key(name)) !== "off";
  } catch (_e) {
    return true;
  }
}
function remember(name, on) {
  try {
    window.localStorage.setItem(key(name), on ? "on" : "off");
  } catch (_e) {
    /* private mode: on for this page only */
  }
}

let soundOn = true;
let notifyOn = true;
let audio = null;

function audioContext() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  try {
    audio = audio || new Ctx();
  } catch (_e) {
    audio = null;
  }
  return audio;
}

export function beep() {
  if (!soundOn) return;
  const ctx = audioContext();
  if (!ctx) return;
  try {
    if (ctx.state === "suspended") ctx.resume();
    [0, 0.45].forEach((start) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const t = ctx.currentTime + start;
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.35);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.4);
    });
  } catch (_e) {
    /* no audio device: the visual cue remains */
  }
}

const canNotify = () => "Notification" in window;

// A desktop notification; clicking it brings the desk forward on the alert's card.
export function desktopNotify(title, body, tag, onClick) {
  if (!notifyOn || !canNotify() || window.Notification.permission !== "granted") return;
  try {
    const n = new window.Notification(title, { body: body, tag: tag, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      if (onClick) onClick();
      n.close();
    };
  } catch (_e) {
    /* some browsers only notify from a service worker: the page's own cues remain */
  }
}

function renderToggles() {
  soundToggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
  soundToggle.textContent = soundOn ? S.ui.sound_on : S.ui.sound_off;
  notifyToggle.setAttribute("aria-pressed", notifyOn ? "true" : "false");
  notifyToggle.textContent = notifyOn ? S.ui.notify_on : S.ui.notify_off;
  const state = canNotify() ? window.Notification.permission : "unsupported";
  notifyPermission.hidden = !(notifyOn && state === "default");
  const note = document.getElementById("notify-state");
  note.textContent = notifyOn && state === "denied" ? S.ui.notify_denied : state === "unsupported" ? S.ui.notify_unsupported : "";
  note.hidden = !note.textContent;
}

function askPermission() {
  if (!canNotify() || window.Notification.permission !== "default") return;
  try {
    const result = window.Notification.requestPermission(renderToggles);
    if (result && result.then) result.then(renderToggles, renderToggles);
  } catch (_e) {
    renderToggles();
  }
}

export function initNotify() {
  soundOn = remembered("sound");
  notifyOn = remembered("notify");
  soundToggle.addEventListener("click", () => {
    soundOn = !soundOn;
    remember("sound", soundOn);
    if (soundOn) beep();
    renderToggles();
  });
  notifyToggle.addEventListener("click", () => {
    notifyOn = !notifyOn;
    remember("notify", notifyOn);
    if (notifyOn) askPermission();
    renderToggles();
  });
  notifyPermission.addEventListener("click", askPermission);
  // The first gesture on the page unlocks the sound for the rest of the shift.
  const unlock = () => {
    const ctx = soundOn ? audioContext() : null;
    if (ctx && ctx.state === "suspended") ctx.resume();
    window.removeEventListener("pointerdown", unlock);
    window.removeEventListener("keydown", unlock);
  };
  window.addEventListener("pointerdown", unlock);
  window.addEventListener("keydown", unlock);
  renderToggles();
}
