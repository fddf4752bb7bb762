// The phone app: boot, routing between screens, status bar, data refresh and reminders.
import { api, ApiError, AuthRequired, getAuth, NetworkError, saveAuth, signOutServer } from "./api.js";
import { pushDisable } from "./push.js";
import { kvGet, kvSet, openDb, outboxAll, wipeDevice } from "./db.js";
import { h, mount, replace } from "./dom.js";
import { _, loadCatalog } from "./i18n.js";
import { flush, outboxEvents, refreshCount } from "./outbox.js";
import { signedIn, state } from "./state.js";
import { enrolScreen, loginScreen, welcomeScreen } from "./screens/auth.js";
import { checkinScreen } from "./screens/checkin.js";
import { easyCheckinScreen } from "./screens/easy_checkin.js";
import { applyDisplay, easyRead } from "./easy.js";
import { consentScreen } from "./screens/consent.js";
import { historyScreen } from "./screens/history.js";
import { homeScreen, reminderDue } from "./screens/home.js";
import { crisisScreen, helpScreen, questionnaireScreen, thanksScreen } from "./screens/questionnaire.js";
import { settingsScreen } from "./screens/settings.js";
import { voiceScreen } from "./screens/voice.js";

const config = document.getElementById("app-config").dataset;
const ROUTES = {
  welcome: welcomeScreen,
  enrol: enrolScreen,
  login: loginScreen,
  help: helpScreen,
  consent: consentScreen,
  home: homeScreen,
  checkin: (main, context) => (easyRead() ? easyCheckinScreen : checkinScreen)(main, context),
  q: questionnaireScreen,
  thanks: thanksScreen,
  crisis: crisisScreen,
  voice: voiceScreen,
  history: historyScreen,
  settings: settingsScreen,
};
const PUBLIC = new Set(["welcome", "enrol", "login", "help"]);
const TABS = [
  { name: "home", href: "#/", label: () => _("Today") },
  { name: "history", href: "#/history", label: () => _("History") },
  { name: "settings", href: "#/settings", label: () => _("Settings") },
];
const APP_NAME = () => _("My care diary");

let cleanup = null;
let flashMessage = null;
let rendering = Promise.resolve();

function parseHash() {
  const parts = window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || "home", args: parts.slice(1) };
}

function navigate(name, ...args) {
  const hash = `#/${name === "home" ? "" : [name, ...args.map(encodeURIComponent)].join("/")}`;
  if (window.location.hash === hash || (hash === "#/" && !window.location.hash)) render();
  else window.location.hash = hash;
}

function focusHeading() {
  const heading = document.querySelector("#main h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    document.title = `${heading.textContent} – ${APP_NAME()}`;
  }
}

const ctx = {
  state,
  args: [],
  navigate,
  focusHeading,
  rerender: () => render(),
  flash: (message) => {
    flashMessage = message;
  },
  onSignedIn,
  signOut,
};

async function resolveRoute() {
  let { name, args } = parseHash();
  if (!ROUTES[name]) name = "home";
  if (!signedIn()) {
    if (!PUBLIC.has(name)) name = state.auth && state.auth.patientId ? "login" : "welcome";
  } else if (name === "welcome" || name === "enrol" || name === "login") {
    name = "home";
  } else if (!PUBLIC.has(name) && name !== "consent" && !(await kvGet("consent_reviewed"))) {
    name = "consent";
  }
  return { name, args };
}

function renderTabbar(name) {
  const nav = document.getElementById("tabbar");
  const show = signedIn() && !["consent", "q", "crisis"].includes(name);
  nav.hidden = !show;
  document.body.classList.toggle("with-tabbar", show);
  document.documentElement.classList.toggle("with-tabbar", show);
  nav.replaceChildren(
    ...TABS.map((tab) => h("a", { href: tab.href, class: "tab", "aria-current": tab.name === name ? "page" : null }, tab.label())),
  );
}

function render() {
  rendering = rendering.then(renderNow, renderNow);
  return rendering;
}

