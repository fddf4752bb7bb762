// Small DOM helpers. Everything is built with DOM calls (no innerHTML with data), and no
// inline styles or handlers, so the strict CSP holds.
const SVG_NS = "http://www.w3.org/2000/svg";

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "text") {
      el.textContent = value;
    } else if (key === "value" || key === "checked" || key === "disabled") {
      el[key] = value;
      if (key !== "value") el.setAttribute(key, "");
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

export function announce(message) {
  const live = document.getElementById("live");
  if (!live) return;
  live.textContent = "";
  // A fresh text node after a tick makes screen readers read a repeated message again.
  window.setTimeout(() => { live.textContent = message; }, 50);
}

// Like Element.append, but skips null/false children (conditional parts of a screen).
export function mount(parent, ...children) {
  append(parent, children);
  return parent;
}

export function replace(parent, ...children) {
  parent.replaceChildren();
  return mount(parent, ...children);
}
