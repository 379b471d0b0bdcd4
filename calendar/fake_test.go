package calendar

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// fakeSource is an in-memory Source for tests.
type fakeSource struct {
	mu      sync.Mutex // guards entries and modified
	entries []meetings.Meeting
	// modified is what LastModified answers.
	modified time.Time
}

func (f *fakeSource) Schedule(_ context.Context, flt meetings.Filter) ([]meetings.Meeting, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []meetings.Meeting
	for _, e := range f.entries {
		if flt.Match(&e) {
			out = append(out, e)
		}
	}
	meetings.Attach(out, nil, meetings.NewZones()) // as the store does
	return out, nil
}

func (f *fakeSource) Meeting(_ context.Context, slug string) (meetings.Meeting, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.entries {
		if e.Series.Slug == slug {
			return e, true, nil
		}
	}
	return meetings.Meeting{}, false, nil
}

func (f *fakeSource) LastModified(context.Context) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.modified, nil
}

var testUpdated = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

func weekly(id int64, slug, zone string, start meetings.LocalTime, first meetings.Date, days ...time.Weekday) meetings.Meeting {
	return meetings.Meeting{
		Series: meetings.Series{
			ID: id, Slug: slug, Name: "Meeting " + slug, GroupID: 1, GroupSlug: "home",
			Format: meetings.Format12Step, Program: "AA", Types: []string{"O", "D"}, Languages: []string{"en"},
			TimeZone: zone, Start: start, Duration: time.Hour,
			Recurrence: meetings.Recurrence{Freq: meetings.Weekly, Interval: 1, Weekdays: days, Start: first},
			Room:       meetings.RoomSettings{MaxParticipants: 100, HostKeyHash: "secret-host-hash"},
			Sequence:   3, Created: testUpdated, Updated: testUpdated,
		},
		Group: &meetings.Group{ID: 1, Slug: "home", Name: "Home Group", Program: "AA", Updated: testUpdated},
	}
}

func d(y int, m time.Month, day int) meetings.Date { return meetings.Date{Year: y, Month: m, Day: day} }

// dstFixture is a schedule across zones whose DST changes fall at different
// times of year, with each kind of exception.
func dstFixture() []meetings.Meeting {
	ny := weekly(1, "ny-evening", "America/New_York", meetings.LocalTime{Hour: 19}, d(2025, 12, 1), time.Monday, time.Thursday)
	moved, newStart := d(2026, 3, 12), meetings.LocalTime{Hour: 20, Minute: 30}
	ny.Exceptions = []meetings.Exception{
		{Date: d(2026, 3, 9), Kind: meetings.Cancelled, Reason: "Holiday", Updated: testUpdated},
		{Date: moved, Kind: meetings.Moved, NewStart: &newStart, NewDuration: 90 * time.Minute, Reason: "Later", Updated: testUpdated},
		{Date: d(2026, 11, 2), Kind: meetings.Note, Reason: "Speaker night", Updated: testUpdated},
	}
	london := weekly(2, "london-morning", "Europe/London", meetings.LocalTime{Hour: 7, Minute: 30}, d(2026, 1, 1), time.Sunday)
	nextDay := d(2026, 3, 30)
	london.Exceptions = []meetings.Exception{{Date: d(2026, 3, 29), Kind: meetings.Moved, NewDate: &nextDay, Updated: testUpdated}}
	sydney := weekly(3, "sydney-lunch", "Australia/Sydney", meetings.LocalTime{Hour: 12, Minute: 15}, d(2026, 1, 1), time.Sunday, time.Wednesday)
	sydney.Series.Recurrence.Interval = 2
	kolkata := weekly(4, "kolkata", "Asia/Kolkata", meetings.LocalTime{Hour: 21}, d(2026, 1, 1), time.Saturday)
	chatham := weekly(5, "chatham", "Pacific/Chatham", meetings.LocalTime{Hour: 6}, d(2026, 1, 1), time.Sunday)
	until := d(2026, 12, 31)
	monthly := weekly(6, "la-monthly", "America/Los_Angeles", meetings.LocalTime{Hour: 23, Minute: 30}, d(2026, 1, 1), time.Saturday)
	monthly.Series.Recurrence = meetings.Recurrence{Freq: meetings.Monthly, Interval: 1, Weekdays: []time.Weekday{time.Saturday},
		SetPos: meetings.LastWeek, Start: d(2026, 1, 1), Until: &until}
	return []meetings.Meeting{ny, london, sydney, kolkata, chatham, monthly}
}

// hearthInstants lists the occurrences Hearth itself computes, in the same
// form as the ical.js script prints: "UID START END", sorted.
func hearthInstants(feed *Feed, entries []meetings.Meeting, from, to time.Time) []string {
	var out []string
	for _, e := range entries {
		loc, err := time.LoadLocation(e.Series.TimeZone)
		if err != nil {
			panic(err)
		}
		for _, o := range e.Series.Occurrences(loc, e.Exceptions, from, to) {
			if o.Cancelled || o.Start.Before(from) {
				continue
			}
			out = append(out, fmt.Sprintf("%s %s %s", feed.Links().UID(&e.Series),
				o.Start.UTC().Format("2006-01-02T15:04:05.000Z"), o.End.UTC().Format("2006-01-02T15:04:05.000Z")))
		}
	}
	sort.Strings(out)
	return out
}
