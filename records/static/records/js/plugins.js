// Chart.js set-up for the page: its defaults, and two plugins — severity bands drawn behind
// the data, clinical-event lines in front of it.
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

// options.plugins.eventLines.items: [{index}] on the x axis (see eventIndexes()).
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
    ctx.restore();
  },
};

export function setUpChartJs() {
  Chart.defaults.color = C.muted;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.register(bandsPlugin, eventLinesPlugin);
}
