package ui

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// langCookie remembers the language a member picked. Like the tz cookie it
// holds only a language tag, never who they are.
const langCookie = "lang"

// languageOf picks the page language: an explicit choice (?lang=, kept in a
// cookie; the picker submits it), else the meeting's own language for a
// meeting's pages (the one of its languages the browser prefers, if any),
// else Accept-Language, else the configured default.
func (h *Handler) languageOf(w http.ResponseWriter, r *http.Request, meetingLangs []string) *i18n.Lang {
	if q := r.URL.Query().Get("lang"); q != "" {
		if tag, ok := h.cat.Supported(q); ok {
			http.SetCookie(w, &http.Cookie{
				Name: langCookie, Value: tag, Path: "/", MaxAge: 400 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
			})
			return h.cat.Lang(tag)
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if tag, ok := h.cat.Supported(c.Value); ok {
			return h.cat.Lang(tag)
		}
	}
	accept := r.Header.Get("Accept-Language")
	if tag, ok := h.meetingLanguage(meetingLangs, accept); ok {
		return h.cat.Lang(tag)
	}
	if tag, ok := h.cat.Match(accept); ok {
		return h.cat.Lang(tag)
	}
	return h.cat.Lang(h.cfg.DefaultLanguage)
}

// meetingLanguage is the catalog for a meeting held in langs: the one the
// browser asks for when it asks for one of them, else the meeting's first
// language that has a catalog. A Spanish meeting greets in Spanish.
func (h *Handler) meetingLanguage(langs []string, accept string) (string, bool) {
	var have []string
	for _, l := range langs {
		if tag, ok := h.cat.Supported(l); ok && tag != i18n.Pseudo {
			have = append(have, tag)
		}
	}
	if len(have) == 0 {
		return "", false
	}
	if tag, ok := h.cat.Match(accept); ok {
		for _, t := range have {
			if t == tag {
				return t, true
			}
		}
	}
	return have[0], true
}

// langOption is one entry of the language picker, named in its own language.
type langOption struct {
	Tag, Name string
	Current   bool
}

func (h *Handler) languageOptions(current string) []langOption {
	tags := h.cat.Tags()
	if current == i18n.Pseudo {
		tags = append(tags, i18n.Pseudo)
	}
	out := make([]langOption, len(tags))
	for i, t := range tags {
		out[i] = langOption{Tag: t, Name: i18n.SelfName(t), Current: t == current}
	}
	return out
}

// keepParam is a query parameter the language picker carries over, so that
// changing the language keeps the schedule's filters.
type keepParam struct{ Name, Value string }

const maxKeptParams = 12

func keptParams(q url.Values) []keepParam {
	var out []keepParam
	for name, vals := range q {
		if name == "lang" || name == "tz" {
			continue
		}
		for _, v := range vals {
			if len(out) < maxKeptParams && len(v) <= meetings.MaxFilterValue {
				out = append(out, keepParam{name, v})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
