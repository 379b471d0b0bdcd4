// The join page and the room. The join form picks a name and devices with a
// live preview; joining hands the local stream to the signaling client in
// rtc.js and switches the page to the room. Secrets (passcode, host key) go
// only into the signaling WebSocket, never into a URL or storage.
import { Preview, mediaErrorText, stopStream, canChooseSpeaker, playTestSound } from "./devices.js";
import * as view from "./roomview.js";
import { Chair } from "./chair.js";
import { Tradition } from "./tradition.js";
import { Reading } from "./reading.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const app = $("app");
const grid = new view.Grid($("grid"), {
  box: $("pager"), prev: $("page-prev"), next: $("page-next"), info: $("page-info"),
});

const state = {
  client: null,
  selfId: "",
  role: "member",
  mode: "audio",
  mic: false,
  cam: false,
  hand: false,
  lowering: false, // this page asked to lower its own hand
  people: new Map(),
  // chairs and co-chairs by id: {role, label}, label a service role
  chairRoles: new Map(),
  selfLabel: "",
  hands: [],
  chatMode: "everyone",
  sentBack: false, // a chair moved us back to the waiting room; a new join waits
};

const preview = new Preview({
  video: $("preview"), meter: $("mic-level"), mic: $("mic"), cam: $("cam"),
  speaker: canChooseSpeaker ? $("speaker") : null,
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

// The speaker: chosen before joining (where the browser allows it), tried
// with a test sound, and used for everyone's audio in the room.
$("speaker-field").hidden = !canChooseSpeaker;
$("speaker").addEventListener("change", () => { grid.sinkId = $("speaker").value; });
$("test-sound").addEventListener("click", async () => {
  $("test-sound").disabled = true;
  try {
    await playTestSound($("speaker").value);
  } catch {
    $("join-error").textContent = t("room.testSoundFailed");
  } finally {
    $("test-sound").disabled = false;
  }
});

const retryText = $("wait-retry").textContent;

/**
 * Shows the waiting/ended screen with words for code. next: say when the
 * meeting meets again (the server wrote it into #wait-next, in the
 * member's language and zone). rejoin: the button rejoins at once.
 */
function showWait(title, text, canRetry, { next = false, rejoin = false } = {}) {
  $("join").hidden = true;
  $("room").hidden = true;
  $("wait").hidden = false;
  $("wait-title").textContent = title;
  $("wait-text").textContent = text;
  if ($("wait-next")) $("wait-next").hidden = !next;
  $("wait-retry").hidden = !canRetry;
  $("wait-retry").textContent = rejoin ? t("room.rejoin") : retryText;
  state.rejoin = rejoin;
  $("wait-title").focus();
}

$("wait-retry").addEventListener("click", () => {
  $("wait").hidden = true;
  $("join").hidden = false;
  $("join-button").disabled = false;
  // Rejoining after leaving needs nothing new unless a passcode is asked.
  const pass = $("passcode");
  if (state.rejoin && !pass) {
    $("join-form").requestSubmit();
    return;
  }
  preview.start(state.mode);
  (pass && state.rejoin ? pass : $("name")).focus();
});

$("join-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const name = $("name").value.trim();
  if (!name) {
    $("join-error").textContent = t("room.needName");
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
    showWait(t("room.cannotConnect"), view.endMessage("unavailable"), true);
    return;
  }
  state.mic = state.mode !== "listen";
  state.cam = state.mode === "video";
  const receive = $("receive").value;
  $("receive-room").value = receive;
  const client = rtc.connect({
    url: signalURL(), room: app.dataset.room, name, auth, stream, receive,
  });
  state.client = client;
  // Each tile's height picks the simulcast layer the server sends for it.
  grid.onSize = (id, height) => { if (state.client === client) client.videoSize(id, height); };
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
  setPressed($("btn-mic"), state.mic, t("room.micOn"), t("room.micOff"));
  setPressed($("btn-cam"), state.cam, t("room.camOn"), t("room.camOff"));
  setPressed($("btn-hand"), state.hand, t("room.lowerHand"), t("room.raiseHand"));
  $("btn-mic").disabled = state.mode === "listen";
  $("btn-cam").disabled = state.mode === "listen";
  const react = !state.perms || state.perms.react !== false;
  for (const b of $("reactions").querySelectorAll("button")) b.disabled = !react;
  grid.setState(state.selfId, { audio: state.mic, video: state.cam, hand: state.hand });
}

function setPressed(btn, on, onText, offText) {
  btn.setAttribute("aria-pressed", on ? "true" : "false");
  btn.textContent = on ? onText : offText;
}

function bindClient(client, name, stream) {
  client.on("joined", (msg) => {
    state.selfId = msg.id;
    state.selfName = msg.name || name;
    for (const p of msg.participants || []) addPerson(p);
    enterRoom(msg.name || name, stream);
    // The camera starts off unless the member chose it: the server already
    // has our mute state from the answer, this makes it explicit.
    client.mute({ audio: state.mic, video: state.cam });
    client.send({ type: "control-state" });
    view.announce(state.people.size ? t("room.joinedYou", { Count: state.people.size }) : t("room.joinedAlone"));
  });
  // The room's node died and another took it over: a fresh session there,
  // with a new id; everyone is listed again.
  client.on("rejoined", (msg) => {
    const fromWaiting = state.sentBack;
    state.sentBack = false;
    for (const id of [...state.people.keys(), state.selfId]) grid.remove(id);
    state.people.clear();
    state.chairRoles.clear();
    state.selfLabel = "";
    state.hands = [];
    state.selfId = msg.id;
    state.selfName = msg.name || state.selfName;
    grid.tile(state.selfId, state.selfName, true);
    grid.setStream(state.selfId, stream || null);
    for (const p of msg.participants || []) addPerson(p);
    $("reconnecting").hidden = true;
    refreshSelf();
    renderPeople();
    client.mute({ audio: state.mic, video: state.cam });
    client.send({ type: "control-state" });
    if (fromWaiting) enterRoom(state.selfName, stream); // admitted again
    else view.announce(t("room.reconnected"));
  });
  client.on("participant", (msg) => onParticipant(msg.event, msg.participant));
  // A track can arrive before its participant event; addPerson picks it up.
  client.on("track", ({ id, stream: s }) => grid.setStream(id, s));
  client.on("speaking", ({ id, on }) => grid.speaking(id === "self" ? state.selfId : id, on));
  client.on("reconnecting", () => { $("reconnecting").hidden = false; });
  client.on("reconnected", () => {
    $("reconnecting").hidden = true;
    client.send({ type: "control-state" });
    view.announce(t("room.reconnected"));
  });
  client.on("message", onControl);
  client.on("error", (msg) => {
    // Before the room opens an error is why the join failed; inside it, a
    // refused request that the member should hear about.
    // A refusal after a dropped connection (the resume was refused because
    // the meeting ended or the member was removed) is also kept.
    // Codes with live words (rate-limited) are said in the room, not kept.
    const words = liveErrors.includes(msg.code) ? t(`room.live.${msg.code}`) : "";
    if ($("room").hidden || (!words && view.isEndCode(msg.code))) {
      lastError = msg.code;
      return;
    }
    if (words) view.announce(words);
    if (words) chair.claimRefused(msg.code, words);
  });
  client.on("close", ({ code, reason }) => onClose(code, reason));
}

let lastError = "";

// Refusals worth telling the member about while they stay in the room; the
// words are the catalog's room.live.<code>.
const liveErrors = [
  "chat-off", "self-unmute-off", "start-video-off", "rename-locked", "rate-limited", "bad-host-key",
  "secret-refused", "not-chair", "not-owner", "target-is-chair", "unknown-participant", "hand-not-raised",
  "private-chat", "not-secured", "reactions-off", "no-tradition", "not-reader", "no-reading", "no-reader",
];

function addPerson(p) {
  state.people.set(p.id, { role: "member", label: "", ...p, ...state.chairRoles.get(p.id) });
  grid.tile(p.id, p.name, false);
  grid.setRole(p.id, state.people.get(p.id).label);
  const s = state.client && state.client.streams.get(p.id);
  if (s) grid.setStream(p.id, s);
  grid.setState(p.id, { audio: p.audio, video: p.video, hand: false });
  renderPeople();
}

function onParticipant(event, p) {
  if (event === "joined") {
    addPerson(p);
    view.announce(t("room.joined", { Name: p.name }));
  } else if (event === "left") {
    const who = state.people.get(p.id);
    state.people.delete(p.id);
    grid.remove(p.id);
    renderPeople();
    departed.delete(p.id);
    if (who && !removed.delete(p.id)) view.announce(t("room.left", { Name: who.name }));
  } else if (event === "updated") {
    const who = { ...state.people.get(p.id), ...p };
    state.people.set(p.id, who);
    grid.rename(p.id, who.name, false);
    grid.setState(p.id, { audio: who.audio, video: who.video, hand: state.hands.some((h) => h.id === p.id) });
    renderPeople();
  }
}

// Close codes of sfu/PROTOCOL.md; the close reason, when it is one of the
// known codes ("removed", "denied", "ended", a refused join's code), is more
// precise and wins over the code.
const closeCodes = { 4002: "removed", 4003: "replaced", 4004: "unavailable" };

function closeReason(code, reason) {
  if (lastError) return lastError;
  if (view.isEndCode(reason)) return reason;
  return closeCodes[code] || (code === 1000 ? "" : "unavailable");
}

function onClose(code, closeWords) {
  const reason = closeReason(code, closeWords);
  lastError = "";
  const { leaving } = state;
  // After this page asked to end the meeting, any close is that end.
  const ended = state.ended || chair.endRequested || reason === "ended";
  chair.endRequested = false;
  cleanup();
  if (leaving) {
    showWait(t("room.leftTitle"), t("room.leftText"), true, { rejoin: true });
    return;
  }
  if (ended || reason === "ended") {
    showWait(t("room.endedTitle"), view.endMessage("ended"), false, { next: true });
    return;
  }
  if (refusedField(reason)) return;
  const removed = reason === "removed" || reason === "barred";
  const title = t(removed ? "room.removedTitle" : reason === "denied" ? "room.deniedTitle" : "room.notInTitle");
  showWait(title, view.endMessage(reason), !removed);
}

// A wrong passcode or host key is said beside its field on the join form,
// which keeps the name and choices, as a sign-in form does (issue 12).
const refusalFields = {
  "bad-passcode": ["passcode", "room.end.bad-passcode"],
  "bad-host-key": ["hostkey", "room.live.bad-host-key"],
};

function refusedField(code) {
  const [id, words] = refusalFields[code] || [];
  const input = id && $(id);
  if (!input) return false;
  $("wait").hidden = true;
  $("room").hidden = true;
  $("join").hidden = false;
  $("join-button").disabled = false;
  $(`${id}-error`).textContent = t(words);
  input.setAttribute("aria-invalid", "true");
  input.closest("details")?.setAttribute("open", "");
  preview.start(state.mode);
  input.focus();
  return true;
}

for (const id of Object.values(refusalFields).map(([field]) => field)) {
  $(id)?.addEventListener("input", () => {
    $(`${id}-error`).textContent = "";
    $(id).removeAttribute("aria-invalid");
  });
}

/**
 * A chair moved this member back to the waiting room: the room goes from
 * the screen (the server already stopped our media and sends nothing more
 * of it) and the waiting screen says why; its status line is read out.
 */
function sentBack() {
  state.sentBack = true;
  grid.clear();
  state.people.clear();
  state.hands = [];
  state.hand = false;
  view.showTimer(0);
  $("reconnecting").hidden = true;
  showWait(t("room.sentBackTitle"), t("room.sentBackText"), false);
}

function cleanup() {
  state.sentBack = false;
  state.leaving = false;
  state.ended = false;
  state.role = "member";
  chair.setChair(false, false);
  grid.clear();
  state.people.clear();
  state.chairRoles.clear();
  state.selfLabel = "";
  state.hands = [];
  state.client = null;
  view.showTimer(0);
  $("reconnecting").hidden = true;
}

function renderPeople() {
  const self = { id: state.selfId, name: state.selfName, role: state.role, label: state.selfLabel, audio: state.mic,
    video: state.cam };
  // Raised hands first, in the order they went up (as Zoom lists them).
  const people = [self, ...state.people.values()].map((p) => ({ ...p, hand: state.hands.indexOf(p.id) + 1,
    reader: p.id === reading.reader }));
  people.sort((a, b) => (a.hand || Infinity) - (b.hand || Infinity));
  view.renderPeople(people, { id: state.selfId, role: state.role }, chair.memberActions());
}

const chair = new Chair({
  send: (msg) => state.client && state.client.send(msg),
  nameOf: (id) => nameOf(id),
  keepKey: (key) => state.client && state.client.keepHostKey(key),
});
const tradition = new Tradition({
  send: (msg) => state.client && state.client.send(msg),
  nameOf: (id) => nameOf(id),
});
const reading = new Reading({
  send: (msg) => state.client && state.client.send(msg),
  nameOf: (id) => nameOf(id),
  selfId: () => state.selfId,
  isChair: () => isChair(),
});

/**
 * Control events (sfu/PROTOCOL.md "Chair controls"): the server decides
 * everything; these handlers only show what it decided.
 */
function onControl(msg) {
  if (msg.type !== "control") return;
  const handler = controlHandlers[msg.event];
  if (handler) handler(msg);
}

const controlHandlers = {
  waiting: () => {
    if (!state.sentBack) showWait(t("room.waitingTitle"), t("room.waitingText"), false);
  },
  // Admission is answered with "ready"; the server then sends joined.
  admitted: () => {
    state.client.send({ type: "ready" });
    view.announce(t("room.admitted"));
  },
  state: (msg) => {
    setChairRoles(msg.roles || []);
    setRole(msg.role);
    if (msg.perms) applyPerms(msg.perms);
    chair.applySwitches(msg.switches);
    if (msg.switches) setChatMode(msg.switches.chatMode, false);
    if (isChair()) {
      chair.setWaiting(msg.waiting);
      chair.setGuessing(msg.guesses || 0, false);
    }
    setHands(msg.hands || []);
    // The state carries the whole chat so far: it replaces what is shown.
    $("chat-log").replaceChildren();
    for (const c of msg.chat || []) showChat(c);
    showTimer(msg.timer);
    tradition.apply(msg.tradition, "");
    reading.applyState(msg);
    renderPeople();
  },
  // A chair who entered with a host key: its role (and service role label)
  // before, or after, the media server lists it.
  joined: (msg) => setPersonRole(msg.subject, msg.role, msg.label),
  role: (msg) => {
    setPersonRole(msg.subject, msg.role, msg.label);
    if (msg.subject === state.selfId) {
      setRole(msg.role);
      // The organisers revoked the service role whose key made this page
      // chair, or its last day ended: the banner (an alert) says so.
      // (setRole made the chair panel drop the kept key: a reconnection
      // does not offer the refused key.)
      $("role-ended").hidden = msg.reason !== "role-ended";
      if (msg.role === "chair" && msg.label) view.announce(t("room.role.chairAs", { Role: msg.label }));
      else if (msg.reason !== "role-ended") {
        view.announce(t(`room.role.${msg.role === "chair" || msg.role === "co-chair" ? msg.role : "member"}`));
      }
      state.client.send({ type: "control-state" });
    }
  },
  perms: (msg) => { if (msg.subject === state.selfId && msg.perms) applyPerms(msg.perms); },
  "waiting-list": (msg) => chair.setWaiting(msg.waiting),
  guessing: (msg) => chair.setGuessing(msg.count, true),
  control: (msg) => {
    chair.applyControl(msg.control, msg.value, msg.mode);
    if (msg.control === "chat") setChatMode(msg.mode, true);
    // Secure changes several switches at once: read them all again.
    if (msg.control === "secure") state.client.send({ type: "control-state" });
    const words = controlWords[msg.control];
    if (words) view.announce(words(msg));
  },
  renamed: (msg) => {
    if (msg.subject === state.selfId) state.selfName = msg.name;
    const p = state.people.get(msg.subject);
    if (p && p.name !== msg.name) view.announce(t("room.renamedOther", { Old: p.name, Name: msg.name }));
    if (p) p.name = msg.name;
    grid.rename(msg.subject, msg.name, msg.subject === state.selfId);
    renderPeople();
  },
  // The chat log is not a live region: the announcer alone reads a new
  // message, once, whether the chat panel is open or not.
  chat: (msg) => {
    showChat(msg.chat);
    if (msg.chat.from !== state.selfId) view.announce(t("room.chatFrom", { Name: msg.chat.name, Text: msg.chat.text }));
  },
  "chat-deleted": (msg) => view.deleteChat(msg.chatId),
  reaction: (msg) => {
    const r = reactions[msg.reaction];
    if (!r) return;
    grid.react(msg.subject, r.symbol, t(r.name));
    view.announce(t("room.reacted", { Name: nameOf(msg.subject), Reaction: t(r.name) }));
  },
  // The control room's "left" comes before its hands update and before the
  // media room's participant event, which forgets the member.
  left: (msg) => departed.add(msg.subject),
  // Everyone hears each hand go up and down; the queue itself is in People.
  hands: (msg) => {
    const ids = msg.hands || [];
    for (const id of ids) {
      if (!state.hands.includes(id) && id !== state.selfId) view.announce(t("room.handRaised", { Name: nameOf(id) }));
    }
    for (const id of state.hands) {
      // A hand that went down because its owner left is told by "left".
      if (!ids.includes(id) && id !== state.selfId && state.people.has(id) && !departed.has(id)) {
        view.announce(t("room.handDown", { Name: nameOf(id) }));
      }
    }
    setHands(ids);
  },
  hand: (msg) => {
    if (msg.subject === state.selfId) {
      // A hand lowered without this page asking was lowered by a chair.
      if (state.hand && !msg.value && !state.lowering) view.announce(t("room.handLowered"));
      state.lowering = false;
      state.hand = !!msg.value;
      refreshSelf();
    } else if (msg.value) {
      view.announce(t("room.handRaised", { Name: nameOf(msg.subject) }));
    }
  },
  "ask-unmute": () => view.announce(t("room.askUnmute")),
  "ask-video": () => view.announce(t("room.askVideo")),
  timer: (msg) => showTimer(msg.timer),
  tradition: (msg) => tradition.apply(msg.until, msg.by),
  reading: (msg) => reading.onReading(msg),
  "reading-moved": (msg) => reading.onMoved(msg),
  reader: (msg) => {
    reading.onReader(msg);
    renderPeople();
  },
  "timer-expired": () => view.announce(t("room.timerUp")),
  // Sent to the speaker and the chairs only: shown on the timer and said.
  "timer-warning": (msg) => {
    const words = msg.subject === state.selfId
      ? t("room.timerWarnYou") : t("room.timerWarnOther", { Name: nameOf(msg.subject) });
    view.warnTimer(words);
    view.announce(words);
  },
  ended: () => {
    state.ended = true;
    if (state.client) state.client.closed = true;
  },
  // The server's farewell: the socket closes next. A deliberate close is
  // never resumed, even when its close frame is lost on the way (1006):
  // rtc.js resumes only while its client is not closed.
  disconnect: (msg) => {
    if (msg.reason === "sent-to-waiting") {
      sentBack();
      return; // rtc.js joins again at once, and the join waits
    }
    lastError = msg.reason || lastError;
    if (state.client) state.client.closed = true;
  },
};

const controlWords = {
  locked: (m) => t(m.value ? "room.locked" : "room.unlocked"),
  remove: (m) => t("room.removedOther", { Name: removedName(m.subject) }),
  "send-to-waiting": (m) => t("room.sentBackOther", { Name: removedName(m.subject) }),
  "mute-all": () => t("room.mutedAll"),
  secure: (m) => t(m.value === false ? "room.unsecured" : "room.secured"),
};

// A removed member's "left" follows the chair's "remove" (or
// "send-to-waiting"): it is told once, as such, under the name the member had.
const removed = new Map(); // id -> name
const departed = new Set(); // ids the control room said left

function removedName(id) {
  const name = nameOf(id);
  removed.set(id, name);
  return name;
}

// The fixed set of reactions (sfu/PROTOCOL.md "react"): symbol on the tile,
// words for screen readers.
const reactions = {
  applause: { symbol: "👏", name: "room.reaction.applause" },
  heart: { symbol: "💖", name: "room.reaction.heart" },
  wave: { symbol: "👋", name: "room.reaction.wave" },
  "thumbs-up": { symbol: "👍", name: "room.reaction.thumbs-up" },
};

// The words of each chat mode, shown above the chat and said when it changes.
const chatNotes = { everyone: "room.chatNote.everyone", chairs: "room.chatNote.chairs", off: "room.chatNote.off" };

/**
 * Shows the chat mode the server set and offers only the recipients it
 * allows: members in chairs-only mode write to the chairs, with chat off
 * they cannot write; chairs always may. The server enforces it either way.
 */
function setChatMode(mode, announce) {
  if (!chatNotes[mode]) return;
  state.chatMode = mode;
  $("chat-mode").textContent = t(chatNotes[mode]);
  if (announce) view.announce(t(chatNotes[mode]));
  refreshChatForm();
}

function refreshChatForm() {
  const mode = state.chatMode || "everyone";
  const to = $("chat-to");
  const member = !isChair();
  to.querySelector("option[value='']").disabled = member && mode === "chairs";
  if (member) {
    for (const o of [...to.options]) if (o.value.startsWith("p:")) o.remove();
    if (mode === "chairs") to.value = "chairs";
  }
  const off = member && mode === "off";
  $("chat-text").disabled = off;
  $("chat-form").querySelector("button[type=submit]").disabled = off;
  to.disabled = off;
}

/** Sets the chat form to answer one member privately (chairs only). */
function replyTo(id, name) {
  const to = $("chat-to");
  const value = `p:${id}`;
  let opt = [...to.options].find((o) => o.value === value);
  if (!opt) {
    opt = new Option(t("room.chatToPerson", { Name: name }), value);
    to.append(opt);
  }
  to.value = value;
  $("chat-text").focus();
}

/**
 * Records who chairs and under which service role ("Secretary"): shown in
 * People and on the tile. The state lists every chair; others are members.
 */
function setChairRoles(roles) {
  const was = [...state.chairRoles.keys()];
  state.chairRoles.clear();
  for (const r of roles) setPersonRole(r.id, r.role, r.label);
  for (const id of was) if (!state.chairRoles.has(id)) setPersonRole(id, "member", "");
}

function setPersonRole(id, role, label) {
  if (!id) return;
  label = role === "chair" ? label || "" : "";
  if (role === "chair" || role === "co-chair") state.chairRoles.set(id, { role, label });
  else state.chairRoles.delete(id);
  if (id === state.selfId) state.selfLabel = label;
  const p = state.people.get(id);
  if (p) Object.assign(p, { role: role || "member", label });
  grid.setRole(id, label);
  renderPeople();
}

function setRole(role) {
  state.role = role || "member";
  chair.setChair(isChair(), state.role === "chair");
  refreshChatForm();
  renderPeople();
}

function setHands(ids) {
  state.hands = ids;
  view.renderHands(ids.map((id) => ({ id, name: nameOf(id) })), isChair() ? (h) => chair.lowerHand(h) : null);
  for (const [id, p] of state.people) grid.setState(id, { audio: p.audio, video: p.video, hand: ids.includes(id) });
  refreshSelf();
  renderPeople();
}

function showChat(c) {
  let tag = "";
  if (c.to) tag = t("room.chatTagPrivate", { Name: nameOf(c.to) });
  else if (c.toChairs) tag = t("room.chatTagChairs");
  const fromMember = c.from !== state.selfId && !(state.people.get(c.from) || {}).role?.includes("chair");
  const reply = isChair() && fromMember ? () => replyTo(c.from, c.name) : null;
  view.appendChat({ id: c.id, from: c.name, text: c.text, at: c.at, tag }, isChair(), (id) => chair.deleteChat(id), reply);
}

function showTimer(t) {
  const ends = t && t.ends ? Date.parse(t.ends) : 0;
  view.showTimer(ends > Date.now() ? ends : 0, t && t.subject ? nameOf(t.subject) : "");
}

/** The server's media permissions: follow them, never fight them. */
function applyPerms(p) {
  state.perms = p;
  if (!p.audio && state.mic) {
    state.mic = false;
    state.client.mute({ audio: false, video: state.cam });
    view.announce(t("room.mutedYou"));
  }
  if (!p.video && state.cam) {
    state.cam = false;
    state.client.setCamera(false).catch(() => {});
    view.announce(t("room.stoppedCam"));
  }
  refreshSelf();
  renderPeople();
}

function nameOf(id) {
  if (id === state.selfId) return t("room.you");
  const p = state.people.get(id);
  return p ? p.name : t("room.someone");
}

function isChair() {
  return state.role === "chair" || state.role === "co-chair";
}

// Controls. Shortcuts use Alt so that they never fire while typing in chat.
function toggleMic() {
  if (!state.client || state.mode === "listen") return;
  const want = !state.mic;
  // The server would refuse; the button must not claim otherwise.
  if (want && state.perms && !state.perms.selfUnmute) {
    view.announce(t("room.live.self-unmute-off"));
    return;
  }
  state.mic = want;
  state.client.send({ type: want ? "self-unmute" : "self-mute" });
  state.client.mute({ audio: state.mic, video: state.cam });
  refreshSelf();
  renderPeople();
}

async function toggleCam() {
  if (!state.client) return;
  const want = !state.cam;
  if (want && state.perms && !state.perms.startVideo) {
    view.announce(t("room.live.start-video-off"));
    return;
  }
  const err = await state.client.setCamera(want).catch((e) => e);
  if (err instanceof Error) {
    view.announce(mediaErrorText(err, "video"));
    $("join-error").textContent = mediaErrorText(err, "video");
    return;
  }
  state.cam = want;
  state.client.send({ type: want ? "self-start-video" : "self-stop-video" });
  if (want) grid.setStream(state.selfId, state.client.localStream);
  refreshSelf();
  renderPeople();
}

function toggleHand() {
  if (!state.client) return;
  // The server's "hand" event confirms and updates the button.
  state.lowering = state.hand;
  state.client.send({ type: state.hand ? "lower-hand" : "raise-hand" });
}

function togglePanel(btn, panel) {
  const open = panel.hidden;
  // Focus inside a panel that closes would fall to the page's start.
  const inside = panel.contains(document.activeElement);
  panel.hidden = !open;
  btn.setAttribute("aria-expanded", String(open));
  if (open) {
    const h = panel.querySelector("h2");
    h.setAttribute("tabindex", "-1");
    h.focus();
  } else if (inside) {
    btn.focus();
  }
}

/** Escape closes the panel that holds the focus, back on its button. */
function closeFocusedPanel() {
  const panel = document.activeElement && document.activeElement.closest(".panel");
  if (!panel || panel.hidden) return false;
  togglePanel(document.querySelector(`[aria-controls="${panel.id}"]`), panel);
  return true;
}

function leave() {
  if (!state.client) return;
  state.leaving = true;
  state.client.leave();
}

// A link or the language form leaves the page, and with it the meeting:
// in the room it asks first (the Leave button does not: it says what it does).
function confirmLeaving(ev) {
  if ($("room").hidden || !state.client) return;
  const link = ev.type === "click" && ev.target.closest("a[href]");
  if (ev.type === "click" && (!link || link.target === "_blank")) return;
  if (!confirm(t("room.confirmLeavePage"))) {
    ev.preventDefault();
    return;
  }
  leave();
}
document.addEventListener("click", confirmLeaving, true);
document.addEventListener("submit", (ev) => { if (ev.target.matches("form.lang")) confirmLeaving(ev); }, true);

// For the browser tests and for debugging from the console: this page's
// participant id, its media statistics and its participant events. Nothing
// secret (the passcode and host key stay inside the client) is reachable.
window.hearthRoom = Object.freeze({
  selfId: () => state.selfId,
  stats: () => (state.client && state.client.pc ? state.client.pc.getStats() : Promise.resolve(new Map())),
  onParticipant: (fn) => { if (state.client) state.client.on("participant", fn); },
});

$("btn-mic").addEventListener("click", toggleMic);
$("btn-cam").addEventListener("click", toggleCam);
$("btn-hand").addEventListener("click", toggleHand);
$("role-ended-dismiss").addEventListener("click", () => { $("role-ended").hidden = true; });
$("btn-chat").addEventListener("click", () => togglePanel($("btn-chat"), $("chat")));
// The reactions row opens under the toolbar; a reaction keeps it open for
// the next one, Escape or the React button closes it.
$("btn-react").addEventListener("click", () => {
  const row = $("reactions");
  row.hidden = !row.hidden;
  $("btn-react").setAttribute("aria-expanded", String(!row.hidden));
  if (!row.hidden) row.querySelector("button").focus();
});
$("reactions").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-reaction]");
  if (b && state.client) state.client.send({ type: "react", reaction: b.dataset.reaction });
});
$("reactions").addEventListener("keydown", (ev) => {
  if (ev.key !== "Escape") return;
  ev.stopPropagation();
  $("reactions").hidden = true;
  $("btn-react").setAttribute("aria-expanded", "false");
  $("btn-react").focus();
});
$("btn-people").addEventListener("click", () => togglePanel($("btn-people"), $("people")));
$("btn-chair").addEventListener("click", () => togglePanel($("btn-chair"), $("chair")));
$("btn-reading").addEventListener("click", () => togglePanel($("btn-reading"), $("reading-panel")));
$("btn-leave").addEventListener("click", leave);
document.addEventListener("keydown", (ev) => {
  if (!$("room").hidden && ev.key === "Escape" && closeFocusedPanel()) {
    ev.preventDefault();
    return;
  }
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

// Low bandwidth: the server forwards only the video chosen here.
$("receive-room").addEventListener("change", (ev) => {
  if (state.client) state.client.setReceive(ev.target.value);
  $("receive").value = ev.target.value;
});

$("chat-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("chat-text").value.trim();
  if (!text || !state.client) return;
  const to = $("chat-to").value;
  const msg = { type: "chat", text: text.slice(0, 500) };
  if (to === "chairs") msg.toChairs = true;
  else if (to.startsWith("p:")) msg.target = to.slice(2);
  state.client.send(msg);
  $("chat-text").value = "";
});
$("rename-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const name = $("rename-name").value.trim();
  if (!name || !state.client) return;
  state.client.send({ type: "rename", name });
  $("rename-name").value = "";
});
$("chat-text").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) {
    ev.preventDefault();
    $("chat-form").requestSubmit();
  }
});

