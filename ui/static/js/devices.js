// Camera and microphone: the join page preview, device lists and the
// messages for a denied or missing device. Used by the join page and the room.
import { t } from "./i18n.js";

/** Human words for getUserMedia failures; the raw error is never shown. */
export function mediaErrorText(err, wanted) {
  const what = wanted === "video" ? "video" : "audio";
  switch (err && err.name) {
    case "NotAllowedError":
    case "SecurityError":
      return t(`room.media.blocked.${what}`);
    case "NotFoundError":
    case "OverconstrainedError":
      return t(`room.media.notFound.${what}`);
    case "NotReadableError":
    case "AbortError":
      return t(`room.media.inUse.${what}`);
    default:
      return t(`room.media.failed.${what}`);
  }
}

/** Constraints for a mode ("video", "audio", "listen") and chosen device ids. */
export function constraintsFor(mode, micId, camId) {
  if (mode === "listen") return null;
  const audio = micId ? { deviceId: { exact: micId } } : true;
  if (mode !== "video") return { audio, video: false };
  const video = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };
  if (camId) video.deviceId = { exact: camId };
  return { audio, video };
}

/**
 * Fills a <select> with devices of one kind, keeping the current choice.
 * defaultId and numberedId are catalog messages ("Default microphone",
 * "Microphone {{.N}}" for a device the browser gives no label).
 */
export function fillDeviceSelect(select, devices, kind, defaultId, numberedId) {
  const current = select.value;
  select.replaceChildren(new Option(t(defaultId), ""));
  let n = 0;
  for (const d of devices) {
    if (d.kind !== kind) continue;
    n += 1;
    select.append(new Option(d.label || t(numberedId, { N: n }), d.deviceId));
  }
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

/** Whether the browser lets a page choose where its sound plays. */
export const canChooseSpeaker = typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;

/**
 * Plays a short two-note chime on the chosen speaker (sinkId "" is the
 * default), as a pre-join screen's test sound. Resolves when it is over.
 */
export async function playTestSound(sinkId) {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  const ctx = new Ctx();
  const out = ctx.createMediaStreamDestination();
  const gain = ctx.createGain();
  gain.connect(out);
  for (const [i, freq] of [660, 880].entries()) {
    const osc = ctx.createOscillator();
    osc.frequency.value = freq;
    osc.connect(gain);
    osc.start(ctx.currentTime + i * 0.35);
    osc.stop(ctx.currentTime + i * 0.35 + 0.3);
  }
  gain.gain.value = 0.2;
  const el = new Audio();
  el.srcObject = out.stream;
  try {
    if (sinkId && el.setSinkId) await el.setSinkId(sinkId);
    await el.play();
    await new Promise((r) => setTimeout(r, 800));
  } finally {
    el.pause();
    el.srcObject = null;
    await ctx.close().catch(() => {});
  }
}

/** Stops every track of a stream (safe on null). */
export function stopStream(stream) {
  if (stream) for (const t of stream.getTracks()) t.stop();
}

/**
 * Drives a <meter> from a microphone track until stop() is called, so that a
 * member can see that the right microphone is picked up.
 */
export function levelMeter(track, meter) {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx || !track) return { stop() {} };
  const ctx = new Ctx();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  let frame = 0;
  let closed = false;
  const tick = () => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    meter.value = Math.min(1, Math.sqrt(sum / buf.length) * 4);
    frame = requestAnimationFrame(tick);
  };
  tick();
  return {
    // Safe to call again (the preview stops its meter when the room takes
    // the stream and once more on the next start): a closed context is not
    // closed twice.
    stop() {
      cancelAnimationFrame(frame);
      meter.value = 0;
      if (closed) return;
      closed = true;
      ctx.close().catch(() => {});
    },
  };
}

/**
 * Preview owns the join page's local stream: it restarts it when the mode or
 * a device changes and reports failures in words.
 */
export class Preview {
  constructor({ video, meter, mic, cam, speaker, onError }) {
    Object.assign(this, { video, meter, mic, cam, speaker, onError });
    this.stream = null;
    this.meterHandle = { stop() {} };
    this.generation = 0;
  }

  async start(mode) {
    const gen = ++this.generation;
    this.stop();
    const c = constraintsFor(mode, this.mic.value, this.cam.value);
    if (!c) {
      // Listening only still chooses where to listen.
      if (this.speaker) {
        const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
        fillDeviceSelect(this.speaker, devices, "audiooutput", "room.defaultSpeaker", "room.speakerN");
      }
      return null;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(c);
    } catch (err) {
      if (gen === this.generation) this.onError(mediaErrorText(err, mode));
      return null;
    }
    // A newer start() won the race: drop this stream.
    if (gen !== this.generation) {
      stopStream(stream);
      return null;
    }
    this.stream = stream;
    this.onError("");
    const devices = await navigator.mediaDevices.enumerateDevices();
    fillDeviceSelect(this.mic, devices, "audioinput", "room.defaultMic", "room.micN");
    fillDeviceSelect(this.cam, devices, "videoinput", "room.defaultCam", "room.camN");
    if (this.speaker) fillDeviceSelect(this.speaker, devices, "audiooutput", "room.defaultSpeaker", "room.speakerN");
    const hasVideo = stream.getVideoTracks().length > 0;
    this.video.hidden = !hasVideo;
    this.video.srcObject = hasVideo ? stream : null;
    this.meterHandle = levelMeter(stream.getAudioTracks()[0], this.meter);
    return stream;
  }

  /** Hands the stream over (the room now owns it) without stopping it. */
  take() {
    const s = this.stream;
    this.meterHandle.stop();
    this.video.srcObject = null;
    this.stream = null;
    return s;
  }

  stop() {
    this.meterHandle.stop();
    stopStream(this.stream);
    this.stream = null;
    this.video.srcObject = null;
    this.video.hidden = true;
  }
}
