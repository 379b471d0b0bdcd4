package i18n

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// Check compares every catalog with English: a key English has and the
// catalog lacks, a key the catalog has and English lacks, a plural message
// without its forms, and a placeholder ({{.Name}}) that the translation
// drops or invents are each an error. The completeness test runs it.
func (c *Catalog) Check() error {
	ref := c.messages[Reference]
	var errs []error
	for _, tag := range c.real {
		if tag == Reference {
			continue
		}
		msgs := c.messages[tag]
		for _, id := range sortedIDs(ref) {
			m, ok := msgs[id]
			if !ok {
				errs = append(errs, fmt.Errorf("%s.json lacks %q (English: %q)", tag, id, ref[id].Other))
				continue
			}
			errs = append(errs, checkMessage(tag, ref[id], m)...)
		}
		for _, id := range sortedIDs(msgs) {
			if _, ok := ref[id]; !ok {
				errs = append(errs, fmt.Errorf("%s.json has %q, which en.json lacks", tag, id))
			}
		}
	}
	return errors.Join(errs...)
}

func sortedIDs(m map[string]*i18n.Message) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

func checkMessage(tag string, ref, m *i18n.Message) []error {
	var errs []error
	if m.Other == "" {
		errs = append(errs, fmt.Errorf("%s.json: %q is empty", tag, ref.ID))
	}
	plural := ref.One != ""
	if plural && m.One == "" {
		errs = append(errs, fmt.Errorf("%s.json: %q is a plural message in English and needs a \"one\" form", tag, ref.ID))
	}
	if !plural && m.One != "" {
		errs = append(errs, fmt.Errorf("%s.json: %q has plural forms but English has none", tag, ref.ID))
	}
	want, got := placeholders(ref.Other), placeholders(m.Other)
	if !slices.Equal(want, got) {
		errs = append(errs, fmt.Errorf("%s.json: %q uses placeholders %v, English %v", tag, ref.ID, got, want))
	}
	for _, form := range []string{m.Zero, m.One, m.Two, m.Few, m.Many} {
		for _, p := range placeholders(form) {
			if !slices.Contains(want, p) {
				errs = append(errs, fmt.Errorf("%s.json: %q uses {{.%s}}, which English does not fill", tag, ref.ID, p))
			}
		}
	}
	return errs
}
