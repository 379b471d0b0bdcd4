package meetings

import (
	"fmt"
	"time"
)

// Date is a calendar date with no time or zone: the local day a meeting is on.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf is the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats the date as "2006-01-02".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Dates a schedule may name: first and last dates of a series and the dates
// of its exceptions. Hearth schedules meetings that happen now; outside this
// range a date is a typo (0000, 20266) that would only cost work, such as a
// VTIMEZONE with two centuries of DST observances, and zone data before
// 1970 is unreliable anyway.
var (
	MinDate = Date{2000, time.January, 1}
	MaxDate = Date{2100, time.December, 31}
)

// CheckRange says why d is outside MinDate..MaxDate; what names the date
// ("first date") for the message.
func (d Date) CheckRange(what string) error {
	if d.Before(MinDate) || d.After(MaxDate) {
		return fmt.Errorf("%s %s must be between %s and %s", what, d, MinDate, MaxDate)
	}
	return nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// midnightUTC anchors the date in UTC, where every day is 24 hours long, so
// that day arithmetic is exact.
func (d Date) midnightUTC() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.midnightUTC().AddDate(0, 0, n)) }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnightUTC().Weekday() }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.midnightUTC().Before(e.midnightUTC()) }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return e.Before(d) }

// DaysSince is the number of days from e to d.
func (d Date) DaysSince(e Date) int {
	return int(d.midnightUTC().Sub(e.midnightUTC()).Hours() / 24)
}

// LocalTime is a wall-clock time of day, minute precision.
type LocalTime struct {
	Hour   int
	Minute int
}

// ParseLocalTime reads "15:04" (24-hour).
func ParseLocalTime(s string) (LocalTime, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return LocalTime{}, fmt.Errorf("time %q is not HH:MM (24-hour)", s)
	}
	return LocalTime{t.Hour(), t.Minute()}, nil
}

// String formats the time as "15:04".
func (t LocalTime) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// Minutes is the number of minutes since midnight.
func (t LocalTime) Minutes() int { return t.Hour*60 + t.Minute }

// At places the wall-clock time on date d in loc.
//
// DST rule (RFC 5545 §3.3.5): a time that falls in a spring-forward gap is
// read with the offset in force before the gap, so a 02:30 meeting on the
// day New York skips 02:00-03:00 starts at 03:30 EDT (07:30Z). A time that
// happens twice on a fall-back day is the first of the two (01:30 EDT).
func (t LocalTime) At(d Date, loc *time.Location) time.Time {
	at := time.Date(d.Year, d.Month, d.Day, t.Hour, t.Minute, 0, 0, loc)
	if at.Hour() == t.Hour && at.Minute() == t.Minute && DateOf(at) == d {
		return first(at, loc)
	}
	// In a gap: take the offset of a moment safely before it (gaps are a few
	// hours at most and a zone changes offset at most once a day).
	_, before := at.Add(-24 * time.Hour).Zone()
	wall := time.Date(d.Year, d.Month, d.Day, t.Hour, t.Minute, 0, 0, time.UTC)
	return wall.Add(-time.Duration(before) * time.Second).In(loc)
}

// first returns the earlier instant when the wall time of at happens twice.
// Go's time.Date already picks the first in practice, but does not promise it.
func first(at time.Time, loc *time.Location) time.Time {
	_, off := at.Zone()
	_, offBefore := at.Add(-3 * time.Hour).Zone()
	if offBefore <= off {
		return at
	}
	earlier := at.Add(-time.Duration(offBefore-off) * time.Second)
	if earlier.Hour() == at.Hour() && earlier.Minute() == at.Minute() {
		return earlier
	}
	return at
}
