// Everything the patient submits goes through this queue: stored on the phone first (with
// its client UUID and its exact content), then sent; retried with backoff until the server
// has it. A retry resends the same id and the same content, so the server answers
// "duplicate" instead of storing twice (API.md idempotency).
import { api, ApiError, AuthRequired, getAuth } from "./api.js";
import { outboxAdd, outboxAll, outboxDelete, outboxPut } from "./db.js";

const ENDPOINTS = {
  checkin: "checkins/",
  questionnaire: "questionnaires/",
  recording: "speech/recordings/",
};
// Answers that no retry can change: the item is kept aside and shown to the patient.
const PERMANENT = new Set([400, 403, 409, 413, 415, 422]);
const MAX_BACKOFF_MS = 5 * 60 * 1000;

export const outboxEvents = new EventTarget();
let timer = null;
const sentThisSession = new Set();

export function wasSent(id) {
  return sentThisSession.has(id);
}

function emit(type, detail) {
  outboxEvents.dispatchEvent(new CustomEvent(type, { detail }));
}

export function newId() {
  return crypto.randomUUID();
}

export async function enqueue(kind, payload, file) {
  const auth = await getAuth();
  const item = {
    id: payload.id,
    kind,
    payload,
    file: file || null,
    owner: auth ? auth.patientId : null,
    created_at: Date.now(),
    attempts: 0,
    next_attempt_at: 0,
    status: "pending",
  };
  await outboxAdd(item);
  await notifyCount();
  flush();
  return item;
}

async function ownItems() {
  const auth = await getAuth();
  const owner = auth ? auth.patientId : null;
  return (await outboxAll()).filter((item) => item.owner === owner);
}

export async function pendingCount() {
  return (await ownItems()).filter((item) => item.status === "pending").length;
}

export async function failedItems() {
  return (await ownItems()).filter((item) => item.status === "failed");
}

export async function dismissFailed(id) {
  await outboxDelete(id);
  await notifyCount();
}

async function notifyCount() {
  const items = await ownItems();
  emit("change", {
    pending: items.filter((item) => item.status === "pending").length,
    failed: items.filter((item) => item.status === "failed").length,
  });
}

function send(item) {
  const path = ENDPOINTS[item.kind];
  if (item.kind === "recording") {
    const form = new FormData();
    form.append("id", item.payload.id);
    form.append("recorded_at", item.payload.recorded_at);
    form.append("file", item.file, "diary.wav");
    return api(path, { method: "POST", form });
  }
  return api(path, { method: "POST", json: item.payload });
}

function backoff(attempts) {
  const base = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.min(attempts, 10));
  return base / 2 + Math.random() * (base / 2);
}

function scheduleRetry(items) {
  window.clearTimeout(timer);
  const next = items.filter((i) => i.status === "pending").map((i) => i.next_attempt_at);
  if (!next.length) return;
  const wait = Math.max(1000, Math.min(...next) - Date.now());
  timer = window.setTimeout(() => flush(), wait);
}

async function flushNow(force) {
  const auth = await getAuth();
  if (!auth || !auth.refresh) return;
  const items = (await ownItems()).filter((item) => item.status === "pending");
  for (const item of items) {
    if (!force && item.next_attempt_at > Date.now()) break; // keep the patient's order
    try {
      const result = await send(item);
      await outboxDelete(item.id);
      sentThisSession.add(item.id);
      emit("sent", { item, status: result.status, data: result.data });
    } catch (err) {
      if (err instanceof AuthRequired) {
        emit("auth-required", {});
        break;
      }
      if (err instanceof ApiError && PERMANENT.has(err.status)) {
        await outboxPut({ ...item, status: "failed", error: { status: err.status, data: err.data } });
        emit("failed", { item, status: err.status, data: err.data });
        continue;
      }
      // Offline, server busy or down, throttled: try again later, same id, same content.
      const attempts = item.attempts + 1;
      await outboxPut({ ...item, attempts, next_attempt_at: Date.now() + backoff(attempts) });
      emit("retry", { item, attempts });
      break;
    }
  }
  await notifyCount();
  scheduleRetry(await ownItems());
}

let flushing = null;
let again = false;
let againForce = false;

// Sends what is due. `force` ignores the backoff (the network just came back). A call made
// while a flush runs starts another one after it, so nothing enqueued meanwhile waits.
export function flush(force = false) {
  if (flushing) {
    again = true;
    againForce = againForce || force;
    return flushing;
  }
  const run = () => flushNow(force);
  flushing = (navigator.locks && navigator.locks.request ? navigator.locks.request("relapse-outbox", run) : run())
    .catch(() => undefined)
    .finally(() => {
      flushing = null;
      if (again) {
        const nextForce = againForce;
        again = false;
        againForce = false;
        flush(nextForce);
      }
    });
  return flushing;
}

export async function refreshCount() {
  await notifyCount();
}
