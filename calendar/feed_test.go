package calendar

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/hearth-recovery/hearth/meetings"
)

func newTestFeed(t testing.TB) *Feed {
	t.Helper()
	f, err := NewFeed(FeedConfig{PublicURL: "https://meet.example.org",
		Now: func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func render(t testing.TB, f *Feed, entries []meetings.Meeting) string {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b, "Hearth: test", entries); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestFeedStructure(t *testing.T) {
	f := newTestFeed(t)
	entries := dstFixture()
	entries[0].Series.Notes = strings.Repeat("Ünïcode nötes, long enough to fold; ", 5)
	out := render(t, f, entries)
	for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line splits a UTF-8 sequence: %q", line)
		}
	}
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Error("bare LF in output")
	}
	cal, err := ical.NewDecoder(strings.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read the feed back: %v", err)
	}
	for _, name := range []string{"PRODID", "VERSION", "METHOD", "NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"} {
		if cal.Props.Get(name) == nil {
			t.Errorf("calendar lacks %s", name)
		}
	}
	if p := cal.Props.Get("REFRESH-INTERVAL"); p == nil || p.Params.Get("VALUE") != "DURATION" {
		t.Errorf("REFRESH-INTERVAL without VALUE=DURATION: %+v", p)
	}
	tzids := map[string]bool{}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			tzids[c.Props.Get(ical.PropTimezoneID).Value] = true
		}
	}
	var masters, overrides int
	for _, ev := range cal.Events() {
		if ev.Props.Get(ical.PropRecurrenceID) != nil {
			overrides++
		} else {
			masters++
		}
		if tz := ev.Props.Get(ical.PropDateTimeStart).Params.Get("TZID"); !tzids[tz] {
			t.Errorf("DTSTART TZID %q has no VTIMEZONE", tz)
		}
		for _, name := range []string{"UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "SUMMARY", "DESCRIPTION", "URL", "CONFERENCE", "DURATION", "CATEGORIES"} {
			if ev.Props.Get(name) == nil {
				t.Errorf("event %s lacks %s", ev.Props.Get("UID").Value, name)
			}
		}
	}
	if masters != 6 || overrides != 3 {
		t.Errorf("got %d masters and %d overrides, want 6 and 3", masters, overrides)
	}
	if strings.Contains(out, "secret-host-hash") {
		t.Error("feed leaks a host key hash")
	}
	if !strings.Contains(out, "EXDATE;TZID=America/New_York:20260309T190000") {
		t.Error("cancelled date is not an EXDATE")
	}
	if !strings.Contains(out, "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,WE;WKST=MO") {
		t.Error("fortnightly rule not emitted as stored")
	}
	if again := render(t, f, entries); again != out {
		t.Error("rendering is not deterministic")
	}
}

func TestFoldLine(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 octets
	var b bytes.Buffer
	foldLines(&b, []byte("DESCRIPTION:"+long+"\r\nX:1\r\n"))
	var rebuilt strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n") {
		if len(line) > 75 || !utf8.ValidString(line) {
			t.Fatalf("bad folded line %q", line)
		}
		if i > 0 && strings.HasPrefix(line, " ") {
			line = line[1:]
		} else if i > 0 {
			rebuilt.WriteString("\n")
		}
		rebuilt.WriteString(line)
	}
	if rebuilt.String() != "DESCRIPTION:"+long+"\nX:1" {
		t.Errorf("unfolding does not give the input back: %q", rebuilt.String())
	}
}

// TestICALJSExpansionAgrees expands the feed with Mozilla's ical.js (the
// engine of Thunderbird) and checks it yields exactly the instants Hearth's
// own expansion does, over a year that crosses every DST change of the
// fixture's zones, with cancellations, moves and notes applied.
func TestICALJSExpansionAgrees(t *testing.T) {
	script := filepath.Join("testdata", "icaljs", "expand.mjs")
	if _, err := os.Stat(filepath.Join("testdata", "icaljs", "node_modules", "ical.js")); err != nil {
		needTool(t, "ical.js (npm ci --prefix calendar/testdata/icaljs)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		needTool(t, "node")
	}
	f := newTestFeed(t)
	entries := dstFixture()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	cmd := exec.Command(node, script, from.Format(time.RFC3339), to.Format(time.RFC3339))
	cmd.Stdin = strings.NewReader(render(t, f, entries))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, stderr.String())
	}
	want := hearthInstants(f, entries, from, to)
	gotLines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(gotLines) != len(want) {
		t.Errorf("ical.js gives %d occurrences, Hearth %d", len(gotLines), len(want))
	}
	for i := 0; i < len(want) && i < len(gotLines); i++ {
		if gotLines[i] != want[i] {
			t.Fatalf("occurrence %d differs:\n ical.js %s\n hearth  %s", i, gotLines[i], want[i])
		}
	}
}

