// The actogram of the patient page: wrist activity, one row per local day (oldest at the
// top), 10-minute bins from local midnight across. Data: the JSON block "actogram-data"
// (records/actogram.py). No inline script or style (CSP). For tests the canvas carries
// data-rows (days drawn) and data-missing-bins (bins drawn as not recorded).

const canvas = document.getElementById("actogram");
const block = document.getElementById("actogram-data");

function draw() {
  const data = JSON.parse(block.textContent);
  const days = data.days;
  const perHour = 60 / data.bin_minutes;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 1000;
  const rowHeight = 18;
  const left = 78;
  const top = 18;
  const height = top + days.length * rowHeight + 4;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  ctx.clearRect(0, 0, width, height);
  const plotWidth = width - left - 8;
  const longest = Math.max(24 * perHour, ...days.map((d) => d.bins.length));
  const step = plotWidth / longest;
  // The scale: the 95th percentile of the recorded bins, so one burst does not flatten all.
  const recorded = days.flatMap((d) => d.bins.filter((v) => v !== null)).sort((a, b) => a - b);
  const scale = recorded.length ? Math.max(1, recorded[Math.floor(recorded.length * 0.95)]) : 1;
  const style = getComputedStyle(canvas);
  const ink = style.color || "#1f2937";
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = ink;
  ctx.textBaseline = "bottom";
  for (let hour = 0; hour <= 24; hour += 3) {
    const x = left + hour * perHour * step;
    ctx.fillText(`${String(hour).padStart(2, "0")}:00`, Math.min(x, width - 40), top - 3);
  }
  let missing = 0;
  days.forEach((day, row) => {
    const y = top + row * rowHeight;
    ctx.fillStyle = ink;
    ctx.textBaseline = "middle";
    ctx.fillText(day.date, 2, y + rowHeight / 2);
    ctx.strokeStyle = "#d1d5db";
    ctx.beginPath();
    ctx.moveTo(left, y + rowHeight - 0.5);
    ctx.lineTo(left + plotWidth, y + rowHeight - 0.5);
    ctx.stroke();
    day.bins.forEach((value, i) => {
      const x = left + i * step;
      if (value === null) {
        missing += 1;
        ctx.fillStyle = "#e5e7eb";
        ctx.fillRect(x, y + 2, Math.max(step, 1), rowHeight - 3);
        ctx.strokeStyle = "#9ca3af";
        ctx.beginPath();
        ctx.moveTo(x, y + rowHeight - 1);
        ctx.lineTo(x + step, y + 2);
        ctx.stroke();
        return;
      }
      const h = Math.min(1, value / scale) * (rowHeight - 3);
      ctx.fillStyle = "#1d4ed8";
      ctx.fillRect(x, y + rowHeight - 1 - h, Math.max(step - 0.3, 1), h);
    });
  });
  canvas.dataset.rows = String(days.length);
  canvas.dataset.missingBins = String(missing);
}

if (canvas && block) {
  draw();
  window.addEventListener("resize", draw);
}
