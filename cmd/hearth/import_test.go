package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

const importFeed = `[
 {"name": "Sunrise", "slug": "sunrise", "day": [1, 3], "time": "07:00", "end_time": "08:00",
  "timezone": "America/Chicago", "types": ["O", "ONL"], "conference_phone": "+13125550100",
  "formatted_address": "Chicago, IL, USA", "group": "Sunrise Group"},
 {"name": "Bad", "slug": "bad", "day": 1, "time": "7pm", "timezone": "America/Chicago"},
 {"name": "Dup", "slug": "sunrise", "day": 2, "time": "09:00", "timezone": "America/Chicago"}
]`

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, env{getenv: envOf(), stdout: &out, stderr: io.Discard})
	return out.String(), err
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	if err := os.WriteFile(feed, []byte(importFeed), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, "import", "meeting-guide", "--data", dir, feed)
	if err != nil || !strings.Contains(out, "1 created, 0 updated, 0 unchanged, 2 skipped") ||
		!strings.Contains(out, "skipped entry 1 (bad): time") || !strings.Contains(out, "duplicate slug") ||
		!strings.Contains(out, "host key") {
		t.Fatalf("first import: %v\n%s", err, out)
	}
	out, err = runCmd(t, "import", "meeting-guide", "--data", dir, feed)
	if err != nil || !strings.Contains(out, "0 created, 0 updated, 1 unchanged") {
		t.Fatalf("second import is not a no-op: %v\n%s", err, out)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(importFeed)) }))
	defer srv.Close()
	out, err = runCmd(t, "import", "meeting-guide", "--data", t.TempDir(), srv.URL+"/feed.json")
	if err != nil || !strings.Contains(out, "1 created") {
		t.Fatalf("URL import: %v\n%s", err, out)
	}
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`[{"name": "x"`), 0o600)
	if _, err := runCmd(t, "import", "meeting-guide", "--data", dir, broken); err == nil {
		t.Error("broken JSON imported without error")
	}
	if _, err := runCmd(t, "import", "ical", feed); err == nil {
		t.Error("unknown import format accepted")
	}
}

func appAt(t *testing.T, dir string, demo bool) *httptest.Server {
	t.Helper()
	cfg := serveConfig{DataDir: dir, Demo: demo, AdminToken: "a-test-admin-token-123", LogFormat: "text",
		LogLevel: "info", PublicURL: "https://meet.example.org", RTC: rtcConfig{LoopbackOnly: true}}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a))
	t.Cleanup(func() { srv.Close(); a.close() })
	return srv
}

func TestCalendarRoutes(t *testing.T) {
	srv := appAt(t, t.TempDir(), true)
	for path, says := range map[string]string{
		"/calendar/all.ics":                  "BEGIN:VTIMEZONE",
		"/calendar/format/smart.ics":         "X-WR-CALNAME:Hearth: smart meetings",
		"/api/meeting-guide.json":            `"conference_url":"https://meet.example.org/m/`,
		"/api/meeting-guide/program/AA.json": `"hearth_program":"AA"`,
	} {
		if code, body := get(t, srv.URL+path); code != 200 || !strings.Contains(body, says) {
			t.Errorf("%s: %d, want 200 with %q: %.200s", path, code, says, body)
		}
	}
	req, _ := http.NewRequest("PROPFIND", srv.URL+"/dav/public/calendars/", strings.NewReader(
		`<d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>`))
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("Depth", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		t.Errorf("PROPFIND home set: %d", resp.StatusCode)
	}
}

// TestMeetingGuideRoundTrip exports the demo schedule, imports it into a
// fresh database and exports again. The exports must agree except for
// "updated" (the new database stamps its own write times) and the
// next-change line in notes (exceptions are not part of the format).
func TestMeetingGuideRoundTrip(t *testing.T) {
	_, first := get(t, appAt(t, t.TempDir(), true).URL+"/api/meeting-guide.json")
	dir := t.TempDir()
	feed := filepath.Join(dir, "export.json")
	if err := os.WriteFile(feed, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, "import", "meeting-guide", "--data", dir, feed)
	if err != nil || strings.Contains(out, "skipped entry") {
		t.Fatalf("import of an export: %v\n%s", err, out)
	}
	_, second := get(t, appAt(t, dir, false).URL+"/api/meeting-guide.json")
	a, b := normalize(t, first), normalize(t, second)
	if len(a) < 10 {
		t.Fatalf("the demo export has only %d entries", len(a))
	}
	if a != b {
		t.Errorf("exports differ after a round trip:\n%s\n---\n%s", a, b)
	}
}