func needTool(t *testing.T, name string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI", name)
	}
	t.Skipf("%s not available", name)
}

func TestHandlerConditionalGet(t *testing.T) {
	src := &fakeSource{entries: dstFixture(), modified: testUpdated}
	h := NewHandler(newTestFeed(t), src, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path string, hdr map[string]string) *http.Response {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := get("/calendar/all.ics", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("GET all.ics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if lm := resp.Header.Get("Last-Modified"); lm != testUpdated.Format(http.TimeFormat) {
		t.Errorf("Last-Modified %q, want the newest change", lm)
	}
	etag := resp.Header.Get("ETag")
	if r := get("/calendar/all.ics", map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: got %d, want 304", r.StatusCode)
	}
	if r := get("/calendar/all.ics", map[string]string{"If-Modified-Since": testUpdated.Format(http.TimeFormat)}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: got %d, want 304", r.StatusCode)
	}
	for path, want := range map[string]int{
		"/calendar/format/12-step.ics":                   200,
		"/calendar/program/AA.ics?type=W":                200,
		"/calendar/program/GA.ics":                       404, // no meeting has it: no feed
		"/calendar/program/no%20such.ics":                404,
		"/calendar/group/home.ics?timezone=Asia/Kolkata": 200,
		"/calendar/meeting/kolkata.ics":                  200,
		"/calendar/meeting/nope.ics":                     404,
		"/calendar/weird/x.ics":                          400,
		"/calendar/format/x":                             404,
		"/calendar/all.ics?day=9":                        400,
	} {
		if r := get(path, nil); r.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, r.StatusCode, want)
		}
	}
}

