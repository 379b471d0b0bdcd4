package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// bigSchedule is n weekly series spread over zones, days and hours.
func bigSchedule(n int) *fakeReader {
	zones := []string{"America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin",
		"Australia/Sydney", "Asia/Kolkata", "Africa/Johannesburg"}
	r := &fakeReader{exceptions: map[int64][]meetings.Exception{}, groups: map[string]meetings.Group{}}
	for i := range n {
		r.series = append(r.series, meetings.Series{
			ID: int64(i + 1), Slug: fmt.Sprintf("m-%d", i), Name: fmt.Sprintf("Meeting %d", i),
			Format: meetings.Formats()[i%5], Program: meetings.DefaultPrograms()[i%13].Key, Types: []string{"O"},
			Languages: []string{"en"}, TimeZone: zones[i%len(zones)],
			Start: meetings.LocalTime{Hour: i % 24, Minute: (i * 15) % 60}, Duration: time.Hour,
			Recurrence: weekly(time.Weekday(i%7), time.Weekday((i+3)%7)),
		})
	}
	return r
}

// BenchmarkHome renders the home page over 1,000 series (about 2,000
// occurrences in the week), unfiltered and filtered to one program.
func BenchmarkHome(b *testing.B) {
	h, err := New(Config{Reader: bigSchedule(1000), Feeds: fakeLinks, Static: os.DirFS("static"),
		Now: func() time.Time { return testNow }}, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"/", "/?program=NA&time=evening"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, q, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
