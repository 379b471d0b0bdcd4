package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// Browser tests of the pages in Debian's Chromium: browse and filter the
// schedule, the timezone detection, the admin flow, axe-core on every page
// and screenshots at phone and desktop sizes. Run with -artifacts to keep
// the screenshots (go test -run Browser -artifacts -outputdir DIR).

// axeSource is axe-core from ui/testdata/axe (npm ci there first); the test
// fails in CI and skips elsewhere when it is missing.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../ui/testdata/axe/node_modules/axe-core/axe.min.js")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core missing (npm ci --prefix ui/testdata/axe): %v", err)
		}
		t.Skipf("axe-core not installed: %v", err)
	}
	return string(b)
}

// checkAxe runs axe-core on the page in light and in dark mode and fails
// on serious or critical violations, naming the rule and the first elements.
func checkAxe(t *testing.T, p *browsertest.Page, axe, what string) {
	t.Helper()
	if _, err := browsertest.Eval[bool](p, axe+";true"); err != nil {
		t.Fatalf("%s: inject axe: %v", what, err)
	}
	for _, scheme := range []string{"light", "dark"} {
		if _, err := chromedp.Call(p.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatalf("%s: %s mode: %v", what, scheme, err)
		}
		found, err := browsertest.Eval[[]string](p, `axe.run(document).then(r => r.violations
			.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`)
		if err != nil {
			t.Fatalf("%s: axe.run: %v", what, err)
		}
		for _, v := range found {
			t.Errorf("%s (%s mode): axe: %s", what, scheme, v)
		}
	}
	if _, err := chromedp.Call(p.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatalf("%s: reset color scheme: %v", what, err)
	}
}

