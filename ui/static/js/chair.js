// The chair panel: claim chair with the host key or the admin token, the
// room switches, the waiting room and per-member actions. It only sends requests (message types
// of sfu/PROTOCOL.md "Chair controls"); the server checks the sender's role
// and answers with control events, and only those change what is shown.
// The key that made this page chair (typed at join or claimed here) is kept
// in the client's memory only, through keepKey, so that the join after a
// failover seats the chair again; it is dropped when the page stops being
// chair, so that join does not take back a chair handed over or ended.
import * as view from "./roomview.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

// Checkbox id suffix -> [request type, switch name in the state event,
// control name in "control" events].
const switches = {
  locked: ["set-locked", "locked", "locked"],
  "waiting-room": ["set-waiting-room", "waitingRoom", "waiting-room"],
  "rename-lock": ["set-rename-lock", "renameLock", "rename-lock"],
  "self-unmute": ["set-self-unmute", "selfUnmute", "self-unmute"],
  "start-video": ["set-start-video", "startVideo", "start-video"],
  reactions: ["set-reactions", "reactions", "reactions"],
};

export class Chair {
  constructor({ send, nameOf, keepKey }) {
    this.send = send;
    this.nameOf = nameOf;
    this.keepKey = keepKey;
    this.claimKey = ""; // sent in claim-chair, not yet answered
    this.keptClaim = false; // the kept key is claimKey, taken when a chair role came
    this.waiting = [];
    // endRequested lets the chair's own page say "ended" even when its
    // socket closes before the server's ended event arrives.
    this.endRequested = false;
    $("claim-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const key = $("claim-key").value;
      $("claim-key").value = "";
      this.showClaimError("");
      this.claiming = !!key;
      this.claimKey = key;
      if (key) this.send({ type: "claim-chair", hostKey: key });
    });
    for (const [id, [type]] of Object.entries(switches)) {
      $(`ctl-${id}`).addEventListener("change", (ev) => this.send({ type, on: ev.target.checked }));
    }
    $("ctl-chat").addEventListener("change", (ev) => this.send({ type: "set-chat", mode: ev.target.value }));
    const click = (id, fn) => $(id).addEventListener("click", fn);
    click("btn-mute-all", () => this.send({ type: "mute-all" }));
    click("btn-stop-all", () => this.send({ type: "stop-all-video" }));
    click("btn-secure", () => this.send({ type: "secure" }));
    click("btn-undo-secure", () => this.send({ type: "undo-secure" }));
    click("btn-admit-all", () => this.send({ type: "admit-all" }));
    click("btn-deny-all", () => {
      if (confirm(t("chair.confirmDenyAll"))) this.send({ type: "deny-all" });
    });
    click("btn-timer-stop", () => this.send({ type: "stop-timer" }));
    click("btn-end", () => {
      if (!confirm(t("chair.confirmEnd"))) return;
      this.endRequested = true;
      this.send({ type: "end-meeting" });
    });
  }

  /**
   * Shows the claim form or the tools. owner: this page is the chair, not
   * a co-chair, and gets the chair-only controls (sfu/PROTOCOL.md).
   */
  setChair(on, owner) {
    if (owner && this.claimKey) {
      this.keepKey(this.claimKey);
      this.keptClaim = true;
    }
    if (owner) this.claimKey = "";
    else {
      this.keepKey("");
      this.keptClaim = false;
    }
    if (on) {
      this.claiming = false;
      this.showClaimError("");
    }
    $("claim-form").hidden = on;
    $("chair-tools").hidden = !on;
    $("btn-end").hidden = !owner;
    if (on) view.renderWaiting(this.waiting, this.waitingActions());
  }

  memberActions() {
    const ask = (type, words) => (p) => {
      this.send({ type, target: p.id });
      view.announce(t(words, { Name: p.name }));
    };
    return {
      mute: (p) => this.send({ type: "mute-member", target: p.id }),
      askUnmute: ask("ask-unmute", "chair.askedUnmute"),
      stopVideo: (p) => this.send({ type: "stop-video", target: p.id }),
      askVideo: ask("ask-video", "chair.askedVideo"),
      coChair: (p) => this.send({ type: "make-co-chair", target: p.id }),
      makeReader: (p) => this.send({ type: "set-reader", target: p.id }),
      stopReader: () => this.send({ type: "set-reader" }),
      revokeCoChair: (p) => this.send({ type: "revoke-co-chair", target: p.id }),
      handOver: (p) => {
        if (confirm(t("chair.confirmHandOver", { Name: p.name }))) {
          this.send({ type: "hand-over", target: p.id });
        }
      },
      timer: (p) => this.send({
        type: "start-timer", target: p.id, seconds: Math.round((Number($("share-minutes").value) || 3) * 60),
        warnSeconds: Math.round((Number($("warn-minutes").value) || 1) * 60),
      }),
      rename: (p) => {
        const name = prompt(t("chair.promptRename", { Name: p.name }), p.name);
        if (name && name.trim() && name.trim() !== p.name) this.send({ type: "rename-member", target: p.id, name: name.trim() });
      },
      toWaiting: (p) => this.send({ type: "send-to-waiting", target: p.id }),
      remove: (p) => {
        if (confirm(t("chair.confirmRemove", { Name: p.name }))) {
          this.send({ type: "remove", target: p.id });
        }
      },
    };
  }

  /**
   * A refused claim (wrong key, too many tries, busy) is written beside the
   * field, where the chair looks, as well as announced.
   */
  claimRefused(code, words) {
    if (!["bad-host-key", "secret-refused", "rate-limited"].includes(code)) return;
    // Only a claim is answered with these two in the room: when the chair
    // came another way (handed over) while the claim was being refused, the
    // refused key must not ride the next join.
    if (this.keptClaim && code !== "rate-limited") {
      this.keepKey("");
      this.keptClaim = false;
    }
    if (!this.claiming) return;
    this.claiming = false;
    this.claimKey = "";
    this.showClaimError(words);
  }

  showClaimError(text) {
    $("claim-error").textContent = text;
    $("claim-key").setAttribute("aria-invalid", text ? "true" : "false");
  }

  /** Lowers a member's raised hand (the server tells the member). */
  lowerHand(h) {
    this.send({ type: "lower-hand", target: h.id });
  }

  waitingActions() {
    return {
      admit: (w) => this.send({ type: "admit", target: w.id }),
      deny: (w) => this.send({ type: "deny", target: w.id }),
    };
  }

  deleteChat(id) {
    this.send({ type: "delete-chat", id });
  }

  /** Shows the switches of a "state" event. */
  applySwitches(sw) {
    if (!sw) return;
    for (const [id, [, field]] of Object.entries(switches)) $(`ctl-${id}`).checked = !!sw[field];
    if (sw.chatMode) $("ctl-chat").value = sw.chatMode;
    $("btn-undo-secure").hidden = !sw.secured;
  }

  setWaiting(list) {
    const before = this.waiting.length;
    this.waiting = list || [];
    view.renderWaiting(this.waiting, this.waitingActions());
    if (this.waiting.length > before) view.announce(t("chair.waiting", { Count: this.waiting.length }));
  }

  /**
   * Tells the chair that wrong passcodes or host keys are being tried
   * (count in the last minute; 0 clears the notice). The server never lets
   * guessing keep a chair or member out; the notice says what helps.
   */
  setGuessing(count, announce) {
    const note = $("guessing-note");
    note.hidden = !count;
    if (!count) return;
    note.textContent = t("chair.guessing", { Count: count });
    if (announce) view.announce(note.textContent);
  }

  /** Reflects a "control" event (a switch changed) in its control. */
  applyControl(name, value, mode) {
    if (name === "chat" && mode) $("ctl-chat").value = mode;
    for (const [id, [, , control]] of Object.entries(switches)) {
      if (control === name && typeof value === "boolean") $(`ctl-${id}`).checked = value;
    }
  }
}
