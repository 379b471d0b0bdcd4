package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// adminCall sends one authorised API request and fails the test unless the
// answer has the wanted status.
func adminCall(t *testing.T, srv *httptest.Server, method, path string, body any, want int) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, srv.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
}

// answerConfirm makes the page's next confirm() calls answer yes or no and
// count the questions asked.
func answerConfirm(t *testing.T, p *browsertest.Page, yes bool) {
	t.Helper()
	js := fmt.Sprintf(`window.asked = 0, window.confirm = () => (window.asked++, %t), true`, yes)
	if _, err := browsertest.Eval[bool](p, js); err != nil {
		t.Fatal(err)
	}
}

// pressLabelled clicks the button with this accessible name, leaving
// confirm() as answerConfirm set it.
func pressLabelled(t *testing.T, p *browsertest.Page, label string) {
	t.Helper()
	// Scrolled to first, as the eye and the pointer would be.
	js := fmt.Sprintf(`(() => { const b = document.querySelector(%q); if (!b) return false;
		b.scrollIntoView({block: "center"}); b.click(); return true; })()`,
		fmt.Sprintf(`button[aria-label=%q]`, label))
	if ok, err := browsertest.Eval[bool](p, js); err != nil || !ok {
		t.Fatalf("no button %q: %v", label, err)
	}
}

// signInAdmin types token into the sign-in form and sends it.
func signInAdmin(t *testing.T, p *browsertest.Page, token string) {
	t.Helper()
	if _, err := browsertest.Eval[bool](p, fmt.Sprintf(`(() => { document.getElementById("token").value = %q;
		document.getElementById("signin-form").requestSubmit(); return true; })()`, token)); err != nil {
		t.Fatal(err)
	}
}

// waitPath waits until the page is at path (a link or a script moved it).
func waitPath(t *testing.T, p *browsertest.Page, path string) {
	t.Helper()
	if err := p.WaitFor(fmt.Sprintf(`location.pathname + location.hash === %q && document.readyState === "complete"`, path), 10*time.Second); err != nil {
		at, _ := browsertest.Eval[string](p, `location.href`)
		t.Fatalf("not at %s (at %s): %v", path, at, err)
	}
}

// openFold opens the admin home's fold (a <details>: a list or a form) as a
// person does, by clicking its summary; an open one is left open.
func openFold(t *testing.T, p *browsertest.Page, id string) {
	t.Helper()
	open, err := browsertest.Eval[bool](p, fmt.Sprintf(`document.getElementById(%q).open`, id))
	if err != nil {
		t.Fatalf("no fold #%s: %v", id, err)
	}
	if !open {
		if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS("#"+id+" > summary"))); err != nil {
			t.Fatalf("open #%s: %v", id, err)
		}
	}
	if err := p.WaitFor(fmt.Sprintf(`document.getElementById(%q).open`, id), 10*time.Second); err != nil {
		t.Fatalf("#%s did not open: %v", id, err)
	}
}

// onScreen: the element is inside the viewport, where the eye already is.
func onScreen(t *testing.T, p *browsertest.Page, id, what string) {
	t.Helper()
	in, err := browsertest.Eval[bool](p, fmt.Sprintf(`(() => { const r = document.getElementById(%q).getBoundingClientRect();
		return r.height > 0 && r.top > -1 && r.bottom < innerHeight + 1; })()`, id)) // a scrolled-to heading can sit a subpixel above the top
	if err != nil || !in {
		where, _ := browsertest.Eval[string](p, fmt.Sprintf(`(() => { const r = document.getElementById(%q).getBoundingClientRect();
			return "top " + r.top + ", bottom " + r.bottom + ", viewport height " + innerHeight + ", scrolled " + scrollY + " of " + document.documentElement.scrollHeight; })()`, id))
		t.Errorf("%s (#%s) is not on the screen (%s): %v", what, id, where, err)
	}
}

