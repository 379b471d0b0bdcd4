package meetings

import (
	"sort"
	"strings"
)

// TypeCode is one Meeting Guide meeting type ("W" = Women, "SP" = Speaker...).
// Directories filter on these codes, so Hearth stores and publishes them verbatim.
type TypeCode struct {
	Code    string
	English string
	Spanish string
}

// LookupType finds a Meeting Guide type code. Codes are case-sensitive in the
// spec ("S" is Spanish, "s" is nothing), so no folding is done.
func LookupType(code string) (TypeCode, bool) {
	i := sort.Search(len(typeCodes), func(i int) bool { return typeCodes[i].Code >= code })
	if i < len(typeCodes) && typeCodes[i].Code == code {
		return typeCodes[i], true
	}
	return TypeCode{}, false
}

// TypeCodes returns the whole table, sorted by code, for pickers and filters.
func TypeCodes() []TypeCode {
	out := make([]TypeCode, len(typeCodes))
	copy(out, typeCodes[:])
	return out
}

// TypeNames renders codes as English words for descriptions ("Women, Speaker").
// Unknown codes are kept as they are rather than dropped, so nothing is hidden.
func TypeNames(codes []string) string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		if t, ok := LookupType(c); ok {
			names = append(names, t.English)
		} else {
			names = append(names, c)
		}
	}
	return strings.Join(names, ", ")
}

// TypesInUse is the type codes at least one of ms has, in the order of
// TypeCodes: the types a member can filter by. A code missing from the
// table (an import kept it) is left out, as the pickers cannot name it.
func TypesInUse(ms []Meeting) []TypeCode {
	used := make(map[string]bool)
	for i := range ms {
		for _, c := range ms[i].Types {
			used[c] = true
		}
	}
	var out []TypeCode
	for _, t := range typeCodes {
		if used[t.Code] {
			out = append(out, t)
		}
	}
	return out
}
