// The public API, as any native app would use it: JWT access tokens that live minutes,
// refreshed on expiry (a 401 refreshes and retries once; the rotated refresh token
// replaces the old one), no cookies sent.
import { kvGet, kvSet } from "./db.js";

const config = document.getElementById("app-config").dataset;
export const API_BASE = config.apiBase || "/api/v1/";

export class ApiError extends Error {
  constructor(status, data) {
    super(`HTTP ${status}`);
    this.status = status;
    this.data = data;
  }
}

export class NetworkError extends Error {}
export class AuthRequired extends Error {}

function jwtPayload(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch (err) {
    return {};
  }
}

function expiresSoon(token) {
  const exp = jwtPayload(token).exp;
  return !exp || exp * 1000 - Date.now() < 20000;
}

async function withLock(name, fn) {
  if (navigator.locks && navigator.locks.request) return navigator.locks.request(name, fn);
  return fn();
}

async function rawFetch(path, { method = "GET", json, form, access } = {}) {
  const headers = { Accept: "application/json" };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  if (access) headers.Authorization = `Bearer ${access}`;
  try {
    return await fetch(API_BASE + path, { method, headers, body, credentials: "omit", cache: "no-store" });
  } catch (err) {
    throw new NetworkError(err && err.message);
  }
}

async function parse(response) {
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (response.status !== 204 && type.includes("json")) {
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { status: response.status, data };
}

export async function getAuth() {
  return (await kvGet("auth")) || null;
}

export async function saveAuth(auth) {
  await kvSet("auth", auth);
}

let refreshing = null;

// One refresh at a time, in this tab (promise) and across tabs (Web Locks): the server
// blacklists a refresh token once used, so two parallel refreshes would sign us out.
function refreshTokens(stale) {
  if (!refreshing) {
    refreshing = withLock("relapse-auth", async () => {
      const current = await getAuth();
      if (!current || !current.refresh) throw new AuthRequired();
      if (current.access && stale && current.access !== stale.access && !expiresSoon(current.access)) {
        return current; // another tab refreshed meanwhile
      }
      const response = await rawFetch("auth/token/refresh/", { method: "POST", json: { refresh: current.refresh } });
      if (response.status === 401 || response.status === 400) {
        await saveAuth({ ...current, access: null, refresh: null });
        throw new AuthRequired();
      }
      const { data } = await parse(response);
      const next = { ...current, access: data.access, refresh: data.refresh || current.refresh };
      await saveAuth(next);
      return next;
    }).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

export async function api(path, { method = "GET", json, form, auth = true } = {}) {
  if (!auth) return parse(await rawFetch(path, { method, json, form }));
  let current = await getAuth();
  if (!current || !current.refresh) throw new AuthRequired();
  if (!current.access || expiresSoon(current.access)) current = await refreshTokens(current);
  let response = await rawFetch(path, { method, json, form, access: current.access });
  if (response.status === 401) {
    current = await refreshTokens(current);
    response = await rawFetch(path, { method, json, form, access: current.access });
    if (response.status === 401) throw new AuthRequired();
  }
  return parse(response);
}

// A download through the API (the patient's export): returns a Blob.
export async function apiBlob(path) {
  let current = await getAuth();
  if (!current || !current.refresh) throw new AuthRequired();
  if (!current.access || expiresSoon(current.access)) current = await refreshTokens(current);
  let response = await rawFetch(path, { access: current.access });
  if (response.status === 401) {
    current = await refreshTokens(current);
    response = await rawFetch(path, { access: current.access });
  }
  if (!response.ok) throw new ApiError(response.status, null);
  return { blob: await response.blob(), type: response.headers.get("Content-Type") || "" };
}

export async function signOutServer() {
  const current = await getAuth();
  if (!current || !current.refresh) return;
  try {
    await rawFetch("auth/logout/", { method: "POST", json: { refresh: current.refresh } });
  } catch (err) {
    // Offline: the token is wiped from this phone anyway and expires on its own.
  }
}
