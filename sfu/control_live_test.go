package sfu_test

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

func mustJoined(t *testing.T, m map[string]any) string {
	t.Helper()
	if m["type"] != "joined" {
		t.Fatalf("want joined, got %v", m)
	}
	return m["id"].(string)
}

// subscribe asks for control-state, which also starts control events.
func (c *sigClient) subscribe() map[string]any {
	c.t.Helper()
	c.send(map[string]any{"type": "control-state"})
	return c.next(isEvent("state"))
}

func waitingLen(m map[string]any) int {
	w, _ := m["waiting"].([]any)
	return len(w)
}

func expectCode(t *testing.T, m map[string]any, code control.Code) {
	t.Helper()
	if m["type"] != "error" || m["code"] != string(code) {
		t.Fatalf("want error %s, got %v", code, m)
	}
}

// TestControlLive: over real signaling, a member is refused a chair control
// with a clear code, a chair's mute reaches the member as closed perms, the
// lock refuses members but not chairs, and control-state reports roles.
func TestControlLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("r", "Chair", map[string]any{"adminToken": adminToken}))
	chair.subscribe()
	member := cs.signal(t, bid("m"))
	mid := mustJoined(t, member.join("r", "Member", nil))

	member.send(map[string]any{"type": "secure"})
	expectCode(t, member.next(isType("error")), control.CodeNotChair)
	st := member.subscribe()
	if st["role"] != "member" || st["perms"].(map[string]any)["audio"] != true {
		t.Fatalf("state %v", st)
	}

	chair.send(map[string]any{"type": "mute-member", "target": mid})
	p := member.next(isEvent("perms"))
	if p["perms"].(map[string]any)["audio"] != false {
		t.Fatalf("perms after mute %v", p)
	}
	chair.send(map[string]any{"type": "set-locked", "on": true})
	if ev := member.next(func(m map[string]any) bool { return isEvent("control")(m) && m["control"] == "locked" }); ev["value"] != true {
		t.Fatalf("lock announcement %v", ev)
	}
	expectCode(t, cs.signal(t, bid("n")).join("r", "Newcomer", nil), control.CodeLocked)
	mustJoined(t, cs.signal(t, bid("c2")).join("r", "Host", map[string]any{"hostKey": rightHostKey}))
}

// TestWaitingRoomLive: members wait; the chair sees names only, admits one
// (who then gets joined) and denies another (who is closed with 4002).
func TestWaitingRoomLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{WaitingRoom: true}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("w", "Chair", map[string]any{"hostKey": rightHostKey}))
	chair.subscribe()

	a := cs.signal(t, bid("a"))
	if m := a.join("w", "Alex", nil); m["event"] != "waiting" {
		t.Fatalf("want waiting, got %v", m)
	}
	wl := chair.next(isEvent("waiting-list"))
	if waitingLen(wl) != 1 {
		t.Fatalf("waiting list %v", wl)
	}
	entry := wl["waiting"].([]any)[0].(map[string]any)
	if entry["name"] != "Alex" || len(entry) != 2 {
		t.Fatalf("waiting list %v", wl)
	}
	b := cs.signal(t, bid("b"))
	if m := b.join("w", "Bo", nil); m["event"] != "waiting" {
		t.Fatalf("want waiting, got %v", m)
	}

	chair.send(map[string]any{"type": "admit", "target": entry["id"]})
	if m := a.next(isEvent("admitted")); m["subject"] != entry["id"] {
		t.Fatalf("admitted %v", m)
	}
	a.send(map[string]any{"type": "ready"})
	mustJoined(t, a.next(isType("joined")))

	wl = chair.next(func(m map[string]any) bool {
		return isEvent("waiting-list")(m) && waitingLen(m) == 1
	})
	bo := wl["waiting"].([]any)[0].(map[string]any)
	chair.send(map[string]any{"type": "deny", "target": bo["id"]})
	if m := b.next(isEvent("disconnect")); m["reason"] != "denied" {
		t.Fatalf("deny %v", m)
	}
	if m := b.next(func(map[string]any) bool { return false }); m["code"] != float64(sfu.CloseRemoved) {
		t.Fatalf("denied socket %v", m)
	}
}

// TestLockedUntilChairLive: members wait until the host arrives.
func TestLockedUntilChairLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{LockedUntilChair: true}, control.Limits{})
	a := cs.signal(t, bid("a"))
	if m := a.join("l", "Alex", nil); m["event"] != "waiting" {
		t.Fatalf("want waiting, got %v", m)
	}
	mustJoined(t, cs.signal(t, bid("c")).join("l", "Chair", map[string]any{"hostKey": rightHostKey}))
	a.next(isEvent("admitted"))
	a.send(map[string]any{"type": "ready"})
	mustJoined(t, a.next(isType("joined")))
}

// TestHostKeyBruteForceLive: one browser guessing the host key is slowed,
// then refused even with the right key; the right key still works from
// another browser; and a member cannot claim the chair with a wrong key.
func TestHostKeyBruteForceLive(t *testing.T) {
	limits := control.Limits{SecretBackoff: 200 * time.Millisecond, SecretMaxWait: 800 * time.Millisecond}
	cs := startControlled(t, sfu.RoomSettings{}, limits)
	guess := func(key string) map[string]any {
		return cs.signal(t, bid("attacker")).join("b", "Guest", map[string]any{"hostKey": key})
	}
	for i := range 3 {
		if m := guess("wrong"); m["code"] != string(control.CodeBadHostKey) {
			t.Fatalf("guess %d: %v", i, m)
		}
	}
	expectCode(t, guess("wrong"), control.CodeRateLimited)
	slowed := 0
	for fails := 3; fails < 10; {
		m := guess("wrong")
		switch m["code"] {
		case string(control.CodeRateLimited):
			slowed++
			time.Sleep(50 * time.Millisecond)
		case string(control.CodeBadHostKey):
			fails++
		default:
			t.Fatalf("after %d failures: %v", fails, m)
		}
	}
	expectCode(t, guess(rightHostKey), control.CodeSecretRefused)
	t.Logf("10 wrong keys, %d attempts turned away by backoff, then refused for the meeting", slowed)

	host := cs.signal(t, bid("host"))
	mustJoined(t, host.join("b", "Host", map[string]any{"hostKey": rightHostKey}))
	if st := host.subscribe(); st["role"] != "chair" {
		t.Fatalf("host state %v", st)
	}

	member := cs.signal(t, bid("member"))
	mustJoined(t, member.join("b", "Member", nil))
	member.subscribe()
	member.send(map[string]any{"type": "claim-chair", "hostKey": "nope"})
	expectCode(t, member.next(isType("error")), control.CodeBadHostKey)
	member.send(map[string]any{"type": "claim-chair", "hostKey": rightHostKey})
	if ev := member.next(isEvent("role")); ev["role"] != "chair" {
		t.Fatalf("claim with right key %v", ev)
	}
}
