package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// An admin adds a program on the admin page and gives it a meeting there;
// its feed and CalDAV collection appear, the schedule's program filter
// offers it (by its stored name) and selects its meeting; retiring it on
// the admin page takes it off the meeting form; the demo's programs show
// in the viewer's language.
func TestBrowserAdminAddsProgram(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	feed, coll := srv.URL+"/calendar/program/RCs.ics", srv.URL+"/dav/public/calendars/program-rcs/"
	if code, _ := get(t, feed); code != http.StatusNotFound {
		t.Fatalf("feed of a program that does not exist: %d", code)
	}

	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/admin/")
	if err := chromedp.Do(p.Ctx,
		chromedp.SendKeys(chromedp.CSS("#token"), testAdminToken),
		chromedp.Click(chromedp.CSS("#signin-form button")),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "program-list", "Alcoholics Anonymous (AA)")
	openFold(t, p, "program-form-fold")
	if err := chromedp.Do(p.Ctx,
		chromedp.SendKeys(chromedp.CSS("#p-name"), "Recovery Circles"),
		chromedp.SendKeys(chromedp.CSS("#p-abbreviation"), "RCs"),
		chromedp.SetValue(chromedp.CSS("#p-format"), "secular"),
		chromedp.Click(chromedp.CSS("#program-form button[type=submit]")),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "program-form-status", `Program "Recovery Circles" saved.`)
	waitText(t, p, "program-list", "Recovery Circles (RCs)")
	if code, body := get(t, srv.URL+"/api/programs"); code != 200 || !strings.Contains(body, `"key":"RCs"`) {
		t.Fatalf("the program is not in the API: %d", code)
	}
	// Added, not yet used: no feed, no collection.
	if code, _ := get(t, feed); code != http.StatusNotFound {
		t.Fatalf("feed of an unused program: %d", code)
	}
	if resp := davPropfind(t, coll); resp != http.StatusNotFound {
		t.Fatalf("collection of an unused program: %d", resp)
	}

	// The new meeting's form offers it; choosing it sets its format.
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/admin/new")); err != nil {
		t.Fatal(err)
	}
	// Signed in and loaded (the groups' picker is filled after the programs).
	if err := p.WaitFor(`document.querySelectorAll("#m-group option").length > 0 && [...document.getElementById("m-program").options].some(o => o.value === "RCs")`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	fill := fmt.Sprintf(`(() => {
		const f = document.getElementById("meeting-form").elements;
		f.slug.value = "circle-night"; f.name.value = "Circle Night";
		f.format.value = "12-step";
		f.program.value = "RCs"; f.program.dispatchEvent(new Event("change"));
		const format = f.format.value;
		f.timezone.value = "UTC"; f.time.value = "20:00"; f.duration.value = "60"; f.rstart.value = %q;
		for (const c of document.querySelectorAll("#meeting-form input[name=weekdays]")) c.checked = true;
		document.querySelector("#meeting-form button[type=submit]").click();
		return format; })()`, time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly))
	if format, err := browsertest.Eval[string](p, fill); err != nil || format != "secular" {
		t.Fatalf("choosing the program set the format to %q (%v)", format, err)
	}
	if err := p.WaitFor(`document.getElementById("hostkey-dialog").open`, 10*time.Second); err != nil {
		st, _ := browsertest.Eval[string](p, `document.getElementById("admin-status").textContent`)
		t.Fatalf("meeting not created: %v (status %q)", err, st)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS("#hostkey-close"))); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`location.pathname === "/admin/m/circle-night"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/admin/")); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "program-list", "Recovery Circles (RCs) — Secular, meetings: 1")
	openFold(t, p, "program-fold")
	if code, body := get(t, feed); code != 200 || !strings.Contains(body, "SUMMARY:Circle Night") {
		t.Fatalf("the program's feed after its first meeting: %d %.200s", code, body)
	}
	if resp := davPropfind(t, coll); resp != http.StatusMultiStatus {
		t.Fatalf("the program's CalDAV collection after its first meeting: %d", resp)
	}
	shoot(t, p, "admin-programs")
	checkAxe(t, p, axe, "admin with programs")

	// The schedule's filter offers it; choosing it shows its meeting only.
	s := b.Open(srv.URL + "/?tz=UTC")
	label, err := browsertest.Eval[string](s, `document.querySelector('#f-program option[value="RCs"]')?.textContent || ""`)
	if err != nil || label != "Recovery Circles (RCs)" {
		t.Fatalf("schedule filter option %q (%v)", label, err)
	}
	if n, _ := browsertest.Eval[int](s, `document.querySelectorAll('#f-program option[value="OA"]').length`); n != 0 {
		t.Error("the filter offers a program no meeting has")
	}
	if err := chromedp.Do(s.Ctx, chromedp.SetValue(chromedp.CSS("#f-program"), "RCs"),
		chromedp.Submit(chromedp.CSS("form.filters"))); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitFor(`location.search.includes("program=RCs") && document.querySelector('a[href="/m/circle-night"]') !== null`, 10*time.Second); err != nil {
		t.Fatalf("filtered schedule: %v", err)
	}
	if others, _ := browsertest.Eval[int](s, `document.querySelectorAll('main a[href^="/m/"]:not([href="/m/circle-night"])').length`); others != 0 {
		t.Errorf("the program filter shows %d links to other meetings", others)
	}
	shoot(t, s, "schedule-program-filter")

	// Retire: the meeting keeps it, the meeting form no longer offers it.
	pressLabelled(t, p, "Retire program Recovery Circles (RCs)")
	waitText(t, p, "program-list-status", `Program "Recovery Circles (RCs)" retired`)
	waitText(t, p, "program-list", "(retired)")
	if err := p.WaitFor(`![...document.getElementById("g-program").options].some(o => o.value === "RCs")`, 10*time.Second); err != nil {
		t.Fatalf("a retired program is still offered for groups: %v", err)
	}
	// A new meeting cannot choose it; the meeting that has it keeps it.
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/admin/new")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.querySelectorAll("#m-program option").length > 3 && ![...document.getElementById("m-program").options].some(o => o.value === "RCs")`, 10*time.Second); err != nil {
		t.Fatalf("a retired program is still offered for new meetings: %v", err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/admin/m/circle-night")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.getElementById("m-program").value === "RCs"`, 10*time.Second); err != nil {
		t.Fatalf("the meeting's own retired program is not shown: %v", err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/admin/")); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "program-list", "(retired)")
	if code, body := get(t, srv.URL+"/api/meetings/circle-night"); code != 200 || !strings.Contains(body, `"program":"RCs"`) {
		t.Fatalf("retiring changed the meeting: %d", code)
	}
	// Members read the demo's programs in their language (last: the
	// language choice is a cookie every later page would follow).
	es := b.Open(srv.URL + "/?lang=es")
	if label, _ := browsertest.Eval[string](es, `document.querySelector('#f-program option[value="AA"]')?.textContent || ""`); label != "Alcohólicos Anónimos (AA)" {
		t.Errorf("Spanish AA option %q", label)
	}
	// A program in use offers no delete.
	if n, _ := browsertest.Eval[int](p, `document.querySelectorAll('button[aria-label="Delete program Recovery Circles (RCs)"]').length`); n != 0 {
		t.Error("a program in use offers Delete")
	}
}

// davPropfind is the status of a depth-0 PROPFIND of a CalDAV path.
func davPropfind(t *testing.T, url string) int {
	t.Helper()
	req, _ := http.NewRequest("PROPFIND", url, nil)
	req.Header.Set("Depth", "0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