// The admin is refused deleting a group that still has meetings, edits an
// existing exception, and deletes a meeting and an empty group, each after
// a confirmation (a "no" changes nothing). A wrong token is refused at
// sign-in; each meeting has its own page; the exceptions link opens its
// section with focus on it; each message shows where its action was
// (issue 12, point 7).
func TestBrowserAdminDeletesAndEditsException(t *testing.T) {
	srv := testApp(t, true)
	createRoom(t, srv, "doomed", map[string]any{"max_participants": 10})
	adminCall(t, srv, http.MethodPost, "/api/groups", map[string]any{"slug": "empty-group", "name": "Empty Group", "program": "AA"}, http.StatusCreated)
	date := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
	adminCall(t, srv, http.MethodPut, "/api/meetings/doomed/exceptions/"+date, map[string]any{"kind": "cancelled", "reason": "Old reason"}, http.StatusOK)

	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/admin/")
	axe := axeSource(t)

	// A wrong token is told at sign-in, beside the field, and shows nothing.
	signInAdmin(t, p, "not-the-admin-token")
	waitText(t, p, "token-error", "That admin token is not right")
	state, err := browsertest.Eval[string](p, `[document.getElementById("admin").hidden, document.getElementById("signin").hidden,
		document.activeElement.id, document.getElementById("token").getAttribute("aria-invalid")].join("|")`)
	if err != nil || state != "true|false|token|true" {
		t.Errorf("after a wrong token: admin hidden|sign-in hidden|focus|invalid = %q, want true|false|token|true (%v)", state, err)
	}
	checkAxe(t, p, axe, "admin wrong token")
	shoot(t, p, "admin-wrong-token")

	signInAdmin(t, p, testAdminToken)
	waitText(t, p, "group-list", "Empty Group")
	waitText(t, p, "meeting-list", "Room doomed")
	if f, _ := browsertest.Eval[string](p, `document.activeElement.id`); f != "admin-title" {
		t.Errorf("focus after signing in on %q, want the page's heading", f)
	}
	shoot(t, p, "admin-home")
	// The long lists are folded, each saying how many it holds.
	if got, _ := browsertest.Eval[string](p, `[...document.querySelectorAll("details.fold")].map(d => d.open + " " + d.querySelector("summary").textContent).join("|")`); got !=
		"false 44 meetings|false 14 groups|false New group|false 28 programs|false New program" {
		t.Errorf("the admin home's folds: %q", got)
	}
	checkAxe(t, p, axe, "admin home folded")
	// A jump link opens its section's list and takes focus there.
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS(`nav.jump a[href="#programs"]`))); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.activeElement.id === "programs-title" && document.getElementById("program-fold").open`, 10*time.Second); err != nil {
		f, _ := browsertest.Eval[string](p, `document.activeElement.id`)
		t.Errorf("after the Programs jump link focus is on %q: %v", f, err)
	}
	onScreen(t, p, "programs-title", "the programs the jump link opened")

	// A group with meetings: the server says 409 and the page says why,
	// beside the list the button was in.
	openFold(t, p, "group-fold")
	shoot(t, p, "admin-home-groups")
	answerConfirm(t, p, true)
	pressLabelled(t, p, "Delete group Lakeshore Online AA")
	waitText(t, p, "group-list-status", "it still has meetings")
	onScreen(t, p, "group-list-status", "the refusal")
	waitText(t, p, "group-list", "Lakeshore Online AA")

	// The meeting's exceptions, on its own page, with focus on them.
	openFold(t, p, "meeting-fold")
	if ok, err := browsertest.Eval[bool](p, `(() => { const a = document.querySelector('a[aria-label="Exceptions for Room doomed"]');
		if (!a) return false; a.click(); return true; })()`); err != nil || !ok {
		t.Fatalf("no exceptions link: %v", err)
	}
	waitPath(t, p, "/admin/m/doomed#exceptions")
	waitText(t, p, "exception-list", "Old reason")
	if err := p.WaitFor(`document.activeElement.id === "exceptions-title"`, 10*time.Second); err != nil {
		f, _ := browsertest.Eval[string](p, `document.activeElement.id`)
		t.Errorf("focus on %q, not on the exceptions the link opened", f)
	}
	onScreen(t, p, "exceptions-title", "the exceptions the link opened")
	if title, _ := browsertest.Eval[string](p, `document.title + "|" + document.getElementById("admin-title").textContent`); title != "Room doomed · Administration · Hearth|Room doomed" {
		t.Errorf("the meeting's page is titled %q", title)
	}

	// Edit the exception in place: same date, new kind and reason.
	pressLabelled(t, p, "Edit the exception on "+date)
	got, err := browsertest.Eval[string](p, `(() => { const f = document.getElementById("exception-form").elements;
		return [f.date.value, f.date.readOnly, f.kind.value, f.reason.value].join("|"); })()`)
	if want := date + "|true|cancelled|Old reason"; err != nil || got != want {
		t.Fatalf("exception form holds %q, want %q (%v)", got, want, err)
	}
	if _, err := browsertest.Eval[bool](p, `(() => { const f = document.getElementById("exception-form").elements;
		f.kind.value = "note"; f.reason.value = "New reason"; return true; })()`); err != nil {
		t.Fatal(err)
	}
	if _, err := browsertest.Eval[bool](p, `(() => { const b = document.querySelector("#exception-form button[type=submit]");
		b.scrollIntoView({block: "center"}); b.click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "exception-list", "New reason")
	waitText(t, p, "exception-form-status", "Exception on "+date+" saved.")
	onScreen(t, p, "exception-form-status", "the save message")
	if n, _ := browsertest.Eval[int](p, `document.querySelectorAll("#exception-list li").length`); n != 1 {
		t.Errorf("%d exceptions listed after the edit, want 1", n)
	}
	if code, page := get(t, srv.URL+"/api/meetings/doomed"); code != http.StatusOK || !bytes.Contains([]byte(page), []byte(`"reason":"New reason"`)) {
		t.Errorf("the edit did not reach the store: %d %.300s", code, page)
	}
	checkAxe(t, p, axe, "admin meeting page")
	shoot(t, p, "admin-exception-edit")
	// The page's jump links take focus to their section.
	if ok, err := browsertest.Eval[bool](p, `(() => { const a = document.querySelector('nav.jump a[href="#host-key"]');
		if (!a) return false; a.click(); return true; })()`); err != nil || !ok {
		t.Fatalf("no jump link to the host key: %v", err)
	}
	if err := p.WaitFor(`document.activeElement.id === "hostkey-section-title"`, 10*time.Second); err != nil {
		f, _ := browsertest.Eval[string](p, `document.activeElement.id`)
		t.Errorf("focus on %q after the host key link", f)
	}
	onScreen(t, p, "hostkey-section-title", "the host key section the link opened")

	// Delete the meeting: "no" keeps it, "yes" removes it and goes back to
	// the list, which says so.
	answerConfirm(t, p, false)
	pressLabelled(t, p, "Delete meeting Room doomed")
	if asked, _ := browsertest.Eval[int](p, `window.asked`); asked != 1 {
		t.Errorf("deleting a meeting asked %d times, want once", asked)
	}
	if code, _ := get(t, srv.URL+"/api/meetings/doomed"); code != http.StatusOK {
		t.Fatalf("a refused confirmation deleted the meeting: %d", code)
	}
	answerConfirm(t, p, true)
	pressLabelled(t, p, "Delete meeting Room doomed")
	waitPath(t, p, "/admin/")
	waitText(t, p, "meeting-list-status", `Meeting "Room doomed" deleted.`)
	if err := p.WaitFor(`document.querySelectorAll("#meeting-list li").length > 0 && !document.getElementById("meeting-list").textContent.includes("Room doomed")`, 10*time.Second); err != nil {
		t.Fatalf("deleted meeting still shown: %v", err)
	}
	if code, _ := get(t, srv.URL+"/api/meetings/doomed"); code != http.StatusNotFound {
		t.Errorf("meeting still in the API after delete: %d", code)
	}

	waitText(t, p, "group-list", "Empty Group")
	openFold(t, p, "group-fold")
	answerConfirm(t, p, true)
	pressLabelled(t, p, "Delete group Empty Group")
	waitText(t, p, "group-list-status", `Group "Empty Group" deleted.`)
	if err := p.WaitFor(`!document.getElementById("group-list").textContent.includes("Empty Group")`, 10*time.Second); err != nil {
		t.Fatalf("deleted group still listed: %v", err)
	}
	checkAxe(t, p, axe, "admin after deletes")
	// A link into a fold, from another page, opens it once the page has
	// signed in, with focus on its title.
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/admin/new"), chromedp.Navigate(srv.URL+"/admin/#group-form")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.activeElement.id === "group-form-title" && document.getElementById("group-form-fold").open`, 10*time.Second); err != nil {
		f, _ := browsertest.Eval[string](p, `document.activeElement.id`)
		t.Errorf("after a link to #group-form focus is on %q: %v", f, err)
	}
	onScreen(t, p, "group-form-title", "the group form the link opened")
	// On a phone each admin page is a few screens, not a long scroll: the
	// home is measured once its lists have loaded. It was 11,600 px before
	// each meeting got its own page, and 9,000 px with the programs list
	// before its lists were folded; folded it is about 850 px. The meeting
	// page is its long form and its short lists, about 5,300 px.
	for _, page := range []struct {
		path, loaded string
		most         int
	}{
		{"/admin/", `#meeting-list li, #group-list li, #program-list li`, 1200},
		{"/admin/m/lakeshore-big-book", `#exception-list li, #role-list li`, 6000},
	} {
		path := page.path
		if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
		waitSelector(t, p, "#admin:not([hidden])")
		for _, sel := range strings.Split(page.loaded, ", ") {
			waitSelector(t, p, sel)
		}
		if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		// The page lays itself out again after the viewport change: wait for it.
		if err := p.WaitFor(fmt.Sprintf(`document.documentElement.scrollHeight <= %d`, page.most), 10*time.Second); err != nil {
			h, _ := browsertest.Eval[int](p, `document.documentElement.scrollHeight`)
			t.Errorf("%s is %dpx tall on a phone, more than %dpx", path, h, page.most)
		} else {
			h, _ := browsertest.Eval[int](p, `document.documentElement.scrollHeight`)
			t.Logf("%s is %dpx tall on a phone", path, h)
		}
		shoot(t, p, "admin-"+strings.ReplaceAll(strings.Trim(path, "/"), "/", "-"))
	}
}

