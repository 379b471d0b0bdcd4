package meetingguide

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/meetings"
)

// Meeting is one entry of a Meeting Guide feed.
type Meeting struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
	// Day is an int 0-6 or an array of them.
	Day              any      `json:"day,omitempty"`
	Time             string   `json:"time,omitempty"`
	EndTime          string   `json:"end_time,omitempty"`
	Timezone         string   `json:"timezone,omitempty"`
	Types            []string `json:"types,omitempty"`
	Notes            string   `json:"notes,omitempty"`
	ConferenceURL    string   `json:"conference_url,omitempty"`
	ConferencePhone  string   `json:"conference_phone,omitempty"`
	FormattedAddress string   `json:"formatted_address,omitempty"`
	Approximate      string   `json:"approximate,omitempty"`
	Group            string   `json:"group,omitempty"`
	GroupNotes       string   `json:"group_notes,omitempty"`
	Venmo            string   `json:"venmo,omitempty"`
	Square           string   `json:"square,omitempty"`
	PayPal           string   `json:"paypal,omitempty"`
	URL              string   `json:"url,omitempty"`
	Updated          string   `json:"updated,omitempty"`
	HearthFormat     string   `json:"hearth_format,omitempty"`
	HearthProgram    string   `json:"hearth_program,omitempty"`
	Languages        []string `json:"languages,omitempty"`
}

// nextChangePrefix starts the paragraph of notes that announces the next
// exception; import strips it, since the exception itself is not in the feed.
const nextChangePrefix = "Next change: "

// ExportOptions shape an export.
type ExportOptions struct {
	// SplitDays gives one entry per weekday instead of a day array.
	SplitDays bool
	// Now decides which exception is the next one.
	Now time.Time
	// DialIn, when Hearth answers calls (sfu/dialin), is the number
	// members dial: conference_phone then carries it and the meeting's
	// phone ID as a one-tap string ("+15550100,,10428#"), never the PIN.
	DialIn string
}

// Export converts entries into feed entries, sorted by slug. omitted lists
// the slugs of series the spec cannot express.
func Export(entries []meetings.Meeting, links calendar.Links, opt ExportOptions) (out []Meeting, omitted []string) {
	out = make([]Meeting, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		r := e.Series.Recurrence
		if r.Freq != meetings.Weekly || r.Interval != 1 {
			omitted = append(omitted, e.Series.Slug)
			continue
		}
		m := convert(e, links, opt)
		if !opt.SplitDays || len(r.Weekdays) == 1 {
			out = append(out, m)
			continue
		}
		for _, wd := range sortedDays(r.Weekdays) {
			one := m
			one.Slug = fmt.Sprintf("%s-%d", m.Slug, wd)
			one.Day = int(wd)
			out = append(out, one)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	sort.Strings(omitted)
	return out, omitted
}

func convert(e *meetings.Meeting, links calendar.Links, opt ExportOptions) Meeting {
	s := &e.Series
	g := e.Group
	if g == nil {
		g = &meetings.Group{}
	}
	days := sortedDays(s.Recurrence.Weekdays)
	var day any = int(days[0])
	if len(days) > 1 {
		list := make([]int, len(days))
		for i, d := range days {
			list[i] = int(d)
		}
		day = list
	}
	end := (s.Start.Minutes() + int(s.Duration/time.Minute)) % (24 * 60)
	m := Meeting{
		Name: s.Name, Slug: s.Slug, Day: day,
		Time:     s.Start.String(),
		EndTime:  meetings.LocalTime{Hour: end / 60, Minute: end % 60}.String(),
		Timezone: s.TimeZone,
		Types:    publishedTypes(s.Types),
		Notes:    notes(e, opt.Now),
		// The room link carries no passcode; rooms with one ask on entry.
		ConferenceURL:   links.Room(s.Slug),
		ConferencePhone: g.ConferencePhone,
		Group:           g.Name,
		GroupNotes:      g.Description,
		Venmo:           g.Venmo,
		Square:          g.Square,
		PayPal:          g.PayPal,
		URL:             links.MeetingPage(s.Slug),
		Updated:         e.LastChange().UTC().Format(time.DateTime),
		HearthFormat:    string(s.Format),
		HearthProgram:   string(s.Program),
		Languages:       s.Languages,
	}
	if opt.DialIn != "" {
		m.ConferencePhone = strings.ReplaceAll(opt.DialIn, " ", "") + ",," + meetings.PhoneID(s.ID) + "#"
	}
	if g.Location != "" {
		m.FormattedAddress, m.Approximate = g.Location, "yes"
	}
	return m
}

// publishedTypes drops ONL, which the spec removed: consumers derive
// "online" from conference_url.
func publishedTypes(types []string) []string {
	out := make([]string, 0, len(types))
	for _, t := range types {
		if t != "ONL" {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// notes appends the next exception on or after now, in words.
func notes(e *meetings.Meeting, now time.Time) string {
	s := &e.Series
	if len(e.Exceptions) == 0 {
		return s.Notes
	}
	loc, err := e.Location()
	if err != nil {
		return s.Notes
	}
	today := meetings.DateOf(now.In(loc))
	var next *meetings.Exception
	for i := range e.Exceptions {
		ex := &e.Exceptions[i]
		if ex.Date.Before(today) || !s.Recurrence.OccursOn(ex.Date) {
			continue
		}
		if next == nil || ex.Date.Before(next.Date) {
			next = ex
		}
	}
	if next == nil {
		return s.Notes
	}
	line := nextChangePrefix + next.Date.String() + " " + describe(s, next)
	if s.Notes == "" {
		return line
	}
	return s.Notes + "\n\n" + line
}

func describe(s *meetings.Series, ex *meetings.Exception) string {
	var b strings.Builder
	switch ex.Kind {
	case meetings.Cancelled:
		b.WriteString("cancelled")
	case meetings.Moved:
		day, start := ex.Date, s.Start
		if ex.NewDate != nil {
			day = *ex.NewDate
		}
		if ex.NewStart != nil {
			start = *ex.NewStart
		}
		fmt.Fprintf(&b, "moved to %s %s", day, start)
	default:
		b.WriteString("note")
	}
	if ex.Reason != "" {
		b.WriteString(": " + ex.Reason)
	}
	return b.String()
}

func sortedDays(days []time.Weekday) []time.Weekday {
	out := append([]time.Weekday(nil), days...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
