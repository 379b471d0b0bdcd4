// Admin pages: plain forms that call the JSON API with the bearer token. The
// token lives only in this tab's sessionStorage: never in a URL, a cookie or
// the page, so no other site can make the browser send it.
import { t, lang, localeText } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "hearth-admin-token";

const api = {
  token: () => sessionStorage.getItem(TOKEN_KEY) || "",

  async call(method, path, body) {
    const headers = { Authorization: `Bearer ${api.token()}`, Accept: "application/json" };
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

function status(text, isError) {
  const el = $("admin-status");
  el.hidden = !text;
  el.textContent = text;
  el.classList.toggle("error", !!isError);
}

/** Runs an API action and reports its result in the live region. */
async function run(action, done) {
  try {
    const out = await action();
    if (done) status(done);
    return out;
  } catch (err) {
    status(err.message, true);
    if (err.status === 401) signOut();
    return undefined;
  }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  $("admin").hidden = true;
  $("signin").hidden = false;
}

async function signIn(token) {
  // Reads are public; the first write tells whether the token is right, and
  // a 401 then signs out again.
  sessionStorage.setItem(TOKEN_KEY, token);
  $("signin").hidden = true;
  $("admin").hidden = false;
  await refresh();
}

$("signin-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const token = $("token").value.trim();
  $("token").value = "";
  if (token) await signIn(token);
});
$("signout").addEventListener("click", () => { signOut(); status(t("admin.signedOut")); });

let groups = [];
let meetings = [];
let current = null;

async function refresh() {
  const g = await run(() => api.call("GET", "/api/groups"));
  const m = await run(() => api.call("GET", "/api/meetings?limit=1000"));
  if (!g || !m) return;
  groups = g.groups || [];
  meetings = m.meetings || [];
  renderGroups();
  renderMeetings();
  if (current) showExceptions(meetings.find((x) => x.slug === current.slug));
}

function listItem(text, buttons) {
  const li = document.createElement("li");
  const span = document.createElement("span");
  span.textContent = text;
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

function renderGroups() {
  const list = $("group-list");
  list.replaceChildren(...groups.map((g) => listItem(`${g.name} (${g.slug})`, [
    [t("admin.edit"), t("admin.editGroupAria", { Name: g.name }), () => editGroup(g)],
    [t("admin.delete"), t("admin.deleteGroupAria", { Name: g.name }), () => deleteGroup(g)],
  ])));
  const sel = $("m-group");
  const keep = sel.value;
  sel.replaceChildren(...groups.map((g) => new Option(g.name, g.slug)));
  if (keep) sel.value = keep;
}

function renderMeetings() {
  const list = $("meeting-list");
  list.replaceChildren(...meetings.map((m) => listItem(
    t("admin.meetingLine", { Name: m.name, Rule: ruleText(m.recurrence), Time: m.time, Zone: m.timezone }), [
      [t("admin.edit"), t("admin.editMeetingAria", { Name: m.name }), () => editMeeting(m)],
      [t("admin.exceptions"), t("admin.exceptionsAria", { Name: m.name }), () => showExceptions(m)],
      [t("admin.resetKey"), t("admin.resetKeyAria", { Name: m.name }), () => resetHostKey(m)],
      [t("admin.delete"), t("admin.deleteMeetingAria", { Name: m.name }), () => deleteMeeting(m)],
    ])));
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
    // The server keeps a group while any meeting belongs to it (409).
    const words = err.status === 409
      ? t("admin.groupHasMeetings", { Name: g.name })
      : err.message;
    status(words, true);
    if (err.status === 401) signOut();
    return;
  }
  status(t("admin.groupDeleted", { Name: g.name }));
  await refresh();
}

async function deleteMeeting(m) {
  if (!confirm(t("admin.confirmDeleteMeeting", { Name: m.name }))) return;
  const ok = await run(() => api.call("DELETE", `/api/meetings/${encodeURIComponent(m.slug)}`),
    t("admin.meetingDeleted", { Name: m.name }));
  if (ok === undefined) return;
  if (current && current.slug === m.slug) {
    current = null;
    $("exceptions").hidden = true;
  }
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
  fillForm(form, { ...g, editing: g.slug });
  form.elements.slug.readOnly = true;
  $("group-form-title").textContent = t("admin.editTitle", { Name: g.name });
  form.elements.name.focus();
}

$("group-form").addEventListener("reset", () => {
  $("group-form").elements.slug.readOnly = false;
  $("group-form-title").textContent = t("admin.newGroup");
});

$("group-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  const body = {};
  for (const k of ["slug", "name", "program", "description", "tradition_url", "location", "conference_phone"]) {
    body[k] = f[k].value.trim();
  }
  const editing = f.editing.value;
  const ok = await run(() => editing
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
    },
  };
  if (f.passcode.value) body.room.passcode = f.passcode.value;
  return body;
}