// shoot takes a screenshot at phone and desktop sizes into the artifact dir.
func shoot(t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	dir := t.ArtifactDir()
	for _, size := range []struct {
		label string
		w, h  int64
	}{{"phone", 390, 844}, {"desktop", 1366, 900}} {
		if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateMobile)); err != nil && size.label == "phone" {
			t.Fatalf("viewport: %v", err)
		}
		if size.label == "desktop" {
			if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(size.w, size.h)); err != nil {
				t.Fatalf("viewport: %v", err)
			}
		}
		if err := p.Screenshot(filepath.Join(dir, fmt.Sprintf("%s-%s.png", name, size.label))); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBrowserSchedulePages(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	b := browsertest.Launch(t, browsertest.Options{})

	// The browser reports its zone; the server then shows Tokyo times.
	p := b.Open("about:blank")
	if _, err := chromedp.Call(p.Ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.querySelector("footer strong").textContent === "Asia/Tokyo"`, 10*time.Second); err != nil {
		dbg, _ := browsertest.Eval[string](p, `JSON.stringify([Intl.DateTimeFormat().resolvedOptions().timeZone, document.cookie, location.href, document.querySelector("form.tz") && document.querySelector("form.tz").dataset.tzKnown, sessionStorage.getItem("hearth-tz-tried")])`)
		t.Fatalf("timezone not detected: %v %s", err, dbg)
	}
	checkAxe(t, p, axe, "home")
	shoot(t, p, "home")

	// Filter with the plain GET form, by keyboard-free DOM input.
	if err := chromedp.Do(p.Ctx,
		chromedp.SetValue(chromedp.CSS("#f-program"), "SMART Recovery"),
		chromedp.SetValue(chromedp.CSS("#f-time"), "evening"),
		chromedp.Click(chromedp.CSS(".filters button[type=submit]")),
	); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`location.search.includes("program=SMART+Recovery")`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	metas, err := browsertest.Eval[[]string](p, `[...document.querySelectorAll("section li.meeting .meta")].map(e => e.textContent)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range metas {
		if !strings.HasPrefix(m, "SMART Recovery") {
			t.Errorf("filtered list shows %q", m)
		}
	}
	hours, err := browsertest.Eval[[]string](p, `[...document.querySelectorAll("section li.meeting time")].map(e => e.textContent)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hours {
		if !strings.HasSuffix(h, "pm") { // CLDR English: "7:30 pm"
			t.Errorf("evening filter shows %q", h)
		}
	}
	checkAxe(t, p, axe, "home filtered")

	for _, page := range []struct{ name, path string }{
		{"meeting", firstMeeting(t, p)},
		{"subscribe", "/subscribe"},
		{"admin", "/admin/"},
		{"not-found", "/m/no-such-meeting"},
	} {
		if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+page.path)); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, p, axe, page.name)
		shoot(t, p, page.name)
	}
	join := b.Open(srv.URL + firstMeeting(t, p) + "/join")
	checkAxe(t, join, axe, "join")
	shoot(t, join, "join")
}

// firstMeeting is the path of the first meeting linked from the home page.
func firstMeeting(t *testing.T, p *browsertest.Page) string {
	t.Helper()
	path, err := browsertest.Eval[string](p, `(async () => {
		const r = await fetch("/"); const d = new DOMParser().parseFromString(await r.text(), "text/html");
		return d.querySelector("li.meeting a").getAttribute("href"); })()`)
	if err != nil || !strings.HasPrefix(path, "/m/") {
		t.Fatalf("no meeting link: %q %v", path, err)
	}
	return path
}

// The admin signs in with the token, creates a meeting and cancels one of
// its dates; the meeting is then on the schedule, the cancellation on its
// page with the reason, and both in its calendar feed.
func TestBrowserAdminCreatesMeetingWithException(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/admin/")
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(chicago)
	cancelled := today.AddDate(0, 0, 2).Format(time.DateOnly)
	signInAdmin(t, p, testAdminToken)
	waitSelector(t, p, "#admin:not([hidden])")
	// A new meeting has its own form page; its host key is shown once, then
	// the meeting's own page opens.
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/admin/new")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.querySelectorAll("#m-group option").length > 0`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, p, axe, "admin new meeting")
	shoot(t, p, "admin-new")
	fill := fmt.Sprintf(`(() => {
		const f = document.getElementById("meeting-form").elements;
		f.slug.value = "browser-made"; f.name.value = "Browser Made Meeting";
		f.program.value = "AA"; f.timezone.value = "America/Chicago"; f.time.value = "19:00";
		f.duration.value = "60"; f.rstart.value = %q; f.languages.value = "en, es";
		for (const o of f.types.options) o.selected = o.value === "O";
		for (const c of document.querySelectorAll("#meeting-form input[name=weekdays]")) c.checked = true;
		document.querySelector("#meeting-form button[type=submit]").click();
		return true; })()`, today.Format(time.DateOnly))
	if _, err := browsertest.Eval[bool](p, fill); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.getElementById("hostkey-dialog").open && document.getElementById("hostkey-value").textContent.length >= 16`, 10*time.Second); err != nil {
		st, _ := browsertest.Eval[string](p, `document.getElementById("meeting-form-status").textContent`)
		t.Fatalf("no host key shown: %v (status %q)", err, st)
	}
	shoot(t, p, "admin-hostkey")
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS("#hostkey-close"))); err != nil {
		t.Fatal(err)
	}
	waitPath(t, p, "/admin/m/browser-made")
	waitText(t, p, "meeting-form-status", `Meeting "Browser Made Meeting" saved.`)
	exc := fmt.Sprintf(`(() => {
		const f = document.getElementById("exception-form").elements;
		f.date.value = %q; f.kind.value = "cancelled"; f.reason.value = "Building closed";
		document.querySelector("#exception-form button[type=submit]").click();
		return true; })()`, cancelled)
	if _, err := browsertest.Eval[bool](p, exc); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.getElementById("exception-list").textContent.includes("Building closed")`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	shoot(t, p, "admin-exception")
	checkAxe(t, p, axe, "admin signed in")
	leaked, err := browsertest.Eval[bool](p, `document.cookie.includes("a-test-admin") || location.href.includes("a-test-admin")`)
	if err != nil || leaked {
		t.Fatalf("admin token in a cookie or URL: %v %v", leaked, err)
	}

	if code, home := get(t, srv.URL+"/?tz=America/Chicago"); code != 200 || !strings.Contains(home, `href="/m/browser-made"`) {
		t.Fatalf("new meeting not on the schedule: %d", code)
	}
	if code, page := get(t, srv.URL+"/m/browser-made?tz=America/Chicago"); code != 200 || !strings.Contains(page, "Building closed") ||
		!strings.Contains(page, `class="badge cancelled"`) {
		t.Fatalf("meeting page lacks the cancellation: %d", code)
	}
	code, feed := get(t, srv.URL+"/calendar/meeting/browser-made.ics")
	compact := strings.ReplaceAll(cancelled, "-", "")
	if code != 200 || !strings.Contains(feed, "SUMMARY:Browser Made Meeting") || !strings.Contains(feed, compact) {
		t.Fatalf("feed: %d %.600s", code, feed)
	}
}
