package calendar

import (
	"context"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// Source is the read side of the schedule that feeds are built from: the
// meetings read model, each with its exceptions, group and zone.
type Source interface {
	// Schedule lists the meetings that match f.
	Schedule(ctx context.Context, f meetings.Filter) ([]meetings.Meeting, error)
	// Meeting returns one meeting by slug; ok is false when there is none.
	Meeting(ctx context.Context, slug string) (m meetings.Meeting, ok bool, err error)
	// LastModified is the time of the newest change to any series, exception
	// or group, deletions included. Feeds send it as Last-Modified.
	LastModified(ctx context.Context) (time.Time, error)
}
