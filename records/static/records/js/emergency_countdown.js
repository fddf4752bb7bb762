// The emergency view's countdown to the access's expiry, and its watch: every 30 s the page asks
// the server whether the access is still in force (`GET /api/v1/emergency/accesses/`, the
// clinician's own list), so an access revoked by the patient's team, or ended by a consent
// withdrawal, leaves the open page too. At the end the page stops showing the record (the server
// refuses every further read anyway).
const banner = document.getElementById("emergency-banner");
if (banner) {
  const out = document.getElementById("emergency-countdown");
  const deadline = Date.now() + Number(banner.dataset.secondsLeft || 0) * 1000;
  const pad = (n) => String(n).padStart(2, "0");
  let timer = null;
  let watcher = null;
  const end = (text) => {
    window.clearInterval(timer);
    window.clearInterval(watcher);
    const ended = document.getElementById("emergency-expired");
    ended.textContent = text;
    ended.hidden = false;
    banner.dataset.ended = "true";
    document.querySelectorAll(".emergency-grid, #patient-dashboard").forEach((node) => node.remove());
  };
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    out.textContent = `${Math.floor(left / 3600)}:${pad(Math.floor((left % 3600) / 60))}:${pad(left % 60)}`;
    banner.dataset.secondsLeft = String(left);
    if (left === 0) end(banner.dataset.expiredText);
  };
  const watch = async () => {
    try {
      const response = await fetch(banner.dataset.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const mine = (await response.json()).find((a) => a.id === banner.dataset.accessId);
      if (!mine || !mine.active) end(banner.dataset.endedText);
    } catch {
      // Offline for a moment: the countdown still ends the page at the expiry.
    }
  };
  timer = window.setInterval(tick, 1000);
  watcher = window.setInterval(watch, Number(banner.dataset.watchSeconds || 30) * 1000);
  tick();
}
