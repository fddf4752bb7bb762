// The charts' text alternatives: a data table under each chart (the "Show data as tables"
// toggle), and a picture of each chart for printing (canvases are drawn for the screen).
import { root, S } from "./config.js";
import { el } from "./dom.js";
import { asDate, longDayFmt, numFmt } from "./format.js";
import { alertIndexes, charts, eventIndexes, state } from "./state.js";

export function renderTables() {
  Object.entries(charts).forEach(([id, chart]) => {
    const holder = document.getElementById("table-" + id);
    const measures = chart.data.datasets.filter((ds) => ds.measure);
    const withEvents = id === "risk";
    const head = el("tr", {}, [el("th", { scope: "col", text: S.date })].concat(measures.map((ds) => el("th", { scope: "col", text: ds.label }))));
    if (withEvents) {
      head.append(el("th", { scope: "col", text: S.alerts }), el("th", { scope: "col", text: S.events }));
    }
    const events = eventIndexes();
    const body = el("tbody");
    state.labels.forEach((day, i) => {
      const row = el("tr", {}, [el("th", { scope: "row", text: longDayFmt.format(asDate(day)) })]);
      measures.forEach((ds) => {
        const v = ds.data[i];
        row.append(el("td", { text: v === null || v === undefined ? "—" : ds.format ? ds.format(v) : numFmt.format(v) }));
      });
      if (withEvents) {
        const n = alertIndexes().filter((a) => a.index === i).length;
        row.append(el("td", { text: n ? String(n) : "" }));
        row.append(el("td", { text: events.filter((e) => e.index === i).map((e) => S.event_kinds[e.kind] || e.kind).join(", ") }));
      }
      body.append(row);
    });
    const caption = el("caption", { text: document.getElementById("title-" + id).textContent });
    holder.replaceChildren(el("table", { className: "data-table" }, [caption, el("thead", {}, [head]), body]));
  });
}

export function initTableToggle() {
  const tableToggle = document.getElementById("table-toggle");
  tableToggle.addEventListener("click", () => {
    state.tablesShown = !state.tablesShown;
    tableToggle.setAttribute("aria-pressed", String(state.tablesShown));
    tableToggle.textContent = state.tablesShown ? S.show_chart : S.show_table;
    root.classList.toggle("show-tables", state.tablesShown);
    document.querySelectorAll(".chart-table").forEach((node) => {
      node.hidden = !state.tablesShown;
    });
    if (state.tablesShown) renderTables();
  });
  tableToggle.textContent = S.show_table;
}

// Print: a picture of each chart at page width, described by the chart's summary.
function preparePrint() {
  Object.entries(charts).forEach(([id, chart]) => {
    const img = document.getElementById("print-" + id);
    img.src = chart.toBase64Image("image/png", 1);
    img.alt = document.getElementById("summary-" + id).textContent;
  });
}

export function initPrint() {
  window.addEventListener("beforeprint", preparePrint);
  document.getElementById("print-page").addEventListener("click", () => {
    preparePrint();
    window.print();
  });
}
