// Package vtimezone builds iCalendar VTIMEZONE components (RFC 5545 §3.6.5)
// from Go's tz database.
//
// Go does not export zone transitions, so they are found by probing: the
// offset is sampled every few hours across the years a feed covers and each
// change is narrowed to the second. Every transition inside those years is
// written as its own observance, so the component is exact for them whatever
// the zone's history; the last year's pair of transitions is written as a
// yearly RRULE when the zone follows one, so that a client expanding past the
// covered years keeps the current rule instead of freezing one offset.
package vtimezone

import (
	"fmt"
	"time"

	"github.com/emersion/go-ical"
)

// Transition is one change of UTC offset.
type Transition struct {
	// At is the instant of the change.
	At time.Time
	// From and To are offsets east of UTC, in seconds.
	From, To int
	// Name is the abbreviation in force after the change ("EDT").
	Name string
	// DST reports whether daylight saving time is in force after the change.
	DST bool
}

// LocalStart is the wall-clock time of the change, read with the offset in
// force before it: the form VTIMEZONE DTSTART takes.
func (t Transition) LocalStart() time.Time {
	return t.At.Add(time.Duration(t.From) * time.Second).UTC()
}

// probeStep is short enough that no two transitions fall within one step
// (real zones keep an offset for weeks at least).
const probeStep = 6 * time.Hour

// Transitions lists the offset changes of loc from the start of year
// firstYear to the end of year lastYear, in order.
func Transitions(loc *time.Location, firstYear, lastYear int) []Transition {
	start := time.Date(firstYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(lastYear+1, time.January, 1, 0, 0, 0, 0, time.UTC)
	var out []Transition
	prev := start.In(loc)
	_, prevOff := prev.Zone()
	for t := start.Add(probeStep); !t.After(end); t = t.Add(probeStep) {
		_, off := t.In(loc).Zone()
		if off == prevOff {
			prev = t
			continue
		}
		at := narrow(loc, prev, t)
		name, _ := at.In(loc).Zone()
		out = append(out, Transition{At: at, From: prevOff, To: off, Name: name, DST: at.In(loc).IsDST()})
		prev, prevOff = t, off
	}
	return out
}

// narrow finds the first second in (lo, hi] whose offset differs from lo's.
func narrow(loc *time.Location, lo, hi time.Time) time.Time {
	_, want := lo.In(loc).Zone()
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if _, off := mid.In(loc).Zone(); off == want {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.UTC()
}

// Component returns the VTIMEZONE for loc, exact for firstYear to lastYear.
// Its TZID is loc's IANA name.
func Component(loc *time.Location, firstYear, lastYear int) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	trs := Transitions(loc, firstYear, lastYear)
	// The offset in force before the first change (or all along) needs an
	// observance of its own; it starts at the beginning of the covered years.
	begin := time.Date(firstYear, time.January, 1, 0, 0, 0, 0, loc)
	name, off := begin.Zone()
	if len(trs) > 0 {
		off = trs[0].From
		name, _ = trs[0].At.Add(-time.Second).In(loc).Zone()
	}
	tz.Children = append(tz.Children, observance(Transition{
		At: begin.UTC(), From: off, To: off, Name: name, DST: begin.IsDST(),
	}, ""))
	yearly := yearlyTail(trs)
	for i, tr := range trs {
		rule := ""
		if i >= len(trs)-len(yearly) {
			rule = yearly[i-(len(trs)-len(yearly))]
		}
		tz.Children = append(tz.Children, observance(tr, rule))
	}
	return tz
}

func observance(tr Transition, rrule string) *ical.Component {
	kind := ical.CompTimezoneStandard
	if tr.DST {
		kind = ical.CompTimezoneDaylight
	}
	c := ical.NewComponent(kind)
	c.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{},
		Value: tr.LocalStart().Format("20060102T150405")})
	c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetFrom, Params: ical.Params{}, Value: formatOffset(tr.From)})
	c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetTo, Params: ical.Params{}, Value: formatOffset(tr.To)})
	if tr.Name != "" {
		c.Props.SetText(ical.PropTimezoneName, tr.Name)
	}
	if rrule != "" {
		c.Props.Set(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: rrule})
	}
	return c
}

// formatOffset renders seconds east of UTC as RFC 5545 UTC-OFFSET ("-0500",
// "+0530", with seconds when the zone has them).
func formatOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	h, m, s := sec/3600, sec%3600/60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}

// yearlyTail returns RRULEs for the last two transitions when both repeat a
// year earlier on the same rule (same month, same n-th or last weekday, same
// local time and offsets): the zone still follows that rule, so clients may
// extend it. It returns nil otherwise, leaving the last offset in force.
func yearlyTail(trs []Transition) []string {
	if len(trs) < 4 {
		return nil
	}
	last := trs[len(trs)-2:]
	rules := make([]string, 2)
	for i, tr := range last {
		prior := trs[len(trs)-4+i]
		rule, ok := byDayRule(tr)
		priorRule, priorOK := byDayRule(prior)
		same := prior.From == tr.From && prior.To == tr.To &&
			prior.LocalStart().Format("150405") == tr.LocalStart().Format("150405") &&
			tr.At.Year()-prior.At.Year() == 1
		if !ok || !priorOK || rule != priorRule || !same {
			return nil
		}
		rules[i] = rule
	}
	return rules
}

// byDayRule expresses the date of tr as "FREQ=YEARLY;BYMONTH=m;BYDAY=nWD".
// The last week of a month is preferred to a fourth one, since that is how
// zones such as the EU's are defined and it stays right in five-week months.
func byDayRule(tr Transition) (string, bool) {
	d := tr.LocalStart()
	days := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	daysInMonth := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	n := (d.Day()-1)/7 + 1
	if d.Day()+7 > daysInMonth {
		n = -1
	}
	if n == 5 {
		return "", false
	}
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", d.Month(), n, days[d.Weekday()]), true
}
