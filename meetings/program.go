package meetings

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// ProgramInfo is one fellowship or programme in the schedule's list of
// programs: stored data, seeded with DefaultPrograms and extended by admins.
type ProgramInfo struct {
	// Key is what meetings and groups store, what filters and feed paths
	// name (?program=AA, /calendar/program/AA.ics) and what Meeting Guide
	// exports carry. It never changes, so renaming a program changes no
	// meeting and breaks no subscription.
	Key Program
	// Slug is Key in lowercase letters, digits and dashes: the CalDAV
	// collection name and the catalog key of the translated name
	// ("program.smart-recovery"). Two programs never share one.
	Slug string
	// Name is the full name ("Alcoholics Anonymous"), shown where the
	// viewer's catalog has no translation of it.
	Name string
	// Abbreviation is the usual short name ("AA"); empty when there is none.
	Abbreviation string
	// Format is the kind of meeting the program's meetings usually are.
	Format Format
	// Retired programs keep their meetings but are not offered for new ones.
	Retired bool
	Created time.Time
	Updated time.Time
}

// Limits of a program's fields.
const (
	MaxProgramKeyLen = 40
	MaxAbbrevLen     = 20
	// MaxPrograms bounds the list, which every schedule page shows.
	MaxPrograms = 500
)

// ProgramOther is the catch-all program.
const ProgramOther Program = "other"

// programKeyPattern allows names such as "AA", "SMART Recovery", "Al-Anon"
// and "Co-Dependents Anonymous": letters, digits, spaces and - & . ' +,
// nothing that needs escaping in a path or a header.
var programKeyPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} &.'+-]*$`)

var nonSlugRun = regexp.MustCompile(`[^a-z0-9]+`)

// ProgramSlug turns a program key into its slug ("SMART Recovery" becomes
// "smart-recovery"); letters outside ASCII are dropped, so a key made only
// of them has no slug and is refused.
func ProgramSlug(key Program) string {
	return strings.Trim(nonSlugRun.ReplaceAllString(strings.ToLower(string(key)), "-"), "-")
}

// NewProgram fills a program added by an admin or an import: its key is
// the abbreviation when there is one, else the name.
func NewProgram(name, abbreviation string, format Format) ProgramInfo {
	name, abbreviation = strings.TrimSpace(name), strings.TrimSpace(abbreviation)
	key := abbreviation
	if key == "" {
		key = name
	}
	p := ProgramInfo{Key: Program(key), Name: name, Abbreviation: abbreviation, Format: format}
	p.Slug = ProgramSlug(p.Key)
	return p
}

// Validate checks every field of a program.
func (p *ProgramInfo) Validate() error {
	var v ValidationError
	checkText(&v, "name", p.Name, MaxNameLen, true)
	// A missing name is the problem to report when the key came from it.
	if p.Key != "" || strings.TrimSpace(p.Name) != "" {
		checkProgramKey(&v, "key", p.Key)
	}
	if p.Key != "" && p.Slug != ProgramSlug(p.Key) {
		v.add("key", "program %q must have the slug %q", p.Key, ProgramSlug(p.Key))
	}
	checkText(&v, "abbreviation", p.Abbreviation, MaxAbbrevLen, false)
	if !validFormat(p.Format) {
		v.add("format", "format %q must be one of %s", p.Format, formatList())
	}
	return v.err()
}

// checkProgramKey checks the form of a program key; whether the schedule
// has that program is the store's question.
func checkProgramKey(v *ValidationError, field string, key Program) {
	k := string(key)
	switch {
	case k == "":
		v.add(field, "a program is required")
	case !utf8.ValidString(k) || utf8.RuneCountInString(k) > MaxProgramKeyLen:
		v.add(field, "program %q must be at most %d characters", k, MaxProgramKeyLen)
	case strings.TrimSpace(k) != k || strings.Contains(k, "  ") || !programKeyPattern.MatchString(k):
		v.add(field, "program %q may hold only letters, digits, single spaces and - & . ' +", k)
	case ProgramSlug(key) == "":
		v.add(field, "program %q needs at least one letter a-z or digit", k)
	}
}

// validProgram reports whether p is a well-formed program key; whether the
// schedule has it is the store's question (programs are data).
func validProgram(p Program) bool {
	var v ValidationError
	checkProgramKey(&v, "program", p)
	return len(v.Problems) == 0
}

// Label is the program's name with its abbreviation when that differs:
// "Alcoholics Anonymous (AA)".
func (p *ProgramInfo) Label(name string) string {
	if p.Abbreviation == "" || strings.EqualFold(p.Abbreviation, name) {
		return name
	}
	return name + " (" + p.Abbreviation + ")"
}

// Renamed reports whether an admin gave a default program another name, in
// which case the stored name is shown rather than the catalog's.
func (p *ProgramInfo) Renamed() bool {
	d, ok := DefaultProgram(p.Key)
	return !ok || d.Name != p.Name
}

// ProgramsInUse is the programs that at least one of ms belongs to, in the
// order of all: the programs a member can filter by or subscribe to. A
// meeting whose program is missing from all (another node added it a moment
// ago) still counts, under its key.
func ProgramsInUse(all []ProgramInfo, ms []Meeting) []ProgramInfo {
	used := make(map[Program]bool)
	for i := range ms {
		used[ms[i].Program] = true
	}
	var out []ProgramInfo
	for _, p := range all {
		if used[p.Key] {
			out = append(out, p)
			delete(used, p.Key)
		}
	}
	for k := range used {
		out = append(out, ProgramInfo{Key: k, Slug: ProgramSlug(k), Name: string(k), Format: FormatOtherKind})
	}
	return out
}

// FindProgram returns the program with key in list.
func FindProgram(list []ProgramInfo, key Program) (ProgramInfo, bool) {
	for _, p := range list {
		if p.Key == key {
			return p, true
		}
	}
	return ProgramInfo{}, false
}
