// The chair panel: claim chair with the host key, room toggles, the waiting
// room and per-member actions. It only sends requests; the server checks the
// sender's role and answers with the new state, which is what the panel shows.
import * as view from "./roomview.js";

const $ = (id) => document.getElementById(id);

const toggles = ["locked", "waiting-room", "chat", "rename-lock", "self-unmute"];

export class Chair {
  constructor({ send, people }) {
    this.send = send;
    this.people = people;
    this.waiting = [];
    $("claim-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const key = $("claim-key").value;
      $("claim-key").value = "";
      if (key) this.send({ type: "claim-chair", hostKey: key });
    });
    for (const name of toggles) {
      $(`ctl-${name}`).addEventListener("change", (ev) => {
        this.send({ type: "set-control", control: name, on: ev.target.checked });
      });
    }
    const click = (id, fn) => $(id).addEventListener("click", fn);
    click("btn-mute-all", () => this.send({ type: "mute-all" }));
    click("btn-stop-all", () => this.send({ type: "stop-all-video" }));
    click("btn-secure", () => this.send({ type: "secure" }));
    click("btn-admit-all", () => this.send({ type: "admit-all" }));
    click("btn-timer", () => this.send({ type: "timer", minutes: Number($("share-minutes").value) || 3 }));
    click("btn-timer-stop", () => this.send({ type: "timer", minutes: 0 }));
    click("btn-end", () => {
      if (confirm("End the meeting for everyone?")) this.send({ type: "end" });
    });
  }

  setChair(on) {
    $("claim-form").hidden = on;
    $("chair-tools").hidden = !on;
    view.renderWaiting(this.waiting, this.waitingActions());
  }

  memberActions() {
    return {
      mute: (p) => this.send({ type: "mute-member", id: p.id }),
      stopVideo: (p) => this.send({ type: "stop-video", id: p.id }),
      coChair: (p) => this.send({ type: "make-co-chair", id: p.id }),
      remove: (p) => {
        if (confirm(`Remove ${p.name}? They will not be able to rejoin this meeting.`)) {
          this.send({ type: "remove", id: p.id });
        }
      },
    };
  }

  waitingActions() {
    return {
      admit: (w) => this.send({ type: "admit", id: w.id }),
      deny: (w) => this.send({ type: "deny", id: w.id }),
    };
  }

  deleteChat(id) {
    this.send({ type: "delete-chat", id });
  }

  onMessage(msg) {
    switch (msg.type) {
      case "waiting-list":
        this.waiting = msg.waiting || [];
        view.renderWaiting(this.waiting, this.waitingActions());
        if (this.waiting.length) view.announce(`${this.waiting.length} waiting to be let in.`);
        break;
      case "control": {
        const box = $(`ctl-${msg.control}`);
        if (box) box.checked = !!msg.on;
        break;
      }
      case "chair-refused":
        view.announce("That host key was not accepted.");
        break;
    }
  }
}
