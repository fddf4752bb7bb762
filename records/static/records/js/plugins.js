// Chart.js set-up for the page: its defaults, and three plugins — severity bands and spans
// (hospital stays, episodes of risk, the day explained) drawn behind the data, clinical-event
// lines and their labels in front of it.
import { Chart } from "./config.js";
import { C, RIGHT_W } from "./format.js";

function wrapText(ctx, text, maxWidth) {
  const lines = [];
  let current = "";
  String(text)
    .split(/\s+/)
    .forEach((word) => {
      const candidate = current ? current + " " + word : word;
      if (current && ctx.measureText(candidate).width > maxWidth) {
        lines.push(current);
        current = word;
      } else {
        current = candidate;
      }
    });
  if (current) lines.push(current);
  return lines;
}

// options.plugins.bands.items: [{from, to, color, label}] in y-axis values.
const bandsPlugin = {
  id: "bands",
  beforeDatasetsDraw(chart, _args, opts) {
    const bands = (opts && opts.items) || [];
    const { ctx, chartArea: area, scales } = chart;
    if (!bands.length || !scales.y) return;
    ctx.save();
    bands.forEach((band) => {
      const top = scales.y.getPixelForValue(band.to);
      const bottom = scales.y.getPixelForValue(band.from);
      const y0 = Math.max(area.top, Math.min(top, bottom));
      const y1 = Math.min(area.bottom, Math.max(top, bottom));
      if (y1 <= y0) return;
      ctx.fillStyle = band.color;
      ctx.fillRect(area.left, y0, area.right - area.left, y1 - y0);
    });
    // Labels go in the empty right margin every band chart keeps (it has no right axis),
    // so they never hide a data point; long labels wrap onto several lines.
    ctx.fillStyle = C.muted;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    const maxWidth = RIGHT_W - 8;
    bands.forEach((band) => {
      // Shrink (to 8 px at least) until the longest word fits the margin.
      ctx.font = "10px " + Chart.defaults.font.family;
      const widest = Math.max(...String(band.label).split(/\s+/).map((w) => ctx.measureText(w).width));
      const size = Math.max(8, Math.min(10, Math.floor((10 * maxWidth) / Math.max(widest, 1))));
      ctx.font = size + "px " + Chart.defaults.font.family;
      const top = Math.max(area.top, Math.min(scales.y.getPixelForValue(band.to), scales.y.getPixelForValue(band.from)));
      const bottom = Math.min(area.bottom, Math.max(scales.y.getPixelForValue(band.to), scales.y.getPixelForValue(band.from)));
      const lines = wrapText(ctx, band.label, maxWidth);
      const lineHeight = size + 1;
      if (bottom - top < lines.length * lineHeight - 2) return;
      const first = (top + bottom) / 2 - ((lines.length - 1) * lineHeight) / 2;
      lines.forEach((text, i) => ctx.fillText(text, area.right + 6, first + i * lineHeight));
    });
    ctx.restore();
  },
};

// Half the width of one day on the x axis, in pixels.
function halfDay(scales) {
  const n = scales.x.getLabels ? scales.x.getLabels().length : 0;
  if (n < 2) return (scales.x.right - scales.x.left) / 2;
  return Math.abs(scales.x.getPixelForValue(1) - scales.x.getPixelForValue(0)) / 2;
}

function fillSpan(chart, span, color) {
  const { ctx, chartArea: area, scales } = chart;
  const half = halfDay(scales);
  const x0 = Math.max(area.left, scales.x.getPixelForValue(span.from) - half);
  const x1 = Math.min(area.right, scales.x.getPixelForValue(span.to) + half);
  if (x1 <= x0) return null;
  ctx.fillStyle = color;
  ctx.fillRect(x0, area.top, x1 - x0, area.bottom - area.top);
  return { x0, x1 };
}

