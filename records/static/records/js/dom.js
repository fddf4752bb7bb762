// Small DOM helpers. Everything is built with DOM calls (no innerHTML with data), and no
// inline styles or handlers, so the strict CSP holds.

// el("p", {className: "muted", text: "…"}, [children]): other keys become attributes.
export const el = (tag, attrs, children) => {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === "text") node.textContent = v;
    else if (k === "className") node.className = v;
    else node.setAttribute(k, v);
  });
  (children || []).forEach((c) => node.append(c));
  return node;
};

// A status line (or a field's error message): its text, styled as an error or not.
export const setStatus = (node, text, isError) => {
  node.textContent = text || "";
  node.classList.toggle("error", Boolean(isError));
};
