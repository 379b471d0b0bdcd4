package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

func mustLoad(t *testing.T, opt Options) *Catalog {
	t.Helper()
	c, err := Load(opt)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// TestCatalogsComplete is the completeness test: every catalog has exactly
// English's keys, plural forms where English has them and the same
// placeholders.
func TestCatalogsComplete(t *testing.T) {
	c := mustLoad(t, Options{})
	if got := c.Tags(); strings.Join(got, " ") != "en es fr pt-BR" {
		t.Fatalf("catalogs %v", got)
	}
	if err := c.Check(); err != nil {
		t.Errorf("catalogs differ from en.json:\n%v", err)
	}
}

// TestCheckFindsGaps shows that Check fails on a missing key, an extra key,
// a lost plural and a changed placeholder.
func TestCheckFindsGaps(t *testing.T) {
	files := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"a": "A {{.Name}}", "b": "B", "n": {"one": "{{.Count}} day", "other": "{{.Count}} days"}}`)},
		"locales/es.json": {Data: []byte(`{"a": "A {{.Nombre}}", "c": "C", "n": "días"}`)},
	}
	c, err := load(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Check()
	if err == nil {
		t.Fatal("Check passed a catalog with gaps")
	}
	for _, want := range []string{`es.json lacks "b"`, `es.json has "c"`, `"n" is a plural message`, `"a" uses placeholders [Nombre]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check error lacks %q:\n%v", want, err)
		}
	}
}

// TestTypeNamesFollowTheSpec: the catalogs name every Meeting Guide type
// code meetings knows, English exactly as the meetings table has it.
func TestTypeNamesFollowTheSpec(t *testing.T) {
	c := mustLoad(t, Options{})
	for _, tc := range meetings.TypeCodes() {
		if got := c.Lang("en").TypeName(tc.Code); got != tc.English {
			t.Errorf("type %s: en.json %q, meetings %q", tc.Code, got, tc.English)
		}
	}
	if got := c.Lang("es").TypeNames([]string{"O", "B", "nope"}); got != "Abierta, Libro Grande, nope" {
		t.Errorf("Spanish type names %q", got)
	}
	if got := c.Lang("fr").TypeName("SP"); got != "Conférencier" {
		t.Errorf("French SP %q", got)
	}
}

// TestProgramNamesFollowTheDefaults: a catalog names a default program
// exactly as the default list does in English, names only default
// programs, and a program it lacks keeps its stored name.
func TestProgramNamesFollowTheDefaults(t *testing.T) {
	c := mustLoad(t, Options{})
	en := c.Lang("en")
	named := 0
	for _, p := range meetings.DefaultPrograms() {
		if got := en.ProgramName(p.Slug, "?"); got != "?" {
			named++
			if got != p.Name {
				t.Errorf("program %s: en.json %q, default list %q", p.Key, got, p.Name)
			}
		}
	}
	for _, id := range c.IDs(Reference) {
		slug, ok := strings.CutPrefix(id, "program.")
		if ok && !slices.ContainsFunc(meetings.DefaultPrograms(), func(p meetings.ProgramInfo) bool { return p.Slug == slug }) {
			t.Errorf("%s names no default program", id)
		}
	}
	if named < 20 {
		t.Errorf("the catalogs name %d default programs", named)
	}
	if got := c.Lang("es").ProgramName("ga", "Gamblers Anonymous"); got != "Jugadores Anónimos" {
		t.Errorf("Spanish GA %q", got)
	}
	if got := c.Lang("pt-BR").ProgramName("recovery-circles", "Recovery Circles"); got != "Recovery Circles" {
		t.Errorf("an admin's program in Portuguese: %q", got)
	}
}

func TestMatching(t *testing.T) {
	c := mustLoad(t, Options{Pseudo: true})
	for header, want := range map[string]string{
		"es-MX,es;q=0.9,en;q=0.5": "es", "pt": "pt-BR", "pt-BR,pt;q=0.9": "pt-BR", "fr-CA": "fr",
		"en-US,en;q=0.9": "en", "de-DE,de;q=0.9": "", "": "", "de, fr;q=0.5": "fr",
	} {
		got, ok := c.Match(header)
		if got != want || ok != (want != "") {
			t.Errorf("Match(%q) = %q, %v; want %q", header, got, ok, want)
		}
	}
	for s, want := range map[string]string{"es": "es", "ES": "es", "pt": "pt-BR", "en-XA": "en-XA", "xx": "", "<script>": ""} {
		if got, _ := c.Supported(s); got != want {
			t.Errorf("Supported(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestLocaleData: weekdays, months and times come from CLDR, plurals from
// the catalog by CLDR rules (French counts 0 as singular, Spanish does not).
func TestLocaleData(t *testing.T) {
	c := mustLoad(t, Options{})
	at := time.Date(2026, 11, 23, 18, 30, 0, 0, time.UTC)
	for tag, want := range map[string][2]string{
		"en": {"Monday, November 23", "6:30 pm"}, "es": {"lunes, 23 de noviembre", "18:30"},
		"fr": {"lundi 23 novembre", "18:30"}, "pt-BR": {"segunda-feira, 23 de novembro", "18:30"},
	} {
		l := c.Lang(tag)
		if got := l.DayMonth(at); got != want[0] {
			t.Errorf("%s DayMonth %q, want %q", tag, got, want[0])
		}
		if got := l.Time(at); got != want[1] {
			t.Errorf("%s Time %q, want %q", tag, got, want[1])
		}
	}
	if got := c.Lang("fr").N("duration.minutes", 0); got != "0 minute" {
		t.Errorf("fr 0 minutes: %q", got)
	}
	if got := c.Lang("es").N("duration.minutes", 0); got != "0 minutos" {
		t.Errorf("es 0 minutos: %q", got)
	}
	if got := c.Lang("es").LanguageNames([]string{"en", "es", "pt-BR"}); got != "inglés, español, portugués de Brasil" {
		t.Errorf("es language names %q", got)
	}
	if got := c.Lang("es").And([]string{"lunes", "jueves", "sábado"}); got != "lunes, jueves y sábado" {
		t.Errorf("es And %q", got)
	}
}

// TestPseudo: the pseudo-locale marks every message and every piece of
// locale data, and keeps placeholders working.
func TestPseudo(t *testing.T) {
	c := mustLoad(t, Options{Pseudo: true})
	l := c.Lang(Pseudo)
	if got := l.T("join.title", "Name", "Ana"); got != "⟦Jöíñ Ana⟧" {
		t.Errorf("pseudo join.title %q", got)
	}
	if got := l.Weekday(time.Monday); got != "⟦Monday⟧" {
		t.Errorf("pseudo weekday %q", got)
	}
	if got, _ := c.Match("en-XA"); got == Pseudo {
		t.Error("Accept-Language selected the pseudo-locale")
	}
	if len(mustLoad(t, Options{}).AllTags()) != 4 {
		t.Error("pseudo-locale loaded without Options.Pseudo")
	}
}
