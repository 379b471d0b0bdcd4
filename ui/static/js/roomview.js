// The room's DOM: video tiles, the people and hands lists, chat, the waiting
// list and announcements. It holds no connection state; room.js calls it.
// Every text goes in through textContent, never as HTML, and comes from the
// catalog (i18n.js).
import { t, has, lang, localeText } from "./i18n.js";

// The Grid names its tile elements "t"; tr is the catalog there.
const tr = t;

const $ = (id) => document.getElementById(id);

/**
 * Words for every way a join can end, keyed by the server's codes
 * (sfu/PROTOCOL.md): catalog messages room.end.<code>. A code the catalog
 * does not know yet gets the general words.
 */
export function isEndCode(code) {
  return !!code && has(`room.end.${code}`);
}

export function endMessage(code) {
  return isEndCode(code) ? t(`room.end.${code}`) : t("room.end.default");
}

// Tiles are sized to fit the stage: between these shapes (width/height;
// video is cropped to fill) and, when more people than fit at this size
// are in the room, shown a page at a time.
const tileShape = { widest: 16 / 9, tallest: 3 / 4 };
const tileMin = { phone: { w: 104, h: 78 }, wide: { w: 160, h: 110 } };
const tileGap = 8;
// Video sizes go to the server at most 4 every 500 ms (8 a second).
const sizesPerTick = 4;
const sizeTick = 500;

/**
 * fitTiles chooses the column count that gives n tiles the largest area in
 * a w x h stage; it returns {cols, rows, w, h} (tile size in CSS pixels).
 */
export function fitTiles(n, w, h) {
  let best = { cols: 1, rows: 1, w: 0, h: 0 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(n / cols);
    let tw = (w - (cols - 1) * tileGap) / cols;
    let th = (h - (rows - 1) * tileGap) / rows;
    if (tw <= 0 || th <= 0) continue;
    if (tw / th > tileShape.widest) tw = th * tileShape.widest;
    if (tw / th < tileShape.tallest) th = tw / tileShape.tallest;
    if (tw * th > best.w * best.h) best = { cols, rows, w: Math.floor(tw), h: Math.floor(th) };
  }
  return best;
}

/** How many tiles fit the stage at no less than the minimum size (at least 2). */
function pageCapacity(n, w, h) {
  const min = w < 600 ? tileMin.phone : tileMin.wide;
  let k = n;
  while (k > 2) {
    const f = fitTiles(k, w, h);
    if (f.w >= min.w && f.h >= min.h) break;
    k--;
  }
  return Math.max(1, Math.min(n, k));
}

/**
 * Tiles keyed by participant id, sized to fit the stage (#grid), a page at
 * a time when there are more than fit; one's own tile and the latest
 * speaker's are on every page. onSize(id, height), when set, hears how tall
 * (CSS pixels) another member's video is shown, so the server can send the
 * simulcast layer that fills it rather than the largest (height 0: the
 * tile is gone; a tile on another page asks for the smallest).
 */
export class Grid {
  constructor(root, pager) {
    this.root = root;
    this.pager = pager; // {box, prev, next, info}, optional
    this.tiles = new Map();
    this.onSize = null;
    this.sizes = new Map(); // id -> last height reported
    this.unsent = new Map(); // id -> height not sent yet (paced)
    this.sizeTimer = 0;
    this.page = 0;
    this.speaker = ""; // the latest speaker's id
    this.sinkId = ""; // the chosen speaker (output device); "" the default
    this.sizer = typeof ResizeObserver === "function"
      ? new ResizeObserver((entries) => this.resized(entries)) : null;
    if (this.sizer) this.sizer.observe(root);
    if (pager) {
      pager.prev.addEventListener("click", () => this.turn(-1));
      pager.next.addEventListener("click", () => this.turn(1));
    }
  }

  resized(entries) {
    for (const e of entries) {
      if (e.target === this.root) {
        this.layout();
        continue;
      }
      const id = e.target.closest("figure.tile")?.dataset.id;
      // A tile on another page is not gone: it asks for the smallest layer.
      if (id && this.tiles.has(id)) this.reportSize(id, Math.max(1, Math.round(e.contentRect.height)));
    }
  }

