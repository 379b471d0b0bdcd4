package calendar

import (
	"context"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// Entry is one series with what a feed needs to publish it.
type Entry struct {
	Series meetings.Series
	// Exceptions are the series' exceptions, in any order.
	Exceptions []meetings.Exception
	// Group is the group that holds the series.
	Group meetings.Group
}

// Source is the read side of the schedule that feeds are built from.
type Source interface {
	// Schedule lists the series that match f, with their exceptions and group.
	Schedule(ctx context.Context, f meetings.Filter) ([]Entry, error)
	// Meeting returns one series by slug; ok is false when there is none.
	Meeting(ctx context.Context, slug string) (e Entry, ok bool, err error)
	// LastModified is the time of the newest change to any series, exception
	// or group, deletions included. Feeds send it as Last-Modified.
	LastModified(ctx context.Context) (time.Time, error)
}

// LastChange is the newest Updated time among the series, its exceptions and
// its group. Sources stamp Updated on every change (the store does), and
// ETags and the render caches rely on it.
func (e *Entry) LastChange() time.Time {
	t := e.Series.Updated
	for _, ex := range e.Exceptions {
		if ex.Updated.After(t) {
			t = ex.Updated
		}
	}
	if e.Group.Updated.After(t) {
		t = e.Group.Updated
	}
	return t
}
