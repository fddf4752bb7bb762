// The emergency view's countdown to the access's expiry. At zero the page says the access has
// ended and stops showing the record (the server refuses every further read anyway).
const banner = document.getElementById("emergency-banner");
if (banner) {
  const out = document.getElementById("emergency-countdown");
  const deadline = Date.now() + Number(banner.dataset.secondsLeft || 0) * 1000;
  const pad = (n) => String(n).padStart(2, "0");
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    out.textContent = `${Math.floor(left / 3600)}:${pad(Math.floor((left % 3600) / 60))}:${pad(left % 60)}`;
    banner.dataset.secondsLeft = String(left);
    if (left === 0) {
      window.clearInterval(timer);
      const expired = document.getElementById("emergency-expired");
      expired.textContent = banner.dataset.expiredText;
      expired.hidden = false;
      document.querySelectorAll(".emergency-grid, #patient-dashboard").forEach((node) => node.remove());
    }
  };
  const timer = window.setInterval(tick, 1000);
  tick();
}
