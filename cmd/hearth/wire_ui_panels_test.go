package main

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// TestBrowserRoomEveryPanelAxe (issue 12): axe-core, light and dark, finds
// nothing serious or critical in the room with every panel open at once,
// on a member's page (reactions row, chat with messages, People with the
// video choice and raised hands, the share timer and the 7th-Tradition
// card) and on the chair's (the same plus the Chair panel with someone in
// the waiting list). Screenshots of both at phone and desktop size.
func TestBrowserRoomEveryPanelAxe(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "panels", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/panels/join"

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "audio", hostKey)
	waitIn(t, pat, "Pat")
	sam := isolated(t, pat, url)
	joinAs(t, sam, "Sam", "video", "")
	waitIn(t, sam, "Sam")

	click(t, pat, "#btn-chair")
	if err := pat.WaitFor(`!document.getElementById("chair-tools").hidden`, 15*time.Second); err != nil {
		t.Fatalf("Pat is not chair: %v", err)
	}
	click(t, pat, "#ctl-waiting-room")
	cy := isolated(t, pat, url)
	joinAs(t, cy, "Cy", "listen", "")
	waitText(t, pat, "waiting-list", "Cy")

	for _, p := range []*browsertest.Page{pat, sam} {
		click(t, p, "#btn-react")
		click(t, p, "#btn-chat")
		click(t, p, "#btn-people")
	}
	click(t, sam, "#btn-hand")
	if _, err := browsertest.Eval[bool](sam, `document.getElementById("chat-text").value = "Hello everyone", true`); err != nil {
		t.Fatal(err)
	}
	click(t, sam, "#chat-form button")
	waitText(t, pat, "chat-log", "Hello everyone")
	click(t, pat, `#people-list button[aria-label="Share timer: Sam"]`)
	click(t, pat, "#btn-tradition-show")
	for _, p := range []*browsertest.Page{pat, sam} {
		if err := p.WaitFor(`!document.getElementById("tradition-card").hidden && !document.getElementById("timer").hidden &&
			!document.getElementById("reactions").hidden && !document.getElementById("chat").hidden &&
			!document.getElementById("people").hidden`, 10*time.Second); err != nil {
			t.Fatalf("not every panel is open: %v", err)
		}
	}
	waitText(t, sam, "chat-log", "Hello everyone")
	if open, _ := browsertest.Eval[bool](pat, `!document.getElementById("chair").hidden`); !open {
		t.Fatal("the chair panel is closed")
	}

	checkAxe(t, sam, axe, "member's room with every panel open")
	checkAxe(t, pat, axe, "chair's room with every panel open")
	shoot(t, sam, "room-member-every-panel")
	shoot(t, pat, "room-chair-every-panel")
}
