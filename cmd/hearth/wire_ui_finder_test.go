package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// The schedule as a meeting finder (issue 12): search by name, group and
// notes, a weekday filter, browsing past the first week (the next page, a
// chosen date), Join straight from "In progress" and "Starting soon", and
// only the types in use offered. The API, which reads the same filter, is
// the oracle for what each filter selects.
func TestBrowserMeetingFinder(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	now := time.Now().UTC()
	postDaily(t, srv, "finder-live", "Finder Live Meeting", now.Add(-10*time.Minute))
	postDaily(t, srv, "finder-soon", "Finder Soon Meeting", now.Add(20*time.Minute))
	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/?tz=UTC")

	// Join from the highlighted rows, and only there.
	for _, c := range []struct{ section, slug string }{{"now-title", "finder-live"}, {"soon-title", "finder-soon"}} {
		sel := `section[aria-labelledby="` + c.section + `"] a.join[href="/m/` + c.slug + `/join"]`
		if err := p.WaitFor(`!!document.querySelector('`+sel+`')`, 10*time.Second); err != nil {
			t.Fatalf("no Join in %s for %s: %v", c.section, c.slug, err)
		}
	}
	if n, err := browsertest.Eval[int](p, `document.querySelectorAll('section[aria-labelledby^="day-"] a.join').length`); err != nil || n != 0 {
		t.Fatalf("%d Join links in the day lists (%v)", n, err)
	}
	label, _ := browsertest.Eval[string](p, `document.querySelector('a.join[href="/m/finder-soon/join"]').getAttribute("aria-label")`)
	if label != "Join Finder Soon Meeting" {
		t.Errorf("Join's accessible name %q", label)
	}
	checkAxe(t, p, axe, "finder home")
	shoot(t, p, "finder-home")
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS(`a.join[href="/m/finder-soon/join"]`))); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`location.pathname === "/m/finder-soon/join" && !!document.getElementById("join-form")`, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	// Only the types some meeting has are offered.
	nav(t, p, srv.URL+"/")
	offered := evalStrings(t, p, `[...document.querySelectorAll("#f-type option")].map(o => o.value).filter(v => v)`)
	var used []string
	for _, m := range apiMeetings(t, srv, "") {
		for _, ty := range m.Types {
			if !slices.Contains(used, ty) {
				used = append(used, ty)
			}
		}
	}
	slices.Sort(offered)
	slices.Sort(used)
	if !slices.Equal(offered, used) {
		t.Errorf("types offered %v, types in use %v", offered, used)
	}

	// Search finds a group's name ("Pacific Clean and Serene" names none of
	// its meetings) and a meeting's notes.
	for _, c := range []struct{ q, want string }{{"serene", "pacific-just-for-today"}, {"NIGHT OWLS", "pacific-late-night"}} {
		filter(t, p, "#f-q", c.q)
		shown := shownSlugs(t, p)
		want := apiSlugs(t, srv, "q="+strings.ReplaceAll(c.q, " ", "+"))
		if !slices.Contains(shown, c.want) || !subset(shown, want) {
			t.Errorf("q=%s shows %v; the API finds %v", c.q, shown, want)
		}
		if v, _ := browsertest.Eval[string](p, `document.getElementById("f-q").value`); v != c.q {
			t.Errorf("search box holds %q after the search", v)
		}
	}
	checkAxe(t, p, axe, "finder search")
	shoot(t, p, "finder-search")

	// Monday (1, as in Meeting Guide): the meetings that meet on Mondays in
	// their own zone.
	nav(t, p, srv.URL+"/")
	filter(t, p, "#f-day", "1")
	shown := shownSlugs(t, p)
	if want := apiSlugs(t, srv, "day=1"); !slices.Contains(shown, "pacific-just-for-today") || !subset(shown, want) ||
		slices.Contains(shown, "pacific-step-working") {
		t.Errorf("day=1 shows %v; the API finds %v", shown, want)
	}

	// Browsing on: the next page starts a week later, and a chosen date.
	today := now.Truncate(24 * time.Hour)
	nav(t, p, srv.URL+"/")
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS(`nav.pages a[rel="next"]`))); err != nil {
		t.Fatal(err)
	}
	next := today.AddDate(0, 0, 7)
	if err := p.WaitFor(`location.search.includes("date=`+next.Format(time.DateOnly)+`")`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkStarts(t, p, next, next.AddDate(0, 0, 7))
	if n, _ := browsertest.Eval[int](p, `document.querySelectorAll("#now-title, #soon-title, a.join").length`); n != 0 {
		t.Errorf("a later week shows %d in-progress or starting-soon items", n)
	}
	if ok, _ := browsertest.Eval[bool](p, `!!document.querySelector('nav.pages a[rel="prev"]')`); !ok {
		t.Error("no way back from the next week")
	}
	checkAxe(t, p, axe, "finder later")
	shoot(t, p, "finder-later")
	chosen := today.AddDate(0, 0, 30)
	filter(t, p, "#f-date", chosen.Format(time.DateOnly))
	checkStarts(t, p, chosen, chosen.AddDate(0, 0, 7))
}

