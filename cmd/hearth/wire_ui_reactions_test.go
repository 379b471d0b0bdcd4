package main

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// react opens a page's reactions row if needed and presses one reaction.
func react(t *testing.T, p *browsertest.Page, reaction string) {
	t.Helper()
	if open, _ := browsertest.Eval[bool](p, `!document.getElementById("reactions").hidden`); !open {
		click(t, p, "#btn-react")
	}
	click(t, p, `#reactions button[data-reaction="`+reaction+`"]`)
}

// TestBrowserReactions: a member's applause shows on its tile on the
// chair's page and is said to screen readers; the chair turns reactions
// off (the member's buttons are disabled and the server refuses a forced
// one), Secure keeps them off and Undo secure brings them back. axe finds
// nothing serious with the reactions row open.
func TestBrowserReactions(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "reacting", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/reacting/join"

	chair := b.Open(url)
	joinAs(t, chair, "Pat", "listen", hostKey)
	waitIn(t, chair, "Pat")
	listen(t, chair)
	ann := isolated(t, chair, url)
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")
	listen(t, ann)

	react(t, ann, "applause")
	waitFor(t, chair, "applause not on Ann's tile",
		`[...document.querySelectorAll("#grid figure.tile")].some(f => f.getAttribute("aria-label") === "Ann" && f.querySelector(".reaction")?.textContent === "👏 Applause")`)
	waitSaid(t, chair, "Ann: Applause")
	waitSaid(t, ann, "You: Applause")
	shoot(t, ann, "reactions-member")
	checkAxe(t, ann, axe, "reactions row")

	click(t, chair, "#btn-chair")
	click(t, chair, "#ctl-reactions")
	waitFor(t, ann, "reactions not disabled", `document.querySelector('#reactions button[data-reaction="heart"]').disabled`)
	// A forced reaction: the server refuses it and says why.
	if _, err := browsertest.Eval[bool](ann, `(() => { const b = document.querySelector('#reactions button[data-reaction="heart"]');
		b.disabled = false; b.click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitSaid(t, ann, "A chair has turned off reactions for now.")

	click(t, chair, "#ctl-reactions")
	waitFor(t, ann, "reactions not enabled again", `!document.querySelector('#reactions button[data-reaction="wave"]').disabled`)
	click(t, chair, "#btn-secure")
	waitFor(t, ann, "secure left reactions on", `document.querySelector('#reactions button[data-reaction="wave"]').disabled`)
	if err := chair.WaitFor(`!document.getElementById("ctl-reactions").checked`, 10*time.Second); err != nil {
		t.Fatalf("the chair's switch does not show reactions off: %v", err)
	}
	click(t, chair, "#btn-undo-secure")
	waitFor(t, ann, "undo secure left reactions off", `!document.querySelector('#reactions button[data-reaction="wave"]').disabled`)
	react(t, ann, "thumbs-up")
	waitSaid(t, chair, "Ann: Thumbs up")
}