// Spans behind the data: hospital stays (options.plugins.spans.stays: [{span}]) on every chart,
// episodes of risk (options.plugins.spans.episodes: [{span, label}]) on the risk chart, and
// the day explained (options.plugins.spans.selected: an index) on every chart.
const spansPlugin = {
  id: "spans",
  beforeDatasetsDraw(chart, _args, opts) {
    const { ctx, chartArea: area, scales } = chart;
    if (!opts || !scales.x) return;
    ctx.save();
    (opts.stays || []).forEach((s) => {
      const box = fillSpan(chart, s.span, "rgba(161, 67, 126, 0.10)");
      if (box) {
        ctx.strokeStyle = "rgba(161, 67, 126, 0.55)";
        ctx.lineWidth = 1;
        ctx.setLineDash([2, 2]);
        ctx.strokeRect(box.x0 + 0.5, area.bottom - 6, box.x1 - box.x0 - 1, 5);
        ctx.setLineDash([]);
      }
    });
    (opts.episodes || []).forEach((e) => {
      const box = fillSpan(chart, e.span, "rgba(192, 83, 10, 0.14)");
      if (!box) return;
      ctx.fillStyle = "#8f3d07";
      ctx.fillRect(box.x0, area.top, box.x1 - box.x0, 3);
      ctx.font = "10px " + Chart.defaults.font.family;
      ctx.textBaseline = "bottom";
      ctx.textAlign = "left";
      const text = e.label || "";
      if (text && ctx.measureText(text).width + 4 <= box.x1 - box.x0) ctx.fillText(text, box.x0 + 2, area.bottom - 8);
    });
    if (opts.selected !== null && opts.selected !== undefined) {
      const box = fillSpan(chart, { from: opts.selected, to: opts.selected }, "rgba(0, 114, 178, 0.16)");
      if (box) {
        ctx.strokeStyle = C.blue;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(box.x0 + 0.75, area.top + 0.75, Math.max(box.x1 - box.x0 - 1.5, 1), area.bottom - area.top - 1.5);
      }
    }
    ctx.restore();
  },
};

// Clinical events (options.plugins.eventLines.items: [{index, label}], see eventIndexes()):
// a dashed line on every chart and, where options.plugins.eventLines.labels is set (the risk
// chart), the event's name at the top of the plot (the risk chart keeps headroom for it), on
// a second row when it would overlap the one before.
const eventLinesPlugin = {
  id: "eventLines",
  afterDatasetsDraw(chart, _args, opts) {
    const items = (opts && opts.items) || [];
    const { ctx, chartArea: area, scales } = chart;
    if (!items.length || !scales.x) return;
    ctx.save();
    ctx.strokeStyle = C.ink;
    ctx.lineWidth = 1.25;
    ctx.setLineDash([4, 3]);
    items.forEach((item) => {
      const x = scales.x.getPixelForValue(item.index);
      if (x < area.left - 0.5 || x > area.right + 0.5) return;
      ctx.beginPath();
      ctx.moveTo(x, area.top);
      ctx.lineTo(x, area.bottom);
      ctx.stroke();
    });
    ctx.setLineDash([]);
    if (opts.labels) {
      ctx.font = "600 11px " + Chart.defaults.font.family;
      ctx.textBaseline = "middle";
      const rowEnds = [];
      items
        .slice()
        .sort((a, b) => a.index - b.index)
        .forEach((item) => {
          const x = scales.x.getPixelForValue(item.index);
          if (x < area.left - 0.5 || x > area.right + 0.5) return;
          const text = item.label || "";
          const w = ctx.measureText(text).width + 8;
          let left = Math.min(Math.max(x - w / 2, area.left), area.right - w);
          let row = rowEnds.findIndex((end) => end + 3 <= left);
          if (row === -1) row = rowEnds.length < 2 ? rowEnds.length : rowEnds.indexOf(Math.min(...rowEnds));
          rowEnds[row] = left + w;
          const y = area.top + 9 + row * 15;
          ctx.fillStyle = "#ffffff";
          ctx.strokeStyle = C.ink;
          ctx.lineWidth = 1;
          ctx.fillRect(left, y - 7, w, 14);
          ctx.strokeRect(left + 0.5, y - 6.5, w - 1, 13);
          ctx.fillStyle = C.ink;
          ctx.textAlign = "left";
          ctx.fillText(text, left + 4, y + 0.5);
        });
    }
    ctx.restore();
  },
};

export function setUpChartJs() {
  Chart.defaults.color = C.muted;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.register(bandsPlugin, spansPlugin, eventLinesPlugin);
}
