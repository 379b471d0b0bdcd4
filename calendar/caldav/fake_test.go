package caldav

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/meetings"
)

// fakeSource is an in-memory calendar.Source, indexed by slug as the
// store's snapshot is.
type fakeSource struct {
	entries []meetings.Meeting
	bySlug  map[string]int
	// modified is what LastModified answers; zero means updated.
	modified time.Time
}

func (f *fakeSource) Schedule(_ context.Context, flt meetings.Filter) ([]meetings.Meeting, error) {
	out := make([]meetings.Meeting, 0, len(f.entries))
	for _, e := range f.entries {
		if flt.Match(&e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeSource) Meeting(_ context.Context, slug string) (meetings.Meeting, bool, error) {
	i, ok := f.bySlug[slug]
	if !ok {
		return meetings.Meeting{}, false, nil
	}
	return f.entries[i], true, nil
}

func (f *fakeSource) LastModified(context.Context) (time.Time, error) {
	if f.modified.IsZero() {
		return updated, nil
	}
	return f.modified, nil
}

var updated = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) meetings.Date { return meetings.Date{Year: y, Month: m, Day: d} }

func series(id int64, slug, zone string, format meetings.Format, start meetings.LocalTime, days ...time.Weekday) meetings.Meeting {
	return meetings.Meeting{
		Series: meetings.Series{
			ID: id, Slug: slug, Name: "Meeting " + slug, GroupSlug: "home", Format: format, Program: "AA",
			Types: []string{"O"}, TimeZone: zone, Start: start, Duration: time.Hour,
			Recurrence: meetings.Recurrence{Freq: meetings.Weekly, Interval: 1, Weekdays: days, Start: date(2026, 1, 1)},
			Room:       meetings.RoomSettings{MaxParticipants: 50}, Sequence: 1, Created: updated, Updated: updated,
		},
		Group: &meetings.Group{Slug: "home", Name: "Home Group", Updated: updated},
	}
}

// fixture: a New York evening meeting (cancelled once, moved once), a
// Berlin morning SMART Recovery meeting, and a late Tokyo meeting that runs past
// midnight so a range can fall inside an occurrence.
func fixture() []meetings.Meeting {
	ny := series(1, "ny-evening", "America/New_York", meetings.Format12Step, meetings.LocalTime{Hour: 19}, time.Monday, time.Thursday)
	later := meetings.LocalTime{Hour: 21}
	ny.Exceptions = []meetings.Exception{
		{Date: date(2026, 3, 9), Kind: meetings.Cancelled, Reason: "Holiday", Updated: updated},
		{Date: date(2026, 3, 12), Kind: meetings.Moved, NewStart: &later, Updated: updated},
	}
	berlin := series(2, "berlin-smart", "Europe/Berlin", meetings.FormatSMART, meetings.LocalTime{Hour: 8}, time.Saturday)
	berlin.Series.Program = "SMART Recovery"
	tokyo := series(3, "tokyo-late", "Asia/Tokyo", meetings.Format12Step, meetings.LocalTime{Hour: 23, Minute: 30}, time.Friday)
	return []meetings.Meeting{ny, berlin, tokyo}
}

func newServer(t testing.TB, entries []meetings.Meeting) *httptest.Server {
	t.Helper()
	return serverOn(t, newFakeSource(entries))
}

func serverOn(t testing.TB, src *fakeSource) *httptest.Server {
	t.Helper()
	feed, err := calendar.NewFeed(calendar.FeedConfig{PublicURL: "https://meet.example.org",
		Now: func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Feed: feed, Source: src}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func newFakeSource(entries []meetings.Meeting) *fakeSource {
	f := &fakeSource{entries: entries, bySlug: make(map[string]int, len(entries))}
	meetings.Attach(entries, nil, meetings.NewZones()) // as the store does
	for i := range entries {
		f.bySlug[entries[i].Series.Slug] = i
	}
	return f
}
