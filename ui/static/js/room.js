// The join page and the room. The join form picks a name and devices with a
// live preview; joining hands the local stream to the signaling client in
// rtc.js and switches the page to the room. Secrets (passcode, host key) go
// only into the signaling WebSocket, never into a URL or storage.
import { Preview, mediaErrorText, constraintsFor, stopStream } from "./devices.js";
import * as view from "./roomview.js";
import { Chair } from "./chair.js";

const $ = (id) => document.getElementById(id);
const app = $("app");
const grid = new view.Grid($("grid"));

const state = {
  client: null,
  selfId: "",
  role: "member",
  mode: "audio",
  mic: false,
  cam: false,
  hand: false,
  people: new Map(),
  hands: [],
};

const preview = new Preview({
  video: $("preview"), meter: $("mic-level"), mic: $("mic"), cam: $("cam"),
  onError: (text) => { $("join-error").textContent = text; },
});

function currentMode() {
  return document.querySelector("input[name=mode]:checked").value;
}

function showDeviceFields(mode) {
  for (const el of document.querySelectorAll("[data-needs]")) {
    const need = el.dataset.needs;
    el.hidden = mode === "listen" || (need === "cam" && mode !== "video");
  }
}

function onModeChange() {
  state.mode = currentMode();
  showDeviceFields(state.mode);
  preview.start(state.mode);
}

for (const r of document.querySelectorAll("input[name=mode]")) r.addEventListener("change", onModeChange);
$("mic").addEventListener("change", () => preview.start(state.mode));
$("cam").addEventListener("change", () => preview.start(state.mode));
showDeviceFields(state.mode);
preview.start(state.mode);

/** Shows the waiting/ended screen with words for code. */
function showWait(title, text, canRetry) {
  $("join").hidden = true;
  $("room").hidden = true;
  $("wait").hidden = false;
  $("wait-title").textContent = title;
  $("wait-text").textContent = text;
  $("wait-retry").hidden = !canRetry;
  $("wait-title").focus();
}

$("wait-retry").addEventListener("click", () => {
  $("wait").hidden = true;
  $("join").hidden = false;
  $("join-button").disabled = false;
  preview.start(state.mode);
  $("name").focus();
});

$("join-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const name = $("name").value.trim();
  if (!name) {
    $("join-error").textContent = "Please enter a name.";
    $("name").focus();
    return;
  }
  const passEl = $("passcode");
  const auth = {};
  if (passEl) auth.passcode = passEl.value;
  if ($("hostkey").value) auth.hostKey = $("hostkey").value;
  $("join-button").disabled = true;
  let stream = preview.stream;
  if (!stream && state.mode !== "listen") {
    stream = await preview.start(state.mode);
    if (!stream) {
      $("join-button").disabled = false;
      return; // the preview already said why
    }
  }
  preview.take();
  // The secrets leave the form as soon as they are sent.
  if (passEl) passEl.value = "";
  $("hostkey").value = "";
  await connect(name, auth, stream);
});

async function connect(name, auth, stream) {
  let rtc;
  try {
    rtc = await import("./rtc.js");
  } catch {
    stopStream(stream);
    showWait("Cannot connect", view.endMessage("unavailable"), true);
    return;
  }
  state.mic = state.mode !== "listen";
  state.cam = state.mode === "video";
  const client = rtc.connect({
    url: signalURL(), room: app.dataset.room, name, auth, stream,
  });
  state.client = client;
  bindClient(client, name, stream);
}

function signalURL() {
  const u = new URL(app.dataset.signal, location.href);
  u.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return u.href;
}

function enterRoom(name, stream) {
  $("join").hidden = true;
  $("wait").hidden = true;
  $("room").hidden = false;
  grid.tile(state.selfId, name, true);
  grid.setStream(state.selfId, stream || null);
  refreshSelf();
  $("room-title").focus();
}

/** Applies the local mic/camera state to buttons, tile and the server. */
function refreshSelf() {
  setPressed($("btn-mic"), state.mic, "Mic on", "Mic off");
  setPressed($("btn-cam"), state.cam, "Camera on", "Camera off");
  setPressed($("btn-hand"), state.hand, "Lower hand", "Raise hand");
  $("btn-mic").disabled = state.mode === "listen";
  grid.setState(state.selfId, { audio: state.mic, video: state.cam, hand: state.hand });
}

