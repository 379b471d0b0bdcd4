package ui

import (
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// maxNextOccurrences bounds the meeting page's list of dates.
const maxNextOccurrences = 8

type meetingData struct {
	Series    meetings.Series
	Group     meetings.Group
	HasGroup  bool
	When      string
	Program   string
	Format    string
	Types     string
	Languages string
	Next      []occurrenceView
	Feeds     Feeds
	Zones     []string
	Phone     *phoneView
	// Contributions are the group's 7th-Tradition links.
	Contributions []contributionView
}

type occurrenceView struct {
	When, StartISO, OwnTime string
	Cancelled               bool
	Reason                  string
	Badges                  []badge
}

func (h *Handler) meeting(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	slug := r.PathValue("slug")
	if len(slug) > 100 {
		h.fail(w, r, v, meetings.ErrNotFound)
		return
	}
	data, err := h.buildMeeting(w, r, &v, slug)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "meeting", page{Title: data.Series.Name, Viewer: v, Data: data})
}

// buildMeeting reads the meeting and settles the page language on it (a
// Spanish meeting's page is in Spanish unless the member chose otherwise).
func (h *Handler) buildMeeting(w http.ResponseWriter, r *http.Request, v *viewer, slug string) (*meetingData, error) {
	ctx := r.Context()
	m, err := h.cfg.Reader.Meeting(ctx, slug)
	if err != nil {
		return nil, fmt.Errorf("meeting %q: %w", slug, err)
	}
	s := m.Series
	v.Lang = h.languageOf(w, r, s.Languages)
	l := v.Lang
	programs, err := h.cfg.Reader.Programs(ctx)
	if err != nil {
		return nil, fmt.Errorf("programs: %w", err)
	}
	start := time.Date(2000, 1, 1, s.Start.Hour, s.Start.Minute, 0, 0, time.UTC)
	d := &meetingData{
		Series: s, Program: programLabelOf(l, programs, s.Program), Format: formatLabel(l, s.Format),
		Types: l.TypeNames(s.Types), Languages: l.LanguageNames(s.Languages),
		Feeds: h.cfg.Feeds(r, v.Lang.Tag).MeetingFeeds(s.Slug), Zones: commonZones(),
		When: l.T("meeting.whenText", "Rule", recurrenceText(l, s.Recurrence), "Time", l.Time(start),
			"Zone", s.TimeZone, "Duration", durationText(l, s.Duration)),
	}
	if m.Group != nil {
		d.Group, d.HasGroup = *m.Group, true
		d.Contributions = contributions(l, m.Group, false)
	}
	d.Phone = h.phoneFor(s, d.Group.ConferencePhone)
	now := h.cfg.Now()
	for _, o := range h.upcoming(&m, now, now.Add(62*24*time.Hour)) {
		if len(d.Next) == maxNextOccurrences {
			break
		}
		d.Next = append(d.Next, occurrenceOf(o, *v, s.TimeZone, now))
	}
	return d, nil
}

func occurrenceOf(o meetings.Occurrence, v viewer, zone string, now time.Time) occurrenceView {
	l := v.Lang
	local := o.Start.In(v.Loc)
	ov := occurrenceView{
		When:     l.T("date.dateTime", "Date", l.DayMonth(local), "Time", l.Time(local)),
		StartISO: o.Start.UTC().Format(isoLayout), Cancelled: o.Cancelled, Reason: o.Reason,
		Badges: badgesOf(l, o, now, o.InProgress(now), false),
	}
	if ownTime(o, v.Loc) {
		ov.OwnTime = l.T("row.ownTime", "Time", l.ShortDay(o.Start), "Zone", zone)
	}
	return ov
}
