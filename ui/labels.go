package ui

import (
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// option is one <option> of a picker: the value sent, the text shown.
type option struct{ Value, Label string }

// badge is a short status next to a meeting ("In progress", "Cancelled").
type badge struct{ Class, Text string }

func formatLabel(l *i18n.Lang, f meetings.Format) string { return l.FormatName(string(f)) }

// programName is a program's name in the page language, or the stored
// name when the catalogs have none or an admin renamed a default program.
func programName(l *i18n.Lang, p *meetings.ProgramInfo) string {
	if p.Renamed() {
		return p.Name
	}
	return l.ProgramName(p.Slug, p.Name)
}

// programLabel is what members read for a program: its name in their
// language with the usual abbreviation ("Alcohólicos Anónimos (AA)").
func programLabel(l *i18n.Lang, p *meetings.ProgramInfo) string { return p.Label(programName(l, p)) }

// programLabelOf labels the program with key, from the stored list ps; a
// key missing from it (added on another node a moment ago) is shown as is.
func programLabelOf(l *i18n.Lang, ps []meetings.ProgramInfo, key meetings.Program) string {
	if p, ok := meetings.FindProgram(ps, key); ok {
		return programLabel(l, &p)
	}
	return string(key)
}

func formatOptions(l *i18n.Lang) []option {
	var out []option
	for _, f := range meetings.Formats() {
		out = append(out, option{string(f), formatLabel(l, f)})
	}
	return out
}

func programOptions(l *i18n.Lang, ps []meetings.ProgramInfo) []option {
	out := make([]option, len(ps))
	for i := range ps {
		out[i] = option{string(ps[i].Key), programLabel(l, &ps[i])}
	}
	return out
}

// typeOptions are the type codes keep accepts, in the order of the Meeting
// Guide table.
func typeOptions(l *i18n.Lang, keep func(code string) bool) []option {
	var out []option
	for _, t := range meetings.TypeCodes() {
		if keep(t.Code) {
			out = append(out, option{t.Code, l.TypeName(t.Code)})
		}
	}
	return out
}

func languageOptions(l *i18n.Lang, tags []string) []option {
	out := make([]option, len(tags))
	for i, t := range tags {
		out[i] = option{t, l.LanguageName(t)}
	}
	return out
}

// durationText says a meeting's length with the catalog's plurals.
func durationText(l *i18n.Lang, d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return l.N("duration.minutes", m)
	case m == 0:
		return l.N("duration.hours", h)
	}
	return l.T("duration.hoursMinutes", "Hours", h, "Minutes", m)
}

// recurrenceText says a series' rule in the page language ("Every Monday
// and Thursday"); meetings.Recurrence.Describe is the English one the API
// and feeds use.
func recurrenceText(l *i18n.Lang, r meetings.Recurrence) string {
	days := make([]string, len(r.Weekdays))
	for i, d := range r.Weekdays {
		days[i] = l.Weekday(d)
	}
	list := l.And(days)
	if r.Freq == meetings.Monthly {
		pos := map[int]string{1: "recur.pos1", 2: "recur.pos2", 3: "recur.pos3", 4: "recur.pos4",
			meetings.LastWeek: "recur.posLast"}[r.SetPos]
		if pos == "" {
			pos = "recur.pos1"
		}
		if r.Interval > 1 {
			return l.N("recur.months", r.Interval, "Pos", l.T(pos), "Days", list)
		}
		return l.T("recur.monthly", "Pos", l.T(pos), "Days", list)
	}
	if r.Interval > 1 {
		return l.N("recur.weeks", r.Interval, "Days", list)
	}
	if len(r.Weekdays) == 7 {
		return l.T("recur.daily")
	}
	return l.T("recur.weekly", "Days", list)
}

// clock formats an hour of the day for the time-of-day filter labels.
func clock(l *i18n.Lang, hour int) string {
	return l.Time(time.Date(2000, 1, 1, hour, 0, 0, 0, time.UTC))
}
