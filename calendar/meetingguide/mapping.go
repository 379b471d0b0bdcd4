package meetingguide

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// toSeries maps a feed entry to a series and its group. warns are changes
// made to import it (dropped type codes); err says why it cannot be imported.
func toSeries(m *rawMeeting, slug string, cfg ImportConfig) (meetings.Series, meetings.Group, []string, error) {
	var s meetings.Series
	var g meetings.Group
	if slug == "" {
		return s, g, nil, fmt.Errorf("slug is missing or has no letters or digits")
	}
	if strings.TrimSpace(m.Name) == "" {
		return s, g, nil, fmt.Errorf("name is missing")
	}
	days, start, length, zone, err := parseWhen(m, cfg.TimeZone)
	if err != nil {
		return s, g, nil, err
	}
	types, warns := parseTypes(m.Types)
	s = meetings.Series{
		Slug: slug, Name: strings.TrimSpace(m.Name), Format: cfg.Format, Program: cfg.Program,
		Types: types, Languages: m.Languages, Notes: stripNextChange(m.Notes), TimeZone: zone,
		Start: start, Duration: length,
		Recurrence: meetings.Recurrence{Freq: meetings.Weekly, Interval: 1, Weekdays: days, Start: cfg.Today},
		Room:       meetings.RoomSettings{MaxParticipants: 100},
	}
	if m.HearthFormat != "" {
		s.Format = meetings.Format(m.HearthFormat)
	}
	if m.HearthProgram != "" {
		s.Program = meetings.Program(m.HearthProgram)
	}
	if u, err := time.Parse(time.DateTime, m.Updated); err == nil {
		s.Updated = u.UTC()
	}
	return s, groupOf(m, s.Program), warns, nil
}

// parseWhen reads the weekly schedule of an entry.
func parseWhen(m *rawMeeting, defaultZone string) (days []time.Weekday, start meetings.LocalTime, length time.Duration, zone string, err error) {
	if days, err = parseDays(m.Day); err != nil {
		return
	}
	if start, err = parseTime(m.Time); err != nil {
		err = fmt.Errorf("time: %w", err)
		return
	}
	length = time.Hour // the spec's default when end_time is absent
	if m.EndTime != "" {
		var end meetings.LocalTime
		if end, err = parseTime(m.EndTime); err != nil {
			err = fmt.Errorf("end_time: %w", err)
			return
		}
		length = time.Duration((end.Minutes()-start.Minutes()+24*60)%(24*60)) * time.Minute
	}
	if zone = m.Timezone; zone == "" {
		zone = defaultZone
	}
	if _, zerr := meetings.LoadZone(zone); zerr != nil {
		err = fmt.Errorf("timezone: %w (pass a default timezone for feeds without one)", zerr)
	}
	return
}

func groupOf(m *rawMeeting, program meetings.Program) meetings.Group {
	name := strings.TrimSpace(m.Group)
	if name == "" || slugify(name) == "" {
		name = "Imported meetings"
	}
	loc := strings.TrimSpace(m.FormattedAddress)
	if loc == "" {
		var parts []string
		for _, p := range []string{m.City, m.State, m.Country} {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		loc = strings.Join(parts, ", ")
	}
	return meetings.Group{Slug: slugify(name), Name: name, Program: program, Location: loc,
		ConferencePhone: strings.TrimSpace(m.ConferencePhone), Description: m.GroupNotes,
		Venmo: strings.TrimSpace(m.Venmo), Square: strings.TrimSpace(m.Square), PayPal: strings.TrimSpace(m.PayPal)}
}

var dayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// parseDays accepts 0-6, "0"-"6", English day names, or an array of those.
func parseDays(raw json.RawMessage) ([]time.Weekday, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("day is missing: only weekly meetings can be imported (appointment-only entries are skipped)")
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		list = []json.RawMessage{raw}
	}
	var out []time.Weekday
	for _, item := range list {
		d, err := parseDay(item)
		if err != nil {
			return nil, err
		}
		if !containsDay(out, d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("day is an empty list")
	}
	return out, nil
}

func parseDay(raw json.RawMessage) (time.Weekday, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, fmt.Errorf("day %s is not readable", raw)
	}
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) && x >= 0 && x <= 6 {
			return time.Weekday(int(x)), nil
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil && n >= 0 && n <= 6 {
			return time.Weekday(n), nil
		}
		if d, ok := dayNames[strings.ToLower(strings.TrimSpace(x))]; ok {
			return d, nil
		}
	}
	return 0, fmt.Errorf("day %s must be 0 (Sunday) to 6 (Saturday)", raw)
}

func containsDay(list []time.Weekday, d time.Weekday) bool {
	for _, x := range list {
		if x == d {
			return true
		}
	}
	return false
}

// parseTime accepts "HH:MM", "H:MM" and "HH:MM:SS" (the WordPress plugin's form).
func parseTime(s string) (meetings.LocalTime, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return meetings.LocalTime{Hour: t.Hour(), Minute: t.Minute()}, nil
		}
	}
	return meetings.LocalTime{}, fmt.Errorf("%q is not HH:MM (24-hour)", s)
}

// parseTypes accepts an array of codes or one comma-separated string, drops
// ONL (the spec removed it: online is derived from conference fields) and
// drops unknown codes with a warning each.
func parseTypes(raw json.RawMessage) ([]string, []string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var codes []string
	if json.Unmarshal(raw, &codes) != nil {
		var joined string
		if json.Unmarshal(raw, &joined) != nil {
			return nil, []string{fmt.Sprintf("types %s are neither a list nor a string; dropped", raw)}
		}
		codes = strings.Split(joined, ",")
	}
	var out, warns []string
	for _, c := range codes {
		c = strings.TrimSpace(c)
		switch _, known := meetings.LookupType(c); {
		case c == "" || c == "ONL":
		case !known:
			warns = append(warns, fmt.Sprintf("unknown type code %q dropped", c))
		case !contains(out, c) && len(out) < meetings.MaxTypes:
			out = append(out, c)
		}
	}
	return out, warns
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stripNextChange removes the paragraph an export adds about the next
// exception, so that a round trip does not copy it into the notes.
func stripNextChange(notes string) string {
	notes = strings.TrimSpace(strings.ReplaceAll(notes, "\r", ""))
	if strings.HasPrefix(notes, nextChangePrefix) {
		return ""
	}
	if i := strings.LastIndex(notes, "\n\n"+nextChangePrefix); i >= 0 && !strings.Contains(notes[i+2:], "\n") {
		return notes[:i]
	}
	return notes
}
