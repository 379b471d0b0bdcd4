// Admin pages: plain forms that call the JSON API with the bearer token. The
// token lives only in this tab's sessionStorage: never in a URL, a cookie or
// the page, so no other site can make the browser send it.
//
// Three pages share this module (#admin-app data-view): "home" lists the
// meetings (each a link to its own page), the groups and the programs, each
// list and form folded in a <details> that says how many it holds, so that a
// phone sees the whole page at once; "new" is the form
// for a new meeting; "meeting" is one meeting's details, exceptions, host
// key and deletion. Each message is said where its action was (the status
// line beside the form or list), not at the top of a long page.
import { t, lang, localeText } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "hearth-admin-token";
// A message for the next page (after a create or delete moves there): only
// words, never a secret.
const FLASH_KEY = "hearth-admin-flash";
const app = $("admin-app");
const view = app.dataset.view;
const slug = app.dataset.slug;

const api = {
  token: () => sessionStorage.getItem(TOKEN_KEY) || "",

  async call(method, path, body, token = api.token()) {
    const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
    const init = { method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    if (res.status === 204) return null;
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  },
};

class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(status, problem));
    this.status = status;
  }
}

/** RFC 9457 problem details as sentences, one per field problem. */
function problemText(status, p) {
  if (status === 401 || status === 403) return t("admin.err.token");
  // The API's problem details are in English (sfu and the API keep one
  // language); the frame around them is the page's.
  const parts = [p.detail || p.title || t("admin.err.status", { Status: status })];
  for (const e of p.errors || []) {
    parts.push(`${(e.location || "").replace(/^body\./, "")}: ${e.message}`);
  }
  return parts.join(" ");
}

/** Says text in the status line id, beside the action it reports on. */
function say(id, text, isError) {
  const el = $(id);
  if (!el) return;
  el.hidden = !text;
  el.textContent = text;
  el.classList.toggle("error", !!isError);
  // A list's line sits above the list: bring it into view if the button
  // pressed was further down.
  if (text && !$("admin").hidden) el.scrollIntoView({ block: "nearest" });
}

/** Runs an API action and reports its result in the status line where. */
async function run(where, action, done) {
  try {
    const out = await action();
    if (done) say(where, done);
    return out;
  } catch (err) {
    if (err.status === 401) {
      signOut(t("admin.err.token"));
      return undefined;
    }
    say(where, err.message, true);
    return undefined;
  }
}

function showSignIn() {
  $("admin").hidden = true;
  $("signin").hidden = false;
}

/** Forgets the token; words, when given, say why beside the token field. */
function signOut(words) {
  sessionStorage.removeItem(TOKEN_KEY);
  showSignIn();
  if (words) {
    say("token-error", words, true);
    $("token").setAttribute("aria-invalid", "true");
    $("token").focus();
  }
}

/**
 * Checks the token with the server before showing anything that needs it,
 * so a wrong token is said at once, beside the field (not at the first
 * save). The check changes nothing.
 */
async function signIn(token) {
  try {
    await api.call("GET", "/api/admin/token", undefined, token);
  } catch (err) {
    const words = err.status === 401 ? t("admin.err.badToken")
      : err.status === 429 ? t("admin.err.busy") : err.message;
    signOut(words);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  say("token-error", "");
  $("token").removeAttribute("aria-invalid");
  $("signin").hidden = true;
  $("admin").hidden = false;
  await refresh();
  showFlash();
}

$("signin-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const token = $("token").value.trim();
  $("token").value = "";
  if (!token) return;
  await signIn(token);
  // The page's heading, or the section a link asked for, takes focus.
  if (!$("admin").hidden) focusTarget();
});
$("token").addEventListener("input", () => {
  say("token-error", "");
  $("token").removeAttribute("aria-invalid");
});
$("signout").addEventListener("click", () => {
  signOut();
  say("admin-status", t("admin.signedOut"));
  $("token").focus();
});

