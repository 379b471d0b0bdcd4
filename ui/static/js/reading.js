// Readings instead of screen sharing (sfu/PROTOCOL.md "Readings"). The
// server sends the group's text when a reading opens and then only the
// reader's paragraph; this page shows it as text: it follows the reader,
// lets the member scroll away and come back, and enlarge the text. Chairs
// and the named reader get the choice of reading, Previous/Next and Close
// for everyone; the server refuses them to anyone else whatever a page
// sends. Screen readers hear that a reading opened, once; the paragraphs
// are read as text in the panel, never pushed into the live region.
import * as view from "./roomview.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

// Text sizes the A-/A+ buttons step through, in rem.
const sizes = [0.9, 1, 1.15, 1.3, 1.5, 1.75, 2, 2.4];
const SIZE_KEY = "hearth-reading-size";

export class Reading {
  /**
   * send posts a control message; nameOf names a participant; selfId and
   * isChair tell who this page is now.
   */
  constructor({ send, nameOf, selfId, isChair }) {
    this.send = send;
    this.nameOf = nameOf;
    this.selfId = selfId;
    this.isChair = isChair;
    this.panel = $("reading-panel");
    this.text = $("reading-text");
    this.button = $("btn-reading");
    this.readings = []; // [{id, title}] the group's readings
    this.open = null; // {id, title, paragraphs, paragraph, by}
    this.reader = ""; // the member named as reader
    this.following = true;
    this.programmatic = 0; // scrolls this page made itself are under way
    this.sendTimer = 0;
    const saved = localStorage.getItem(SIZE_KEY);
    const stored = saved === null ? NaN : Number(saved);
    this.size = Number.isInteger(stored) && stored >= 0 && stored < sizes.length ? stored : 2;
    this.applySize();

    $("btn-reading-smaller").addEventListener("click", () => this.resize(-1));
    $("btn-reading-larger").addEventListener("click", () => this.resize(1));
    $("btn-reading-back").addEventListener("click", () => {
      this.following = true;
      $("btn-reading-back").hidden = true;
      this.scrollToCurrent();
    });
    $("btn-reading-show").addEventListener("click", () => {
      const id = $("reading-choice").value;
      if (id) this.send({ type: "show-reading", reading: id });
    });
    $("btn-reading-prev").addEventListener("click", () => this.step(-1));
    $("btn-reading-next").addEventListener("click", () => this.step(1));
    $("btn-reading-close").addEventListener("click", () => this.send({ type: "close-reading" }));
    this.text.addEventListener("scroll", () => this.onScroll(), { passive: true });
    this.text.addEventListener("scrollend", () => { this.programmatic = 0; });
  }

  /** May this page show, move and close readings (the server decides)? */
  canRead() {
    return this.isChair() || (this.reader !== "" && this.reader === this.selfId());
  }

  /**
   * The page that drives the position by scrolling: the named reader, or
   * when there is none whoever opened the reading. Other chairs step with
   * Previous/Next and may scroll without moving everyone.
   */
  drives() {
    if (!this.open) return false;
    return (this.reader || this.open.by) === this.selfId();
  }

  /** The state a page gets on entry or after a change of role. */
  applyState(msg) {
    this.readings = msg.readings || [];
    this.reader = msg.reader || "";
    const r = msg.reading;
    const wasOpen = this.open && r && this.open.id === r.id;
    if (r) {
      if (!wasOpen) this.show(r, "", false);
      this.moveTo(r.paragraph);
    } else if (this.open) {
      this.close(false);
    }
    if (r && !wasOpen) view.announce(t("room.readingOpen", { Title: r.title }));
    this.refresh();
  }

  /** A reading opened (reading set, by whom) or closed (no reading). */
  onReading(msg) {
    if (!msg.reading) {
      if (this.open) view.announce(t("room.readingClosed"));
      this.close(true);
      return;
    }
    this.show(msg.reading, msg.by, true);
    view.announce(t("room.readingOpened", { Name: this.nameOf(msg.by), Title: msg.reading.title }));
  }

  onMoved(msg) {
    if (!this.open || !msg.reading || msg.reading.id !== this.open.id) return;
    this.moveTo(msg.reading.paragraph);
  }

  onReader(msg) {
    const before = this.reader;
    this.reader = msg.subject || "";
    const me = this.selfId();
    if (this.reader === me) view.announce(t("room.readerYou"));
    else if (before === me) view.announce(t("room.readerYouNot"));
    else if (this.reader) view.announce(t("room.readerOther", { Name: this.nameOf(this.reader) }));
    this.refresh();
  }

  show(r, by, live) {
    this.open = { id: r.id, title: r.title, paragraphs: r.paragraphs || [], paragraph: 0, by };
    this.following = true;
    $("btn-reading-back").hidden = true;
    this.text.replaceChildren(...this.open.paragraphs.map((text, i) => paragraph(text, i)));
    this.text.scrollTop = 0;
    this.panel.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    if (live) this.moveTo(r.paragraph || 0);
    this.refresh();
  }

