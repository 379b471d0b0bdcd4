package ui

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// timeOptions labels the named windows of meetings.TimesOfDay with the
// locale's clock ("Morning (5:00–12:00)").
func timeOptions(l *i18n.Lang) []option {
	var out []option
	for _, t := range meetings.TimesOfDay() {
		out = append(out, option{t.Name, l.T("tod."+t.Name, "From", clock(l, t.From/60), "To", clock(l, t.To/60))})
	}
	return out
}

// filterForm is the schedule's GET form, parsed and checked. Unknown values
// are dropped with a notice, so a bad link still shows a schedule.
type filterForm struct {
	// The selected values, as the form's pickers show them.
	Format   string
	Program  string
	Type     string
	Language string
	Time     string
	// Day is the weekday ("0" = Sunday ... "6"), Text the search words.
	Day, Text string
	// Date is the first day listed (YYYY-MM-DD, the viewer's), "" for today.
	Date    string
	date    *meetings.Date
	Notices []notice
	// f is the filter of series (meetings.ParseFilter reads it); window is
	// the time of day, which is the viewer's, so it applies to occurrences.
	f        meetings.Filter
	window   meetings.Window
	windowed bool
}

// notice is a dropped filter value, said in the page language later.
type notice struct{ ID, Value string }

func (n notice) text(l *i18n.Lang) string { return l.T(n.ID, "Value", n.Value) }

// timeKey is the form's time-of-day parameter (a name from meetings.TimesOfDay);
// dateKey the first day it lists.
const (
	timeKey = "time"
	dateKey = "date"
)

// truncate shortens a value quoted back in a notice.
func truncate(v string) string {
	if r := []rune(v); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return v
}

func parseFilterForm(q url.Values) filterForm {
	var form filterForm
	f, problems := meetings.ParseFilter(q)
	for _, p := range problems {
		form.Notices = append(form.Notices, problemNotice(p))
	}
	for _, p := range f.Unknown() {
		form.Notices = append(form.Notices, problemNotice(p))
		f = f.Without(p.Key)
	}
	form.f = f
	form.Format, form.Program, form.Type, form.Language = string(f.Format), string(f.Program), f.Type, f.Language
	form.Text = f.Text
	if f.Day != nil {
		form.Day = strconv.Itoa(int(*f.Day))
	}
	if v := strings.TrimSpace(q.Get(dateKey)); v != "" {
		if d, err := meetings.ParseDate(v); err == nil {
			form.date = &d
		} else {
			form.Notices = append(form.Notices, notice{"notice.date", truncate(v)})
		}
	}
	form.window = meetings.AllDay()
	if v := strings.TrimSpace(q.Get(timeKey)); v != "" {
		if t, ok := meetings.LookupTimeOfDay(v); ok && len(v) <= meetings.MaxFilterValue {
			form.Time, form.window, form.windowed = v, t.Window, true
		} else if len(v) > meetings.MaxFilterValue {
			form.Notices = append(form.Notices, notice{"notice.tooLong", ""})
		} else {
			form.Notices = append(form.Notices, notice{"notice.time", v})
		}
	}
	return form
}

// problemNotice says a value the filter dropped: too long, an unknown
// format, program, type or language, or a day that is not 0 to 6.
func problemNotice(p meetings.FilterProblem) notice {
	id := "notice.tooLong"
	switch {
	case p.TooLong:
		return notice{id, ""}
	case p.Key == meetings.KeyDay:
		id = "notice.day"
	case p.Key == meetings.KeyFormat:
		id = "notice.format"
	case p.Key == meetings.KeyProgram:
		id = "notice.program"
	case p.Key == meetings.KeyType:
		id = "notice.type"
	case p.Key == meetings.KeyLanguage:
		id = "notice.language"
	}
	return notice{id, p.Value}
}

// filter is the filter of series the form selects.
func (f filterForm) filter() meetings.Filter { return f.f }

// Active reports whether any filter is set, for the "clear filters" link.
func (f filterForm) Active() bool {
	return f.f != (meetings.Filter{}) || f.Time != "" || f.Date != ""
}

// dayOptions are the weekdays, numbered as Meeting Guide numbers them.
func dayOptions(l *i18n.Lang) []option {
	out := make([]option, 7)
	for d := range out {
		out[d] = option{strconv.Itoa(d), i18n.Capital(l.Weekday(time.Weekday(d)))}
	}
	return out
}