/** The element the URL's #fragment names, if any. */
function hashTarget() {
  if (!location.hash) return null;
  try {
    return document.getElementById(decodeURIComponent(location.hash.slice(1)));
  } catch {
    return null; // a malformed escape names nothing
  }
}

/**
 * Opens the folds that hold el, and a section's list: a link to a section
 * (#programs) or into a fold (#group-form) shows what it points to.
 */
function reveal(el) {
  for (let d = el.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
  const list = el.matches("section") && el.querySelector("details[data-list]");
  if (list) list.open = true;
}

/**
 * Focus goes to what the link opened: a section's heading (#exceptions),
 * the fold it is in (#group-form), or the page's heading.
 */
function focusTarget() {
  const target = hashTarget();
  if (target) reveal(target);
  const heading = target && (target.querySelector("h2[tabindex]") || target.closest("details")?.querySelector("summary"));
  (heading || $("admin-title")).focus();
}

// The jump links move focus to the section they name; a link to the
// fragment already in the URL changes no hash, so its click does it.
addEventListener("hashchange", () => { if (!$("admin").hidden) focusTarget(); });
for (const a of document.querySelectorAll("nav.jump a")) {
  a.addEventListener("click", () => { if (a.hash === location.hash) focusTarget(); });
}

function flash(where, text) {
  sessionStorage.setItem(FLASH_KEY, JSON.stringify({ where, text }));
}

function showFlash() {
  const raw = sessionStorage.getItem(FLASH_KEY);
  sessionStorage.removeItem(FLASH_KEY);
  if (!raw) return;
  try {
    const { where, text } = JSON.parse(raw);
    say(where, text);
  } catch {
    // A damaged message is dropped.
  }
}

let groups = [];
let programs = [];
let meeting = null;

async function refresh() {
  const g = await run("admin-status", () => api.call("GET", "/api/groups"));
  const p = await run("admin-status", () => api.call("GET", "/api/programs"));
  if (!g || !p) return;
  groups = g.groups || [];
  programs = p.programs || [];
  renderGroupChoice();
  renderProgramChoice();
  if (view === "home") {
    const m = await run("admin-status", () => api.call("GET", "/api/meetings?limit=1000"));
    if (!m) return;
    renderGroups();
    renderPrograms();
    renderMeetings(m.meetings || []);
  } else if (view === "meeting") {
    const m = await run("admin-status", () => api.call("GET", `/api/meetings/${encodeURIComponent(slug)}`));
    if (!m) return;
    meeting = m;
    fillMeeting(m);
    renderExceptions(m);
    const roles = await run("role-list-status", () => api.call("GET", `/api/meetings/${encodeURIComponent(slug)}/roles`));
    if (roles) renderRoles(roles);
  }
}

function listItem(content, buttons) {
  const li = document.createElement("li");
  const span = document.createElement("span");
  span.append(content);
  li.append(span);
  for (const [label, aria, fn] of buttons) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.setAttribute("aria-label", aria);
    b.addEventListener("click", fn);
    li.append(" ", b);
  }
  return li;
}

function link(href, text, aria) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (aria) a.setAttribute("aria-label", aria);
  return a;
}

// Lists this long or shorter are open at first; longer ones are folded.
const SHORT_LIST = 5;

/**
 * Fills a folded list: its summary says how many it holds. At the first
 * fill a short list opens; later fills (after a save) keep the fold as the
 * admin left it.
 */
function fillFold(listId, countId, items) {
  const list = $(listId);
  list.replaceChildren(...items);
  const fold = list.closest("details");
  fold.querySelector("summary").textContent = t(countId, { Count: items.length });
  if (fold.dataset.filled) return;
  fold.dataset.filled = "yes";
  if (items.length <= SHORT_LIST) fold.open = true;
}

