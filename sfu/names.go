package sfu

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameRunes bounds a display name.
const MaxNameRunes = 40

// cleanName trims and validates a display name chosen at join: 1 to
// MaxNameRunes printable characters, no control or format characters.
func cleanName(raw string) (string, error) {
	if len(raw) > MaxNameRunes*4 || !utf8.ValidString(raw) {
		return "", ErrBadName
	}
	name := strings.Join(strings.Fields(raw), " ")
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxNameRunes {
		return "", ErrBadName
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return "", ErrBadName
		}
	}
	return name, nil
}

// uniqueName returns name, or name with the smallest " (k)" suffix that no
// other participant uses. taken reports whether a name is in use.
func uniqueName(name string, taken func(string) bool) string {
	if !taken(name) {
		return name
	}
	for k := 2; ; k++ {
		candidate := fmt.Sprintf("%s (%d)", name, k)
		if !taken(candidate) {
			return candidate
		}
	}
}
