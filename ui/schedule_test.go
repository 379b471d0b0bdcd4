package ui

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// dayRows are the occurrences a schedule page lists under its days (the
// In progress and Starting soon sections repeat some of them), as
// "slug start" keys.
func dayRows(t *testing.T, body string) []string {
	t.Helper()
	i := strings.Index(body, `<section aria-labelledby="day-`)
	if i < 0 {
		return nil
	}
	re := regexp.MustCompile(`(?s)<time class="when" datetime="([^"]+)">.*?<a href="/m/([^"/]+)">`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(body[i:], -1) {
		out = append(out, m[2]+" "+m[1])
	}
	return out
}

// TestSchedulePagesDoNotOverlap (issue 12): the first page and the "Later
// days" page it links to are whole days that meet end to end, so that no
// occurrence shows on both and none falls between them. testNow is a
// Monday 18:30 in New York; SMART Evening meets on Mondays at 18:00 New
// York time, so its meeting a week on (Monday 30 November, before 18:30)
// was on both pages when the first page ran to now + 7 days.
func TestSchedulePagesDoNotOverlap(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	first := get(t, h, "/")
	if first.Code != http.StatusOK {
		t.Fatalf("first page: %d", first.Code)
	}
	body := first.Body.String()
	m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no Later days link on the first page")
	}
	laterURL := html.UnescapeString(m[1])
	if laterURL != "/?date=2026-11-30" {
		t.Fatalf("Later days goes to %q", laterURL)
	}
	later := get(t, h, laterURL)
	if later.Code != http.StatusOK {
		t.Fatalf("later page: %d", later.Code)
	}
	onFirst := map[string]bool{}
	for _, k := range dayRows(t, body) {
		if onFirst[k] {
			t.Errorf("%s twice on the first page", k)
		}
		onFirst[k] = true
	}
	seen := map[string]int{}
	for _, k := range dayRows(t, later.Body.String()) {
		if onFirst[k] {
			t.Errorf("%s is on the first page and on the Later days page", k)
		}
		seen[k]++
	}
	// The meeting a week on is on the later page, once; today's on the
	// first.
	if seen["smart-evening 2026-11-30T23:00:00Z"] != 1 {
		t.Errorf("SMART Evening of 30 November on the Later days page %d times, want 1: %v", seen["smart-evening 2026-11-30T23:00:00Z"], seen)
	}
	if !onFirst["smart-evening 2026-11-23T23:00:00Z"] {
		t.Errorf("today's SMART Evening (in progress) is not on the first page: %v", onFirst)
	}
	// The first page ends before Monday 30 November; the later page starts
	// with it.
	mustNotContain(t, body, "November 30")
	mustContain(t, later.Body.String(), "Monday, November 30")
}

// typeValues are the values the type filter offers.
func typeValues(t *testing.T, body string) []string {
	t.Helper()
	i := strings.Index(body, `<select id="f-type"`)
	if i < 0 {
		t.Fatal("no type filter")
	}
	sel := body[i : i+strings.Index(body[i:], "</select>")]
	var out []string
	for _, m := range regexp.MustCompile(`<option value="([^"]*)"`).FindAllStringSubmatch(sel, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestTypeFilterOffersTypesInUse (issue 12): the finder's type filter
// offers "any" and the types some meeting has (O, B and S in the sample),
// in the table's order, whatever the other filters; a type chosen by a
// link whose meetings are gone stays offered, chosen.
func TestTypeFilterOffersTypesInUse(t *testing.T) {
	h := newTestHandler(t, sampleSchedule())
	for query, want := range map[string][]string{
		"/":                    {"", "B", "O", "S"},
		"/?program=NA":         {"", "B", "O", "S"},
		"/?type=W":             {"", "B", "O", "S", "W"},
		"/?type=B&language=es": {"", "B", "O", "S"},
	} {
		rec := get(t, h, query)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", query, rec.Code)
		}
		if got := typeValues(t, rec.Body.String()); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: type filter offers %v, want %v", query, got, want)
		}
	}
}
