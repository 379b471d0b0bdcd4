package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// exceptionSeed changes the n-th upcoming occurrence (0 = next) of a meeting.
type exceptionSeed struct {
	slug   string
	n      int
	kind   meetings.ExceptionKind
	reason string
	// For moves: days to shift and the new local start ("" keeps it).
	shiftDays int
	newTime   string
}

var exceptions = [...]exceptionSeed{
	{"lakeshore-big-book", 1, meetings.Cancelled, "Holiday: no meeting this week", 0, ""},
	{"sunrise-daily", 3, meetings.Note, "Anniversary meeting: bring your chip", 0, ""},
	{"thames-sunday-evening", 1, meetings.Moved, "Moved an hour earlier for the group conscience", 0, "18:30"},
	{"spree-english", 2, meetings.Moved, "Moved to Wednesday this week", 1, ""},
	{"harbour-saturday", 1, meetings.Cancelled, "Public holiday", 0, ""},
	{"pacific-just-for-today", 0, meetings.Note, "Guest speaker from a neighbouring area", 0, ""},
	{"open-sky-sunday", 2, meetings.Cancelled, "Facilitators on retreat", 0, ""},
}

// addExceptions adds the demo exceptions that belong to s, placed on its
// upcoming occurrences so that they show in the next weeks.
func addExceptions(ctx context.Context, store meetings.Store, s *meetings.Series, now time.Time) error {
	m := meetings.Meeting{Series: *s}
	if _, err := m.Location(); err != nil {
		return err
	}
	upcoming := m.Occurrences(now, now.Add(8*7*24*time.Hour))
	for _, es := range exceptions {
		if es.slug != s.Slug || es.n >= len(upcoming) {
			continue
		}
		e := &meetings.Exception{Date: upcoming[es.n].Date, Kind: es.kind, Reason: es.reason}
		if es.shiftDays != 0 {
			d := e.Date.AddDays(es.shiftDays)
			e.NewDate = &d
		}
		if es.newTime != "" {
			t, err := meetings.ParseLocalTime(es.newTime)
			if err != nil {
				return fmt.Errorf("demo: %s: %w", es.slug, err)
			}
			e.NewStart = &t
		}
		if err := store.PutException(ctx, s.Slug, e); err != nil {
			return fmt.Errorf("demo: exception for %s: %w", es.slug, err)
		}
	}
	return nil
}
