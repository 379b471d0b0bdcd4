package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// TestBrowserChairSendsBackToWaiting (issue 12): the chair moves a member
// back to the waiting room from the People panel. The member's page shows
// the waiting screen and says why (its status line is read out), the
// others stop receiving the member's video and its tile goes, everyone
// hears it; the member shows in the chair's waiting list (also after
// reloading its page: it is not let straight in), and the chair admits it
// again: back in the room, its video reaches the others again.
func TestBrowserChairSendsBackToWaiting(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "sendback", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/sendback/join"

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "audio", hostKey)
	waitIn(t, pat, "Pat")
	sam := isolated(t, pat, url)
	joinAs(t, sam, "Sam", "video", "")
	waitIn(t, sam, "Sam")
	ann := isolated(t, pat, url)
	joinAs(t, ann, "Ann", "audio", "")
	waitIn(t, ann, "Ann")
	seesVideo(t, ann, "Ann", "Sam")

	click(t, pat, "#btn-chair")
	if err := pat.WaitFor(`!document.getElementById("chair-tools").hidden`, 15*time.Second); err != nil {
		t.Fatalf("Pat is not chair: %v", err)
	}
	click(t, pat, "#btn-people")
	waitText(t, pat, "people-list", "Sam")
	click(t, pat, `#people-list button[aria-label="Move to waiting room: Sam"]`)

	if err := sam.WaitFor(`document.getElementById("room").hidden && !document.getElementById("wait").hidden &&
		document.getElementById("wait-title").textContent === "Back in the waiting room" &&
		document.getElementById("wait-text").textContent.startsWith("A chair moved you to the waiting room.")`, 15*time.Second); err != nil {
		st, _ := browsertest.Eval[string](sam, `document.getElementById("wait-title").textContent + " | " + document.getElementById("wait-text").textContent`)
		t.Fatalf("Sam's page does not show the waiting screen: %v (%s)", err, st)
	}
	if role, _ := browsertest.Eval[string](sam, `document.getElementById("wait-text").getAttribute("role")`); role != "status" {
		t.Errorf("the waiting text is not a status region (role %q): a screen reader would not hear why", role)
	}
	waitText(t, ann, "announcer", "A chair moved Sam to the waiting room.")
	if err := ann.WaitFor(`!document.getElementById("people-list").textContent.includes("Sam")`, 10*time.Second); err != nil {
		t.Errorf("Ann still lists Sam: %v", err)
	}
	time.Sleep(time.Second) // frames already in flight
	if framesFlow(t, ann, 2*time.Second) {
		t.Error("Ann still decodes Sam's video after Sam was moved to the waiting room")
	}
	waitText(t, pat, "waiting-list", "Sam")
	checkAxe(t, sam, axe, "member moved back to the waiting room")
	shoot(t, sam, "sendback-member-waiting")
	shoot(t, pat, "sendback-chair-waiting-list")

	// Reloading the page does not get Sam past the waiting room: a fresh
	// join from the same browser waits too, and is listed once.
	if err := chromedp.Do(sam.Ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	joinAs(t, sam, "Sam", "video", "")
	if err := sam.WaitFor(`!document.getElementById("wait").hidden && document.getElementById("room").hidden &&
		document.getElementById("wait-title").textContent === "Waiting to be let in"`, 15*time.Second); err != nil {
		t.Fatalf("Sam's reloaded page is not in the waiting room: %v", err)
	}
	if err := pat.WaitFor(`document.getElementById("waiting-list").querySelectorAll("li").length === 1`, 10*time.Second); err != nil {
		n, _ := browsertest.Eval[int](pat, `document.getElementById("waiting-list").querySelectorAll("li").length`)
		t.Fatalf("the chair's waiting list has %d entries, want Sam once: %v", n, err)
	}

	click(t, pat, `#waiting-list button[aria-label="Admit Sam"]`)
	waitIn(t, sam, "Sam admitted again")
	seesVideo(t, ann, "Ann", "Sam")
	waitText(t, pat, "people-list", "Sam")
	if err := pat.WaitFor(`!document.getElementById("waiting-list").textContent.includes("Sam")`, 10*time.Second); err != nil {
		t.Errorf("Sam is still in the chair's waiting list: %v", err)
	}
}
