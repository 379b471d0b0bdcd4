package i18n

import (
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/locales"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Lang is one language's view of the catalog: messages, plurals, dates and
// names. It is cheap to make (one per request) and read-only.
type Lang struct {
	// Tag is the catalog's BCP 47 tag, as <html lang> and the picker use it.
	Tag    string
	cat    *Catalog
	loc    *i18n.Localizer
	cldr   locales.Translator
	names  display.Namer
	pseudo bool
}

// Lang returns the language for a catalog tag; an unknown tag gives English.
func (c *Catalog) Lang(tag string) *Lang {
	if _, ok := c.messages[tag]; !ok {
		tag = Reference
	}
	l := &Lang{Tag: tag, cat: c, cldr: c.cldr[tag], pseudo: tag == Pseudo}
	l.loc = i18n.NewLocalizer(c.bundle, tag, Reference)
	base := language.MustParse(tag)
	if l.pseudo {
		base = language.English
	}
	l.names = display.Tags(base)
	return l
}

// T returns message id filled with kv, pairs of a field name and its value
// ("Name", "Ana"). A missing message gives its English text, or the ID.
func (l *Lang) T(id string, kv ...any) string {
	return l.localize(id, nil, kv)
}

// Strong is T with one placeholder's value set in <strong>, for a message
// that stresses a value ("Times are shown in <strong>Asia/Tokyo</strong>.");
// the message and the value are both escaped.
func (l *Lang) Strong(id, field, value string) template.HTML {
	const mark = "\x00"
	parts := strings.Split(l.T(id, field, mark), mark)
	for i, p := range parts {
		parts[i] = template.HTMLEscapeString(p)
	}
	return template.HTML(strings.Join(parts, "<strong>"+template.HTMLEscapeString(value)+"</strong>"))
}

// N is T for a message with plural forms, chosen by count (CLDR rules);
// the template sees the count as .Count.
func (l *Lang) N(id string, count int, kv ...any) string {
	return l.localize(id, count, append(kv, "Count", count))
}

func (l *Lang) localize(id string, count any, kv []any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				data[k] = kv[i+1]
			}
		}
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return id
	}
	return s
}

// Time is a time of day in the locale's short format ("6:30 pm", "18:30").
func (l *Lang) Time(t time.Time) string {
	s := l.cldr.FmtTimeShort(t)
	// go-playground/locales writes the hour after midnight as "0:15 am" in
	// 12-hour locales; CLDR's "h" pattern says 12.
	if t.Hour() == 0 && strings.HasPrefix(s, "0:") && l.twelveHour() {
		s = "12" + s[1:]
	}
	return l.wrap(s)
}

func (l *Lang) twelveHour() bool {
	return !strings.Contains(l.cldr.FmtTimeShort(time.Date(2000, 1, 1, 13, 0, 0, 0, time.UTC)), "13")
}

// Bytes says a size in kB (whole, rounded up) or MB (one decimal) with the
// locale's decimal sign and unit names.
func (l *Lang) Bytes(n int) string {
	if n < 1000*1000 {
		return l.T("size.kB", "N", l.wrap(l.cldr.FmtNumber(float64((n+999)/1000), 0)))
	}
	return l.T("size.MB", "N", l.wrap(l.cldr.FmtNumber(float64(n)/1e6, 1)))
}

// Weekday is the locale's full weekday name.
func (l *Lang) Weekday(d time.Weekday) string {
	return l.wrap(l.cldr.WeekdayWide(d))
}

// Month is the locale's full month name (format form).
func (l *Lang) Month(m time.Month) string {
	return l.wrap(l.cldr.MonthWide(m))
}

// DayMonth is a date without the year: "Monday, November 23",
// "lunes, 23 de noviembre". Names come from CLDR, the order from the catalog.
func (l *Lang) DayMonth(t time.Time) string {
	return l.T("date.dayMonth", "Weekday", l.Weekday(t.Weekday()), "Day", t.Day(), "Month", l.Month(t.Month()))
}

