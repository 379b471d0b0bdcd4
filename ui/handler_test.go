package ui

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

func get(t *testing.T, h http.Handler, target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, bans ...string) {
	t.Helper()
	for _, b := range bans {
		if strings.Contains(body, b) {
			t.Errorf("body has %q but must not", b)
		}
	}
}

// section returns the part of body between the heading with id and the next
// </section>, so assertions can say where a meeting is listed.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %q", id)
	}
	rest := body[i:]
	return rest[:strings.Index(rest, "</section>")]
}

func TestHomeGroupsByDayWithLiveAndSoonFirst(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	rec := get(t, h, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, section(t, body, "now-title"), "SMART Evening", "6:00 pm")
	mustContain(t, section(t, body, "soon-title"), "Monday Night &lt;Big&gt; Book", "7:00 pm", "Starts in 30 minutes")
	mustContain(t, section(t, body, "day-0"), "Today · Monday, November 23", "/m/monday-night", "/m/smart-evening")
	mustContain(t, section(t, body, "day-1"), "Tomorrow · Tuesday, November 24",
		"3:00 am", "Tue 9:00 am Europe/Madrid time")
	mustContain(t, body,
		`<link rel="alternate" type="application/json" href="/api/meeting-guide.json" title="Meetings Feed">`,
		"Thanksgiving", `class="badge cancelled"`, `<script type="module" src="/static/js/tz.js"></script>`,
		`href="webcal://example.test/calendar/meetings.ics"`, `data-tz-known="no"`)
	mustNotContain(t, body, "<Big>", "ZgotmplZ")
	// A New York viewer sees New York meetings without a second time.
	mustNotContain(t, section(t, body, "day-0"), "America/New_York time")
}

func TestSecurityHeaders(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	for _, path := range []string{"/", "/m/monday-night", "/subscribe", "/static/css/hearth.css", "/nope"} {
		rec := get(t, h, path)
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: missing nosniff or referrer policy", path)
		}
		if !strings.Contains(csp, "connect-src 'self';") {
			t.Errorf("%s: a single node's pages connect elsewhere: %q", path, csp)
		}
	}
	// With several nodes a room page may be sent to any of them.
	h.cfg.Nodes = func() []string { return []string{"wss://node1.example.test", "ws://127.0.0.1:8081"} }
	csp := get(t, h, "/m/monday-night/join").Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self' wss://node1.example.test ws://127.0.0.1:8081;") {
		t.Errorf("join page of several nodes: CSP %q", csp)
	}
}

func TestHomeFilters(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	tests := []struct {
		name, query string
		want, ban   []string
	}{
		{"format", "?format=smart", []string{"SMART Evening", `<option value="smart" selected>`, "Clear filters"},
			[]string{"/m/monday-night", "/m/madrid-manana"}},
		{"program", "?program=NA", []string{"/m/madrid-manana"}, []string{"/m/smart-evening", "/m/monday-night"}},
		{"type", "?type=B", []string{"/m/monday-night"}, []string{"/m/smart-evening", "/m/madrid-manana"}},
		{"language", "?language=es", []string{"/m/madrid-manana"}, []string{"/m/monday-night"}},
		{"time of day in viewer zone", "?time=morning&tz=Europe/Madrid",
			[]string{"/m/madrid-manana", "9:00 am", `value="Europe/Madrid"`}, []string{"/m/monday-night", "/m/smart-evening"}},
		{"night in New York", "?time=night", []string{"/m/madrid-manana"}, []string{"/m/monday-night"}},
		{"nothing matches", "?format=faith-based", []string{"No meetings match"}, []string{"/m/"}},
		{"bad values are ignored with a notice", "?format=%3Cscript%3E&time=noon&language=1x",
			[]string{"Unknown format “&lt;script&gt;” was ignored.", "Unknown time of day", "is not a language tag",
				"/m/monday-night"}, []string{"<script>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, "/"+tt.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			mustContain(t, rec.Body.String(), tt.want...)
			mustNotContain(t, rec.Body.String(), tt.ban...)
		})
	}
}

