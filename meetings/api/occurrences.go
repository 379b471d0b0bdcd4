package api

import (
	"context"
	"sort"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// timedOccurrence keeps the domain occurrence beside its JSON so callers
// can still compare instants.
type timedOccurrence struct {
	occ  meetings.Occurrence
	json OccurrenceJSON
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
				out = append(out, timedOccurrence{occ: o, json: occurrenceJSON(m, o, v.loc)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].occ.Start.Before(out[j].occ.Start) })
	return out, nil
}

func (s *Server) occurrences(ctx context.Context, f meetings.Filter, v viewer, from, to time.Time) ([]OccurrenceJSON, error) {
	timed, err := s.occurrenceTimes(ctx, f, v, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]OccurrenceJSON, len(timed))
	for i, t := range timed {
		out[i] = t.json
	}
	return out, nil
}
