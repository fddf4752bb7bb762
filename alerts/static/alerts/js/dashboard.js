/* Live nurse dashboard: renders the alerts the page carries, keeps them live over
   /ws/alerts/ (session cookie), reconnects with backoff and resumes after the last seq it saw.
   No framework, no inline code (CSP script-src 'self'). */
(function () {
  "use strict";

  var config = document.getElementById("alerts-config");
  if (!config) { return; }
  var S = JSON.parse(document.getElementById("alerts-strings").textContent);
  var initial = JSON.parse(document.getElementById("alerts-data").textContent);
  var list = document.getElementById("alert-list");
  var empty = document.getElementById("alerts-empty");
  var template = document.getElementById("alert-card-template");
  var announcer = document.getElementById("announcer");
  var connState = document.getElementById("conn-state");
  var soundToggle = document.getElementById("sound-toggle");
  var lang = document.documentElement.lang || "en";
  var filterStatus = config.dataset.status || "active";
  var filterKind = config.dataset.kind || "";
  var apiBase = config.dataset.api;
  var csrf = config.dataset.csrf;

  var SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3 };
  var alerts = {};           // id -> alert (current state)
  var lastSeq = parseInt(config.dataset.lastSeq, 10) || 0;
  var socket = null;
  var attempt = 0;
  var reconnectTimer = null;
  var stopped = false;
  var authenticated = false;
  // The channel layer delivers at most once, and an alert raised in another process of the
  // embedded demo (in-memory layer) is never pushed here: resume now and then as well.
  var RESUME_EVERY_MS = 30000;

  function fmt(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_m, key) {
      return values && values[key] !== undefined && values[key] !== null ? String(values[key]) : "";
    });
  }

  var relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
  function ago(iso) {
    if (!iso) { return ""; }
    var seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
    var abs = Math.abs(seconds);
    if (!relative) { return new Date(iso).toLocaleString(lang); }
    if (abs < 60) { return relative.format(seconds, "second"); }
    if (abs < 3600) { return relative.format(Math.round(seconds / 60), "minute"); }
    if (abs < 86400) { return relative.format(Math.round(seconds / 3600), "hour"); }
    return relative.format(Math.round(seconds / 86400), "day");
  }
  function when(iso) { return iso ? new Date(iso).toLocaleString(lang) : ""; }
  var twoDecimals = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function decimal2(value) { return twoDecimals.format(Number(value)); }
  function day(isoDate) {
    if (!isoDate) { return ""; }
    var parts = isoDate.split("-");
    return new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])).toLocaleDateString(lang);
  }

  // --- rendering ---------------------------------------------------------------------------

  function matches(alert) {
    if (filterKind && alert.kind !== filterKind) { return false; }
    if (filterStatus === "all") { return true; }
    if (filterStatus === "active") { return alert.status !== "resolved"; }
    return alert.status === filterStatus;
  }

  function sevRank(alert) { return alert.severity in SEV_RANK ? SEV_RANK[alert.severity] : 9; }

  function order(a, b) {
    if (filterStatus === "resolved" || filterStatus === "all") {
      return a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0;
    }
    var rank = sevRank(a) - sevRank(b);
    if (rank !== 0) { return rank; }
    return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0;
  }

  function detailText(alert) {
    var d = alert.detail || {};
    if (alert.kind === "safety" && d.item9 !== undefined) {
      return fmt(S.ui.detail_safety, { item9: d.item9, when: when(d.completed_at) });
    }
    if (alert.kind === "risk" && d.score !== undefined) {
      return fmt(S.ui.detail_risk, {
        score: decimal2(d.score), band: S.band[d.band] || d.band,
        threshold: decimal2(d.threshold), date: day(d.score_date)
      });
    }
    if (alert.kind === "adherence" && d.gap_start) {
      var days = Math.max(d.days_without_data || 0,
        Math.floor((Date.now() - new Date(d.gap_start + "T00:00:00").getTime()) / 86400000));
      return fmt(S.ui.detail_adherence, { since: day(d.gap_start), days: days });
    }
    if (d.note) { return fmt(S.ui.detail_note, { note: d.note }); }
    return "";
  }

  function factorsText(alert) {
    var ex = (alert.detail && alert.detail.explanation) || [];
    var labels = ex.map(function (f) { return f && (f.label || f.feature); }).filter(Boolean);
    return labels.length ? fmt(S.ui.detail_factors, { factors: labels.join("; ") }) : "";
  }

  function whoText(alert) {
    var parts = [];
    if (alert.created_by) { parts.push(fmt(S.ui.created_by, { user: alert.created_by })); }
    if (alert.escalated_at) { parts.push(fmt(S.ui.escalated_at, { when: ago(alert.escalated_at) })); }
    if (alert.acknowledged_by) {
      parts.push(fmt(S.ui.acknowledged_by, { user: alert.acknowledged_by, when: ago(alert.acknowledged_at) }));
    }
    if (alert.resolved_by) {
      parts.push(fmt(S.ui.resolved_by, { user: alert.resolved_by, when: ago(alert.resolved_at), note: alert.resolution_note }));
    }
    return parts.join(" · ");
  }

  function cardFor(id) { return list.querySelector('li[data-alert-id="' + id + '"]'); }

  function build(alert) {
    var li = template.content.firstElementChild.cloneNode(true);
    li.dataset.alertId = alert.id;
    var noteId = "note-" + alert.id;
    var titleId = "title-" + alert.id;
    li.querySelector(".alert-title").id = titleId;
    li.querySelector(".alert-body").setAttribute("aria-labelledby", titleId);
    li.querySelector(".note-label").setAttribute("for", noteId);
    li.querySelector(".note-label").textContent = S.ui.note_label;
    li.querySelector(".note-input").id = noteId;
    li.querySelector(".btn-ack").textContent = S.ui.acknowledge;
    li.querySelector(".btn-resolve").textContent = S.ui.resolve;
    li.querySelector(".btn-save").textContent = S.ui.save_resolution;
    li.querySelector(".btn-cancel").textContent = S.ui.cancel;
    li.querySelector(".btn-ack").addEventListener("click", function () { acknowledge(alert.id, li); });
    li.querySelector(".btn-resolve").addEventListener("click", function () { openResolve(li); });
    li.querySelector(".btn-cancel").addEventListener("click", function () { closeResolve(li, true); });
    li.querySelector(".resolve-form").addEventListener("submit", function (ev) { ev.preventDefault(); resolve(alert.id, li); });
    li.querySelector(".note-input").addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { ev.preventDefault(); closeResolve(li, true); }
    });
    return li;
  }

  function fill(li, alert) {
    var title = S.titles[alert.title] || alert.title;
    li.className = "alert-card sev-" + alert.severity + " status-" + alert.status + (alert.escalated ? " is-escalated" : "") +
      (li.classList.contains("is-new") ? " is-new" : "");
    li.querySelector(".badge.sev").textContent = S.severity[alert.severity] || alert.severity;
    li.querySelector(".badge.kind").textContent = S.kind[alert.kind] || alert.kind;
    li.querySelector(".badge.status").textContent = S.status[alert.status] || alert.status;
    li.querySelector(".badge.escalated").hidden = !alert.escalated;
    li.querySelector(".alert-title").textContent = title;
    var link = li.querySelector(".patient-link");
    link.textContent = fmt(S.ui.patient, { code: alert.patient_code });
    link.href = alert.dashboard_url || "/dashboard/patients/" + alert.patient + "/";
    link.setAttribute("aria-label", fmt(S.ui.open_patient, { code: alert.patient_code }));
    var time = li.querySelector(".alert-time");
    time.dateTime = alert.created_at;
    time.title = when(alert.created_at);
    time.textContent = fmt(S.ui.raised, { when: ago(alert.created_at) });
    li.querySelector(".alert-detail").textContent = detailText(alert);
    li.querySelector(".alert-factors").textContent = factorsText(alert);
    li.querySelector(".alert-who").textContent = whoText(alert);
    li.querySelector(".btn-ack").hidden = alert.status !== "open";
    li.querySelector(".btn-resolve").hidden = alert.status === "resolved";
    if (alert.status === "resolved") { li.querySelector(".resolve-form").hidden = true; }
  }

  function place(li, alert) {
    var items = list.children;
    for (var i = 0; i < items.length; i++) {
      var other = alerts[items[i].dataset.alertId];
      if (items[i] !== li && other && order(alert, other) < 0) {
        if (items[i] !== li.nextSibling) { list.insertBefore(li, items[i]); }
        return;
      }
    }
    if (li.parentNode !== list || li.nextSibling) { list.appendChild(li); }
  }

  function removeCard(li) {
    var hadFocus = li.contains(document.activeElement);
    var next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    if (hadFocus) {
      var target = next ? next.querySelector(".alert-body") : document.getElementById("alerts-heading");
      target.focus();
    }
  }

  function refreshEmpty() { empty.hidden = list.children.length > 0; }

  function apply(alert, opts) {
    opts = opts || {};
    alerts[alert.id] = alert;
    var li = cardFor(alert.id);
    if (!matches(alert)) {
      if (li) { removeCard(li); }
      refreshEmpty();
      return;
    }
    // Never rebuild a card that is being edited: fill() keeps the form and the focus.
    if (!li) { li = build(alert); }
    if (opts.fresh) {
      li.classList.add("is-new");
      li.querySelector(".badge.new").hidden = false;
    }
    fill(li, alert);
    if (opts.fresh) { li.classList.add("is-new"); }
    place(li, alert);
    refreshEmpty();
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // --- actions (the REST API, session + CSRF) ----------------------------------------------

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var detail = data.detail || (data.note && data.note.join(" ")) || String(response.status);
          throw new Error(detail);
        }
        return data;
      });
    });
  }

  function showError(li, message) {
    var box = li.querySelector(".action-error");
    box.textContent = message ? fmt(S.ui.action_failed, { detail: message }) : "";
    box.hidden = !message;
  }

  function acknowledge(id, li) {
    var button = li.querySelector(".btn-ack");
    button.disabled = true;
    showError(li, "");
    post(apiBase + id + "/acknowledge/").then(function (alert) {
      li.classList.remove("is-new");
      li.querySelector(".badge.new").hidden = true;
      apply(alert);
      var card = cardFor(id);
      if (card) {
        var resolveButton = card.querySelector(".btn-resolve");
        (resolveButton.hidden ? card.querySelector(".alert-body") : resolveButton).focus();
      }
    }).catch(function (err) {
      showError(li, err.message === "Failed to fetch" ? S.ui.network_error : err.message);
    }).then(function () { button.disabled = false; });
  }

  function openResolve(li) {
    li.querySelector(".resolve-form").hidden = false;
    li.querySelector(".btn-resolve").setAttribute("aria-expanded", "true");
    li.querySelector(".note-input").focus();
  }

  function closeResolve(li, restoreFocus) {
    li.querySelector(".resolve-form").hidden = true;
    li.querySelector(".btn-resolve").setAttribute("aria-expanded", "false");
    showError(li, "");
    if (restoreFocus) { li.querySelector(".btn-resolve").focus(); }
  }

  function resolve(id, li) {
    var input = li.querySelector(".note-input");
    var note = input.value.trim();
    if (!note) {
      showError(li, S.ui.note_required);
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    var save = li.querySelector(".btn-save");
    save.disabled = true;
    post(apiBase + id + "/resolve/", { note: note }).then(function (alert) {
      closeResolve(li, false);
      apply(alert);
      var card = cardFor(id);
      if (card) { card.querySelector(".alert-body").focus(); }
    }).catch(function (err) {
      showError(li, err.message === "Failed to fetch" ? S.ui.network_error : err.message);
    }).then(function () { save.disabled = false; });
  }

  // --- sound (Web Audio beep; off by default) ------------------------------------------------

  var soundOn = false;
  var audio = null;
  try { soundOn = window.localStorage.getItem("alerts.sound") === "on"; } catch (e) { soundOn = false; }
  function renderSound() {
    soundToggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
    soundToggle.textContent = soundOn ? S.ui.sound_on : S.ui.sound_off;
  }
  soundToggle.addEventListener("click", function () {
    soundOn = !soundOn;
    try { window.localStorage.setItem("alerts.sound", soundOn ? "on" : "off"); } catch (e) { /* private mode */ }
    if (soundOn) { beep(); }
    renderSound();
  });
  function beep() {
    if (!soundOn) { return; }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return; }
    try {
      audio = audio || new Ctx();
      if (audio.state === "suspended") { audio.resume(); }
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.4);
    } catch (e) { /* no audio device: the visual cue remains */ }
  }

  // --- the socket --------------------------------------------------------------------------

  function setState(name, text) {
    connState.className = "conn conn-" + name;
    connState.dataset.state = name;
    connState.querySelector(".conn-text").textContent = text;
  }

  function onEvent(message) {
    if (typeof message.seq === "number" && message.seq > lastSeq) { lastSeq = message.seq; }
    var alert = message.alert;
    var known = alerts[alert.id];
    var isNewAlert = message.event === "created" && !known;
    apply(alert, { fresh: isNewAlert });
    var title = S.titles[alert.title] || alert.title;
    if (isNewAlert && matches(alert)) {
      announce(fmt(S.ui.announce_new, { severity: S.severity[alert.severity], code: alert.patient_code, title: title }));
      beep();
    } else if (message.event === "escalated" && !(known && known.escalated) && matches(alert)) {
      announce(fmt(S.ui.announce_escalated, { code: alert.patient_code, title: title }));
      beep();
    } else if (message.event === "acknowledged" && known && known.status === "open") {
      announce(fmt(S.ui.announce_ack, { code: alert.patient_code, user: alert.acknowledged_by }));
    } else if (message.event === "resolved" && known && known.status !== "resolved") {
      announce(fmt(S.ui.announce_resolved, { code: alert.patient_code, user: alert.resolved_by }));
    }
  }

  function resync() {
    // More missed events than a replay carries: reload the list from the API.
    var params = new URLSearchParams({ ordering: "triage", limit: "200" });
    if (filterStatus !== "all") { params.set("status", filterStatus); }
    if (filterKind) { params.set("kind", filterKind); }
    setState("resync", S.ui.conn_resync);
    return fetch(apiBase + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (page) { (page.results || []).forEach(function (a) { apply(a); }); setState("live", S.ui.conn_live); });
  }

  function connect() {
    reconnectTimer = null;
    setState(attempt ? "reconnecting" : "connecting", S.ui.conn_connecting);
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + config.dataset.wsPath);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("message", function (ev) {
      var message;
      try { message = JSON.parse(ev.data); } catch (e) { return; }
      if (message.type === "authenticated") {
        attempt = 0;
        authenticated = true;
        setState("live", S.ui.conn_live);
        socket.send(JSON.stringify({ type: "resume", after: lastSeq }));
      } else if (message.type === "alert") {
        onEvent(message);
      } else if (message.type === "resumed") {
        if (message.last_seq > lastSeq) { lastSeq = message.last_seq; }
        if (!message.complete) { resync(); }
      } else if (message.type === "error" && window.console) {
        window.console.warn("alerts socket:", message.detail);
      }
    });
    socket.addEventListener("close", function (ev) {
      socket = null;
      authenticated = false;
      if (stopped) { return; }
      if (ev.code === 4401 || ev.code === 4403) {
        setState("signed-out", S.ui.conn_signed_out);
        return;
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    attempt += 1;
    if (attempt > 60) { setState("offline", S.ui.conn_offline); return; }
    var seconds = Math.min(30, Math.pow(2, Math.min(attempt - 1, 5)));
    var delay = seconds * 1000 * (0.8 + Math.random() * 0.4);
    setState("reconnecting", fmt(S.ui.conn_reconnecting, { seconds: Math.round(delay / 1000) }));
    reconnectTimer = window.setTimeout(connect, delay);
  }

  window.addEventListener("online", function () {
    if (!socket && reconnectTimer) { window.clearTimeout(reconnectTimer); attempt = 0; connect(); }
  });
  window.addEventListener("pagehide", function () { stopped = true; if (socket) { socket.close(); } });

  // --- start -----------------------------------------------------------------------------------

  renderSound();
  initial.forEach(function (a) { apply(a); });
  refreshEmpty();
  window.setInterval(function () {
    Object.keys(alerts).forEach(function (id) {
      var li = cardFor(id);
      if (li) {
        li.querySelector(".alert-time").textContent = fmt(S.ui.raised, { when: ago(alerts[id].created_at) });
        li.querySelector(".alert-who").textContent = whoText(alerts[id]);
      }
    });
  }, 30000);
  window.setInterval(function () {
    if (socket && authenticated && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "resume", after: lastSeq }));
    }
  }, RESUME_EVERY_MS);
  connect();
})();