function renderGroups() {
  fillFold("group-list", "admin.groupCount", groups.map((g) => listItem(`${g.name} (${g.slug})`, [
    [t("admin.edit"), t("admin.editGroupAria", { Name: g.name }), () => editGroup(g)],
    [t("admin.readings"), t("admin.readingsAria", { Name: g.name }), () => openReadings(g)],
    [t("admin.delete"), t("admin.deleteGroupAria", { Name: g.name }), () => deleteGroup(g)],
  ])));
}

// A group's readings: the whole ordered list is edited here and saved in
// one PUT, so a reorder or a delete is never half written.
let readingsGroup = null;
let readingsDraft = [];

async function openReadings(g) {
  const out = await run("group-list-status", () => api.call("GET", `/api/groups/${encodeURIComponent(g.slug)}/readings`));
  if (!out) return;
  readingsGroup = g;
  readingsDraft = (out.readings || []).map((r) => ({ id: r.id, title: r.title, text: r.text }));
  $("readings-title").textContent = t("admin.readingsTitle", { Name: g.name });
  $("readings").hidden = false;
  say("readings-status", "");
  renderReadings();
  $("readings-title").focus();
}

/** Copies what was typed into the draft before the list is redrawn. */
function syncReadings() {
  for (const li of $("reading-edit-list").children) {
    const r = readingsDraft[Number(li.dataset.index)];
    r.title = li.querySelector("input").value;
    r.text = li.querySelector("textarea").value;
  }
}

