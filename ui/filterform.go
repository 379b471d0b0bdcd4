package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hearth-recovery/hearth/meetings"
)

// timeOfDay is a slice of the viewer's day used by the schedule filter.
type timeOfDay struct {
	Value, Label string
	// From and To are minutes after local midnight; To < From wraps midnight.
	From, To int
}

func timesOfDay() []timeOfDay {
	return []timeOfDay{
		{"morning", "Morning (5am–noon)", 5 * 60, 12 * 60},
		{"afternoon", "Afternoon (noon–5pm)", 12 * 60, 17 * 60},
		{"evening", "Evening (5pm–9pm)", 17 * 60, 21 * 60},
		{"night", "Night (9pm–5am)", 21 * 60, 5 * 60},
	}
}

func (t timeOfDay) contains(minutes int) bool {
	if t.To < t.From {
		return minutes >= t.From || minutes < t.To
	}
	return minutes >= t.From && minutes < t.To
}

// filterForm is the schedule's GET form, parsed and checked. Unknown values
// are dropped with a notice, so a bad link still shows a schedule.
type filterForm struct {
	Format   string
	Program  string
	Type     string
	Language string
	Time     string
	Notices  []string
}

const maxFilterValue = 40

func parseFilterForm(q url.Values) filterForm {
	var f filterForm
	get := func(key string) string {
		v := strings.TrimSpace(q.Get(key))
		if len(v) > maxFilterValue {
			f.Notices = append(f.Notices, fmt.Sprintf("The %s filter was too long and was ignored.", key))
			return ""
		}
		return v
	}
	if v := get("format"); v != "" {
		if slices.Contains(meetings.Formats(), meetings.Format(v)) {
			f.Format = v
		} else {
			f.Notices = append(f.Notices, fmt.Sprintf("Unknown format %q was ignored.", v))
		}
	}
	if v := get("program"); v != "" {
		if slices.Contains(meetings.Programs(), meetings.Program(v)) {
			f.Program = v
		} else {
			f.Notices = append(f.Notices, fmt.Sprintf("Unknown program %q was ignored.", v))
		}
	}
	if v := get("type"); v != "" {
		if _, ok := meetings.LookupType(v); ok {
			f.Type = v
		} else {
			f.Notices = append(f.Notices, fmt.Sprintf("Unknown meeting type %q was ignored.", v))
		}
	}
	if v := get("lang"); v != "" {
		if validLanguageTag(v) {
			f.Language = v
		} else {
			f.Notices = append(f.Notices, fmt.Sprintf("Language %q is not a language tag and was ignored.", v))
		}
	}
	if v := get("time"); v != "" {
		if _, ok := f.timeOfDay(v); ok {
			f.Time = v
		} else {
			f.Notices = append(f.Notices, fmt.Sprintf("Unknown time of day %q was ignored.", v))
		}
	}
	return f
}

func (f filterForm) timeOfDay(v string) (timeOfDay, bool) {
	for _, t := range timesOfDay() {
		if t.Value == v {
			return t, true
		}
	}
	return timeOfDay{}, false
}

// filter is the store-side part of the form (time of day is the viewer's, so
// it is applied to occurrences, not series).
func (f filterForm) filter() meetings.Filter {
	return meetings.Filter{
		Format: meetings.Format(f.Format), Program: meetings.Program(f.Program),
		Type: f.Type, Language: f.Language,
	}
}

// Active reports whether any filter is set, for the "clear filters" link.
func (f filterForm) Active() bool {
	return f.Format != "" || f.Program != "" || f.Type != "" || f.Language != "" || f.Time != ""
}

// validLanguageTag accepts the shape of a BCP 47 tag: letters, digits and
// hyphens, starting with two or three letters.
func validLanguageTag(s string) bool {
	if len(s) < 2 || len(s) > 35 {
		return false
	}
	for i, r := range s {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		switch {
		case i < 2 && !letter:
			return false
		case !letter && r != '-' && (r < '0' || r > '9'):
			return false
		}
	}
	return true
}