// postDaily creates a meeting through the API that meets every day at the
// UTC time of at, for an hour.
func postDaily(t *testing.T, srv *httptest.Server, slug, name string, at time.Time) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"slug": slug, "name": name, "group": "lakeshore-aa", "format": "12-step", "program": "AA",
		"timezone": "UTC", "time": at.Format("15:04"), "duration": 60, "languages": []string{"en"}, "types": []string{"O"},
		"recurrence": map[string]any{"freq": "weekly", "weekdays": []int{0, 1, 2, 3, 4, 5, 6},
			"start": at.AddDate(0, 0, -2).Format(time.DateOnly)},
		"room": map[string]any{"max_participants": 10},
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/meetings", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create %s: %d", slug, resp.StatusCode)
	}
}

type apiMeeting struct {
	Slug  string   `json:"slug"`
	Types []string `json:"types"`
}

func apiMeetings(t *testing.T, srv *httptest.Server, query string) []apiMeeting {
	t.Helper()
	resp, err := http.Get(srv.URL + "/api/meetings?limit=1000&" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Meetings []apiMeeting `json:"meetings"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("api %s: %d %v", query, resp.StatusCode, err)
	}
	return out.Meetings
}

func apiSlugs(t *testing.T, srv *httptest.Server, query string) []string {
	t.Helper()
	var out []string
	for _, m := range apiMeetings(t, srv, query) {
		out = append(out, m.Slug)
	}
	return out
}

func nav(t *testing.T, p *browsertest.Page, url string) {
	t.Helper()
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
}

// filter sets one field of the schedule's form and submits it.
func filter(t *testing.T, p *browsertest.Page, field, value string) {
	t.Helper()
	before, _ := browsertest.Eval[string](p, `location.href`)
	if err := chromedp.Do(p.Ctx, chromedp.SetValue(chromedp.CSS(field), value), chromedp.Click(chromedp.CSS(".filters button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`location.href !== `+jsString(before)+` && document.readyState === "complete"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

func evalStrings(t *testing.T, p *browsertest.Page, expr string) []string {
	t.Helper()
	out, err := browsertest.Eval[[]string](p, expr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// shownSlugs are the meetings the day lists show, each once.
func shownSlugs(t *testing.T, p *browsertest.Page) []string {
	t.Helper()
	return evalStrings(t, p, `[...new Set([...document.querySelectorAll('section[aria-labelledby^="day-"] li.meeting .what > a')]
		.map(a => a.getAttribute("href").replace("/m/", "")))]`)
}

// checkStarts checks that the page lists meetings and that each starts in
// [from, to).
func checkStarts(t *testing.T, p *browsertest.Page, from, to time.Time) {
	t.Helper()
	starts := evalStrings(t, p, `[...document.querySelectorAll("li.meeting time")].map(e => e.getAttribute("datetime"))`)
	if len(starts) == 0 {
		t.Fatalf("nothing listed from %s", from.Format(time.DateOnly))
	}
	for _, s := range starts {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil || at.Before(from) || !at.Before(to) {
			t.Errorf("listed from %s: a meeting at %s", from.Format(time.DateOnly), s)
		}
	}
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
