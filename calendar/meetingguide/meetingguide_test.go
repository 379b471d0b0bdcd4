package meetingguide

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/meetings"
)

// memStore is an in-memory Target and calendar.Source for tests.
type memStore struct {
	mu     sync.Mutex // guards every field below
	groups map[string]meetings.Group
	series map[string]meetings.Series
	// added are programs beyond the default list.
	added  []meetings.ProgramInfo
	writes int
	nextID int64
}

func newMemStore() *memStore {
	return &memStore{groups: map[string]meetings.Group{}, series: map[string]meetings.Series{}}
}

func (m *memStore) Group(_ context.Context, slug string) (meetings.Group, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g, ok := m.groups[slug]
	return g, ok, nil
}

func (m *memStore) UpsertGroup(_ context.Context, g meetings.Group) (meetings.Group, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if g.ID == 0 {
		m.nextID++
		g.ID = m.nextID
	}
	m.groups[g.Slug] = g
	m.writes++
	return g, nil
}

func (m *memStore) Programs(context.Context) ([]meetings.ProgramInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append(meetings.DefaultPrograms(), m.added...), nil
}

func (m *memStore) CreateProgram(_ context.Context, p *meetings.ProgramInfo) error {
	if err := p.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.added = append(m.added, *p)
	m.writes++
	return nil
}

func (m *memStore) Series(_ context.Context, slug string) (meetings.Series, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.series[slug]
	return s, ok, nil
}

func (m *memStore) UpsertSeries(_ context.Context, s meetings.Series) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.ID == 0 {
		m.nextID++
		s.ID = m.nextID
	}
	s.Sequence++
	m.series[s.Slug] = s
	m.writes++
	return nil
}

func (m *memStore) Schedule(_ context.Context, f meetings.Filter) ([]meetings.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []meetings.Meeting
	for _, s := range m.series {
		if f.Match(&meetings.Meeting{Series: s}) {
			mt := meetings.Meeting{Series: s}
			if g, ok := m.groups[s.GroupSlug]; ok {
				mt.Group = &g
			}
			out = append(out, mt)
		}
	}
	return out, nil
}

func (m *memStore) Meeting(_ context.Context, slug string) (meetings.Meeting, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.series[slug]
	mt := meetings.Meeting{Series: s}
	if g, found := m.groups[s.GroupSlug]; found {
		mt.Group = &g
	}
	return mt, ok, nil
}

func (m *memStore) LastModified(context.Context) (time.Time, error) {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil
}

const sampleFeed = `[
 {"name": "Sunrise", "slug": "sunrise", "day": [1, 3, 5], "time": "07:00", "end_time": "08:00",
  "timezone": "America/Chicago", "types": ["O", "D", "ONL"], "notes": "Bring coffee",
  "conference_url": "https://zoom.us/j/1", "conference_phone": "+13125550100,,123#",
  "formatted_address": "Chicago, IL, USA", "group": "Sunrise Group", "updated": "2026-01-02 03:04:05"},
 {"name": "Numbers", "slug": 42, "day": "Saturday", "time": "19:30:00", "timezone": "Europe/Madrid", "types": "S, LIT", "group": "Grupo Madrid"},
 {"name": "Bad time", "slug": "bad-time", "day": 2, "time": "25:99", "timezone": "America/Chicago"},
 {"name": "Bad day", "slug": "bad-day", "day": 9, "time": "10:00", "timezone": "America/Chicago"},
 {"name": "No zone", "slug": "no-zone", "day": 2, "time": "10:00"},
 {"name": "Weird types", "slug": "weird-types", "day": 0, "time": "23:30", "end_time": "00:30", "timezone": "Asia/Tokyo", "types": ["XYZ", "W"]},
 {"name": "Duplicate", "slug": "sunrise", "day": 4, "time": "09:00", "timezone": "America/Chicago"},
 "not an object",
 {"slug": "no-name", "day": 1, "time": "10:00", "timezone": "America/Chicago"},
 {"name": "Appointment", "slug": "appt"}
]`