var nextChange = regexp.MustCompile(`(\n\n)?Next change: [^\n]*$`)

func normalize(t *testing.T, body string) string {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	for _, m := range list {
		delete(m, "updated")
		if n, ok := m["notes"].(string); ok {
			if n = nextChange.ReplaceAllString(n, ""); n == "" {
				delete(m, "notes")
			} else {
				m["notes"] = n
			}
		}
	}
	b, _ := json.MarshalIndent(list, "", " ")
	return string(b)
}

// Without --public-url, feed links follow the request's host.
func TestCalendarLinksFromRequest(t *testing.T) {
	srv := testApp(t, true)
	code, body := get(t, srv.URL+"/api/meeting-guide.json")
	if code != 200 || !strings.Contains(body, `"url":"`+srv.URL+`/m/`) {
		t.Errorf("export links do not follow the request host: %d %.300s", code, body)
	}
	if code, _ := get(t, srv.URL+"/calendar/all.ics"); code != 200 {
		t.Errorf("feed without a public URL: %d", code)
	}
}

// A feed file is read through the size limit, so a pipe or a device that
// never ends is refused instead of filling memory (issue 10, point 4).
func TestImportReadsThroughLimit(t *testing.T) {
	const limit = 1 << 20
	if _, err := readFeed(context.Background(), "/dev/zero", 0, limit); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("/dev/zero: %v, want a size error", err)
	}
	fifo := filepath.Join(t.TempDir(), "feed.pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	writeErr := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			writeErr <- err
			return
		}
		defer w.Close()
		chunk := make([]byte, 64<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				writeErr <- nil // the reader stopped at the limit and closed
				return
			}
		}
	}()
	if _, err := readFeed(context.Background(), fifo, 0, limit); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("pipe: %v, want a size error", err)
	}
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(t.TempDir(), "feed.json")
	os.WriteFile(small, []byte(importFeed), 0o600)
	if body, err := readFeed(context.Background(), small, 0, int64(len(importFeed))); err != nil || string(body) != importFeed {
		t.Fatalf("a feed exactly at the limit: %v", err)
	}
}

// Importing into a data directory that does not exist yet creates it, as
// serve does (issue 10, point 9).
func TestImportCreatesDataDir(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	os.WriteFile(feed, []byte(importFeed), 0o600)
	data := filepath.Join(dir, "new", "data")
	out, err := runCmd(t, "import", "meeting-guide", "--data", data, feed)
	if err != nil || !strings.Contains(out, "1 created") {
		t.Fatalf("import into a new data directory: %v\n%s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(data, "hearth.db")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("no database in the new data directory: %v", err)
	}
	if fi, _ := os.Stat(data); fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, want 0700", fi.Mode().Perm())
	}
}

// A feed's unknown program becomes a program of the schedule: the import
// says so, the API lists it, and its feed and filter follow its meeting.
func TestImportCommandAddsProgram(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	os.WriteFile(feed, []byte(`[{"name": "Circle", "slug": "circle", "day": 1, "time": "19:00",
		"timezone": "America/Chicago", "hearth_program": "Recovery Circles", "hearth_format": "secular"}]`), 0o600)
	out, err := runCmd(t, "import", "meeting-guide", "--data", dir, feed)
	if err != nil || !strings.Contains(out, "1 created") || !strings.Contains(out, `new program "Recovery Circles" (secular) added`) {
		t.Fatalf("import: %v\n%s", err, out)
	}
	srv := appAt(t, dir, false)
	if code, body := get(t, srv.URL+"/api/programs"); code != 200 || !strings.Contains(body, `"key":"Recovery Circles"`) {
		t.Fatalf("programs after import: %d", code)
	}
	if code, body := get(t, srv.URL+"/calendar/program/Recovery%20Circles.ics"); code != 200 || !strings.Contains(body, "SUMMARY:Circle") {
		t.Fatalf("the new program's feed: %d", code)
	}
	if code, body := get(t, srv.URL+"/"); code != 200 || !strings.Contains(body, `<option value="Recovery Circles">Recovery Circles</option>`) {
		t.Fatalf("the schedule's filter lacks the new program: %d", code)
	}
}
