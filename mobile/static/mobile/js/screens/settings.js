// Settings: what I share (each scope withdrawable), reminders, my data, sign-out.
import { api, apiBlob, ApiError, NetworkError } from "../api.js";
import { kvGet, kvSet } from "../db.js";
import { formatTime } from "../clock.js";
import { h, mount } from "../dom.js";
import { _ } from "../i18n.js";
import { pendingCount } from "../outbox.js";
import { pushDisable, pushEnable, pushStatus, pushSupported } from "../push.js";
import { state } from "../state.js";
import { button, careTeamContact, errorBox, networkMessage } from "../ui.js";
import { OPT_OUT_SCOPES, SCOPES, scopeText, scopeWords } from "./consent.js";
import { canSpeak, easyRead, prefs, savePrefs } from "../easy.js";

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, class: "visually-hidden" }, filename);
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export async function settingsScreen(main, ctx) {
  const errors = errorBox();
  const status = h("p", { role: "status", class: "settings-status" });
  const active = new Set((state.consents && state.consents.active_scopes) || []);

  async function toggle(scope, sharing) {
    errors.clear();
    const optOut = OPT_OUT_SCOPES.has(scope);
    const question = optOut
      ? _("Turn off “%(title)s”? %(consequence)s", { title: scopeText(scope).title, consequence: scopeText(scope).off })
      : _("Stop sharing “%(title)s”? Nothing new of this kind will be sent to your care team.", { title: scopeText(scope).title });
    if (sharing && !window.confirm(question)) return;
    try {
      const { data } = sharing
        ? await api("me/consents/withdraw/", { method: "POST", json: { scopes: [scope] } })
        : await api("me/consents/", { method: "POST", json: { version: state.config.consentVersion, scopes: [scope] } });
      state.consents = data;
      await kvSet("consents", data);
      const title = scopeText(scope).title;
      if (optOut) {
        ctx.flash(sharing ? _("“%(title)s” is off.", { title }) : _("“%(title)s” is on.", { title }));
      } else {
        ctx.flash(sharing ? _("You stopped sharing “%(title)s”.", { title }) : _("You now share “%(title)s”.", { title }));
      }
      ctx.rerender();
    } catch (err) {
      errors.show(err instanceof NetworkError ? networkMessage() : _("This could not be changed. Please try again."));
    }
  }

  const reminders = (await kvGet("reminders_on")) !== false;
  const reminderBox = h("input", { type: "checkbox", id: "reminders-on", checked: reminders });
  reminderBox.addEventListener("change", async () => {
    await kvSet("reminders_on", reminderBox.checked);
    status.textContent = reminderBox.checked ? _("Reminders are on.") : _("Reminders are off.");
    // Off means off: no reminder by push either.
    if (!reminderBox.checked && pushBox.checked) {
      try {
        await pushDisable();
        pushBox.checked = false;
        pushHint.textContent = _("Reminders reach this phone only while the app is open.");
      } catch (err) {
        errors.show(err instanceof NetworkError ? networkMessage() : _("This could not be changed. Please try again."));
      }
    }
    pushBox.disabled = !reminderBox.checked;
  });
  const canNotify = "Notification" in window;
  const notifyButton = canNotify && Notification.permission === "default"
    ? button(_("Allow notifications"), async () => {
        const result = await Notification.requestPermission();
        status.textContent = result === "granted"
          ? _("Notifications are allowed.") : _("Notifications are not allowed. The app will remind you when it is open.");
        notifyButton.remove();
      }, { kind: "secondary" })
    : null;

  // Reminders when the app is closed (Web Push), where the phone and the server can.
  let push = { supported: pushSupported(), available: false, on: false };
  try {
    if (push.supported) push = await pushStatus();
  } catch (err) {
    push = { ...push, available: false };
  }
  const pushBox = h("input", { type: "checkbox", id: "push-on", checked: push.on, disabled: !reminders });
  const pushHint = h("p", { class: "hint", id: "push-hint" }, push.on
    ? _("Reminders will reach this phone even when the app is closed.")
    : _("Reminders reach this phone only while the app is open."));
  pushBox.addEventListener("change", async () => {
    errors.clear();
    pushBox.disabled = true;
    try {
      if (pushBox.checked) {
        await pushEnable();
        pushHint.textContent = _("Reminders will reach this phone even when the app is closed.");
      } else {
        await pushDisable();
        pushHint.textContent = _("Reminders reach this phone only while the app is open.");
      }
    } catch (err) {
      pushBox.checked = !pushBox.checked;
      errors.show(err instanceof NetworkError ? networkMessage()
        : err && err.message === "permission" ? _("Notifications are not allowed. The app will remind you when it is open.")
        : _("Reminders could not be set up on this phone. Please try again."));
    } finally {
      pushBox.disabled = !reminderBox.checked;
    }
  });
  const pushRow = push.supported && push.available
    ? h("div", { class: "check" }, pushBox, h("label", { for: "push-on" }, _("Also remind me when the app is closed")))
    : null;

  async function exportData(event) {
    const target = event.currentTarget;
    errors.clear();
    target.disabled = true;
    status.textContent = _("Preparing your data…");
    try {
      const { blob, type } = await apiBlob("me/export/");
      const ext = type.includes("zip") ? "zip" : type.includes("csv") ? "csv" : "json";
      download(blob, `my-data-${new Date().toISOString().slice(0, 10)}.${ext}`);
      status.textContent = _("Your data has been downloaded.");
    } catch (err) {
      status.textContent = "";
      errors.show(err instanceof NetworkError ? networkMessage()
        : err instanceof ApiError ? _("Your data could not be exported right now.") : String(err));
    } finally {
      target.disabled = false;
    }
  }

  async function signOut() {
    const waiting = await pendingCount();
    const question = waiting
      ? _("%(n)s entries have not been sent yet and will be lost. Sign out anyway?", { n: waiting })
      : _("Sign out? Your data will be removed from this phone.");
    if (!window.confirm(question)) return;
    await ctx.signOut();
  }

  const current = prefs();
  const easyBox = h("input", { type: "checkbox", id: "easy-read", checked: easyRead() });
  easyBox.addEventListener("change", () => {
    savePrefs({ easyRead: easyBox.checked });
    status.textContent = easyBox.checked ? _("Easy-read mode is on.") : _("Easy-read mode is off.");
  });
  const contrastBox = h("input", { type: "checkbox", id: "high-contrast", checked: Boolean(current.contrast) });
  contrastBox.addEventListener("change", () => savePrefs({ contrast: contrastBox.checked }));
  const sizes = [
    { value: "normal", label: _("Normal") },
    { value: "large", label: _("Large") },
    { value: "larger", label: _("Very large") },
  ];
  const textSize = h("fieldset", { class: "choice-group text-size" },
    h("legend", null, _("Text size")),
    sizes.map((size) => {
      const input = h("input", { type: "radio", name: "text-size", id: `text-size-${size.value}`, value: size.value,
        checked: current.textSize === size.value });
      input.addEventListener("change", () => savePrefs({ textSize: size.value }));
      return h("div", { class: "choice-option" }, input, h("label", { for: `text-size-${size.value}` }, size.label));
    }));

  const schedule = state.schedule;
  mount(main, 
    h("h1", { tabindex: "-1" }, _("Settings")),
    errors.box,
    status,
    careTeamContact(ctx),
    h("section", { "aria-labelledby": "display-title" },
      h("h2", { id: "display-title" }, _("Reading and display")),
      h("div", { class: "check" }, easyBox, h("label", { for: "easy-read" },
        _("Easy-read mode: big pictures, short sentences, one question at a time"))),
      canSpeak() ? h("p", { class: "hint" }, _("In easy-read mode, “Read aloud” reads the screen with your phone’s voice.")) : null,
      textSize,
      h("div", { class: "check" }, contrastBox, h("label", { for: "high-contrast" }, _("High contrast"))),
    ),
    h("section", { "aria-labelledby": "share-title" },
      h("h2", { id: "share-title" }, _("What I share")),
      h("ul", { class: "scopes" }, SCOPES.map((scope) => {
        const sharing = active.has(scope);
        const text = scopeText(scope);
        const words = scopeWords(scope);
        return h("li", { class: "scope", "data-scope": scope },
          h("h3", null, text.title),
          h("p", { class: "hint" }, text.body),
          h("p", { class: sharing ? "choice yes" : "choice no" }, sharing ? words.on : words.off),
          button(sharing ? words.stop : words.start, () => toggle(scope, sharing), {
            kind: "secondary", "data-action": sharing ? "withdraw" : "grant",
            "aria-label": `${sharing ? words.stop : words.start}: ${text.title}`,
          }),
        );
      })),
    ),
    h("section", { "aria-labelledby": "reminder-title" },
      h("h2", { id: "reminder-title" }, _("Reminders")),
      schedule ? h("p", null, _("Your care team set your daily check-in for %(time)s.", {
        time: formatTime(schedule.checkin.time),
      })) : null,
      h("div", { class: "check" }, reminderBox, h("label", { for: "reminders-on" }, _("Remind me when it is time"))),
      notifyButton,
      pushRow,
      pushRow ? pushHint : null,
    ),
    h("section", { "aria-labelledby": "data-title" },
      h("h2", { id: "data-title" }, _("My data")),
      h("p", null, _("Download a copy of everything the app has sent about you.")),
      button(_("Download my data"), exportData, { kind: "secondary", id: "export-data" }),
    ),
    h("section", { "aria-labelledby": "signout-title" },
      h("h2", { id: "signout-title" }, _("Sign out")),
      h("p", null, _("Signing out removes your data from this phone. Your care team keeps what was sent.")),
      button(_("Sign out"), signOut, { kind: "danger", id: "sign-out" }),
    ),
    h("p", { class: "version" }, _("App version %(v)s", { v: state.config.shellVersion.slice(0, 8) })),
    h("p", { class: "version" }, _("Pictures: Twemoji, by Twitter and contributors, CC-BY 4.0.")),
  );
}