function setPressed(btn, on, onText, offText) {
  btn.setAttribute("aria-pressed", on ? "true" : "false");
  btn.textContent = on ? onText : offText;
}

function bindClient(client, name, stream) {
    client.on("joined", (msg) => {
    state.selfId = msg.id;
    for (const p of msg.participants || []) addPerson(p);
    enterRoom(msg.name || name, stream);
    // The camera starts off unless the member chose it: the server already
    // has our mute state from the answer, this makes it explicit.
    client.mute({ audio: state.mic, video: state.cam });
    view.announce(`You joined. ${state.people.size} other ${state.people.size === 1 ? "person is" : "people are"} here.`);
  });
  client.on("participant", (msg) => onParticipant(msg.event, msg.participant));
  client.on("track", ({ id, stream: s }) => {
    if (!state.people.has(id)) return;
    grid.setStream(id, s);
  });
  client.on("speaking", ({ id, on }) => grid.speaking(id === "self" ? state.selfId : id, on));
  client.on("reconnecting", () => { $("reconnecting").hidden = false; });
  client.on("reconnected", () => { $("reconnecting").hidden = true; view.announce("Reconnected."); });
  client.on("message", onControl);
  client.on("error", (msg) => { lastError = msg.code; });
  client.on("close", ({ code }) => onClose(code));
}

let lastError = "";

function addPerson(p) {
  state.people.set(p.id, { role: "member", ...p });
  grid.tile(p.id, p.name, false);
  grid.setState(p.id, { audio: p.audio, video: p.video, hand: false });
  renderPeople();
}

function onParticipant(event, p) {
  if (event === "joined") {
    addPerson(p);
    view.announce(`${p.name} joined.`);
  } else if (event === "left") {
    const who = state.people.get(p.id);
    state.people.delete(p.id);
    grid.remove(p.id);
    renderPeople();
    if (who) view.announce(`${who.name} left.`);
  } else if (event === "updated") {
    const who = { ...state.people.get(p.id), ...p };
    state.people.set(p.id, who);
    grid.rename(p.id, who.name, false);
    grid.setState(p.id, { audio: who.audio, video: who.video, hand: state.hands.some((h) => h.id === p.id) });
    renderPeople();
  }
}

function onClose(code) {
  const codes = { 4002: "removed", 4003: "replaced", 4004: "unavailable" };
  const reason = codes[code] || lastError || (code === 1000 ? "" : "unavailable");
  cleanup();
  if (state.leaving) {
    showWait("You left the meeting", "Thank you for coming. You can rejoin from the meeting page.", true);
    return;
  }
  if (state.ended) {
    showWait("The meeting has ended", view.endMessage("ended"), false);
    return;
  }
  const retry = !["removed", "ended", "barred"].includes(reason);
  showWait(reason === "removed" ? "You were removed" : "You are not in the meeting", view.endMessage(reason), retry);
}

function cleanup() {
  grid.clear();
  state.people.clear();
  state.hands = [];
  state.client = null;
  view.showTimer(0);
  $("reconnecting").hidden = true;
}

function renderPeople() {
  const self = { id: state.selfId, name: $("name").value.trim(), role: state.role, audio: state.mic, video: state.cam };
  view.renderPeople([self, ...state.people.values()], state.selfId, isChair(), chair.memberActions());
}

const chair = new Chair({
  send: (msg) => state.client && state.client.send(msg),
  people: () => state.people,
});

/**
 * Room-control messages (see sfu/PROTOCOL.md "Chair controls"): the server
 * decides everything; these only show what it decided.
 */
