package ui

import (
	"fmt"
	"net/http"
	"strings"
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
	OwnZone   string
	Duration  string
	Types     string
	Languages string
	Next      []occurrenceView
	Feeds     Feeds
	Zones     []string
}

type occurrenceView struct {
	Date, ViewerTime, StartISO, OwnTime string
	Cancelled, Moved, InProgress        bool
	Reason                              string
}

func (h *Handler) meeting(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	slug := r.PathValue("slug")
	if len(slug) > 100 {
		h.fail(w, r, v, meetings.ErrNotFound)
		return
	}
	data, err := h.buildMeeting(r, v, slug)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "meeting", page{Title: data.Series.Name, Viewer: v, Data: data})
}

func (h *Handler) buildMeeting(r *http.Request, v viewer, slug string) (*meetingData, error) {
	ctx := r.Context()
	m, err := h.cfg.Reader.Meeting(ctx, slug)
	if err != nil {
		return nil, fmt.Errorf("meeting %q: %w", slug, err)
	}
	s := m.Series
	d := &meetingData{
		Series: s, OwnZone: s.TimeZone, Duration: durationText(s.Duration),
		Types: meetings.TypeNames(s.Types), Languages: languageList(s.Languages),
		Feeds: h.cfg.Feeds(r).MeetingFeeds(s.Slug), Zones: commonZones(),
		When: fmt.Sprintf("%s at %s (%s)", s.Recurrence.Describe(), s.Start, s.TimeZone),
	}
	if s.GroupSlug != "" {
		g, err := h.cfg.Reader.Group(ctx, s.GroupSlug)
		switch {
		case err == nil:
			d.Group, d.HasGroup = g, true
		case !isNotFound(err):
			return nil, fmt.Errorf("group of %q: %w", slug, err)
		}
	}
	now := h.cfg.Now()
	occ, err := h.upcoming(&m, now, now.Add(62*24*time.Hour))
	if err != nil {
		return nil, err
	}
	for _, o := range occ {
		if len(d.Next) == maxNextOccurrences {
			break
		}
		d.Next = append(d.Next, occurrenceOf(o, v, now))
	}
	return d, nil
}

func occurrenceOf(o meetings.Occurrence, v viewer, now time.Time) occurrenceView {
	local := o.Start.In(v.Loc)
	ov := occurrenceView{
		Date: local.Format("Monday, January 2"), ViewerTime: local.Format(clockLayout),
		StartISO: o.Start.UTC().Format(isoLayout), Cancelled: o.Cancelled, Moved: o.Moved,
		InProgress: o.InProgress(now), Reason: o.Reason,
	}
	if own := o.Start.Format("Mon " + clockLayout); own != local.Format("Mon "+clockLayout) {
		ov.OwnTime = own
	}
	return ov
}

func durationText(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d minutes", m)
	case m == 0 && h == 1:
		return "1 hour"
	case m == 0:
		return fmt.Sprintf("%d hours", h)
	}
	return fmt.Sprintf("%dh %02dm", h, m)
}

// languageList names well-known tags in English and keeps the rest as tags.
func languageList(tags []string) string {
	names := map[string]string{
		"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
		"pt-BR": "Portuguese (Brazil)", "it": "Italian", "pl": "Polish", "ru": "Russian",
		"ja": "Japanese", "ko": "Korean", "zh": "Chinese", "ar": "Arabic", "hi": "Hindi",
		"fa": "Persian", "nl": "Dutch", "sv": "Swedish", "tl": "Tagalog", "asl": "ASL",
	}
	out := make([]string, len(tags))
	for i, t := range tags {
		if n, ok := names[t]; ok {
			out[i] = n
		} else {
			out[i] = t
		}
	}
	return strings.Join(out, ", ")
}
