package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// fakeReader is an in-memory schedule for handler tests.
type fakeReader struct {
	series     []meetings.Series
	exceptions map[int64][]meetings.Exception
	groups     map[string]meetings.Group
	// programs replace the default with their key or follow the defaults.
	programs []meetings.ProgramInfo
	err      error
}

func (f *fakeReader) Programs(context.Context) ([]meetings.ProgramInfo, error) {
	out := meetings.DefaultPrograms()
	for _, p := range f.programs {
		if i := slices.IndexFunc(out, func(q meetings.ProgramInfo) bool { return q.Key == p.Key }); i >= 0 {
			out[i] = p
		} else {
			out = append(out, p)
		}
	}
	return out, f.err
}

func (f *fakeReader) ListMeetings(_ context.Context, flt meetings.Filter) ([]meetings.Meeting, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []meetings.Meeting
	for i := range f.series {
		if m := f.meeting(f.series[i]); flt.Match(&m) {
			out = append(out, m)
		}
	}
	meetings.Attach(out, nil, meetings.NewZones()) // as the store does
	return out, nil
}

func (f *fakeReader) Meeting(_ context.Context, slug string) (meetings.Meeting, error) {
	for _, s := range f.series {
		if s.Slug == slug {
			return f.meeting(s), nil
		}
	}
	return meetings.Meeting{}, fmt.Errorf("series %q: %w", slug, meetings.ErrNotFound)
}

// meeting is s as the store's read model: with its exceptions and group.
func (f *fakeReader) meeting(s meetings.Series) meetings.Meeting {
	m := meetings.Meeting{Series: s, Exceptions: f.exceptions[s.ID]}
	if g, ok := f.groups[s.GroupSlug]; ok {
		m.Group = &g
	}
	return m
}

// fakeFeeds builds URLs the way a calendar package would, visibly enough
// that tests can tell which filter produced them.
type fakeFeeds struct{}

func (fakeFeeds) FilterFeeds(f meetings.Filter) Feeds {
	q := url.Values{}
	if f.Format != "" {
		q.Set("format", string(f.Format))
	}
	if f.Program != "" {
		q.Set("program", string(f.Program))
	}
	path := "example.test/calendar/meetings.ics"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return Feeds{
		Download: "https://" + path, Webcal: "webcal://" + path,
		Google: "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape("webcal://"+path),
		CalDAV: "https://example.test/caldav/",
	}
}

func (fakeFeeds) MeetingFeeds(slug string) Feeds {
	path := "example.test/calendar/m/" + slug + ".ics"
	return Feeds{Download: "https://" + path, Webcal: "webcal://" + path,
		Google: "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape("webcal://"+path)}
}

// FeedSize makes the all-meetings feed too big for Google and the others
// small.
func (fakeFeeds) FeedSize(_ context.Context, f meetings.Filter) (FeedSize, error) {
	if f == (meetings.Filter{}) {
		return FeedSize{Bytes: 2_400_000, Events: 4000}, nil
	}
	return FeedSize{Bytes: 12_345, Events: 17}, nil
}

func fakeLinks(*http.Request, string) FeedLinker { return fakeFeeds{} }

// testNow is a Monday evening in New York: 2026-11-23 18:30 EST (23:30Z).
var testNow = time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)

func weekly(days ...time.Weekday) meetings.Recurrence {
	return meetings.Recurrence{Freq: meetings.Weekly, Interval: 1, Weekdays: days,
		Start: meetings.Date{Year: 2026, Month: 1, Day: 1}}
}

// sampleSchedule has a New York meeting in progress-soon range, a Madrid
// Spanish meeting, and a cancelled occurrence with a reason.
func sampleSchedule() *fakeReader {
	return &fakeReader{
		series: []meetings.Series{
			{ID: 1, Slug: "monday-night", Name: "Monday Night <Big> Book", GroupID: 7, GroupSlug: "downtown", Format: meetings.Format12Step,
				Program: "AA", Types: []string{"O", "B"}, Languages: []string{"en"}, TimeZone: "America/New_York",
				Start: meetings.LocalTime{Hour: 19}, Duration: time.Hour, Recurrence: weekly(time.Monday, time.Thursday),
				Notes: "Bring your book.\nAll welcome."},
			{ID: 2, Slug: "madrid-manana", Name: "Mañana en Madrid", Format: meetings.Format12Step,
				Program: "NA", Types: []string{"S"}, Languages: []string{"es"}, TimeZone: "Europe/Madrid",
				Start: meetings.LocalTime{Hour: 9}, Duration: 90 * time.Minute, Recurrence: weekly(time.Tuesday)},
			{ID: 3, Slug: "smart-evening", Name: "SMART Evening", Format: meetings.FormatSMART,
				Program: "SMART Recovery", Languages: []string{"en"}, TimeZone: "America/Chicago",
				Start: meetings.LocalTime{Hour: 17}, Duration: time.Hour, Recurrence: weekly(time.Monday)},
		},
		exceptions: map[int64][]meetings.Exception{
			1: {{ID: 10, SeriesID: 1, Date: meetings.Date{Year: 2026, Month: 11, Day: 26}, Kind: meetings.Cancelled,
				Reason: "Thanksgiving"}},
		},
		groups: map[string]meetings.Group{"downtown": {ID: 7, Slug: "downtown", Name: "Downtown Group",
			TraditionURL: "https://pay.example.test/downtown"}},
	}
}

func newTestHandler(t *testing.T, r Reader) *Handler {
	t.Helper()
	h, err := New(Config{Reader: r, Feeds: fakeLinks, Static: os.DirFS("static"),
		DefaultZone: "America/New_York", Now: func() time.Time { return testNow }}, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

var errBoom = errors.New("disk on fire")