  turn(by) {
    this.page += by;
    this.layout();
  }

  // Reports only changes of more than a tenth, so a window being dragged
  // does not flood the signaling channel, and at most sizesPerTick every
  // sizeTick ms, the latest height per tile: a crowd's tiles all resize at
  // once on every join, and the server closes a socket that sends more
  // than 20 messages a second.
  reportSize(id, height) {
    const last = this.sizes.get(id) ?? -1;
    if (Math.abs(height - last) <= last / 10 && !(height === 0 && last > 0)) return;
    this.sizes.set(id, height);
    this.unsent.set(id, height);
    if (!this.sizeTimer) this.sendSizes();
  }

  sendSizes() {
    this.sizeTimer = 0;
    let n = 0;
    for (const [id, height] of this.unsent) {
      if (n++ === sizesPerTick) break;
      this.unsent.delete(id);
      if (this.onSize) this.onSize(id, height);
    }
    if (this.unsent.size || n) this.sizeTimer = setTimeout(() => this.sendSizes(), sizeTick);
  }

  tile(id, name, self) {
    let t = this.tiles.get(id);
    if (!t) {
      t = document.createElement("figure");
      t.className = "tile" + (self ? " self" : "");
      t.dataset.id = id;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.muted = !!self;
      const cap = document.createElement("figcaption");
      const label = document.createElement("span");
      label.className = "name";
      const role = document.createElement("span");
      role.className = "role";
      role.hidden = true;
      const status = document.createElement("span");
      status.className = "status";
      cap.append(label, role, status);
      const initial = document.createElement("div");
      initial.className = "initial";
      initial.setAttribute("aria-hidden", "true");
      t.append(video, initial, cap);
      if (!self && this.sizer) this.sizer.observe(video);
      // One's own tile always comes first, where one looks for it.
      if (self) this.root.prepend(t);
      else this.root.append(t);
      this.tiles.set(id, t);
      this.layout();
    }
    this.rename(id, name, self);
    return t;
  }

  rename(id, name, self) {
    const t = this.tiles.get(id);
    if (!t) return;
    const label = self ? tr("room.youName", { Name: name }) : name;
    t.querySelector(".name").textContent = label;
    t.querySelector(".initial").textContent = (name || "?").trim().charAt(0).toLocaleUpperCase(lang);
    t.dataset.name = label;
    this.labelTile(t);
  }

  /**
   * Shows a chair's service role ("Secretary") on its tile, or none when
   * role is "". It is the schedule's label, never the key.
   */
  setRole(id, role) {
    const t = this.tiles.get(id);
    if (!t) return;
    const el = t.querySelector(".role");
    el.textContent = role || "";
    el.hidden = !role;
    this.labelTile(t);
  }

  labelTile(t) {
    const role = t.querySelector(".role").textContent;
    const name = t.dataset.name || "";
    t.setAttribute("aria-label", role ? tr("room.tileRole", { Name: name, Role: role }) : name);
  }

  setStream(id, stream) {
    const t = this.tiles.get(id);
    if (!t) return;
    const v = t.querySelector("video");
    if (v.srcObject !== stream) v.srcObject = stream;
    if (this.sinkId && v.setSinkId && v.sinkId !== this.sinkId) v.setSinkId(this.sinkId).catch(() => {});
    v.play().catch(() => {});
  }

  setState(id, { audio, video, hand }) {
    const t = this.tiles.get(id);
    if (!t) return;
    t.classList.toggle("no-video", !video);
    const words = [];
    if (!audio) words.push(tr("room.status.muted"));
    if (hand) words.push(tr("room.status.hand"));
    t.querySelector(".status").textContent = words.join(" · ");
  }

  /** Shows a reaction on a tile for a few seconds (screen readers hear it from announce). */
  react(id, symbol, words) {
    const t = this.tiles.get(id);
    if (!t) return;
    const el = document.createElement("span");
    el.className = "reaction";
    el.setAttribute("aria-hidden", "true");
    const sym = document.createElement("span");
    sym.className = "symbol";
    sym.textContent = symbol;
    el.append(sym, " ", words);
    t.append(el);
    setTimeout(() => el.remove(), 4000);
  }

