// The app's strings: Django's JSON catalogue (djangojs domain of the mobile app) for the
// page's language, loaded once. `_()` is also the marker `makemessages -d djangojs` reads.
let catalog = {};

export async function loadCatalog(url) {
  try {
    const response = await fetch(url, { credentials: "omit" });
    if (response.ok) {
      const data = await response.json();
      catalog = data.catalog || {};
    }
  } catch (err) {
    // Offline and not cached yet: the English source strings are shown.
  }
}

// Django-style named interpolation: _("Question %(n)s of %(total)s", { n: 1, total: 9 }).
export function _(msgid, params) {
  let text = catalog[msgid];
  if (Array.isArray(text)) text = text[0];
  if (typeof text !== "string" || text === "") text = msgid;
  if (params) {
    text = text.replace(/%\((\w+)\)s/g, (match, key) => (key in params ? String(params[key]) : match));
  }
  return text;
}

export function lang() {
  return document.documentElement.lang || "en";
}
