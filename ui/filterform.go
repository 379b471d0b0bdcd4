package ui

import (
	"net/url"
	"slices"
	"strings"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// timeOfDay is a slice of the viewer's day used by the schedule filter.
type timeOfDay struct {
	Value string
	// From and To are minutes after local midnight; To < From wraps midnight.
	From, To int
}

func timesOfDay() []timeOfDay {
	return []timeOfDay{
		{"morning", 5 * 60, 12 * 60},
		{"afternoon", 12 * 60, 17 * 60},
		{"evening", 17 * 60, 21 * 60},
		{"night", 21 * 60, 5 * 60},
	}
}

// timeOptions labels the slices with the locale's clock ("Morning (5:00–12:00)").
func timeOptions(l *i18n.Lang) []option {
	var out []option
	for _, t := range timesOfDay() {
		out = append(out, option{t.Value, l.T("tod."+t.Value, "From", clock(l, t.From/60), "To", clock(l, t.To/60))})
	}
	return out
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
	Notices  []notice
}

// notice is a dropped filter value, said in the page language later.
type notice struct{ ID, Value string }

func (n notice) text(l *i18n.Lang) string { return l.T(n.ID, "Value", n.Value) }

const maxFilterValue = 40

func parseFilterForm(q url.Values) filterForm {
	var f filterForm
	get := func(key string) string {
		v := strings.TrimSpace(q.Get(key))
		if len(v) > maxFilterValue {
			f.Notices = append(f.Notices, notice{"notice.tooLong", ""})
			return ""
		}
		return v
	}
	if v := get("format"); v != "" {
		if slices.Contains(meetings.Formats(), meetings.Format(v)) {
			f.Format = v
		} else {
			f.Notices = append(f.Notices, notice{"notice.format", v})
		}
	}
	if v := get("program"); v != "" {
		if slices.Contains(meetings.Programs(), meetings.Program(v)) {
			f.Program = v
		} else {
			f.Notices = append(f.Notices, notice{"notice.program", v})
		}
	}
	if v := get("type"); v != "" {
		if _, ok := meetings.LookupType(v); ok {
			f.Type = v
		} else {
			f.Notices = append(f.Notices, notice{"notice.type", v})
		}
	}
	// "language", as in the feeds' filters; ?lang= is the page language.
	if v := get("language"); v != "" {
		if validLanguageTag(v) {
			f.Language = v
		} else {
			f.Notices = append(f.Notices, notice{"notice.language", v})
		}
	}
	if v := get("time"); v != "" {
		if _, ok := f.timeOfDay(v); ok {
			f.Time = v
		} else {
			f.Notices = append(f.Notices, notice{"notice.time", v})
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
