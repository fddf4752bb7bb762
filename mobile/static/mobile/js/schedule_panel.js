// The care team's schedule panel (mobile/templates/mobile/schedule_panel.html): reads and
// replaces a patient's schedule through the API with the page's session and CSRF token.
const panel = document.getElementById("schedule-panel");

function fill(template, params) {
  return template.replace(/%\((\w+)\)s/g, (match, key) => (key in params ? String(params[key]) : match));
}

function formatDate(iso) {
  return new Intl.DateTimeFormat(document.documentElement.lang || "en", {
    day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  }).format(new Date(`${iso}T12:00:00Z`));
}

if (panel) {
  const msg = panel.dataset;
  const url = msg.url;
  const form = panel.querySelector('[data-role="form"]');
  const message = panel.querySelector('[data-role="message"]');
  const source = panel.querySelector('[data-role="source"]');
  const checkinState = panel.querySelector('[data-role="checkin-state"]');
  const time = form.querySelector('[name="checkin_time"]');
  const rows = Array.from(form.querySelectorAll(".schedule-q"));
  const csrf = () => (form.querySelector('[name="csrfmiddlewaretoken"]') || {}).value || "";

  const say = (text, isError = false) => {
    message.textContent = text;
    message.classList.toggle("error", isError);
  };

  const show = (data) => {
    time.value = data.checkin_time;
    source.textContent = data.source === "default"
      ? msg.msgSourceDefault
      : fill(msg.msgSourceTeam, { who: data.updated_by || "—", when: data.updated_at ? formatDate(data.updated_at.slice(0, 10)) : "—" });
    checkinState.textContent = data.checkin_done_today ? msg.msgCheckinDone : msg.msgCheckinNotDone;
    const byInstrument = Object.fromEntries(data.questionnaires.map((q) => [q.instrument, q]));
    for (const row of rows) {
      const q = byInstrument[row.dataset.instrument];
      const enabled = row.querySelector('[data-role="enabled"]');
      const every = row.querySelector('[data-role="every"]');
      const state = row.querySelector('[data-role="state"]');
      enabled.checked = Boolean(q);
      every.value = q ? String(q.every_days) : every.value || "14";
      every.disabled = !q;
      state.classList.toggle("due", Boolean(q && q.due));
      state.textContent = q
        ? [q.last_completed ? fill(msg.msgLast, { date: formatDate(q.last_completed) }) : msg.msgNever,
          q.due ? msg.msgDue : fill(msg.msgNext, { date: formatDate(q.next_due) })].join(" · ")
        : "";
    }
  };

  const request = async (method, body) => {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error(`HTTP ${response.status}`);
      error.data = data;
      throw error;
    }
    return data;
  };

  for (const row of rows) {
    const enabled = row.querySelector('[data-role="enabled"]');
    enabled.addEventListener("change", () => {
      row.querySelector('[data-role="every"]').disabled = !enabled.checked;
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const questionnaires = rows
      .filter((row) => row.querySelector('[data-role="enabled"]').checked)
      .map((row) => ({
        instrument: row.dataset.instrument,
        every_days: Number(row.querySelector('[data-role="every"]').value),
      }));
    try {
      show(await request("PUT", { checkin_time: time.value, questionnaires }));
      say(msg.msgSaved);
    } catch (err) {
      const details = err.data ? Object.values(err.data).flat().map((v) => (typeof v === "string" ? v : JSON.stringify(v))) : [];
      say([msg.msgSaveError, ...details].join(" "), true);
    }
  });

  panel.querySelector('[data-role="reset"]').addEventListener("click", async () => {
    if (!window.confirm(msg.msgConfirmReset)) return;
    try {
      show(await request("DELETE"));
      say(msg.msgReset);
    } catch (err) {
      say(msg.msgSaveError, true);
    }
  });

  // The app's display mode, chosen by the care team (e.g. at enrolment): its own endpoint.
  const easy = panel.querySelector('[data-role="easy-read"]');
  const preferences = (method, body) => fetch(msg.preferencesUrl, {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: body ? JSON.stringify(body) : undefined,
  }).then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))));
  easy.addEventListener("change", async () => {
    try {
      const data = await preferences("PUT", { easy_read: easy.checked });
      easy.checked = data.easy_read;
      say(data.easy_read ? msg.msgEasyOn : msg.msgEasyOff);
    } catch (err) {
      easy.checked = !easy.checked;
      say(msg.msgSaveError, true);
    }
  });
  preferences("GET").then((data) => { easy.checked = data.easy_read; }).catch(() => undefined);

  say(msg.msgLoading);
  request("GET")
    .then((data) => {
      show(data);
      say("");
    })
    .catch(() => say(msg.msgLoadError, true));
}