  close(focusBack) {
    const inside = this.panel.contains(document.activeElement);
    this.open = null;
    this.text.replaceChildren();
    if (!this.canRead()) {
      this.panel.hidden = true;
      this.button.setAttribute("aria-expanded", "false");
    }
    this.refresh();
    if (!inside || !focusBack) return;
    // Focus was on what just went away: the choice, else the toolbar.
    if (!this.panel.hidden) $("reading-choice").focus();
    else (this.button.hidden ? $("btn-chat") : this.button).focus();
  }

  moveTo(i) {
    if (!this.open) return;
    this.open.paragraph = Math.max(0, Math.min(i, this.open.paragraphs.length - 1));
    for (const p of this.text.children) {
      const current = Number(p.dataset.i) === this.open.paragraph;
      p.classList.toggle("current", current);
      if (current) p.setAttribute("aria-current", "true");
      else p.removeAttribute("aria-current");
    }
    $("reading-where").textContent = t("room.readingWhere", { N: this.open.paragraph + 1, Total: this.open.paragraphs.length });
    $("btn-reading-prev").disabled = this.open.paragraph === 0;
    $("btn-reading-next").disabled = this.open.paragraph >= this.open.paragraphs.length - 1;
    if (this.following) this.scrollToCurrent();
  }

  step(d) {
    if (!this.open) return;
    const next = this.open.paragraph + d;
    if (next < 0 || next >= this.open.paragraphs.length) return;
    this.following = true;
    $("btn-reading-back").hidden = true;
    this.send({ type: "move-reading", paragraph: next });
  }

  scrollToCurrent() {
    const p = this.text.children[this.open ? this.open.paragraph : 0];
    if (!p) return;
    const top = Math.max(0, p.offsetTop - 8);
    if (Math.abs(this.text.scrollTop - top) < 2) return;
    this.programmatic = Date.now();
    const smooth = !matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.text.scrollTo({ top, behavior: smooth ? "smooth" : "auto" });
  }

  /**
   * A scroll this page did not make: the driver moves everyone to the
   * paragraph at the top; anyone else stops following until "Back to the
   * reader".
   */
  onScroll() {
    if (!this.open || (this.programmatic && Date.now() - this.programmatic < 1500)) return;
    this.programmatic = 0;
    if (this.drives()) {
      clearTimeout(this.sendTimer);
      this.sendTimer = setTimeout(() => {
        const i = this.topParagraph();
        if (this.open && i !== this.open.paragraph) this.send({ type: "move-reading", paragraph: i });
      }, 300);
      return;
    }
    if (this.following) {
      this.following = false;
      $("btn-reading-back").hidden = false;
    }
  }

  /** The first paragraph whose bottom is below the top of the view. */
  topParagraph() {
    for (const p of this.text.children) {
      if (p.offsetTop + p.offsetHeight > this.text.scrollTop + 12) return Number(p.dataset.i);
    }
    return this.open ? this.open.paragraphs.length - 1 : 0;
  }

  resize(d) {
    this.size = Math.max(0, Math.min(sizes.length - 1, this.size + d));
    localStorage.setItem(SIZE_KEY, String(this.size));
    this.applySize();
    if (this.following) this.scrollToCurrent();
  }

  applySize() {
    this.text.style.setProperty("--reading-size", `${sizes[this.size]}rem`);
    $("btn-reading-smaller").disabled = this.size === 0;
    $("btn-reading-larger").disabled = this.size === sizes.length - 1;
  }

  /** Shows what this page may do now. */
  refresh() {
    const reads = this.canRead();
    const offer = reads && this.readings.length > 0;
    this.button.hidden = !(this.open || offer);
    if (this.button.hidden && !this.panel.hidden) {
      this.panel.hidden = true;
      this.button.setAttribute("aria-expanded", "false");
    }
    $("reading-heading").textContent = this.open ? this.open.title : t("room.readings");
    const who = this.open && (this.reader || this.open.by);
    $("reading-by").textContent = !who ? "" : who === this.selfId() ? t("room.readingByYou")
      : t("room.readingBy", { Name: this.nameOf(who) });
    $("reading-by").hidden = !who;
    // While a reading is open its text gets the room; Close for everyone
    // brings the choice back.
    $("reading-pick").hidden = !offer || !!this.open;
    const choice = $("reading-choice");
    const keep = choice.value;
    choice.replaceChildren(...this.readings.map((r) => new Option(r.title, r.id)));
    if (keep) choice.value = keep;
    $("reading-nav").hidden = !(reads && this.open);
    $("btn-reading-close").hidden = !(reads && this.open);
    $("reading-view").hidden = !this.open;
    if (this.open) {
      $("btn-reading-prev").disabled = this.open.paragraph === 0;
      $("btn-reading-next").disabled = this.open.paragraph >= this.open.paragraphs.length - 1;
    }
  }
}

/** One paragraph as text, with *emphasis* as <em>; never parsed as HTML. */
function paragraph(text, i) {
  const p = document.createElement("p");
  p.dataset.i = String(i);
  const parts = text.split(/\*([^*\n]+)\*/);
  parts.forEach((part, j) => {
    if (!part) return;
    if (j % 2) {
      const em = document.createElement("em");
      em.textContent = part;
      p.append(em);
    } else {
      p.append(part);
    }
  });
  return p;
}
