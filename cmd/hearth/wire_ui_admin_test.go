package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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
	js := fmt.Sprintf(`(() => { const b = document.querySelector(%q); if (!b) return false; b.click(); return true; })()`,
		fmt.Sprintf(`button[aria-label=%q]`, label))
	if ok, err := browsertest.Eval[bool](p, js); err != nil || !ok {
		t.Fatalf("no button %q: %v", label, err)
	}
}

// The admin is refused deleting a group that still has meetings, edits an
// existing exception, and deletes a meeting and an empty group, each after
// a confirmation (a "no" changes nothing).
func TestBrowserAdminDeletesAndEditsException(t *testing.T) {
	srv := testApp(t, true)
	createRoom(t, srv, "doomed", map[string]any{"max_participants": 10})
	adminCall(t, srv, http.MethodPost, "/api/groups", map[string]any{"slug": "empty-group", "name": "Empty Group", "program": "AA"}, http.StatusCreated)
	date := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
	adminCall(t, srv, http.MethodPut, "/api/meetings/doomed/exceptions/"+date, map[string]any{"kind": "cancelled", "reason": "Old reason"}, http.StatusOK)

	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/admin/")
	if err := chromedp.Do(p.Ctx,
		chromedp.SendKeys(chromedp.CSS("#token"), testAdminToken),
		chromedp.Click(chromedp.CSS("#signin-form button")),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "group-list", "Empty Group")
	waitText(t, p, "meeting-list", "Room doomed")

	// A group with meetings: the server says 409 and the page says why.
	answerConfirm(t, p, true)
	pressLabelled(t, p, "Delete group Lakeshore Online AA")
	waitText(t, p, "admin-status", "it still has meetings")
	waitText(t, p, "group-list", "Lakeshore Online AA")

	// Edit the exception in place: same date, new kind and reason.
	pressLabelled(t, p, "Exceptions for Room doomed")
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
	if _, err := browsertest.Eval[bool](p, `document.querySelector("#exception-form button[type=submit]").click(), true`); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "exception-list", "New reason")
	if n, _ := browsertest.Eval[int](p, `document.querySelectorAll("#exception-list li").length`); n != 1 {
		t.Errorf("%d exceptions listed after the edit, want 1", n)
	}
	if code, page := get(t, srv.URL+"/api/meetings/doomed"); code != http.StatusOK || !bytes.Contains([]byte(page), []byte(`"reason":"New reason"`)) {
		t.Errorf("the edit did not reach the store: %d %.300s", code, page)
	}
	shoot(t, p, "admin-exception-edit")

	// Delete the meeting: "no" keeps it, "yes" removes it.
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
	waitText(t, p, "admin-status", `Meeting "Room doomed" deleted.`)
	if err := p.WaitFor(`!document.getElementById("meeting-list").textContent.includes("Room doomed") && document.getElementById("exceptions").hidden`, 10*time.Second); err != nil {
		t.Fatalf("deleted meeting still shown: %v", err)
	}
	if code, _ := get(t, srv.URL+"/api/meetings/doomed"); code != http.StatusNotFound {
		t.Errorf("meeting still in the API after delete: %d", code)
	}

	answerConfirm(t, p, true)
	pressLabelled(t, p, "Delete group Empty Group")
	waitText(t, p, "admin-status", `Group "Empty Group" deleted.`)
	if err := p.WaitFor(`!document.getElementById("group-list").textContent.includes("Empty Group")`, 10*time.Second); err != nil {
		t.Fatalf("deleted group still listed: %v", err)
	}
	checkAxe(t, p, axeSource(t), "admin after deletes")
}