  speaking(id, on) {
    const t = this.tiles.get(id);
    if (!t) return;
    t.classList.toggle("speaking", on);
    if (on && id !== this.speaker) {
      this.speaker = id;
      // Only a speaker on another page changes what is shown.
      if (t.hidden) this.layout();
    }
  }

  remove(id) {
    const t = this.tiles.get(id);
    if (!t) return;
    const v = t.querySelector("video");
    v.srcObject = null;
    if (this.sizer) this.sizer.unobserve(v);
    if (this.sizes.has(id)) this.reportSize(id, 0);
    this.sizes.delete(id);
    t.remove();
    this.tiles.delete(id);
    this.layout();
  }

  clear() {
    for (const id of [...this.tiles.keys()]) this.remove(id);
  }

  /**
   * Sizes the tiles to the stage and shows one page: one's own tile, the
   * latest speaker's, then the others in the order they came.
   */
  layout(again = true) {
    const w = this.root.clientWidth, h = this.root.clientHeight;
    if (!w || !h) return;
    const all = [...this.tiles.values()];
    const self = all.filter((t) => t.classList.contains("self"));
    const speaker = this.tiles.get(this.speaker);
    const pinned = [...self, ...(speaker && !self.includes(speaker) ? [speaker] : [])];
    const rest = all.filter((t) => !pinned.includes(t));
    const cap = pageCapacity(all.length, w, h);
    let shown = all;
    let pages = 1;
    if (cap < all.length) {
      const per = Math.max(1, cap - pinned.length);
      pages = Math.ceil(rest.length / per);
      this.page = Math.min(Math.max(0, this.page), pages - 1);
      shown = [...pinned, ...rest.slice(this.page * per, (this.page + 1) * per)];
    } else {
      this.page = 0;
    }
    const fit = fitTiles(shown.length, w, h);
    this.root.style.setProperty("--cols", String(fit.cols));
    this.root.style.setProperty("--tile-w", `${fit.w}px`);
    this.root.style.setProperty("--tile-h", `${fit.h}px`);
    for (const t of all) {
      t.hidden = !shown.includes(t);
      t.style.order = pinned.includes(t) ? String(pinned.indexOf(t)) : "2";
    }
    // Showing or hiding the pager changes the grid's height: fit again.
    const pagerWas = this.pager && !this.pager.box.hidden;
    this.showPager(pages);
    if (again && this.pager && pagerWas !== !this.pager.box.hidden) this.layout(false);
  }

  showPager(pages) {
    const p = this.pager;
    if (!p) return;
    p.box.hidden = pages < 2;
    p.prev.disabled = this.page === 0;
    p.next.disabled = this.page >= pages - 1;
    p.info.textContent = pages < 2 ? "" : tr("room.pageInfo", { Page: this.page + 1, Pages: pages });
  }
}

/**
 * Announces joins, hands, chat and chair actions to screen readers without
 * stealing focus. Announcements are queued: each stays in the live region
 * long enough to be spoken before the next replaces it (Secure sends several
 * at once; replacing them within milliseconds let only the last be heard).
 * A text already waiting is not queued twice.
 */
const spoken = { queue: [], busy: false };

export function announce(text) {
  if (!text || spoken.queue.includes(text)) return;
  spoken.queue.push(text);
  if (!spoken.busy) speakNext();
}

function speakNext() {
  const text = spoken.queue.shift();
  const el = $("announcer");
  if (text === undefined) {
    spoken.busy = false;
    return;
  }
  spoken.busy = true;
  el.textContent = "";
  // A fresh text node after a tick makes every screen reader speak it again.
  setTimeout(() => { el.textContent = text; }, 50);
  // About the time a screen reader takes to say it, within 1 to 4 s.
  setTimeout(speakNext, Math.min(4000, Math.max(1000, text.length * 45)));
}