func TestFilteredFeedHoldsMatchingSeries(t *testing.T) {
	src := &fakeSource{entries: dstFixture(), modified: testUpdated}
	h := NewHandler(newTestFeed(t), src, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/calendar/group/home.ics?timezone=Asia/Kolkata", nil))
	cal, err := ical.NewDecoder(rec.Body).Decode()
	if err != nil {
		t.Fatal(err)
	}
	evs := cal.Events()
	if len(evs) != 1 || evs[0].Props.Get("UID").Value != "series-4@meet.example.org" {
		t.Errorf("filtered feed holds %d events", len(evs))
	}
}

func TestSubscribeLinks(t *testing.T) {
	l, err := NewLinks("https://meet.example.org/")
	if err != nil {
		t.Fatal(err)
	}
	mon := time.Monday
	got := l.Subscribe(meetings.Filter{Format: meetings.FormatSMART, Type: "W", Day: &mon})
	if got.HTTPS != "https://meet.example.org/calendar/format/smart.ics?day=1&type=W" {
		t.Errorf("https link %q", got.HTTPS)
	}
	if got.Webcal != "webcal://meet.example.org/calendar/format/smart.ics?day=1&type=W" {
		t.Errorf("webcal link %q", got.Webcal)
	}
	// Google Calendar is reported to refuse cid=https://...: it gets webcal.
	if got.Google != "https://calendar.google.com/calendar/render?cid="+url.QueryEscape(got.Webcal) {
		t.Errorf("google link %q", got.Google)
	}
	// The link must select what the page shows: route it through the handler's parser.
	req := httptest.NewRequest(http.MethodGet, got.HTTPS, nil)
	req.SetPathValue("kind", "format")
	req.SetPathValue("name", "smart.ics")
	f, _, err := FilterFromRequest(req)
	if err != nil || f.Format != meetings.FormatSMART || f.Type != "W" || f.Day == nil || *f.Day != mon {
		t.Errorf("link parses back to %+v (%v)", f, err)
	}
}

func TestEmptyFeed(t *testing.T) {
	out := render(t, newTestFeed(t), nil)
	if strings.Contains(out, emptyMarker) || !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(out, "END:VCALENDAR\r\n") {
		t.Errorf("empty feed: %q", out)
	}
}

// TestDSTEdgeCases pins down what doc.go says about local times that do not
// exist or happen twice: Hearth follows RFC 5545 (gap: offset before the gap;
// overlap: the first), while ical.js reads a gap time an hour earlier and
// a repeated time an hour later (the second of the two).
func TestDSTEdgeCases(t *testing.T) {
	gap := weekly(7, "gap", "America/New_York", meetings.LocalTime{Hour: 2, Minute: 30}, d(2026, 3, 1), time.Sunday)
	amb := weekly(8, "amb", "America/New_York", meetings.LocalTime{Hour: 1, Minute: 30}, d(2026, 10, 25), time.Sunday)
	// Exceptions on both DST days: a morning meeting moved into the gap and
	// into the repeated hour, so the overrides' RECURRENCE-ID and DTSTART
	// meet the same edge cases as a series' own start.
	moved := weekly(9, "moved", "America/New_York", meetings.LocalTime{Hour: 10}, d(2026, 3, 1), time.Sunday)
	inGap, inRepeat := meetings.LocalTime{Hour: 2, Minute: 30}, meetings.LocalTime{Hour: 1, Minute: 30}
	moved.Exceptions = []meetings.Exception{
		{Date: d(2026, 3, 8), Kind: meetings.Moved, NewStart: &inGap, Updated: testUpdated},
		{Date: d(2026, 11, 1), Kind: meetings.Moved, NewStart: &inRepeat, Updated: testUpdated},
	}
	f := newTestFeed(t)
	entries := []meetings.Meeting{gap, amb, moved}
	cases := []struct {
		from, to       time.Time
		hearth, icaljs string
	}{
		// In the gap ical.js is an hour earlier than Hearth (and khal).
		{time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC),
			"series-7@meet.example.org 2026-03-08T07:30:00.000Z 2026-03-08T08:30:00.000Z\n" +
				"series-9@meet.example.org 2026-03-08T07:30:00.000Z 2026-03-08T08:30:00.000Z",
			"series-7@meet.example.org 2026-03-08T06:30:00.000Z 2026-03-08T07:30:00.000Z\n" +
				"series-9@meet.example.org 2026-03-08T06:30:00.000Z 2026-03-08T07:30:00.000Z"},
		// In the repeated hour ical.js takes the second, an hour later.
		{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC),
			"series-8@meet.example.org 2026-11-01T05:30:00.000Z 2026-11-01T06:30:00.000Z\n" +
				"series-9@meet.example.org 2026-11-01T05:30:00.000Z 2026-11-01T06:30:00.000Z",
			"series-8@meet.example.org 2026-11-01T06:30:00.000Z 2026-11-01T07:30:00.000Z\n" +
				"series-9@meet.example.org 2026-11-01T06:30:00.000Z 2026-11-01T07:30:00.000Z"},
	}
	for _, c := range cases {
		if got := strings.Join(hearthInstants(f, entries, c.from, c.to), "\n"); got != c.hearth {
			t.Errorf("Hearth: %s, want %s", got, c.hearth)
		}
	}
	if _, err := os.Stat(filepath.Join("testdata", "icaljs", "node_modules", "ical.js")); err != nil {
		needTool(t, "ical.js (npm ci --prefix calendar/testdata/icaljs)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		needTool(t, "node")
	}
	ics := render(t, f, entries)
	for _, c := range cases {
		cmd := exec.Command(node, filepath.Join("testdata", "icaljs", "expand.mjs"), c.from.Format(time.RFC3339), c.to.Format(time.RFC3339))
		cmd.Stdin = strings.NewReader(ics)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(out)); got != c.icaljs {
			t.Errorf("ical.js: %s, want %s (doc.go describes this difference; update it if ical.js changed)", got, c.icaljs)
		}
	}
}

