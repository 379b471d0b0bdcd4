package control

import (
	"errors"
	"fmt"
	"testing"
)

// raidRoom is a room with a chair, 10 members and 30 raiders who unmuted,
// started video and spammed chat before the chair reacted.
func raidRoom(tb testing.TB) (*Room, []ParticipantID) {
	tb.Helper()
	clk := newClock()
	r, err := NewRoom(Config{Clock: clk})
	if err != nil {
		tb.Fatal(err)
	}
	joinAs := func(id string, g ChairGrant) {
		a, _ := r.Join(JoinRequest{ID: ParticipantID(id), Identity: Identity{BrowserID: "b-" + id, ResumeToken: "r-" + id}, Name: id, Chair: g})
		if a.Status != StatusAdmitted {
			tb.Fatalf("join %s: %+v", id, a)
		}
	}
	joinAs("chair", GrantHostKey)
	for i := range 10 {
		joinAs(fmt.Sprint("member", i), GrantNone)
	}
	var raiders []ParticipantID
	for i := range 30 {
		id := fmt.Sprint("raider", i)
		joinAs(id, GrantNone)
		raiders = append(raiders, ParticipantID(id))
		for _, c := range []Command{SelfUnmute{}, SelfStartVideo{}, SendChat{Text: "spam"}, Rename{NewName: "member0"}} {
			// The room-wide chat limit turns the last raiders' spam away.
			if _, err := r.Handle(ParticipantID(id), c); err != nil && !errors.Is(err, CodeRateLimited) {
				tb.Fatalf("raider %s before secure: %v", c.Name(), err)
			}
		}
	}
	return r, raiders
}

// TestRaidStateMachine is the raid drill at the state-machine level; the
// live drill with Pion peers lives in package sfu.
func TestRaidStateMachine(t *testing.T) {
	r, raiders := raidRoom(t)
	mustHandle(t, r, "chair", Secure{})
	if got, want := r.Switches(), (Switches{Locked: true, RenameLock: true}); got != want {
		t.Fatalf("switches after secure %+v, want %+v", got, want)
	}
	for _, id := range raiders {
		if p, _ := r.Perms(id); p.Audio || p.Video || p.Chat {
			t.Fatalf("%s after secure: %+v", id, p)
		}
		for _, c := range []Command{SelfUnmute{}, SelfStartVideo{}, SendChat{Text: "spam"}} {
			if _, err := r.Handle(id, c); err == nil {
				t.Fatalf("%s %s after secure succeeded", id, c.Name())
			}
		}
	}
	for _, id := range raiders {
		mustHandle(t, r, "chair", Remove{Target: id, DeleteMessages: true})
	}
	for _, m := range r.ChatHistory() {
		t.Errorf("raider chat survived: %+v", m)
	}
	r.Handle("chair", SetLocked{}) // unlocked again: the bar alone must hold
	for i, id := range raiders {
		a, _ := r.Join(JoinRequest{ID: ParticipantID(fmt.Sprint("again", i)),
			Identity: Identity{BrowserID: "b-" + string(id)}, Name: "new name"})
		if a.Reason != CodeBarred {
			t.Fatalf("raider %s rejoined: %+v", id, a)
		}
	}
	if got := len(r.Recipients(toEveryone())); got != 11 {
		t.Fatalf("%d left in the room, want 11", got)
	}
	mustHandle(t, r, "chair", SetSelfUnmute{On: true})
	if _, err := r.Handle("member3", SelfUnmute{}); err != nil {
		t.Fatalf("member cannot speak again: %v", err)
	}
	if _, err := r.Handle("member3", SendChat{Text: "x"}); !errors.Is(err, CodeChatOff) {
		t.Fatalf("chat undone with self-unmute: %v", err)
	}
}

// BenchmarkSecureAndRemove measures the control work of securing a 41-person
// room and removing 30 raiders.
func BenchmarkSecureAndRemove(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		r, raiders := raidRoom(b)
		b.StartTimer()
		if _, err := r.Handle("chair", Secure{}); err != nil {
			b.Fatal(err)
		}
		for _, id := range raiders {
			if _, err := r.Handle("chair", Remove{Target: id, DeleteMessages: true}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
