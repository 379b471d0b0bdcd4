package meetings

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Occurrences expands s into the occurrences that overlap [from, to): those
// that start before to and end after from. Every occurrence is computed from
// the local wall-clock time in loc (the series' zone), so a 19:00 meeting stays
// 19:00 local across DST. Cancelled occurrences are returned marked, not
// dropped; moved ones appear at their new time, kept in order of start.
//
// exs are the series' exceptions; loc must be the location of s.TimeZone.
func (s *Series) Occurrences(loc *time.Location, exs []Exception, from, to time.Time) []Occurrence {
	var out []Occurrence
	// Walk local dates wide enough to catch a meeting that started the day
	// before from and is still running (durations are at most 24 hours).
	first := DateOf(from.In(loc)).AddDays(-2)
	last := DateOf(to.In(loc)).AddDays(1)
	if first.Before(s.Recurrence.Start) {
		first = s.Recurrence.Start
	}
	if s.Recurrence.Until != nil && last.After(*s.Recurrence.Until) {
		last = *s.Recurrence.Until
	}
	for d := first; !d.After(last); d = d.AddDays(1) {
		if !s.Recurrence.OccursOn(d) {
			continue
		}
		ex := exceptionOn(exs, d)
		if ex != nil && ex.Kind == Moved {
			continue // placed below, where it moved to
		}
		o := s.occurrence(loc, d, ex)
		if o.Start.Before(to) && o.End.After(from) {
			out = append(out, o)
		}
	}
	if moved := s.movedInto(loc, exs, from, to); len(moved) > 0 {
		out = append(out, moved...)
		sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	}
	return out
}

// exceptionOn finds the exception for date d. A series has a handful of
// exceptions in any window, so a scan beats building a map per call.
func exceptionOn(exs []Exception, d Date) *Exception {
	for i := range exs {
		if exs[i].Date == d {
			return &exs[i]
		}
	}
	return nil
}

// movedInto returns moved occurrences whose new time overlaps [from, to). A
// move can cross the window's edge in either direction, so they are checked
// one by one rather than by walking dates.
func (s *Series) movedInto(loc *time.Location, exs []Exception, from, to time.Time) []Occurrence {
	var out []Occurrence
	for i := range exs {
		ex := &exs[i]
		if ex.Kind != Moved || !s.Recurrence.OccursOn(ex.Date) {
			continue
		}
		o := s.occurrence(loc, ex.Date, ex)
		if o.Start.Before(to) && o.End.After(from) {
			out = append(out, o)
		}
	}
	return out
}

// occurrence builds the occurrence originally on date d, with ex applied.
func (s *Series) occurrence(loc *time.Location, d Date, ex *Exception) Occurrence {
	o := Occurrence{SeriesID: s.ID, Slug: s.Slug, Date: d}
	day, start, length := d, s.Start, s.Duration
	if ex != nil {
		o.Reason = ex.Reason
		o.Cancelled, o.Moved = ex.Kind == Cancelled, ex.Kind == Moved
		day, start, length = ex.When(start, length)
	}
	o.Start = start.At(day, loc)
	o.End = o.Start.Add(length)
	return o
}

// Zones loads IANA locations once each. time.LoadLocation reads the tz
// database from disk on every call, which matters when expanding thousands of
// series; a Zones is safe for concurrent use and is owned by whoever expands.
type Zones struct {
	mu sync.Mutex // guards byName
	// byName caches loaded locations by IANA name.
	byName map[string]*time.Location
}

// NewZones returns an empty cache.
func NewZones() *Zones { return &Zones{byName: make(map[string]*time.Location)} }

// Load returns the location for an IANA name, or an error that says the name
// is not an IANA timezone.
func (z *Zones) Load(name string) (*time.Location, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if loc, ok := z.byName[name]; ok {
		return loc, nil
	}
	loc, err := LoadZone(name)
	if err != nil {
		return nil, err
	}
	z.byName[name] = loc
	return loc, nil
}

// LoadZone loads an IANA zone by name. Go accepts "Local" and "" (UTC) too,
// which must never be stored: a meeting's zone has to mean the same thing on
// every server.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%q is not an IANA timezone (e.g. America/New_York)", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IANA timezone (e.g. America/New_York)", name)
	}
	return loc, nil
}
