package meetings

import (
	"slices"
	"strings"
	"time"
)

// Meeting is the read model of one series: the series, its exceptions, the
// group that holds it and its zone, which the store attaches once when it
// builds its snapshot. Pages, the API, the calendar feeds, CalDAV and the
// Meeting Guide export all read meetings through it, so none of them loads a
// zone or looks up a group again.
type Meeting struct {
	Series
	// Exceptions are the series' exceptions, in any order.
	Exceptions []Exception
	// Group is the group that holds the series, nil when it was not attached
	// or the series has none. Meetings of a snapshot share their group
	// (read-only), so a list of 10,000 meetings copies a pointer, not a group.
	Group *Group
	// loc is the series' zone, nil until Attach; zoneErr says why it could
	// not be loaded.
	loc     *time.Location
	zoneErr error
}

// Attach gives every meeting its group (by GroupSlug) and its zone. zones
// is the cache the zones come from, so a snapshot of 10,000 meetings loads
// each zone once.
func Attach(ms []Meeting, groups []Group, zones *Zones) {
	bySlug := make(map[string]*Group, len(groups))
	for i := range groups {
		bySlug[groups[i].Slug] = &groups[i]
	}
	for i := range ms {
		m := &ms[i]
		if g, ok := bySlug[m.GroupSlug]; ok {
			m.Group = g
		}
		m.loc, m.zoneErr = zones.Load(m.TimeZone)
	}
}

// Location is the series' zone. A meeting that was not attached loads it
// now. The zone is checked when the series is written, so an error means
// the tz database lacks a zone it had then.
func (m *Meeting) Location() (*time.Location, error) {
	if m.loc != nil || m.zoneErr != nil {
		return m.loc, m.zoneErr
	}
	return LoadZone(m.TimeZone)
}

// Occurrences are the meeting's occurrences that overlap [from, to), in order
// of start, with its exceptions applied (see Series.Occurrences). A meeting
// whose zone cannot be loaded has none.
func (m *Meeting) Occurrences(from, to time.Time) []Occurrence {
	loc, err := m.Location()
	if err != nil {
		return nil
	}
	return m.Series.Occurrences(loc, m.Exceptions, from, to)
}

// LastChange is the newest Updated time among the series, its exceptions and
// its group. The store stamps Updated on every change, and ETags and render
// caches rely on it.
func (m *Meeting) LastChange() time.Time {
	t := m.Series.Updated
	for _, ex := range m.Exceptions {
		if ex.Updated.After(t) {
			t = ex.Updated
		}
	}
	if m.Group != nil && m.Group.Updated.After(t) {
		t = m.Group.Updated
	}
	return t
}

// Slot is one occurrence together with the meeting it belongs to.
type Slot struct {
	Occurrence
	Meeting *Meeting
}

// Expand lists the occurrences of every meeting that overlap [from, to), in
// order of start; meetings that start together are in order of slug, so the
// order (and every ETag built on it) is stable. Slots point into ms.
func Expand(ms []Meeting, from, to time.Time) []Slot {
	var out []Slot
	for i := range ms {
		for _, o := range ms[i].Occurrences(from, to) {
			out = append(out, Slot{Occurrence: o, Meeting: &ms[i]})
		}
	}
	slices.SortStableFunc(out, func(a, b Slot) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Meeting.Slug, b.Meeting.Slug)
	})
	return out
}
