// Package i18n holds Hearth's message catalogs, one JSON file per language
// in locales/, and the locale data (CLDR weekday and month names, time
// formats, plural rules, language names) that pages and the room need.
//
// Every user-facing string lives in a catalog: Go code and templates ask a
// Lang for it by ID, and the browser modules get the same messages from the
// page (Lang.Script). English (en.json) is the reference: a test fails when
// another catalog misses one of its keys or has one it lacks.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/go-playground/locales"
	cldren "github.com/go-playground/locales/en"
	cldres "github.com/go-playground/locales/es_419"
	cldrfr "github.com/go-playground/locales/fr"
	cldrpt "github.com/go-playground/locales/pt_BR"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFiles embed.FS

// Pseudo is the pseudo-locale's tag: English with every message accented
// and wrapped in ⟦ ⟧, so a test can see any text that is not from a catalog.
// It exists only in catalogs loaded with Options.Pseudo.
const Pseudo = "en-XA"

// Reference is the catalog every other one is checked against.
const Reference = "en"

// cldrData maps a catalog's tag to its CLDR locale data (dates, times).
// Adding a language: add locales/<tag>.json and its line here.
var cldrData = map[string]func() locales.Translator{
	"en":    cldren.New,
	"es":    cldres.New, // Latin American Spanish (es-419)
	"fr":    cldrfr.New,
	"pt-BR": cldrpt.New,
}

// Options tune a Catalog.
type Options struct {
	// Pseudo adds the pseudo-locale (tests only).
	Pseudo bool
}

// Catalog is every language's messages. It is read-only after Load and safe
// for concurrent use.
type Catalog struct {
	bundle   *i18n.Bundle
	tags     []string                            // catalog tags, Reference first, then sorted
	real     []string                            // tags without the pseudo-locale, matcher's order
	matcher  language.Matcher                    // over real
	messages map[string]map[string]*i18n.Message // tag -> id -> message
	cldr     map[string]locales.Translator
}

// Load reads the embedded catalogs.
func Load(opt Options) (*Catalog, error) {
	return load(localeFiles, opt)
}

func load(files fs.FS, opt Options) (*Catalog, error) {
	c := &Catalog{
		bundle:   i18n.NewBundle(language.English),
		messages: map[string]map[string]*i18n.Message{},
		cldr:     map[string]locales.Translator{},
	}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	names, err := fs.Glob(files, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalogs: %w", err)
	}
	for _, name := range names {
		if err := c.loadFile(files, name); err != nil {
			return nil, err
		}
	}
	if c.messages[Reference] == nil {
		return nil, fmt.Errorf("i18n: no %s catalog", Reference)
	}
	if opt.Pseudo {
		if err := c.addPseudo(); err != nil {
			return nil, err
		}
	}
	sort.Slice(c.tags, func(i, j int) bool {
		if (c.tags[i] == Reference) != (c.tags[j] == Reference) {
			return c.tags[i] == Reference
		}
		return c.tags[i] < c.tags[j]
	})
	var parsed []language.Tag
	for _, t := range c.tags {
		if t != Pseudo {
			c.real = append(c.real, t)
			parsed = append(parsed, language.MustParse(t))
		}
	}
	c.matcher = language.NewMatcher(parsed)
	return c, nil
}

func (c *Catalog) loadFile(files fs.FS, name string) error {
	buf, err := fs.ReadFile(files, name)
	if err != nil {
		return fmt.Errorf("i18n: read %s: %w", name, err)
	}
	tag := strings.TrimSuffix(path.Base(name), ".json")
	newCLDR, ok := cldrData[tag]
	if !ok {
		return fmt.Errorf("i18n: %s has no CLDR locale data: add it to cldrData", name)
	}
	mf, err := c.bundle.ParseMessageFileBytes(buf, name)
	if err != nil {
		return fmt.Errorf("i18n: parse %s: %w", name, err)
	}
	c.add(tag, mf.Messages, newCLDR())
	return nil
}

func (c *Catalog) add(tag string, msgs []*i18n.Message, cldr locales.Translator) {
	byID := make(map[string]*i18n.Message, len(msgs))
	for _, m := range msgs {
		byID[m.ID] = m
	}
	c.messages[tag] = byID
	c.cldr[tag] = cldr
	c.tags = append(c.tags, tag)
}

// Tags lists the catalogs' language tags, English first, without the
// pseudo-locale (which only an explicit ?lang= selects).
func (c *Catalog) Tags() []string { return append([]string(nil), c.real...) }

// AllTags is Tags plus the pseudo-locale when it is loaded.
func (c *Catalog) AllTags() []string { return append([]string(nil), c.tags...) }

// IDs lists the message IDs of one catalog, sorted.
func (c *Catalog) IDs(tag string) []string {
	ids := make([]string, 0, len(c.messages[tag]))
	for id := range c.messages[tag] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Message returns one raw message (nil when missing), for tests.
func (c *Catalog) Message(tag, id string) *i18n.Message { return c.messages[tag][id] }

// Supported returns the catalog tag that s names exactly or by its base
// language ("pt" -> "pt-BR", "es-MX" -> "es"), and false for anything else.
func (c *Catalog) Supported(s string) (string, bool) {
	if s == "" || len(s) > 35 {
		return "", false
	}
	t, err := language.Parse(s)
	if err != nil {
		return "", false
	}
	for _, tag := range c.tags {
		if strings.EqualFold(tag, t.String()) {
			return tag, true
		}
	}
	_, i, conf := c.matcher.Match(t)
	if conf >= language.High && sameBase(t, c.real[i]) {
		return c.real[i], true
	}
	return "", false
}

// sameBase guards against the matcher's wider guesses (it offers English
// for Klingon with high confidence): a catalog serves its own language only.
func sameBase(t language.Tag, tag string) bool {
	a, _ := t.Base()
	b, _ := language.MustParse(tag).Base()
	return a == b
}

// Match picks the catalog for an Accept-Language header: the first
// language in the member's order of preference that has one ("de, fr;q=0.5"
// gives fr), false when none has.
func (c *Catalog) Match(acceptLanguage string) (string, bool) {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return "", false
	}
	for _, p := range prefs {
		if tag, ok := c.Supported(p.String()); ok && tag != Pseudo {
			return tag, true
		}
	}
	return "", false
}