// The admin sets a passcode on a new meeting: the host key is shown once,
// then the phone PIN Hearth made, then the meeting's page opens; there
// "New phone PIN" (after a confirmation) shows another; a PIN the admin
// types that is not 6-16 digits is refused with the API's reason and
// changes nothing.
func TestBrowserAdminPhonePIN(t *testing.T) {
	srv := testApp(t, true)
	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/admin/")
	signInAdmin(t, p, testAdminToken)
	waitSelector(t, p, "#admin:not([hidden])")
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/admin/new")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.querySelectorAll("#m-group option").length > 0`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	fill := `(() => {
		const f = document.getElementById("meeting-form").elements;
		f.slug.value = "pin-made"; f.name.value = "Pin Made Meeting";
		f.program.value = "AA"; f.timezone.value = "UTC"; f.time.value = "19:00";
		f.duration.value = "60"; f.rstart.value = "2026-01-05"; f.passcode.value = "serenity-now";
		document.querySelector("#meeting-form input[name=weekdays]").checked = true;
		document.querySelector("#meeting-form button[type=submit]").click();
		return true; })()`
	if _, err := browsertest.Eval[bool](p, fill); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.getElementById("hostkey-dialog").open`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS("#hostkey-close"))); err != nil {
		t.Fatal(err)
	}
	pinShown := `document.getElementById("phonepin-dialog").open && /^[0-9]{8}$/.test(document.getElementById("phonepin-value").textContent)`
	if err := p.WaitFor(pinShown, 10*time.Second); err != nil {
		t.Fatalf("no phone PIN shown after the host key: %v", err)
	}
	first, _ := browsertest.Eval[string](p, `document.getElementById("phonepin-value").textContent`)
	shoot(t, p, "admin-phonepin")
	axe := axeSource(t)
	checkAxe(t, p, axe, "admin phone PIN dialog")
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS("#phonepin-close"))); err != nil {
		t.Fatal(err)
	}
	waitPath(t, p, "/admin/m/pin-made")
	if _, page := get(t, srv.URL+"/api/meetings/pin-made"); !strings.Contains(page, `"has_phone_pin":true`) {
		t.Fatalf("meeting without a PIN: %.300s", page)
	}
	waitText(t, p, "meeting-form-status", `Meeting "Pin Made Meeting" saved.`)

	answerConfirm(t, p, true)
	pressLabelled(t, p, "New phone PIN for Pin Made Meeting")
	if err := p.WaitFor(pinShown, 10*time.Second); err != nil {
		t.Fatalf("no new phone PIN shown: %v", err)
	}
	if second, _ := browsertest.Eval[string](p, `document.getElementById("phonepin-value").textContent`); second == first {
		t.Fatal("the new PIN is the old one")
	}
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS("#phonepin-close"))); err != nil {
		t.Fatal(err)
	}
	// The dialog's close handler empties it; wait for that rather than race it.
	if err := p.WaitFor(`document.getElementById("phonepin-value").textContent === ""`, 10*time.Second); err != nil {
		t.Fatal("the PIN stayed in the page after the dialog closed")
	}
	shoot(t, p, "admin-phonepin-section")
	checkAxe(t, p, axe, "admin meeting page with its phone PIN section")

	// A PIN typed by the admin that is too short: the browser's own check
	// is bypassed (novalidate) so that the server's answer is shown.
	bad := `(() => {
		const form = document.getElementById("meeting-form");
		form.noValidate = true; form.elements.phone_pin.value = "123";
		document.querySelector("#meeting-form button[type=submit]").click();
		return true; })()`
	if _, err := browsertest.Eval[bool](p, bad); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "meeting-form-status", "6 to 16 digits")
	if open, _ := browsertest.Eval[bool](p, `document.getElementById("phonepin-dialog").open`); open {
		t.Fatal("a refused PIN showed a PIN")
	}
}