func importString(t *testing.T, st *memStore, feed string) Report {
	t.Helper()
	rep, err := Import(context.Background(), strings.NewReader(feed), st, ImportConfig{Today: meetings.Date{Year: 2026, Month: 1, Day: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestImportReportsEveryEntry(t *testing.T) {
	st := newMemStore()
	rep := importString(t, st, sampleFeed)
	if rep.Created != 3 {
		t.Errorf("created %d, want 3\n%s", rep.Created, rep)
	}
	wantSkipped := map[int]string{2: "time", 3: "day", 4: "timezone", 6: "duplicate", 7: "not a meeting", 8: "name", 9: "day is missing"}
	if len(rep.Skipped) != len(wantSkipped) {
		t.Errorf("skipped %d entries, want %d\n%s", len(rep.Skipped), len(wantSkipped), rep)
	}
	for _, p := range rep.Skipped {
		if w, ok := wantSkipped[p.Index]; !ok || !strings.Contains(p.Reason, w) {
			t.Errorf("entry %d skipped for %q, want a reason about %q", p.Index, p.Reason, w)
		}
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0].Reason, "XYZ") {
		t.Errorf("warnings %+v, want one about XYZ", rep.Warnings)
	}
	s := st.series["sunrise"]
	if len(s.Recurrence.Weekdays) != 3 || s.Start != (meetings.LocalTime{Hour: 7}) || s.Duration != time.Hour ||
		strings.Join(s.Types, ",") != "O,D" || s.Room.HostKeyHash == "" {
		t.Errorf("sunrise imported as %+v", s)
	}
	if g := st.groups["sunrise-group"]; g.Location != "Chicago, IL, USA" || g.ConferencePhone != "+13125550100,,123#" {
		t.Errorf("group imported as %+v", g)
	}
	if s := st.series["42"]; s.Recurrence.Weekdays[0] != time.Saturday || strings.Join(s.Types, ",") != "S,LIT" {
		t.Errorf("numeric slug entry imported as %+v", s)
	}
	if s := st.series["weird-types"]; s.Duration != time.Hour {
		t.Errorf("midnight-crossing duration %s, want 1h", s.Duration)
	}
	writes := st.writes
	again := importString(t, st, sampleFeed)
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 3 || st.writes != writes {
		t.Errorf("second import changed something: %s (writes %d -> %d)", again, writes, st.writes)
	}
}

func TestImportRejectsBrokenJSON(t *testing.T) {
	st := newMemStore()
	for _, feed := range []string{`[{"name": "x", "slug": "x"`, `{"name": "x"}`, ``} {
		if _, err := Import(context.Background(), strings.NewReader(feed), st, ImportConfig{}); err == nil {
			t.Errorf("feed %q imported without error", feed)
		}
	}
	if st.writes != 0 {
		t.Errorf("broken feeds wrote %d times", st.writes)
	}
}

func TestRoundTrip(t *testing.T) {
	links, err := calendar.NewLinks("https://meet.example.org")
	if err != nil {
		t.Fatal(err)
	}
	first := newMemStore()
	importString(t, first, sampleFeed)
	exportOf := func(st *memStore) []byte {
		entries, _ := st.Schedule(context.Background(), meetings.Filter{})
		out, _ := Export(entries, links, ExportOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		b, err := json.MarshalIndent(out, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	one := exportOf(first)
	second := newMemStore()
	rep := importString(t, second, string(one))
	if len(rep.Skipped) != 0 {
		t.Fatalf("re-import skipped entries:\n%s", rep)
	}
	if two := exportOf(second); !bytes.Equal(one, two) {
		t.Errorf("exports differ after a round trip:\n%s\n---\n%s", one, two)
	}
}

func TestExportShapes(t *testing.T) {
	links, _ := calendar.NewLinks("https://meet.example.org")
	st := newMemStore()
	importString(t, st, sampleFeed)
	s := st.series["sunrise"]
	s.Room.PasscodeHash = "hash-of-passcode"
	until := meetings.Date{Year: 2026, Month: 12, Day: 1}
	monthly := s
	monthly.Slug, monthly.Recurrence = "monthly", meetings.Recurrence{Freq: meetings.Monthly, Interval: 1,
		Weekdays: []time.Weekday{time.Monday}, SetPos: 1, Start: s.Recurrence.Start, Until: &until}
	exs := []meetings.Exception{{Date: meetings.Date{Year: 2026, Month: 1, Day: 7}, Kind: meetings.Cancelled, Reason: "Holiday"}}
	sunrise := st.groups["sunrise-group"]
	sunrise.TraditionURL, sunrise.Venmo, sunrise.Square, sunrise.PayPal = "https://example.org/give", "@sunrise-group", "$SunriseGroup", "SunriseGroup"
	entries := []meetings.Meeting{{Series: s, Exceptions: exs, Group: &sunrise}, {Series: monthly}}
	out, omitted := Export(entries, links, ExportOptions{SplitDays: true, Now: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
	if len(omitted) != 1 || omitted[0] != "monthly" {
		t.Errorf("omitted %v, want the monthly series", omitted)
	}
	if len(out) != 3 || out[0].Slug != "sunrise-1" || out[0].Day != 1 {
		t.Fatalf("split export %+v", out)
	}
	m := out[0]
	if m.Venmo != "@sunrise-group" || m.Square != "$SunriseGroup" || m.PayPal != "SunriseGroup" {
		t.Errorf("7th-Tradition handles %q %q %q", m.Venmo, m.Square, m.PayPal)
	}
	if m.ConferenceURL != "https://meet.example.org/m/sunrise/join" || m.ConferencePhone == "" || m.Approximate != "yes" ||
		!strings.HasSuffix(m.Notes, "Next change: 2026-01-07 cancelled: Holiday") || m.Updated != "2026-01-02 03:04:05" {
		t.Errorf("entry %+v", m)
	}
	b, _ := json.Marshal(out)
	if bytes.Contains(b, []byte("hash")) || bytes.Contains(b, []byte("ONL")) {
		t.Errorf("export leaks a secret hash or ONL: %s", b)
	}
}

func TestHandler(t *testing.T) {
	origin, _ := calendar.NewOrigin("https://meet.example.org")
	st := newMemStore()
	importString(t, st, sampleFeed)
	mux := http.NewServeMux()
	NewHandler(st, origin, slog.New(slog.DiscardHandler), nil).Register(mux)
	for path, want := range map[string]int{
		"/api/meeting-guide.json":                200,
		"/api/meeting-guide/format/12-step.json": 200,
		"/api/meeting-guide/program/AA.json":     200,
		"/api/meeting-guide/program/GA.json":     404, // no meeting has it
		"/api/meeting-guide/region/x.json":       404,
		"/api/meeting-guide/format/12-step.xml":  404,
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", path, rec.Code, want)
		}
		if want != 200 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: error is not problem JSON", path)
		}
		if want == 200 {
			var list []map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list) != 3 {
				t.Errorf("%s: %d entries (%v)", path, len(list), err)
			}
		}
	}
}

func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Write(bytes.Repeat([]byte(" "), 2048))
			return
		}
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(sampleFeed))
	}))
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second}
	body, err := Fetch(context.Background(), client, srv.URL+"/feed.json", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if rep := importString(t, newMemStore(), string(body)); rep.Created != 3 {
		t.Errorf("URL import created %d", rep.Created)
	}
	if _, err := Fetch(context.Background(), client, srv.URL+"/big", 1024); err == nil {
		t.Error("oversized feed accepted")
	}
	if _, err := Fetch(context.Background(), client, srv.URL+"/missing", 1024); err == nil {
		t.Error("404 accepted")
	}
}

