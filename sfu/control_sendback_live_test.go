package sfu_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// TestSendToWaitingLive: over real signaling and Pion media, a chair moves
// a speaking member back to the waiting room: the member hears why and its
// socket closes with 4006, the server forwards not one more of its packets
// from the moment the chair reads the news, the others see it leave; the
// same browser joining again (no passcode, room locked) waits and shows in
// the chair's list, and the chair admits it again.
func TestSendToWaitingLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{PasscodeRequired: true}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("sb", "Chair", map[string]any{"hostKey": rightHostKey}))
	chair.subscribe()
	cs.dialWithPasscode(t, "sb", "Listener", bid("l"), false) // receives: the member's packets are forwarded
	member := cs.dialWithPasscode(t, "sb", "Pat", bid("p"), true)
	peer := cs.srv.Room("sb").Peer(member.ID)
	if peer == nil {
		t.Fatal("the member is not in the room")
	}
	deadline := time.Now().Add(30 * time.Second)
	for peer.Forwarded() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the member's audio never reached the listener")
		}
		time.Sleep(50 * time.Millisecond)
	}
	chair.send(map[string]any{"type": "set-locked", "on": true})

	chair.send(map[string]any{"type": "send-to-waiting", "target": member.ID})
	// The chair reads the news and the leave, in whichever order the
	// member's session ends.
	var announced, left bool
	at := uint64(0)
	for !announced || !left {
		m := chair.next(func(m map[string]any) bool {
			return isEvent("control")(m) && m["control"] == "send-to-waiting" || m["type"] == "participant" && m["event"] == "left"
		})
		switch p, _ := m["participant"].(map[string]any); {
		case m["type"] == "closed":
			t.Fatal("the chair's socket closed")
		case m["type"] == "control" && m["subject"] == member.ID && !announced:
			announced, at = true, peer.Forwarded()
		case p["id"] == member.ID:
			left = true
		}
	}
	var told bool
	for _, m := range controlEvents(member) {
		told = told || (m["event"] == "disconnect" && m["reason"] == "sent-to-waiting")
	}

	// The same browser comes back, as its page does at once.
	back := cs.signal(t, bid("p"))
	if m := back.join("sb", "Pat", nil); m["event"] != "waiting" {
		t.Fatalf("join again: %v, want waiting", m)
	}
	wl := chair.next(func(m map[string]any) bool { return isEvent("waiting-list")(m) && waitingLen(m) == 1 })
	entry := wl["waiting"].([]any)[0].(map[string]any)
	if entry["name"] != "Pat" {
		t.Fatalf("waiting list %v", wl)
	}
	if n := peer.Forwarded(); n != at {
		t.Fatalf("the server forwarded %d packets of the member after the chair was told", n-at)
	}
	for _, m := range controlEvents(member) {
		told = told || (m["event"] == "disconnect" && m["reason"] == "sent-to-waiting")
	}
	if !told {
		t.Error("the member was not told it was sent to the waiting room")
	}
	chair.send(map[string]any{"type": "admit", "target": entry["id"]})
	back.next(isEvent("admitted"))
	back.send(map[string]any{"type": "ready"})
	mustJoined(t, back.next(isType("joined")))
}

// dialWithPasscode is dialMedia into a room that asks for the passcode.
func (cs *controlServer) dialWithPasscode(t *testing.T, room, name, browser string, audio bool) *loadtest.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := loadtest.Dial(ctx, cs.url+"?bid="+browser, loadtest.Options{Room: room, Name: name, Audio: audio,
		Loopback: true, PacketInterval: drillInterval(), Auth: map[string]string{"passcode": "let me in"}})
	if err != nil {
		t.Fatalf("dial %s: %v", name, err)
	}
	t.Cleanup(c.Close)
	return c
}
