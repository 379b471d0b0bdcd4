package sfu_test

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestTraditionLive: over real signaling, a member cannot show the
// 7th-Tradition card; a chair's card reaches the member with its end, is in
// the state a late joiner gets, and a chair takes it down for everyone.
func TestTraditionLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("t", "Chair", map[string]any{"hostKey": rightHostKey}))
	chair.subscribe()
	member := cs.signal(t, bid("m"))
	mustJoined(t, member.join("t", "Member", nil))
	member.subscribe()

	member.send(map[string]any{"type": "show-tradition", "seconds": 300})
	expectCode(t, member.next(isType("error")), control.CodeNotChair)
	chair.send(map[string]any{"type": "show-tradition", "seconds": 100000})
	expectCode(t, chair.next(isType("error")), control.CodeInvalid)

	chair.send(map[string]any{"type": "show-tradition", "seconds": 180})
	ev := member.next(isEvent("tradition"))
	until, err := time.Parse(time.RFC3339Nano, ev["until"].(string))
	if err != nil || until.Before(time.Now().Add(time.Minute)) || ev["by"] == nil {
		t.Fatalf("card event %v (%v)", ev, err)
	}

	late := cs.signal(t, bid("l"))
	mustJoined(t, late.join("t", "Late", nil))
	late.send(map[string]any{"type": "control-state"})
	if st := late.next(isEvent("state")); st["tradition"] != ev["until"] {
		t.Fatalf("late joiner's state %v, want tradition %v", st["tradition"], ev["until"])
	}

	member.send(map[string]any{"type": "hide-tradition"})
	expectCode(t, member.next(isType("error")), control.CodeNotChair)
	chair.send(map[string]any{"type": "hide-tradition"})
	if ev := member.next(isEvent("tradition")); ev["until"] != nil {
		t.Fatalf("hide event %v", ev)
	}
}
