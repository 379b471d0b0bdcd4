package meetings

import (
	"fmt"
	"strings"
	"time"
)

// Frequency is how often a series repeats.
type Frequency string

// Frequencies meetings use.
const (
	Weekly  Frequency = "weekly"
	Monthly Frequency = "monthly"
)

// LastWeek as Recurrence.SetPos means "the last such weekday of the month".
const LastWeek = -1

// Recurrence is the subset of RFC 5545 RRULE that meetings use:
//
//	weekly on one or more weekdays, every Interval weeks (weeks start on Monday, WKST=MO);
//	monthly on the SetPos-th (1-4, or -1 for last) Weekdays[0], every Interval months.
//
// It is stored field by field so that the calendar views emit the same rule
// (see RRule) and Hearth's own expansion agrees with any calendar client's.
type Recurrence struct {
	Freq     Frequency
	Interval int
	Weekdays []time.Weekday
	SetPos   int
	// Start is the first date the series may occur on (its anchor for Interval).
	Start Date
	// Until is the last date it may occur on, inclusive; nil means no end.
	Until *Date
}

// Validate reports the first problem with the rule, in words a scheduler can act on.
func (r Recurrence) Validate() error {
	if r.Interval < 1 || r.Interval > 52 {
		return fmt.Errorf("interval %d must be between 1 and 52", r.Interval)
	}
	if r.Start.IsZero() {
		return fmt.Errorf("a first date is required")
	}
	if err := r.Start.CheckRange("first date"); err != nil {
		return err
	}
	if r.Until != nil {
		if err := r.Until.CheckRange("end date"); err != nil {
			return err
		}
	}
	if r.Until != nil && r.Until.Before(r.Start) {
		return fmt.Errorf("end date %s is before the first date %s", r.Until, r.Start)
	}
	if len(r.Weekdays) == 0 {
		return fmt.Errorf("at least one weekday is required")
	}
	for i, d := range r.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("weekday %d is not 0 (Sunday) to 6 (Saturday)", d)
		}
		for _, e := range r.Weekdays[:i] {
			if e == d {
				return fmt.Errorf("weekday %s is listed twice", d)
			}
		}
	}
	switch r.Freq {
	case Weekly:
		if r.SetPos != 0 {
			return fmt.Errorf("a weekly meeting takes no week-of-month position")
		}
	case Monthly:
		if len(r.Weekdays) != 1 {
			return fmt.Errorf("a monthly meeting is on exactly one weekday")
		}
		if r.SetPos != LastWeek && (r.SetPos < 1 || r.SetPos > 4) {
			return fmt.Errorf("week of month %d must be 1 to 4, or -1 for the last", r.SetPos)
		}
	default:
		return fmt.Errorf("frequency %q must be %q or %q", r.Freq, Weekly, Monthly)
	}
	return nil
}

// OccursOn reports whether the rule produces an occurrence on local date d.
func (r Recurrence) OccursOn(d Date) bool {
	if d.Before(r.Start) || (r.Until != nil && d.After(*r.Until)) {
		return false
	}
	if r.Freq == Monthly {
		months := (d.Year*12 + int(d.Month)) - (r.Start.Year*12 + int(r.Start.Month))
		return months%r.Interval == 0 && d == nthWeekday(d.Year, d.Month, r.Weekdays[0], r.SetPos)
	}
	if !r.hasWeekday(d.Weekday()) {
		return false
	}
	weeks := mondayOf(d).DaysSince(mondayOf(r.Start)) / 7
	return weeks%r.Interval == 0
}

func (r Recurrence) hasWeekday(w time.Weekday) bool {
	for _, d := range r.Weekdays {
		if d == w {
			return true
		}
	}
	return false
}

// mondayOf is the Monday that starts d's week (RFC 5545 default WKST=MO).
func mondayOf(d Date) Date {
	back := (int(d.Weekday()) + 6) % 7
	return d.AddDays(-back)
}

// nthWeekday is the n-th (1-based, or LastWeek) weekday w of the month; the
// zero Date when the month has no such day (a fifth Monday).
func nthWeekday(year int, month time.Month, w time.Weekday, n int) Date {
	if n == LastWeek {
		last := Date{year, month, 1}.AddDays(32)
		last = Date{last.Year, last.Month, 1}.AddDays(-1)
		back := (int(last.Weekday()) - int(w) + 7) % 7
		return last.AddDays(-back)
	}
	first := Date{year, month, 1}
	ahead := (int(w) - int(first.Weekday()) + 7) % 7
	d := first.AddDays(ahead + 7*(n-1))
	if d.Month != month {
		return Date{}
	}
	return d
}

// FirstDate is the first date on or after Start on which the rule occurs.
// iCalendar counts DTSTART as an occurrence whatever the rule says, so feeds
// must start there rather than at Start. ok is false if the rule never occurs.
func (r Recurrence) FirstDate() (d Date, ok bool) {
	limit := r.Start.AddDays(366 * r.Interval)
	for d = r.Start; !d.After(limit); d = d.AddDays(1) {
		if r.Until != nil && d.After(*r.Until) {
			break
		}
		if r.OccursOn(d) {
			return d, true
		}
	}
	return Date{}, false
}

// RRule renders the rule as an RFC 5545 RRULE value, without the "RRULE:"
// prefix. UNTIL must be in UTC when DTSTART has a TZID (RFC 5545 §3.3.10), so
// it is the last possible start on the Until date, in UTC.
func (r Recurrence) RRule(start LocalTime, loc *time.Location) string {
	var b strings.Builder
	b.WriteString("FREQ=")
	b.WriteString(strings.ToUpper(string(r.Freq)))
	if r.Interval > 1 {
		fmt.Fprintf(&b, ";INTERVAL=%d", r.Interval)
	}
	if r.Until != nil {
		until := start.At(*r.Until, loc).UTC()
		b.WriteString(";UNTIL=" + until.Format("20060102T150405Z"))
	}
	names := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	days := make([]string, len(r.Weekdays))
	for i, d := range r.Weekdays {
		days[i] = names[d]
	}
	b.WriteString(";BYDAY=")
	if r.Freq == Monthly {
		fmt.Fprintf(&b, "%d", r.SetPos)
	}
	b.WriteString(strings.Join(days, ","))
	if r.Freq == Weekly && r.Interval > 1 {
		b.WriteString(";WKST=MO")
	}
	return b.String()
}

// Describe says the rule in English for schedule pages: "Every Monday and
// Thursday", "Every 2 weeks on Tuesday", "First Sunday of the month".
func (r Recurrence) Describe() string {
	days := make([]string, len(r.Weekdays))
	for i, d := range r.Weekdays {
		days[i] = d.String()
	}
	list := joinAnd(days)
	if r.Freq == Monthly {
		pos := map[int]string{1: "First", 2: "Second", 3: "Third", 4: "Fourth", LastWeek: "Last"}[r.SetPos]
		if r.Interval > 1 {
			return fmt.Sprintf("%s %s of every %d months", pos, list, r.Interval)
		}
		return fmt.Sprintf("%s %s of the month", pos, list)
	}
	if r.Interval > 1 {
		return fmt.Sprintf("Every %d weeks on %s", r.Interval, list)
	}
	if len(r.Weekdays) == 7 {
		return "Every day"
	}
	return "Every " + list
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