function readingField(kind, i, value) {
  const div = document.createElement("div");
  div.className = "field";
  const id = `reading-${kind}-${i}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = t(kind === "title" ? "admin.readingTitle" : "admin.readingText");
  const input = document.createElement(kind === "title" ? "input" : "textarea");
  input.id = id;
  input.value = value;
  input.required = true;
  input.maxLength = kind === "title" ? 100 : 12000;
  if (kind === "text") {
    input.rows = 8;
    input.setAttribute("aria-describedby", "readings-hint");
  }
  div.append(label, input);
  return div;
}

function renderReadings(focus) {
  $("readings-empty").hidden = readingsDraft.length > 0;
  $("reading-add").disabled = readingsDraft.length >= 20;
  $("reading-edit-list").replaceChildren(...readingsDraft.map((r, i) => {
    const li = document.createElement("li");
    li.dataset.index = i;
    const fs = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = r.title || t("admin.readingN", { N: i + 1 });
    fs.append(legend, readingField("title", i, r.title), readingField("text", i, r.text));
    const actions = document.createElement("p");
    actions.className = "actions";
    const label = r.title || t("admin.readingN", { N: i + 1 });
    for (const [kind, text, aria, enabled] of [
      ["up", t("admin.moveUp"), t("admin.moveUpAria", { Title: label }), i > 0],
      ["down", t("admin.moveDown"), t("admin.moveDownAria", { Title: label }), i < readingsDraft.length - 1],
      ["delete", t("admin.delete"), t("admin.deleteReadingAria", { Title: label }), true],
    ]) {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.action = kind;
      b.textContent = text;
      b.setAttribute("aria-label", aria);
      b.disabled = !enabled;
      b.addEventListener("click", () => changeReading(kind, i));
      actions.append(b, " ");
    }
    fs.append(actions);
    li.append(fs);
    return li;
  }));
  if (focus) focus();
}

function changeReading(kind, i) {
  syncReadings();
  const r = readingsDraft[i];
  const label = r.title || t("admin.readingN", { N: i + 1 });
  if (kind === "delete") {
    readingsDraft.splice(i, 1);
    renderReadings(() => ($("reading-edit-list").children[Math.min(i, readingsDraft.length - 1)]?.querySelector("input") || $("reading-add")).focus());
    say("readings-status", t("admin.readingRemoved", { Title: label }));
    return;
  }
  const j = kind === "up" ? i - 1 : i + 1;
  [readingsDraft[i], readingsDraft[j]] = [readingsDraft[j], readingsDraft[i]];
  renderReadings(() => {
    const b = $("reading-edit-list").children[j].querySelector(`button[data-action="${kind}"]`);
    (b && !b.disabled ? b : $("reading-edit-list").children[j].querySelector("input")).focus();
  });
  say("readings-status", t("admin.readingMoved", { Title: label, N: j + 1 }));
}

$("reading-add")?.addEventListener("click", () => {
  syncReadings();
  readingsDraft.push({ title: "", text: "" });
  renderReadings(() => $("reading-edit-list").lastElementChild.querySelector("input").focus());
});

$("readings-close")?.addEventListener("click", () => {
  $("readings").hidden = true;
  readingsGroup = null;
  $("group-list").querySelector("button")?.focus();
});

$("readings-form")?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!readingsGroup) return;
  syncReadings();
  const body = { readings: readingsDraft.map((r) => (r.id ? { id: r.id, title: r.title, text: r.text } : { title: r.title, text: r.text })) };
  const out = await run("readings-status",
    () => api.call("PUT", `/api/groups/${encodeURIComponent(readingsGroup.slug)}/readings`, body),
    t("admin.readingsSaved", { Name: readingsGroup.name }));
  if (!out) return;
  readingsDraft = out.readings.map((r) => ({ id: r.id, title: r.title, text: r.text }));
  renderReadings();
});

function renderGroupChoice() {
  const sel = $("m-group");
  if (!sel) return;
  const keep = sel.value;
  sel.replaceChildren(...groups.map((g) => new Option(g.name, g.slug)));
  if (keep) sel.value = keep;
}

// Program names as the page was rendered, in its language; a program added
// or renamed since shows its stored name.
const programNames = new Map([...$("program-names").content.querySelectorAll("option")]
  .map((o) => [o.value, o.textContent]));

function programLabel(p) {
  const stored = p.abbreviation && p.abbreviation !== p.name ? `${p.name} (${p.abbreviation})` : p.name;
  return programNames.get(p.key) || stored;
}

const formatLabel = (f) => [...($("p-format") || $("m-format")).options].find((o) => o.value === f)?.textContent || f;

function renderPrograms() {
  fillFold("program-list", "admin.programCount", programs.map((p) => {
    const name = programLabel(p);
    const line = t(p.retired ? "admin.programLineRetired" : "admin.programLine",
      { Name: name, Format: formatLabel(p.format), Meetings: p.meetings });
    const buttons = [[t("admin.edit"), t("admin.editProgramAria", { Name: name }), () => editProgram(p)]];
    if (p.retired) buttons.push([t("admin.restore"), t("admin.restoreProgramAria", { Name: name }), () => retireProgram(p, false)]);
    else buttons.push([t("admin.retire"), t("admin.retireProgramAria", { Name: name }), () => retireProgram(p, true)]);
    // A program in use can only be retired; the server refuses the delete too.
    if (!p.meetings) buttons.push([t("admin.delete"), t("admin.deleteProgramAria", { Name: name }), () => deleteProgram(p)]);
    return listItem(line, buttons);
  }));
}

/** The program pickers offer the programs not retired, new ones included. */
function renderProgramChoice() {
  for (const sel of [$("m-program"), $("g-program")]) {
    if (!sel) continue;
    const keep = sel.value;
    sel.replaceChildren(...programs.filter((p) => !p.retired).map((p) => new Option(programLabel(p), p.key)));
    offerProgram(sel, keep);
  }
}

/** Makes key selectable and selected in sel, even when it is retired (a
 * meeting keeps its retired program). */
function offerProgram(sel, key) {
  if (!sel || !key) return;
  if (![...sel.options].some((o) => o.value === key)) {
    const p = programs.find((x) => x.key === key);
    sel.append(new Option(p ? programLabel(p) : key, key));
  }
  sel.value = key;
}

function editProgram(p) {
  const form = $("program-form");
  form.reset();
  fillForm(form, { ...p, editing: p.key });
  $("program-form-fold").open = true;
  $("program-form-title").textContent = t("admin.editTitle", { Name: programLabel(p) });
  form.elements.name.focus();
}

async function retireProgram(p, retired) {
  const body = { name: p.name, abbreviation: p.abbreviation || "", format: p.format, retired };
  const name = programLabel(p);
  const ok = await run("program-list-status", () => api.call("PUT", `/api/programs/${encodeURIComponent(p.key)}`, body),
    t(retired ? "admin.programRetiredDone" : "admin.programRestored", { Name: name }));
  if (ok) await refresh();
}

async function deleteProgram(p) {
  const name = programLabel(p);
  if (!confirm(t("admin.confirmDeleteProgram", { Name: name }))) return;
  try {
    await api.call("DELETE", `/api/programs/${encodeURIComponent(p.key)}`);
  } catch (err) {
    if (err.status === 401) {
      signOut(t("admin.err.token"));
      return;
    }
    say("program-list-status", err.status === 409 ? t("admin.programInUse", { Name: name }) : err.message, true);
    return;
  }
  say("program-list-status", t("admin.programDeleted", { Name: name }));
  await refresh();
}

$("program-form")?.addEventListener("reset", () => {
  $("program-form-title").textContent = t("admin.newProgram");
});

$("program-form")?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  const body = { name: f.name.value.trim(), abbreviation: f.abbreviation.value.trim(), format: f.format.value,
    retired: f.retired.checked };
  const editing = f.editing.value;
  if (editing && programs.find((p) => p.key === editing)?.name !== body.name) programNames.delete(editing);
  const ok = await run("program-form-status", () => editing
    ? api.call("PUT", `/api/programs/${encodeURIComponent(editing)}`, body)
    : api.call("POST", "/api/programs", body), t("admin.programSaved", { Name: body.name }));
  if (ok) {
    ev.target.reset();
    await refresh();
  }
});

// A meeting of a program is usually of that program's format.
$("m-program")?.addEventListener("change", (ev) => {
  const p = programs.find((x) => x.key === ev.target.value);
  if (p) $("m-format").value = p.format;
});

/** Each meeting links to its own page, and straight to its exceptions. */
function renderMeetings(list) {
  fillFold("meeting-list", "admin.meetingCount", list.map((m) => {
    const page = `/admin/m/${encodeURIComponent(m.slug)}`;
    const li = document.createElement("li");
    li.append(link(page, t("admin.meetingLine", { Name: m.name, Rule: ruleText(m.recurrence), Time: m.time, Zone: m.timezone })),
      " ", link(`${page}#exceptions`, t("admin.exceptions"), t("admin.exceptionsAria", { Name: m.name })));
    return li;
  }));
}

