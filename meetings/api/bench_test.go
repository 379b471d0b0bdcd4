package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/store"
)

// benchAPI serves 10,000 meetings in 8 zones through the real handler
// stack (Huma routing, store snapshot, expansion, JSON, ETag), in process.
func benchAPI(b *testing.B) http.Handler {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(b.TempDir(), "db")}, quiet())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	zones := []string{"America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
		"Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Africa/Johannesburg"}
	programs := []meetings.Program{"AA", "NA", "SMART Recovery", "Celebrate Recovery", "Recovery Dharma"}
	for i := 0; i < 10000; i++ {
		g := fmt.Sprintf("g-%d", i/500)
		if i%500 == 0 {
			if err := st.CreateGroup(ctx, &meetings.Group{Slug: g, Name: g}); err != nil {
				b.Fatal(err)
			}
		}
		m := &meetings.Series{Slug: fmt.Sprintf("m-%05d", i), Name: fmt.Sprintf("Meeting %d", i), GroupSlug: g,
			Format: meetings.Format12Step, Program: programs[i%len(programs)], Languages: []string{"en"},
			TimeZone: zones[i%len(zones)], Start: meetings.LocalTime{Hour: 6 + i%16, Minute: (i % 4) * 15},
			Duration: time.Hour, Room: meetings.RoomSettings{MaxParticipants: 50},
			Recurrence: meetings.Recurrence{Freq: meetings.Weekly, Interval: 1,
				Weekdays: []time.Weekday{time.Weekday(i % 7), time.Weekday((i + 3) % 7)},
				Start:    meetings.Date{Year: 2026, Month: 1, Day: 5}}}
		if err := st.CreateSeries(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	admin, _ := NewAdmin(ctx, st, testToken, quiet())
	now := time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)
	s, err := New(Config{Now: func() time.Time { return now }}, st, admin, quiet())
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	return mux
}

func benchGet(b *testing.B, h http.Handler, url string) {
	b.Helper()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", url, nil)) // load the snapshot
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", url, rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkOccurrencesWeek10k expands one week of 10,000 meetings (about
// 20,000 occurrences) in the viewer's zone and returns the first page.
func BenchmarkOccurrencesWeek10k(b *testing.B) {
	benchGet(b, benchAPI(b), "/api/occurrences?tz=Europe/Berlin&from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z&limit=100")
}

// BenchmarkOccurrencesWeek10kAll returns all 20,000 occurrences of the week.
func BenchmarkOccurrencesWeek10kAll(b *testing.B) {
	benchGet(b, benchAPI(b), "/api/occurrences?tz=Europe/Berlin&from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z&limit=1000&offset=19000")
}

// BenchmarkListFiltered10k is a filtered, paginated meeting list.
func BenchmarkListFiltered10k(b *testing.B) {
	benchGet(b, benchAPI(b), "/api/meetings?program=NA&day=1&language=en&limit=100")
}
