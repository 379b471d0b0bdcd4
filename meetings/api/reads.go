package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/hearth-recovery/hearth/meetings"
)

// FilterParams are the public list filters, shared by every read. The
// fields declare and check the parameters for OpenAPI; the filter itself is
// read from the query by meetings.ParseFilter, as pages and feeds read it.
type FilterParams struct {
	Format   string `query:"format" doc:"12-step, smart, faith-based, secular or other"`
	Program  string `query:"program" doc:"AA, NA, SMART Recovery..."`
	Type     string `query:"type" doc:"Meeting Guide type code, e.g. W"`
	Language string `query:"language" doc:"BCP 47 tag, e.g. es"`
	Timezone string `query:"timezone" doc:"The meeting's own IANA timezone"`
	Group    string `query:"group" doc:"Group slug"`
	Day      int    `query:"day" default:"-1" minimum:"-1" maximum:"6" doc:"Weekday the meeting meets on, in its own zone: 0 = Sunday ... 6 = Saturday"`
	Text     string `query:"q" maxLength:"200" doc:"Words in the name, notes or group"`

	parsed meetings.Filter
}

// Resolve reads the filter from the query. A value the tags refuse is
// reported by Huma already, so problems are not reported twice.
func (p *FilterParams) Resolve(ctx huma.Context) []error {
	u := ctx.URL()
	p.parsed, _ = meetings.ParseFilter(u.Query())
	return nil
}

func (p FilterParams) filter() meetings.Filter { return p.parsed }

// ViewerParams are the viewer's timezone and an optional time-of-day window
// in it ("meetings that start between 18:00 and 21:00 my time").
type ViewerParams struct {
	TZ     string `query:"tz" default:"UTC" doc:"Viewer's IANA timezone" example:"Europe/Berlin"`
	After  string `query:"after" doc:"Only meetings starting at or after HH:MM viewer time"`
	Before string `query:"before" doc:"Only meetings starting before HH:MM viewer time (may wrap past midnight)"`
}

// viewer is the parsed ViewerParams.
type viewer struct {
	loc *time.Location
	// window is the time-of-day window; windowed is false when neither end
	// was given.
	window   meetings.Window
	windowed bool
}

func (s *Server) viewer(p ViewerParams) (viewer, error) {
	var v viewer
	loc, err := meetings.LoadZone(p.TZ)
	if err != nil {
		return v, queryProblem("tz", p.TZ, err)
	}
	v.loc = loc
	var after, before *meetings.LocalTime
	for _, q := range []struct {
		name, val string
		dst       **meetings.LocalTime
	}{{"after", p.After, &after}, {"before", p.Before, &before}} {
		if q.val == "" {
			continue
		}
		t, err := meetings.ParseLocalTime(q.val)
		if err != nil {
			return v, queryProblem(q.name, q.val, err)
		}
		*q.dst = &t
	}
	v.window, v.windowed = meetings.WindowOf(after, before), after != nil || before != nil
	return v, nil
}

// startsInWindow reports whether t, read in the viewer's zone, is inside
// the viewer's window.
func (v viewer) startsInWindow(t time.Time) bool {
	return v.window.Contains(t.In(v.loc))
}

// Page is limit/offset pagination.
type Page struct {
	Limit  int `query:"limit" default:"100" minimum:"1" maximum:"1000"`
	Offset int `query:"offset" default:"0" minimum:"0"`
}

func page[T any](items []T, p Page) []T {
	if p.Offset >= len(items) {
		return []T{}
	}
	return items[p.Offset:min(len(items), p.Offset+p.Limit)]
}

type listInput struct {
	FilterParams
	ViewerParams
	Page
	Conditional
}

// MeetingList is a page of meetings.
type MeetingList struct {
	Total    int           `json:"total" doc:"Matches before pagination"`
	Limit    int           `json:"limit"`
	Offset   int           `json:"offset"`
	Meetings []MeetingJSON `json:"meetings"`
}

type slugInput struct {
	Slug string `path:"slug" maxLength:"64"`
	Conditional
}

type occurrencesInput struct {
	FilterParams
	ViewerParams
	Page
	Conditional
	From string `query:"from" doc:"RFC 3339 start of the window (default now)"`
	To   string `query:"to" doc:"RFC 3339 end of the window (default from + 7 days; at most 31 days)"`
}

// OccurrenceList is a page of occurrences in start order.
type OccurrenceList struct {
	From        string           `json:"from"`
	To          string           `json:"to"`
	Total       int              `json:"total"`
	Limit       int              `json:"limit"`
	Offset      int              `json:"offset"`
	Occurrences []OccurrenceJSON `json:"occurrences"`
}

type nowInput struct {
	FilterParams
	ViewerParams
	Conditional
	Within int `query:"within" default:"60" minimum:"1" maximum:"1440" doc:"Minutes ahead for starting_soon"`
}

// NowList is what is on now and what starts soon.
type NowList struct {
	At           string           `json:"at"`
	InProgress   []OccurrenceJSON `json:"in_progress"`
	StartingSoon []OccurrenceJSON `json:"starting_soon"`
}

type groupsInput struct{ Conditional }

// GroupList is every group.
type GroupList struct {
	Groups []GroupJSON `json:"groups"`
}

