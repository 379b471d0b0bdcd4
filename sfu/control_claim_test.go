package sfu_test

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestClaimChairAdminTokenLive: the admin token claims the chair from inside
// the room like the host key, and every wrong value (meant as a key or a
// token) counts against the same limiter, which then turns away even the
// right token until its wait is over.
func TestClaimChairAdminTokenLive(t *testing.T) {
	limits := control.Limits{SecretBackoff: time.Minute, SecretMaxWait: time.Minute}
	cs := startControlled(t, sfu.RoomSettings{}, limits)

	admin := cs.signal(t, bid("admin"))
	mustJoined(t, admin.join("c", "Admin", nil))
	if st := admin.subscribe(); st["role"] != "member" {
		t.Fatalf("before the claim: %v", st)
	}
	admin.send(map[string]any{"type": "claim-chair", "hostKey": adminToken})
	if ev := admin.next(isEvent("role")); ev["role"] != "chair" {
		t.Fatalf("claim with the admin token: %v", ev)
	}

	guesser := cs.signal(t, bid("guesser"))
	mustJoined(t, guesser.join("c", "Guesser", nil))
	guesser.subscribe()
	for _, wrong := range []string{"nope", adminToken + "x", rightHostKey + "x"} {
		guesser.send(map[string]any{"type": "claim-chair", "hostKey": wrong})
		expectCode(t, guesser.next(isType("error")), control.CodeBadHostKey)
	}
	guesser.send(map[string]any{"type": "claim-chair", "hostKey": adminToken})
	expectCode(t, guesser.next(isType("error")), control.CodeRateLimited)
	guesser.send(map[string]any{"type": "control-state"})
	if st := guesser.next(isEvent("state")); st["role"] != "member" {
		t.Fatalf("a limited claim changed the role: %v", st)
	}
}
