package meetings

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A group keeps its readings (the Preamble, How It Works, an opening
// statement...), which a chair shows as text to everyone in the room in
// place of screen sharing. A reading is plain text: paragraphs separated by
// a blank line, and *emphasis* between asterisks; pages draw it as text,
// never as markup.

// Reading limits: what a chair scrolls through in a meeting, not a book.
const (
	MaxReadings          = 20    // per group
	MaxReadingTitleLen   = 100   // characters
	MaxReadingTextLen    = 12000 // characters
	MaxReadingParagraphs = 120   // blank-line separated paragraphs
	maxReadingsTotalLen  = 60000 // characters in all of a group's readings
)

// Reading is one text of a group, in the group's order.
type Reading struct {
	ID    int64 // the store sets it; kept while the reading is edited or moved
	Title string
	Text  string
}

// Paragraphs splits the text at blank lines, trimmed, without empty ones.
// Line breaks inside a paragraph are kept (a reading may have verse lines).
func (r Reading) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(normalizeNewlines(r.Text), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// NormalizeReadings trims titles and turns \r\n line ends (as forms send
// them) into \n, in place.
func NormalizeReadings(rs []Reading) {
	for i := range rs {
		rs[i].Title = strings.TrimSpace(rs[i].Title)
		rs[i].Text = strings.TrimSpace(normalizeNewlines(rs[i].Text))
	}
}

// ValidateReadings checks a group's whole list of readings and reports all
// problems at once; fields are named readings[i].title and readings[i].text.
func ValidateReadings(rs []Reading) error {
	var v ValidationError
	if len(rs) > MaxReadings {
		v.add("readings", "%d readings given; a group keeps at most %d", len(rs), MaxReadings)
		return v.err()
	}
	seen := map[int64]bool{}
	total := 0
	for i, r := range rs {
		field := fmt.Sprintf("readings[%d]", i)
		checkText(&v, field+".title", r.Title, MaxReadingTitleLen, true)
		checkText(&v, field+".text", r.Text, MaxReadingTextLen, true)
		if n := len(r.Paragraphs()); n > MaxReadingParagraphs {
			v.add(field+".text", "the text has %d paragraphs; the limit is %d", n, MaxReadingParagraphs)
		}
		if r.ID < 0 || (r.ID > 0 && seen[r.ID]) {
			v.add(field+".id", "reading %d is listed twice or is not a reading id", r.ID)
		}
		seen[r.ID] = r.ID > 0
		total += utf8.RuneCountInString(r.Text)
	}
	if total > maxReadingsTotalLen {
		v.add("readings", "the readings hold %d characters together; the limit is %d", total, maxReadingsTotalLen)
	}
	return v.err()
}
