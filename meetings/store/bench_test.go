package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// fill adds n varied meetings in n/500 groups.
func fill(tb testing.TB, s *base, n int) {
	tb.Helper()
	ctx := context.Background()
	zones := []string{"America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
		"Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Africa/Johannesburg"}
	programs := []meetings.Program{"AA", "NA", "SMART Recovery", "Celebrate Recovery", "Recovery Dharma"}
	for i := 0; i < n; i++ {
		g := fmt.Sprintf("group-%d", i/500)
		if i%500 == 0 {
			if err := s.CreateGroup(ctx, testGroup(g)); err != nil {
				tb.Fatal(err)
			}
		}
		m := testSeries(fmt.Sprintf("meeting-%05d", i), g)
		m.TimeZone, m.Program = zones[i%len(zones)], programs[i%len(programs)]
		m.Start = meetings.LocalTime{Hour: 6 + i%16, Minute: (i % 4) * 15}
		m.Recurrence.Weekdays = []time.Weekday{time.Weekday(i % 7), time.Weekday((i + 3) % 7)}
		if i%10 == 0 {
			m.Recurrence = meetings.Recurrence{Freq: meetings.Monthly, Interval: 1, SetPos: 1,
				Weekdays: []time.Weekday{time.Sunday}, Start: m.Recurrence.Start}
		}
		if err := s.CreateSeries(ctx, m); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkListFiltered10k is a filtered list from the in-memory snapshot.
func BenchmarkListFiltered10k(b *testing.B) {
	s := openTest(b)
	fill(b, s.base, 10000)
	ctx := context.Background()
	mon := time.Monday
	f := meetings.Filter{Program: "NA", Day: &mon, Text: "meeting-0"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.ListMeetings(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad10k is one full read of 10,000 series from SQLite: the floor
// of what any uncached list would cost, and what the first read after a
// write pays.
func BenchmarkLoad10k(b *testing.B) {
	s := openTest(b)
	fill(b, s.base, 10000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.load(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad10kPostgres is the same full read from PostgreSQL: what each
// node pays on its first read after any node's write.
func BenchmarkLoad10kPostgres(b *testing.B) {
	s := openPostgres(b, nil)
	fill(b, s, 10000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.load(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
