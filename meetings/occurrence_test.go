package meetings

import (
	"testing"
	"time"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func date(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func weekly(start string, days ...time.Weekday) Recurrence {
	return Recurrence{Freq: Weekly, Interval: 1, Weekdays: days, Start: date(start)}
}

func series(zone string, at LocalTime, r Recurrence) *Series {
	return &Series{ID: 1, Slug: "s", Name: "S", TimeZone: zone, Start: at, Duration: time.Hour, Recurrence: r}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func starts(occs []Occurrence) []string {
	out := make([]string, len(occs))
	for i, o := range occs {
		out[i] = o.Start.UTC().Format(time.RFC3339)
	}
	return out
}

func equal(t *testing.T, got []Occurrence, want ...string) {
	t.Helper()
	g := starts(got)
	if len(g) != len(want) {
		t.Fatalf("got %d occurrences %v, want %v", len(g), g, want)
	}
	for i := range want {
		if g[i] != want[i] {
			t.Fatalf("occurrence %d: got %s, want %s (all: %v)", i, g[i], want[i], g)
		}
	}
}

// A 19:00 meeting stays 19:00 local on both sides of each zone's DST change,
// so its UTC instant moves by an hour, in both hemispheres.
func TestDSTBothHemispheres(t *testing.T) {
	cases := []struct {
		name, zone, first string
		day               time.Weekday
		from, to          string
		want              []string
	}{
		{"New York spring forward 2026-03-08", "America/New_York", "2026-01-05", time.Sunday,
			"2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z",
			[]string{"2026-03-02T00:00:00Z", "2026-03-08T23:00:00Z", "2026-03-15T23:00:00Z"}},
		{"New York fall back 2026-11-01", "America/New_York", "2026-01-05", time.Sunday,
			"2026-10-25T00:00:00Z", "2026-11-09T00:00:00Z",
			[]string{"2026-10-25T23:00:00Z", "2026-11-02T00:00:00Z"}}, // the 8th starts exactly at `to`
		{"London spring forward 2026-03-29", "Europe/London", "2026-01-05", time.Sunday,
			"2026-03-22T00:00:00Z", "2026-04-06T00:00:00Z",
			[]string{"2026-03-22T19:00:00Z", "2026-03-29T18:00:00Z", "2026-04-05T18:00:00Z"}},
		{"London fall back 2026-10-25", "Europe/London", "2026-01-05", time.Sunday,
			"2026-10-18T00:00:00Z", "2026-11-02T00:00:00Z",
			[]string{"2026-10-18T18:00:00Z", "2026-10-25T19:00:00Z", "2026-11-01T19:00:00Z"}},
		// Sydney: summer time ends 2026-04-05, starts 2026-10-04 (southern hemisphere).
		{"Sydney DST ends 2026-04-05", "Australia/Sydney", "2026-01-05", time.Sunday,
			"2026-03-28T00:00:00Z", "2026-04-13T00:00:00Z",
			[]string{"2026-03-29T08:00:00Z", "2026-04-05T09:00:00Z", "2026-04-12T09:00:00Z"}},
		{"Sydney DST starts 2026-10-04", "Australia/Sydney", "2026-01-05", time.Sunday,
			"2026-09-26T00:00:00Z", "2026-10-12T00:00:00Z",
			[]string{"2026-09-27T09:00:00Z", "2026-10-04T08:00:00Z", "2026-10-11T08:00:00Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc := mustZone(t, c.zone)
			s := series(c.zone, LocalTime{19, 0}, weekly(c.first, c.day))
			got := s.Occurrences(loc, nil, utc(c.from), utc(c.to))
			equal(t, got, c.want...)
			for _, o := range got {
				if o.Start.Hour() != 19 || o.Start.Location() != loc {
					t.Fatalf("occurrence %s is not 19:00 in %s", o.Start, c.zone)
				}
			}
		})
	}
}

// A Monday 19:00 Los Angeles meeting is on Tuesday for a viewer in Berlin.
func TestWeekdayInViewerZone(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	berlin := mustZone(t, "Europe/Berlin")
	s := series("America/Los_Angeles", LocalTime{19, 0}, weekly("2026-01-05", time.Monday))
	got := s.Occurrences(la, nil, utc("2026-06-01T00:00:00Z"), utc("2026-06-08T00:00:00Z"))
	if len(got) != 1 {
		t.Fatalf("got %d occurrences, want 1", len(got))
	}
	local, viewer := got[0].Start, got[0].Start.In(berlin)
	if local.Weekday() != time.Monday || local.Hour() != 19 {
		t.Fatalf("local start %s, want Monday 19:00", local)
	}
	if viewer.Weekday() != time.Tuesday || viewer.Hour() != 4 {
		t.Fatalf("viewer start %s, want Tuesday 04:00 in Berlin", viewer)
	}
}

func TestMonthlyLastFriday(t *testing.T) {
	loc := mustZone(t, "America/Chicago")
	r := Recurrence{Freq: Monthly, Interval: 1, Weekdays: []time.Weekday{time.Friday}, SetPos: LastWeek, Start: date("2026-01-01")}
	s := series("America/Chicago", LocalTime{18, 30}, r)
	got := s.Occurrences(loc, nil, utc("2026-01-01T00:00:00Z"), utc("2026-06-01T00:00:00Z"))
	var dates []string
	for _, o := range got {
		dates = append(dates, o.Date.String())
	}
	want := []string{"2026-01-30", "2026-02-27", "2026-03-27", "2026-04-24", "2026-05-29"}
	if len(dates) != len(want) {
		t.Fatalf("got %v, want %v", dates, want)
	}
	for i := range want {
		if dates[i] != want[i] {
			t.Fatalf("got %v, want %v", dates, want)
		}
	}
}

func TestMonthlyFirstSundayAndMissingFifth(t *testing.T) {
	r := Recurrence{Freq: Monthly, Interval: 1, Weekdays: []time.Weekday{time.Sunday}, SetPos: 1, Start: date("2026-01-01")}
	for _, d := range []string{"2026-01-04", "2026-02-01", "2026-03-01", "2026-11-01"} {
		if !r.OccursOn(date(d)) {
			t.Errorf("first Sunday rule misses %s", d)
		}
	}
	if r.OccursOn(date("2026-01-11")) {
		t.Error("first Sunday rule matches the second Sunday")
	}
	if got := nthWeekday(2026, time.February, time.Monday, 5); !got.IsZero() {
		t.Errorf("February 2026 has no fifth Monday, got %s", got)
	}
}

func TestEveryTwoWeeks(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	r := weekly("2026-01-07", time.Wednesday, time.Friday) // starts on a Wednesday
	r.Interval = 2
	s := series("Europe/Berlin", LocalTime{20, 0}, r)
	got := s.Occurrences(loc, nil, utc("2026-01-01T00:00:00Z"), utc("2026-02-01T00:00:00Z"))
	want := []string{"2026-01-07", "2026-01-09", "2026-01-21", "2026-01-23"}
	if len(got) != len(want) {
		t.Fatalf("got %v", starts(got))
	}
	for i, o := range got {
		if o.Date.String() != want[i] {
			t.Fatalf("occurrence %d on %s, want %s", i, o.Date, want[i])
		}
	}
	if rr := r.RRule(s.Start, loc); rr != "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,FR;WKST=MO" {
		t.Fatalf("RRULE %q", rr)
	}
}

func TestExceptionsCancelMoveNote(t *testing.T) {
	loc := mustZone(t, "America/New_York")
	s := series("America/New_York", LocalTime{19, 0}, weekly("2026-01-05", time.Thursday))
	newDate, newStart := date("2026-11-27"), LocalTime{10, 0}
	exs := []Exception{
		{Date: date("2026-11-26"), Kind: Moved, Reason: "Thanksgiving: Friday morning instead", NewDate: &newDate, NewStart: &newStart, NewDuration: 90 * time.Minute},
		{Date: date("2026-12-24"), Kind: Cancelled, Reason: "Holiday"},
		{Date: date("2026-12-17"), Kind: Note, Reason: "Speaker meeting"},
	}
	got := s.Occurrences(loc, exs, utc("2026-11-21T00:00:00Z"), utc("2027-01-01T00:00:00Z"))
	if len(got) != 5 {
		t.Fatalf("got %d occurrences %v, want 5 (cancelled ones stay, marked; Dec 31 starts at the window end)", len(got), starts(got))
	}
	moved := got[0]
	if !moved.Moved || moved.Date != date("2026-11-26") || moved.Start.Format("2006-01-02 15:04") != "2026-11-27 10:00" ||
		moved.End.Sub(moved.Start) != 90*time.Minute {
		t.Fatalf("moved occurrence wrong: %+v", moved)
	}
	byDate := map[Date]Occurrence{}
	for _, o := range got {
		byDate[o.Date] = o
	}
	if c := byDate[date("2026-12-24")]; !c.Cancelled || c.Reason != "Holiday" || c.InProgress(c.Start) {
		t.Fatalf("cancelled occurrence wrong: %+v", c)
	}
	if n := byDate[date("2026-12-17")]; n.Cancelled || n.Moved || n.Reason != "Speaker meeting" {
		t.Fatalf("note occurrence wrong: %+v", n)
	}
}

// A move across the window edge: the original date is outside the window but
// the new time is inside, and the other way round.
func TestMovedAcrossWindow(t *testing.T) {
	loc := mustZone(t, "UTC")
	s := series("UTC", LocalTime{12, 0}, weekly("2026-01-05", time.Monday))
	to := date("2026-03-03")
	exs := []Exception{{Date: date("2026-03-02"), Kind: Moved, NewDate: &to}}
	got := s.Occurrences(loc, exs, utc("2026-03-03T00:00:00Z"), utc("2026-03-04T00:00:00Z"))
	equal(t, got, "2026-03-03T12:00:00Z")
	got = s.Occurrences(loc, exs, utc("2026-03-02T00:00:00Z"), utc("2026-03-03T00:00:00Z"))
	equal(t, got)
}

// The RFC 5545 rule for times that do not exist or happen twice.
func TestDSTGapAndOverlap(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	gap := LocalTime{2, 30}.At(date("2026-03-08"), ny)
	if got := gap.UTC().Format(time.RFC3339); got != "2026-03-08T07:30:00Z" {
		t.Errorf("02:30 on spring-forward day = %s, want 07:30Z (offset before the gap)", got)
	}
	twice := LocalTime{1, 30}.At(date("2026-11-01"), ny)
	if got := twice.UTC().Format(time.RFC3339); got != "2026-11-01T05:30:00Z" {
		t.Errorf("01:30 on fall-back day = %s, want 05:30Z (the first)", got)
	}
	// Zones that change at midnight: Santiago skips 00:00-01:00 on 2026-09-06.
	scl := mustZone(t, "America/Santiago")
	mid := LocalTime{0, 15}.At(date("2026-09-06"), scl)
	if got := mid.UTC().Format(time.RFC3339); got != "2026-09-06T04:15:00Z" {
		t.Errorf("00:15 in Santiago's gap = %s, want 04:15Z", got)
	}
}

func TestInProgressEdges(t *testing.T) {
	loc := mustZone(t, "UTC")
	s := series("UTC", LocalTime{12, 0}, weekly("2026-01-05", time.Monday))
	o := s.Occurrences(loc, nil, utc("2026-01-05T00:00:00Z"), utc("2026-01-06T00:00:00Z"))[0]
	for _, c := range []struct {
		at   string
		want bool
	}{{"2026-01-05T11:59:59Z", false}, {"2026-01-05T12:00:00Z", true}, {"2026-01-05T12:59:59Z", true}, {"2026-01-05T13:00:00Z", false}} {
		if got := o.InProgress(utc(c.at)); got != c.want {
			t.Errorf("InProgress(%s) = %v, want %v", c.at, got, c.want)
		}
	}
	// An occurrence that overlaps the window's start is included; one that ends exactly at it is not.
	equal(t, s.Occurrences(loc, nil, utc("2026-01-05T12:30:00Z"), utc("2026-01-05T12:31:00Z")), "2026-01-05T12:00:00Z")
	equal(t, s.Occurrences(loc, nil, utc("2026-01-05T13:00:00Z"), utc("2026-01-05T14:00:00Z")))
}

func TestUntilAndFirstDate(t *testing.T) {
	loc := mustZone(t, "America/New_York")
	until := date("2026-02-28")
	r := weekly("2026-01-01", time.Tuesday) // Jan 1 2026 is a Thursday
	r.Until = &until
	first, ok := r.FirstDate()
	if !ok || first != date("2026-01-06") {
		t.Fatalf("FirstDate = %s %v, want 2026-01-06", first, ok)
	}
	s := series("America/New_York", LocalTime{19, 0}, r)
	got := s.Occurrences(loc, nil, utc("2026-01-01T00:00:00Z"), utc("2026-12-31T00:00:00Z"))
	if len(got) != 8 || got[7].Date != date("2026-02-24") {
		t.Fatalf("got %v, want 8 Tuesdays ending 2026-02-24", starts(got))
	}
	if rr := r.RRule(s.Start, loc); rr != "FREQ=WEEKLY;UNTIL=20260301T000000Z;BYDAY=TU" {
		t.Fatalf("RRULE %q", rr)
	}
}

func TestMonthlyRRuleAndDescribe(t *testing.T) {
	r := Recurrence{Freq: Monthly, Interval: 1, Weekdays: []time.Weekday{time.Sunday}, SetPos: 1, Start: date("2026-01-01")}
	if got := r.RRule(LocalTime{9, 0}, time.UTC); got != "FREQ=MONTHLY;BYDAY=1SU" {
		t.Errorf("RRULE %q", got)
	}
	if got := r.Describe(); got != "First Sunday of the month" {
		t.Errorf("Describe %q", got)
	}
	r.SetPos = LastWeek
	r.Weekdays = []time.Weekday{time.Friday}
	if got := r.RRule(LocalTime{9, 0}, time.UTC); got != "FREQ=MONTHLY;BYDAY=-1FR" {
		t.Errorf("RRULE %q", got)
	}
	w := weekly("2026-01-01", time.Monday, time.Wednesday, time.Friday)
	if got := w.Describe(); got != "Every Monday, Wednesday and Friday" {
		t.Errorf("Describe %q", got)
	}
}

func BenchmarkOccurrencesWeek10k(b *testing.B) {
	zones := NewZones()
	names := []string{"America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "America/Los_Angeles"}
	all := make([]*Series, 10000)
	for i := range all {
		r := weekly("2025-01-06", time.Weekday(i%7), time.Weekday((i+3)%7))
		if i%10 == 0 {
			r = Recurrence{Freq: Monthly, Interval: 1, Weekdays: []time.Weekday{time.Sunday}, SetPos: 1, Start: date("2025-01-01")}
		}
		all[i] = series(names[i%len(names)], LocalTime{i % 24, (i * 7) % 60}, r)
	}
	from := utc("2026-03-02T00:00:00Z")
	to := from.AddDate(0, 0, 7)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, s := range all {
			loc, err := zones.Load(s.TimeZone)
			if err != nil {
				b.Fatal(err)
			}
			n += len(s.Occurrences(loc, nil, from, to))
		}
		if n == 0 {
			b.Fatal("no occurrences")
		}
	}
}
