package api

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// timedOccurrence is an occurrence with the meeting it belongs to; the JSON
// is built only for the page returned, since formatting dominates the cost
// of a week of 10,000 meetings.
type timedOccurrence struct {
	occ meetings.Occurrence
	m   *meetings.Meeting
}

func (t timedOccurrence) json(viewer *time.Location) OccurrenceJSON {
	return occurrenceJSON(t.m, t.occ, viewer)
}

// occurrenceTimes expands every meeting that passes f into the occurrences
// overlapping [from, to), in start order, cancelled ones included and marked.
func (s *Server) occurrenceTimes(ctx context.Context, f meetings.Filter, v viewer, from, to time.Time) ([]timedOccurrence, error) {
	all, err := s.store.ListMeetings(ctx, f)
	if err != nil {
		return nil, s.problem(err)
	}
	var out []timedOccurrence
	for i := range all {
		m := &all[i]
		loc, err := s.zones.Load(m.TimeZone)
		if err != nil {
			s.log.Warn("api: stored meeting has a bad timezone", "slug", m.Slug, "err", err)
			continue
		}
		for _, o := range m.Occurrences(loc, m.Exceptions, from, to) {
			if v.startsInWindow(o.Start) {
				out = append(out, timedOccurrence{occ: o, m: m})
			}
		}
	}
	// Ties are broken by slug so the order, and so the ETag, is stable.
	slices.SortFunc(out, func(a, b timedOccurrence) int {
		if c := a.occ.Start.Compare(b.occ.Start); c != 0 {
			return c
		}
		return strings.Compare(a.m.Slug, b.m.Slug)
	})
	return out, nil
}

// occurrencePage returns the total and the requested page as JSON.
func (s *Server) occurrencePage(ctx context.Context, f meetings.Filter, v viewer, from, to time.Time, p Page) (int, []OccurrenceJSON, error) {
	timed, err := s.occurrenceTimes(ctx, f, v, from, to)
	if err != nil {
		return 0, nil, err
	}
	pg := page(timed, p)
	out := make([]OccurrenceJSON, len(pg))
	for i, t := range pg {
		out[i] = t.json(v.loc)
	}
	return len(timed), out, nil
}
