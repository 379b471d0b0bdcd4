package calendar

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/emersion/go-ical"
	"golang.org/x/text/language"

	"github.com/hearth-recovery/hearth/meetings"
)

// Namer names a feed's categories and meeting types in the language a
// ?lang= on the feed asks for. cmd/hearth implements it with the pages'
// catalogs, so a Spanish feed says "Abierta" exactly where the Spanish
// schedule does, and this package never reads the catalogs itself.
type Namer interface {
	// Language is the catalog tag that serves a BCP 47 tag ("es-MX" ->
	// "es", "pt" -> "pt-BR"), false when no catalog does.
	Language(tag string) (string, bool)
	// FormatName, ProgramName and TypeName name a format, a program and a
	// Meeting Guide type code in the catalog tag lang.
	FormatName(lang string, f meetings.Format) string
	ProgramName(lang string, p meetings.Program) string
	TypeName(lang, code string) string
}

// maxLangTag bounds ?lang= as the pages do (BCP 47 tags are short).
const maxLangTag = 35

// feedLanguage reads a feed's ?lang=: the catalog tag to name categories
// and types in, "" for the feed as it is without ?lang=. A value that is
// not a language tag is an error; a well-formed tag no catalog serves gets
// the untranslated feed (as the pages fall back to their default), because
// a calendar app polling a subscription shows nobody an error and would
// silently stop updating. served is what Content-Language says.
func feedLanguage(n Namer, q url.Values) (tag, served string, err error) {
	v, ok := q["lang"]
	if !ok {
		return "", "", nil
	}
	if len(v) != 1 || v[0] == "" || len(v[0]) > maxLangTag {
		return "", "", fmt.Errorf("lang must be one language tag such as es, fr or pt-BR")
	}
	if _, err := language.Parse(v[0]); err != nil {
		return "", "", fmt.Errorf("lang %q is not a language tag (such as es, fr or pt-BR)", v[0])
	}
	if n != nil {
		if tag, ok := n.Language(v[0]); ok {
			return tag, tag, nil
		}
	}
	return "", "en", nil
}

// InLanguage returns the view of f that names categories and types in the
// catalog tag lang ("" for the untranslated names); it shares f's caches,
// whose keys carry the language.
func (f *Feed) InLanguage(lang string) *Feed {
	c := *f
	c.lang = lang
	if f.cfg.Namer == nil {
		c.lang = ""
	}
	return &c
}

// categories lists the series' program, format and known types: the codes
// and the spec's English type names without a language, the catalog's names
// with one.
func (f *Feed) categories(s *meetings.Series) string {
	vals := []string{string(s.Program), string(s.Format)}
	if f.lang != "" {
		vals = []string{f.cfg.Namer.ProgramName(f.lang, s.Program), f.cfg.Namer.FormatName(f.lang, s.Format)}
	}
	for _, c := range s.Types {
		if t, ok := meetings.LookupType(c); ok {
			vals = append(vals, f.typeName(t))
		}
	}
	p := ical.NewProp(ical.PropCategories)
	p.SetTextList(vals)
	return p.Value
}

func (f *Feed) typeName(t meetings.TypeCode) string {
	if f.lang == "" {
		return t.English
	}
	return f.cfg.Namer.TypeName(f.lang, t.Code)
}

// typeNames is the description's "Types:" line; unknown codes are kept as
// they are, as meetings.TypeNames does.
func (f *Feed) typeNames(codes []string) string {
	if f.lang == "" {
		return meetings.TypeNames(codes)
	}
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = c
		if t, ok := meetings.LookupType(c); ok {
			names[i] = f.typeName(t)
		}
	}
	return strings.Join(names, ", ")
}
