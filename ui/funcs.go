package ui

import (
	"errors"
	"html/template"
	"net/url"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

func isNotFound(err error) bool { return errors.Is(err, meetings.ErrNotFound) }

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		// pathEscape keeps a slug safe inside a URL path segment.
		"pathEscape": url.PathEscape,
		"feedURL":    feedURL,
		// pair hands a sub-template the page language with its value.
		"pair": func(l *i18n.Lang, v any) langValue { return langValue{l, v} },
	}
}

// langValue is what pair gives a sub-template: .L and .V.
type langValue struct {
	L *i18n.Lang
	V any
}

// feedURL lets the calendar schemes through html/template's URL filter, which
// otherwise turns webcal: into "#ZgotmplZ". Only the schemes the FeedLinker
// produces pass; anything else becomes a harmless "#".
func feedURL(s string) template.URL {
	u, err := url.Parse(s)
	if err != nil {
		return "#"
	}
	switch u.Scheme {
	case "webcal", "webcals", "https", "http", "":
		return template.URL(u.String())
	}
	return "#"
}
