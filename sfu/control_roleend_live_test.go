package sfu_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// Roles of revocableRooms.
const (
	secretaryRole = 7
	techHostRole  = 9
	techHostKey   = "tech-host-role-key"
)

// revocableRooms is fakeChairs with service roles the organisers can
// revoke (sfu.RoleChecker): "Secretary" (no end) and "Tech host" (ends at
// techEnds), and a schedule that can fail to answer. mu guards the rest.
type revocableRooms struct {
	fakeChairs
	mu       sync.Mutex
	techEnds time.Time
	revoked  map[int64]bool
	failing  bool
	asked    chan int64 // each RoleActive's role, when there is room
}

func newRevocableRooms() *revocableRooms {
	return &revocableRooms{revoked: map[int64]bool{}, asked: make(chan int64, 64)}
}

func (f *revocableRooms) VerifyHostKey(ctx context.Context, room, key string) (sfu.ChairKey, bool, error) {
	switch key {
	case secretaryKey:
		return sfu.ChairKey{RoleID: secretaryRole, Role: "Secretary"}, !f.isRevoked(secretaryRole), nil
	case techHostKey:
		ends := f.techEnd()
		return sfu.ChairKey{RoleID: techHostRole, Role: "Tech host", Ends: ends}, time.Now().Before(ends), nil
	}
	return f.fakeChairs.VerifyHostKey(ctx, room, key)
}

func (f *revocableRooms) techEnd() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.techEnds
}

func (f *revocableRooms) setTechEnd(at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.techEnds = at
}

func (f *revocableRooms) isRevoked(id int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.revoked[id]
}

func (f *revocableRooms) RoleActive(_ context.Context, _ string, id int64) (time.Time, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case f.asked <- id:
	default:
	}
	switch {
	case f.failing:
		return time.Time{}, false, errors.New("database down")
	case id == techHostRole:
		return f.techEnds, time.Now().Before(f.techEnds), nil
	}
	return time.Time{}, !f.revoked[id], nil
}

func (f *revocableRooms) set(revoke int64, failing bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if revoke != 0 {
		f.revoked[revoke] = true
	}
	f.failing = failing
	for len(f.asked) > 0 { // what was asked before counts no more
		<-f.asked
	}
}

// waitAsked waits until the room has asked about role id n times.
func (f *revocableRooms) waitAsked(t *testing.T, id int64, n int) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for n > 0 {
		select {
		case got := <-f.asked:
			if got == id {
				n--
			}
		case <-deadline:
			t.Fatalf("role %d not asked about", id)
		}
	}
}

// TestServiceRoleEndsLive: over real signaling, the Secretary who chairs
// with the role's key stays chair while the schedule cannot answer, and
// becomes a member, still in the room, once the role is revoked: everyone
// gets the role event (reason role-ended, no label) and the state lists
// no chair with the role. The Tech host's seat ends at its last day's end
// with no change to the schedule.
func TestServiceRoleEndsLive(t *testing.T) {
	rooms := newRevocableRooms()
	cs := startControlledConfig(t, rooms, sfu.ControlConfig{RoleCheck: 50 * time.Millisecond})
	sec := cs.signal(t, bid("sec"))
	secID := mustJoined(t, sec.join("r", "Sam", map[string]any{"hostKey": secretaryKey}))
	sec.subscribe()
	member := cs.signal(t, bid("member"))
	mustJoined(t, member.join("r", "Morgan", nil))
	member.subscribe()

	// The schedule cannot be read (even with the role revoked): no seat ends.
	rooms.set(secretaryRole, true)
	rooms.waitAsked(t, secretaryRole, 3)
	sec.send(map[string]any{"type": "control-state"})
	if st := sec.next(isEvent("state")); st["role"] != "chair" {
		t.Fatalf("chair unseated by a failing schedule: %v", st)
	}

	// It answers: the role is gone.
	rooms.set(0, false)
	roleEnded := func(c *sigClient, subject string) {
		t.Helper()
		ev := c.next(func(m map[string]any) bool { return isEvent("role")(m) && m["subject"] == subject })
		if ev["role"] != "member" || ev["label"] != nil || ev["reason"] != string(control.CodeRoleEnded) {
			t.Fatalf("role event %v", ev)
		}
	}
	roleEnded(sec, secID)
	roleEnded(member, secID)
	member.send(map[string]any{"type": "control-state"})
	if st := member.next(isEvent("state")); len(st["roles"].([]any)) != 0 {
		t.Fatalf("roles after revoking: %v", st["roles"])
	}
	sec.send(map[string]any{"type": "control-state"})
	if st := sec.next(isEvent("state")); st["role"] != "member" {
		t.Fatalf("the Secretary after revoking: %v", st)
	}
	// A member now, the revoked key is refused.
	sec.send(map[string]any{"type": "claim-chair", "hostKey": secretaryKey})
	expectCode(t, sec.next(isType("error")), control.CodeBadHostKey)

	// The Tech host's last day ends: no write, the seat ends with it (the
	// room checks at that moment; its check period is no shorter).
	rooms.setTechEnd(time.Now().Add(3 * time.Second))
	tech := cs.signal(t, bid("tech"))
	techID := mustJoined(t, tech.join("r", "Tam", map[string]any{"hostKey": techHostKey}))
	tech.subscribe()
	roleEnded(tech, techID)
	roleEnded(member, techID)
}

// TestServiceRoleEndsAtItsEndLive: a room whose periodic check is far
// off still checks at the moment the role's known last day ends.
func TestServiceRoleEndsAtItsEndLive(t *testing.T) {
	rooms := newRevocableRooms()
	rooms.setTechEnd(time.Now().Add(3 * time.Second))
	cs := startControlledConfig(t, rooms, sfu.ControlConfig{RoleCheck: time.Hour})
	tech := cs.signal(t, bid("tech"))
	techID := mustJoined(t, tech.join("r", "Tam", map[string]any{"hostKey": techHostKey}))
	tech.subscribe()
	ev := tech.next(func(m map[string]any) bool { return isEvent("role")(m) && m["subject"] == techID })
	if ev["role"] != "member" || ev["reason"] != string(control.CodeRoleEnded) {
		t.Fatalf("role event %v", ev)
	}
}

// TestServiceRoleEndWhileScheduleFailsLive: a role's last day that ends
// while the schedule cannot be read leaves its chair seated (only a
// definite answer unseats), and the room keeps asking; once the schedule
// answers, the seat ends.
func TestServiceRoleEndWhileScheduleFailsLive(t *testing.T) {
	rooms := newRevocableRooms()
	end := time.Now().Add(3 * time.Second)
	rooms.setTechEnd(end)
	cs := startControlledConfig(t, rooms, sfu.ControlConfig{RoleCheck: 100 * time.Millisecond})
	tech := cs.signal(t, bid("tech"))
	techID := mustJoined(t, tech.join("r", "Tam", map[string]any{"hostKey": techHostKey}))
	tech.subscribe()
	rooms.set(0, true)
	time.Sleep(time.Until(end)) // the last day is over, by the clock
	rooms.set(0, true)          // what was asked before it no longer counts
	rooms.waitAsked(t, techHostRole, 3)
	tech.send(map[string]any{"type": "control-state"})
	if st := tech.next(isEvent("state")); st["role"] != "chair" {
		t.Fatalf("unseated while the schedule failed: %v", st)
	}
	rooms.set(0, false)
	ev := tech.next(func(m map[string]any) bool { return isEvent("role")(m) && m["subject"] == techID })
	if ev["role"] != "member" || ev["reason"] != string(control.CodeRoleEnded) {
		t.Fatalf("role event %v", ev)
	}
}