/**
 * Lists everyone. viewer is this page's {id, role}: chairs get per-member
 * actions, and the chair alone (not a co-chair) the chair-only ones.
 */
export function renderPeople(people, viewer, actions) {
  const list = $("people-list");
  keepFocus(list, () => {
    list.replaceChildren();
    const chair = viewer.role === "chair" || viewer.role === "co-chair";
    for (const p of people) {
      const li = document.createElement("li");
      li.dataset.id = p.id;
      const name = document.createElement("span");
      const parts = [p.id === viewer.id ? t("room.youName", { Name: p.name }) : p.name];
      if (p.role === "chair" || p.role === "co-chair") {
        // A service role is shown as the schedule names it ("Chair: Secretary").
        parts.push(p.label ? t("room.person.chairRole", { Role: p.label }) : t(`room.person.${p.role}`));
      }
      if (p.reader) parts.push(t("room.person.reader"));
      if (p.hand) parts.push(t("room.person.hand", { N: p.hand }));
      if (!p.audio) parts.push(t("room.person.muted"));
      if (p.video) parts.push(t("room.person.camera"));
      name.textContent = parts.join(" · ");
      li.append(name);
      if (chair && p.id !== viewer.id) li.append(memberActions(p, viewer.role === "chair", actions));
      list.append(li);
    }
  });
  $("people-count").textContent = String(people.length);
}

/**
 * Redraws a list without losing the keyboard focus: a button that still
 * exists gets it back; one that went (Mute became "Ask to unmute") leaves
 * it on the first button of the same entry, or on the panel's heading.
 */
function keepFocus(list, redraw) {
  const el = document.activeElement;
  const inside = el && el !== list && list.contains(el);
  const label = inside ? el.getAttribute("aria-label") : null;
  const entry = inside ? el.closest("li")?.dataset.id : null;
  redraw();
  if (!inside) return;
  const again = [...list.querySelectorAll("button")];
  const target = again.find((b) => b.getAttribute("aria-label") === label) ||
    again.find((b) => b.closest("li")?.dataset.id === entry);
  if (target) {
    target.focus();
    return;
  }
  const h = list.closest(".panel")?.querySelector("h2");
  if (h) {
    h.setAttribute("tabindex", "-1");
    h.focus();
  }
}

// Each button is there only when it applies: asking a muted member to
// unmute instead of muting them; nothing the server refuses to do to a
// chair or co-chair (mute, cameras, rename, the waiting room, remove); and the chair-only actions
// (co-chairs, handing the chair over) for the chair alone.
function memberActions(p, owner, actions) {
  const box = document.createElement("span");
  box.className = "member-actions";
  const add = (id, fn) => box.append(actionButton(t(id), p.name, () => fn(p)));
  const chairs = p.role === "chair" || p.role === "co-chair";
  if (!chairs) {
    if (p.audio) add("room.act.mute", actions.mute);
    else add("room.act.askUnmute", actions.askUnmute);
    if (p.video) add("room.act.stopVideo", actions.stopVideo);
    else add("room.act.askVideo", actions.askVideo);
  }
  add("room.act.timer", actions.timer);
  if (!chairs) add(p.reader ? "room.act.stopReader" : "room.act.makeReader", p.reader ? actions.stopReader : actions.makeReader);
  if (owner && p.role === "co-chair") add("room.act.revokeCoChair", actions.revokeCoChair);
  else if (owner && !chairs) add("room.act.coChair", actions.coChair);
  if (owner) add("room.act.handOver", actions.handOver);
  if (!chairs) add("room.act.rename", actions.rename);
  if (!chairs) add("room.act.toWaiting", actions.toWaiting);
  if (!chairs) add("room.act.remove", actions.remove);
  return box;
}

function actionButton(label, who, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.setAttribute("aria-label", t("room.act.aria", { Action: label, Name: who }));
  b.addEventListener("click", onClick);
  return b;
}

/**
 * The raised hands, oldest first; hands are [{id, name}]. When onLower is
 * set (chairs), each entry has a button that lowers that hand.
 */
