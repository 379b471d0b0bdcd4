package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// pressWhenShown waits for the button with this accessible name to appear
// (lists are redrawn as events arrive), then presses it.
func pressWhenShown(t *testing.T, p *browsertest.Page, label string) {
	t.Helper()
	if err := p.WaitFor(fmt.Sprintf(`!!document.querySelector(%q)`, fmt.Sprintf(`button[aria-label=%q]`, label)), 15*time.Second); err != nil {
		t.Fatalf("no button %q appeared: %v", label, err)
	}
	pressLabelled(t, p, label)
}

// hasButton reports whether the page has a button with this accessible name.
func hasButton(t *testing.T, p *browsertest.Page, label string) bool {
	t.Helper()
	ok, err := browsertest.Eval[bool](p, fmt.Sprintf(`!!document.querySelector(%q)`, fmt.Sprintf(`button[aria-label=%q]`, label)))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// claimInRoom opens the chair panel and claims the chair with secret (the
// host key or the admin token).
func claimInRoom(t *testing.T, p *browsertest.Page, secret string) {
	t.Helper()
	click(t, p, "#btn-chair")
	if _, err := browsertest.Eval[bool](p, fmt.Sprintf(`document.getElementById("claim-key").value = %q, true`, secret)); err != nil {
		t.Fatal(err)
	}
	click(t, p, "#claim-form button")
}

const (
	chairShown  = `!document.getElementById("chair-tools").hidden && document.getElementById("claim-form").hidden`
	memberShown = `document.getElementById("chair-tools").hidden && !document.getElementById("claim-form").hidden`
)

func waitFor(t *testing.T, p *browsertest.Page, what, expr string) {
	t.Helper()
	if err := p.WaitFor(expr, 15*time.Second); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// The chair asks a muted member to unmute, lowers that member's raised hand
// from the hands list, makes another member co-chair (who gets the panel
// without the chair-only controls) and takes it back, then hands the chair
// over: the new chair gets the tools, the old one the claim form.
func TestBrowserChairAsksHandsAndHandsOver(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "handover", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/handover/join"

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "audio", "")
	waitIn(t, pat, "Pat")
	claimInRoom(t, pat, hostKey)
	waitFor(t, pat, "Pat is not chair", chairShown+` && !document.getElementById("btn-end").hidden`)
	bob := isolated(t, pat, url)
	joinAs(t, bob, "Bob", "audio", "")
	waitIn(t, bob, "Bob")
	ann := isolated(t, pat, url)
	joinAs(t, ann, "Ann", "audio", "")
	waitIn(t, ann, "Ann")
	click(t, pat, "#btn-people")

	// Bob mutes himself: the chair's Mute becomes "Ask to unmute".
	waitText(t, pat, "people-list", "Bob")
	if hasButton(t, pat, "Ask to unmute: Bob") {
		t.Error("the chair may ask Bob to unmute while he is not muted")
	}
	click(t, bob, "#btn-mic")
	pressWhenShown(t, pat, "Ask to unmute: Bob")
	waitText(t, bob, "announcer", "A chair asks you to unmute")
	if hasButton(t, pat, "Mute: Bob") {
		t.Error("the chair is offered to mute Bob, who is muted")
	}
	pressWhenShown(t, pat, "Ask to start camera: Bob")
	waitText(t, bob, "announcer", "A chair asks you to start your camera")

	// Bob's raised hand, lowered by the chair from the hands list.
	click(t, bob, "#btn-hand")
	waitText(t, pat, "hands-list", "Bob")
	checkAxe(t, pat, axeSource(t), "chair and people panels with a raised hand")
	shoot(t, pat, "chair-hands")
	pressWhenShown(t, pat, "Lower hand: Bob")
	waitFor(t, bob, "Bob's page still shows his hand raised",
		`document.getElementById("btn-hand").getAttribute("aria-pressed") === "false"`)
	waitText(t, bob, "announcer", "A chair lowered your hand")
	waitFor(t, pat, "the hands list still shows Bob", `document.querySelectorAll("#hands-list li").length === 0`)
	if hasButton(t, bob, "Lower hand: Bob") {
		t.Error("a member is offered to lower hands")
	}

	// Co-chair: the panel appears without the chair-only controls, and
	// goes away when the chair takes it back.
	pressWhenShown(t, pat, "Make co-chair: Ann")
	waitFor(t, ann, "Ann's chair panel did not appear", chairShown)
	waitText(t, ann, "people-list", "Bob")
	waitText(t, pat, "people-list", "Ann · co-chair")
	for _, label := range []string{"Mute: Ann", "Ask to unmute: Ann", "Remove: Ann", "Make co-chair: Ann"} {
		if hasButton(t, pat, label) {
			t.Errorf("the chair is shown %q for a co-chair, which the server refuses", label)
		}
	}
	if end, _ := browsertest.Eval[bool](ann, `document.getElementById("btn-end").hidden`); !end {
		t.Error("a co-chair is shown End meeting, which only the chair may do")
	}
	for _, label := range []string{"Make chair: Bob", "Make co-chair: Bob", "Remove co-chair: Pat"} {
		if hasButton(t, ann, label) {
			t.Errorf("a co-chair is shown %q", label)
		}
	}
	if !hasButton(t, ann, "Share timer: Bob") {
		t.Error("the co-chair has no member actions")
	}
	pressWhenShown(t, pat, "Remove co-chair: Ann")
	waitFor(t, ann, "Ann still has the chair panel", memberShown)
	waitFor(t, pat, "Pat is not offered to make Ann co-chair again",
		`!!document.querySelector('button[aria-label="Make co-chair: Ann"]')`)

	// Hand over, after one confirmation.
	answerConfirm(t, pat, true)
	pressLabelled(t, pat, "Make chair: Bob")
	if asked, _ := browsertest.Eval[int](pat, `window.asked`); asked != 1 {
		t.Errorf("handing over asked %d times, want once", asked)
	}
	waitFor(t, bob, "Bob did not become chair", chairShown+` && !document.getElementById("btn-end").hidden`)
	waitFor(t, pat, "Pat's page still shows the chair tools", memberShown)
	waitText(t, pat, "people-list", "Bob · chair")
	waitFor(t, pat, "Pat, now a member, still has member actions", `document.querySelectorAll("#people-list button").length === 0`)
	if !hasButton(t, bob, "Make chair: Pat") {
		t.Error("the new chair has no chair-only actions")
	}
}

// The admin token, typed into the room's claim form or the join form's
// host key field, makes its holder chair; a wrong value is refused with
// words and changes nothing.
func TestBrowserClaimChairWithAdminToken(t *testing.T) {
	srv := testApp(t, true)
	createRoom(t, srv, "admin-claim", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/m/admin-claim/join")
	joinAs(t, p, "Ada", "listen", "")
	waitIn(t, p, "Ada")
	if maxLen, _ := browsertest.Eval[int](p, `document.getElementById("claim-key").maxLength`); maxLen != 256 {
		t.Errorf("the claim field takes %d characters, want 256", maxLen)
	}
	claimInRoom(t, p, "not-the-token")
	waitText(t, p, "announcer", "was not accepted")
	if shown, _ := browsertest.Eval[bool](p, memberShown); !shown {
		t.Error("a wrong token changed the chair panel")
	}
	if _, err := browsertest.Eval[bool](p, `document.getElementById("claim-key").value = "`+testAdminToken+`", true`); err != nil {
		t.Fatal(err)
	}
	click(t, p, "#claim-form button")
	waitFor(t, p, "the admin token did not make Ada chair", chairShown+` && !document.getElementById("btn-end").hidden`)

	// The join form's field takes it too.
	q := isolated(t, p, srv.URL+"/m/admin-claim/join")
	joinAs(t, q, "Max", "listen", testAdminToken)
	waitIn(t, q, "Max")
	waitFor(t, q, "joining with the admin token did not make Max chair", chairShown)
}
