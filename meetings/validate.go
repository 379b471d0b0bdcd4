package meetings

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// FieldError is one problem with one input field, phrased so that the person
// who typed it knows what to fix.
type FieldError struct {
	Field   string
	Message string
}

// ValidationError lists every problem found in an input, not only the first.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func (e *ValidationError) add(field, format string, args ...any) {
	e.Problems = append(e.Problems, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (e *ValidationError) err() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// Domain errors the store and API translate into their own terms.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
)

// Input limits. Directories advise names under 64 characters; slugs are
// Meeting Guide primary keys and URL path segments.
const (
	MaxNameLen  = 120
	MaxSlugLen  = 64
	MaxNotesLen = 4000
	MaxTextLen  = 500
	MaxTypes    = 30
	MaxLangs    = 10
	MinDuration = 10 * time.Minute
	MaxDuration = 12 * time.Hour
	MaxRoomSize = 500
)

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	langPattern = regexp.MustCompile(`^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$`)
)

// Validate checks every field of a series and reports all problems at once.
func (s *Series) Validate() error {
	var v ValidationError
	checkSlug(&v, "slug", s.Slug)
	checkText(&v, "name", s.Name, MaxNameLen, true)
	checkText(&v, "notes", s.Notes, MaxNotesLen, false)
	if !validFormat(s.Format) {
		v.add("format", "format %q must be one of %s", s.Format, formatList())
	}
	checkProgramKey(&v, "program", s.Program)
	checkTypes(&v, s.Types)
	checkLanguages(&v, s.Languages)
	if _, err := LoadZone(s.TimeZone); err != nil {
		v.add("timezone", "%s", err)
	}
	if s.Start.Hour < 0 || s.Start.Hour > 23 || s.Start.Minute < 0 || s.Start.Minute > 59 {
		v.add("time", "start time %s is not a time of day", s.Start)
	}
	if s.Duration < MinDuration || s.Duration > MaxDuration {
		v.add("duration", "duration %s must be between %s and %s", s.Duration, MinDuration, MaxDuration)
	}
	if err := s.Recurrence.Validate(); err != nil {
		v.add("recurrence", "%s", err)
	}
	switch s.Room.Chat() {
	case ChatEveryone, ChatChairs, ChatOff:
	default:
		v.add("room.chat_mode", "chat mode %q must be everyone, chairs or off", s.Room.ChatMode)
	}
	if t := s.Room.ShareTimer; t < 0 || t > MaxShareTimer || t%time.Minute != 0 {
		v.add("room.share_timer", "share timer %v must be whole minutes from 0 (none) to %d", t, int(MaxShareTimer/time.Minute))
	}
	if s.Room.MaxParticipants < 2 || s.Room.MaxParticipants > MaxRoomSize {
		v.add("room.max_participants", "maximum participants %d must be between 2 and %d", s.Room.MaxParticipants, MaxRoomSize)
	}
	return v.err()
}

// Validate checks every field of a group.
func (g *Group) Validate() error {
	var v ValidationError
	checkSlug(&v, "slug", g.Slug)
	checkText(&v, "name", g.Name, MaxNameLen, true)
	checkText(&v, "description", g.Description, MaxNotesLen, false)
	checkText(&v, "contact_note", g.ContactNote, MaxTextLen, false)
	checkText(&v, "location", g.Location, MaxTextLen, false)
	if g.Program != "" {
		checkProgramKey(&v, "program", g.Program)
	}
	checkTradition(&v, g)
	if g.ConferencePhone != "" && strings.Trim(g.ConferencePhone, "+0123456789,*# ") != "" {
		v.add("conference_phone", "dial-in %q may hold only digits, +, spaces and the one-tap characters , * #", g.ConferencePhone)
	}
	return v.err()
}

