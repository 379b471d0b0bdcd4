package api

import (
	"context"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// slotJSON builds the JSON of one slot; it is built only for the page
// returned, since formatting dominates the cost of a week of 10,000 meetings.
func slotJSON(sl meetings.Slot, viewer *time.Location) OccurrenceJSON {
	return occurrenceJSON(sl.Meeting, sl.Occurrence, viewer)
}

// occurrenceTimes expands every meeting that passes f into the occurrences
// overlapping [from, to) that start in the viewer's window, in start order
// (ties by slug, so the order and the ETag are stable), cancelled ones
// included and marked.
func (s *Server) occurrenceTimes(ctx context.Context, f meetings.Filter, v viewer, from, to time.Time) ([]meetings.Slot, error) {
	all, err := s.store.ListMeetings(ctx, f)
	if err != nil {
		return nil, s.problem(err)
	}
	slots := meetings.Expand(all, from, to)
	out := slots[:0]
	for _, sl := range slots {
		if v.startsInWindow(sl.Start) {
			out = append(out, sl)
		}
	}
	return out, nil
}

// occurrencePage returns the total and the requested page as JSON.
func (s *Server) occurrencePage(ctx context.Context, f meetings.Filter, v viewer, from, to time.Time, p Page) (int, []OccurrenceJSON, error) {
	slots, err := s.occurrenceTimes(ctx, f, v, from, to)
	if err != nil {
		return 0, nil, err
	}
	pg := page(slots, p)
	out := make([]OccurrenceJSON, len(pg))
	for i, sl := range pg {
		out[i] = slotJSON(sl, v.loc)
	}
	return len(slots), out, nil
}
