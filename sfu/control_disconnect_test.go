package sfu_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// TestRemovedMemberHearsWhy: a member with live media whom the chair
// removes receives the disconnect event, then the socket closes with 4002,
// so that its page can say "you were removed" instead of "connection
// lost". Each round removes a different member right after a burst of
// chat, so the farewell has queued messages to flush ahead of it.
func TestRemovedMemberHearsWhy(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("bye", "Chair", map[string]any{"adminToken": adminToken}))
	chair.subscribe()
	for i := range 3 {
		m := cs.dialMedia(t, "bye", fmt.Sprint("member", i), bid(fmt.Sprint("m", i)), true, false)
		if err := m.Send(map[string]any{"type": "control-state"}); err != nil {
			t.Fatal(err)
		}
		waitEvent(t, m, func(v map[string]any) bool { return v["event"] == "state" })
		for j := range 5 {
			chair.send(map[string]any{"type": "chat", "text": fmt.Sprint("note ", j)})
		}
		chair.send(map[string]any{"type": "remove", "target": m.ID})
		ev := waitEvent(t, m, func(v map[string]any) bool { return v["event"] == "disconnect" || v["type"] == "closed" })
		if ev["event"] != "disconnect" || ev["reason"] != string(control.CodeRemoved) {
			t.Fatalf("round %d: want the disconnect event first, got %v", i, ev)
		}
		closed := waitEvent(t, m, func(v map[string]any) bool { return v["type"] == "closed" })
		if closed["code"] != fmt.Sprint(websocket.StatusCode(sfu.CloseRemoved)) {
			t.Fatalf("round %d: close code %v, want %d", i, closed["code"], sfu.CloseRemoved)
		}
	}
}

// waitEvent returns the first message from c's events for which match
// holds (loadtest reports the socket's end as type "closed" with the code).
func waitEvent(t *testing.T, c *loadtest.Client, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case m := <-c.Events:
			v := map[string]any{"type": m.Type}
			if m.Raw != nil {
				if err := json.Unmarshal(m.Raw, &v); err != nil {
					t.Fatalf("non-JSON event %q", m.Raw)
				}
			}
			if m.Type == "closed" {
				v["code"] = m.Code
			}
			if match(v) {
				return v
			}
		case <-deadline:
			t.Fatal("timed out waiting for an event")
			return nil
		}
	}
}