func BenchmarkExport10k(b *testing.B) {
	links, _ := calendar.NewLinks("https://meet.example.org")
	zones := []string{"America/New_York", "Europe/London", "Australia/Sydney"}
	entries := make([]meetings.Meeting, 10000)
	for i := range entries {
		entries[i] = meetings.Meeting{Series: meetings.Series{
			ID: int64(i + 1), Slug: "m-" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + "-" + time.Duration(i).String(),
			Name: "Meeting", Format: meetings.Format12Step, Program: "AA", Types: []string{"O", "D"},
			TimeZone: zones[i%3], Start: meetings.LocalTime{Hour: 7 + i%12}, Duration: time.Hour,
			Recurrence: meetings.Recurrence{Freq: meetings.Weekly, Interval: 1, Weekdays: []time.Weekday{time.Weekday(i % 7)},
				Start: meetings.Date{Year: 2026, Month: 1, Day: 1}},
		}, Group: &meetings.Group{Name: "Group", Location: "Chicago, IL, USA"}}
	}
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		out, _ := Export(entries, links, ExportOptions{Now: now})
		if _, err := json.Marshal(out); err != nil {
			b.Fatal(err)
		}
	}
}

// TestImportPluginFeed imports a feed shaped like the 12 Step Meeting List
// plugin's output (its extra fields, string days, seconds in times, a
// comma-separated type list, an appointment-only entry).
func TestImportPluginFeed(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "tsml-feed.json"))
	if err != nil {
		t.Fatal(err)
	}
	st := newMemStore()
	rep := importString(t, st, string(body))
	if rep.Created != 3 || len(rep.Skipped) != 1 || rep.Skipped[0].Slug != "by-appointment" {
		t.Fatalf("report:\n%s", rep)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0].Reason, "NOPE") {
		t.Errorf("warnings %+v", rep.Warnings)
	}
	early := st.series["early-risers"]
	if early.Recurrence.Weekdays[0] != time.Monday || early.Start != (meetings.LocalTime{Hour: 6, Minute: 30}) ||
		strings.Join(early.Types, ",") != "O,D,EN" || early.Notes != "Camera optional." {
		t.Errorf("early-risers: %+v", early)
	}
	if g := st.groups["sunrise-home-group"]; g.Location != "Springfield, IL, USA" || g.ConferencePhone != "+16465588656,,1234567890#" ||
		g.Description != "Business meeting first Monday." {
		t.Errorf("group: %+v", g)
	}
	lunch := st.series["lunch-bunch"]
	if len(lunch.Recurrence.Weekdays) != 2 || lunch.Start != (meetings.LocalTime{Hour: 12}) || strings.Join(lunch.Types, ",") != "B,LIT" {
		t.Errorf("lunch-bunch: %+v", lunch)
	}
	if g := st.groups["lunch-bunch-group"]; g.Location != "Springfield, IL, US" {
		t.Errorf("atomic address not joined: %+v", g)
	}
	if late := st.series["late-night"]; late.Duration != 90*time.Minute || late.GroupSlug != "imported-meetings" {
		t.Errorf("late-night: %+v", late)
	}
}

