// The voice diary: recorded in the browser, converted to a 16-bit PCM WAV on the phone,
// queued like everything else and uploaded (multipart) when the network allows.
import { isoWithOffset } from "../clock.js";
import { h, mount } from "../dom.js";
import { _ } from "../i18n.js";
import { enqueue, newId } from "../outbox.js";
import { hasScope, state } from "../state.js";
import { recordingToWav } from "../wav.js";
import { button, errorBox, link } from "../ui.js";

const MAX_SECONDS = 60;

export function voiceScreen(main, ctx) {
  mount(main, h("h1", { tabindex: "-1" }, _("Voice diary")));
  if (state.consents && !hasScope("speech")) {
    mount(main, 
      h("p", { class: "notice" }, _("You are not sharing voice diaries at the moment. You can change this in Settings.")),
      link(_("Go to Settings"), "#/settings"),
    );
    return undefined;
  }
  const supported = Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  const errors = errorBox();
  const timerText = h("p", { class: "timer", id: "voice-timer", "aria-live": "off" }, "0:00");
  const status = h("p", { class: "voice-status", role: "status", id: "voice-status" });
  const area = h("div", { class: "voice-area" });
  let recorder = null;
  let stream = null;
  let ticker = null;
  let wav = null;
  let recordedAt = null;
  let objectUrl = null;

  const fmt = (sec) => `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, "0")}`;

  function stopTracks() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    window.clearInterval(ticker);
  }

  function showIdle() {
    area.replaceChildren(button(_("Start recording"), start, { id: "voice-start", class: "btn btn-primary btn-big" }));
  }

  async function start() {
    errors.clear();
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      errors.show(_("The app could not use the microphone. Allow microphone access for this app in your phone's settings."));
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data && event.data.size) chunks.push(event.data);
    });
    recorder.addEventListener("stop", async () => {
      stopTracks();
      status.textContent = _("Preparing your recording…");
      try {
        wav = await recordingToWav(new Blob(chunks, { type: recorder.mimeType }));
        showReview();
      } catch (err) {
        errors.show(_("The recording could not be prepared on this phone. Please try again."));
        showIdle();
      }
    });
    recordedAt = isoWithOffset();
    recorder.start(1000);
    const started = Date.now();
    timerText.textContent = fmt(0);
    ticker = window.setInterval(() => {
      const sec = Math.floor((Date.now() - started) / 1000);
      timerText.textContent = `${fmt(sec)} / ${fmt(MAX_SECONDS)}`;
      if (sec >= MAX_SECONDS && recorder.state === "recording") recorder.stop();
    }, 250);
    status.textContent = _("Recording. Tap Stop when you have finished.");
    area.replaceChildren(
      timerText,
      button(_("Stop"), () => recorder.state === "recording" && recorder.stop(), {
        id: "voice-stop", class: "btn btn-danger btn-big",
      }),
    );
  }

  function showReview() {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(wav);
    status.textContent = _("Your recording is ready. Listen to it if you like, then send it.");
    area.replaceChildren(
      h("audio", { controls: true, src: objectUrl, class: "preview" }),
      h("div", { class: "stack" },
        button(_("Send"), send, { id: "voice-send" }),
        button(_("Record again"), () => { wav = null; showIdle(); }, { kind: "secondary" }),
      ),
    );
  }

  async function send() {
    const payload = { id: newId(), recorded_at: recordedAt };
    await enqueue("recording", payload, wav);
    ctx.flash(ctx.state.online
      ? _("Voice diary saved. Thank you!")
      : _("Voice diary saved on your phone. It will be sent when you are back online."));
    ctx.navigate("home");
  }

  mount(main, 
    h("p", { class: "lead" }, _("Talk for about 30 seconds about how your day went, in your own words.")),
    h("p", null, _("Nobody listens to it: the app measures how you speak (speed, pauses, tone of voice), and the recording is deleted once measured.")),
    errors.box,
    status,
    area,
  );
  if (supported) showIdle();
  else errors.show(_("This phone's browser cannot record audio. Try another browser."));

  return () => {
    if (recorder && recorder.state === "recording") recorder.stop();
    stopTracks();
    if (objectUrl) URL.revokeObjectURL(objectUrl);
  };
}
