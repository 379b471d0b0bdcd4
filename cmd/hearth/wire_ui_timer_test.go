package main

import (
	"slices"
	"testing"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// TestBrowserShareTimerWarning: the chair starts a short share timer for
// Sam with a warning before its end; Sam and the chair see the timer
// marked and hear the warning; another member hears only that time is up.
func TestBrowserShareTimerWarning(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "timed", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/timed/join"

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "listen", hostKey)
	waitIn(t, pat, "Pat")
	listen(t, pat)
	sam := isolated(t, pat, url)
	joinAs(t, sam, "Sam", "listen", "")
	waitIn(t, sam, "Sam")
	listen(t, sam)
	bob := isolated(t, pat, url)
	joinAs(t, bob, "Bob", "listen", "")
	waitIn(t, bob, "Bob")
	listen(t, bob)

	click(t, pat, "#btn-chair")
	// 9 s, warned 6 s before the end (the fields take fractions of minutes).
	if _, err := browsertest.Eval[bool](pat, `document.getElementById("share-minutes").value = "0.15",
		document.getElementById("warn-minutes").value = "0.1", true`); err != nil {
		t.Fatal(err)
	}
	click(t, pat, "#btn-people")
	click(t, pat, `#people-list button[aria-label="Share timer: Sam"]`)
	waitSaid(t, sam, "Your share time is almost up.")
	waitSaid(t, pat, "Sam’s share time is almost up.")
	waitFor(t, sam, "the timer is not marked", `document.getElementById("timer").classList.contains("warning") &&
		document.getElementById("timer").textContent.includes("almost up")`)
	shoot(t, sam, "share-timer-warning")
	checkAxe(t, sam, axe, "share timer warning")
	waitSaid(t, bob, "The share time is up.")
	said, _ := browsertest.Eval[[]string](bob, `window.said`)
	if slices.ContainsFunc(said, func(s string) bool { return s == "Sam’s share time is almost up." }) {
		t.Fatal("a member other than the speaker was warned")
	}
}

// TestBrowserShareTimerStartsItself: with the meeting's automatic share
// timer set (the admin page's "share timer" setting), a chair's "Ask to
// unmute" starts that member's timer by itself: the member and another
// member see it running, and nobody pressed the timer button.
func TestBrowserShareTimerStartsItself(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "autotimed", map[string]any{"max_participants": 10, "share_timer": 3})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/autotimed/join"

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "listen", hostKey)
	waitIn(t, pat, "Pat")
	listen(t, pat)
	sam := isolated(t, pat, url)
	joinAs(t, sam, "Sam", "listen", "")
	waitIn(t, sam, "Sam")
	listen(t, sam)
	bob := isolated(t, pat, url)
	joinAs(t, bob, "Bob", "listen", "")
	waitIn(t, bob, "Bob")
	listen(t, bob)

	for _, p := range []*browsertest.Page{sam, bob} {
		if shown, _ := browsertest.Eval[bool](p, `!document.getElementById("timer").hidden`); shown {
			t.Fatal("a share timer shows before any chair asked anyone to unmute")
		}
	}
	click(t, pat, "#btn-people")
	click(t, pat, `#people-list button[aria-label="Ask to unmute: Sam"]`)
	// Three minutes were set: the timer shows between 2:00 and 3:00.
	running := `(() => { const el = document.getElementById("timer");
		return !el.hidden && /\b[23]:\d\d\b/.test(el.textContent); })()`
	waitFor(t, sam, "Sam's own share timer is not running", running)
	waitFor(t, bob, "Bob does not see Sam's share timer", running)
	waitFor(t, pat, "the chair does not see Sam's share timer", running)
	shoot(t, sam, "share-timer-auto")
}
