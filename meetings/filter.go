package meetings

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Filter selects series the way members browse: every set field must match.
// The same filter drives the API list, the calendar feeds and the schedule
// pages, so a feed always holds what the page that links to it shows.
type Filter struct {
	Format   Format
	Program  Program
	Type     string
	Language string
	// TimeZone is the meeting's own zone, not the viewer's.
	TimeZone  string
	GroupSlug string
	// Day is a weekday on which the series meets, in its own zone.
	Day *time.Weekday
	// Text matches name, notes or group (slug or name), case-insensitively.
	Text string
}

// Match reports whether m passes every set field of f.
func (f Filter) Match(m *Meeting) bool {
	s := &m.Series
	switch {
	case f.Format != "" && s.Format != f.Format,
		f.Program != "" && s.Program != f.Program,
		f.TimeZone != "" && s.TimeZone != f.TimeZone,
		f.GroupSlug != "" && s.GroupSlug != f.GroupSlug,
		f.Type != "" && !contains(s.Types, f.Type),
		f.Language != "" && !containsFold(s.Languages, f.Language),
		f.Day != nil && !s.Recurrence.hasWeekday(*f.Day),
		f.Text != "" && !matchText(m, f.Text):
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// matchText looks for text in the meeting's name, notes and group (slug and
// name), ignoring case.
func matchText(m *Meeting, text string) bool {
	text = strings.ToLower(text)
	group := ""
	if m.Group != nil {
		group = m.Group.Name
	}
	for _, field := range []string{m.Name, m.Notes, m.GroupSlug, group} {
		if strings.Contains(strings.ToLower(field), text) {
			return true
		}
	}
	return false
}

// The query keys of a filter, the same in every URL that carries one: the
// schedule pages, the API, the calendar feeds and the subscribe links.
const (
	KeyFormat   = "format"
	KeyProgram  = "program"
	KeyType     = "type"
	KeyLanguage = "language"
	KeyTimeZone = "timezone"
	KeyGroup    = "group"
	KeyDay      = "day"
	KeyText     = "q"
)

// MaxFilterValue is the longest value a filter key takes, in bytes.
const MaxFilterValue = 200

// FilterProblem is one query value a filter could not take.
type FilterProblem struct {
	// Key is the query key; Value what was given.
	Key, Value string
	// TooLong is set when Value is longer than MaxFilterValue.
	TooLong bool
	Err     error
}

func (p FilterProblem) Error() string { return p.Err.Error() }

// ParseFilter reads a filter from a query string; it is the inverse of
// Values. Values are trimmed. A value that cannot be read (too long, a day
// that is not 0 to 6) is left unset and reported; a well-formed value outside
// Hearth's vocabulary (format=bogus) is kept and matches nothing, and Unknown
// tells it apart.
func ParseFilter(q url.Values) (Filter, []FilterProblem) {
	var f Filter
	var problems []FilterProblem
	get := func(key string) string {
		v := strings.TrimSpace(q.Get(key))
		if len(v) > MaxFilterValue {
			problems = append(problems, FilterProblem{Key: key, Value: v, TooLong: true,
				Err: fmt.Errorf("%s is %d bytes long; the limit is %d", key, len(v), MaxFilterValue)})
			return ""
		}
		return v
	}
	f.Format, f.Program = Format(get(KeyFormat)), Program(get(KeyProgram))
	f.Type, f.Language, f.TimeZone = get(KeyType), get(KeyLanguage), get(KeyTimeZone)
	f.GroupSlug, f.Text = get(KeyGroup), get(KeyText)
	if v := get(KeyDay); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 6 {
			problems = append(problems, FilterProblem{Key: KeyDay, Value: v,
				Err: fmt.Errorf("day %q must be 0 (Sunday) to 6 (Saturday)", v)})
		} else {
			d := time.Weekday(n)
			f.Day = &d
		}
	}
	return f, problems
}

// Values is f as a query string, with only the set fields.
func (f Filter) Values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set(KeyFormat, string(f.Format))
	set(KeyProgram, string(f.Program))
	set(KeyType, f.Type)
	set(KeyLanguage, f.Language)
	set(KeyTimeZone, f.TimeZone)
	set(KeyGroup, f.GroupSlug)
	if f.Day != nil {
		q.Set(KeyDay, strconv.Itoa(int(*f.Day)))
	}
	set(KeyText, f.Text)
	return q
}

// Unknown lists the set fields whose values are outside Hearth's vocabulary
// (a format, program or type code it does not have, a language that is not
// a BCP 47 tag), in the order of the keys. Such a field matches nothing;
// pages drop it with a notice.
func (f Filter) Unknown() []FilterProblem {
	var out []FilterProblem
	add := func(key, v, what string) {
		out = append(out, FilterProblem{Key: key, Value: v, Err: fmt.Errorf("%s %q is not one Hearth knows", what, v)})
	}
	if f.Format != "" && !validFormat(f.Format) {
		add(KeyFormat, string(f.Format), "format")
	}
	if f.Program != "" && !validProgram(f.Program) {
		add(KeyProgram, string(f.Program), "program")
	}
	if _, ok := LookupType(f.Type); f.Type != "" && !ok {
		add(KeyType, f.Type, "type code")
	}
	if f.Language != "" && !langPattern.MatchString(strings.ToLower(f.Language)) {
		add(KeyLanguage, f.Language, "language")
	}
	return out
}

// Without returns f with the fields of keys unset.
func (f Filter) Without(keys ...string) Filter {
	q := f.Values()
	for _, k := range keys {
		q.Del(k)
	}
	out, _ := ParseFilter(q)
	return out
}

// LanguagesInUse is the languages at least one of ms is held in, once each
// and sorted: the languages a member can filter by. Tags are compared as
// the filter compares them, ignoring case, and shown in their canonical
// BCP 47 form ("pt-br" and "pt-BR" are one choice, "pt-BR").
func LanguagesInUse(ms []Meeting) []string {
	seen := make(map[string]bool)
	var out []string
	for i := range ms {
		for _, l := range ms[i].Languages {
			c := canonicalLanguage(l)
			if !seen[strings.ToLower(c)] {
				seen[strings.ToLower(c)] = true
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return out
}

// canonicalLanguage is a BCP 47 tag in its canonical case ("pt-BR"), or
// the tag as given when it does not parse.
func canonicalLanguage(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	return t.String()
}