func TestViewerTimezone(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	rec := get(t, h, "/?tz=Asia/Tokyo")
	var saved *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == tzCookie {
			saved = c
		}
	}
	if saved == nil || saved.Value != "Asia/Tokyo" {
		t.Fatalf("tz cookie not set: %v", rec.Result().Cookies())
	}
	// 19:00 New York on Monday is 09:00 Tuesday in Tokyo.
	body := get(t, h, "/", saved).Body.String()
	mustContain(t, body, `data-tz-known="yes"`, "9:00 am", "Mon 7:00 pm America/New_York time", "Times are shown in <strong>Asia/Tokyo</strong>.")
	// A cookie that is not a zone falls back to the default, never an error.
	bad := get(t, h, "/", &http.Cookie{Name: tzCookie, Value: "Mars/Olympus"})
	if bad.Code != http.StatusOK || !strings.Contains(bad.Body.String(), "Times are shown in <strong>America/New_York</strong>.") {
		t.Fatalf("bad cookie: %d", bad.Code)
	}
	if c := get(t, h, "/?tz=Local").Result().Cookies(); len(c) != 0 {
		t.Fatalf("Local must not be accepted: %v", c)
	}
}

func TestMeetingPage(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	rec := get(t, h, "/m/monday-night")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body,
		"<h1>Monday Night &lt;Big&gt; Book</h1>", `href="/m/monday-night/join"`,
		"Every Monday and Thursday at 7:00 pm (America/New_York), 1 hour",
		"Open, Big Book", "English", "Downtown Group",
		`href="https://pay.example.test/downtown"`, "Thanksgiving", "Thursday, November 26",
		`href="webcal://example.test/calendar/m/monday-night.ics"`,
		`href="https://example.test/calendar/m/monday-night.ics" download`,
		"calendar.google.com", "Bring your book.")
	next := section(t, body, "next-title")
	if n := strings.Count(next, "<li"); n != maxNextOccurrences {
		t.Errorf("%d next occurrences, want %d", n, maxNextOccurrences)
	}
	mustNotContain(t, body, "ZgotmplZ")
}

func TestMeetingPageMarksMovedAndOwnTime(t *testing.T) {
	r := sampleSchedule()
	ten := meetings.LocalTime{Hour: 10}
	r.exceptions[2] = []meetings.Exception{{ID: 11, SeriesID: 2, Date: meetings.Date{Year: 2026, Month: 12, Day: 1},
		Kind: meetings.Moved, NewStart: &ten, Reason: "Room change"}}
	h := newTestHandler(t, r)
	body := get(t, h, "/m/madrid-manana?tz=America/Los_Angeles&lang=en").Body.String()
	// 09:00 Madrid (CET) is 00:00 Los Angeles (PST) the same Tuesday.
	mustContain(t, body, "Tuesday, November 24, 12:00 am", "(Tue 9:00 am Europe/Madrid time)",
		"Tuesday, December 1, 1:00 am", "(Tue 10:00 am Europe/Madrid time)", `class="badge moved"`, "Room change")
	mustNotContain(t, body, "7th Tradition")
	// The meeting is Spanish: without a choice its page is in Spanish, with
	// CLDR's Spanish dates and 24-hour times.
	body = get(t, h, "/m/madrid-manana?tz=America/Los_Angeles", &http.Cookie{Name: tzCookie, Value: "America/Los_Angeles"}).Body.String()
	mustContain(t, body, `<html lang="es"`, "martes, 24 de noviembre, 00:00", "(mar. 09:00, hora de Europe/Madrid)",
		"Cambiada de horario", "Cada martes a las 09:00 (Europe/Madrid), 1 h 30 min", "Entrar a la reunión")
}

func TestErrors(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	if rec := get(t, h, "/m/no-such-meeting"); rec.Code != http.StatusNotFound ||
		!strings.Contains(rec.Body.String(), "could not find") {
		t.Errorf("missing meeting: %d", rec.Code)
	}
	if rec := get(t, h, "/m/"+strings.Repeat("x", 200)); rec.Code != http.StatusNotFound {
		t.Errorf("long slug: %d", rec.Code)
	}
	broken := sampleSchedule()
	broken.err = errBoom
	hb := newTestHandler(t, broken)
	for _, path := range []string{"/", "/subscribe"} {
		rec := get(t, hb, path)
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "disk on fire") {
			t.Errorf("%s: status %d, body leaks error: %v", path, rec.Code, strings.Contains(rec.Body.String(), "disk"))
		}
	}
}

