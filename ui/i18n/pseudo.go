package i18n

import (
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

const (
	pseudoOpen  = "⟦"
	pseudoClose = "⟧"
)

// accents makes pseudo-locale text visibly different but still readable.
var accents = strings.NewReplacer(
	"a", "á", "e", "é", "i", "í", "o", "ö", "u", "ü", "c", "ç", "n", "ñ", "y", "ý",
	"A", "Á", "E", "É", "I", "Í", "O", "Ö", "U", "Ü", "C", "Ç", "N", "Ñ", "Y", "Ý",
)

// addPseudo derives the pseudo-locale from English: each form accented
// (outside {{ }} template actions) and wrapped in ⟦ ⟧.
func (c *Catalog) addPseudo() error {
	var msgs []*i18n.Message
	for _, m := range c.messages[Reference] {
		p := *m
		for _, f := range []*string{&p.Zero, &p.One, &p.Two, &p.Few, &p.Many, &p.Other} {
			if *f != "" {
				*f = pseudoOpen + accentOutsideActions(*f) + pseudoClose
			}
		}
		msgs = append(msgs, &p)
	}
	// Separators and patterns that only join other texts stay as English,
	// so that the joined parts keep their own marks.
	for _, m := range msgs {
		if m.ID == "list.separator" || m.ID == "list.and" || strings.HasPrefix(m.ID, "date.") {
			*m = *c.messages[Reference][m.ID]
		}
	}
	if err := c.bundle.AddMessages(mustTag(Pseudo), msgs...); err != nil {
		return err
	}
	c.add(Pseudo, msgs, c.cldr[Reference])
	return nil
}

func accentOutsideActions(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(accents.Replace(s))
			return b.String()
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			b.WriteString(accents.Replace(s))
			return b.String()
		}
		b.WriteString(accents.Replace(s[:i]))
		b.WriteString(s[i : i+j+2])
		s = s[i+j+2:]
	}
}

func mustTag(s string) language.Tag { return language.MustParse(s) }