async function renderNow() {
  const { name, args } = await resolveRoute();
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  const main = document.getElementById("main");
  main.replaceChildren();
  renderTabbar(name);
  ctx.args = args;
  try {
    cleanup = await ROUTES[name](main, ctx);
  } catch (err) {
    if (err instanceof AuthRequired) {
      state.auth = await getAuth();
      navigate("login");
      return;
    }
    replace(main, h("h1", { tabindex: "-1" }, _("Something went wrong")), h("p", null, _("Please try again.")));
    throw err;
  }
  if (flashMessage) {
    const heading = main.querySelector("h1");
    const note = h("p", { class: "flash", role: "status" }, flashMessage);
    if (heading) heading.after(note);
    else main.prepend(note);
    flashMessage = null;
  }
  focusHeading();
}

function renderStatus() {
  const box = document.getElementById("net-status");
  const parts = [];
  if (!state.online) parts.push(h("span", { class: "badge badge-offline", id: "offline-badge" }, _("Offline")));
  if (state.pending > 0) {
    parts.push(h("span", { class: "badge badge-waiting", id: "waiting-count", "data-count": String(state.pending) },
      _("Waiting to send: %(n)s", { n: state.pending })));
  }
  box.replaceChildren(...parts);
}

// Fresh schedule and consents from the API when possible; the cached ones otherwise.
async function refreshData() {
  if (!signedIn()) return;
  try {
    const [schedule, consents, careTeam] = await Promise.all([
      api("me/schedule/"), api("me/consents/"), api("me/care-team/"),
    ]);
    state.schedule = schedule.data;
    state.consents = consents.data;
    state.careTeam = careTeam.data;
    await kvSet("schedule", schedule.data);
    await kvSet("consents", consents.data);
    await kvSet("care_team", careTeam.data);
    applyDisplay();
    await refreshCrisisPlan();
  } catch (err) {
    if (err instanceof AuthRequired) {
      state.auth = await getAuth();
      render();
    } else if (!(err instanceof NetworkError || err instanceof ApiError)) throw err;
  }
}

// The crisis plan, kept on the phone so that it shows offline; once the care team has none
// (never written, or removed), the copy is forgotten.
async function refreshCrisisPlan() {
  const before = JSON.stringify(state.crisisPlan);
  const plan = (await api("me/crisis-plan/")).data;
  state.crisisPlan = plan.written ? plan : null;
  await kvSet("crisis_plan", state.crisisPlan);
  // The help screen shows the plan as it is now, not the copy it was drawn from.
  if (JSON.stringify(state.crisisPlan) !== before && parseHash().name === "help") render();
}

async function onSignedIn(tokens) {
  const previous = await getAuth();
  await saveAuth({ ...tokens, patientId: null });
  let me;
  try {
    me = (await api("me/")).data;
  } catch (err) {
    await saveAuth(previous || null);
    throw err;
  }
  if (me.role !== "patient" || !me.patient_id) {
    await signOutServer();
    await saveAuth(null);
    state.auth = null;
    throw new Error("not-a-patient");
  }
  // Another person's leftovers never go out under this account: a new person starts clean.
  if (previous && previous.patientId && previous.patientId !== me.patient_id) {
    await wipeDevice();
  }
  state.auth = { ...tokens, username: me.username, patientId: me.patient_id };
  await saveAuth(state.auth);
  await refreshData();
  const consents = state.consents;
  if (consents && consents.history && consents.history.length) await kvSet("consent_reviewed", true);
  flush(true);
  navigate("home");
}

async function signOut() {
  try {
    await pushDisable(); // no reminders for a person no longer signed in on this phone
  } catch (err) {
    // Offline: the browser's subscription is gone all the same; the server drops it later.
  }
  await signOutServer();
  await wipeDevice();
  state.auth = null;
  state.schedule = null;
  state.consents = null;
  state.careTeam = null;
  state.crisisPlan = null;
  state.pending = 0;
  try {
    window.localStorage.clear();
    window.sessionStorage.clear();
  } catch (err) {
    // Storage may be disabled; nothing of ours would be there then.
  }
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "sign-out" });
  }
  renderStatus();
  navigate("welcome");
}

