// Web Push: the daily check-in reminder reaches the phone even when the app is closed
// (mobile/push.py sends it; sw.js shows it). The server's message says only "check-in
// reminder"; the words come from this app's own catalogue.
import { api } from "./api.js";
import { lang } from "./i18n.js";
import { state } from "./state.js";

function keyBytes(b64url) {
  const padded = b64url + "=".repeat((4 - (b64url.length % 4)) % 4);
  const raw = window.atob(padded.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

async function registration() {
  if (!pushSupported()) return null;
  return (await navigator.serviceWorker.getRegistration(state.config.scope)) || null;
}

// {supported, available (the server can send), on (this phone is subscribed)}
export async function pushStatus() {
  const reg = await registration();
  if (!reg) return { supported: false, available: false, on: false };
  const subscription = await reg.pushManager.getSubscription();
  const path = subscription ? `me/push/?endpoint=${encodeURIComponent(subscription.endpoint)}` : "me/push/";
  const { data } = await api(path);
  return { supported: true, available: data.enabled, on: Boolean(subscription && data.subscribed) };
}

// Throws Error("permission") if notifications are refused, Error("unavailable") if the
// server or the phone cannot do push; network and API errors as api() throws them.
export async function pushEnable() {
  if (!pushSupported()) throw new Error("unavailable");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("permission");
  const reg = await navigator.serviceWorker.ready;
  const { data } = await api("me/push/");
  if (!data.enabled || !data.public_key) throw new Error("unavailable");
  let subscription = await reg.pushManager.getSubscription();
  if (!subscription) {
    subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(data.public_key) });
  }
  await api("me/push/", { method: "POST", json: { ...subscription.toJSON(), language: lang() } });
}

// Best effort: the browser's subscription always goes; the server forgets it now, or at
// the next reminder when the push service answers that it is gone.
export async function pushDisable() {
  const reg = await registration();
  const subscription = reg && (await reg.pushManager.getSubscription());
  if (!subscription) return;
  try {
    await api("me/push/", { method: "DELETE", json: { endpoint: subscription.endpoint } });
  } finally {
    await subscription.unsubscribe();
  }
}