// Validate checks an exception; s is the series it belongs to, so that the
// date can be checked against the rule.
func (e *Exception) Validate(s *Series) error {
	var v ValidationError
	if err := e.Date.CheckRange("date"); err != nil {
		v.add("date", "%s", err)
	} else if !s.Recurrence.OccursOn(e.Date) {
		v.add("date", "%s (%s) is not a date on which %q meets (%s)", e.Date, e.Date.Weekday(), s.Name, s.Recurrence.Describe())
	}
	checkText(&v, "reason", e.Reason, MaxTextLen, e.Kind == Cancelled)
	switch e.Kind {
	case Cancelled, Note:
		if e.NewDate != nil || e.NewStart != nil || e.NewDuration != 0 {
			v.add("kind", "only a moved occurrence takes a new date, time or duration")
		}
	case Moved:
		if e.NewDate == nil && e.NewStart == nil && e.NewDuration == 0 {
			v.add("kind", "a moved occurrence needs a new date, time or duration")
		}
		if e.NewDuration != 0 && (e.NewDuration < MinDuration || e.NewDuration > MaxDuration) {
			v.add("new_duration", "duration %s must be between %s and %s", e.NewDuration, MinDuration, MaxDuration)
		}
		if e.NewDate != nil && e.NewDate.CheckRange("new date") != nil {
			v.add("new_date", "%s", e.NewDate.CheckRange("new date"))
		} else if e.NewDate != nil && (e.NewDate.DaysSince(e.Date) > 31 || e.Date.DaysSince(*e.NewDate) > 31) {
			v.add("new_date", "a meeting can be moved by at most 31 days (from %s to %s)", e.Date, e.NewDate)
		} else if day, ok := e.clash(s); ok {
			v.add("new_date", "%q already meets on %s (%s) at %s: a meeting moved there would overlap it; move it to another day or time, or change that day's meeting instead",
				s.Name, day, day.Weekday(), s.Start)
		}
	default:
		v.add("kind", "kind %q must be %q, %q or %q", e.Kind, Cancelled, Moved, Note)
	}
	return v.err()
}

// clash reports a move onto another date on which the series meets, at a
// time that overlaps that date's own meeting: two occurrences of one series
// at once, which no calendar shows sensibly. A move to another time of a
// day the series meets on is fine when the two do not overlap.
func (e *Exception) clash(s *Series) (Date, bool) {
	day, start, length := e.When(s.Start, s.Duration)
	if day == e.Date || !s.Recurrence.OccursOn(day) {
		return Date{}, false
	}
	a0, a1 := start.Minutes(), start.Minutes()+int(length/time.Minute)
	b0, b1 := s.Start.Minutes(), s.Start.Minutes()+int(s.Duration/time.Minute)
	return day, a0 < b1 && b0 < a1
}

func checkSlug(v *ValidationError, field, slug string) {
	switch {
	case slug == "":
		v.add(field, "a slug is required (lowercase letters, digits and dashes)")
	case len(slug) > MaxSlugLen:
		v.add(field, "slug is %d characters; the limit is %d", len(slug), MaxSlugLen)
	case !slugPattern.MatchString(slug):
		v.add(field, "slug %q may hold only lowercase letters, digits and single dashes", slug)
	}
}

func checkText(v *ValidationError, field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.add(field, "%s is required", field)
	case !utf8.ValidString(s):
		v.add(field, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		v.add(field, "%s is %d characters; the limit is %d", field, utf8.RuneCountInString(s), max)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		v.add(field, "%s contains control characters", field)
	}
}

func checkTypes(v *ValidationError, types []string) {
	if len(types) > MaxTypes {
		v.add("types", "%d types given; the limit is %d", len(types), MaxTypes)
		return
	}
	for _, t := range types {
		if _, ok := LookupType(t); !ok {
			v.add("types", "unknown type code %q (see the Meeting Guide type table)", t)
		}
	}
}

func checkLanguages(v *ValidationError, langs []string) {
	if len(langs) > MaxLangs {
		v.add("languages", "%d languages given; the limit is %d", len(langs), MaxLangs)
		return
	}
	for _, l := range langs {
		if !langPattern.MatchString(l) {
			v.add("languages", "language %q is not a BCP 47 tag such as en, es or pt-BR", l)
		}
	}
}

func validFormat(f Format) bool {
	for _, g := range Formats() {
		if f == g {
			return true
		}
	}
	return false
}

func formatList() string {
	var names []string
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}
