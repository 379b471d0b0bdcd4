package ui

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/i18n"
)

func getLang(t *testing.T, h http.Handler, path, accept string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestLanguageChoice(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	tests := []struct {
		name, path, accept string
		cookie             string
		want               string
	}{
		{"browser Spanish", "/", "es-MX,es;q=0.9", "", "es"},
		{"browser Portuguese", "/", "pt", "", "pt-BR"},
		{"nothing we have", "/", "de-DE,de;q=0.9", "", "en"},
		{"link wins over browser", "/?lang=fr", "es", "", "fr"},
		{"cookie wins over browser", "/", "es", "pt-BR", "pt-BR"},
		{"bad cookie is ignored", "/", "fr", "xx-<b>", "fr"},
		{"a Spanish meeting greets in Spanish", "/m/madrid-manana/join", "en-US,en;q=0.9", "", "es"},
		{"its page too", "/m/madrid-manana", "", "", "es"},
		{"unless the member chose", "/m/madrid-manana/join", "", "en", "en"},
		{"an English meeting opens in English", "/m/monday-night/join", "fr", "", "en"},
		{"the schedule follows the browser", "/", "fr", "", "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cookies []*http.Cookie
			if tt.cookie != "" {
				cookies = append(cookies, &http.Cookie{Name: langCookie, Value: tt.cookie})
			}
			body := getLang(t, h, tt.path, tt.accept, cookies...).Body.String()
			mustContain(t, body, `<html lang="`+tt.want+`"`, `<option value="`+tt.want+`" lang="`+tt.want+`" selected>`)
		})
	}
	rec := getLang(t, h, "/?lang=es&format=smart&time=evening", "")
	var saved *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == langCookie {
			saved = c
		}
	}
	if saved == nil || saved.Value != "es" || saved.SameSite != http.SameSiteLaxMode {
		t.Fatalf("lang cookie: %v", rec.Result().Cookies())
	}
	// The picker keeps the filters and drops the old choice.
	mustContain(t, rec.Body.String(), `<input type="hidden" name="format" value="smart">`,
		`<input type="hidden" name="time" value="evening">`)
	mustNotContain(t, rec.Body.String(), `type="hidden" name="lang"`)
}

func TestDefaultLanguage(t *testing.T) {
	h, err := New(Config{Reader: sampleSchedule(), Feeds: fakeLinks, Static: os.DirFS("static"),
		DefaultLanguage: "pt", Now: func() time.Time { return testNow }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, getLang(t, h, "/", "de").Body.String(), `<html lang="pt-BR"`, "Reuniões")
	if _, err := New(Config{Reader: sampleSchedule(), Feeds: fakeLinks, Static: os.DirFS("static"),
		DefaultLanguage: "tlh"}, nil); err == nil {
		t.Error("New accepted a default language with no catalog")
	}
}

// TestEveryPageTranslated renders every page in every language: each has
// its <html lang>, and none shows an English message that its catalog
// translates (a template or Go string that skipped the catalog would).
func TestEveryPageTranslated(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	cat, err := i18n.Load(i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	en := cat.Lang("en")
	paths := []string{"/", "/?format=%3Cx%3E", "/m/monday-night", "/m/madrid-manana", "/m/monday-night/join",
		"/subscribe", "/admin/", "/m/nope"}
	for _, tag := range cat.Tags()[1:] {
		l := cat.Lang(tag)
		for _, path := range paths {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			body := getLang(t, h, path+sep+"lang="+tag, "").Body.String()
			if !strings.Contains(body, `<html lang="`+tag+`"`) {
				t.Errorf("%s %s: no <html lang=%q>", tag, path, tag)
			}
			for _, id := range cat.IDs("en") {
				english := en.T(id)
				if len(english) < 12 || strings.Contains(english, "{{") || english == l.T(id) ||
					strings.HasPrefix(id, "type.") || strings.HasPrefix(id, "date.") {
					continue
				}
				if strings.Contains(body, ">"+english+"<") {
					t.Errorf("%s %s shows English %q (%s)", tag, path, english, id)
				}
			}
		}
	}
}
