// The device's store (IndexedDB): tokens, cached answers of the API for offline display,
// and the outbox of submissions waiting to be sent. Sign-out clears all of it.
const DB_NAME = "relapse-app";
const DB_VERSION = 1;
let dbPromise = null;

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
        if (!db.objectStoreNames.contains("outbox")) {
          const outbox = db.createObjectStore("outbox", { keyPath: "id" });
          outbox.createIndex("created_at", "created_at");
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return dbPromise;
}

async function tx(store, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(store, mode);
    let result;
    Promise.resolve(fn(transaction.objectStore(store))).then((value) => { result = value; }, reject);
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export function kvGet(key) {
  return tx("kv", "readonly", (store) => promisify(store.get(key)));
}

export function kvSet(key, value) {
  return tx("kv", "readwrite", (store) => promisify(store.put(value, key)));
}

export function kvDelete(key) {
  return tx("kv", "readwrite", (store) => promisify(store.delete(key)));
}

// add(), not put(): an id already queued is never overwritten with other content.
export function outboxAdd(item) {
  return tx("outbox", "readwrite", (store) => promisify(store.add(item)));
}

export function outboxPut(item) {
  return tx("outbox", "readwrite", (store) => promisify(store.put(item)));
}

export function outboxDelete(id) {
  return tx("outbox", "readwrite", (store) => promisify(store.delete(id)));
}

export function outboxAll() {
  return tx("outbox", "readonly", (store) => promisify(store.index("created_at").getAll()));
}

export async function wipeDevice() {
  await tx("kv", "readwrite", (store) => promisify(store.clear()));
  await tx("outbox", "readwrite", (store) => promisify(store.clear()));
}