function onControl(msg) {
  switch (msg.type) {
    case "waiting":
      showWait("Waiting to be let in", "You are in the waiting room. A chair will let you in soon.", false);
      break;
    case "role":
      if (msg.id === state.selfId) {
        state.role = msg.role;
        chair.setChair(isChair());
        view.announce(`You are now ${msg.role}.`);
      } else if (state.people.has(msg.id)) {
        state.people.get(msg.id).role = msg.role;
      }
      renderPeople();
      break;
    case "hands":
      state.hands = msg.hands || [];
      view.renderHands(state.hands.map((h) => ({ name: nameOf(h.id ?? h) })));
      for (const [id, p] of state.people) grid.setState(id, { audio: p.audio, video: p.video, hand: state.hands.some((h) => (h.id ?? h) === id) });
      if (msg.raised && msg.raised !== state.selfId) view.announce(`${nameOf(msg.raised)} raised a hand.`);
      break;
    case "chat":
      view.appendChat({ id: msg.id, from: nameOf(msg.from), text: msg.text, at: msg.at }, isChair(), (id) => chair.deleteChat(id));
      if (msg.from !== state.selfId && $("chat").hidden) view.announce(`Chat from ${nameOf(msg.from)}: ${msg.text}`);
      break;
    case "chat-deleted":
      view.deleteChat(msg.id);
      break;
    case "ask-unmute":
      view.announce("A chair asks you to unmute. Press Alt+A to unmute.");
      break;
    case "perms":
      applyPerms(msg);
      break;
    case "timer":
      view.showTimer(msg.ends ? Date.parse(msg.ends) : 0, msg.id ? nameOf(msg.id) : "");
      break;
    case "ended":
      state.ended = true;
      break;
    default:
      chair.onMessage(msg);
  }
}

/** The server turned our microphone or camera off: follow, do not fight it. */
function applyPerms(msg) {
  if (msg.audio === false && state.mic) {
    state.mic = false;
    state.client.mute({ audio: false, video: state.cam });
    view.announce("A chair muted you.");
  }
  if (msg.video === false && state.cam) {
    state.cam = false;
    state.client.setCamera(false).catch(() => {});
    state.client.mute({ audio: state.mic, video: false });
    view.announce("A chair stopped your camera.");
  }
  refreshSelf();
}

function nameOf(id) {
  if (id === state.selfId) return "You";
  const p = state.people.get(id);
  return p ? p.name : "Someone";
}

function isChair() {
  return state.role === "chair" || state.role === "co-chair";
}

// Controls. Shortcuts use Alt so that they never fire while typing in chat.
function toggleMic() {
  if (!state.client || state.mode === "listen") return;
  state.mic = !state.mic;
  state.client.mute({ audio: state.mic, video: state.cam });
  refreshSelf();
  renderPeople();
}

async function toggleCam() {
  if (!state.client) return;
  const want = !state.cam;
  const err = await state.client.setCamera(want).catch((e) => e);
  if (err instanceof Error) {
    view.announce(mediaErrorText(err, "video"));
    $("join-error").textContent = mediaErrorText(err, "video");
    return;
  }
  state.cam = want;
  if (want) grid.setStream(state.selfId, state.client.localStream);
  state.client.mute({ audio: state.mic, video: state.cam });
  refreshSelf();
  renderPeople();
}

function toggleHand() {
  if (!state.client) return;
  state.hand = !state.hand;
  state.client.send({ type: "hand", raised: state.hand });
  refreshSelf();
}

function togglePanel(btn, panel) {
  const open = panel.hidden;
  panel.hidden = !open;
  btn.setAttribute("aria-expanded", String(open));
  if (open) panel.querySelector("h2").setAttribute("tabindex", "-1"), panel.querySelector("h2").focus();
}

function leave() {
  if (!state.client) return;
  state.leaving = true;
  state.client.leave();
}

$("btn-mic").addEventListener("click", toggleMic);
$("btn-cam").addEventListener("click", toggleCam);
$("btn-hand").addEventListener("click", toggleHand);
$("btn-chat").addEventListener("click", () => togglePanel($("btn-chat"), $("chat")));
$("btn-people").addEventListener("click", () => togglePanel($("btn-people"), $("people")));
$("btn-chair").addEventListener("click", () => togglePanel($("btn-chair"), $("chair")));
$("btn-leave").addEventListener("click", leave);
document.addEventListener("keydown", (ev) => {
  if ($("room").hidden || !ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const keys = {
    a: toggleMic, v: toggleCam, y: toggleHand,
    c: () => togglePanel($("btn-chat"), $("chat")), p: () => togglePanel($("btn-people"), $("people")),
  };
  const fn = keys[ev.key.toLowerCase()];
  if (fn) {
    ev.preventDefault();
    fn();
  }
});

$("chat-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("chat-text").value.trim();
  if (!text || !state.client) return;
  state.client.send({ type: "chat", text });
  $("chat-text").value = "";
});
$("chat-text").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) {
    ev.preventDefault();
    $("chat-form").requestSubmit();
  }
});

export { constraintsFor, state, showWait };