async function checkReminder() {
  if (!signedIn() || (await kvGet("reminders_on")) === false) return;
  if (!(await reminderDue(state))) return;
  const { name } = parseHash();
  if ((name === "home" || !name) && !document.getElementById("reminder")) render();
  const key = `notified:${state.schedule.date}`;
  if ("Notification" in window && Notification.permission === "granted" && !(await kvGet(key))) {
    await kvSet(key, true);
    const registration = navigator.serviceWorker && (await navigator.serviceWorker.getRegistration(state.config.scope));
    const options = { body: _("It is time for your daily check-in."), tag: key, icon: "/static/mobile/icons/icon-192.png" };
    if (registration) registration.showNotification(APP_NAME(), options);
    else new Notification(APP_NAME(), options);
  }
}

// Focus is never hidden under the sticky header or the tab bar. CSS scroll-padding does it
// for the browser's own scrolling; this covers what it misses (e.g. a focus without scrolling).
function keepFocusVisible(event) {
  const el = event.target;
  if (!(el instanceof Element) || el.closest("#tabbar, .app-header") || el.id === "main") return;
  const bar = document.getElementById("tabbar");
  const header = document.querySelector(".app-header");
  const bottom = bar && !bar.hidden ? bar.getBoundingClientRect().top : window.innerHeight;
  const top = header ? header.getBoundingClientRect().bottom : 0;
  const box = el.getBoundingClientRect();
  const margin = 12;
  if (box.bottom > bottom - margin && box.height < bottom - top) {
    window.scrollBy(0, box.bottom - bottom + margin);
  } else if (box.top < top + margin) {
    window.scrollBy(0, box.top - top - margin);
  }
}

async function boot() {
  document.addEventListener("focusin", keepFocusVisible);
  await Promise.all([loadCatalog(config.catalogUrl), openDb()]);
  state.auth = await getAuth();
  state.schedule = (await kvGet("schedule")) || null;
  state.consents = (await kvGet("consents")) || null;
  state.careTeam = (await kvGet("care_team")) || null;
  state.crisisPlan = (await kvGet("crisis_plan")) || null;
  applyDisplay();

  outboxEvents.addEventListener("change", (event) => {
    state.pending = event.detail.pending;
    state.failed = event.detail.failed;
    renderStatus();
  });
  outboxEvents.addEventListener("sent", () => {
    if (state.pending <= 1) refreshData();
  });
  // A check-in whose note the server read as risk language (its answer says `crisis_line`): the
  // crisis line at once, as after PHQ-9 item 9, also when it was queued offline and sent later.
  outboxEvents.addEventListener("sent", (event) => {
    const { item, data } = event.detail;
    if (item.kind === "checkin" && data && data.crisis_line === true) navigate("crisis", item.id);
  });
  outboxEvents.addEventListener("auth-required", async () => {
    state.auth = await getAuth();
    render();
  });
  window.addEventListener("online", () => {
    state.online = true;
    renderStatus();
    flush(true);
    refreshData();
  });
  window.addEventListener("offline", () => {
    state.online = false;
    renderStatus();
  });
  window.addEventListener("hashchange", () => render());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      flush();
      checkReminder();
    }
  });

  if ("serviceWorker" in navigator && config.swUrl) {
    navigator.serviceWorker.register(config.swUrl, { scope: state.config.scope }).catch(() => undefined);
  }

  renderStatus();
  await refreshCount();
  await render();
  if (signedIn()) {
    refreshData().then(() => {
      const { name } = parseHash();
      if (name === "home" || !name) render();
    });
    flush(true);
  }
  window.setInterval(checkReminder, 30000);
  checkReminder();
  document.documentElement.dataset.ready = "true";
}

boot();

// For tests and debugging: how many submissions wait on this phone.
window.relapseOutboxSize = async () => (await outboxAll()).length;
