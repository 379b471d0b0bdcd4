package meetings

import (
	"strings"
	"time"
)

// Filter selects series the way members browse: every set field must match.
// The same filter drives the API list, the calendar feeds and the schedule
// pages, so a feed always holds what the page that links to it shows.
type Filter struct {
	Format   Format
	Program  Program
	Type     string
	Language string
	// TimeZone is the meeting's own zone, not the viewer's.
	TimeZone  string
	GroupSlug string
	// Day is a weekday on which the series meets, in its own zone.
	Day *time.Weekday
	// Text matches name, notes or group slug, case-insensitively.
	Text string
}

// Match reports whether s passes every set field of f.
func (f Filter) Match(s *Series) bool {
	switch {
	case f.Format != "" && s.Format != f.Format,
		f.Program != "" && s.Program != f.Program,
		f.TimeZone != "" && s.TimeZone != f.TimeZone,
		f.GroupSlug != "" && s.GroupSlug != f.GroupSlug,
		f.Type != "" && !contains(s.Types, f.Type),
		f.Language != "" && !containsFold(s.Languages, f.Language),
		f.Day != nil && !s.Recurrence.hasWeekday(*f.Day),
		f.Text != "" && !matchText(s, f.Text):
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func matchText(s *Series, text string) bool {
	text = strings.ToLower(text)
	return strings.Contains(strings.ToLower(s.Name), text) ||
		strings.Contains(strings.ToLower(s.Notes), text) ||
		strings.Contains(s.GroupSlug, text)
}
