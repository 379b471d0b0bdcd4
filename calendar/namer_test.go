package calendar

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/hearth-recovery/hearth/meetings"
)

// fakeNamer serves Spanish and French names for the fixture's format and
// types (cmd/hearth tests the real catalogs).
type fakeNamer struct{}

var fakeNames = map[string]map[string]string{
	"es": {"12-step": "12 Pasos", "O": "Abierta", "D": "Discusión", "other": "Otro programa"},
	"fr": {"12-step": "12 étapes", "O": "Ouverte", "D": "Discussion", "other": "Autre programme"},
}

func (fakeNamer) Language(tag string) (string, bool) {
	base, _, _ := strings.Cut(tag, "-")
	_, ok := fakeNames[base]
	return base, ok
}

func (fakeNamer) FormatName(lang string, f meetings.Format) string { return fakeNames[lang][string(f)] }

func (fakeNamer) ProgramName(lang string, p meetings.Program) string {
	if p == "other" {
		return fakeNames[lang]["other"]
	}
	return string(p)
}

func (fakeNamer) TypeName(lang, code string) string { return fakeNames[lang][code] }

func newNamedFeed(t testing.TB) *Feed {
	t.Helper()
	f, err := NewFeed(FeedConfig{PublicURL: "https://meet.example.org", Namer: fakeNamer{},
		Now: func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// feedEvents is each VEVENT's UID+RECURRENCE-ID with its SUMMARY and its
// CATEGORIES, decoded.
func feedEvents(t *testing.T, body string) (summaries map[string]string, cats map[string][]string) {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("feed does not decode: %v", err)
	}
	summaries, cats = map[string]string{}, map[string][]string{}
	for _, ev := range cal.Events() {
		id := ev.Props.Get(ical.PropUID).Value
		if r := ev.Props.Get(ical.PropRecurrenceID); r != nil {
			id += " " + r.Value
		}
		summaries[id] = ev.Props.Get(ical.PropSummary).Value
		c, err := ev.Props.Get(ical.PropCategories).TextList()
		if err != nil {
			t.Fatal(err)
		}
		cats[id] = c
	}
	return summaries, cats
}

// TestFeedInLanguage: ?lang=es names the categories and the description's
// types in Spanish and changes nothing else a calendar app keys on (UID,
// SUMMARY, the times); without ?lang= the feed is byte for byte the feed
// of a server that has no names at all; the languages never mix in the
// render or VEVENT caches, whatever order they are asked in.
func TestFeedInLanguage(t *testing.T) {
	src := &fakeSource{entries: dstFixture(), modified: testUpdated}
	named := http.NewServeMux()
	NewHandler(newNamedFeed(t), src, slog.New(slog.DiscardHandler)).Register(named)
	plain := http.NewServeMux()
	NewHandler(newTestFeed(t), src, slog.New(slog.DiscardHandler)).Register(plain)
	get := func(mux *http.ServeMux, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}

	for _, path := range []string{"/calendar/all.ics", "/calendar/meeting/ny-evening.ics"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		// Asked in turn, so that each language follows a cached other one.
		order := []string{"", "es", "fr", "", "es-MX", "fr", "es"}
		want := get(plain, path).Body.String()
		sums, _ := feedEvents(t, want)
		for _, lang := range order {
			p := path
			if lang != "" {
				p += sep + "lang=" + lang
			}
			rec := get(named, p)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", p, rec.Code, body)
			}
			if lang == "" {
				if body != want {
					t.Errorf("GET %s: without ?lang= the feed differs from a server without names", p)
				}
				if rec.Header().Get("Content-Language") != "" {
					t.Errorf("GET %s: Content-Language %q without ?lang=", p, rec.Header().Get("Content-Language"))
				}
				continue
			}
			base, _, _ := strings.Cut(lang, "-")
			if got := rec.Header().Get("Content-Language"); got != base {
				t.Errorf("GET %s: Content-Language %q, want %q", p, got, base)
			}
			gotSums, cats := feedEvents(t, body)
			if !equalMaps(gotSums, sums) {
				t.Errorf("GET %s: UIDs or SUMMARYs changed: %v, want %v", p, gotSums, sums)
			}
			names := fakeNames[base]
			for id, c := range cats {
				wantCats := []string{"AA", names["12-step"], names["O"], names["D"]}
				if strings.Join(c, "|") != strings.Join(wantCats, "|") {
					t.Errorf("GET %s: %s CATEGORIES %q, want %q", p, id, c, wantCats)
				}
			}
			unfolded := strings.ReplaceAll(body, "\r\n ", "")
			if !strings.Contains(unfolded, "Types: "+names["O"]+"\\, "+names["D"]) {
				t.Errorf("GET %s: description's types not in %s", p, base)
			}
			if strings.Contains(unfolded, "Open") {
				t.Errorf("GET %s: an English type name is left", p)
			}
			// Only the names change: the feed in English differs from this
			// one in CATEGORIES and the Types line alone.
			if diff := differingProps(want, body); len(diff) != 2 || diff[0] != "CATEGORIES" || diff[1] != "DESCRIPTION" {
				t.Errorf("GET %s: properties that differ from the untranslated feed: %v", p, diff)
			}
		}
	}
}

// differingProps names the properties whose values differ between two
// feeds with the same events in the same order.
func differingProps(a, b string) []string {
	la := strings.Split(strings.ReplaceAll(a, "\r\n ", ""), "\r\n")
	lb := strings.Split(strings.ReplaceAll(b, "\r\n ", ""), "\r\n")
	if len(la) != len(lb) {
		return []string{"line count"}
	}
	seen := map[string]bool{}
	for i := range la {
		if la[i] != lb[i] {
			name, _, _ := strings.Cut(la[i], ":")
			name, _, _ = strings.Cut(name, ";")
			seen[name] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestFeedLanguageRefusedOrFallsBack: a value that is not a language tag
// is refused with a readable 400; a well-formed language no catalog serves
// gets the untranslated feed, labelled Content-Language: en, as the pages
// fall back to their default instead of failing (a calendar app polling a
// subscription shows nobody an error).
func TestFeedLanguageRefusedOrFallsBack(t *testing.T) {
	src := &fakeSource{entries: dstFixture(), modified: testUpdated}
	mux := http.NewServeMux()
	NewHandler(newNamedFeed(t), src, slog.New(slog.DiscardHandler)).Register(mux)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	plain := get("/calendar/all.ics").Body.String()
	for _, p := range []string{"/calendar/all.ics?lang=de", "/calendar/meeting/kolkata.ics?lang=tlh"} {
		rec := get(p)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Language") != "en" {
			t.Errorf("GET %s: %d, Content-Language %q; want the untranslated feed in en", p, rec.Code, rec.Header().Get("Content-Language"))
		}
		if strings.HasPrefix(p, "/calendar/all.ics") && rec.Body.String() != plain {
			t.Errorf("GET %s: not the untranslated feed", p)
		}
	}
	for _, p := range []string{"/calendar/all.ics?lang=%21%21", "/calendar/all.ics?lang=", "/calendar/all.ics?lang=es&lang=fr",
		"/calendar/meeting/kolkata.ics?lang=" + strings.Repeat("a", 40)} {
		rec := get(p)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "lang") {
			t.Errorf("GET %s: %d %q, want 400 saying what lang must be", p, rec.Code, rec.Body.String())
		}
	}
}

// TestSubscribeLinksCarryLanguage: links made in a language ask the feed
// for it, and the size the subscribe page shows is that feed's.
func TestSubscribeLinksCarryLanguage(t *testing.T) {
	src := &fakeSource{entries: dstFixture(), modified: testUpdated}
	feed := newNamedFeed(t)
	h := NewHandler(feed, src, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.Register(mux)
	l := feed.Links().InLanguage("es")
	if got := l.Subscribe(meetings.Filter{Format: meetings.Format12Step}).HTTPS; got != "https://meet.example.org/calendar/format/12-step.ics?lang=es" {
		t.Errorf("filter link %q", got)
	}
	if got := l.MeetingSubscribe("ny-evening").HTTPS; got != "https://meet.example.org/calendar/meeting/ny-evening.ics?lang=es" {
		t.Errorf("meeting link %q", got)
	}
	size, err := h.Size(t.Context(), l, meetings.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, l.Subscribe(meetings.Filter{}).HTTPS, nil))
	if !strings.Contains(rec.Body.String(), "Abierta") || size.Bytes != rec.Body.Len() {
		t.Errorf("Spanish feed: %d bytes, size said %d", rec.Body.Len(), size.Bytes)
	}
}
