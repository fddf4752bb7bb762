// Welcome, enrolment with the nurse's code, and sign-in.
import { api, ApiError, NetworkError } from "../api.js";
import { h, mount } from "../dom.js";
import { _ } from "../i18n.js";
import { button, errorBox, field, firstMessage, helpLink, link, networkMessage, screen } from "../ui.js";

export function welcomeScreen(main) {
  mount(main, 
    ...screen(
      _("Welcome"),
      h("p", { class: "lead" }, _("This app helps you and your care team follow how you are between appointments.")),
      h("p", null, _("It takes less than a minute a day.")),
      h("div", { class: "stack" },
        link(_("Set up with my code"), "#/enrol", { kind: "primary" }),
        link(_("I already have an account"), "#/login"),
      ),
      helpLink(),
    ),
  );
}

export function enrolScreen(main, ctx) {
  const errors = errorBox();
  const code = field({
    label: _("Code from your care team"), name: "enrollment_code", autocomplete: "one-time-code",
    autocapitalize: "characters", spellcheck: "false", required: true, hint: _("For example ABCDE-23456"),
  });
  const username = field({
    label: _("Choose a username"), name: "username", autocomplete: "username", autocapitalize: "none",
    spellcheck: "false", required: true, hint: _("Letters, digits and . @ + - _ only"),
  });
  const password = field({
    label: _("Choose a password"), name: "password", type: "password", autocomplete: "new-password",
    required: true, hint: _("At least 10 characters. Not only digits."),
  });
  const confirm = field({
    label: _("Type the password again"), name: "password2", type: "password", autocomplete: "new-password",
    required: true,
  });
  const fields = { enrollment_code: code, username, password };
  const submit = button(_("Create my account"), null, { type: "submit" });

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    [code, username, password, confirm].forEach((f) => f.setError(""));
    if (password.input.value !== confirm.input.value) {
      confirm.setError(_("The two passwords are not the same."));
      confirm.input.focus();
      return;
    }
    submit.disabled = true;
    try {
      const { data } = await api("auth/enroll/", {
        method: "POST",
        auth: false,
        json: {
          enrollment_code: code.input.value.trim(),
          username: username.input.value.trim(),
          password: password.input.value,
        },
      });
      await ctx.onSignedIn({ access: data.access, refresh: data.refresh, username: username.input.value.trim() });
    } catch (err) {
      submit.disabled = false;
      if (err instanceof NetworkError) {
        errors.show(networkMessage());
        return;
      }
      if (err instanceof ApiError && err.status === 400) {
        const messages = {
          enrollment_code: firstMessage(err.data, "enrollment_code")
            ? _("This code is not valid or has expired. Ask your care team for a new one.") : "",
          username: firstMessage(err.data, "username") ? _("This username cannot be used. Choose another one.") : "",
          // Django's password validators answer in the phone's language already.
          password: firstMessage(err.data, "password"),
        };
        let first = null;
        for (const [name, message] of Object.entries(messages)) {
          fields[name].setError(message);
          if (message && !first) first = fields[name].input;
        }
        errors.show(_("Please check the fields marked below."));
        if (first) first.focus();
        return;
      }
      if (err instanceof ApiError && err.status === 429) {
        errors.show(_("Too many attempts. Wait a few minutes and try again."));
        return;
      }
      errors.show(_("Something went wrong. Please try again."));
    }
  }

  mount(main, 
    ...screen(
      _("Set up the app"),
      h("p", null, _("Your nurse gave you a code. Enter it with a username and password of your choice.")),
      errors.box,
      h("form", { onsubmit: onSubmit, novalidate: true },
        code.wrapper, username.wrapper, password.wrapper, confirm.wrapper, submit),
      h("p", null, h("a", { href: "#/login" }, _("I already have an account"))),
    ),
  );
}

export function loginScreen(main, ctx) {
  const errors = errorBox();
  const expired = ctx.state.auth && ctx.state.auth.patientId && !ctx.state.auth.refresh;
  const username = field({
    label: _("Username"), name: "username", autocomplete: "username", autocapitalize: "none", spellcheck: "false",
    required: true, value: expired ? ctx.state.auth.username || "" : "",
  });
  const password = field({
    label: _("Password"), name: "password", type: "password", autocomplete: "current-password", required: true,
  });
  const submit = button(_("Sign in"), null, { type: "submit" });

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    submit.disabled = true;
    try {
      const { data } = await api("auth/token/", {
        method: "POST",
        auth: false,
        json: { username: username.input.value.trim(), password: password.input.value },
      });
      await ctx.onSignedIn({ access: data.access, refresh: data.refresh, username: username.input.value.trim() });
    } catch (err) {
      submit.disabled = false;
      if (err instanceof NetworkError) errors.show(networkMessage());
      else if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
        errors.show(_("The username or password is not right."));
      } else if (err instanceof ApiError && err.status === 429) {
        errors.show(_("Too many failed attempts. Try again later or ask your care team."));
      } else if (err && err.message === "not-a-patient") {
        errors.show(_("This app is for patients. Care team members use the dashboard."));
      } else errors.show(_("Something went wrong. Please try again."));
      password.input.focus();
    }
  }

  mount(main, 
    ...screen(
      _("Sign in"),
      expired
        ? h("p", { class: "notice" }, _("You have been signed out. Sign in again: what is waiting to send is kept."))
        : null,
      errors.box,
      h("form", { onsubmit: onSubmit, novalidate: true }, username.wrapper, password.wrapper, submit),
      h("p", null, h("a", { href: "#/enrol" }, _("Set up with my code"))),
      helpLink(),
    ),
  );
}
