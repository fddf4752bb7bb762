// JSON over the REST API with the session cookie and the CSRF token. A failed request
// rejects with an Error whose message is the server's reason, or "network error".
import { csrf, S } from "./config.js";

function reason(data, status) {
  if (data && data.detail) return String(data.detail);
  if (data && typeof data === "object") {
    const first = Object.keys(data)[0];
    if (first && Array.isArray(data[first])) return data[first].join(" ");
  }
  return String(status);
}

export function request(method, url, body) {
  const init = {
    method: method,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  };
  if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRFToken"] = csrf;
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  return fetch(url, init).then(
    (response) =>
      response
        .json()
        .catch(() => ({}))
        .then((data) => {
          if (!response.ok) throw new Error(reason(data, response.status));
          return data;
        }),
    () => {
      throw new Error(S.ui.network_error);
    },
  );
}