// Weekday names in the page language (a Sunday in 2023 is day 0).
const weekdayName = (d) => localeText(new Date(Date.UTC(2023, 0, 1 + d))
  .toLocaleDateString(lang, { weekday: "long", timeZone: "UTC" }));

/** A recurrence as "Weekly: Monday, Thursday" in the page language. */
function ruleText(r) {
  const freq = t(r.freq === "monthly" ? "admin.monthly" : "admin.weekly");
  return t("admin.ruleLine", { Freq: freq, Days: (r.weekdays || []).map(weekdayName).join(", ") });
}

async function deleteGroup(g) {
  if (!confirm(t("admin.confirmDeleteGroup", { Name: g.name }))) return;
  try {
    await api.call("DELETE", `/api/groups/${encodeURIComponent(g.slug)}`);
  } catch (err) {
    if (err.status === 401) {
      signOut(t("admin.err.token"));
      return;
    }
    // The server keeps a group while any meeting belongs to it (409).
    say("group-list-status", err.status === 409 ? t("admin.groupHasMeetings", { Name: g.name }) : err.message, true);
    return;
  }
  say("group-list-status", t("admin.groupDeleted", { Name: g.name }));
  await refresh();
}

function fillForm(form, values) {
  for (const el of form.elements) {
    if (!el.name || !(el.name in values)) continue;
    const v = values[el.name];
    if (el.type === "checkbox" && Array.isArray(v)) el.checked = v.map(String).includes(el.value);
    else if (el.type === "checkbox") el.checked = !!v;
    else if (el.multiple) for (const o of el.options) o.selected = (v || []).includes(o.value);
    else el.value = v ?? "";
  }
}

