// Building blocks shared by the screens.
import { h, nextId } from "./dom.js";
import { _ } from "./i18n.js";

export function screen(title, ...children) {
  return [h("h1", { tabindex: "-1" }, title), ...children];
}

export function button(label, onClick, { kind = "primary", type = "button", ...rest } = {}) {
  return h("button", { type, class: `btn btn-${kind}`, onclick: onClick, ...rest }, label);
}

export function link(label, href, { kind = "secondary", ...rest } = {}) {
  return h("a", { href, class: `btn btn-${kind}`, ...rest }, label);
}

// A labelled input with its error line; returns { wrapper, input, setError }.
export function field({ label, name, type = "text", hint, ...attrs }) {
  const id = nextId(name);
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const input = h("input", { id, name, type, "aria-describedby": [hintId, errorId].filter(Boolean).join(" "), ...attrs });
  const error = h("p", { id: errorId, class: "field-error", hidden: true });
  const wrapper = h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null,
    input,
    error,
  );
  const setError = (message) => {
    error.textContent = message || "";
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  return { wrapper, input, setError };
}

export function errorBox() {
  const box = h("div", { class: "error-box", role: "alert", hidden: true });
  return {
    box,
    show(message) {
      box.textContent = message;
      box.hidden = false;
    },
    clear() {
      box.textContent = "";
      box.hidden = true;
    },
  };
}

export function firstMessage(data, field) {
  if (data && Array.isArray(data[field]) && data[field].length) return String(data[field][0]);
  return "";
}

export function networkMessage() {
  return _("No connection. Check your internet and try again.");
}

export function helpLink() {
  return h("p", { class: "help-link" }, h("a", { href: "#/help" }, _("Need help now?")));
}
