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

// rolesMeeting is a meeting that runs all day every day in zone.
func rolesMeeting(slug, zone string) map[string]any {
	return map[string]any{
		"slug": slug, "name": "Room " + slug, "group": "lakeshore-aa", "format": "12-step", "program": "AA",
		"timezone": zone, "time": "00:00", "duration": 720, "languages": []string{"en"},
		"recurrence": map[string]any{"freq": "weekly", "weekdays": []int{0, 1, 2, 3, 4, 5, 6},
			"start": time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)},
		"room": map[string]any{"max_participants": 10},
	}
}

// adminJSON sends an authorised API request and decodes the answer.
func adminJSON(t *testing.T, srv *httptest.Server, method, path string, body any, want int, out any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatal(err)
		}
	}
}

// addRoleInPage fills the admin page's role form, submits it and returns
// the key the dialog shows once (as the admin copies it), then closes it.
func addRoleInPage(t *testing.T, p *browsertest.Page, label, until string) string {
	t.Helper()
	js := fmt.Sprintf(`(() => { const f = document.getElementById("role-form");
		f.elements.label.value = %q; f.elements.until.value = %q; f.requestSubmit(); return true; })()`, label, until)
	if _, err := browsertest.Eval[bool](p, js); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.getElementById("hostkey-dialog").open && document.getElementById("hostkey-value").textContent.length > 10`, 10*time.Second); err != nil {
		t.Fatalf("no key shown for %s: %v", label, err)
	}
	key, _ := browsertest.Eval[string](p, `document.getElementById("hostkey-value").textContent`)
	title, _ := browsertest.Eval[string](p, `document.getElementById("hostkey-title").textContent`)
	if title != "Host key for "+label {
		t.Errorf("dialog title %q", title)
	}
	return key
}

// claimAgain sends another key from the chair panel already open (the
// form clears the last refusal when it is sent).
func claimAgain(t *testing.T, p *browsertest.Page, key string) {
	t.Helper()
	if _, err := browsertest.Eval[bool](p, fmt.Sprintf(`document.getElementById("claim-key").value = %q, true`, key)); err != nil {
		t.Fatal(err)
	}
	click(t, p, "#claim-form button")
}

func closeKeyDialog(t *testing.T, p *browsertest.Page) {
	t.Helper()
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS("#hostkey-close"))); err != nil {
		t.Fatal(err)
	}
	// The dialog's close event (queued after the click) drops the key.
	if err := p.WaitFor(`!document.getElementById("hostkey-dialog").open && document.getElementById("hostkey-value").textContent === ""`, 5*time.Second); err != nil {
		t.Fatalf("the key stayed in the page after the dialog closed: %v", err)
	}
}

// TestBrowserServiceRoles (issue 15, service roles): on the admin page the
// admin adds named host keys, each shown once; a chair who joins with the
// Secretary key is shown to members as "Secretary" in People and on the
// tile, and a member who claims with the Tech host key in the room too.
// Revoking the Secretary role makes Sam, chair with its key, a member at
// once: Sam's page says so and loses the chair panel, the others see the
// label go. A revoked key and a key past its last day (in the meeting's
// zone) are refused in the room exactly as a wrong key is. axe light and dark on the
// roles form; screenshots at phone and desktop sizes.
func TestBrowserServiceRoles(t *testing.T) {
	axe := axeSource(t)
	srv := testAppRTC(t, true, rtcConfig{LoopbackOnly: true, RoleCheck: 200 * time.Millisecond})
	// Pago Pago (UTC-11) and Kiritimati (UTC+14) are 25 hours apart: a day
	// that has not ended in the first has always ended in the second.
	pago, err := time.LoadLocation("Pacific/Pago_Pago")
	if err != nil {
		t.Fatal(err)
	}
	adminJSON(t, srv, http.MethodPost, "/api/meetings", rolesMeeting("roles", "Pacific/Pago_Pago"), http.StatusCreated, nil)
	today := time.Now().In(pago).Format(time.DateOnly)

	b := browsertest.Launch(t, browsertest.Options{})
	admin := b.Open(srv.URL + "/admin/m/roles")
	signInAdmin(t, admin, testAdminToken)
	waitText(t, admin, "role-list", "No service roles")

	// A last day already over is refused beside the form, and nothing is added.
	addBad := `(() => { const f = document.getElementById("role-form");
		f.elements.label.value = "Secretary"; f.elements.until.value = "2020-01-31"; f.requestSubmit(); return true; })()`
	if _, err := browsertest.Eval[bool](admin, addBad); err != nil {
		t.Fatal(err)
	}
	waitText(t, admin, "role-form-status", "has passed in the meeting's time zone")
	checkAxe(t, admin, axe, "admin roles form with a refused role")

	secKey := addRoleInPage(t, admin, "Secretary", "2099-03-31")
	scrollTo(t, admin, "hostkey-dialog")
	shoot(t, admin, "roles-admin-key-shown")
	closeKeyDialog(t, admin)
	techKey := addRoleInPage(t, admin, "Tech host", "")
	closeKeyDialog(t, admin)
	treasKey := addRoleInPage(t, admin, "Treasurer", today)
	closeKeyDialog(t, admin)
	waitText(t, admin, "role-list", "Secretary: until 2099-03-31")
	waitText(t, admin, "role-list", "Tech host: no last day")
	waitText(t, admin, "role-list", "Treasurer: until "+today)
	if secKey == techKey || !strings.Contains(secKey, "-") {
		t.Fatalf("keys %q %q", secKey, techKey)
	}
	if _, list := get(t, srv.URL+"/api/meetings/roles"); strings.Contains(list, "Secretary") {
		t.Fatal("the public meeting shows its roles")
	}
	scrollTo(t, admin, "roles-title")
	shoot(t, admin, "roles-admin")
	checkAxe(t, admin, axe, "admin roles form and list")

	// The Secretary joins with the key the admin copied; members see the role.
	url := srv.URL + "/m/roles/join"
	sam := b.Open(url)
	joinAs(t, sam, "Sam", "listen", secKey)
	waitIn(t, sam, "Sam")
	ann := isolated(t, sam, url)
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")
	waitText(t, ann, "people-list", "Sam · chair (Secretary)")
	samTile := fmt.Sprintf(`(() => { const f = `+tileOf+`; return !!f && f.querySelector(".role").textContent === "Secretary"; })()`, "Sam, Secretary")
	if err := ann.WaitFor(samTile, 10*time.Second); err != nil {
		t.Fatalf("Ann's tile of Sam does not show the role: %v", err)
	}
	waitText(t, sam, "people-list", "Sam (you) · chair (Secretary)")
	if body, _ := browsertest.Eval[string](ann, `document.body.innerText`); strings.Contains(body, secKey) {
		t.Fatal("a member's page shows the key")
	}

	// A member claims with the Tech host key in the room: everyone sees it.
	tom := isolated(t, sam, url)
	joinAs(t, tom, "Tom", "listen", "")
	waitIn(t, tom, "Tom")
	claimInRoom(t, tom, techKey)
	waitFor(t, tom, "Tom is chair", chairShown)
	waitText(t, ann, "people-list", "Tom · chair (Tech host)")
	waitText(t, tom, "announcer", "You are now the chair, as Tech host.")
	click(t, ann, "#btn-people")
	shoot(t, ann, "roles-room-member")
	checkAxe(t, ann, axe, "room with service roles in People")

	// Revoked: the admin revokes the Secretary key. Sam, chair with it,
	// is a member at once, still in the room, and Sam's page says why; the
	// others see the role go. The key is then refused in the room with the
	// words of a wrong key.
	waitFor(t, sam, "Sam is chair", chairShown)
	answerConfirm(t, admin, true)
	pressLabelled(t, admin, "Revoke the Secretary key")
	waitText(t, admin, "role-list-status", "The Secretary key is revoked")
	if err := admin.WaitFor(`!document.getElementById("role-list").textContent.includes("Secretary")`, 10*time.Second); err != nil {
		t.Fatal("the revoked role is still listed")
	}
	waitFor(t, sam, "Sam is a member", memberShown)
	if err := sam.WaitFor(`!document.getElementById("role-ended").hidden`, 10*time.Second); err != nil {
		t.Fatalf("Sam's page does not say the role ended: %v", err)
	}
	waitText(t, sam, "role-ended", "The meeting's organisers ended your service role")
	waitText(t, ann, "people-list", "Sam")
	if err := ann.WaitFor(`(() => { const t = document.getElementById("people-list").textContent;
		return !t.includes("Sam · chair") && !t.includes("Secretary"); })()`, 10*time.Second); err != nil {
		t.Fatalf("Ann still sees Sam as chair or Secretary: %v", err)
	}
	waitText(t, ann, "people-list", "Tom · chair (Tech host)")
	shoot(t, sam, "roles-room-role-ended")
	checkAxe(t, sam, axe, "room after the chair's role was revoked")
	click(t, sam, "#role-ended-dismiss")
	if err := sam.WaitFor(`document.getElementById("role-ended").hidden`, 5*time.Second); err != nil {
		t.Fatal("the notice stays after Dismiss")
	}
	lee := isolated(t, sam, url)
	joinAs(t, lee, "Lee", "listen", "")
	waitIn(t, lee, "Lee")
	wrong := "That host key or admin token was not accepted."
	claimInRoom(t, lee, "abcd-efgh-jkmn-pqrs")
	waitText(t, lee, "claim-error", wrong)
	claimAgain(t, lee, secKey)
	waitText(t, lee, "claim-error", wrong)

	// Expired: the meeting moves to Kiritimati, where the Treasurer's last
	// day is over; the key is refused the same way and the list says so.
	adminJSON(t, srv, http.MethodPut, "/api/meetings/roles", rolesMeeting("roles", "Pacific/Kiritimati"), http.StatusOK, nil)
	var roles []struct {
		Label   string
		Expired bool
	}
	adminJSON(t, srv, http.MethodGet, "/api/meetings/roles/roles", nil, http.StatusOK, &roles)
	if len(roles) != 2 || roles[1].Label != "Treasurer" || !roles[1].Expired {
		t.Fatalf("roles after the zone moved: %+v", roles)
	}
	claimAgain(t, lee, treasKey)
	waitText(t, lee, "claim-error", wrong)
	if err := lee.WaitFor(memberShown, 2*time.Second); err != nil {
		t.Fatal("a refused key made a chair")
	}
	waitText(t, ann, "people-list", "Lee")
	if txt, _ := browsertest.Eval[string](ann, `document.getElementById("people-list").textContent`); strings.Contains(txt, "Lee · chair") {
		t.Fatalf("Lee became chair: %s", txt)
	}
	if _, err := browsertest.Eval[bool](admin, `location.reload(), true`); err != nil {
		t.Fatal(err)
	}
	waitText(t, admin, "role-list", "Treasurer: ended after "+today)
}