function editGroup(g) {
  const form = $("group-form");
  form.reset();
  offerProgram($("g-program"), g.program);
  fillForm(form, { ...g, editing: g.slug });
  form.elements.slug.readOnly = true;
  $("group-form-fold").open = true;
  $("group-form-title").textContent = t("admin.editTitle", { Name: g.name });
  form.elements.name.focus();
}

$("group-form")?.addEventListener("reset", () => {
  $("group-form").elements.slug.readOnly = false;
  $("group-form-title").textContent = t("admin.newGroup");
});

$("group-form")?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  const body = {};
  for (const k of ["slug", "name", "program", "description", "tradition_url", "venmo", "square", "paypal", "location",
    "conference_phone"]) {
    body[k] = f[k].value.trim();
  }
  const editing = f.editing.value;
  const ok = await run("group-form-status", () => editing
    ? api.call("PUT", `/api/groups/${encodeURIComponent(editing)}`, body)
    : api.call("POST", "/api/groups", body), t("admin.groupSaved", { Name: body.name }));
  if (ok) {
    ev.target.reset();
    await refresh();
  }
});

function meetingBody(form) {
  const f = form.elements;
  const weekdays = [...form.querySelectorAll("input[name=weekdays]:checked")].map((c) => Number(c.value));
  const body = {
    slug: f.slug.value.trim(), name: f.name.value.trim(), group: f.group.value,
    format: f.format.value, program: f.program.value,
    types: [...f.types.selectedOptions].map((o) => o.value),
    languages: f.languages.value.split(",").map((s) => s.trim()).filter(Boolean),
    notes: f.notes.value, timezone: f.timezone.value.trim(), time: f.time.value,
    duration: Number(f.duration.value),
    recurrence: {
      freq: f.freq.value, interval: Number(f.interval.value) || 1, weekdays,
      set_pos: Number(f.set_pos.value), start: f.rstart.value, until: f.until.value || undefined,
    },
    room: {
      waiting_room: f.waiting_room.checked, locked_until_chair: f.locked_until_chair.checked,
      camera_off_on_entry: f.camera_off_on_entry.checked, max_participants: Number(f.max_participants.value),
      chat_mode: f.chat_mode.value, share_timer: Number(f.share_timer.value) || 0,
    },
  };
  if (f.passcode.value) body.room.passcode = f.passcode.value;
  if (f.phone_pin.value) body.room.phone_pin = f.phone_pin.value;
  return body;
}

/** Loads the meeting of a "meeting" page into its form. */
function fillMeeting(m) {
  const form = $("meeting-form");
  form.reset();
  const r = m.recurrence;
  offerProgram($("m-program"), m.program);
  fillForm(form, {
    ...m, ...m.room, editing: m.slug, freq: r.freq, interval: r.interval || 1, weekdays: r.weekdays,
    set_pos: r.set_pos || 0, rstart: r.start, until: r.until || "", languages: (m.languages || []).join(", "),
  });
  form.elements.slug.readOnly = true;
}

$("meeting-form")?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const body = meetingBody(form);
  const editing = form.elements.editing.value;
  const saved = t("admin.meetingSaved", { Name: body.name });
  const out = await run("meeting-form-status", () => editing
    ? api.call("PUT", `/api/meetings/${encodeURIComponent(editing)}`, body)
    : api.call("POST", "/api/meetings", body), saved);
  if (!out) return;
  form.elements.passcode.value = "";
  form.elements.phone_pin.value = "";
  if (editing) {
    meeting = out;
    fillMeeting(out);
    if (out.phone_pin) showPhonePIN(out.phone_pin); // a new passcode made one
    return;
  }
  // A new meeting: its host key once, its phone PIN once, then its own page.
  flash("meeting-form-status", saved);
  const page = `/admin/m/${encodeURIComponent(out.slug)}`;
  const next = () => location.assign(page);
  const pin = () => (out.phone_pin ? showPhonePIN(out.phone_pin, next) : next());
  if (out.host_key) showHostKey(out.host_key, pin);
  else pin();
});