function editMeeting(m) {
  const form = $("meeting-form");
  form.reset();
  const r = m.recurrence;
  fillForm(form, {
    ...m, ...m.room, editing: m.slug, freq: r.freq, interval: r.interval || 1, weekdays: r.weekdays,
    set_pos: r.set_pos || 0, rstart: r.start, until: r.until || "", languages: (m.languages || []).join(", "),
  });
  form.elements.slug.readOnly = true;
  $("meeting-form-title").textContent = t("admin.editTitle", { Name: m.name });
  form.elements.name.focus();
}

$("meeting-form").addEventListener("reset", () => {
  $("meeting-form").elements.slug.readOnly = false;
  $("meeting-form-title").textContent = t("admin.newMeeting");
});

$("meeting-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const body = meetingBody(form);
  const editing = form.elements.editing.value;
  const out = await run(() => editing
    ? api.call("PUT", `/api/meetings/${encodeURIComponent(editing)}`, body)
    : api.call("POST", "/api/meetings", body), t("admin.meetingSaved", { Name: body.name }));
  if (!out) return;
  form.elements.passcode.value = "";
  form.reset();
  if (out.host_key) showHostKey(out.host_key);
  await refresh();
});

function showExceptions(m) {
  if (!m) return;
  current = m;
  $("exceptions").hidden = false;
  $("ex-meeting").textContent = m.name;
  const list = $("exception-list");
  const exs = m.exceptions || [];
  list.replaceChildren(...exs.map((e) => listItem(exceptionText(e),
    [[t("admin.edit"), t("admin.editExAria", { Date: e.date }), () => editException(e)],
      [t("admin.remove"), t("admin.removeExAria", { Date: e.date }), () => deleteException(m, e.date)]])));
  if (!exs.length) list.replaceChildren(listItem(t("admin.noExceptions"), []));
  $("exceptions-title").focus?.();
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

$("exception-form").addEventListener("reset", () => {
  $("exception-form").elements.date.readOnly = false;
  $("exception-form-title").textContent = t("admin.newException");
});

async function deleteException(m, date) {
  const ok = await run(() => api.call("DELETE", `/api/meetings/${encodeURIComponent(m.slug)}/exceptions/${date}`),
    t("admin.exRemoved", { Date: date }));
  if (ok !== undefined) await refresh();
}

$("exception-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const f = ev.target.elements;
  const body = { kind: f.kind.value, reason: f.reason.value.trim() };
  if (f.new_date.value) body.new_date = f.new_date.value;
  if (f.new_time.value) body.new_time = f.new_time.value;
  if (f.new_duration.value) body.new_duration = Number(f.new_duration.value);
  const path = `/api/meetings/${encodeURIComponent(current.slug)}/exceptions/${f.date.value}`;
  const ok = await run(() => api.call("PUT", path, body), t("admin.exSaved", { Date: f.date.value }));
  if (ok) {
    ev.target.reset();
    await refresh();
  }
});

async function resetHostKey(m) {
  if (!confirm(t("admin.confirmResetKey", { Name: m.name }))) return;
  const out = await run(() => api.call("POST", `/api/meetings/${encodeURIComponent(m.slug)}/host-key`));
  if (out && out.host_key) showHostKey(out.host_key);
}

/** Shows a new host key once; it is dropped from the page when closed. */
function showHostKey(key) {
  $("hostkey-value").textContent = key;
  $("hostkey-dialog").showModal();
}

$("hostkey-copy").addEventListener("click", () => {
  navigator.clipboard?.writeText($("hostkey-value").textContent).then(() => status(t("admin.keyCopied")));
});
$("hostkey-close").addEventListener("click", () => $("hostkey-dialog").close());
$("hostkey-dialog").addEventListener("close", () => { $("hostkey-value").textContent = ""; });

if (api.token()) signIn(api.token());