func (s *Server) registerReads(api huma.API) {
	huma.Register(api, s.op("list-meetings", http.MethodGet, "/api/meetings", "List meetings", "meetings"), s.listMeetings)
	huma.Register(api, s.op("get-meeting", http.MethodGet, "/api/meetings/{slug}", "Get one meeting", "meetings"), s.getMeeting)
	huma.Register(api, s.op("list-occurrences", http.MethodGet, "/api/occurrences", "Occurrences in a window, in the viewer's timezone", "meetings"), s.listOccurrences)
	huma.Register(api, s.op("now", http.MethodGet, "/api/now", "Meetings in progress and starting soon", "meetings"), s.now)
	huma.Register(api, s.op("list-groups", http.MethodGet, "/api/groups", "List groups", "groups"), s.listGroups)
	huma.Register(api, s.op("get-group", http.MethodGet, "/api/groups/{slug}", "Get one group", "groups"), s.getGroup)
}

func (s *Server) listMeetings(ctx context.Context, in *listInput) (*Cached[MeetingList], error) {
	v, err := s.viewer(in.ViewerParams)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListMeetings(ctx, in.filter())
	if err != nil {
		return nil, s.problem(err)
	}
	if v.windowed {
		all = s.startingInWindow(all, v)
	}
	out := MeetingList{Total: len(all), Limit: in.Limit, Offset: in.Offset}
	for _, m := range page(all, in.Page) {
		out.Meetings = append(out.Meetings, meetingJSON(&m))
	}
	if out.Meetings == nil {
		out.Meetings = []MeetingJSON{}
	}
	return respond(in.Conditional, out)
}

// startingInWindow keeps the meetings with an occurrence in the coming week
// that starts inside the viewer's time-of-day window. A week covers every
// weekday, and reading each occurrence in the viewer's zone handles DST.
func (s *Server) startingInWindow(all []meetings.Meeting, v viewer) []meetings.Meeting {
	now := s.cfg.Now()
	var out []meetings.Meeting
	for i := range all {
		for _, o := range all[i].Occurrences(now, now.Add(7*24*time.Hour)) {
			if !o.Cancelled && v.startsInWindow(o.Start) {
				out = append(out, all[i])
				break
			}
		}
	}
	return out
}

func (s *Server) getMeeting(ctx context.Context, in *slugInput) (*Cached[MeetingJSON], error) {
	m, err := s.store.Meeting(ctx, in.Slug)
	if err != nil {
		return nil, s.problem(err)
	}
	return respond(in.Conditional, meetingJSON(&m))
}

// maxWindow bounds the occurrence window so one request stays cheap.
const maxWindow = 31 * 24 * time.Hour

func (s *Server) window(from, to string) (time.Time, time.Time, error) {
	start := s.cfg.Now()
	if from != "" {
		t, err := time.Parse(time.RFC3339, from)
		if err != nil {
			return start, start, queryProblem("from", from, fmt.Errorf("from %q is not an RFC 3339 date-time such as 2026-03-02T18:00:00Z", from))
		}
		start = t
	}
	end := start.Add(7 * 24 * time.Hour)
	if to != "" {
		t, err := time.Parse(time.RFC3339, to)
		if err != nil {
			return start, end, queryProblem("to", to, fmt.Errorf("to %q is not an RFC 3339 date-time such as 2026-03-09T18:00:00Z", to))
		}
		end = t
	}
	if !end.After(start) {
		return start, end, queryProblem("to", to, fmt.Errorf("the window ends (%s) before it starts (%s)", end.Format(time.RFC3339), start.Format(time.RFC3339)))
	}
	if end.Sub(start) > maxWindow {
		return start, end, queryProblem("to", to, fmt.Errorf("the window is %s long; the limit is 31 days", end.Sub(start).Round(time.Hour)))
	}
	return start, end, nil
}

func (s *Server) listOccurrences(ctx context.Context, in *occurrencesInput) (*Cached[OccurrenceList], error) {
	v, err := s.viewer(in.ViewerParams)
	if err != nil {
		return nil, err
	}
	from, to, err := s.window(in.From, in.To)
	if err != nil {
		return nil, err
	}
	total, occ, err := s.occurrencePage(ctx, in.filter(), v, from, to, in.Page)
	if err != nil {
		return nil, err
	}
	out := OccurrenceList{From: from.In(v.loc).Format(time.RFC3339), To: to.In(v.loc).Format(time.RFC3339),
		Total: total, Limit: in.Limit, Offset: in.Offset, Occurrences: occ}
	return respond(in.Conditional, out)
}

func (s *Server) now(ctx context.Context, in *nowInput) (*Cached[NowList], error) {
	v, err := s.viewer(in.ViewerParams)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	occ, err := s.occurrenceTimes(ctx, in.filter(), v, now, now.Add(time.Duration(in.Within)*time.Minute))
	if err != nil {
		return nil, err
	}
	out := NowList{At: now.In(v.loc).Format(time.RFC3339), InProgress: []OccurrenceJSON{}, StartingSoon: []OccurrenceJSON{}}
	for _, o := range occ {
		switch {
		case o.InProgress(now):
			out.InProgress = append(out.InProgress, slotJSON(o, v.loc))
		case o.Start.After(now):
			out.StartingSoon = append(out.StartingSoon, slotJSON(o, v.loc))
		}
	}
	return respond(in.Conditional, out)
}

func (s *Server) listGroups(ctx context.Context, in *groupsInput) (*Cached[GroupList], error) {
	gs, err := s.store.Groups(ctx)
	if err != nil {
		return nil, s.problem(err)
	}
	out := GroupList{Groups: make([]GroupJSON, len(gs))}
	for i, g := range gs {
		out.Groups[i] = groupJSON(g)
	}
	return respond(in.Conditional, out)
}

func (s *Server) getGroup(ctx context.Context, in *slugInput) (*Cached[GroupJSON], error) {
	g, err := s.store.Group(ctx, in.Slug)
	if err != nil {
		return nil, s.problem(err)
	}
	return respond(in.Conditional, groupJSON(g))
}
