package main

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-ical"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// countingStore counts full schedule reads, which a feed makes only when it
// renders.
type countingStore struct {
	meetings.Store
	lists *atomic.Int64
}

func (c countingStore) ListMeetings(ctx context.Context, f meetings.Filter) ([]meetings.Meeting, error) {
	c.lists.Add(1)
	return c.Store.ListMeetings(ctx, f)
}

// TestCalendarWithoutPublicURL: without --public-url the feed is built once,
// so a second poll is served from the render cache, while each host name
// still gets links to itself.
func TestCalendarWithoutPublicURL(t *testing.T) {
	cfg := serveConfig{DataDir: t.TempDir(), Demo: true, AdminToken: "a-test-admin-token-123", LogFormat: "text",
		LogLevel: "info", RTC: rtcConfig{LoopbackOnly: true}}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	var lists atomic.Int64
	a.store = countingStore{Store: a.store, lists: &lists}
	if err := a.buildCalendar(); err != nil {
		t.Fatal(err)
	}
	h := routes(a)
	get := func(host, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "http://"+host+"/calendar/all.ics", nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	first := get("one.example", "")
	if first.Code != http.StatusOK || !strings.Contains(first.Body.String(), "http://one.example/m/") {
		t.Fatalf("first poll: %d, links to one.example: %v", first.Code, strings.Contains(first.Body.String(), "one.example"))
	}
	if rec := get("one.example", ""); rec.Code != http.StatusOK || rec.Body.String() != first.Body.String() {
		t.Fatalf("second poll: %d", rec.Code)
	}
	if rec := get("one.example", first.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("conditional poll: %d, want 304", rec.Code)
	}
	if n := lists.Load(); n != 1 {
		t.Errorf("three polls of an unchanged feed read the schedule %d times, want 1 (the render cache missed)", n)
	}
	other := get("two.example:8080", "")
	if !strings.Contains(other.Body.String(), "http://two.example:8080/m/") || strings.Contains(other.Body.String(), "one.example") {
		t.Error("a second host name got the first one's links")
	}
	dav := httptest.NewRequest("PROPFIND", "http://two.example:8080/dav/public/calendars/all/", nil)
	dav.Header.Set("Depth", "0")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, dav)
	if rec.Code != http.StatusMultiStatus {
		t.Errorf("CalDAV without a public URL: %d", rec.Code)
	}
}

// TestCalDAVDiscoveryAtRoot: CalDAV clients pointed at the bare host find
// the principal, while browsers still get the schedule page at /.
func TestCalDAVDiscoveryAtRoot(t *testing.T) {
	srv := testApp(t, true)
	req, _ := http.NewRequest("PROPFIND", srv.URL+"/", strings.NewReader(`<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>`))
	req.Header.Set("Depth", "0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus || !strings.Contains(string(body), "<d:href>/dav/public/</d:href>") {
		t.Errorf("PROPFIND /: %d %s", resp.StatusCode, body)
	}
	if code, page := get(t, srv.URL+"/"); code != http.StatusOK || !strings.Contains(page, "<html") {
		t.Errorf("GET / after CalDAV discovery moved in: %d", code)
	}
}

// TestFeedsInViewerLanguage: the subscribe page in each language links
// feeds that carry it, and those feeds name categories and types from the
// same catalogs as the pages ("Abierta" where the Spanish schedule says
// it), while every UID and SUMMARY is the one of the feed without ?lang=.
func TestFeedsInViewerLanguage(t *testing.T) {
	srv := testApp(t, true)
	cat, err := i18n.Load(i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, plain := get(t, srv.URL+"/calendar/all.ics")
	plainCal, err := ical.NewDecoder(strings.NewReader(plain)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	byUID := map[string]*ical.Event{}
	for _, ev := range plainCal.Events() {
		if ev.Props.Get(ical.PropRecurrenceID) == nil {
			byUID[ev.Props.Get(ical.PropUID).Value] = &ev
		}
	}
	href := regexp.MustCompile(`href="(http[^"]*/calendar/all\.ics[^"]*)"`)
	for _, lang := range []string{"es", "fr", "pt-BR"} {
		_, page := get(t, srv.URL+"/subscribe?lang="+lang)
		m := href.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("/subscribe?lang=%s links no all.ics feed", lang)
		}
		link := html.UnescapeString(m[1])
		if !strings.HasSuffix(link, "?lang="+lang) {
			t.Errorf("/subscribe?lang=%s links %s, without the viewer's language", lang, link)
		}
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		cal, err := ical.NewDecoder(resp.Body).Decode()
		resp.Body.Close()
		if err != nil || resp.Header.Get("Content-Language") != lang {
			t.Fatalf("GET %s: %v, Content-Language %q", link, err, resp.Header.Get("Content-Language"))
		}
		l := cat.Lang(lang)
		masters := 0
		for _, ev := range cal.Events() {
			if ev.Props.Get(ical.PropRecurrenceID) != nil {
				continue
			}
			masters++
			uid := ev.Props.Get(ical.PropUID).Value
			en, ok := byUID[uid]
			if !ok || en.Props.Get(ical.PropSummary).Value != ev.Props.Get(ical.PropSummary).Value {
				t.Errorf("%s: event %s is not the untranslated feed's (same UID and SUMMARY)", lang, uid)
				continue
			}
			enCats, _ := en.Props.Get(ical.PropCategories).TextList()
			cats, _ := ev.Props.Get(ical.PropCategories).TextList()
			want := []string{l.ProgramName(meetings.ProgramSlug(meetings.Program(enCats[0])), enCats[0]), l.FormatName(enCats[1])}
			for _, typeName := range enCats[2:] {
				want = append(want, l.TypeName(typeCodeOf(t, typeName)))
			}
			if strings.Join(cats, "|") != strings.Join(want, "|") {
				t.Errorf("%s: %s CATEGORIES %q, want %q", lang, uid, cats, want)
			}
		}
		if masters != len(byUID) || masters == 0 {
			t.Errorf("%s feed holds %d series, the untranslated one %d", lang, masters, len(byUID))
		}
	}
	if _, es := get(t, srv.URL+"/calendar/all.ics?lang=es"); !strings.Contains(es, "Abierta") && !strings.Contains(es, "Cerrada") {
		t.Error("the demo's Spanish feed names no open or closed meeting in Spanish")
	}
}

// typeCodeOf finds the Meeting Guide code of an English type name.
func typeCodeOf(t *testing.T, english string) string {
	t.Helper()
	for _, tc := range meetings.TypeCodes() {
		if tc.English == english {
			return tc.Code
		}
	}
	t.Fatalf("no type code is named %q", english)
	return ""
}
