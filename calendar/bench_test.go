package calendar

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// benchSchedule is n weekly series spread over a few zones, one in ten with
// an exception.
func benchSchedule(n int) []meetings.Meeting {
	zones := []string{"America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Australia/Sydney", "Asia/Kolkata"}
	out := make([]meetings.Meeting, n)
	for i := range out {
		e := weekly(int64(i+1), fmt.Sprintf("meeting-%05d", i), zones[i%len(zones)],
			meetings.LocalTime{Hour: 6 + i%16, Minute: 15 * (i % 4)}, d(2025, 6, 1), time.Weekday(i%7), time.Weekday((i+3)%7))
		if i%10 == 0 {
			e.Exceptions = []meetings.Exception{{Date: d(2026, 3, 9), Kind: meetings.Note, Reason: "Speaker", Updated: testUpdated}}
		}
		out[i] = e
	}
	return out
}

// BenchmarkFullFeed10k renders 10,000 series with nothing cached: the
// first render after Hearth starts.
func BenchmarkFullFeed10k(b *testing.B) {
	entries := benchSchedule(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := newTestFeed(b).Write(io.Discard, "all", entries); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFullFeed10kAfterChange is the first render after one series
// changed: the others' VEVENTs come from the cache.
func BenchmarkFullFeed10kAfterChange(b *testing.B) {
	f := newTestFeed(b)
	entries := benchSchedule(10000)
	if err := f.Write(io.Discard, "all", entries); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e := &entries[(i*37)%len(entries)]
		e.Series.Updated = e.Series.Updated.Add(time.Second)
		e.Series.Name = fmt.Sprintf("Renamed %d", i)
		i++
		if err := f.Write(io.Discard, "all", entries); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFeedHandler10k is a subscriber's poll of the full feed: the first
// request renders, later ones (same schedule) are served from the cache, and
// a conditional one answers 304.
func BenchmarkFeedHandler10k(b *testing.B) {
	src := &fakeSource{entries: benchSchedule(10000), modified: testUpdated}
	h := NewHandler(newTestFeed(b), src, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/calendar/all.ics", nil))
	etag := rec.Header().Get("ETag")
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/calendar/all.ics", nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
