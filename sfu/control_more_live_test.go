package sfu_test

import (
	"fmt"
	"testing"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestPasscodeLive: a passcode meeting refuses a join without the
// passcode or with a wrong one, admits the right one, and lets a chair in
// on the host key alone.
func TestPasscodeLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{PasscodeRequired: true}, control.Limits{})
	expectCode(t, cs.signal(t, bid("a")).join("p", "Alex", nil), control.CodeBadPasscode)
	expectCode(t, cs.signal(t, bid("a")).join("p", "Alex", map[string]any{"passcode": "let me out"}),
		control.CodeBadPasscode)
	mustJoined(t, cs.signal(t, bid("a")).join("p", "Alex", map[string]any{"passcode": "let me in"}))
	mustJoined(t, cs.signal(t, bid("h")).join("p", "Host", map[string]any{"hostKey": rightHostKey}))
}

// TestPhonePINLive: a telephone caller's phone PIN admits in the
// passcode's place (a passcode sent as the PIN does not, nor the PIN as the
// passcode), and wrong PINs are limited per caller on their own: a caller
// who used up its PIN tries can still be let in by nothing else of its,
// while another caller with the right PIN gets in.
func TestPhonePINLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{PasscodeRequired: true}, control.Limits{SecretMaxFail: 3, SecretFreeFail: 3})
	expectCode(t, cs.signal(t, bid("a")).join("p", "Phone caller 1", map[string]any{"phonePin": "11111111"}), control.CodeBadPasscode)
	expectCode(t, cs.signal(t, bid("a")).join("p", "Phone caller 1", map[string]any{"phonePin": "let me in"}), control.CodeBadPasscode)
	expectCode(t, cs.signal(t, bid("a")).join("p", "Phone caller 1", map[string]any{"phonePin": "22222222"}), control.CodeBadPasscode)
	expectCode(t, cs.signal(t, bid("c")).join("p", "Carol", map[string]any{"passcode": rightPhonePIN}), control.CodeBadPasscode)
	mustJoined(t, cs.signal(t, bid("b")).join("p", "Phone caller 2", map[string]any{"phonePin": rightPhonePIN}))
	// a's third wrong PIN used up its PIN tries; its passcode tries are its own.
	expectCode(t, cs.signal(t, bid("a")).join("p", "Phone caller 1", map[string]any{"phonePin": rightPhonePIN}), control.CodeSecretRefused)
	mustJoined(t, cs.signal(t, bid("a")).join("p", "Alex", map[string]any{"passcode": "let me in"}))
}

// TestRenameLockTimerHandOverLive: over real signaling, the rename lock
// refuses a member's rename and lifting it lets the rename through to the
// chair; a share timer reaches the member; handing over makes the member
// chair.
func TestRenameLockTimerHandOverLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("r", "Chair", map[string]any{"hostKey": rightHostKey}))
	chair.subscribe()
	member := cs.signal(t, bid("m"))
	mid := mustJoined(t, member.join("r", "Member", nil))
	member.subscribe()

	chair.send(map[string]any{"type": "set-rename-lock", "on": true})
	member.next(func(m map[string]any) bool { return isEvent("control")(m) && m["control"] == control.ControlRenameLock })
	member.send(map[string]any{"type": "rename", "name": "Someone Else"})
	expectCode(t, member.next(isType("error")), control.CodeRenameLocked)
	chair.send(map[string]any{"type": "set-rename-lock", "on": false})
	member.next(func(m map[string]any) bool { return isEvent("control")(m) && m["control"] == control.ControlRenameLock })
	member.send(map[string]any{"type": "rename", "name": "Sam"})
	if ev := chair.next(isEvent("renamed")); ev["subject"] != mid || ev["name"] != "Sam" {
		t.Fatalf("rename seen by the chair %v", ev)
	}

	chair.send(map[string]any{"type": "start-timer", "target": mid, "seconds": 120})
	timer := member.next(isEvent("timer"))
	if tm, _ := timer["timer"].(map[string]any); tm["subject"] != mid || tm["ends"] == nil {
		t.Fatalf("timer %v", timer)
	}

	chair.send(map[string]any{"type": "hand-over", "target": mid})
	if ev := member.next(func(m map[string]any) bool { return isEvent("role")(m) && m["subject"] == mid }); ev["role"] != "chair" {
		t.Fatalf("hand over %v", ev)
	}
}

// TestEndMeetingLive: ending the meeting tells everyone why and closes
// their sockets; a later join is refused as ended.
func TestEndMeetingLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("e", "Chair", map[string]any{"hostKey": rightHostKey}))
	chair.subscribe()
	member := cs.signal(t, bid("m"))
	mustJoined(t, member.join("e", "Member", nil))
	member.subscribe()

	chair.send(map[string]any{"type": "end-meeting"})
	if ev := member.next(isEvent("disconnect")); ev["reason"] != string(control.CodeEnded) {
		t.Fatalf("end meeting %v", ev)
	}
	if m := member.next(func(map[string]any) bool { return false }); m["code"] != float64(websocket.StatusNormalClosure) {
		t.Fatalf("member socket after the end %v", m)
	}
	for i := range 2 {
		expectCode(t, cs.signal(t, bid(fmt.Sprint("late", i))).join("e", "Late", nil), control.CodeEnded)
	}
}

// TestEndedMeetingReopensForTheChair: over real signaling, after "end
// meeting" members are refused `ended`, but the chair's join opens the
// meeting again (announced as reopened), and members get back in.
func TestEndedMeetingReopensForTheChair(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("e", "Chair", map[string]any{"hostKey": rightHostKey}))
	chair.subscribe()
	chair.send(map[string]any{"type": "end-meeting"})
	if m := chair.next(isType("closed")); m["type"] != "closed" {
		t.Fatalf("the chair's socket after ending: %v", m)
	}
	expectCode(t, cs.signal(t, bid("m")).join("e", "Member", nil), control.CodeEnded)
	again := cs.signal(t, bid("c"))
	mustJoined(t, again.join("e", "Chair", map[string]any{"hostKey": rightHostKey}))
	again.subscribe()
	member := cs.signal(t, bid("m"))
	mustJoined(t, member.join("e", "Member", nil))
	member.subscribe()
	renamed := cs.signal(t, bid("m2"))
	id := mustJoined(t, renamed.join("e", "Rude name", nil))
	renamed.subscribe()
	again.send(map[string]any{"type": "rename-member", "target": id, "name": "Guest"})
	if ev := member.next(isEvent("renamed")); ev["name"] != "Guest" || ev["subject"] != id {
		t.Fatalf("rename by the chair: %v", ev)
	}
	late := cs.signal(t, bid("late"))
	m := late.join("e", "Late", nil)
	for _, p := range m["participants"].([]any) {
		if p.(map[string]any)["name"] == "Rude name" {
			t.Fatalf("a late joiner is told the old name: %v", m["participants"])
		}
	}
}
