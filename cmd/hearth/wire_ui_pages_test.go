package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/ui/browsertest"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// Chromium tests of the pages' items of issue 12, point 10 and the
// finder: no request of any page fails (the favicon was a 404), the
// filters name languages and formats in words and fold away behind one
// button on a phone, no landmark sits inside another, and the group's
// phone line is on the meeting and join pages. Each page is checked with
// axe in light and dark mode and shot at phone and desktop size.

// failedRequests records every response of 400 or more the page gets.
func failedRequests(t *testing.T, p *browsertest.Page) func() []string {
	t.Helper()
	var mu sync.Mutex
	var failed []string
	if err := chromedp.Listen(p.Ctx, func(ev any) {
		if e, ok := ev.(*network.EventResponseReceived); ok && e.Response.Status >= 400 {
			mu.Lock()
			failed = append(failed, fmt.Sprintf("%d %s", e.Response.Status, e.Response.URL))
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), failed...)
	}
}

// landmarkViolations runs axe's landmark rules at every impact (the
// nesting rules are "moderate", below what checkAxe fails on).
func landmarkViolations(t *testing.T, p *browsertest.Page, axe string) []string {
	t.Helper()
	if _, err := browsertest.Eval[bool](p, axe+";true"); err != nil {
		t.Fatal(err)
	}
	found, err := browsertest.Eval[[]string](p, `axe.run(document).then(r => r.violations
		.filter(v => v.id.startsWith("landmark") || v.id === "region")
		.map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestBrowserFinderPages(t *testing.T) {
	axe := axeSource(t)
	cat, err := i18n.Load(i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := testApp(t, true)
	adminCall(t, srv, http.MethodPost, "/api/groups", map[string]any{"slug": "phone-line", "name": "Phone Line Group", "program": "AA",
		"conference_phone": "+1 312 555 0100"}, http.StatusCreated)
	adminCall(t, srv, http.MethodPost, "/api/meetings", map[string]any{
		"slug": "by-phone", "name": "By Phone Too", "group": "phone-line", "format": "12-step", "program": "AA",
		"timezone": "UTC", "time": "12:00", "duration": 60, "languages": []string{"en"}, "types": []string{"O"},
		"recurrence": map[string]any{"freq": "weekly", "weekdays": []int{1},
			"start": time.Now().UTC().Format(time.DateOnly)},
		"room": map[string]any{"max_participants": 10},
	}, http.StatusCreated)
	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open("about:blank")
	failed := failedRequests(t, p)
	navigate := func(path string) {
		t.Helper()
		if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
		if err := p.WaitFor(`document.readyState === "complete"`, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}

	for _, path := range []string{"/", "/m/by-phone", "/m/by-phone/join", "/subscribe", "/admin/", "/m/nope"} {
		navigate(path)
		for _, v := range landmarkViolations(t, p, axe) {
			t.Errorf("%s: %s", path, v)
		}
	}
	icon, err := browsertest.Eval[string](p, `fetch("/favicon.ico").then(r => r.status + " " + r.headers.get("content-type"))`)
	if err != nil || icon != "200 image/svg+xml" {
		t.Errorf("/favicon.ico: %q %v", icon, err)
	}

	// The group's own phone line, one tap to dial, on both meeting pages.
	for _, path := range []string{"/m/by-phone", "/m/by-phone/join"} {
		navigate(path)
		got, err := browsertest.Eval[string](p, `(() => { const a = document.querySelector(".phone a[href^='tel:']");
			return a && a.checkVisibility() ? a.getAttribute("href") + " " + a.textContent : ""; })()`)
		if err != nil || got != "tel:+13125550100 +1 312 555 0100" {
			t.Errorf("%s: phone link %q %v", path, got, err)
		}
		checkAxe(t, p, axe, path)
		shoot(t, p, "phone-line-"+strings.ReplaceAll(strings.Trim(path, "/"), "/", "-"))
	}

	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		l := cat.Lang(lang)
		navigate("/?lang=" + lang + "&language=es&format=12-step")
		// Languages by name in the page's language, formats in words.
		got, err := browsertest.Eval[[]string](p, `[document.querySelector("#f-lang option[value=es]").textContent,
			document.querySelector("#f-format option[value='12-step']").textContent,
			document.querySelector("#f-format option[value=faith-based]").textContent]`)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{l.LanguageName("es"), l.FormatName("12-step"), l.FormatName("faith-based")}
		if strings.Join(got, "|") != strings.Join(want, "|") || got[0] == "es" || got[2] == "faith-based" {
			t.Errorf("%s: filter labels %q, want %q", lang, got, want)
		}
		// Desktop: the filters are shown, the button is not.
		if s := foldState(t, p); s != "form shown, button hidden" {
			t.Errorf("%s desktop: %s", lang, s)
		}
		if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		if err := p.WaitFor(`document.getElementById("filters").hidden`, 5*time.Second); err != nil {
			t.Errorf("%s phone: the filters are not folded: %s", lang, foldState(t, p))
		}
		label, _ := browsertest.Eval[string](p, `document.getElementById("filters-toggle").textContent`)
		if label != l.N("filter.toggleActive", 2) {
			t.Errorf("%s phone: toggle says %q, want %q", lang, label, l.N("filter.toggleActive", 2))
		}
		// The first meeting starts on the first screen.
		top, err := browsertest.Eval[float64](p, `(() => { const m = document.querySelector("li.meeting, .count");
			return m.getBoundingClientRect().top; })()`)
		if err != nil || top > 844 {
			t.Errorf("%s phone: the list starts %vpx down (%v)", lang, top, err)
		}
		checkAxe(t, p, axe, "filters-folded-"+lang)
		shoot(t, p, "filters-folded-"+lang)
		// shoot ends at desktop size, where the filters unfold by themselves.
		if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		if err := p.WaitFor(`document.getElementById("filters").hidden`, 5*time.Second); err != nil {
			t.Errorf("%s phone: the filters did not fold again: %s", lang, foldState(t, p))
		}
		click(t, p, "#filters-toggle")
		if s := foldState(t, p); s != "form shown, button expanded" {
			t.Errorf("%s phone after a tap: %s", lang, s)
		}
		if f, _ := browsertest.Eval[string](p, `document.activeElement.id`); f != "f-q" {
			t.Errorf("%s phone: focus on %q after opening the filters, want the first filter", lang, f)
		}
		checkAxe(t, p, axe, "filters-open-"+lang)
		if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		if err := p.Screenshot(t.ArtifactDir() + "/filters-open-" + lang + "-phone.png"); err != nil {
			t.Fatal(err)
		}
	}
	navigate("/?lang=en")
	if n, _ := browsertest.Eval[string](p, `document.getElementById("filters-toggle").textContent`); n != cat.Lang("en").T("filter.toggle") {
		t.Errorf("no filter on: toggle says %q", n)
	}
	for _, f := range failed() {
		if !strings.HasSuffix(f, "/m/nope") { // the not-found page, on purpose
			t.Errorf("a page's request failed: %s", f)
		}
	}
}

// foldState says whether the filter form and its phone button are shown.
func foldState(t *testing.T, p *browsertest.Page) string {
	t.Helper()
	s, err := browsertest.Eval[string](p, `(() => {
		const f = document.getElementById("filters"), b = document.getElementById("filters-toggle");
		return (f.checkVisibility() ? "form shown" : "form hidden") + ", " +
			(!b.checkVisibility() ? "button hidden" : b.getAttribute("aria-expanded") === "true" ? "button expanded" : "button folded"); })()`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
