// The 7th Tradition card (sfu/PROTOCOL.md "The 7th Tradition"). The links
// and QR codes are in the page, drawn by the server from the group's record;
// signaling only says that a chair put the card up and until when, so
// nobody in the room can show a link of their own. Chairs get Show and Take
// down; every page takes the card down itself when its time is up.
import * as view from "./roomview.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export class Tradition {
  constructor({ send, nameOf }) {
    this.card = $("tradition-card");
    this.nameOf = nameOf;
    this.until = 0;
    this.timer = 0;
    if (!this.card) return; // the group has no links: nothing to show
    $("btn-tradition-close").addEventListener("click", () => this.hide(false));
    $("btn-tradition-show").addEventListener("click", () => {
      const minutes = Math.min(15, Math.max(1, Math.round(Number($("tradition-minutes").value) || 3)));
      send({ type: "show-tradition", seconds: minutes * 60 });
    });
    $("btn-tradition-hide").addEventListener("click", () => send({ type: "hide-tradition" }));
  }

  /**
   * Applies the card's state: until is the instant it comes down (ISO), or
   * empty when it is down. by names who showed it, for the announcement;
   * empty for the state a page gets on entry, which announces nothing.
   */
  apply(until, by) {
    if (!this.card) return;
    const ends = until ? Date.parse(until) : 0;
    clearTimeout(this.timer);
    if (ends > Date.now()) {
      const wasUp = this.until > Date.now();
      this.until = ends;
      this.card.hidden = false;
      $("btn-tradition-hide").disabled = false;
      this.timer = setTimeout(() => this.hide(true), ends - Date.now());
      if (by && !wasUp) view.announce(t("room.traditionShown", { Name: this.nameOf(by) }));
      return;
    }
    if (by && this.until > Date.now()) view.announce(t("room.traditionHidden"));
    this.hide(true);
  }

  /**
   * Hides the card on this page. down: it is down for everyone (taken down
   * or its time ran out); otherwise this member closed it for themselves.
   */
  hide(down) {
    const hadFocus = this.card.contains(document.activeElement);
    this.card.hidden = true;
    if (down) {
      this.until = 0;
      $("btn-tradition-hide").disabled = true;
    }
    if (hadFocus) $("btn-chat").focus();
  }
}
