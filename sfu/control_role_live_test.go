package sfu_test

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestServiceRoleLive: over real signaling, a chair who joins with a
// service role's key is listed with its label (never the key) for a member
// who arrives later; a member who claims with a role's key becomes chair
// and everyone sees the label; a key the schedule refuses (wrong, expired
// or revoked: Rooms says no) is bad-host-key and changes nothing.
func TestServiceRoleLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{}, control.Limits{})
	sec := cs.signal(t, bid("sec"))
	secID := mustJoined(t, sec.join("r", "Sam", map[string]any{"hostKey": secretaryKey}))
	if st := sec.subscribe(); st["role"] != "chair" {
		t.Fatalf("secretary: %v", st)
	}
	member := cs.signal(t, bid("member"))
	mustJoined(t, member.join("r", "Morgan", nil))
	st := member.subscribe()
	roles, _ := st["roles"].([]any)
	if len(roles) != 1 {
		t.Fatalf("state roles %v", st["roles"])
	}
	if r := roles[0].(map[string]any); r["id"] != secID || r["role"] != "chair" || r["label"] != "Secretary" {
		t.Fatalf("state role %v", r)
	}

	claimer := cs.signal(t, bid("claimer"))
	claimerID := mustJoined(t, claimer.join("r", "Casey", nil))
	claimer.subscribe()
	claimer.send(map[string]any{"type": "claim-chair", "hostKey": "expired-role-key"})
	expectCode(t, claimer.next(isType("error")), control.CodeBadHostKey)
	claimer.send(map[string]any{"type": "claim-chair", "hostKey": secretaryKey})
	if ev := claimer.next(isEvent("role")); ev["role"] != "chair" || ev["label"] != "Secretary" {
		t.Fatalf("claimer's role event %v", ev)
	}
	ev := member.next(func(m map[string]any) bool { return isEvent("role")(m) && m["subject"] == claimerID })
	if ev["label"] != "Secretary" {
		t.Fatalf("member sees %v", ev)
	}
}

// TestAutoShareTimerLive: with the meeting's automatic share timer, a
// chair's ask-to-unmute over real signaling starts the member's share
// timer, which every member hears of (issue 15).
func TestAutoShareTimerLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{ShareTimer: 2 * time.Minute}, control.Limits{})
	chair := cs.signal(t, bid("chair"))
	mustJoined(t, chair.join("r", "Pat", map[string]any{"hostKey": rightHostKey}))
	chair.subscribe()
	member := cs.signal(t, bid("member"))
	memberID := mustJoined(t, member.join("r", "Morgan", nil))
	member.subscribe()
	other := cs.signal(t, bid("other"))
	mustJoined(t, other.join("r", "Ola", nil))
	other.subscribe()
	chair.send(map[string]any{"type": "ask-unmute", "target": memberID})
	member.next(isEvent("ask-unmute"))
	for _, c := range []*sigClient{member, other} {
		ev := c.next(isEvent("timer"))
		timer, _ := ev["timer"].(map[string]any)
		if timer["subject"] != memberID || timer["ends"] == nil {
			t.Fatalf("timer event %v", ev)
		}
	}
}