function renderExceptions(m) {
  const list = $("exception-list");
  const exs = m.exceptions || [];
  list.replaceChildren(...exs.map((e) => listItem(exceptionText(e),
    [[t("admin.edit"), t("admin.editExAria", { Date: e.date }), () => editException(e)],
      [t("admin.remove"), t("admin.removeExAria", { Date: e.date }), () => deleteException(e.date)]])));
  if (!exs.length) list.replaceChildren(listItem(t("admin.noExceptions"), []));
}

/** An exception as one line: "2026-11-26: Moved to 2026-11-27 at 19:00 — reason". */
function exceptionText(e) {
  const parts = [t("admin.exLine", { Date: e.date, Kind: t(`admin.kind.${e.kind}`) })];
  if (e.new_date) parts.push(t("admin.exMovedTo", { Date: e.new_date }));
  if (e.new_time) parts.push(t("admin.exMovedAt", { Time: e.new_time }));
  let text = parts.join(" ");
  if (e.reason) text += ` — ${e.reason}`;
  return text;
}

/** Loads an exception into the form; saving it replaces the old one. */
function editException(e) {
  const form = $("exception-form");
  form.reset();
  fillForm(form, {
    date: e.date, kind: e.kind, reason: e.reason || "", new_date: e.new_date || "",
    new_time: e.new_time || "", new_duration: e.new_duration || "",
  });
  form.elements.date.readOnly = true;
  $("exception-form-title").textContent = t("admin.editExTitle", { Date: e.date });
  form.elements.kind.focus();
}

$("exception-form")?.addEventListener("reset", () => {
  $("exception-form").elements.date.readOnly = false;
  $("exception-form-title").textContent = t("admin.newException");
});

async function deleteException(date) {
  const ok = await run("exception-list-status",
    () => api.call("DELETE", `/api/meetings/${encodeURIComponent(slug)}/exceptions/${date}`),
    t("admin.exRemoved", { Date: date }));
  if (ok !== undefined) await refresh();
}

$("exception-form")?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  const body = { kind: f.kind.value, reason: f.reason.value.trim() };
  if (f.new_date.value) body.new_date = f.new_date.value;
  if (f.new_time.value) body.new_time = f.new_time.value;
  if (f.new_duration.value) body.new_duration = Number(f.new_duration.value);
  const path = `/api/meetings/${encodeURIComponent(slug)}/exceptions/${f.date.value}`;
  const ok = await run("exception-form-status", () => api.call("PUT", path, body), t("admin.exSaved", { Date: f.date.value }));
  if (ok) {
    ev.target.reset();
    await refresh();
  }
});

$("reset-key")?.addEventListener("click", async () => {
  const name = meeting ? meeting.name : slug;
  if (!confirm(t("admin.confirmResetKey", { Name: name }))) return;
  const out = await run("hostkey-status", () => api.call("POST", `/api/meetings/${encodeURIComponent(slug)}/host-key`));
  if (out && out.host_key) showHostKey(out.host_key);
});

/** The meeting's service roles, each with its last day and a Revoke button. */
function renderRoles(roles) {
  const list = $("role-list");
  list.replaceChildren(...roles.map((r) => listItem(roleText(r),
    [[t("admin.revoke"), t("admin.revokeRoleAria", { Role: r.label }), () => revokeRole(r)]])));
  if (!roles.length) list.replaceChildren(listItem(t("admin.noRoles"), []));
}

/** A role as one line: "Secretary: until 2027-03-31", "Tech host: no last day". */
function roleText(r) {
  if (!r.until) return t("admin.roleLineOpen", { Role: r.label });
  return t(r.expired ? "admin.roleLineEnded" : "admin.roleLine", { Role: r.label, Date: r.until });
}