func TestSubscribePage(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	body := get(t, h, "/subscribe").Body.String()
	mustContain(t, body, "<h3>12-step</h3>", "<h3>SMART</h3>", "<h3>Alcoholics Anonymous (AA)</h3>", "<h3>SMART Recovery</h3>",
		`href="webcal://example.test/calendar/meetings.ics?format=smart"`,
		`value="https://example.test/caldav/"`, "Apple Calendar", "Google Calendar", "Outlook", "Thunderbird")
	// Sizes, the warning on the one feed too big for Google, Apple's hourly refresh.
	mustContain(t, body, "4000 events, 2.4 MB <strong>(too big for Google Calendar)</strong>", "17 events, 13 kB",
		"Google Calendar may drop a feed this big", "Every hour")
	if strings.Count(body, "too big for Google") != 1 {
		t.Errorf("the too-big mark is on %d feeds, want 1", strings.Count(body, "too big for Google"))
	}
	// No feed for a format with no meetings.
	mustNotContain(t, body, "<h3>Faith-based</h3>", "ZgotmplZ")
}

func TestStatic(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	rec := get(t, h, "/static/css/hearth.css")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("css: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := get(t, h, "/static/css/"); rec.Code != http.StatusNotFound {
		t.Errorf("directory listing: %d", rec.Code)
	}
	if rec := get(t, h, "/static/js/tz.js"); !strings.Contains(rec.Header().Get("Content-Type"), "javascript") {
		t.Errorf("js type %q", rec.Header().Get("Content-Type"))
	}
	// Browsers ask for /favicon.ico on every site (issue 12, point 10).
	for _, p := range []string{"/favicon.ico", "/static/favicon.svg"} {
		if rec := get(t, h, p); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" ||
			!strings.Contains(rec.Body.String(), "<svg") {
			t.Errorf("%s: %d %q", p, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
}

func TestConfigValidate(t *testing.T) {
	cases := map[string]Config{
		"no reader": {Feeds: fakeLinks, Static: nil},
		"bad zone":  {Reader: &fakeReader{}, Feeds: fakeLinks, Static: os.DirFS("static"), DefaultZone: "Nowhere/Land"},
		"horizon":   {Reader: &fakeReader{}, Feeds: fakeLinks, Static: os.DirFS("static"), Horizon: time.Minute},
	}
	for name, c := range cases {
		if _, err := New(c, nil); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

func TestAdminPage(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	// The admin pages: the meetings and groups, a new meeting's form, and
	// each meeting's own page (issue 12, point 7).
	for path, want := range map[string][]string{
		"/admin/": {`id="token" type="password"`, `id="meeting-list"`, `href="/admin/new"`, `id="group-form"`,
			`<title>Administration · Hearth</title>`},
		"/admin/new": {`<option value="W">W: Women</option>`, `value="1"> Monday`, `id="meeting-form"`,
			`aria-labelledby="admin-title"`, `href="/admin/"`},
		"/admin/m/monday-night": {`data-slug="monday-night"`, `name="new_time"`, `id="hostkey-dialog"`,
			`aria-label="Delete meeting Monday Night &lt;Big&gt; Book"`, `aria-label="Reset host key for Monday Night &lt;Big&gt; Book"`,
			`<h1 id="admin-title" tabindex="-1">Monday Night &lt;Big&gt; Book</h1>`, `<title>Monday Night &lt;Big&gt; Book · Administration · Hearth</title>`},
	} {
		rec := get(t, h, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", path, rec.Code)
		}
		body := rec.Body.String()
		mustContain(t, body, append(want, `<script type="module" src="/static/js/admin.js"></script>`)...)
		for _, part := range strings.Split(body, `<label for="`)[1:] {
			id := part[:strings.IndexByte(part, '"')]
			if !strings.Contains(body, `id="`+id+`"`) {
				t.Errorf("%s: label for %q has no control", path, id)
			}
		}
	}
	if rec := get(t, h, "/admin/m/nope"); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown meeting's admin page: %d", rec.Code)
	}
}