export function renderHands(hands, onLower) {
  const list = $("hands-list");
  keepFocus(list, () => {
    list.replaceChildren();
    for (const h of hands) {
      const li = document.createElement("li");
      li.dataset.id = h.id;
      const name = document.createElement("span");
      name.textContent = h.name;
      li.append(name);
      if (onLower) li.append(" ", actionButton(t("room.act.lowerHand"), h.name, () => onLower(h)));
      list.append(li);
    }
  });
}

export function renderWaiting(waiting, actions) {
  const list = $("waiting-list");
  list.replaceChildren();
  if (!waiting.length) {
    const li = document.createElement("li");
    li.textContent = t("room.nobodyWaiting");
    list.append(li);
  }
  for (const w of waiting) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = w.name;
    const admit = document.createElement("button");
    admit.type = "button";
    admit.textContent = t("room.admit");
    admit.setAttribute("aria-label", t("room.admitAria", { Name: w.name }));
    admit.addEventListener("click", () => actions.admit(w));
    const deny = document.createElement("button");
    deny.type = "button";
    deny.textContent = t("room.deny");
    deny.setAttribute("aria-label", t("room.denyAria", { Name: w.name }));
    deny.addEventListener("click", () => actions.deny(w));
    li.append(name, admit, deny);
    list.append(li);
  }
}

/**
 * Shows one chat message. tag says who a private message went to; onReply,
 * when given, offers a chair a private answer to its sender.
 */
export function appendChat({ id, from, text, at, tag }, canDelete, onDelete, onReply) {
  const log = $("chat-log");
  const li = document.createElement("li");
  li.dataset.id = id;
  const who = document.createElement("strong");
  who.textContent = from;
  const when = document.createElement("time");
  const sent = at ? new Date(at) : new Date();
  when.dateTime = sent.toISOString();
  when.textContent = localeText(sent.toLocaleTimeString(lang, { hour: "numeric", minute: "2-digit" }));
  const body = document.createElement("p");
  body.textContent = text;
  li.append(who, " ", when);
  if (tag) {
    const to = document.createElement("span");
    to.className = "chat-tag";
    to.textContent = tag;
    li.append(" ", to);
    li.classList.add("private");
  }
  li.append(body);
  if (onReply) {
    const reply = document.createElement("button");
    reply.type = "button";
    reply.textContent = t("room.replyPrivately");
    reply.setAttribute("aria-label", t("room.replyPrivatelyAria", { Name: from }));
    reply.addEventListener("click", onReply);
    li.append(reply);
  }
  if (canDelete) {
    const del = document.createElement("button");
    del.type = "button";
    del.textContent = t("room.deleteChat");
    del.setAttribute("aria-label", t("room.deleteChatAria", { Name: from }));
    del.addEventListener("click", () => onDelete(id));
    li.append(del);
  }
  log.append(li);
  while (log.children.length > 200) log.firstElementChild.remove();
  log.scrollTop = log.scrollHeight;
}

export function deleteChat(id) {
  const li = $("chat-log").querySelector(`li[data-id="${CSS.escape(String(id))}"]`);
  if (li) li.remove();
}

/** Marks the share timer as ending soon, with words beside the time. */
export function warnTimer(words) {
  const el = $("timer");
  el.classList.add("warning");
  el.dataset.warning = words;
  if (el._tick) el._render();
}

/** Shows the share timer as m:ss until ends (ms since epoch); 0 hides it. */
export function showTimer(ends, whose) {
  const el = $("timer");
  clearInterval(el._tick);
  el.classList.remove("warning");
  delete el.dataset.warning;
  if (!ends) {
    el.hidden = true;
    return;
  }
  el.hidden = false;
  const tick = () => {
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    el.textContent = whose ? t("room.timerFor", { Name: whose, Time: time }) : t("room.timer", { Time: time });
    if (el.dataset.warning) el.textContent += ` — ${el.dataset.warning}`;
    if (left === 0) clearInterval(el._tick);
  };
  el._render = tick;
  tick();
  el._tick = setInterval(tick, 1000);
}