async function revokeRole(r) {
  if (!confirm(t("admin.confirmRevokeRole", { Role: r.label }))) return;
  const ok = await run("role-list-status",
    () => api.call("DELETE", `/api/meetings/${encodeURIComponent(slug)}/roles/${r.id}`),
    t("admin.roleRevoked", { Role: r.label }));
  if (ok !== undefined) await refresh();
}

$("role-form")?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const f = form.elements;
  const body = { label: f.label.value.trim() };
  if (f.until.value) body.until = f.until.value;
  const out = await run("role-form-status",
    () => api.call("POST", `/api/meetings/${encodeURIComponent(slug)}/roles`, body),
    t("admin.roleAdded", { Role: body.label }));
  if (!out) return;
  form.reset();
  // The key once, then the list with the new role.
  showHostKey(out.host_key, () => refresh(), t("admin.roleKeyTitle", { Role: out.label }),
    t("admin.roleKeyText", { Role: out.label }));
});

$("reset-pin")?.addEventListener("click", async () => {
  if (meeting && !meeting.room.has_passcode) {
    say("phonepin-status", t("admin.pinNeedsPasscode"), true);
    return;
  }
  const name = meeting ? meeting.name : slug;
  if (!confirm(t("admin.confirmResetPin", { Name: name }))) return;
  const out = await run("phonepin-status", () => api.call("POST", `/api/meetings/${encodeURIComponent(slug)}/phone-pin`));
  if (out && out.phone_pin) showPhonePIN(out.phone_pin);
});

$("delete-meeting")?.addEventListener("click", async () => {
  const name = meeting ? meeting.name : slug;
  if (!confirm(t("admin.confirmDeleteMeeting", { Name: name }))) return;
  const ok = await run("delete-status", () => api.call("DELETE", `/api/meetings/${encodeURIComponent(slug)}`));
  if (ok === undefined) return;
  flash("meeting-list-status", t("admin.meetingDeleted", { Name: name }));
  location.assign("/admin/");
});

/**
 * Shows a new host key once; it is dropped from the page when closed, and
 * then is called. Closing gives focus back to what opened the dialog.
 */
function showHostKey(key, then, title, text) {
  $("hostkey-title").textContent = title || t("admin.hostkeyTitle");
  $("hostkey-text").textContent = text || t("admin.hostkeyText");
  $("hostkey-value").textContent = key;
  afterHostKey = then;
  $("hostkey-dialog").showModal();
}

let afterHostKey = null;

$("hostkey-copy").addEventListener("click", () => {
  navigator.clipboard?.writeText($("hostkey-value").textContent).then(() => say("hostkey-copied", t("admin.keyCopied")));
});
$("hostkey-close").addEventListener("click", () => $("hostkey-dialog").close());
$("hostkey-dialog").addEventListener("close", () => {
  $("hostkey-value").textContent = "";
  say("hostkey-copied", "");
  const then = afterHostKey;
  afterHostKey = null;
  if (then) then();
});

/** Shows a new phone PIN once, as showHostKey does a host key. */
function showPhonePIN(pin, then) {
  $("phonepin-value").textContent = pin;
  afterPhonePIN = then;
  $("phonepin-dialog").showModal();
}

let afterPhonePIN = null;

$("phonepin-copy").addEventListener("click", () => {
  navigator.clipboard?.writeText($("phonepin-value").textContent).then(() => say("phonepin-copied", t("admin.pinCopied")));
});
$("phonepin-close").addEventListener("click", () => $("phonepin-dialog").close());
$("phonepin-dialog").addEventListener("close", () => {
  $("phonepin-value").textContent = "";
  say("phonepin-copied", "");
  const then = afterPhonePIN;
  afterPhonePIN = null;
  if (then) then();
});

if (api.token()) {
  signIn(api.token()).then(() => { if (!$("admin").hidden && location.hash) focusTarget(); });
} else {
  showSignIn();
}