// ShortDay is a weekday and time: "Mon 6:30 pm" in the meeting's own zone.
func (l *Lang) ShortDay(t time.Time) string {
	return l.T("date.weekdayTime", "Weekday", l.wrap(l.cldr.WeekdayAbbreviated(t.Weekday())), "Time", l.Time(t))
}

// Capital upper-cases the first letter, for a CLDR name that starts a
// heading ("lunes" -> "Lunes").
func Capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// LanguageName names a language tag in this language ("es" -> "español"
// in Spanish, "Spanish" in English); CLDR display names. A tag CLDR does not
// know is returned as it is.
func (l *Lang) LanguageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	n := l.names.Name(t)
	if n == "" {
		return tag
	}
	return l.wrap(n)
}

// SelfName names a catalog language in itself ("Español"), for the picker.
func SelfName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil || tag == Pseudo {
		return tag
	}
	return Capital(display.Tags(t).Name(t))
}

// TypeName is a Meeting Guide type code's name in this language (the
// spec's translations, kept in the catalogs as type.<code>); an unknown
// code is returned as it is.
func (l *Lang) TypeName(code string) string {
	id := "type." + code
	if _, ok := l.cat.messages[Reference][id]; !ok {
		return code
	}
	return l.T(id)
}

// FormatName names a meeting format ("12-step" -> "12 Pasos"); the pages
// and the calendar feeds (?lang=) both name formats here.
func (l *Lang) FormatName(format string) string { return l.T("format." + format) }

// ProgramName names a program in this language: the catalogs' name for
// it (program.<slug>, "program.aa" -> "Alcohólicos Anónimos") where they
// have one, else stored, the name kept with the program (an admin's own
// program, or a brand such as "SMART Recovery" that no language changes).
func (l *Lang) ProgramName(slug, stored string) string {
	id := "program." + slug
	if _, ok := l.cat.messages[Reference][id]; !ok {
		return stored
	}
	return l.T(id)
}

// TypeNames joins the names of several type codes.
func (l *Lang) TypeNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = l.TypeName(c)
	}
	return strings.Join(names, l.T("list.separator"))
}

// LanguageNames joins the names of several language tags.
func (l *Lang) LanguageNames(tags []string) string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = l.LanguageName(t)
	}
	return strings.Join(names, l.T("list.separator"))
}

// And joins items as "a, b and c" with the catalog's words.
func (l *Lang) And(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	head := strings.Join(items[:len(items)-1], l.T("list.separator"))
	return l.T("list.and", "Head", head, "Last", items[len(items)-1])
}

// Dir is the text direction of the language, for <html dir>.
func (l *Lang) Dir() string {
	t, _ := language.Parse(l.Tag)
	if s, _ := t.Script(); s.String() == "Arab" || s.String() == "Hebr" || s.String() == "Thaa" {
		return "rtl"
	}
	return "ltr"
}

// wrap marks locale data in the pseudo-locale, like catalog messages.
func (l *Lang) wrap(s string) string {
	if !l.pseudo {
		return s
	}
	return pseudoOpen + s + pseudoClose
}

// Script returns the messages whose IDs start with one of prefixes, for a
// browser module: id -> text, or id -> {one, other...} for plurals. The
// text keeps its {{.Field}} placeholders; ui/static/js/i18n.js fills them.
func (l *Lang) Script(prefixes ...string) map[string]any {
	out := map[string]any{}
	for id := range l.cat.messages[Reference] {
		if !hasAnyPrefix(id, prefixes) {
			continue
		}
		m := l.cat.messages[l.Tag][id]
		if m == nil {
			m = l.cat.messages[Reference][id]
		}
		out[id] = scriptForm(m)
	}
	return out
}

func scriptForm(m *i18n.Message) any {
	if m.One == "" && m.Few == "" && m.Many == "" && m.Zero == "" && m.Two == "" {
		return m.Other
	}
	forms := map[string]string{"other": m.Other}
	for k, v := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many} {
		if v != "" {
			forms[k] = v
		}
	}
	return forms
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
