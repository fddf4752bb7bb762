// The sentences of a risk-language alert, as the patient wrote them, with the words that raised
// it highlighted: <mark>, and the kind in words after it (read by screen readers, and a cue that
// is not colour alone). Shared by the nurse desk and the patient page (records). Text nodes
// only: the patient's words are never parsed as HTML.

// A warning sign of a plan alone (a farewell, belongings given away) is a `plan` expression at
// high severity, not critical: it is named as a sign, not as an intent.
const kindKey = (m) => (m.kind === "plan" && m.severity && m.severity !== "critical" ? "plan_sign" : m.kind);

export function languageQuote(alert, L) {
  const detail = (alert && alert.detail) || {};
  const matches = Array.isArray(detail.matches) ? detail.matches : [];
  if (!alert || alert.kind !== "language" || !matches.length || !L) return null;
  const kinds = L.kinds || {};
  const sentences = new Map();
  matches.forEach((m) => {
    const key = m.sentence_start + ":" + m.sentence_end;
    if (!sentences.has(key)) sentences.set(key, { text: String(m.sentence || ""), start: m.sentence_start, marks: [] });
    sentences.get(key).marks.push(m);
  });
  const figure = document.createElement("figure");
  figure.className = "language-quote";
  const caption = document.createElement("figcaption");
  caption.textContent = L.quote_label || "";
  figure.append(caption);
  Array.from(sentences.values())
    .sort((a, b) => a.start - b.start)
    .forEach((sentence) => {
      const quote = document.createElement("blockquote");
      const p = document.createElement("p");
      let at = 0;
      sentence.marks
        .slice()
        .sort((a, b) => a.start - b.start)
        .forEach((m) => {
          const from = m.start - sentence.start;
          const to = Math.min(sentence.text.length, m.end - sentence.start);
          if (from < at || to <= from) return;
          p.append(document.createTextNode(sentence.text.slice(at, from)));
          const mark = document.createElement("mark");
          mark.textContent = sentence.text.slice(from, to);
          mark.dataset.kind = m.kind;
          const label = document.createElement("span");
          label.className = "quote-kind";
          label.textContent = " [" + (kinds[kindKey(m)] || kinds[m.kind] || m.kind) + "]";
          p.append(mark, label);
          at = to;
        });
      p.append(document.createTextNode(sentence.text.slice(at)));
      quote.append(p);
      figure.append(quote);
    });
  return figure;
}

// "Found in a check-in note: intent or plan, hopelessness. A prompt to look, not a diagnosis."
export function languageDetail(alert, L) {
  const detail = (alert && alert.detail) || {};
  if (!alert || alert.kind !== "language" || !L) return "";
  const matches = Array.isArray(detail.matches) ? detail.matches : [];
  const keys = matches.length ? [...new Set(matches.map(kindKey))].sort() : detail.kinds || [];
  const kinds = keys.map((k) => (L.kinds || {})[k] || k).join(", ");
  return String(L.detail || "").replace("%(kinds)s", kinds);
}
