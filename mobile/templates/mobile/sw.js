/* Service worker of the phone app (scope {{ scope }}), version {{ version }}.
 *
 * Caches the app shell only: pages, scripts, styles, icons and catalogues, none of which
 * holds patient data. API answers are never cached here (patient data lives in IndexedDB,
 * and is wiped at sign-out); submissions are queued by the page, not by this worker.
 *
 * Shows the daily check-in reminder the server pushes (mobile/push.py) when the app is
 * closed: the message says only what it is; the words come from the app's catalogue. */
"use strict";

const VERSION = "{{ version }}";
const SHELL_CACHE = "relapse-shell-" + VERSION;
const SCOPE = "{{ scope }}";
const PRECACHE = {{ precache_json|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("relapse-") && key !== SHELL_CACHE).map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

async function networkFirstShell(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(SHELL_CACHE);
      await cache.put(SCOPE, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await caches.match(SCOPE, { ignoreVary: true, ignoreSearch: true });
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return; // patient data: straight to the network
  if (request.mode === "navigate" && url.pathname.startsWith(SCOPE)) {
    event.respondWith(networkFirstShell(request));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "sign-out") {
    // Nothing personal is cached here; refresh the shell so no stale state survives.
    event.waitUntil(caches.keys().then((keys) => Promise.all(
      keys.filter((key) => key.startsWith("relapse-") && key !== SHELL_CACHE).map((key) => caches.delete(key))
    )));
  }
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = SCOPE + "#/checkin";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((clients) => {
      for (const client of clients) {
        if (new URL(client.url).pathname.startsWith(SCOPE) && "focus" in client) {
          client.navigate(target);
          return client.focus();
        }
      }
      return self.clients.openWindow(target);
    })
  );
});

async function reminderText(language) {
  let catalog = {};
  try {
    const url = `${SCOPE}i18n/${language}.json`;
    const response = (await caches.match(url, { ignoreVary: true, ignoreSearch: true })) || (await fetch(url));
    catalog = (await response.json()).catalog || {};
  } catch (err) {
    catalog = {};
  }
  const t = (text) => (typeof catalog[text] === "string" && catalog[text]) || text;
  return { title: t("My care diary"), body: t("It is time for your daily check-in.") };
}

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (err) {
    message = {};
  }
  if (message.type !== "checkin_reminder") return;
  const language = /^[a-z]{2}$/.test(message.lang || "") ? message.lang : (self.navigator.language || "en").slice(0, 2);
  event.waitUntil(reminderText(language).then((text) => self.registration.showNotification(text.title, {
    body: text.body,
    tag: "checkin-reminder",
    icon: "/static/mobile/icons/icon-192.png",
    data: { url: SCOPE },
  })));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || SCOPE;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const open = windows.find((client) => new URL(client.url).pathname.startsWith(SCOPE));
    return open ? open.focus() : self.clients.openWindow(url);
  }));
});