// A feed's program this schedule lacks becomes a new program, reported in
// the summary, rather than being filed under "other"; a second import finds
// it; a name no program can have skips the entry with the reason.
func TestImportAddsUnknownProgram(t *testing.T) {
	st := newMemStore()
	feed := `[
 {"name": "Circle", "slug": "circle", "day": 1, "time": "19:00", "timezone": "America/Chicago", "hearth_program": "Recovery Circles", "hearth_format": "secular"},
 {"name": "Circle Two", "slug": "circle-two", "day": 2, "time": "19:00", "timezone": "America/Chicago", "hearth_program": "Recovery Circles"},
 {"name": "Known", "slug": "known", "day": 3, "time": "19:00", "timezone": "America/Chicago", "hearth_program": "GA"},
 {"name": "Bad", "slug": "bad", "day": 4, "time": "19:00", "timezone": "America/Chicago", "hearth_program": "a/b"}
]`
	rep := importString(t, st, feed)
	if rep.Created != 3 || len(rep.NewPrograms) != 1 || rep.NewPrograms[0].Key != "Recovery Circles" ||
		rep.NewPrograms[0].Format != meetings.FormatSecular || rep.NewPrograms[0].Slug != "recovery-circles" {
		t.Fatalf("report:\n%s", rep)
	}
	if !strings.Contains(rep.String(), `new program "Recovery Circles" (secular) added`) {
		t.Errorf("summary does not name the new program:\n%s", rep)
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].Slug != "bad" || !strings.Contains(rep.Skipped[0].Reason, "program") {
		t.Errorf("skipped %+v", rep.Skipped)
	}
	if s := st.series["circle"]; s.Program != "Recovery Circles" {
		t.Errorf("imported under %q", s.Program)
	}
	if g := st.groups["circle"]; g.Program != "" && g.Program != "Recovery Circles" {
		t.Errorf("group's program %q", g.Program)
	}
	if again := importString(t, st, feed); len(again.NewPrograms) != 0 || len(st.added) != 1 {
		t.Errorf("second import added programs again: %s", again)
	}
}