// A cached render is served until the schedule's last change moves.
func TestHandlerCacheFollowsChanges(t *testing.T) {
	src := &fakeSource{entries: dstFixture(), modified: testUpdated}
	h := NewHandler(newTestFeed(t), src, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.Register(mux)
	fetch := func() (string, string) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/calendar/all.ics?type=O", nil))
		return rec.Header().Get("ETag"), rec.Body.String()
	}
	etag1, body1 := fetch()
	src.mu.Lock()
	// A rename is a change: the store stamps Updated, as Source requires.
	src.entries[0].Series.Name = "Renamed meeting"
	src.entries[0].Series.Updated = testUpdated.Add(time.Minute)
	src.mu.Unlock()
	if etag, _ := fetch(); etag != etag1 {
		t.Error("cache was bypassed although nothing reported a change")
	}
	src.mu.Lock()
	src.modified = testUpdated.Add(time.Minute)
	src.mu.Unlock()
	etag2, body2 := fetch()
	if etag2 == etag1 || !strings.Contains(body2, "Renamed meeting") || strings.Contains(body1, "Renamed meeting") {
		t.Errorf("feed not re-rendered after a change: %s -> %s", etag1, etag2)
	}
}

// TestFeedSize: the size the subscribe page shows is the size of the body a
// GET of the same link sends.
func TestFeedSize(t *testing.T) {
	src := &fakeSource{entries: dstFixture(), modified: testUpdated}
	feed := newTestFeed(t)
	h := NewHandler(feed, src, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.Register(mux)
	for _, f := range []meetings.Filter{{}, {Format: meetings.Format12Step}, {Program: "AA", Type: "O"}} {
		size, err := h.Size(context.Background(), feed.Links(), f)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, feed.Links().Subscribe(f).HTTPS, nil))
		body := rec.Body.String()
		if size.Bytes != len(body) || size.Events != strings.Count(body, "BEGIN:VEVENT") || size.Events == 0 {
			t.Errorf("%+v: size %+v, GET sent %d bytes, %d events", f, size, len(body), strings.Count(body, "BEGIN:VEVENT"))
		}
	}
}

// TestCachedRenderMatchesOneEncode: the feed and the objects assembled from
// cached VTIMEZONEs and VEVENTs are byte for byte what one go-ical encoding
// of the whole calendar gives, and a second render (from the cache) is the
// same again.
func TestCachedRenderMatchesOneEncode(t *testing.T) {
	f := newTestFeed(t)
	entries := append(dstFixture(), benchSchedule(40)...)
	want := referenceRender(t, f, "Hearth: test", entries)
	for i := 0; i < 2; i++ {
		if got := render(t, f, entries); got != want {
			t.Fatalf("render %d differs from one go-ical encoding:\n%s\n----\n%s", i, got, want)
		}
	}
	for i := range entries {
		text, etag, ok, err := f.ObjectText(&entries[i])
		cal, ok2, err2 := f.Object(&entries[i])
		if err != nil || err2 != nil || ok != ok2 || etag != f.ETag(&entries[i]) {
			t.Fatalf("%s: %v %v %v %v", entries[i].Series.Slug, err, err2, ok, ok2)
		}
		if !ok {
			continue
		}
		var b bytes.Buffer
		if err := Encode(&b, cal); err != nil {
			t.Fatal(err)
		}
		if text != b.String() {
			t.Errorf("%s: cached object differs:\n%s\n----\n%s", entries[i].Series.Slug, text, b.String())
		}
	}
}

// referenceRender is the feed as one go-ical calendar, encoded at once.
func referenceRender(t *testing.T, f *Feed, name string, entries []meetings.Meeting) string {
	t.Helper()
	cal := ical.NewCalendar()
	f.calendarProps(cal, name)
	sorted := append([]meetings.Meeting(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Series.Slug < sorted[j].Series.Slug })
	zones := map[string]*time.Location{}
	firstYear := f.cfg.Now().Year()
	for i := range sorted {
		events, err := f.Events(&sorted[i])
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 {
			continue
		}
		loc, _ := sorted[i].Location()
		zones[sorted[i].Series.TimeZone] = loc
		firstYear = min(firstYear, sorted[i].Series.Recurrence.Start.Year)
		cal.Children = append(cal.Children, events...)
	}
	cal.Children = append(f.timezones(zones, firstYear), cal.Children...)
	var b bytes.Buffer
	if err := Encode(&b, cal); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
